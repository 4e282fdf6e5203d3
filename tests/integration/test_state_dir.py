# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The state directory's ownership through the real playbooks, on real directories, as root.

Each test gets a VPNLAB_HOME of its own, /tmp/statedir-<random>, removed afterwards. The lab
names are random too (`sd<hex>`), but for the data-loss case, whose point is a lab named like a
user's directory: it is skipped if a lab called `projects` exists on this machine.

Exit codes: a refused state directory fails the play (ansible-playbook exits 2) with a message
naming the directory, the missing marker and what to do; the lab's namespaces, processes and
routes are still removed, since they carry the lab's prefix, but no file is deleted.
"""

from __future__ import annotations

import datetime
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.guard import guard_metric
from ansible_collections.multicloud.vpnlab.plugins.module_utils.statedir import MARKER

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the local lab needs root")


def playbook(name, home, lab, *extra):
    env = dict(os.environ, VPNLAB_HOME=str(home), ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_NOCOLOR="1", PATH="%s:%s" % (BIN, os.environ["PATH"]))
    proc = subprocess.run([str(BIN / "ansible-playbook"), "playbooks/" + name,
                           "-e", json.dumps({"vpnlab_name": lab}), *extra],
                          cwd=ROOT, env=env, capture_output=True, text=True, check=False,
                          timeout=600)
    return proc.returncode, proc.stdout + proc.stderr


def snapshot(root):
    """{relative path: (mode, content or link target or None for a directory)} of a tree."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(str(root)):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            st = os.lstat(path)
            if os.path.islink(path):
                content = "-> " + os.readlink(path)
            elif os.path.isdir(path):
                content = None
            else:
                content = Path(path).read_bytes()
            found[os.path.relpath(path, str(root))] = (st.st_mode, content)
    return found


def lab_netns(lab):
    return sorted(n for n in os.listdir("/run/netns") if n.startswith("vpnlab-%s." % lab)) \
        if os.path.isdir("/run/netns") else []


def guard_routes(lab):
    out = subprocess.run(["ip", "route", "show", "proto", "222"], capture_output=True, text=True,
                         check=True).stdout
    return [line for line in out.splitlines() if "metric %d" % guard_metric(lab) in line]


def one_line(out):
    return " ".join(out.split())


@pytest.fixture
def home():
    path = Path(tempfile.mkdtemp(prefix="statedir-", dir="/tmp"))
    try:
        yield path
    finally:
        shutil.rmtree(str(path), ignore_errors=True)


@pytest.fixture
def lab():
    """A lab name of this test's own; whatever of it is left is torn down in an empty home."""
    name = "sd" + secrets.token_hex(3)
    yield name
    if lab_netns(name) or guard_routes(name):
        scratch = Path(tempfile.mkdtemp(prefix="statedir-cleanup-", dir="/tmp"))
        try:
            playbook("teardown.yml", scratch, name)
        finally:
            shutil.rmtree(str(scratch), ignore_errors=True)


def projects_tree(home):
    """A user's directory full of files, some with the names a lab uses."""
    projects = home / "projects"
    (projects / "src" / "gateways").mkdir(parents=True)
    (projects / "vms").mkdir()
    (projects / "src" / "main.c").write_text("int main(void) { return 0; }\n")
    (projects / "id_ed25519").write_text("the user's own key\n")
    (projects / "report.json").write_text('{"mine": true}\n')
    (projects / ".git").mkdir()
    (projects / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    os.symlink("/etc", str(projects / "etc-link"))
    return projects


def test_destroy_of_a_lab_named_like_a_users_directory_deletes_nothing(home):
    # VPNLAB_HOME=/some/dir with an unrelated /some/dir/projects, then
    # `make destroy ARGS='-e vpnlab_name=projects'`: it deleted the whole tree once.
    if lab_netns("projects") or guard_routes("projects"):
        pytest.skip("a lab named 'projects' exists on this machine")
    projects_tree(home)
    before = snapshot(home)

    rc, out = playbook("teardown.yml", home, "projects")
    assert rc == 2, out[-3000:]
    message = one_line(out)
    assert "Refusing to empty %s for lab 'projects'" % (home / "projects") in message
    assert "has no .vpnlab-lab marker" in message and "Nothing was deleted." in message
    assert snapshot(home) == before
    # Twice: the same refusal, still nothing deleted.
    assert playbook("teardown.yml", home, "projects")[0] == 2 and snapshot(home) == before


def test_build_into_a_users_non_empty_directory_is_refused_before_anything(home, lab):
    (home / lab).mkdir()
    (home / lab / "thesis.tex").write_text("\\documentclass{article}\n")
    before = snapshot(home)

    rc, out = playbook("site.yml", home, lab)
    assert rc == 2, out[-3000:]
    message = one_line(out)
    assert "Refusing to use %s as the state directory of lab '%s'" % (home / lab, lab) in message
    assert "is not empty and has no .vpnlab-lab marker" in message
    assert "Nothing was written." in message
    assert snapshot(home) == before
    assert lab_netns(lab) == [] and guard_routes(lab) == []


def test_lab_in_a_home_directory_tears_down_completely_and_leaves_the_dotfiles(home, lab):
    # VPNLAB_HOME is a home directory: dotfiles, an .ssh with a key, a project of the user's.
    (home / ".ssh").mkdir(mode=0o700)
    (home / ".ssh" / "id_ed25519").write_text("the user's key\n")
    (home / ".ssh" / "known_hosts").write_text("github.com ssh-ed25519 AAAA\n")
    (home / ".bashrc").write_text("alias ll='ls -l'\n")
    (home / ".profile").write_text("umask 022\n")
    projects_tree(home)
    before = snapshot(home)

    rc, out = playbook("site.yml", home, lab)
    assert rc == 0, out[-3000:]
    state = home / lab
    marker = json.loads((state / MARKER).read_text())
    # The expiry is recorded from the day the lab is created (7 days by default).
    days = [(datetime.date.today() - datetime.timedelta(days=n) + datetime.timedelta(days=7)).isoformat()
            for n in (0, 1)]
    assert marker.pop("expires") in days and marker.pop("expiry_days") == 7
    assert marker == {"lab": lab, "managed_by": "multicloud.vpnlab"}
    assert (state / MARKER).stat().st_mode & 0o777 == 0o600
    assert state.stat().st_mode & 0o777 == 0o700
    assert len(lab_netns(lab)) > 5 and guard_routes(lab)

    for attempt in (1, 2):
        rc, out = playbook("teardown.yml", home, lab)
        assert rc == 0, (attempt, out[-3000:])
        assert lab_netns(lab) == [] and guard_routes(lab) == []
        assert sorted(os.listdir(str(state))) == [MARKER, "report.html", "report.json",
                                                  "report.md"]
        # The kept directory forgets the expiry: a new lab of the name gets its own.
        assert json.loads((state / MARKER).read_text()) == {"lab": lab, "managed_by": "multicloud.vpnlab"}
    rc, out = playbook("teardown.yml", home, lab, "-e", '{"teardown_keep": []}')
    assert rc == 0, out[-3000:]
    # Nothing of the lab is left, and the home directory is exactly as it was.
    assert snapshot(home) == before


def test_lab_in_an_empty_home_tears_down_completely_and_spares_unknown_files(home, lab):
    home = home / "vpnlab"  # VPNLAB_HOME does not even exist yet: made 0700 with the lab
    rc, out = playbook("site.yml", home, lab)
    assert rc == 0, out[-3000:]
    assert home.stat().st_mode & 0o777 == 0o700
    state = home / lab
    (state / "notes.txt").write_text("written by the user into the lab's directory\n")
    (state / "captures").mkdir()
    (state / "captures" / "tunnel.pcap").write_bytes(b"\xd4\xc3\xb2\xa1")

    rc, out = playbook("teardown.yml", home, lab)
    assert rc == 0, out[-3000:]
    assert lab_netns(lab) == [] and guard_routes(lab) == []
    assert sorted(os.listdir(str(state))) == [MARKER, "captures", "notes.txt", "report.html",
                                              "report.json", "report.md"]
    assert (state / "captures" / "tunnel.pcap").read_bytes() == b"\xd4\xc3\xb2\xa1"
    warnings = one_line(out)
    assert "not written by the lab): captures/" in warnings
    assert "not written by the lab): notes.txt" in warnings

    (state / "notes.txt").unlink()
    shutil.rmtree(str(state / "captures"))
    rc, out = playbook("teardown.yml", home, lab, "-e", '{"teardown_keep": []}')
    assert rc == 0, out[-3000:]
    assert os.listdir(str(home)) == []


# --- issue 13: a state root or a state directory somebody else can change is refused ----------
# rc != 0, a message naming the path and the reason, no traceback, and nothing created or
# changed: no namespace, no guard route, no file, no mode.

def refused_cleanly(rc, out):
    assert rc != 0, out[-3000:]
    assert "Traceback" not in out and "full traceback" not in out, out[-3000:]
    return one_line(out)


def test_a_state_root_others_can_write_is_refused_before_anything(home, lab):
    root = home / "shared"
    root.mkdir()
    os.chmod(str(root), 0o777)
    (root / "somebody-elses.txt").write_text("x\n")
    before = snapshot(home)
    for name in ("site.yml", "teardown.yml"):
        message = refused_cleanly(*playbook(name, root, lab))
        assert "Refusing the state root %r" % str(root) in message, message
        assert "%s is writable by others (mode 0777)" % root in message
        assert snapshot(home) == before and os.stat(str(root)).st_mode & 0o7777 == 0o777
        assert lab_netns(lab) == [] and guard_routes(lab) == []


@pytest.mark.parametrize("root, reason", [
    ("/etc", "'/etc' is a system directory"),
    ("/", "'/' is the root directory"),
    ("/tmp/../etc", "is not normalised"),
    ("{home}/a\nb", "holds a control character"),
])
def test_a_bad_state_root_is_refused_before_anything(home, lab, root, reason):
    root = root.format(home=home)
    before = snapshot(home)
    message = refused_cleanly(*playbook("site.yml", root, lab))
    assert reason in message and "Refusing the state root" in message, message
    assert not os.path.lexists(os.path.join("/etc", lab)) and not os.path.lexists("/" + lab)
    assert snapshot(home) == before
    assert lab_netns(lab) == [] and guard_routes(lab) == []


def test_another_users_open_directory_with_a_forged_marker_is_refused(home, lab):
    """The finding: mode 0777, another owner, a marker naming the lab, a vms.json steering SSH."""
    nobody = 65534
    state = home / lab
    state.mkdir()
    (state / MARKER).write_text(json.dumps({"lab": lab, "managed_by": "multicloud.vpnlab"}))
    pwned = Path("/tmp/%s-pwned" % lab)
    (state / "vms.json").write_text(json.dumps({"lab": lab, "target": "local", "vms": [{
        "name": "vm1", "cloud": "azure", "resource_name": "%s-vm1" % lab, "connection": {
            "ansible_host": "127.0.0.1",
            "ansible_ssh_common_args": "-o ProxyCommand='touch %s'" % pwned}}]}))
    for path in (state, state / MARKER, state / "vms.json"):
        os.chown(str(path), nobody, nobody)
        os.chmod(str(path), 0o777 if path == state else 0o666)
    before = snapshot(home)

    message = refused_cleanly(*playbook("site.yml", home, lab))
    assert "Refusing to use %s as the state directory of lab '%s'" % (state, lab) in message, message
    assert "it belongs to uid %d, not to the running user (uid 0)" % nobody in message
    assert "Nothing was written." in message
    assert snapshot(home) == before and os.stat(str(state)).st_uid == nobody
    assert lab_netns(lab) == [] and guard_routes(lab) == []

    message = refused_cleanly(*playbook("teardown.yml", home, lab))
    assert "Refusing to empty %s for lab '%s'" % (state, lab) in message, message
    assert snapshot(home) == before

    # The inventory does not list it, so root's SSH never uses its ProxyCommand.
    env = dict(os.environ, VPNLAB_HOME=str(home), ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_NOCOLOR="1", PATH="%s:%s" % (BIN, os.environ["PATH"]))
    proc = subprocess.run([str(BIN / "ansible-inventory"), "-i", "inventory/vpnlab.yml", "--list"],
                          cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "%s-vm1" % lab not in proc.stdout
    assert "it belongs to uid %d" % nobody in one_line(proc.stderr)
    assert not pwned.exists()

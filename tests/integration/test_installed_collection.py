# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The installed collection, as a user of Galaxy collections has it (docs/installed-collection.md).

The tarball is built from the files git tracks in this working tree (uncommitted edits included,
untracked files and caches not), installed with `ansible-galaxy collection install` into a
temporary collections path, and run from an empty directory outside the checkout with no
ansible.cfg (ANSIBLE_CONFIG unset) and no -i: `ansible-doc` lists every plugin, and lab `inst`
(local target, VPNLAB_HOME in tmp) is built, checked and torn down by the playbooks' names.

`--no-deps`: amazon.aws, community.aws, azure.azcollection and community.crypto come with the
`ansible` package in the venv (site-packages/ansible_collections), which Ansible still scans
after ANSIBLE_COLLECTIONS_PATH. That directory also holds `make collection`'s link to this
checkout: the install runs with ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false, or ansible-galaxy
takes the link for an installed copy ("Nothing to do"), and the runs show that the copy they
use is the temporary one (ANSIBLE_COLLECTIONS_PATH comes first).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from ansible_run import BIN, ROOT
from lab_procs import lab_netns

LAB = "inst"

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the local lab needs root")


def tree_plugins(kind, suffix=".py"):
    """The plugins of `kind` in this checkout, by name (filters: one YAML doc each)."""
    return sorted(p.name[:-len(suffix)] for p in (ROOT / "plugins" / kind).glob("*" + suffix)
                  if not p.name.startswith("_"))


def tracked_copy(dest):
    """The working tree's files that git tracks (as edited now), nothing else."""
    names = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, names.decode().split("\0")):
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)


@pytest.fixture(scope="module")
def user(tmp_path_factory):
    """A user with the collection installed from the built tarball: run(argv) in an empty
    directory outside the checkout, with no ansible.cfg."""
    tmp = tmp_path_factory.mktemp("inst")
    src, dist, collections, work, home = (tmp / d for d in ("src", "dist", "collections", "work", "home"))
    for path in (src, dist, work):
        path.mkdir()
    home.mkdir(mode=0o700)
    tracked_copy(src)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "VPNLAB_"))}
    env.update(PATH="%s:%s" % (BIN, env.get("PATH", "")), ANSIBLE_COLLECTIONS_PATH=str(collections),
               VPNLAB_HOME=str(home), ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")

    def run(*argv, timeout=900, **extra):
        proc = subprocess.run([str(BIN / argv[0]), *argv[1:]], cwd=work, env=dict(env, **extra),
                              capture_output=True, text=True, timeout=timeout, check=False)
        return proc.returncode, proc.stdout + proc.stderr

    rc, out = run("ansible-galaxy", "collection", "build", "--output-path", str(dist), str(src))
    assert rc == 0, out
    tarball, = dist.glob("multicloud-vpnlab-*.tar.gz")
    rc, out = run("ansible-galaxy", "collection", "install", "--no-deps", "-p", str(collections), str(tarball),
                  ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false")
    assert rc == 0 and "was installed successfully" in out, out
    installed = collections / "ansible_collections" / "multicloud" / "vpnlab"
    assert (installed / "MANIFEST.json").is_file()
    return {"run": run, "installed": installed, "home": home, "work": work, "tmp": tmp}


@pytest.fixture(scope="module")
def lab(user):
    """Lab `inst` built, checked and torn down by name, each output kept; torn down at the end
    whatever happened."""
    if lab_netns(LAB):
        pytest.skip("a lab %s exists already" % LAB)
    run, runs = user["run"], {}
    try:
        # -vv: each task's path, to see which copy of the collection runs.
        runs["site"] = run("ansible-playbook", "multicloud.vpnlab.site", "-e", "vpnlab_name=" + LAB, "-vv")
        runs["report_after_site"] = _report(user)
        runs["check"] = run("ansible-playbook", "multicloud.vpnlab.check", "-e", "vpnlab_name=" + LAB)
        runs["report_after_check"] = _report(user)
        runs["teardown"] = run("ansible-playbook", "multicloud.vpnlab.teardown", "-e", "vpnlab_name=" + LAB)
        runs["netns_after_teardown"] = lab_netns(LAB)
        yield runs
    finally:
        if lab_netns(LAB):
            run("ansible-playbook", "multicloud.vpnlab.teardown", "-e", "vpnlab_name=" + LAB)


def _report(user):
    path = user["home"] / LAB / "report.json"
    return json.loads(path.read_text()) if path.exists() else None


def test_no_configuration_file_and_the_temporary_copy_listed(user):
    rc, out = user["run"]("ansible", "--version")
    assert rc == 0 and "config file = None" in out, out
    assert not any(p.name == "ansible.cfg" for p in user["work"].iterdir())
    rc, out = user["run"]("ansible-galaxy", "collection", "list", "multicloud.vpnlab")
    assert rc == 0, out
    # ansible-galaxy lists the paths in name order, not in the order Ansible resolves them; that
    # the installed copy is the one that runs is shown by the task paths of the site run.
    assert "# %s" % user["installed"].parents[1] in out.splitlines(), out


def test_the_tarball_from_git_installs_too(user):
    """`ansible-galaxy collection install git+file://...`: the committed HEAD, built on the fly."""
    dest = user["tmp"] / "from-git"
    rc, out = user["run"]("ansible-galaxy", "collection", "install", "--no-deps", "-p", str(dest),
                          "git+file://%s/.git" % ROOT, ANSIBLE_COLLECTIONS_PATH=str(dest),
                          ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false", timeout=300)
    assert rc == 0 and "was installed successfully" in out, out
    for name in ("playbooks/site.yml", "playbooks/check.yml", "playbooks/teardown.yml", "plugins/lookup/lab_hosts.py"):
        assert (dest / "ansible_collections" / "multicloud" / "vpnlab" / name).is_file(), name


@pytest.mark.parametrize("kind, expected", [
    ("module", tree_plugins("modules")),
    ("inventory", tree_plugins("inventory")),
    ("lookup", tree_plugins("lookup")),
    ("filter", tree_plugins("filter", ".yml")),
    ("role", sorted(p.name for p in (ROOT / "roles").iterdir() if (p / "meta" / "argument_specs.yml").is_file())),
])
def test_ansible_doc_lists_every_plugin_with_a_description(user, kind, expected):
    rc, out = user["run"]("ansible-doc", "-t", kind, "-l", "multicloud.vpnlab", "--json")
    assert rc == 0, out
    listed = json.loads(out[out.index("{"):])
    assert len(expected) > 0
    assert sorted(name.rsplit(".", 1)[-1] for name in listed) == expected
    # A role: its entry points' short descriptions; a plugin: its short description.
    descriptions = [d for v in listed.values() for d in (v["entry_points"].values() if kind == "role" else [v])]
    assert len(descriptions) >= len(expected)
    assert all(isinstance(d, str) and d.strip() for d in descriptions), listed


def test_ansible_doc_reads_the_installed_copy(user):
    rc, out = user["run"]("ansible-doc", "-t", "lookup", "multicloud.vpnlab.lab_hosts")
    assert rc == 0, out
    assert str(user["installed"] / "plugins" / "lookup" / "lab_hosts.py") in out, out[:500]


def test_site_builds_the_lab_and_passes(user, lab):
    rc, out = lab["site"]
    assert rc == 0, out[-4000:]
    assert "PASS: " in out
    assert lab["report_after_site"]["verdict"]["level"] == "pass", lab["report_after_site"]["verdict"]
    paths = [line.split("task path: ", 1)[1] for line in out.splitlines() if line.startswith("task path: ")]
    assert paths and all(p.startswith(str(user["installed"]) + "/") for p in paths), \
        [p for p in paths if not p.startswith(str(user["installed"]))][:5]
    assert "No inventory was parsed" in out  # no -i, no ansible.cfg: the lab's VMs came from its state
    assert "TASK [Add the lab's VMs read from its state]" in out


def test_check_passes_without_an_inventory(lab):
    rc, out = lab["check"]
    assert rc == 0, out[-4000:]
    assert "PASS: " in out
    assert lab["report_after_check"]["verdict"]["level"] == "pass"
    assert lab["report_after_check"]["vms"] and len(lab["report_after_check"]["measurements"]) > 0


def test_teardown_leaves_nothing(lab):
    rc, out = lab["teardown"]
    assert rc == 0, out[-4000:]
    assert lab["netns_after_teardown"] == []

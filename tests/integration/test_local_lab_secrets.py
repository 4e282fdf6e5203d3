# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The whole local lab at -vvv: no pre-shared key in any output, secrets stored 0600, nothing left.

Builds a lab of its own (name `leak`, state in a temporary VPNLAB_HOME) with one PSK given by
the user and one generated, so both kinds are checked.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
USER_PSK = "UserGiven.Key_4711"

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the local lab needs root")


def playbook(name, home, *extra):
    env = dict(os.environ, VPNLAB_HOME=str(home), ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_NOCOLOR="1", PATH="%s:%s" % (BIN, os.environ["PATH"]))
    proc = subprocess.run([str(BIN / "ansible-playbook"), "playbooks/" + name, "-vvv",
                           "-e", json.dumps({"vpnlab_name": "leak",
                                             "vpnlab_tunnel_psks": [USER_PSK, ""]}), *extra],
                          cwd=ROOT, env=env, capture_output=True, text=True, check=False,
                          timeout=600)
    return proc.returncode, proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    home = tmp_path_factory.mktemp("vpnlab-home")
    rc, build = playbook("site.yml", home)
    state = home / "leak"
    try:
        doc = json.loads((state / "vpn-connection.json").read_text())
        psks = [t["PreSharedKey"] for t in doc["Options"]["TunnelOptions"]]
        yield {"rc": rc, "build": build, "state": state, "psks": psks, "home": home}
    finally:
        rc_down, teardown = playbook("teardown.yml", home)
        assert rc_down == 0, teardown[-2000:]
        assert not [n for n in os.listdir("/run/netns") if n.startswith("vpnlab-leak.")]


def test_lab_builds_and_passes_at_vvv(lab):
    assert lab["rc"] == 0, lab["build"][-3000:]
    report = json.loads((lab["state"] / "report.json").read_text())
    assert report["verdict"]["ok"] is True


def test_psks_are_the_given_one_and_a_generated_one(lab):
    assert lab["psks"][0] == USER_PSK
    assert len(lab["psks"][1]) == 32 and lab["psks"][1] != USER_PSK


def test_no_psk_in_the_output(lab):
    for psk in lab["psks"]:
        assert psk not in lab["build"]


def test_no_psk_in_logs_or_public_files(lab):
    state = lab["state"]
    texts = [p for p in state.rglob("*") if p.is_file() and p.name != "vpn-connection.json"
             and p.name not in ("id_ed25519",) and "ssh_host" not in p.name]
    assert any(p.name == "charon.log" for p in texts)
    for path in texts:
        content = path.read_text(errors="replace")
        for psk in lab["psks"]:
            assert psk not in content, path


def test_secrets_are_private(lab):
    state = lab["state"]
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    for name in ("vpn-connection.json", "id_ed25519"):
        assert stat.S_IMODE((state / name).stat().st_mode) == 0o600, name


def test_check_alone_also_hides_psks(lab):
    rc, out = playbook("check.yml", lab["home"])
    assert rc == 0, out[-3000:]
    for psk in lab["psks"]:
        assert psk not in out


def test_local_tunnels_lookup_reads_both_tunnels(lab):
    """The one reader of the local tunnels (the check's evidence source), on a real gateway."""
    env = dict(os.environ, VPNLAB_HOME=str(lab["home"]), ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_LOAD_CALLBACK_PLUGINS="1", ANSIBLE_STDOUT_CALLBACK="ansible.builtin.json",
               PATH="%s:%s" % (BIN, os.environ["PATH"]))
    expr = ("{{ lookup('multicloud.vpnlab.local_tunnels', '%s', netns='vpnlab-leak.azgw', "
            "expected={'tunnel1': '203.0.113.10', 'tunnel2': '203.0.113.11', "
            "'tunnel9': '203.0.113.99'}) }}" % (lab["state"] / "gateways" / "azure"))
    proc = subprocess.run([str(BIN / "ansible"), "localhost", "-m", "ansible.builtin.debug",
                           "-a", json.dumps({"msg": expr})], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout[-2000:]
    tunnels = json.loads(proc.stdout)["plays"][0]["tasks"][0]["hosts"]["localhost"]["msg"]
    assert [(t["name"], t["outside_ip"], t["status"]) for t in tunnels] == [
        ("tunnel1", "203.0.113.10", "up"), ("tunnel2", "203.0.113.11", "up"),
        ("tunnel9", "203.0.113.99", "down")]
    assert tunnels[0]["detail"] == "IKE SA established, CHILD SA installed"
    assert tunnels[2]["detail"] == "the gateway has no connection tunnel9 loaded"
    assert all(t["source"] == "strongSwan in vpnlab-leak.azgw (VICI list-sas)" for t in tunnels)
    assert sum(t["bytes_in"] + t["bytes_out"] for t in tunnels) > 0
    for psk in lab["psks"]:
        assert psk not in proc.stdout

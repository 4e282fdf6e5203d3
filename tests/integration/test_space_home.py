# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A local lab under a state root whose path has a space: built, checked, torn down.

The path reaches charon (STRONGSWAN_CONF, strongswan.conf), sshd (sshd_config with
StrictModes yes), ssh (the inventory's options, ssh_config) as one value everywhere: before,
charon never opened its VICI socket here. Lab `hbsp`, state under /tmp (a sticky world-writable
parent, which sshd's StrictModes would refuse for authorized_keys itself).
"""

from __future__ import annotations

import json
import os
import stat
import subprocess

import pytest

from lab_procs import lab_netns, lock_holders, playbook, processes_using

LAB = "hbsp"

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the local lab needs root")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    home = tmp_path_factory.mktemp("hB space") / "vpnlab home"
    home.mkdir(mode=0o700)
    if lab_netns(LAB):
        pytest.skip("a lab %s exists already" % LAB)
    rc, out = playbook("site.yml", home, LAB)
    try:
        yield {"rc": rc, "out": out, "home": home, "state": home / LAB}
    finally:
        rc_down, down = playbook("teardown.yml", home, LAB)
        assert rc_down == 0, down[-3000:]


def test_the_lab_builds_and_passes(lab):
    assert lab["rc"] == 0, lab["out"][-4000:]
    report = json.loads((lab["state"] / "report.json").read_text())
    assert report["verdict"]["level"] == "pass", report["verdict"]


def test_sshd_runs_with_strict_modes_and_the_quoted_paths(lab):
    vm = lab["state"] / "vms" / "vm1"
    proc = subprocess.run(["/usr/sbin/sshd", "-T", "-f", str(vm / "sshd_config")],
                          capture_output=True, text=True, check=True)
    effective = dict(line.split(" ", 1) for line in proc.stdout.splitlines() if " " in line)
    assert effective["strictmodes"] == "yes"
    assert effective["hostkey"] == str(vm / "ssh_host_ed25519_key")
    assert effective["pidfile"] == str(vm / "sshd.pid.sshd")
    assert effective["authorizedkeysfile"] == "/run/vpnlab/authorized_keys"
    for name, mode in (("authorized_keys", 0o600), ("id_ed25519", 0o600)):
        seen = (lab["state"] / name).stat()
        assert (stat.S_IMODE(seen.st_mode), seen.st_uid) == (mode, 0), name
    assert stat.S_IMODE(lab["state"].stat().st_mode) == 0o700


def test_ssh_by_hand_with_the_labs_ssh_config(lab):
    proc = subprocess.run(["ssh", "-F", str(lab["state"] / "ssh_config"), "-o", "BatchMode=yes",
                           "vm3", "hostname"], capture_output=True, text=True, timeout=60,
                          check=False)
    assert (proc.returncode, proc.stdout.strip()) == (0, "vm3"), proc.stderr


def test_the_gateways_answer_on_their_vici_sockets(lab):
    for side in ("azure", "aws"):
        sock = lab["state"] / "gateways" / side / "charon.vici"
        assert stat.S_ISSOCK(sock.stat().st_mode), side
    assert len(processes_using(lab["home"])) >= 2  # the charons' logs, the sshds' configs


def test_nothing_is_left_after_teardown(lab):
    rc, out = playbook("teardown.yml", lab["home"], LAB)
    assert rc == 0, out[-3000:]
    assert lab_netns(LAB) == []
    assert processes_using(lab["home"]) == []
    assert lock_holders(LAB)[1] is False
    assert sorted(os.listdir(lab["state"])) in ([], sorted(
        [".vpnlab-lab", "report.json", "report.md", "report.html"]))

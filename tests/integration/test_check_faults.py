# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The connectivity check on a real local lab with faults injected, one at a time: each gives
its level and its own cause line, and the lab passes again once repaired.

Builds a lab of its own (name `chkf`, state in a temporary VPNLAB_HOME) with the Azure side's
DPD timeout at 9 s (Azure's minimum) so that a cut tunnel is noticed quickly. The tunnel cut
kills the AWS endpoint of the tunnel that carries the traffic (lab_faults.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import lab_faults

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
LAB = "chkf"
DPD = 9

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the local lab needs root")


def playbook(home, name, *extra):
    env = dict(os.environ, VPNLAB_HOME=str(home), ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_NOCOLOR="1", PATH="%s:%s" % (BIN, os.environ["PATH"]))
    proc = subprocess.run([str(BIN / "ansible-playbook"), "playbooks/" + name,
                           "-e", "vpnlab_name=%s" % LAB, "-e", "vpnlab_dpd_timeout_seconds=%d" % DPD,
                           *extra], cwd=ROOT, env=env, capture_output=True, text=True,
                          check=False, timeout=900)
    return proc.returncode, proc.stdout + proc.stderr


def check(home, *extra):
    """Run check.yml; (rc, report.json, output)."""
    rc, out = playbook(home, "check.yml", *extra)
    report = json.loads((Path(home) / LAB / "report.json").read_text())
    return rc, report, out


def last_task(output):
    """What the play's last task printed (the verdict line or the failed assertion), on one
    line (the YAML callback wraps long messages)."""
    return " ".join(output.split("PLAY RECAP")[0].rsplit("TASK [", 1)[1].split())


def causes(report, prefix=""):
    return [f["text"] for f in report["verdict"]["findings"] if f["object"].startswith(prefix)]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    home = tmp_path_factory.mktemp("vpnlab-home")
    rc, out = playbook(home, "site.yml")
    try:
        assert rc == 0, out[-3000:]
        yield home
    finally:
        rc_down, teardown = playbook(home, "teardown.yml")
        assert rc_down == 0, teardown[-2000:]
        assert not [n for n in os.listdir("/run/netns") if n.startswith("vpnlab-%s." % LAB)]


def repair(home):
    rc, out = playbook(home, "site.yml")
    assert rc == 0, out[-3000:]


def test_healthy_lab_passes_with_throughput_and_mtu(lab):
    rc, report, out = check(lab)
    assert rc == 0, out[-3000:]
    assert report["verdict"]["level"] == "pass", report["verdict"]
    assert [t["status"] for t in report["tunnels"]] == ["up", "up"]
    assert [t["path"] for t in report["throughput"]] == ["private", "public"]
    assert all(t["mbps"] > 0 and t["error"] is None for t in report["throughput"])
    assert {(c["largest"], c["mss_clamp"]) for c in report["mtu_checks"]} == {(1400, 1350)}
    assert len(report["mtu_checks"]) == 4  # the paths across the tunnel only
    assert "msg: 'PASS: 24 measurements, no loss that repeated, tunnels up/up;" in last_task(out)


def test_cut_tunnel_is_degraded_within_the_dpd_timeout_and_comes_back(lab):
    tunnel = lab_faults.active_tunnel(LAB, lab)
    other = "tunnel1" if tunnel["name"] == "tunnel2" else "tunnel2"
    lab_faults.cut_tunnel(LAB, lab, tunnel)
    try:
        # The gateway declares the silent peer dead within its DPD timeout: the next check run
        # after that finds the lab degraded, not failed.
        time.sleep(DPD)
        rc, report, out = check(lab, "-e", "connectivity_check_throughput=false")
        assert rc == 0, out[-3000:]
        assert report["verdict"]["level"] == "degraded", report["verdict"]
        states = {t["name"]: t["status"] for t in report["tunnels"]}
        assert states == {tunnel["name"]: "down", other: "up"}
        assert report["verdict"]["failures"] == []
        assert ("msg: 'DEGRADED: %s (%s) down, redundancy lost: %s carries all traffic"
                % (tunnel["name"], tunnel["outside_ip"], other)) in last_task(out)
        cause = causes(report, tunnel["name"])
        assert len(cause) == 1 and "no answer from %s" % tunnel["outside_ip"] in cause[0], cause
        # With every tunnel required, the same state fails the play.
        rc, report, out = check(lab, "-e", "connectivity_check_throughput=false",
                                "-e", "connectivity_check_require_all_tunnels=true")
        assert rc != 0 and report["verdict"]["level"] == "fail"
    finally:
        lab_faults.restore_tunnel(LAB)
    assert lab_faults.wait_for(
        lambda: set(lab_faults.tunnel_states(LAB, lab).values()) == {"up"}, 60)
    rc, report, out = check(lab, "-e", "connectivity_check_throughput=false")
    assert rc == 0 and report["verdict"]["level"] == "pass", report["verdict"]
    assert [t["status"] for t in report["tunnels"]] == ["up", "up"]


def test_a_vm_without_sshd_is_named_with_the_reason(lab):
    # The listener and its sessions (Ansible keeps one open per VM between tasks).
    pids = subprocess.run(["ip", "netns", "pids", lab_faults.netns(LAB, "vm2")], check=True,
                          capture_output=True, text=True).stdout.split()
    for pid in pids:
        comm = Path("/proc/%s/comm" % pid)
        if comm.exists() and comm.read_text().strip() == "sshd":
            os.kill(int(pid), 15)
    try:
        rc, report, out = check(lab)
        assert rc != 0
        found = [f for f in report["verdict"]["findings"] if f["object"] == "vm2"]
        assert [(f["problem"], f["cause"]) for f in found] == [(
            "SSH unreachable (connection to 198.51.100.12:22 through the operator closed before "
            "SSH answered)", "sshd is not running on the VM (connection refused), or a firewall "
            "on it rejects port 22")]
        assert "kex_exchange_identification: Connection closed by remote host" in found[0]["evidence"]
        assert report["verdict"]["failures"] == causes(report, "vm2")
    finally:
        repair(lab)


def test_a_missing_azure_route_is_traffic_not_entering_the_tunnel(lab):
    lab_faults.sh(LAB, "azr", "ip", "route", "del", "10.2.0.0/16")
    try:
        rc, report, out = check(lab)
        assert rc != 0
        lines = causes(report, "private path vm1 -> vm3")
        assert len(lines) == 1
        assert ("traffic is not entering the tunnel (check the route to 10.2.0.0/16 on the Azure "
                "side" in lines[0])
        assert "a router answered: From 198.51.100.1: Destination Net Unreachable" in lines[0]
        back = causes(report, "private path vm3 -> vm1")
        assert len(back) == 1 and "no reply comes back through it (check the route to " \
            "10.2.0.0/16 on the Azure side" in back[0]
    finally:
        repair(lab)


def test_public_icmp_dropped_in_front_of_a_vm_is_a_public_path_cause(lab):
    rules = ("table ip %s {\n  chain forward_drop { type filter hook forward priority -5; "
             "iifname \"inet0\" ip daddr 10.2.1.10 icmp type echo-request drop; }\n}\n"
             % lab_faults.FAULT_TABLE)
    lab_faults.sh(LAB, "awsr", "nft", "-f", "-", input=rules)
    try:
        rc, report, out = check(lab, "-e", "connectivity_check_throughput=false")
        assert rc != 0
        lines = causes(report, "public path vm1 -> vm3")
        assert len(lines) == 1 and "vm3 answers on its private address, so its public address " \
            "or the rules in front of it drop the traffic" in lines[0], lines
        assert causes(report, "private path") == []
    finally:
        lab_faults.sh(LAB, "awsr", "nft", "delete", "table", "ip", lab_faults.FAULT_TABLE,
                      check=False)


def test_a_smaller_tunnel_mtu_is_found_by_bisection(lab):
    lab_faults.sh(LAB, "azgw", "ip", "link", "set", "ipsec0", "mtu", "1380")
    try:
        rc, report, out = check(lab, "-e", "connectivity_check_throughput=false")
        assert rc != 0
        found = {(c["src"], c["dst"]): c["largest"] for c in report["mtu_checks"]}
        assert found[("vm1", "vm3")] == 1380 and found[("vm2", "vm3")] == 1380
        lines = causes(report, "path MTU vm1 -> vm3")
        assert lines == ["path MTU vm1 -> vm3 (10.2.1.10): 1380 bytes, below the 1400 the tunnel "
                         "must carry: packets above 1380 bytes with Don't Fragment are dropped on "
                         "the way (the MTU of the tunnel or of a gateway is too small) (largest "
                         "DF packet that passed: 1380 bytes)"]
    finally:
        lab_faults.sh(LAB, "azgw", "ip", "link", "set", "ipsec0", "mtu", "1400")


def test_without_probes_nothing_connects_and_the_level_is_degraded(lab):
    # An SSH that cannot connect anywhere: the check must not need it.
    rc, report, out = check(lab, "-e", "connectivity_check_probes=false",
                            "-e", "connectivity_check_probes_reason='the clouds are emulators'",
                            "-e", "ansible_ssh_common_args='-o ProxyCommand=false'")
    assert rc == 0, out[-3000:]
    assert report["verdict"]["level"] == "degraded" and report["verdict"]["failures"] == []
    assert report["measurements"] == [] and report["throughput"] == []
    assert report["notes"] == ["nothing was measured: the VMs were not probed (the clouds are "
                               "emulators)"]
    assert [t["status"] for t in report["tunnels"]] == ["up", "up"]
    assert {vm["access"]["ssh"] for vm in report["vms"]} == {"not tried"}

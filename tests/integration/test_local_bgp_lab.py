# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The local lab with vpnlab_routing=bgp (issue 16), through the playbooks a user runs: the
build passes with four tunnels and routes learned, not typed; a re-run changes nothing; losing
one Azure gateway instance is DEGRADED, naming its tunnels, while the traffic takes the other
instance; a build repairs it; teardown, twice, leaves nothing (namespaces, charons, FRR).

A lab of its own (name `bgplab`, state in a temporary VPNLAB_HOME)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ansible_run import BIN, ROOT, ansible_env, changed_tasks  # noqa: E402  pylint: disable=wrong-import-position

from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.charon import Charon  # noqa: E402

LAB = "bgplab"
PREFIX = "vpnlab-%s." % LAB

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="the local lab needs root"),
    pytest.mark.skipif(not os.path.exists("/usr/lib/frr/bgpd"), reason="FRR is missing (bindep.txt, profile bgp)"),
]


def playbook(name, home, *extra):
    proc = subprocess.run([str(BIN / "ansible-playbook"), "playbooks/" + name,
                           "-e", json.dumps({"vpnlab_name": LAB, "vpnlab_routing": "bgp"}), *extra],
                          cwd=ROOT, env=ansible_env(VPNLAB_HOME=str(home)), capture_output=True, text=True,
                          check=False, timeout=900)
    return proc.returncode, proc.stdout + proc.stderr


def report(home):
    return json.loads((home / LAB / "report.json").read_text())


def ip(netns, *argv):
    return subprocess.run(["ip", "-n", PREFIX + netns, *argv], capture_output=True, text=True, check=True).stdout


def lab_netns():
    """The inodes of this lab's network namespaces (`net:[inode]` in /proc/PID/ns/net)."""
    return {"net:[%d]" % os.stat("/run/netns/" + name).st_ino
            for name in os.listdir("/run/netns") if name.startswith(PREFIX)}


def processes_in(netns):
    """The daemons (zebra, bgpd, charon) that run in one of these namespaces. A daemon left
    behind keeps its namespace alive after `ip netns delete`, so it is found by inode; other
    labs' daemons (tests running in parallel) are in other namespaces and do not count."""
    found = []
    for pid in os.listdir("/proc"):
        try:
            ns = os.readlink("/proc/%s/ns/net" % pid)
            cmdline = Path("/proc/%s/cmdline" % pid).read_bytes().split(b"\0")[0].decode()
        except OSError:
            continue
        if ns in netns and any(name in cmdline for name in ("zebra", "bgpd", "charon")):
            found.append((pid, cmdline))
    return found


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    home = tmp_path_factory.mktemp("bgphome")
    rc, build = playbook("site.yml", home)
    result = {"home": home, "build": (rc, build), "report": report(home) if rc == 0 else None,
              "psks": [t["PreSharedKey"] for c in json.loads((home / LAB / "vpn-connections.json").read_text())
                       for t in c["Options"]["TunnelOptions"]] if rc == 0 else []}
    try:
        yield result
    finally:
        netns = lab_netns()
        downs = [playbook("teardown.yml", home) for dummy in range(2)]
        result["downs"] = downs
        assert all(rc == 0 for rc, dummy in downs), downs[0][1][-2000:]
        assert not [n for n in os.listdir("/run/netns") if n.startswith(PREFIX)]
        # Teardown keeps the reports (and the marker that makes the directory the lab's).
        assert sorted(os.listdir(home / LAB)) == [".vpnlab-lab", "report.html", "report.json", "report.md"]
        assert netns and processes_in(netns) == []


def test_the_bgp_lab_passes_with_four_tunnels_and_learned_routes(lab):
    rc, output = lab["build"]
    assert rc == 0, output[-3000:]
    built = lab["report"]
    assert built["verdict"]["ok"] is True and built["verdict"]["level"] == "pass", built["verdict"]
    assert [(t["name"], t["status"]) for t in built["tunnels"]] == [
        ("vpn1-tunnel1", "up"), ("vpn1-tunnel2", "up"), ("vpn2-tunnel1", "up"), ("vpn2-tunnel2", "up")]
    # The sessions' keepalives are counted apart: nothing else went through the tunnels publicly.
    assert (built["counters"]["public_phase"]["bytes_in"], built["counters"]["public_phase"]["bytes_out"]) == (0, 0)
    assert built["counters"]["private_phase"]["bytes_in"] > 0
    # Routes learned, not typed: the VNet reaches the VPC through both instances, the VPC the
    # VNet through the VGW, and each route is BGP's.
    vnet = ip("azr", "route", "show", "10.2.0.0/16")
    assert "proto bgp" in vnet and "via 10.1.0.4" in vnet and "via 10.1.0.5" in vnet, vnet
    vpc = ip("awsr", "route", "show", "10.1.0.0/16")
    assert "proto bgp" in vpc and "via 10.2.255.254" in vpc, vpc
    assert "proto static" not in vnet + vpc
    # The report says what each side learned, and from whom.
    routing = {s["name"]: s for s in built["routing"]["speakers"]}
    assert sorted(routing) == ["aws", "azure0", "azure1", "vnet", "vpc"]
    assert all(not s["missing"] for s in routing.values())
    assert routing["vnet"]["learned"] == [{"prefix": "10.2.0.0/16", "next_hops": ["10.1.0.4", "10.1.0.5"]}]
    assert routing["vpc"]["learned"] == [{"prefix": "10.1.0.0/16", "next_hops": ["10.2.255.254"]}]
    page = (lab["home"] / LAB / "report.md").read_text()
    assert "## Routes learned (BGP)" in page and "| vnet | azure | 10.2.0.0/16 via 10.1.0.4, 10.1.0.5 | - |" in page
    # Secrets: the four generated keys never reach the output.
    assert len(lab["psks"]) == 4 and all(psk not in output for psk in lab["psks"])


def test_a_rerun_changes_nothing_and_passes(lab):
    rc, output = playbook("site.yml", lab["home"])
    assert rc == 0, output[-3000:]
    assert changed_tasks(output) == []
    assert report(lab["home"])["verdict"]["level"] == "pass"


def test_losing_an_instance_is_degraded_and_a_build_repairs_it(lab):
    home = lab["home"]
    Charon(str(home / LAB / "gateways" / "azure1"), PREFIX + "azgw1").stop()
    rc, output = playbook("check.yml", home)
    degraded = report(home)
    assert degraded["verdict"]["level"] == "degraded", degraded["verdict"]
    assert "vpn2-tunnel1" in degraded["verdict"]["headline"] and "vpn2-tunnel2" in degraded["verdict"]["headline"]
    # The lost instance has learned nothing any more, the VNet still has the route: degraded.
    lost = [f for f in degraded["verdict"]["findings"] if f["object"] == "BGP azure1"]
    assert [f["severity"] for f in lost] == ["degraded"], degraded["verdict"]["findings"]
    # Sessions BGP still shows established (before their hold timer runs out) over two tunnels
    # that are down: the tunnels are named as the cause.
    azure1 = [s for s in degraded["routing"]["speakers"] if s["name"] == "azure1"][0]
    if any(s["state"] == "Established" for s in azure1["sessions"] if s["description"].startswith("vpn2-")):
        assert "the tunnels that carry its sessions are down (vpn2-tunnel1, vpn2-tunnel2)" in lost[0]["cause"], lost
    else:
        assert "no BGP session is established" in lost[0]["cause"], lost
    # And the VNet router says it reaches the VPC through one instance only.
    vnet = [f for f in degraded["verdict"]["findings"] if f["object"] == "BGP vnet"]
    assert [(f["severity"], f["problem"]) for f in vnet] == [
        ("degraded", "reaches 10.2.0.0/16 through 10.1.0.4 only, not through 10.1.0.5")], degraded["verdict"]
    # Every private path still answers: the VNet routes through instance 0 only now.
    assert all(m["loss_pct"] == 0 for m in degraded["measurements"] if m["path"] == "private")
    assert "via 10.1.0.5" not in ip("azr", "route", "show", "10.2.0.0/16")
    rc, output = playbook("site.yml", home)
    assert rc == 0, output[-3000:]
    repaired = report(home)
    assert repaired["verdict"]["level"] == "pass", (repaired["verdict"]["headline"], repaired["verdict"]["findings"])
    # A pass is both instances again: the build waits for the VNet's route through each, and the
    # report says so (a route through one only would be degraded, above).
    vnet = [s for s in repaired["routing"]["speakers"] if s["name"] == "vnet"][0]
    assert vnet["learned"] == [{"prefix": "10.2.0.0/16", "next_hops": ["10.1.0.4", "10.1.0.5"]}], vnet
    assert "via 10.1.0.5" in ip("azr", "route", "show", "10.2.0.0/16")

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The BGP design (vpnlab_routing=bgp) rehearsed (tests/integration/rehearsal/driver.py, kind
bgp): the cloud target on the AWS and Azure test doubles with a data plane that speaks BGP as
the clouds do, FRR configured from the clouds' objects alone. make rehearse ends with PASS and
each side has learned the other's prefix; a wrong peer ASN set through Azure's API leaves that
session down and the next check names it; make rehearse repairs it; cutting the tunnel that
carries the traffic moves the traffic to another tunnel, the check says DEGRADED naming the cut
one, and the outage (longest silence of a 0.1 s ping) is measured; make rehearse-down, twice,
leaves nothing."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rehearsal import harness  # noqa: E402  pylint: disable=wrong-import-position

VNET, VPC = "10.1.0.0/16", "10.2.0.0/16"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return harness.drive(tmp_path_factory.mktemp("rehearsal-bgp"), "bgp")


def speakers(step):
    return {s["name"]: s for s in step["report"]["routing"]["speakers"]}


def learned(speaker):
    return [r["prefix"] for r in speaker["learned"]]


def test_the_build_passes_with_routes_learned_on_both_sides(run):
    build = run["steps"]["build"]
    assert build["rc"] == 0 and build["verdict"].startswith("PASS"), build["verdict"]
    report = build["report"]
    assert report["probes"]["run"] is True
    assert [t["name"] for t in report["tunnels"]] == ["vpn1-tunnel1", "vpn1-tunnel2", "vpn2-tunnel1", "vpn2-tunnel2"]
    assert [t["status"] for t in report["tunnels"]] == ["up"] * 4
    found = speakers(build)
    # AWS: the VGW propagated the VNet's prefix into the VPC's route table, four sessions up.
    assert learned(found["vpc"]) == [VNET]
    assert [s["state"] for s in found["vpc"]["sessions"]] == ["Established"] * 4
    # Azure: each instance learned the VPC's prefix over its own two sessions, the VNet from both.
    for name in ("azure0", "azure1", "vnet"):
        assert learned(found[name]) == [VPC], found[name]
    assert len(found["vnet"]["learned"][0]["next_hops"]) == 4
    assert all(m["loss_pct"] == 0 for m in report["measurements"] if m["path"] == "private")


def test_a_wrong_peer_asn_leaves_that_session_down_and_the_check_names_it(run):
    step = run["steps"]["check-after-bgp-peer-asn"]
    verdict = step["report"]["verdict"]
    assert verdict["level"] == "degraded", step["verdict"]
    down = [t["name"] for t in step["report"]["tunnels"] if t["status"] == "down"]
    assert down == ["vpn1-tunnel1"], step["report"]["tunnels"]
    text = " ".join(f["object"] + ": " + f["text"] for f in verdict["findings"])
    assert "vpn1-tunnel1" in text
    # The traffic still flows: the other sessions carry the routes.
    assert all(m["loss_pct"] == 0 for m in step["report"]["measurements"] if m["path"] == "private")


def test_make_rehearse_repairs_the_peer_asn(run):
    repair = run["steps"]["repair"]
    assert repair["rc"] == 0 and repair["verdict"].startswith("PASS"), repair["verdict"]
    # A re-run over the built BGP lab: the drifted local network gateway is the only change.
    assert repair["changed"] == ["multicloud.vpnlab.azure_tunnels : Create one local network gateway per AWS tunnel,"
                                 " with the AWS side's BGP address and ASN"], repair["changed"]


def test_cutting_the_carrying_tunnel_moves_the_traffic_and_degrades(run):
    failover = run["failover"]
    cut = run["steps"]["check-after-cut"]
    assert cut["report"]["verdict"]["level"] == "degraded", cut["verdict"]
    down = [t["name"] for t in cut["report"]["tunnels"] if t["status"] == "down"]
    assert down == [failover["tunnel"]]
    assert failover["tunnel"] in cut["verdict"]
    # The traffic took another tunnel: with the cut one down, every private path answers.
    assert all(m["loss_pct"] == 0 for m in cut["report"]["measurements"] if m["path"] == "private")
    # The outage was measured and ended: the ping's replies came back.
    outage = failover["outage"]
    assert outage["restored"] and outage["replies"] > 0 and outage["longest_silence_s"] is not None, outage
    print("BGP rehearsal: outage of a cut tunnel %.1f s (longest silence of a 0.1 s ping)"
          % outage["longest_silence_s"])


def test_all_four_tunnels_come_back_after_the_repair(run):
    last = [s for name, s in run["steps"].items() if name.startswith("check-after-repair")][-1]
    assert last["report"]["verdict"]["level"] == "pass", last["verdict"]
    assert [t["status"] for t in last["report"]["tunnels"]] == ["up"] * 4


def test_rehearse_down_twice_leaves_nothing(run):
    assert run["steps"]["down"]["rc"] == 0 and run["steps"]["down-again"]["rc"] == 0
    assert run["left"] == {"netns": [], "pids": []}


def test_nothing_left_the_machine_and_no_key_was_shown(run):
    assert run["host_after"] == run["host_before"]
    assert run["keys_checked"] == 4 and run["key_leaks"] == []

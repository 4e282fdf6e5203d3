# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Azure gateway's BGP evidence (getBgpPeerStatus, getLearnedRoutes) as the report's speakers:
one per instance and the VNet's router, each session and route placed by the AWS peer it comes
from, and the report's verdict on them."""

from __future__ import annotations

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.evidence import bgp_speakers
from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting.routing import (
    routing_findings, routing_record,
)

VPC = "10.2.0.0/16"
TUNNELS = [{"name": "vpn1-tunnel1", "peer_bgp_ip": "169.254.21.1", "vpn_connection": 0},
           {"name": "vpn1-tunnel2", "peer_bgp_ip": "169.254.22.1", "vpn_connection": 0},
           {"name": "vpn2-tunnel1", "peer_bgp_ip": "169.254.21.5", "vpn_connection": 1},
           {"name": "vpn2-tunnel2", "peer_bgp_ip": "169.254.22.5", "vpn_connection": 1}]


def peer(neighbor, state="Connected", received=1, local="10.1.0.4"):
    return {"neighbor": neighbor, "state": state, "routes_received": received, "local_address": local, "asn": 64512}


def route(source, origin="EBgp", network=VPC, local="10.1.0.4"):
    return {"network": network, "origin": origin, "source_peer": source, "next_hop": source, "local_address": local}


HEALTHY_PEERS = [peer(t["peer_bgp_ip"]) for t in TUNNELS] + [peer("10.1.0.5", local="10.1.0.4")]
HEALTHY_ROUTES = ([route(t["peer_bgp_ip"]) for t in TUNNELS] + [route("10.1.0.5", "IBgp")]
                  + [route("10.1.0.4", "Network", "10.1.0.0/16")])


def verdicts(peers, routes, instances=2):
    speakers = bgp_speakers(peers, routes, TUNNELS, instances, [VPC])
    report = {"routing": routing_record({"mode": "bgp", "speakers": speakers})}
    return speakers, sorted((f["severity"], f["object"]) for f in routing_findings(report))


def test_healthy_both_instances_learned_the_vpc():
    speakers, found = verdicts(HEALTHY_PEERS, HEALTHY_ROUTES)
    assert sorted(speakers) == ["azure0", "azure1", "vnet"]
    assert [s["description"] for s in speakers["azure0"]["sessions"]] == ["vpn1-tunnel1", "vpn1-tunnel2"]
    assert [s["description"] for s in speakers["azure1"]["sessions"]] == ["vpn2-tunnel1", "vpn2-tunnel2"]
    assert all(s["state"] == "Established" and s["prefixes_received"] == 1 for s in speakers["vnet"]["sessions"])
    assert speakers["azure1"]["routes"] == [{"prefix": VPC, "next_hops": ["169.254.21.5", "169.254.22.5"]}]
    # The VNet has the route from all four sessions and from the other instance; its own prefix
    # (origin Network) is not a learned route.
    assert speakers["vnet"]["routes"] == [{"prefix": VPC, "next_hops": [t["peer_bgp_ip"] for t in TUNNELS] + ["10.1.0.5"]}]
    assert found == []


CASES = [
    pytest.param([p for p in HEALTHY_PEERS if not p["neighbor"].endswith(".5")] +
                 [peer("169.254.21.5", "Connecting", 0), peer("169.254.22.5", "Idle", 0)],
                 [r for r in HEALTHY_ROUTES if not r["source_peer"].endswith(".5")],
                 [("degraded", "BGP azure1")], id="instance 1 lost: degraded"),
    pytest.param([peer(t["peer_bgp_ip"], "Connecting", 0) for t in TUNNELS], [],
                 [("degraded", "BGP azure0"), ("degraded", "BGP azure1"), ("failure", "BGP vnet")],
                 id="no session: the VNet has no route, failure"),
    pytest.param(HEALTHY_PEERS, [r for r in HEALTHY_ROUTES if r["origin"] != "EBgp"] + [route("10.1.0.5", "IBgp")],
                 [("degraded", "BGP azure0"), ("degraded", "BGP azure1")],
                 id="a route learned only over iBGP is the VNet's, not an instance's"),
]


@pytest.mark.parametrize("peers, routes, expected", CASES)
def test_losses(peers, routes, expected):
    assert verdicts(peers, routes)[1] == expected


def test_a_connected_session_with_a_stale_count_and_a_down_one_with_routes():
    speakers = verdicts([peer("169.254.21.1", "Connecting", 3)], [])[0]
    (session,) = speakers["azure0"]["sessions"]
    assert (session["state"], session["prefixes_received"]) == ("Connecting", 0)


def test_one_instance_takes_every_session():
    speakers, found = verdicts(HEALTHY_PEERS, HEALTHY_ROUTES, instances=1)
    assert sorted(speakers) == ["azure0", "vnet"]
    assert len(speakers["azure0"]["sessions"]) == 4 and found == []


def test_unknown_peers_and_routes_are_left_out():
    speakers = verdicts([peer("192.0.2.9")], [route("192.0.2.9")])[0]
    assert speakers["azure0"]["sessions"] == [] and speakers["azure0"]["routes"] == []
    assert speakers["vnet"]["routes"] == [{"prefix": VPC, "next_hops": ["192.0.2.9"]}]

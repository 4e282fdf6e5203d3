# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_local/frr.py: the BGP speakers' configuration from the plan, and FRR's answers read.

The answers are real FRR 8.4.4 output (Debian 12) of the data plane that
tests/integration/test_local_bgp_dataplane.py builds (fixtures/README.md)."""

from __future__ import annotations

import json
import pathlib

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils import bgp
from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws.spec import BGP_HOLD_SECONDS, BGP_KEEPALIVE_SECONDS
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local import frr

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures"
VNET, VPC = "10.1.0.0/16", "10.2.0.0/16"


def fixture(name):
    return json.loads((FIXTURES / name).read_text())


# --- the speakers from the plan ----------------------------------------------------------------

def test_tunnel_speakers_of_the_default_bgp_plan():
    speakers = frr.tunnel_speakers(bgp.routing_plan("bgp"), [VNET], [VPC])
    assert sorted(speakers) == ["aws", "azure0", "azure1"]
    aws = speakers["aws"]
    assert aws["asn"] == 64512 and aws["networks"] == [VPC] and aws["router_id"] == "169.254.21.1"
    assert [(n["address"], n["remote_asn"], n["source"], n["description"]) for n in aws["neighbors"]] == [
        ("169.254.21.2", 65515, "169.254.21.1", "vpn1-tunnel1"),
        ("169.254.22.2", 65515, "169.254.22.1", "vpn1-tunnel2"),
        ("169.254.21.6", 65515, "169.254.21.5", "vpn2-tunnel1"),
        ("169.254.22.6", 65515, "169.254.22.5", "vpn2-tunnel2")]
    # Each instance peers over its own VPN connection's two tunnels.
    assert [n["address"] for n in speakers["azure0"]["neighbors"]] == ["169.254.21.1", "169.254.22.1"]
    assert [n["address"] for n in speakers["azure1"]["neighbors"]] == ["169.254.21.5", "169.254.22.5"]
    assert speakers["azure1"]["addresses"] == ["169.254.21.6", "169.254.22.6"]
    assert speakers["azure1"]["router_id"] == "169.254.21.6"
    assert {s["asn"] for n, s in speakers.items() if n != "aws"} == {65515}


@pytest.mark.parametrize("inputs, instances, aws_peers", [
    # Another address plan and other ASNs: every value comes from the plan.
    ({"azure_asn": 65010, "aws_asn": 64600,
      "inside_cidrs": ["169.254.21.8/30", "169.254.21.12/30", "169.254.22.8/30", "169.254.22.12/30"]},
     {"azure0": ["169.254.21.9", "169.254.21.13"], "azure1": ["169.254.22.9", "169.254.22.13"]},
     ["169.254.21.10", "169.254.21.14", "169.254.22.10", "169.254.22.14"]),
    # One instance (not active-active): one VPN connection, two tunnels.
    ({"active_active": False}, {"azure0": ["169.254.21.1", "169.254.22.1"]}, ["169.254.21.2", "169.254.22.2"]),
])
def test_tunnel_speakers_of_other_plans(inputs, instances, aws_peers):
    routing = bgp.routing_plan("bgp", **inputs)
    speakers = frr.tunnel_speakers(routing, [VNET], [VPC])
    assert {name: [n["address"] for n in s["neighbors"]] for name, s in speakers.items() if name != "aws"} == instances
    assert [n["address"] for n in speakers["aws"]["neighbors"]] == aws_peers
    assert {n["remote_asn"] for n in speakers["aws"]["neighbors"]} == {routing["azure_asn"]}
    assert speakers["aws"]["asn"] == routing["aws_asn"]


def test_static_routing_has_no_speakers():
    with pytest.raises(frr.FrrConfigError, match="routing is 'static'"):
        frr.tunnel_speakers(bgp.routing_plan("static"), [VNET], [VPC])


# --- the configuration -------------------------------------------------------------------------

NEIGHBOR = {"address": "169.254.21.1", "remote_asn": 64512, "source": "169.254.21.2", "description": "vpn1-tunnel1"}


def test_speaker_conf_of_an_instance():
    vnet = {"address": "10.1.0.1", "remote_asn": 65515, "source": "10.1.0.4", "learned_only": True}
    text = frr.speaker_conf("azure0", 65515, "169.254.21.2", [NEIGHBOR, vnet], [VNET])
    lines = text.splitlines()
    assert lines[1:4] == ["frr defaults traditional", "hostname azure0",
                          "bgp as-path access-list vpnlab-learned-only seq 5 deny ^$"]
    assert "router bgp 65515" in lines and " bgp router-id 169.254.21.2" in lines
    # AWS's timers unless told otherwise.
    assert " neighbor 169.254.21.1 timers %d %d" % (BGP_KEEPALIVE_SECONDS, BGP_HOLD_SECONDS) in lines
    assert " neighbor 169.254.21.1 timers connect %d" % frr.CONNECT_RETRY_SECONDS in lines
    assert " neighbor 169.254.21.1 update-source 169.254.21.2" in lines
    assert " neighbor 169.254.21.1 disable-connected-check" in lines
    assert "  network 10.1.0.0/16" in lines
    # Internal BGP to the VNet: the instance is the next hop, and the VNet's prefix stays home.
    assert "  neighbor 10.1.0.1 next-hop-self" in lines
    assert "  neighbor 10.1.0.1 filter-list vpnlab-learned-only out" in lines
    assert "  neighbor 169.254.21.1 next-hop-self" not in lines
    assert "  neighbor 169.254.21.1 filter-list vpnlab-learned-only out" not in lines
    # The global AS-path list comes before the router block, as FRR reads it.
    assert lines.index("bgp as-path access-list vpnlab-learned-only seq 10 permit .*") < lines.index("router bgp 65515")


def test_speaker_conf_without_learned_only_neighbors_has_no_filter():
    text = frr.speaker_conf("aws", 64512, "169.254.21.1", [NEIGHBOR], [VPC], keepalive=1, hold=3)
    assert "access-list" not in text and "filter-list" not in text
    assert " neighbor 169.254.21.1 timers 1 3" in text.splitlines()


@pytest.mark.parametrize("change, message", [
    ({"name": "a b"}, "speaker name 'a b'"),
    ({"name": "x" * 64}, "63 at most"),
    ({"name": "azure0\nrouter bgp 1"}, "letters, digits and '-' only"),
    ({"asn": 0}, "the speaker's ASN 0 is not an ASN"),
    ({"asn": True}, "the speaker's ASN True is not an ASN"),
    ({"asn": "65515"}, "is not an ASN"),
    ({"router_id": "169.254.21"}, "router id '169.254.21' is not an IPv4 address"),
    ({"networks": ["10.1.0.1/16"]}, "announced network '10.1.0.1/16' is not an IPv4 network"),
    ({"networks": ["10.1.0.0/16\n neighbor 1.2.3.4 remote-as 1"]}, "is not an IPv4 network"),
    ({"neighbors": [dict(NEIGHBOR, address="fe80::1")]}, "neighbor 'fe80::1' is not an IPv4 address"),
    ({"neighbors": [NEIGHBOR, NEIGHBOR]}, "neighbor 169.254.21.1 is given twice"),
    ({"neighbors": [dict(NEIGHBOR, remote_asn=4294967296)]}, "neighbor 169.254.21.1's ASN 4294967296"),
    ({"neighbors": [dict(NEIGHBOR, source=None)]}, "source None is not an IPv4 address"),
    ({"neighbors": [dict(NEIGHBOR, description="a b")]}, "description 'a b'"),
])
def test_speaker_conf_refuses_what_would_not_be_the_labs_own_words(change, message):
    args = {"name": "azure0", "asn": 65515, "router_id": "169.254.21.2", "neighbors": [NEIGHBOR], "networks": [VNET]}
    args.update(change)
    with pytest.raises(frr.FrrConfigError, match=message.replace("(", r"\(").replace(")", r"\)").replace("*", r"\*")):
        frr.speaker_conf(**args)


# --- FRR's answers -------------------------------------------------------------------------------

@pytest.mark.parametrize("name, expected", [
    ("frr_summary_aws.json", [
        ("169.254.21.2", "Established", 65515, "vpn1-tunnel1", 1),
        ("169.254.21.6", "Established", 65515, "vpn2-tunnel1", 1),
        ("169.254.22.2", "Established", 65515, "vpn1-tunnel2", 1),
        ("169.254.22.6", "Established", 65515, "vpn2-tunnel2", 1)]),
    # Instance 0 lost: its two sessions try again (Connect), nothing received from them.
    ("frr_summary_aws_instance0_lost.json", [
        ("169.254.21.2", "Connect", 65515, "vpn1-tunnel1", 0),
        ("169.254.21.6", "Established", 65515, "vpn2-tunnel1", 1),
        ("169.254.22.2", "Connect", 65515, "vpn1-tunnel2", 0),
        ("169.254.22.6", "Established", 65515, "vpn2-tunnel2", 1)]),
    # The lost instance itself: its VNet session stays, the tunnels' are down (Active).
    ("frr_summary_azure0_instance0_lost.json", [
        ("10.1.0.1", "Established", 65515, "vnet", 0),
        ("169.254.21.1", "Active", 64512, "vpn1-tunnel1", 0),
        ("169.254.22.1", "Active", 64512, "vpn1-tunnel2", 0)]),
])
def test_sessions(name, expected):
    found = frr.sessions(fixture(name))
    assert [(s["address"], s["state"], s["remote_asn"], s["description"], s["prefixes_received"]) for s in found] == expected
    assert all((s["up_seconds"] > 0) == (s["state"] == frr.ESTABLISHED) for s in found)


@pytest.mark.parametrize("answer", [{}, None, {"ipv4Unicast": {}}, {"ipv4Unicast": {"peers": {}}}])
def test_sessions_of_a_speaker_without_peers(answer):
    assert frr.sessions(answer) == []


@pytest.mark.parametrize("name, expected", [
    # The VGW: one route, four next hops (the instances' inside addresses), all through ipsec0.
    ("frr_routes_aws.json", [{"prefix": VNET, "installed": True, "interfaces": ["ipsec0"],
                              "next_hops": ["169.254.21.2", "169.254.21.6", "169.254.22.2", "169.254.22.6"]}]),
    # The VNet: the VPC's prefix from both instances (their GatewaySubnet addresses).
    ("frr_routes_azr.json", [{"prefix": VPC, "installed": True, "interfaces": ["gws"],
                              "next_hops": ["10.1.0.4", "10.1.0.5"]}]),
    ("frr_routes_azr_instance0_lost.json", [{"prefix": VPC, "installed": True, "interfaces": ["gws"],
                                             "next_hops": ["10.1.0.5"]}]),
])
def test_learned_routes(name, expected):
    assert frr.learned_routes(fixture(name)) == expected


def test_learned_routes_skip_what_is_not_a_selected_bgp_route():
    answer = fixture("frr_routes_azr.json")
    entry = answer[VPC][0]
    assert frr.learned(frr.learned_routes(answer), VPC)
    for change in ({"selected": False}, {"protocol": "static"}):
        assert frr.learned_routes({VPC: [dict(entry, **change)]}) == []
    not_installed = frr.learned_routes({VPC: [dict(entry, installed=False)]})
    assert not_installed[0]["installed"] is False and not frr.learned(not_installed, VPC)
    assert not frr.learned(frr.learned_routes(answer), VNET)
    assert frr.learned_routes(None) == [] and frr.learned_routes({}) == []

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The local target's BGP design in the plan (vpnlab_routing=bgp): the second instance, the
four tunnels, the speakers and what the static topology gains and loses; for the default lab,
for another address plan and for one instance."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils._local import frr
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.bgp_topology import (
    COUNTERS_TABLE, control_bytes, counters_table,
)
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.plan import LocalTarget
from ansible_collections.multicloud.vpnlab.plugins.module_utils.plan import PlanError, build_plan

TODAY = datetime.date(2026, 12, 3)
OTHER = dict(
    name="lab-2", azure_vnet_cidr="10.11.0.0/16", azure_subnet_cidr="10.11.2.0/24",
    azure_gateway_subnet_cidr="10.11.255.224/27", aws_vpc_cidr="10.12.0.0/16", aws_subnet_cidr="10.12.8.0/24",
    vms=[{"name": "web", "cloud": "azure", "private_ip": "10.11.2.50"},
         {"name": "db", "cloud": "aws", "private_ip": "10.12.8.60"}],
    local_azure_public_cidr="198.18.1.0/24", local_aws_public_cidr="198.18.2.0/24",
    azure_bgp_asn=65010, aws_vpn_gateway_asn=64600,
    bgp_inside_cidrs=["169.254.21.8/30", "169.254.21.12/30", "169.254.22.8/30", "169.254.22.12/30"])


def build(**params):
    return build_plan(params, {"local": LocalTarget([])}, today=TODAY, state_root="/st")


def spec(local, part, name):
    return next(s for s in local["network"][part] if s["name"] == name)


def link(spec_, ifname):
    return next(link_ for link_ in spec_["links"] if link_["ifname"] == ifname)


def test_static_labs_have_no_bgp_section_and_keep_their_typed_routes():
    local = build()["local"]
    assert local["bgp"] is None and "azgw1" not in local["netns"]
    assert spec(local, "azure_routes", local["netns"]["azr"])["routes"] == [{"dst": "10.2.0.0/16", "gateway": "10.1.0.4"}]
    assert {"dst": "10.1.0.0/16", "gateway": "10.2.255.254"} in spec(local, "aws_vpc", local["netns"]["awsr"])["routes"]
    assert local["public_ips"]["tunnels"] == ["203.0.113.10", "203.0.113.11"]


@pytest.mark.parametrize("params, expected", [
    ({"routing": "bgp"}, {
        "instances": [("198.51.100.10", "10.1.0.4", "vpnlab-vpntest.azgw", "/st/vpntest/gateways/azure"),
                      ("198.51.100.9", "10.1.0.5", "vpnlab-vpntest.azgw1", "/st/vpntest/gateways/azure1")],
        "tunnels": [("vpn1-tunnel1", "203.0.113.10", "198.51.100.10", "169.254.21.2/32", "169.254.21.1/32"),
                    ("vpn1-tunnel2", "203.0.113.11", "198.51.100.10", "169.254.22.2/32", "169.254.22.1/32"),
                    ("vpn2-tunnel1", "203.0.113.8", "198.51.100.9", "169.254.21.6/32", "169.254.21.5/32"),
                    ("vpn2-tunnel2", "203.0.113.9", "198.51.100.9", "169.254.22.6/32", "169.254.22.5/32")],
        "asns": {"azure0": 65515, "azure1": 65515, "aws": 64512, "vnet": 65515, "vpc": 64512},
        "vnet": "10.1.0.0/16", "vpc": "10.2.0.0/16", "gateway_leg": "10.1.0.1", "vpc_router": "10.2.255.253",
        "vgw_transit": "10.2.255.254"}),
    (dict(OTHER, routing="bgp"), {
        "instances": [("198.18.1.10", "10.11.255.228", "vpnlab-lab-2.azgw", "/st/lab-2/gateways/azure"),
                      ("198.18.1.9", "10.11.255.229", "vpnlab-lab-2.azgw1", "/st/lab-2/gateways/azure1")],
        "tunnels": [("vpn1-tunnel1", "198.18.2.10", "198.18.1.10", "169.254.21.10/32", "169.254.21.9/32"),
                    ("vpn1-tunnel2", "198.18.2.11", "198.18.1.10", "169.254.21.14/32", "169.254.21.13/32"),
                    ("vpn2-tunnel1", "198.18.2.8", "198.18.1.9", "169.254.22.10/32", "169.254.22.9/32"),
                    ("vpn2-tunnel2", "198.18.2.9", "198.18.1.9", "169.254.22.14/32", "169.254.22.13/32")],
        "asns": {"azure0": 65010, "azure1": 65010, "aws": 64600, "vnet": 65010, "vpc": 64600},
        "vnet": "10.11.0.0/16", "vpc": "10.12.0.0/16", "gateway_leg": "10.11.255.225",
        "vpc_router": "10.12.255.253", "vgw_transit": "10.12.255.254"}),
])
def test_the_bgp_design_from_the_plan(params, expected):
    plan = build(**params)
    local, bgp = plan["local"], plan["local"]["bgp"]
    assert [(i["public_ip"], i["private_ip"], i["netns"], i["directory"]) for i in bgp["instances"]] == expected["instances"]
    assert [(t["name"], t["outside_ip_address"], t["cgw_outside_address"], t["selectors"]["azure"]["local"][0],
             t["selectors"]["azure"]["remote"][0]) for t in bgp["tunnels"]] == expected["tunnels"]
    for t in bgp["tunnels"]:
        # Each side's selectors mirror the other's; the clouds' prefixes come second.
        assert t["selectors"]["aws"] == {"local": t["selectors"]["azure"]["remote"], "remote": t["selectors"]["azure"]["local"]}
        assert t["selectors"]["azure"]["local"][1] == expected["vnet"] and t["selectors"]["azure"]["remote"][1] == expected["vpc"]
    speakers = bgp["speakers"]
    assert {name: s["asn"] for name, s in speakers.items()} == expected["asns"]
    assert {name: s["directory"] for name, s in speakers.items()} == {
        name: "/st/%s/bgp/%s" % (plan["lab"], name) for name in expected["asns"]}
    # Routes learned, not typed: the VNet learns from both instances, the VPC from the VGW.
    assert [(n["address"], n["remote_asn"]) for n in speakers["vnet"]["neighbors"]] == [
        (i[1], expected["asns"]["vnet"]) for i in expected["instances"]]
    assert [(n["address"], n["source"]) for n in speakers["vpc"]["neighbors"]] == [
        (expected["vgw_transit"], expected["vpc_router"])]
    for name in ("azure0", "azure1", "aws"):
        internal = [n for n in speakers[name]["neighbors"] if n["remote_asn"] == speakers[name]["asn"]]
        assert len(internal) == 1 and internal[0]["learned_only"] is True
    assert speakers["vnet"]["networks"] == [] and speakers["vpc"]["networks"] == []
    assert speakers["azure0"]["networks"] == [expected["vnet"]] and speakers["aws"]["networks"] == [expected["vpc"]]
    # A session's peer through the tunnel device, from the session's own address.
    assert speakers["azure1"]["peer_routes"] == [
        {"dst": t[4], "dev": "ipsec0", "src": t[3].split("/")[0]} for t in expected["tunnels"][2:]]
    assert len(speakers["aws"]["peer_routes"]) == 4
    # Every speaker's configuration is one frr.conf can be written from.
    for name, s in speakers.items():
        assert "router bgp %d" % s["asn"] in frr.speaker_conf(name, s["asn"], s["router_id"], s["neighbors"], s["networks"])

    # The static topology, turned: GatewaySubnet a bridge with both instances, the second
    # instance's namespace, the VGW's four addresses, the inside addresses on the loopbacks.
    ns = local["netns"]
    azr = spec(local, "azure_vnet", ns["azr"])
    assert link(azr, "gws") == {"ifname": "gws", "kind": "bridge", "addresses": [expected["gateway_leg"] + "/27"]}
    azgw = spec(local, "azure_vnet", ns["azgw"])
    assert link(azgw, "vnet0")["peer"] == {"netns": ns["azr"], "ifname": "gw0", "master": "gws"}
    azgw1 = spec(local, "azure_vnet", ns["azgw1"])
    assert link(azgw1, "vnet0")["peer"] == {"netns": ns["azr"], "ifname": "gw1", "master": "gws"}
    assert link(azgw1, "inet0")["addresses"] == [expected["instances"][1][0] + "/24"]
    assert link(azgw1, "lo")["addresses"] == [t[3] for t in expected["tunnels"][2:]]
    assert link(azgw, "lo")["addresses"] == [t[3] for t in expected["tunnels"][:2]]
    # The parts build in order: the VNet router (and its bridge) before the instances' legs.
    names = [s["name"] for s in local["network"]["azure_vnet"]]
    assert names.index(ns["azr"]) < names.index(ns["azgw"]) < names.index(ns["azgw1"])
    vgw = spec(local, "aws_vpc", ns["vgw"])
    assert link(vgw, "inet0")["addresses"] == [t[1] + "/24" for t in expected["tunnels"]]
    assert sorted(link(vgw, "lo")["addresses"]) == sorted(t[4] for t in expected["tunnels"])
    assert not any(r["dst"] == expected["vnet"] for r in spec(local, "aws_vpc", ns["awsr"])["routes"])
    assert local["network"]["azure_routes"] == []
    # Every public address the design uses is guarded, and none is a VM's.
    publics = [i[0] for i in expected["instances"]] + [t[1] for t in expected["tunnels"]]
    assert {"%s/32" % a for a in publics} <= set(local["guard_routes"])
    assert not set(publics) & set(local["public_ips"]["vms"].values())


def test_one_instance_without_active_active():
    local = build(routing="bgp", azure_active_active=False)["local"]
    bgp = local["bgp"]
    assert [i["netns"] for i in bgp["instances"]] == ["vpnlab-vpntest.azgw"]
    assert [t["outside_ip_address"] for t in bgp["tunnels"]] == ["203.0.113.10", "203.0.113.11"]
    assert sorted(bgp["speakers"]) == ["aws", "azure0", "vnet", "vpc"]
    assert [n["address"] for n in bgp["speakers"]["vnet"]["neighbors"]] == ["10.1.0.4"]
    assert not any(s["name"].endswith(".azgw1") for s in local["network"]["azure_vnet"])


@pytest.mark.parametrize("name", ["azgw1", "gws", "gw1"])
def test_a_vm_may_not_take_a_name_of_the_bgp_design(name):
    vms = [{"name": name, "cloud": "azure", "private_ip": "10.1.1.10"},
           {"name": "vm3", "cloud": "aws", "private_ip": "10.2.1.10"}]
    with pytest.raises(PlanError) as caught:
        build(vms=vms)
    assert "is reserved for the local lab's own infrastructure" in str(caught.value)


@pytest.mark.parametrize("params, extra", [
    ({}, []),
    ({"routing": "bgp"}, [("/st/vpntest/gateways/azure1/charon.pid", "charon")] + [
        ("/st/vpntest/bgp/%s/%s.pid" % (speaker, daemon), daemon)
        for speaker in ("azure0", "azure1", "aws", "vnet", "vpc") for daemon in ("zebra", "bgpd")]),
    ({"routing": "bgp", "azure_active_active": False}, [
        ("/st/vpntest/bgp/%s/%s.pid" % (speaker, daemon), daemon)
        for speaker in ("azure0", "aws", "vnet", "vpc") for daemon in ("zebra", "bgpd")]),
])
def test_the_daemons_teardown_looks_for(params, extra):
    """Every daemon of the design has its pid file in plan.local.daemons (teardown's list)."""
    daemons = [(d["path"], d["program"]) for d in build(**params)["local"]["daemons"]]
    static = [("/st/vpntest/gateways/azure/charon.pid", "charon"), ("/st/vpntest/gateways/aws/charon.pid", "charon")]
    vms = [("/st/vpntest/vms/%s/sshd.pid" % vm, "sshd") for vm in ("vm1", "vm2", "vm3")]
    assert sorted(daemons) == sorted(static + vms + extra)
    assert len(daemons) == len(set(daemons))


def test_each_speaker_expects_the_other_clouds_prefix_and_the_evidence_knows_the_gateways():
    local = build(routing="bgp")["local"]
    assert {n: s["expects"] for n, s in local["bgp"]["speakers"].items()} == {
        "azure0": ["10.2.0.0/16"], "azure1": ["10.2.0.0/16"], "vnet": ["10.2.0.0/16"],
        "aws": ["10.1.0.0/16"], "vpc": ["10.1.0.0/16"]}
    # Active-active: the VNet router reaches the VPC through both instances, or one is lost.
    assert {n: s.get("expects_via") for n, s in local["bgp"]["speakers"].items()} == {
        "azure0": None, "azure1": None, "vnet": ["10.1.0.4", "10.1.0.5"], "aws": None, "vpc": None}
    assert build(routing="bgp", azure_active_active=False)["local"]["bgp"]["speakers"]["vnet"]["expects_via"] == [
        "10.1.0.4"]
    assert local["azure_gateways"] == [
        {"instance": 0, "netns": "vpnlab-vpntest.azgw", "directory": "/st/vpntest/gateways/azure",
         "expected": {"vpn1-tunnel1": "203.0.113.10", "vpn1-tunnel2": "203.0.113.11"},
         "counters": {"vpn1-tunnel1": {"in": "vpn1-tunnel1_in", "out": "vpn1-tunnel1_out"},
                      "vpn1-tunnel2": {"in": "vpn1-tunnel2_in", "out": "vpn1-tunnel2_out"}}},
        {"instance": 1, "netns": "vpnlab-vpntest.azgw1", "directory": "/st/vpntest/gateways/azure1",
         "expected": {"vpn2-tunnel1": "203.0.113.8", "vpn2-tunnel2": "203.0.113.9"},
         "counters": {"vpn2-tunnel1": {"in": "vpn2-tunnel1_in", "out": "vpn2-tunnel1_out"},
                      "vpn2-tunnel2": {"in": "vpn2-tunnel2_in", "out": "vpn2-tunnel2_out"}}}]
    assert local["install_routes"] is False and local["vpn_connection_file"] == "/st/vpntest/vpn-connections.json"
    static = build()["local"]
    assert static["azure_gateways"] == [
        {"instance": 0, "netns": "vpnlab-vpntest.azgw", "directory": "/st/vpntest/gateways/azure",
         "expected": {"tunnel1": "203.0.113.10", "tunnel2": "203.0.113.11"}}]
    assert static["install_routes"] is True and static["vpn_connection_file"] == "/st/vpntest/vpn-connection.json"


def test_each_instance_counts_its_sessions_traffic_through_the_tunnel_device():
    local = build(routing="bgp")["local"]
    azgw1 = spec(local, "azure_vnet", local["netns"]["azgw1"])
    table = azgw1["nftables"][COUNTERS_TABLE]
    assert "counter vpn2-tunnel1_in {\n}" in table and "counter vpn2-tunnel2_out {\n}" in table
    assert ('iifname "ipsec0" ip saddr 169.254.21.5 ip daddr 169.254.21.6 counter name "vpn2-tunnel1_in"'
            in table)
    assert ('oifname "ipsec0" ip saddr 169.254.22.6 ip daddr 169.254.22.5 counter name "vpn2-tunnel2_out"'
            in table)
    assert "vpn1-" not in table
    assert "vpn1-tunnel1_out" in spec(local, "azure_vnet", local["netns"]["azgw"])["nftables"][COUNTERS_TABLE]
    assert COUNTERS_TABLE not in spec(build()["local"], "azure_vnet", "vpnlab-vpntest.azgw")["nftables"]
    assert counters_table([]) .count("chain") == 2


NAMES = {"vpn1-tunnel1": {"in": "vpn1-tunnel1_in", "out": "vpn1-tunnel1_out"},
         "vpn1-tunnel2": {"in": "vpn1-tunnel2_in", "out": "vpn1-tunnel2_out"}}


def counter(name, value):
    return {"counter": {"family": "ip", "name": name, "table": COUNTERS_TABLE, "handle": 3, "packets": 2,
                        "bytes": value}}


@pytest.mark.parametrize("listing, expected", [
    # nft 1.0.6's answer (its metainfo first).
    ({"nftables": [{"metainfo": {"version": "1.0.6"}}, counter("vpn1-tunnel1_in", 407),
                   counter("vpn1-tunnel1_out", 615), counter("vpn1-tunnel2_in", 0), counter("vpn1-tunnel2_out", 71)]},
     {"vpn1-tunnel1": {"control_bytes_in": 407, "control_bytes_out": 615},
      "vpn1-tunnel2": {"control_bytes_in": 0, "control_bytes_out": 71}}),
    # A tunnel with half its counters, a counter of another name, no answer at all.
    ({"nftables": [counter("vpn1-tunnel1_in", 407), counter("other", 5)]}, {}),
    ({"nftables": [counter("vpn1-tunnel1_in", "x"), counter("vpn1-tunnel1_out", 1)]}, {}),
    ({}, {}), (None, {}),
])
def test_control_bytes_from_the_counters(listing, expected):
    assert control_bytes(listing, NAMES) == expected

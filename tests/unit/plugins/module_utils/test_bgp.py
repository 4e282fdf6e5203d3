# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The BGP design's plan: Microsoft's four tunnels by default, another address plan, and one
message per conflict (ASN clash, reserved ASNs, APIPA outside Azure's range, AWS's reserved /30s)."""

from __future__ import annotations

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils.bgp import (
    DEFAULT_INSIDE_CIDRS, BgpPlanError, aws_side_asn_problem, azure_gateway_asn_problem, bgp_plan,
    inside_cidr_problem, routing_plan,
)


def test_the_default_is_microsofts_four_tunnels():
    plan = bgp_plan()
    assert (plan["azure_asn"], plan["aws_asn"], plan["customer_gateway_asn"]) == (65515, 64512, 65515)
    assert [(t["name"], t["inside_cidr"], t["aws_bgp_ip"], t["azure_bgp_ip"], t["azure_custom_bgp_ips"])
            for t in plan["tunnels"]] == [
        ("vpn1-tunnel1", "169.254.21.0/30", "169.254.21.1", "169.254.21.2", ["169.254.21.2", "169.254.21.6"]),
        ("vpn1-tunnel2", "169.254.22.0/30", "169.254.22.1", "169.254.22.2", ["169.254.22.2", "169.254.22.6"]),
        ("vpn2-tunnel1", "169.254.21.4/30", "169.254.21.5", "169.254.21.6", ["169.254.21.2", "169.254.21.6"]),
        ("vpn2-tunnel2", "169.254.22.4/30", "169.254.22.5", "169.254.22.6", ["169.254.22.2", "169.254.22.6"]),
    ]
    assert plan["instances"] == [{"instance": 0, "custom_bgp_ips": ["169.254.21.2", "169.254.22.2"]},
                                 {"instance": 1, "custom_bgp_ips": ["169.254.21.6", "169.254.22.6"]}]
    # Each VPN connection belongs to one instance's public address (its customer gateway).
    assert [(t["connection"], t["instance"]) for t in plan["tunnels"]] == [(0, 0), (0, 0), (1, 1), (1, 1)]


def test_another_address_plan_and_asns():
    cidrs = ["169.254.21.8/30", "169.254.21.12/30", "169.254.22.248/30", "169.254.22.252/30"]
    plan = bgp_plan(azure_asn=65010, aws_asn=4200000001, inside_cidrs=cidrs)
    assert plan["customer_gateway_asn"] == 65010
    assert [t["azure_bgp_ip"] for t in plan["tunnels"]] == [
        "169.254.21.10", "169.254.21.14", "169.254.22.250", "169.254.22.254"]
    assert plan["tunnels"][0]["azure_custom_bgp_ips"] == ["169.254.21.10", "169.254.22.250"]


def test_one_instance_has_one_connection_of_two_tunnels():
    plan = bgp_plan(active_active=False)
    assert [t["inside_cidr"] for t in plan["tunnels"]] == ["169.254.21.0/30", "169.254.22.0/30"]
    assert plan["instances"] == [{"instance": 0, "custom_bgp_ips": ["169.254.21.2", "169.254.22.2"]}]
    assert [t["azure_custom_bgp_ips"] for t in plan["tunnels"]] == [["169.254.21.2"], ["169.254.22.2"]]


@pytest.mark.parametrize("kwargs, problems", [
    # ASN clash: BGP between the clouds is external.
    ({"azure_asn": 64512, "aws_asn": 64512},
     [("vpnlab_aws_vpn_gateway_asn", "is the Azure gateway's ASN too")]),
    ({"aws_asn": 65515}, [("vpnlab_aws_vpn_gateway_asn", "is the Azure gateway's ASN too")]),
    ({"azure_asn": 65010, "aws_asn": 65515},
     [("vpnlab_aws_vpn_gateway_asn", "65515 is reserved by Azure, which refuses it for a peer")]),
    ({"aws_asn": 65520}, [("vpnlab_aws_vpn_gateway_asn", "65520 is reserved by Azure")]),
    ({"aws_asn": 7224}, [("vpnlab_aws_vpn_gateway_asn", "7224 is Amazon's public ASN")]),
    ({"azure_asn": 12076}, [("vpnlab_azure_bgp_asn", "12076 is reserved by Azure")]),
    ({"azure_asn": 23456}, [("vpnlab_azure_bgp_asn", "23456 is reserved by IANA")]),
    ({"azure_asn": 0}, [("vpnlab_azure_bgp_asn", "must be a whole number from 1 to 4294967295")]),
    ({"customer_gateway_asn": 65034},
     [("vpnlab_aws_customer_gateway_asn", "their ASN is its ASN (65515), not 65034; leave it unset")]),
    # APIPA outside Azure's range, AWS's reserved /30s, not a /30, host bits, overlap.
    ({"inside_cidrs": ["169.254.20.0/30", "169.254.22.0/30", "169.254.21.4/30", "169.254.22.4/30"]},
     [("vpnlab_bgp_inside_cidrs[0]", "169.254.20.0/30 is outside 169.254.21.0-169.254.22.255")]),
    ({"inside_cidrs": ["169.254.5.0/30", "169.254.22.0/30", "169.254.21.4/30", "169.254.22.4/30"]},
     [("vpnlab_bgp_inside_cidrs[0]", "169.254.5.0/30 is reserved by AWS")]),
    ({"inside_cidrs": ["169.254.21.0/29", "169.254.22.0/30", "169.254.21.4/30", "169.254.22.4/30"]},
     [("vpnlab_bgp_inside_cidrs[0]", "must be a /30")]),
    ({"inside_cidrs": ["169.254.21.1/30", "169.254.22.0/30", "169.254.21.4/30", "169.254.22.4/30"]},
     [("vpnlab_bgp_inside_cidrs[0]", "no host bits")]),
    ({"inside_cidrs": ["10.0.0.0/30", "169.254.22.0/30", "169.254.21.4/30", "169.254.22.4/30"]},
     [("vpnlab_bgp_inside_cidrs[0]", "must be within 169.254.0.0/16")]),
    ({"inside_cidrs": ["169.254.21.0/30", "169.254.21.0/30", "169.254.21.4/30", "169.254.22.4/30"]},
     [("vpnlab_bgp_inside_cidrs", "169.254.21.0/30 is given twice")]),
    ({"inside_cidrs": ["169.254.21.0/30", "169.254.22.0/30"]},
     [("vpnlab_bgp_inside_cidrs", "needs 4 /30s, one per tunnel (two VPN connections of two tunnels), got 2")]),
    # Every problem at once.
    ({"azure_asn": 65520, "aws_asn": 1, "inside_cidrs": ["x", "169.254.22.0/30", "169.254.21.4/30", "169.254.22.4/30"]},
     [("vpnlab_azure_bgp_asn", "65520 is reserved by Azure"),
      ("vpnlab_aws_vpn_gateway_asn", "must be a private ASN"),
      ("vpnlab_bgp_inside_cidrs[0]", "x must be a /30 network")]),
])
def test_each_conflict_is_refused_with_its_message(kwargs, problems):
    with pytest.raises(BgpPlanError) as caught:
        bgp_plan(**kwargs)
    found = caught.value.problems
    assert [p["input"] for p in found] == [name for name, dummy in problems], found
    for problem, (name, words) in zip(found, problems):
        assert words in problem["message"], problem


@pytest.mark.parametrize("number, ok", [
    (65515, True), (65010, True), (64512, True), (4200000000, True), (1, True),
    (8074, False), (8075, False), (12076, False), (65517, False), (65519, False),
    (64496, False), (64511, False), (65535, False), (65551, False), (4294967295, False),
    (True, False), ("65010", False),
])
def test_azure_gateway_asns(number, ok):
    assert (azure_gateway_asn_problem(number) is None) is ok


@pytest.mark.parametrize("number, azure, ok", [
    (64512, 65515, True), (65534, 65515, True), (4200000000, 65515, True),
    (65515, 65515, False), (65010, 65010, False), (65517, 65515, False), (65000, 65515, True),
    (64511, 65515, False), (4294967295, 65515, False),
])
def test_aws_side_asns(number, azure, ok):
    assert (aws_side_asn_problem(number, azure) is None) is ok


@pytest.mark.parametrize("cidr, ok", [
    ("169.254.21.0/30", True), ("169.254.22.252/30", True), ("169.254.21.128/30", True),
    ("169.254.20.252/30", False), ("169.254.23.0/30", False), ("169.254.169.252/30", False),
    ("169.254.0.0/30", False), ("169.254.21.0/31", False), ("fe80::/126", False), (None, False),
])
def test_inside_cidrs(cidr, ok):
    assert (inside_cidr_problem(cidr) is None) is ok


@pytest.mark.parametrize("kwargs, expected", [
    ({"routing": "static"}, {"mode": "static", "customer_gateway_asn": 65034}),
    ({"routing": "static", "customer_gateway_asn": 65100}, {"mode": "static", "customer_gateway_asn": 65100}),
    ({"routing": "static", "active_active": False}, {"mode": "static", "customer_gateway_asn": 65034}),
])
def test_static_routing_keeps_the_original_design(kwargs, expected):
    assert routing_plan(**kwargs) == expected


def test_bgp_routing_is_the_four_tunnel_design_by_default():
    section = routing_plan("bgp")
    assert section["mode"] == "bgp" and section["active_active"] is True
    assert section["customer_gateway_asn"] == section["azure_asn"] == 65515
    assert [t["inside_cidr"] for t in section["tunnels"]] == list(DEFAULT_INSIDE_CIDRS)
    one = routing_plan("bgp", active_active=False, azure_asn=65010, aws_asn=64600)
    assert len(one["tunnels"]) == 2 and one["customer_gateway_asn"] == 65010


@pytest.mark.parametrize("kwargs, inputs", [
    ({"routing": "ospf"}, ["vpnlab_routing"]),
    ({"routing": None}, ["vpnlab_routing"]),
    ({"routing": "static", "active_active": True}, ["vpnlab_azure_active_active"]),
    ({"routing": "static", "active_active": True, "inside_cidrs": list(DEFAULT_INSIDE_CIDRS)},
     ["vpnlab_azure_active_active", "vpnlab_bgp_inside_cidrs"]),
    # With bgp every conflict of bgp_plan is named, all at once.
    ({"routing": "bgp", "azure_asn": 65515, "aws_asn": 65515, "customer_gateway_asn": 65034},
     ["vpnlab_aws_vpn_gateway_asn", "vpnlab_aws_customer_gateway_asn"]),
    ({"routing": "bgp", "inside_cidrs": ["169.254.21.0/30", "169.254.22.0/30", "169.254.30.0/30",
                                         "169.254.1.0/30"]},
     ["vpnlab_bgp_inside_cidrs[2]", "vpnlab_bgp_inside_cidrs[3]"]),
])
def test_routing_conflicts_are_each_named(kwargs, inputs):
    with pytest.raises(BgpPlanError) as caught:
        routing_plan(**kwargs)
    assert [p["input"] for p in caught.value.problems] == inputs

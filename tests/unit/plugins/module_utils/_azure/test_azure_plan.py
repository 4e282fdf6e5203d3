# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Azure part of the cloud target's plan, and resource ids."""

from __future__ import annotations

import datetime

from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws.plan import AwsPart
from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.ids import parse, resource_id, same
from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.plan import AzurePart
from ansible_collections.multicloud.vpnlab.plugins.module_utils.plan import build_plan
from ansible_collections.multicloud.vpnlab.plugins.module_utils.targets import CloudTarget

TODAY = datetime.date(2026, 11, 25)


def plan(**inputs):
    params = dict({"target": "cloud", "admin_cidrs": ["198.18.7.0/24"]}, **inputs)
    return build_plan(params, {"cloud": CloudTarget([AzurePart(), AwsPart()])}, today=TODAY)


def test_the_azure_part_provides_the_gateway_ip_so_aws_needs_no_stand_in():
    section = plan()["cloud"]
    assert section["parts"] == ["azure", "aws"]
    azure = section["azure"]
    assert azure["ipsec_policy"]["dh_group"] == "DHGroup14"
    # DPD is published once, in the plan's crypto section (azure_dpd_timeout_seconds).
    assert "dpd_timeout_seconds" not in azure
    assert azure["admin_user"] == "azureuser"
    assert azure["image"]["offer"] == "ubuntu-24_04-lts"
    assert azure["tag_filter"] == "tagName eq 'vpnlab' and tagValue eq 'vpntest'"


def test_the_dpd_timeout_input_reaches_the_azure_part():
    assert plan(dpd_timeout_seconds=60)["crypto"]["azure_dpd_timeout_seconds"] == 60


def test_ids():
    rid = resource_id("sub", "rg", "local_network_gateway", "lgw1")
    assert rid == "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/localNetworkGateways/lgw1"
    assert resource_id("sub", "rg", "connection", rid) == rid
    assert parse(rid) == {"subscription": "sub", "resource_group": "rg",
                          "type": "Microsoft.Network/localNetworkGateways", "name": "lgw1"}
    assert same(rid, rid.upper()) and not same(rid, rid + "x")


# --- the BGP design's cloud sections (issue 16) -----------------------------------------------

def test_static_routing_has_no_bgp_sections():
    cloud = plan()["cloud"]
    assert cloud["azure"]["bgp"] is None and cloud["aws"]["bgp"] is None


def test_bgp_azure_section_is_microsofts_design():
    azure = plan(routing="bgp")["cloud"]["azure"]["bgp"]
    assert (azure["asn"], azure["active_active"]) == (65515, True)
    assert azure["instances"] == [
        {"public_ip_address": "pip-vpntest-vpngw", "custom_bgp_ip_addresses": ["169.254.21.2", "169.254.22.2"]},
        {"public_ip_address": "pip-vpntest-vpngw2", "custom_bgp_ip_addresses": ["169.254.21.6", "169.254.22.6"]}]
    # One local network gateway and one connection per AWS tunnel; each connection names, per
    # instance, the custom address of its tunnel number (Microsoft's guide's table).
    assert [(t["name"], t["local_network_gateway"], t["connection"], t["peer_bgp_ip"], t["peer_asn"],
             t["custom_bgp_ip_addresses"]) for t in azure["tunnels"]] == [
        ("vpn1-tunnel1", "lgw-vpntest-vpn1-tunnel1", "con-vpntest-vpn1-tunnel1", "169.254.21.1", 64512,
         ["169.254.21.2", "169.254.21.6"]),
        ("vpn1-tunnel2", "lgw-vpntest-vpn1-tunnel2", "con-vpntest-vpn1-tunnel2", "169.254.22.1", 64512,
         ["169.254.22.2", "169.254.22.6"]),
        ("vpn2-tunnel1", "lgw-vpntest-vpn2-tunnel1", "con-vpntest-vpn2-tunnel1", "169.254.21.5", 64512,
         ["169.254.21.2", "169.254.21.6"]),
        ("vpn2-tunnel2", "lgw-vpntest-vpn2-tunnel2", "con-vpntest-vpn2-tunnel2", "169.254.22.5", 64512,
         ["169.254.22.2", "169.254.22.6"])]


def test_bgp_aws_section_has_a_customer_gateway_and_dynamic_connection_per_instance():
    aws = plan(routing="bgp")["cloud"]["aws"]["bgp"]
    assert (aws["static_routes_only"], aws["route_propagation"]) == (False, True)
    assert [(c["customer_gateway"], c["vpn_connection"], c["instance"], c["pre_shared_key_file"].rsplit("/", 2)[-2:],
             [(t["name"], t["inside_cidr"], t["bgp_ip"], t["peer_bgp_ip"]) for t in c["sessions"]])
            for c in aws["connections"]] == [
        ("vpntest-cgw-azure1", "vpntest-vpn1", 0, ["cloud", "aws-vpn1-psks.json"],
         [("vpn1-tunnel1", "169.254.21.0/30", "169.254.21.1", "169.254.21.2"),
          ("vpn1-tunnel2", "169.254.22.0/30", "169.254.22.1", "169.254.22.2")]),
        ("vpntest-cgw-azure2", "vpntest-vpn2", 1, ["cloud", "aws-vpn2-psks.json"],
         [("vpn2-tunnel1", "169.254.21.4/30", "169.254.21.5", "169.254.21.6"),
          ("vpn2-tunnel2", "169.254.22.4/30", "169.254.22.5", "169.254.22.6")])]


def test_bgp_sections_follow_another_address_plan_asns_and_one_instance():
    cidrs = ["169.254.21.8/30", "169.254.22.8/30"]
    p = plan(routing="bgp", azure_active_active=False, azure_bgp_asn=65010, aws_vpn_gateway_asn=64600,
             bgp_inside_cidrs=cidrs, name="other")
    azure, aws = p["cloud"]["azure"]["bgp"], p["cloud"]["aws"]["bgp"]
    assert azure["active_active"] is False and azure["asn"] == 65010
    assert azure["instances"] == [{"public_ip_address": "pip-other-vpngw",
                                   "custom_bgp_ip_addresses": ["169.254.21.10", "169.254.22.10"]}]
    assert [(t["peer_bgp_ip"], t["peer_asn"], t["custom_bgp_ip_addresses"]) for t in azure["tunnels"]] == [
        ("169.254.21.9", 64600, ["169.254.21.10"]), ("169.254.22.9", 64600, ["169.254.22.10"])]
    assert [c["vpn_connection"] for c in aws["connections"]] == ["other-vpn1"]
    assert aws["connections"][0]["tunnels"] == [{"tunnel_inside_cidr": c} for c in cidrs]
    assert p["aws"]["customer_gateway_asn"] == 65010

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The BGP design's Azure VPN gateway: the desired body, its refusals, differences with Azure's,
the update body, the view, and each connection's custom BGP address per instance."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.bgp import (
    GatewayPlanError, connection_custom_bgp_ips, desired_gateway, gateway_differences, gateway_view,
    instances, unnamed_custom_bgp_ips_problem, update_body,
)

NET = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network"
GW = NET + "/virtualNetworkGateways/gw"
SUBNET = NET + "/virtualNetworks/vnet/subnets/GatewaySubnet"
PIPS = [NET + "/publicIPAddresses/pip-gw", NET + "/publicIPAddresses/pip-gw2"]
CUSTOM = [["169.254.21.2", "169.254.22.2"], ["169.254.21.6", "169.254.22.6"]]
DESIRED = desired_gateway(GW, SUBNET, PIPS, "VpnGw1AZ", "Generation1", True, 65515, CUSTOM)


def azure(desired):
    """The gateway as the SDK's as_dict() shows it once Azure made it from ``desired``: ids and
    configurations filled, read-only BGP fields, Azure's own settings."""
    out = copy.deepcopy(desired)
    for index, conf in enumerate(out["ip_configurations"]):
        conf["id"] = GW + "/ipConfigurations/" + conf["name"]
        conf["public_ip_address"]["id"] = conf["public_ip_address"]["id"].lower()
        conf["provisioning_state"] = "Succeeded"
    if "bgp_settings" in out:
        out["bgp_settings"]["bgp_peering_address"] = "10.1.0.30,10.1.0.29"
        out["bgp_settings"]["peer_weight"] = 0
        for index, entry in enumerate(out["bgp_settings"]["bgp_peering_addresses"]):
            entry.update(default_bgp_ip_addresses=["10.1.0.%d" % (30 - index)],
                         tunnel_ip_addresses=["198.51.100.%d" % (4 + index)])
    out.update(id=GW, name="gw", location="westeurope", provisioning_state="Succeeded", etag='W/"3"',
               resource_guid="g", enable_private_ip_address=False, tags={"vpnlab": "t"})
    return out


CURRENT = azure(DESIRED)


def test_the_desired_gateway_is_microsofts_design():
    assert DESIRED["active"] is True and DESIRED["enable_bgp"] is True
    assert [c["name"] for c in DESIRED["ip_configurations"]] == ["default", "activeActive"]
    assert [c["public_ip_address"]["id"] for c in DESIRED["ip_configurations"]] == PIPS
    assert DESIRED["bgp_settings"] == {"asn": 65515, "bgp_peering_addresses": [
        {"ipconfiguration_id": GW + "/ipConfigurations/default", "custom_bgp_ip_addresses": CUSTOM[0]},
        {"ipconfiguration_id": GW + "/ipConfigurations/activeActive", "custom_bgp_ip_addresses": CUSTOM[1]}]}


def test_a_static_gateway_has_one_instance_and_no_bgp():
    static = desired_gateway(GW, SUBNET, PIPS[:1], "VpnGw1AZ", "Generation1", False, None)
    assert static["active"] is False and static["enable_bgp"] is False and "bgp_settings" not in static
    assert len(static["ip_configurations"]) == 1


@pytest.mark.parametrize("args, message", [
    ((PIPS[:1], True, 65515, ()), "an active-active gateway needs 2 public IPs, got 1"),
    ((PIPS, False, 65515, ()), "an active-standby gateway needs 1 public IP, got 2"),
    (([PIPS[0], PIPS[0].upper()], True, 65515, ()), "two different public IPs"),
    ((PIPS, True, None, CUSTOM), "custom BGP addresses need BGP"),
    ((PIPS, True, 65515, CUSTOM[:1]), "custom BGP addresses are given per instance: 2 lists, got 1"),
    ((PIPS, True, 65515, [["169.254.20.2"], ["169.254.21.6"]]), "169.254.20.2 is not an address Azure accepts"),
    ((PIPS, True, 65515, [["169.254.23.0"], ["169.254.21.6"]]), "169.254.23.0 is not an address Azure accepts"),
    ((PIPS, True, 65515, [["10.1.0.4"], ["169.254.21.6"]]), "10.1.0.4 is not an address Azure accepts"),
    ((PIPS, True, 65515, [["not-an-ip"], ["169.254.21.6"]]), "not-an-ip is not an address Azure accepts"),
])
def test_refusals(args, message):
    pips, active, asn, custom = args
    with pytest.raises(GatewayPlanError, match=message):
        desired_gateway(GW, SUBNET, pips, "VpnGw1AZ", "Generation1", active, asn, custom)


def changed(**fields):
    out = copy.deepcopy(CURRENT)
    out.update(fields)
    return out


def moved_custom(index, addresses):
    out = copy.deepcopy(CURRENT)
    out["bgp_settings"]["bgp_peering_addresses"][index]["custom_bgp_ip_addresses"] = addresses
    return out


def other_ip(index):
    out = copy.deepcopy(CURRENT)
    out["ip_configurations"][index]["public_ip_address"]["id"] = NET + "/publicIPAddresses/other"
    return out


@pytest.mark.parametrize("current, expected, fixed", [
    (CURRENT, [], []),
    (changed(sku={"name": "vpngw1az", "tier": "VpnGw1AZ", "capacity": 2}), [], []),
    (changed(sku={"name": "VpnGw2AZ"}), ["sku"], []),
    (changed(active=False), ["active_active"], []),
    (changed(enable_bgp=False), ["enable_bgp"], []),
    (changed(bgp_settings=dict(CURRENT["bgp_settings"], asn=65010)), ["asn"], []),
    (moved_custom(1, ["169.254.22.6", "169.254.21.6"]), [], []),
    (moved_custom(1, ["169.254.21.6"]), ["custom_bgp_ip_addresses"], []),
    (moved_custom(0, []), ["custom_bgp_ip_addresses"], []),
    (other_ip(1), ["public_ips"], []),
    (changed(vpn_gateway_generation="Generation2"), [], ["vpn_gateway_generation"]),
    (changed(vpn_type="PolicyBased", gateway_type="ExpressRoute"), [], ["gateway_type", "vpn_type"]),
    (changed(vpn_type="routebased"), [], []),
])
def test_gateway_differences(current, expected, fixed):
    assert gateway_differences(DESIRED, current) == (expected, fixed)


def test_a_gateway_without_bgp_ignores_azures_default_bgp_settings():
    static = desired_gateway(GW, SUBNET, PIPS[:1], "VpnGw1AZ", "Generation1", False, None)
    found = azure(static)
    found["bgp_settings"] = {"asn": 65515, "bgp_peering_address": "10.1.0.30", "peer_weight": 0}
    assert gateway_differences(static, found) == ([], [])


def test_update_body_keeps_azures_fields_and_sets_the_labs():
    current = changed(sku={"name": "VpnGw2AZ"}, custom_routes={"address_prefixes": ["10.9.0.0/16"]})
    body = update_body(current, DESIRED, "westeurope", {"a": "b"})
    assert body["custom_routes"] == {"address_prefixes": ["10.9.0.0/16"]}
    assert body["sku"] == {"name": "VpnGw1AZ", "tier": "VpnGw1AZ"}
    assert body["bgp_settings"]["peer_weight"] == 0 and "bgp_peering_address" not in body["bgp_settings"]
    assert body["bgp_settings"]["bgp_peering_addresses"] == DESIRED["bgp_settings"]["bgp_peering_addresses"]
    assert body["tags"] == {"a": "b"} and not {"etag", "provisioning_state", "resource_guid"} & set(body)
    assert update_body(None, DESIRED, "westeurope", None)["location"] == "westeurope"


def test_instances_and_view():
    view = gateway_view(CURRENT)
    assert view["active_active"] is True and view["bgp_asn"] == 65515 and "active" not in view
    assert [(i["ip_configuration"], i["default_bgp_ips"], i["custom_bgp_ips"], i["tunnel_ips"]) for i in view["instances"]] == [
        ("default", ["10.1.0.30"], CUSTOM[0], ["198.51.100.4"]),
        ("activeActive", ["10.1.0.29"], CUSTOM[1], ["198.51.100.5"])]
    assert gateway_view(None) == {} and instances(None) == []
    assert gateway_view(changed(enable_bgp=False))["bgp_asn"] is None


@pytest.mark.parametrize("addresses, result", [
    (["169.254.21.2", "169.254.21.6"], [(GW + "/ipConfigurations/default", "169.254.21.2"),
                                        (GW + "/ipConfigurations/activeActive", "169.254.21.6")]),
    (["169.254.22.2", "169.254.22.6"], [(GW + "/ipConfigurations/default", "169.254.22.2"),
                                        (GW + "/ipConfigurations/activeActive", "169.254.22.6")]),
    (["169.254.21.6", "169.254.21.2"], "169.254.21.6 is not a custom BGP address of the gateway's instance default"),
    (["169.254.21.2"], "the gateway has 2 instances, so a connection names 2 custom BGP addresses, got 1"),
    ([], "names 2 custom BGP addresses, got 0"),
])
def test_connection_custom_bgp_ips(addresses, result):
    if isinstance(result, str):
        with pytest.raises(GatewayPlanError, match=result):
            connection_custom_bgp_ips(CURRENT, addresses)
    else:
        assert [(p["ip_configuration_id"], p["custom_bgp_ip_address"])
                for p in connection_custom_bgp_ips(CURRENT, addresses)] == result


def test_the_desired_gateways_view_shows_its_custom_addresses():
    """What a check-mode diff shows as "after": each instance with its custom addresses."""
    assert [(i["ip_configuration"], i["custom_bgp_ips"]) for i in gateway_view(DESIRED)["instances"]] == [
        ("default", CUSTOM[0]), ("activeActive", CUSTOM[1])]


@pytest.mark.parametrize("gateway, enable_bgp, addresses, problem", [
    (CURRENT, True, [], "have custom BGP addresses (169.254.21.2, 169.254.22.2; 169.254.21.6, 169.254.22.6)"),
    (CURRENT, True, ["169.254.21.2", "169.254.21.6"], None),
    (CURRENT, False, [], None),
    (azure(desired_gateway(GW, SUBNET, PIPS, "VpnGw1AZ", "Generation1", True, 65515)), True, [], None),
    (None, True, [], None),
])
def test_a_bgp_connection_without_custom_addresses_on_a_gateway_that_has_some(gateway, enable_bgp, addresses, problem):
    found = unnamed_custom_bgp_ips_problem(gateway, enable_bgp, addresses)
    assert (found is None) if problem is None else (problem in found), found

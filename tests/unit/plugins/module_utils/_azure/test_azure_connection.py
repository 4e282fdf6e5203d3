# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Connections and local network gateways: desired fields, differences, what may be shown."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.connection import (
    KEY_CHANGED, KEY_UNCHANGED, desired_connection, desired_local_gateway, differences,
    local_gateway_differences, local_gateway_view, public_view, update_body,
)

GW = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworkGateways/gw"
LGW = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/localNetworkGateways/lgw1"
POLICY = {"ike_encryption": "AES256", "ike_integrity": "SHA256", "dh_group": "DHGroup14",
          "ipsec_encryption": "AES256", "ipsec_integrity": "SHA256", "pfs_group": "PFS2048",
          "sa_life_time_seconds": 3600, "sa_data_size_kilobytes": 102400000}
DESIRED = desired_connection(GW, LGW, POLICY, 45)
# As the SDK's as_dict() shows a connection Azure made from DESIRED (ids in other case, extras).
CURRENT = dict(copy.deepcopy(DESIRED), id="/x/con1", name="con1", shared_key="Secret.key_1",
               virtual_network_gateway1={"id": GW.upper(), "location": "westeurope"},
               local_network_gateway2={"id": LGW.lower()}, connection_status="Connected",
               ingress_bytes_transferred=10, egress_bytes_transferred=20, provisioning_state="Succeeded",
               traffic_selector_policies=[], etag='W/"1"', tags={"vpnlab": "t"})


def changed(**fields):
    out = copy.deepcopy(CURRENT)
    out.update(fields)
    return out


@pytest.mark.parametrize("current, expected", [
    (CURRENT, []),
    (changed(use_policy_based_traffic_selectors=None), []),
    (changed(use_policy_based_traffic_selectors=True), ["use_policy_based_traffic_selectors"]),
    (changed(dpd_timeout_seconds=30), ["dpd_timeout_seconds"]),
    (changed(ipsec_policies=[]), ["ipsec_policies"]),
    (changed(ipsec_policies=[dict(POLICY, pfs_group="None")]), ["ipsec_policies"]),
    (changed(ipsec_policies=[dict(POLICY, extra_field=1)]), []),
    (changed(local_network_gateway2={"id": LGW.replace("lgw1", "lgw2")}), ["local_network_gateway2"]),
    (changed(connection_protocol="IKEv1"), ["connection_protocol"]),
    (changed(routing_weight=10), ["routing_weight"]),
])
def test_differences(current, expected):
    assert differences(DESIRED, current) == expected


def test_without_policy_the_connection_has_none():
    assert desired_connection(GW, LGW, None, 45)["ipsec_policies"] == []


def test_update_body_keeps_unmanaged_fields_and_drops_read_only_ones():
    body = update_body(changed(traffic_selector_policies=[{"x": 1}]), DESIRED, "westeurope", {"a": "b"}, "New.key_2")
    assert body["traffic_selector_policies"] == [{"x": 1}]
    assert body["shared_key"] == "New.key_2" and body["tags"] == {"a": "b"}
    assert body["virtual_network_gateway1"] == {"id": GW}
    assert not {"etag", "provisioning_state", "connection_status"} & set(body)


@pytest.mark.parametrize("key_changed, shown", [(None, None), (False, KEY_UNCHANGED), (True, KEY_CHANGED)])
def test_public_view_never_shows_the_key(key_changed, shown):
    view = public_view(CURRENT, key_changed=key_changed)
    assert "Secret.key_1" not in repr(view)
    assert view.get("shared_key") == shown
    assert view["connection_status"] == "Connected" and view["ingress_bytes_transferred"] == 10


def test_public_view_of_nothing():
    assert public_view(None) == {}


LG_DESIRED = desired_local_gateway("203.0.113.10", ["10.2.0.0/16"])


@pytest.mark.parametrize("current, expected", [
    ({"gateway_ip_address": "203.0.113.10", "local_network_address_space": {"address_prefixes": ["10.2.0.0/16"]}}, []),
    ({"gateway_ip_address": "203.0.113.11", "local_network_address_space": {"address_prefixes": ["10.2.0.0/16"]}},
     ["gateway_ip_address"]),
    ({"gateway_ip_address": "203.0.113.10",
      "local_network_address_space": {"address_prefixes": ["10.2.0.0/16", "10.3.0.0/16"]}}, ["address_prefixes"]),
    ({"gateway_ip_address": "203.0.113.10", "local_network_address_space": None}, ["address_prefixes"]),
    (None, ["gateway_ip_address", "address_prefixes"]),
])
def test_local_gateway_differences(current, expected):
    assert local_gateway_differences(LG_DESIRED, current) == expected


def test_local_gateway_view():
    assert local_gateway_view(None) == {}
    assert local_gateway_view({"name": "x", "fqdn": None, "gateway_ip_address": "1"}) == {"name": "x", "gateway_ip_address": "1"}


# --- BGP (issue 16) --------------------------------------------------------------------------
PAIRS = [{"ip_configuration_id": GW + "/ipConfigurations/default", "custom_bgp_ip_address": "169.254.21.2"},
         {"ip_configuration_id": GW + "/ipConfigurations/activeActive", "custom_bgp_ip_address": "169.254.21.6"}]
BGP_DESIRED = desired_connection(GW, LGW, POLICY, 45, enable_bgp=True, custom_bgp_ips=PAIRS)
BGP_CURRENT = dict(copy.deepcopy(BGP_DESIRED), gateway_custom_bgp_ip_addresses=[
    {"ip_configuration_id": PAIRS[1]["ip_configuration_id"].upper(), "custom_bgp_ip_address": "169.254.21.6"},
    {"ip_configuration_id": PAIRS[0]["ip_configuration_id"], "custom_bgp_ip_address": "169.254.21.2"}])


@pytest.mark.parametrize("current, expected", [
    # Ids compare without case, order does not matter.
    (BGP_CURRENT, []),
    (dict(BGP_CURRENT, enable_bgp=False), ["enable_bgp"]),
    (dict(BGP_CURRENT, gateway_custom_bgp_ip_addresses=PAIRS[:1]), ["gateway_custom_bgp_ip_addresses"]),
    (dict(BGP_CURRENT, gateway_custom_bgp_ip_addresses=[dict(PAIRS[0]), dict(PAIRS[1], custom_bgp_ip_address="169.254.22.6")]),
     ["gateway_custom_bgp_ip_addresses"]),
    (dict(BGP_CURRENT, gateway_custom_bgp_ip_addresses=None), ["gateway_custom_bgp_ip_addresses"]),
])
def test_bgp_connection_differences(current, expected):
    assert differences(BGP_DESIRED, current) == expected


def test_a_static_connection_has_no_bgp_and_none_compares_equal():
    assert DESIRED["enable_bgp"] is False and DESIRED["gateway_custom_bgp_ip_addresses"] == []
    assert differences(DESIRED, dict(CURRENT, gateway_custom_bgp_ip_addresses=None)) == []


LG_BGP = desired_local_gateway("203.0.113.10", [], {"asn": 64512, "bgp_peering_address": "169.254.21.1"})
LG_BGP_FOUND = {"gateway_ip_address": "203.0.113.10", "local_network_address_space": {"address_prefixes": []},
                "bgp_settings": {"asn": 64512, "bgp_peering_address": "169.254.21.1", "peer_weight": 0}}


@pytest.mark.parametrize("desired, current, expected", [
    (LG_BGP, LG_BGP_FOUND, []),
    (LG_BGP, dict(LG_BGP_FOUND, bgp_settings={"asn": 64513, "bgp_peering_address": "169.254.21.1"}), ["bgp_settings"]),
    (LG_BGP, dict(LG_BGP_FOUND, bgp_settings={"asn": 64512, "bgp_peering_address": "169.254.21.5"}), ["bgp_settings"]),
    (LG_BGP, dict(LG_BGP_FOUND, bgp_settings=None), ["bgp_settings"]),
    # Without BGP wanted, a gateway without BGP settings (or Azure's empty ones) is equal.
    (desired_local_gateway("203.0.113.10", []), dict(LG_BGP_FOUND, bgp_settings=None), []),
    (desired_local_gateway("203.0.113.10", []), dict(LG_BGP_FOUND, bgp_settings={"asn": 0}), []),
    (desired_local_gateway("203.0.113.10", []), LG_BGP_FOUND, ["bgp_settings"]),
])
def test_local_gateway_bgp_differences(desired, current, expected):
    assert local_gateway_differences(desired, current) == expected

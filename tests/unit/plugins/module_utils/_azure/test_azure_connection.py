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

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The filters that replaced the cloud roles' Jinja loops: the Azure gateway's drift and the
pairing of the planned tunnels with AWS's."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.multicloud.vpnlab.plugins.filter.cloud_glue import (
    FilterModule, azure_gateway_drift, azure_tunnel_peers)

IDS = {"public_ip": "/subscriptions/s/x/publicIPAddresses/pip", "gateway_subnet": "/subscriptions/s/x/subnets/GatewaySubnet"}
PLANNED = [
    {"name": "tunnel1", "inside_cidr": "169.254.21.0/30", "local_network_gateway": "lng1", "connection": "cn1"},
    {"name": "tunnel2", "inside_cidr": "169.254.22.0/30", "local_network_gateway": "lng2", "connection": "cn2"},
]


def aws(ip, cidr=None):
    return {"outside_ip_address": ip, "tunnel_inside_cidr": cidr, "pre_shared_key": "secret-" + ip}


def peers(*ips):
    return [{"name": "tunnel%d" % n, "local_network_gateway": "lng%d" % n, "connection": "cn%d" % n, "outside_ip": ip}
            for n, ip in enumerate(ips, 1)]


def test_the_filters_are_registered():
    assert set(FilterModule().filters()) == {"azure_gateway_drift", "azure_tunnel_peers"}


@pytest.mark.parametrize("have,expected", [
    ({}, []),
    (None, []),
    ({"vpn_type": "RouteBased", "vpn_gateway_generation": "Generation2",
      "ip_configurations": [{"public_ip_address": {"id": IDS["public_ip"].upper()}, "subnet": {"id": IDS["gateway_subnet"]}}]},
     []),
    ({"vpn_type": "RouteBased", "vpn_gateway_generation": "Generation1",
      "ip_configurations": [{"public_ip_address": {"id": IDS["public_ip"]}, "subnet": {"id": IDS["gateway_subnet"]}}]},
     ["generation Generation1 (planned Generation2)"]),
])
def test_azure_gateway_drift(have, expected):
    assert azure_gateway_drift(have, "Generation2", IDS) == expected


@pytest.mark.parametrize("aws_tunnels,expected", [
    # By inside CIDR, whatever AWS's order.
    ([aws("3.0.0.2", "169.254.22.0/30"), aws("3.0.0.1", "169.254.21.0/30")], peers("3.0.0.1", "3.0.0.2")),
    # No inside CIDR (moto): AWS's order.
    ([aws("3.0.0.1"), aws("3.0.0.2")], peers("3.0.0.1", "3.0.0.2")),
    # One matched by CIDR, the other takes what is left, never the matched one again.
    ([aws("3.0.0.1", "169.254.22.0/30"), aws("3.0.0.2", "169.254.99.0/30")], peers("3.0.0.2", "3.0.0.1")),
    # Too few tunnels: the one left without is empty, for the role's assert.
    ([aws("3.0.0.1")], peers("3.0.0.1", "")),
    ([], peers("", "")),
], ids=["by-cidr", "by-order", "cidr-then-order", "too-few", "none"])
def test_azure_tunnel_peers(aws_tunnels, expected):
    result = azure_tunnel_peers(PLANNED, aws_tunnels)
    assert result == expected
    assert "secret" not in repr(result)


@pytest.mark.parametrize("call,match", [
    (lambda: azure_gateway_drift(["a"], "Generation1", IDS), "must be a dict"),
    (lambda: azure_gateway_drift({"vpn_type": "RouteBased"}, "Generation1", {}), "public_ip and gateway_subnet"),
    (lambda: azure_tunnel_peers({"tunnels": []}, []), "must be lists"),
    (lambda: azure_tunnel_peers([{"name": "t"}], []), "not a plan's tunnels"),
])
def test_bad_input_is_a_filter_error(call, match):
    with pytest.raises(AnsibleFilterError, match=match):
        call()

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The filters that replaced the cloud roles' Jinja loops: the Azure gateway's drift and the
pairing of the planned tunnels with AWS's."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.multicloud.vpnlab.plugins.filter.cloud_glue import (
    FilterModule, azure_gateway_drift, azure_tunnel_connections, azure_tunnel_local_gateways, azure_tunnel_peers)

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
    assert set(FilterModule().filters()) == {"azure_gateway_drift", "azure_tunnel_peers", "azure_tunnel_connections",
                                             "azure_tunnel_local_gateways"}


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


BGP = [{"name": "tunnel1", "custom_bgp_ip_addresses": ["169.254.21.2", "169.254.22.2"]},
       {"name": "tunnel2", "custom_bgp_ip_addresses": ["169.254.21.6", "169.254.22.6"]}]


def connection(n, key, bgp=None):
    entry = {"name": "cn%d" % n, "local_network_gateway": "lng%d" % n, "shared_key": key}
    if bgp is not None:
        entry["custom_bgp_ip_addresses"] = bgp
    return entry


@pytest.mark.parametrize("aws_tunnels,kept,bgp,expected", [
    # AWS's key for each peer's outside IP, whatever AWS's order.
    ([aws("3.0.0.2"), aws("3.0.0.1")], None, None,
     [connection(1, "secret-3.0.0.1"), connection(2, "secret-3.0.0.2")]),
    # The key the lab gave AWS comes first (moto describes a fixed one); the other from AWS.
    ([aws("3.0.0.1"), aws("3.0.0.2")], {"tunnel2": "kept-2"}, None,
     [connection(1, "secret-3.0.0.1"), connection(2, "kept-2")]),
    # The BGP design: each tunnel's custom BGP addresses from the plan, by tunnel name.
    ([aws("3.0.0.1"), aws("3.0.0.2")], {}, list(reversed(BGP)),
     [connection(1, "secret-3.0.0.1", BGP[0]["custom_bgp_ip_addresses"]),
      connection(2, "secret-3.0.0.2", BGP[1]["custom_bgp_ip_addresses"])]),
    # No peers (a dry run): nothing to connect.
    ([], None, None, []),
], ids=["aws-keys", "kept-key-first", "bgp", "none"])
def test_azure_tunnel_connections(aws_tunnels, kept, bgp, expected):
    the_peers = peers("3.0.0.1", "3.0.0.2") if expected else []
    assert azure_tunnel_connections(the_peers, aws_tunnels, kept, bgp) == expected


@pytest.mark.parametrize("call,match", [
    (lambda: azure_tunnel_connections(peers("3.0.0.9"), [aws("3.0.0.1")]), "no AWS tunnel has outside IP '3.0.0.9'"),
    (lambda: azure_tunnel_connections({"p": 1}, []), "must be lists"),
    (lambda: azure_tunnel_connections(peers("3.0.0.1"), [{"outside_ip_address": "3.0.0.1"}]), "pre_shared_key"),
    (lambda: azure_tunnel_connections(peers("3.0.0.1"), [aws("3.0.0.1")], None, [{"name": "tunnel9"}]),
     "custom_bgp_ip_addresses"),
    (lambda: azure_tunnel_connections(peers("3.0.0.1"), [aws("3.0.0.1")], None, []), "tunnel1"),
], ids=["unknown-ip", "not-lists", "no-key", "bgp-without-addresses", "bgp-tunnel-missing"])
def test_connections_errors_name_the_problem_never_a_key(call, match):
    with pytest.raises(AnsibleFilterError, match=match) as raised:
        call()
    assert "secret" not in str(raised.value)


PLANNED_BGP = [{"name": "tunnel2", "peer_asn": 64512, "peer_bgp_ip": "169.254.22.1"},
               {"name": "tunnel1", "peer_asn": 64512, "peer_bgp_ip": "169.254.21.1"}]


@pytest.mark.parametrize("the_peers,bgp,expected", [
    (peers("3.0.0.1", "3.0.0.2"), None,
     [{"name": "lng1", "gateway_ip_address": "3.0.0.1"}, {"name": "lng2", "gateway_ip_address": "3.0.0.2"}]),
    # The BGP design: each tunnel's AWS-side ASN and BGP address, by tunnel name.
    (peers("3.0.0.1", "3.0.0.2"), PLANNED_BGP,
     [{"name": "lng1", "gateway_ip_address": "3.0.0.1", "bgp": {"asn": 64512, "bgp_peering_address": "169.254.21.1"}},
      {"name": "lng2", "gateway_ip_address": "3.0.0.2", "bgp": {"asn": 64512, "bgp_peering_address": "169.254.22.1"}}]),
    ([], None, []),
], ids=["static", "bgp", "none"])
def test_azure_tunnel_local_gateways(the_peers, bgp, expected):
    assert azure_tunnel_local_gateways(the_peers, bgp) == expected


@pytest.mark.parametrize("call,match", [
    (lambda: azure_tunnel_local_gateways({"p": 1}), "must be a list"),
    (lambda: azure_tunnel_local_gateways([{"name": "tunnel1"}]), "local_network_gateway"),
    (lambda: azure_tunnel_local_gateways(peers("3.0.0.1"), PLANNED_BGP[:1]), "tunnel1"),
    (lambda: azure_gateway_drift(["a"], "Generation1", IDS), "must be a dict"),
    (lambda: azure_gateway_drift({"vpn_type": "RouteBased"}, "Generation1", {}), "public_ip and gateway_subnet"),
    (lambda: azure_tunnel_peers({"tunnels": []}, []), "must be lists"),
    (lambda: azure_tunnel_peers([{"name": "t"}], []), "not a plan's tunnels"),
])
def test_bad_input_is_a_filter_error(call, match):
    with pytest.raises(AnsibleFilterError, match=match):
        call()

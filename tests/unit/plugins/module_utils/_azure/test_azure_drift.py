# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Azure VPN gateway's drift: what azure_rm_virtualnetworkgateway never changes, compared
with the plan (ARM ids case-insensitively)."""

from __future__ import annotations

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.drift import gateway_drift

NET = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network"
PIP = NET + "/publicIPAddresses/vpntest-pip-gw"
SUBNET = NET + "/virtualNetworks/vpntest-vnet/subnets/GatewaySubnet"


def gateway(vpn_type="RouteBased", generation="Generation1", pip=PIP, subnet=SUBNET):
    config = {}
    if pip is not None:
        config["public_ip_address"] = {"id": pip}
    if subnet is not None:
        config["subnet"] = {"id": subnet}
    return {"vpn_type": vpn_type, "vpn_gateway_generation": generation, "ip_configurations": [config]}


@pytest.mark.parametrize("have,expected", [
    (None, []),
    ({}, []),
    (gateway(), []),
    (gateway(pip=PIP.upper(), subnet=SUBNET.lower()), []),
    (gateway(vpn_type="PolicyBased"), ["VPN type PolicyBased (planned RouteBased)"]),
    (gateway(generation="Generation2"), ["generation Generation2 (planned Generation1)"]),
    (gateway(pip=NET + "/publicIPAddresses/other"),
     ["public IP %s/publicIPAddresses/other (planned %s)" % (NET, PIP)]),
    (gateway(pip=None), ["public IP none (planned %s)" % PIP]),
    (gateway(subnet=None), ["subnet none (planned %s)" % SUBNET]),
    ({"vpn_type": "RouteBased", "vpn_gateway_generation": "Generation1", "ip_configurations": []},
     ["public IP none (planned %s)" % PIP, "subnet none (planned %s)" % SUBNET]),
    (gateway(vpn_type="PolicyBased", generation="Generation2", pip=None, subnet=None),
     ["VPN type PolicyBased (planned RouteBased)", "generation Generation2 (planned Generation1)",
      "public IP none (planned %s)" % PIP, "subnet none (planned %s)" % SUBNET]),
], ids=["absent", "empty", "same", "ids-case", "vpn-type", "generation", "public-ip", "no-public-ip", "no-subnet",
        "no-ip-config", "everything"])
def test_gateway_drift(have, expected):
    assert gateway_drift(have, "Generation1", PIP, SUBNET) == expected

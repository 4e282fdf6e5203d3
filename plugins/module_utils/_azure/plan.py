# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Azure part of the cloud target's plan: Azure-only rules and ``plan["cloud"]["azure"]``.

``targets.CloudTarget`` calls ``check`` and ``build`` of each part. The Azure part builds the VPN
gateway, so it provides the gateway's public IP that the AWS customer gateway needs. Pure.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.policy import PolicyError, ipsec_policy
from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.resources import MANAGED_BY, tag_filter
from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.vms import vm_resources
from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.spec import ADMIN_USER
from ansible_collections.multicloud.vpnlab.plugins.module_utils.plan import CRYPTO

GATEWAY_IP = "azure_gateway_public_ip"
# The Azure marketplace image of the test VMs (the UbuntuLTS alias is gone).
IMAGE = {"publisher": "Canonical", "offer": "ubuntu-24_04-lts", "sku": "server", "version": "latest"}


class AzurePart:
    """The Azure half: resource group, VNet, VPN gateway, local network gateways, connections,
    VMs."""

    name = "azure"
    provides = (GATEWAY_IP,)

    @staticmethod
    def check(chk: Any, p: Mapping[str, Any], nets: Mapping[str, Any], vms: list[dict[str, Any]],
              provided: frozenset[str] = frozenset()) -> None:
        try:
            ipsec_policy(CRYPTO)
        except PolicyError as exc:
            chk.add("target", p.get("target"), "the lab's crypto cannot be an Azure IPsec policy: %s" % exc)

    @staticmethod
    def build(plan: dict[str, Any], p: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "ipsec_policy": ipsec_policy(plan["crypto"]),
            "image": dict(IMAGE),
            "tag_filter": tag_filter(plan["lab"]),
            "managed_by": MANAGED_BY[1],
            # The VMs' admin user (test_vms creates them with it, the inventory logs in as it).
            "admin_user": ADMIN_USER,
            # Each Azure VM's public IP and NIC names, by VM name.
            "vms": vm_resources(plan["vms"]),
            "bgp": bgp_section(plan),
        }


def bgp_section(plan: Mapping[str, Any]) -> Optional[dict[str, Any]]:
    """The BGP design's Azure side, None with static routing: the gateway's instances (public IP
    names and custom APIPA addresses, azure_vpn_gateway's ``instances``), its ASN, and one local
    network gateway and one connection per AWS tunnel (the peer's BGP address and ASN, the
    custom address each instance speaks from on it)."""
    routing = plan.get("routing") or {}
    if routing.get("mode") != "bgp":
        return None
    lab, first = plan["lab"], plan["azure"]["public_ip_gateway"]
    public_ips = [first] + ["%s%d" % (first, i + 1) for i in range(1, len(routing["instances"]))]
    return {
        "asn": routing["azure_asn"],
        "active_active": routing["active_active"],
        "instances": [{"public_ip_address": public_ips[i["instance"]], "custom_bgp_ip_addresses": i["custom_bgp_ips"]}
                      for i in routing["instances"]],
        "tunnels": [{"name": t["name"], "vpn_connection": t["connection"], "inside_cidr": t["inside_cidr"],
                     "local_network_gateway": "lgw-%s-%s" % (lab, t["name"]),
                     "connection": "con-%s-%s" % (lab, t["name"]),
                     "peer_bgp_ip": t["aws_bgp_ip"], "peer_asn": plan["aws"]["vpn_gateway_asn"],
                     "custom_bgp_ip_addresses": t["azure_custom_bgp_ips"]} for t in routing["tunnels"]],
    }

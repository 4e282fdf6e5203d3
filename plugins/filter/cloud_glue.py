# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters for the cloud roles' glue that used to be Jinja loops: whether the existing Azure VPN
gateway is the planned one (_azure/drift.py), and which AWS tunnel each planned tunnel connects
to (_aws/vpn.py's pair_tunnels, the rule the lab's AWS module pairs tunnels by)."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping

from ansible.errors import AnsibleFilterError
from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws.vpn import pair_tunnels
from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.drift import gateway_drift


def azure_gateway_drift(have: Any, generation: str, ids: Mapping[str, str]) -> List[str]:
    """What differs between the VPN gateway Azure has (one gateway of
    azure_rm_virtualnetworkgateway_info, or nothing) and the planned one."""
    if have and not isinstance(have, Mapping):
        raise AnsibleFilterError("azure_gateway_drift: the gateway must be a dict, got %s" % type(have).__name__)
    try:
        return gateway_drift(have or None, generation, ids["public_ip"], ids["gateway_subnet"])
    except (KeyError, TypeError) as exc:
        raise AnsibleFilterError("azure_gateway_drift: the planned ids need public_ip and gateway_subnet (%s)" % exc) from None


def azure_tunnel_peers(planned: Any, aws_tunnels: Any) -> List[Dict[str, str]]:
    """Each planned tunnel (the plan's ``tunnels``) with the AWS tunnel it connects to (the
    tunnel_options module's ``tunnels``): by inside CIDR, the rest in AWS's order (an emulated
    AWS reports no inside CIDR). One entry per planned tunnel, without keys: its name, local
    network gateway, connection and the AWS tunnel's outside IP ('' when AWS has too few)."""
    if not isinstance(planned, list) or not isinstance(aws_tunnels, list):
        raise AnsibleFilterError("azure_tunnel_peers: the planned and the AWS tunnels must be lists")
    try:
        wanted = [dict(t, tunnel_inside_cidr=t["inside_cidr"]) for t in planned]
        # pair_tunnels reads AWS's spelling; each entry keeps the normalised tunnel it came from.
        current = [{"TunnelInsideCidr": t.get("tunnel_inside_cidr"), "tunnel": t} for t in aws_tunnels]
        return [{"name": tunnel["name"], "local_network_gateway": tunnel["local_network_gateway"],
                 "connection": tunnel["connection"],
                 "outside_ip": ((have or {}).get("tunnel") or {}).get("outside_ip_address") or ""}
                for tunnel, have in pair_tunnels(wanted, current)]
    except (KeyError, TypeError, AttributeError) as exc:
        raise AnsibleFilterError("azure_tunnel_peers: not a plan's tunnels or tunnel_options' tunnels (%s)" % exc) from None


class FilterModule:
    def filters(self):
        return {"azure_gateway_drift": azure_gateway_drift, "azure_tunnel_peers": azure_tunnel_peers}

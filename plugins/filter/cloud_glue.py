# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters for the cloud roles' glue that used to be Jinja loops: whether the existing Azure VPN
gateway is the planned one (_azure/drift.py), which AWS tunnel each planned tunnel connects
to (_aws/vpn.py's pair_tunnels, the rule the lab's AWS module pairs tunnels by), and the Azure
local network gateways and connections for those tunnels (the connections with their keys), each
kind for one module run."""

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


def azure_tunnel_connections(peers: Any, aws_tunnels: Any, kept_keys: Any = None,
                             bgp_tunnels: Any = None) -> List[Dict[str, Any]]:
    """The O(connections) of azure_vpn_connection for these peers (azure_tunnel_peers' result):
    each one's connection and local network gateway, and the key the lab gave AWS for that
    tunnel (``kept_keys``, by tunnel name), else the one AWS describes for the tunnel's outside
    IP; with ``bgp_tunnels`` (the plan's cloud.azure.bgp.tunnels), each tunnel's custom BGP
    addresses. Errors never show a key."""
    if not isinstance(peers, list) or not isinstance(aws_tunnels, list):
        raise AnsibleFilterError("azure_tunnel_connections: the peers and the AWS tunnels must be lists")
    kept = kept_keys or {}
    try:
        described = {t["outside_ip_address"]: t["pre_shared_key"] for t in aws_tunnels if t.get("outside_ip_address")}
        bgp = None if bgp_tunnels is None else {t["name"]: t["custom_bgp_ip_addresses"] for t in bgp_tunnels}
        connections = []
        for peer in peers:
            if peer["name"] in kept:
                key = kept[peer["name"]]
            elif peer["outside_ip"] in described:
                key = described[peer["outside_ip"]]
            else:
                raise AnsibleFilterError("azure_tunnel_connections: no AWS tunnel has outside IP %r (tunnel %s)"
                                         % (peer["outside_ip"], peer["name"]))
            entry = {"name": peer["connection"], "local_network_gateway": peer["local_network_gateway"],
                     "shared_key": key}
            if bgp is not None:
                entry["custom_bgp_ip_addresses"] = bgp[peer["name"]]
            connections.append(entry)
        return connections
    except (KeyError, TypeError, AttributeError) as exc:
        # The exception names a field or a type, never a value (the keys are values).
        raise AnsibleFilterError("azure_tunnel_connections: not azure_tunnel_peers' peers, tunnel_options' tunnels "
                                 "or the plan's BGP tunnels (%s: %s)" % (type(exc).__name__, exc)) from None


def azure_tunnel_local_gateways(peers: Any, bgp_tunnels: Any = None) -> List[Dict[str, Any]]:
    """The O(local_network_gateways) of azure_local_network_gateway for these peers
    (azure_tunnel_peers' result): each one's name and the AWS tunnel's outside IP; with
    ``bgp_tunnels`` (the plan's cloud.azure.bgp.tunnels), the AWS side's ASN and BGP address."""
    if not isinstance(peers, list):
        raise AnsibleFilterError("azure_tunnel_local_gateways: the peers must be a list")
    try:
        bgp = None if bgp_tunnels is None else {t["name"]: t for t in bgp_tunnels}
        gateways = []
        for peer in peers:
            entry: Dict[str, Any] = {"name": peer["local_network_gateway"], "gateway_ip_address": peer["outside_ip"]}
            if bgp is not None:
                planned = bgp[peer["name"]]
                entry["bgp"] = {"asn": planned["peer_asn"], "bgp_peering_address": planned["peer_bgp_ip"]}
            gateways.append(entry)
        return gateways
    except (KeyError, TypeError, AttributeError) as exc:
        raise AnsibleFilterError("azure_tunnel_local_gateways: not azure_tunnel_peers' peers or the plan's BGP "
                                 "tunnels (%s: %s)" % (type(exc).__name__, exc)) from None


class FilterModule:
    def filters(self):
        return {"azure_gateway_drift": azure_gateway_drift, "azure_tunnel_peers": azure_tunnel_peers,
                "azure_tunnel_connections": azure_tunnel_connections,
                "azure_tunnel_local_gateways": azure_tunnel_local_gateways}

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: azure_vpn_connection_info
short_description: Status and byte counters of Azure site-to-site connections, as tunnel evidence
version_added: 0.1.0
description:
  - Reads Azure VPN gateway connections of a resource group (all, or those named) and returns
    their status, byte counters and IPsec policies, never their shared keys.
  - With O(tunnels), also returns one tunnel record per planned tunnel in the shape the
    connectivity check reads (C(name), C(outside_ip), C(status), C(bytes_in), C(bytes_out),
    C(source), C(detail)); the outside IP is the tunnel's local network gateway's address.
  - Replaces M(azure.azcollection.azure_rm_virtualnetworkgatewayconnection_info) 3.12.0 for the
    lab, which fails on a connection that has IPsec policies and returns shared keys.
author:
  - multicloud.vpnlab contributors (@multicloud)
requirements:
  - azure.azcollection's Python requirements (C(pip install -r) its C(requirements.txt), in the directory that
    C(ansible-galaxy collection list azure.azcollection) shows)
attributes:
  check_mode:
    support: full
    details: Reads only.
  diff_mode:
    support: none
  idempotent:
    support: full
extends_documentation_fragment:
  - multicloud.vpnlab.attributes
  - multicloud.vpnlab.attributes.actiongroup_azure
  - azure.azcollection.azure
options:
  resource_group:
    description: Resource group of the connections. A missing group gives no connections.
    type: str
    required: true
  names:
    description: Names of the connections to read; all of the group's when empty.
    type: list
    elements: str
    default: []
  tunnels:
    description:
      - The planned tunnels (the plan's C(tunnels)), each with C(name), C(connection) and
        C(local_network_gateway); one tunnel record is returned for each.
    type: list
    elements: dict
    default: []
  merge_with:
    description:
      - Tunnel records of another source (the AWS side's, from M(multicloud.vpnlab.aws_tunnel_status)),
        joined with Azure's by tunnel name; the returned C(tunnels) are then the joined records.
      - The status is the one both sources report (V(down) when one sees the tunnel down, the
        known one when the other cannot tell); the byte counters are Azure's.
    type: list
    elements: dict
    default: []
  gateway:
    description:
      - The BGP design - the name of the lab's VPN gateway in O(resource_group). The module then asks it for
        its BGP peers' status and the routes it learned (Azure's getBgpPeerStatus and getLearnedRoutes,
        each a long-running POST that takes some seconds in Azure), and returns them as C(routing).
      - O(tunnels) are then the plan's C(cloud.azure.bgp.tunnels), whose C(peer_bgp_ip) and
        C(vpn_connection) place each peer and route on its gateway instance.
    type: str
  expects:
    description: With O(gateway), the prefixes the gateway should learn (the AWS VPC's).
    type: list
    elements: str
    default: []
seealso:
  - module: multicloud.vpnlab.azure_vpn_connection
"""

EXAMPLES = r"""
- name: Read the Azure side's view of the lab's tunnels
  multicloud.vpnlab.azure_vpn_connection_info:
    resource_group: "{{ vpnlab_plan.azure.resource_group }}"
    tunnels: "{{ vpnlab_plan.tunnels }}"
  register: azure_tunnels

- name: Read the BGP design's connections, peers and learned routes
  multicloud.vpnlab.azure_vpn_connection_info:
    resource_group: "{{ vpnlab_plan.azure.resource_group }}"
    tunnels: "{{ vpnlab_plan.cloud.azure.bgp.tunnels }}"
    gateway: "{{ vpnlab_plan.azure.gateway_name }}"
    expects: ["{{ vpnlab_plan.aws.vpc_cidr }}"]
  register: azure_bgp
"""

RETURN = r"""
connections:
  description: The connections found, without shared keys.
  returned: always
  type: list
  elements: dict
  sample:
    - name: con-vpntest-tunnel1
      connection_status: Connected
      ingress_bytes_transferred: 33509044
      egress_bytes_transferred: 4142431
tunnels:
  description: One record per O(tunnels) entry; C(status) is V(up), V(down) or V(unknown).
  returned: always
  type: list
  elements: dict
  sample:
    - name: tunnel1
      outside_ip: 203.0.113.10
      status: up
      bytes_in: 33509044
      bytes_out: 4142431
      source: azure:connections
      detail: "connection con-vpntest-tunnel1: Connected, provisioning Succeeded"
routing:
  description:
    - With O(gateway), the Azure side's BGP speakers by name - C(azure0), C(azure1) (each gateway
      instance - its sessions with AWS and the routes it learned from them over eBGP) and C(vnet)
      (every route the gateway learned from a peer, which Azure programs into the VNet); each with
      C(side), C(role), C(expects), C(sessions) (C(address), C(description), C(state),
      C(prefixes_received)) and C(routes) (C(prefix), C(next_hops)). A missing gateway gives
      speakers with no session and no route.
  returned: when O(gateway) is given
  type: dict
  sample:
    vnet:
      side: azure
      role: router
      expects: [10.2.0.0/16]
      sessions:
        - {address: 169.254.21.1, description: vpn1-tunnel1, state: Established, prefixes_received: 1}
      routes:
        - {prefix: 10.2.0.0/16, next_hops: [169.254.21.1]}
"""

from ansible_collections.azure.azcollection.plugins.module_utils.azure_rm_common import AzureRMModuleBase
from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.connection import public_view
from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.evidence import bgp_speakers, merge, tunnel_records

try:
    from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
except ImportError:  # AzureRMModuleBase reports the missing SDK
    HttpResponseError = ResourceNotFoundError = Exception


class AzureVpnConnectionInfo(AzureRMModuleBase):

    def __init__(self):
        spec = dict(resource_group=dict(type="str", required=True),
                    names=dict(type="list", elements="str", default=[]),
                    tunnels=dict(type="list", elements="dict", default=[]),
                    merge_with=dict(type="list", elements="dict", default=[]),
                    gateway=dict(type="str"),
                    expects=dict(type="list", elements="str", default=[]))
        super().__init__(spec, supports_check_mode=True, supports_tags=False, facts_module=True)

    def exec_module(self, **kwargs):
        group = kwargs["resource_group"]
        connections, gateways = self.list_group(group)
        wanted = set(kwargs["names"])
        shown = [public_view(c) for name, c in sorted(connections.items()) if not wanted or name in wanted]
        records = tunnel_records(kwargs["tunnels"], connections, gateways)
        if kwargs["merge_with"]:
            records = merge(kwargs["merge_with"], records)
        result = dict(changed=False, connections=shown, tunnels=records)
        if kwargs["gateway"]:
            result["routing"] = self.routing(group, kwargs["gateway"], kwargs["tunnels"], kwargs["expects"])
        return result

    def routing(self, group, name, tunnels, expects):
        """The gateway's BGP speakers: its instances and the VNet's router."""
        gateways = self.network_client.virtual_network_gateways
        try:
            gateway = gateways.get(group, name).as_dict()
        except ResourceNotFoundError:
            return bgp_speakers([], [], tunnels, 1, expects)
        try:
            peers = gateways.begin_get_bgp_peer_status(group, name).result()
            routes = gateways.begin_get_learned_routes(group, name).result()
        except HttpResponseError as exc:
            self.fail("Azure did not give gateway %s's BGP peers and learned routes: %s"
                      % (name, getattr(exc, "message", None) or exc))
        return bgp_speakers([p.as_dict() for p in (peers.value or [])] if peers else [],
                            [r.as_dict() for r in (routes.value or [])] if routes else [],
                            tunnels, max(1, len(gateway.get("ip_configurations") or [])), expects)

    def list_group(self, group):
        """({name: connection}, {name: local network gateway}) of the group, as_dict() forms."""
        client = self.network_client
        try:
            connections = {c.name: c.as_dict() for c in client.virtual_network_gateway_connections.list(group)}
            gateways = {g.name: g.as_dict() for g in client.local_network_gateways.list(group)}
        except ResourceNotFoundError:
            return {}, {}
        for conn in connections.values():
            conn.pop("shared_key", None)
        return connections, gateways


def main():
    AzureVpnConnectionInfo()


if __name__ == "__main__":
    main()

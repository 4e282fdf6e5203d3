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
seealso:
  - module: multicloud.vpnlab.azure_vpn_connection
"""

EXAMPLES = r"""
- name: Read the Azure side's view of the lab's tunnels
  multicloud.vpnlab.azure_vpn_connection_info:
    resource_group: "{{ vpnlab_plan.azure.resource_group }}"
    tunnels: "{{ vpnlab_plan.tunnels }}"
  register: azure_tunnels
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
"""

from ansible_collections.azure.azcollection.plugins.module_utils.azure_rm_common import AzureRMModuleBase
from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.connection import public_view
from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.evidence import merge, tunnel_records

try:
    from azure.core.exceptions import ResourceNotFoundError
except ImportError:  # AzureRMModuleBase reports the missing SDK
    ResourceNotFoundError = Exception


class AzureVpnConnectionInfo(AzureRMModuleBase):

    def __init__(self):
        spec = dict(resource_group=dict(type="str", required=True),
                    names=dict(type="list", elements="str", default=[]),
                    tunnels=dict(type="list", elements="dict", default=[]),
                    merge_with=dict(type="list", elements="dict", default=[]))
        super().__init__(spec, supports_check_mode=True, supports_tags=False, facts_module=True)

    def exec_module(self, **kwargs):
        group = kwargs["resource_group"]
        connections, gateways = self.list_group(group)
        wanted = set(kwargs["names"])
        shown = [public_view(c) for name, c in sorted(connections.items()) if not wanted or name in wanted]
        records = tunnel_records(kwargs["tunnels"], connections, gateways)
        if kwargs["merge_with"]:
            records = merge(kwargs["merge_with"], records)
        return dict(changed=False, connections=shown, tunnels=records)

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

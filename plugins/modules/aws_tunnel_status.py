#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: aws_tunnel_status
short_description: Read the AWS side's view of a VPN lab's tunnels (VgwTelemetry)
version_added: 0.1.0
description:
  - Cloud target - finds the lab's VPN connection (by O(vpn_connection_id), else by the lab's tags)
    and returns one record per planned tunnel with AWS's telemetry - status (V(up), V(down) or
    V(unknown)), outside IP, and as detail the status message, the time of the last status change
    and the number of accepted routes.
  - AWS keeps no byte counters in the telemetry, so C(bytes_in) and C(bytes_out) are null (unknown).
  - An endpoint that reports no telemetry (moto) gives V(unknown) with the reason in C(detail).
  - The BGP design (O(connections)) - finds each planned VPN connection of the lab by its C(Name)
    tag and returns one record per BGP session (four with two connections), and as C(routing) the
    VPC's route table as a BGP speaker - the routes the virtual private gateway propagated into it
    (C(Origin) C(EnableVgwRoutePropagation)) and each session's state from the telemetry (on a
    dynamic connection AWS reports a tunnel V(UP) only while its BGP session is established) with
    its accepted route count.
author:
  - multicloud.vpnlab contributors (@multicloud)
attributes:
  check_mode:
    support: full
    details: Read-only.
  diff_mode:
    support: N/A
    details: Read-only.
  idempotent:
    support: full
extends_documentation_fragment:
  - multicloud.vpnlab.attributes
  - multicloud.vpnlab.attributes.actiongroup_aws
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
options:
  lab:
    description: The lab's name (its C(vpnlab) tag), to find the VPN connection.
    type: str
    required: true
  vpn_connection_id:
    description: The VPN connection; found by the lab's tags when not given.
    type: str
  tunnels:
    description:
      - The planned tunnels (C(vpnlab_plan.tunnels)), each with C(name) and C(inside_cidr).
      - Required unless O(connections) is given.
    type: list
    elements: dict
  connections:
    description:
      - The BGP design's VPN connections (the plan's C(cloud.aws.bgp.connections)), each with
        C(vpn_connection) (its C(Name) tag) and C(sessions) (C(name), C(inside_cidr), C(peer_bgp_ip)).
    type: list
    elements: dict
  expects:
    description: With O(connections), the prefixes the VPC's route table should learn (the Azure VNet's).
    type: list
    elements: str
    default: []
seealso:
  - module: multicloud.vpnlab.aws_vpn_connection
"""

EXAMPLES = r"""
- name: Read the AWS tunnels' status
  multicloud.vpnlab.aws_tunnel_status:
    lab: "{{ vpnlab_plan.lab }}"
    tunnels: "{{ vpnlab_plan.tunnels }}"
    region: "{{ vpnlab_plan.aws.region }}"
  register: aws_tunnels

- name: Read the BGP design's sessions and the routes the VPC learned
  multicloud.vpnlab.aws_tunnel_status:
    lab: "{{ vpnlab_plan.lab }}"
    connections: "{{ vpnlab_plan.cloud.aws.bgp.connections }}"
    expects: ["{{ vpnlab_plan.azure.vnet_cidr }}"]
    region: "{{ vpnlab_plan.aws.region }}"
  register: aws_bgp
"""

RETURN = r"""
tunnels:
  description: One record per planned tunnel.
  returned: always
  type: list
  elements: dict
  sample:
    - {name: tunnel1, outside_ip: 3.120.1.10, status: up, bytes_in: null, bytes_out: null,
       source: "aws:VgwTelemetry", detail: "2 BGP ROUTES; status since 2026-11-29T10:00:00+00:00; 1 accepted routes"}
vpn_connection_id:
  description: The VPN connection read, if one was found (the first planned one with O(connections)).
  returned: always
  type: str
routing:
  description:
    - With O(connections), the AWS side's BGP speakers by name - C(vpc) with C(side), C(role),
      C(expects), C(sessions) (C(address), C(description), C(state), C(prefixes_received)) and
      C(routes) (C(prefix), C(next_hops)).
  returned: when O(connections) is given
  type: dict
  sample:
    vpc:
      side: aws
      role: router
      expects: [10.1.0.0/16]
      sessions:
        - {address: 169.254.21.2, description: vpn1-tunnel1, state: Established, prefixes_received: 1}
      routes:
        - {prefix: 10.1.0.0/16, next_hops: [vgw-0123456789abcdef0]}
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws import evidence
from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws import resources as lab_resources

try:
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError:
    pass  # AnsibleAWSModule reports the missing library


def find_connection(module, client):
    params = module.params
    if params["vpn_connection_id"]:
        found = client.describe_vpn_connections(VpnConnectionIds=[params["vpn_connection_id"]], aws_retry=True)
        return next(iter(found["VpnConnections"]), None)
    live = lab_resources.list_lab(client, params["lab"], kinds=("vpn_connection",))["vpn_connection"]
    if len(live) > 1:
        module.fail_json(msg="Lab %s has %d VPN connections; give vpn_connection_id" % (params["lab"], len(live)))
    return live[0] if live else None


def hide_keys(module, connection):
    for connection_tunnel in (connection or {}).get("Options", {}).get("TunnelOptions", []):
        if connection_tunnel.get("PreSharedKey"):
            module.no_log_values.add(connection_tunnel["PreSharedKey"])


def bgp_main(module, client):
    """The BGP design: each planned connection by its Name tag, the lab's route tables."""
    params = module.params
    try:
        found = lab_resources.list_lab(client, params["lab"], kinds=("vpn_connection", "route_table"))
    except (BotoCoreError, ClientError) as exc:
        module.fail_json_aws(exc, msg="Could not describe the lab's VPN connections and route tables")
    by_name = {lab_resources.tags_of(c).get("Name"): c for c in found["vpn_connection"]}
    connections = {c["vpn_connection"]: by_name.get(c["vpn_connection"]) for c in params["connections"]}
    for connection in connections.values():
        hide_keys(module, connection)
    first = connections.get(params["connections"][0]["vpn_connection"]) if params["connections"] else None
    module.exit_json(changed=False, tunnels=evidence.bgp_tunnel_records(connections, params["connections"]),
                     routing=evidence.bgp_speakers(connections, params["connections"], found["route_table"],
                                                   params["expects"]),
                     vpn_connection_id=(first or {}).get("VpnConnectionId"))


def main():
    argument_spec = dict(
        lab=dict(type="str", required=True),
        vpn_connection_id=dict(type="str"),
        tunnels=dict(type="list", elements="dict"),
        connections=dict(type="list", elements="dict"),
        expects=dict(type="list", elements="str", default=[]),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True,
                              required_one_of=[("tunnels", "connections")],
                              mutually_exclusive=[("tunnels", "connections")])
    client = module.client("ec2", retry_decorator=AWSRetry.jittered_backoff())
    if module.params["connections"] is not None:
        bgp_main(module, client)
    try:
        connection = find_connection(module, client)
    except (BotoCoreError, ClientError) as exc:
        module.fail_json_aws(exc, msg="Could not describe the lab's VPN connection")
    hide_keys(module, connection)
    module.exit_json(changed=False, tunnels=evidence.tunnel_records(connection, module.params["tunnels"]),
                     vpn_connection_id=(connection or {}).get("VpnConnectionId"))


if __name__ == "__main__":
    main()

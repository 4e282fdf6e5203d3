#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: local_vpn_connection
short_description: Create the local lab's emulated AWS VPN connection (DescribeVpnConnections shape)
version_added: 0.1.0
description:
  - Local target only. Stands for C(CreateVpnConnection) - it writes the lab's VPN connection, as
    AWS's C(DescribeVpnConnections) would return it (C(Options.TunnelOptions) and the
    C(CustomerGatewayConfiguration) XML), to C(<state_dir>/vpn-connection.json) (mode 0600).
  - Pre-shared keys are generated like AWS does (32 of V([A-Za-z0-9._]), not starting with V(0))
    unless given, and kept across runs. They are never returned.
  - Read the file back with M(multicloud.vpnlab.tunnel_options) in a C(no_log) task.
  - With O(vgw), also does what AWS does behind C(CreateVpnConnection) - it brings up the VGW's
    two tunnel endpoints (strongSwan in the VGW's namespace, answering on each tunnel's outside
    address), from the same normalised tunnels M(multicloud.vpnlab.tunnel_options) returns.
author:
  - multicloud.vpnlab contributors (@multicloud)
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
    details: The file holds secrets, so no diff is shown.
  idempotent:
    support: full
extends_documentation_fragment:
  - multicloud.vpnlab.attributes
options:
  plan:
    description: The lab plan (C(vpnlab_plan)) of a local lab.
    type: dict
    required: true
  pre_shared_keys:
    description:
      - Pre-shared keys for tunnel 1 and 2 (in the BGP design the four tunnels, in the plan's
        order); missing or empty entries are generated (or kept).
    type: list
    elements: str
    default: []
  state_dir:
    description: The lab's state directory (created mode 0700).
    type: path
    required: true
  vgw:
    description: Bring up the VGW's tunnel endpoints as well.
    type: dict
    suboptions:
      netns:
        description: The VGW's network namespace.
        type: str
        required: true
      directory:
        description: The VGW's strongSwan directory.
        type: path
        required: true
requirements:
  - vici (strongSwan's Python package), with O(vgw)
seealso:
  - module: multicloud.vpnlab.tunnel_options
  - module: multicloud.vpnlab.lab_plan
"""

EXAMPLES = r"""
- name: Create the emulated AWS VPN connection
  multicloud.vpnlab.local_vpn_connection:
    plan: "{{ vpnlab_plan }}"
    pre_shared_keys: "{{ vpnlab_tunnel_psks | default([]) }}"
    state_dir: "{{ vpnlab_plan.state_dir }}"
    vgw:
      netns: "{{ vpnlab_plan.local.netns.vgw }}"
      directory: "{{ vpnlab_plan.state_dir }}/gateways/aws"
  no_log: true
"""

RETURN = r"""
vpn_connection_id:
  description: The connection's id.
  returned: always
  type: str
  sample: vpn-0b1c2d3e4f5a6b7c8
vpn_connection_ids:
  description: The ids of the lab's VPN connections (two in the BGP design, one otherwise).
  returned: always
  type: list
  elements: str
  sample: [vpn-0b1c2d3e4f5a6b7c8]
path:
  description:
    - The file holding the DescribeVpnConnections element (secrets inside, mode 0600).
    - With the plan's routing V(bgp), C(<state_dir>/vpn-connections.json), a list of the two
      VPN connections of the BGP design (one per Azure gateway instance, two tunnels each,
      dynamic routing).
  returned: always
  type: str
  sample: /root/.vpnlab/vpntest/vpn-connection.json
tunnels:
  description: With O(vgw), the state of the VGW's tunnels (no secrets).
  returned: when O(vgw) is given
  type: list
  elements: dict
  sample: [{name: tunnel1, outside_ip: 198.51.100.10, status: up}]
"""

import json
import os

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.charon import (
    HAS_VICI, VICI_IMPORT_ERROR, Charon, CharonError, converge_gateway,
)
from ansible_collections.multicloud.vpnlab.plugins.module_utils.files import update
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.swan import SwanConfigError
from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws.tunnels import (
    TunnelOptionsError, vpn_connection_facts,
)
from ansible_collections.multicloud.vpnlab.plugins.module_utils.psk import generate_psk
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.vpnconn import (
    BGP_FILE, FILE, describe_bgp_vpn_connections, describe_vpn_connection,
)


def current_psks(path):
    """The PSKs in the existing file (one connection, or the BGP design's list), so that
    re-runs keep them."""
    try:
        with open(path) as handle:
            document = json.load(handle)
        connections = document if isinstance(document, list) else [document]
        return [t.get("PreSharedKey") for c in connections for t in c["Options"]["TunnelOptions"]]
    except (OSError, ValueError, KeyError, TypeError):
        return []


def choose_psks(given, existing, count):
    return [(given[i] if i < len(given) and given[i] else None)
            or (existing[i] if i < len(existing) and existing[i] else None)
            or generate_psk() for i in range(count)]


def ensure_present(module):
    params = module.params
    plan = params["plan"]
    if plan.get("target") != "local" or "local" not in plan:
        module.fail_json(msg="local_vpn_connection needs the plan of a local lab")
    bgp = (plan.get("routing") or {}).get("mode") == "bgp"
    path = os.path.join(params["state_dir"], BGP_FILE if bgp else FILE)
    count = len(plan["local"]["bgp"]["tunnels"]) if bgp else len(plan["tunnels"])
    psks = choose_psks(params["pre_shared_keys"], current_psks(path), count)
    for psk in psks:
        module.no_log_values.add(psk)
    connections = describe_bgp_vpn_connections(plan, psks) if bgp else [describe_vpn_connection(plan, psks)]
    document = json.dumps(connections if bgp else connections[0], indent=2, sort_keys=True) + "\n"
    if not module.check_mode:
        os.makedirs(params["state_dir"], mode=0o700, exist_ok=True)
    changed = update(path, document, module.check_mode)
    result = dict(path=path, vpn_connection_id=connections[0]["VpnConnectionId"],
                  vpn_connection_ids=[c["VpnConnectionId"] for c in connections])
    if params["vgw"]:
        vgw_changed, result["tunnels"] = bring_up_vgw(module, connections, plan)
        changed = changed or vgw_changed
    module.exit_json(changed=changed, **result)


def bring_up_vgw(module, connections, plan):
    """The VGW's side of each tunnel, as AWS configures it behind CreateVpnConnection. In the
    BGP design the VGW holds the four tunnels of both connections, each named and given its
    selectors by the plan, and routes nothing itself: its routes are learned."""
    if not HAS_VICI:
        module.fail_json(msg=missing_required_lib("vici"), exception=VICI_IMPORT_ERROR)
    charon = Charon(module.params["vgw"]["directory"], module.params["vgw"]["netns"])
    bgp = plan["local"].get("bgp")
    try:
        tunnels = [t for c in connections for t in vpn_connection_facts(c)["tunnels"]]
        return converge_gateway(charon, tunnels, "aws", plan["aws"]["vpc_cidr"],
                                plan["azure"]["vnet_cidr"], module.check_mode,
                                selectors=bgp["selectors"]["aws"] if bgp else None,
                                install_routes=not bgp)
    except (CharonError, SwanConfigError, TunnelOptionsError, OSError) as exc:
        module.fail_json(msg="could not bring up the VGW: %s" % exc)


def module_spec():
    """AnsibleModule's arguments: the module's, and its action plugin's (which runs run()
    in the controller's process, plugins/plugin_utils/in_process.py)."""
    return dict(
        argument_spec=dict(
            plan=dict(type="dict", required=True),
            pre_shared_keys=dict(type="list", elements="str", default=[], no_log=True),
            state_dir=dict(type="path", required=True),
            vgw=dict(type="dict", options=dict(netns=dict(type="str", required=True),
                                               directory=dict(type="path", required=True))),
        ),
        supports_check_mode=True,
    )


def run(module):
    ensure_present(module)


def main():
    run(AnsibleModule(**module_spec()))


if __name__ == "__main__":
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: local_netns
short_description: Converge the network namespaces of the local lab (links, addresses, routes, NAT)
version_added: 0.1.0
description:
  - Local target only. Creates the network namespaces that stand for the clouds' objects and
    adds what each spec lists and is missing - bridges, veth pairs into other lab namespaces,
    IPv4 addresses, routes, IPv4 forwarding - and replaces the nftables tables it names.
  - Specs are additive, so several roles can each add their part to one namespace; nothing not
    listed is removed. M(multicloud.vpnlab.local_teardown) removes whole namespaces.
  - Never links a lab namespace to the host's own network namespace.
  - The specs come from the plan (C(vpnlab_plan.local.network.<role>)).
author:
  - multicloud.vpnlab contributors (@multicloud)
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
    details: The C(actions) result lists every change instead.
  idempotent:
    support: full
extends_documentation_fragment:
  - multicloud.vpnlab.attributes
options:
  namespaces:
    description:
      - Namespace specs, each with C(name) and optionally C(links) (each C(ifname), C(kind)
        V(bridge) or V(veth) or omitted for an existing link, C(addresses), and for a veth its
        C(peer) with C(netns), C(ifname), optional C(master) bridge and C(addresses)), C(routes)
        (C(dst), C(gateway)), C(forwarding) and C(nftables) (table name to rules).
    type: list
    elements: dict
    required: true
requirements:
  - pyroute2
  - iproute2 and nftables on the host
seealso:
  - module: multicloud.vpnlab.lab_plan
  - module: multicloud.vpnlab.local_teardown
"""

EXAMPLES = r"""
- name: Build the emulated Azure VNet router and VPN gateway namespaces
  multicloud.vpnlab.local_netns:
    namespaces: "{{ vpnlab_plan.local.network.azure_vnet }}"

- name: Two namespaces joined by a veth pair
  multicloud.vpnlab.local_netns:
    namespaces:
      - name: demo-a
      - name: demo-b
        forwarding: true
        links:
          - ifname: eth0
            kind: veth
            addresses: [192.168.50.2/24]
            peer: {netns: demo-a, ifname: eth0, addresses: [192.168.50.1/24]}
        routes:
          - {dst: 0.0.0.0/0, gateway: 192.168.50.1}
"""

RETURN = r"""
actions:
  description: What was added (or would be, in check mode), one line each.
  returned: always
  type: list
  elements: str
  sample: ["vpnlab-vpntest.azr: create namespace", "vpnlab-vpntest.azr: add bridge br0"]
"""

import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.netns import (
    Driver, converge,
)
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.netlink import (
    HAS_PYROUTE2, PYROUTE2_IMPORT_ERROR, NetlinkError,
)


def ensure_present(module):
    driver = Driver(module.run_command)
    try:
        actions = converge(module.params["namespaces"], driver, module.check_mode)
    except (RuntimeError, OSError, ValueError, NetlinkError) as exc:
        module.fail_json(msg="could not converge the lab namespaces: %s" % exc,
                         exception=traceback.format_exc())
    module.exit_json(changed=bool(actions), actions=actions)


def module_spec():
    """AnsibleModule's arguments: the module's, and its action plugin's (which runs run()
    in the controller's process, plugins/plugin_utils/in_process.py)."""
    return dict(
        argument_spec=dict(namespaces=dict(type="list", elements="dict", required=True)),
        supports_check_mode=True,
    )


def run(module):
    if not HAS_PYROUTE2:
        module.fail_json(msg=missing_required_lib("pyroute2"), exception=PYROUTE2_IMPORT_ERROR)
    ensure_present(module)


def main():
    run(AnsibleModule(**module_spec()))


if __name__ == "__main__":
    main()

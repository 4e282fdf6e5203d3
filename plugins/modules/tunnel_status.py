#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: tunnel_status
short_description: Read the status and ESP byte counters of the lab's VPN tunnels
version_added: 0.1.0
description:
  - Local target - asks the emulated Azure VPN gateway's strongSwan (over VICI) for each
    connection's state and the byte counters of its CHILD SAs.
  - Read-only; the connectivity check reads it before and after its probes to show that private
    traffic went through the tunnels and public traffic did not.
author:
  - multicloud.vpnlab contributors (@multicloud)
attributes:
  check_mode:
    support: full
    description: Read-only, runs in check mode too.
  diff_mode:
    support: none
    description: Read-only.
  idempotent:
    support: full
    description: Read-only.
options:
  netns:
    description: The gateway's network namespace.
    type: str
    required: true
  directory:
    description: The gateway's directory (with its VICI socket), as given to M(multicloud.vpnlab.local_gateway).
    type: path
    required: true
requirements:
  - vici (strongSwan's Python package)
seealso:
  - module: multicloud.vpnlab.local_gateway
"""

EXAMPLES = r"""
- name: Read the tunnel counters
  multicloud.vpnlab.tunnel_status:
    netns: vpnlab-vpntest.azgw
    directory: /root/.vpnlab/vpntest/gateways/azure
  register: tunnels
"""

RETURN = r"""
tunnels:
  description: One entry per tunnel.
  returned: always
  type: list
  elements: dict
  sample: [{name: tunnel1, outside_ip: 203.0.113.10, status: up, bytes_in: 8400, bytes_out: 8400}]
"""

import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.charon import (
    HAS_VICI, VICI_IMPORT_ERROR, Charon, CharonError,
)


def read_status(module):
    charon = Charon(module.params["directory"], module.params["netns"])
    if not charon.pid():
        module.fail_json(msg="no VPN gateway runs in %s (is the lab built?)" % module.params["netns"])
    try:
        tunnels = charon.status(charon.loaded_conns())
    except (CharonError, OSError) as exc:
        module.fail_json(msg="could not read the tunnels: %s" % exc, exception=traceback.format_exc())
    module.exit_json(changed=False, tunnels=tunnels)


def main():
    module = AnsibleModule(
        argument_spec=dict(netns=dict(type="str", required=True),
                           directory=dict(type="path", required=True)),
        supports_check_mode=True,
    )
    if not HAS_VICI:
        module.fail_json(msg=missing_required_lib("vici"), exception=VICI_IMPORT_ERROR)
    read_status(module)


if __name__ == "__main__":
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""local_bgp: the local lab's BGP speakers (FRR) for vpnlab_routing=bgp."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: local_bgp
short_description: Run the local lab's BGP speakers (FRR) and wait for their sessions
version_added: 0.1.0
description:
  - Local target only, with the plan's routing V(bgp). Runs one BGP speaker (FRR's C(zebra) and
    C(bgpd)) per entry of O(speakers) - the plan's C(local.bgp.speakers) - in its lab network
    namespace, configured from the plan alone, and routes each session's peer through the
    tunnel device of its gateway (C(ipsec0)).
  - The Azure gateway instances and the VGW speak external BGP over the tunnels; the VNet router
    learns the VPC's prefix from the instances and the VPC router the VNet's from the VGW
    (internal BGP), so no route to the other cloud is typed anywhere.
  - Waits until every session is established and every speaker has learned the other cloud's
    prefix (the VNet router through every gateway instance); fails naming each one that is not.
  - FRR runs in a private mount namespace; its files stay in each speaker's directory.
author:
  - multicloud.vpnlab contributors (@multicloud)
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  idempotent:
    support: full
    details: Speakers running with the same configuration are left alone.
extends_documentation_fragment:
  - multicloud.vpnlab.attributes
options:
  speakers:
    description: The plan's C(local.bgp.speakers) - by name, C(netns), C(directory), C(asn),
      C(router_id), C(neighbors), C(networks) and C(peer_routes) each; C(expects) (the
      prefixes to wait for) and C(expects_via) (the next hops to wait for them through).
    type: dict
    required: true
  wait_timeout:
    description: Seconds to wait for every session to be established.
    type: int
    default: 60
  state:
    description: V(started) runs the speakers; V(stopped) stops them.
    type: str
    choices: [started, stopped]
    default: started
requirements:
  - frr (zebra, bgpd, vtysh) on the host
  - pyroute2
seealso:
  - module: multicloud.vpnlab.local_gateway
"""

EXAMPLES = r"""
- name: Start the BGP speakers and wait for their sessions
  multicloud.vpnlab.local_bgp:
    speakers: "{{ vpnlab_plan.local.bgp.speakers }}"
"""

RETURN = r"""
speakers:
  description: Per speaker, its sessions and the routes it learned (empty in check mode and when stopped).
  returned: always
  type: dict
  sample:
    vnet:
      sessions: [{address: 10.1.0.4, state: Established, remote_asn: 65515, description: instance0,
                  prefixes_received: 1, up_seconds: 12}]
      routes: [{prefix: 10.2.0.0/16, next_hops: [10.1.0.4, 10.1.0.5], interfaces: [gws], installed: true}]
"""

import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.bgpd import (
    BgpdError, converge_speakers, stop_speakers,
)
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.frr import FrrConfigError
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.netlink import (
    HAS_PYROUTE2, PYROUTE2_IMPORT_ERROR,
)


def module_spec():
    """AnsibleModule's arguments: the module's, and its action plugin's (which runs run()
    in the controller's process, plugins/plugin_utils/in_process.py)."""
    return dict(
        argument_spec=dict(
            speakers=dict(type="dict", required=True),
            wait_timeout=dict(type="int", default=60),
            state=dict(type="str", choices=["started", "stopped"], default="started"),
        ),
        supports_check_mode=True,
    )


def run(module):
    if not HAS_PYROUTE2:
        module.fail_json(msg=missing_required_lib("pyroute2"), exception=PYROUTE2_IMPORT_ERROR)
    params = module.params
    try:
        if params["state"] == "stopped":
            changed = stop_speakers(params["speakers"]) if not module.check_mode else False
            module.exit_json(changed=changed, speakers={})
        changed, found = converge_speakers(params["speakers"], params["wait_timeout"], module.check_mode)
    except (BgpdError, FrrConfigError, OSError) as exc:
        module.fail_json(msg=str(exc), exception=traceback.format_exc())
    module.exit_json(changed=changed, speakers=found)


def main():
    run(AnsibleModule(**module_spec()))


if __name__ == "__main__":
    main()

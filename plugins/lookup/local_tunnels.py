# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: local_tunnels
short_description: Read the local lab's tunnel status and ESP counters on the controller
version_added: 0.1.0
description:
  - Local target only, where the lab runs on the controller. Asks the emulated Azure VPN
    gateway's strongSwan (over VICI) for each tunnel's state and CHILD SA byte counters, as
    M(multicloud.vpnlab.tunnel_status) does, but without a module round trip, so that the
    connectivity check can read the counters between its probe phases at almost no cost.
author:
  - multicloud.vpnlab contributors (@multicloud)
options:
  _terms:
    description: The gateway's directory (with its VICI socket).
    required: true
    type: list
    elements: path
  netns:
    description: The gateway's network namespace.
    type: str
    required: true
requirements:
  - vici (strongSwan's Python package) on the controller
"""

EXAMPLES = r"""
- name: Read the tunnels
  ansible.builtin.set_fact:
    tunnels: "{{ lookup('multicloud.vpnlab.local_tunnels', '/root/.vpnlab/vpntest/gateways/azure',
                        netns='vpnlab-vpntest.azgw') }}"
"""

RETURN = r"""
_raw:
  description: One dict per tunnel - name, outside_ip, local_ip, status, bytes_in, bytes_out, packets_in, packets_out.
  type: list
  elements: dict
"""

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.charon import (
    HAS_VICI, Charon, CharonError,
)


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        if not HAS_VICI:
            raise AnsibleLookupError("the local_tunnels lookup needs the vici Python package")
        tunnels = []
        for directory in terms:
            charon = Charon(directory, self.get_option("netns"))
            if not charon.pid():
                raise AnsibleLookupError("no VPN gateway runs in %s (is the lab built?)"
                                         % self.get_option("netns"))
            try:
                tunnels.extend(charon.status(charon.loaded_conns()))
            except (CharonError, OSError) as exc:
                raise AnsibleLookupError("could not read the tunnels: %s" % exc) from None
        # One list of tunnels, not a list of lists: callers use wantlist semantics anyway.
        return [tunnels]

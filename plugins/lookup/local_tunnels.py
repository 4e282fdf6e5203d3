# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: local_tunnels
short_description: Read the local lab's tunnel evidence (status, ESP counters) on the controller
version_added: 0.1.0
description:
  - Local target only, where the lab runs on the controller. Asks the emulated Azure VPN
    gateway's strongSwan (over VICI) for each tunnel's state and CHILD SA byte counters, without
    a module round trip, so that the connectivity check can read the counters between its probe
    phases at almost no cost.
  - Returns the connectivity check's tunnel evidence records (see the role's README), one per
    expected tunnel and per other connection the gateway has loaded. A gateway that is not
    running, or a tunnel it has not loaded, is reported V(down) with the reason in C(detail)
    rather than failing, so the check can say what is wrong.
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
  expected:
    description:
      - The tunnels the lab should have, tunnel name to the peer's outside address; they are
        always reported, up or not.
    type: dict
    default: {}
requirements:
  - vici (strongSwan's Python package) on the controller
"""

EXAMPLES = r"""
- name: Read the tunnels
  ansible.builtin.set_fact:
    tunnels: "{{ lookup('multicloud.vpnlab.local_tunnels', '/root/.vpnlab/vpntest/gateways/azure',
                        netns='vpnlab-vpntest.azgw',
                        expected={'tunnel1': '203.0.113.10', 'tunnel2': '203.0.113.11'}) }}"
"""

RETURN = r"""
_raw:
  description:
    - One record per tunnel - C(name), C(outside_ip), C(status) (V(up) or V(down)),
      C(bytes_in) and C(bytes_out) (ESP bytes as seen by the Azure side, from and to AWS; null
      when unknown), C(source), C(detail); also C(local_ip), C(packets_in), C(packets_out) when
      the gateway runs.
  type: list
  elements: dict
"""

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.charon import (
    HAS_VICI, Charon, CharonError, evidence,
)


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        if not HAS_VICI:
            raise AnsibleLookupError("the local_tunnels lookup needs the vici Python package")
        tunnels = []
        for directory in terms:
            try:
                expected = [{"name": name, "outside_ip": ip}
                            for name, ip in sorted(self.get_option("expected").items())]
                tunnels.extend(evidence(Charon(directory, self.get_option("netns")), expected))
            except (CharonError, OSError) as exc:
                raise AnsibleLookupError("could not read the tunnels: %s" % exc) from None
        # One list of tunnels, not a list of lists: callers use wantlist semantics anyway.
        return [tunnels]

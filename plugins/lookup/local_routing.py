# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""local_routing lookup: what the local lab's BGP speakers learned, read on the controller."""

from __future__ import annotations

DOCUMENTATION = r"""
---
name: local_routing
short_description: Read what the local lab's BGP speakers learned (sessions, routes) on the controller
version_added: 0.1.0
description:
  - Local target with C(vpnlab_routing=bgp), where the lab runs on the controller. Asks each BGP
    speaker (FRR, through C(vtysh) in its namespace) for its sessions and the routes it learned,
    for the connectivity check's report, without a module round trip.
  - A speaker that does not answer is reported with no session and no route, so the report
    says what it has not learned rather than the check failing.
author:
  - multicloud.vpnlab contributors (@multicloud)
options:
  speakers:
    description: The plan's C(local.bgp.speakers) - by name C(netns), C(directory), C(side), C(role), C(expects),
      C(expects_via).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Read the routes each BGP speaker learned
  ansible.builtin.set_fact:
    routing:
      mode: bgp
      speakers: "{{ lookup('multicloud.vpnlab.local_routing', speakers=vpnlab_plan.local.bgp.speakers) }}"
"""

RETURN = r"""
_raw:
  description:
    - By speaker name - C(side), C(role), C(expects), C(expects_via), C(sessions) (C(address), C(description), C(state),
      C(prefixes_received), ...) and C(routes) (C(prefix), C(next_hops), C(interfaces), C(installed)).
  type: list
  elements: dict
"""

from ansible.plugins.lookup import LookupBase

from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.bgpd import BgpdError, Speaker, evidence


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        found = {}
        for name, spec in sorted(self.get_option("speakers").items()):
            try:
                learned = evidence(Speaker(spec["directory"], spec["netns"]))
            except (BgpdError, OSError):
                learned = {"sessions": [], "routes": []}
            found[name] = dict(learned, side=spec.get("side"), role=spec.get("role"), expects=spec.get("expects") or [],
                               expects_via=spec.get("expects_via") or [])
        return [found]

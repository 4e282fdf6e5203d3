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
    required: false
    type: list
    elements: path
  netns:
    description: The gateway's network namespace (with O(_terms)).
    type: str
  gateways:
    description:
      - Several gateways instead of O(_terms), O(netns) and O(expected) - each C(directory),
        C(netns) and C(expected) (the plan's C(local.azure_gateways) - one, or the BGP design's
        two instances); their tunnels come in one list.
      - A gateway with C(counters) (the BGP design's - tunnel name to its nftables counters)
        adds to each tunnel the traffic of its BGP session so far, C(control_bytes_in) and
        C(control_bytes_out), which the check leaves out of the tunnel's growth.
    type: list
    elements: dict
    default: []
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

import json
import subprocess

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.bgp_topology import COUNTERS_TABLE, control_bytes
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.charon import (
    HAS_VICI, Charon, CharonError, evidence,
)


CONSISTENT_READS = 5


def _control(gateway):
    """The BGP sessions' own traffic per tunnel (the instance's nftables counters,
    bgp_topology.control_bytes), {} when they cannot be read: the tunnel's growth then counts
    it as the probes' (the check may say so)."""
    done = subprocess.run(["ip", "netns", "exec", gateway["netns"], "nft", "-j", "list", "counters", "table", "ip",
                           COUNTERS_TABLE], capture_output=True, text=True, timeout=30, check=False)
    try:
        return control_bytes(json.loads(done.stdout), gateway["counters"]) if done.returncode == 0 else {}
    except ValueError:
        return {}


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        if not HAS_VICI:
            raise AnsibleLookupError("the local_tunnels lookup needs the vici Python package")
        gateways = [{"directory": d, "netns": self.get_option("netns"), "expected": self.get_option("expected")}
                    for d in terms or ()] + list(self.get_option("gateways"))
        if any(not g.get("netns") for g in gateways):
            raise AnsibleLookupError("local_tunnels: each gateway needs its network namespace (netns)")
        tunnels = []
        for gateway in gateways:
            expected = [{"name": name, "outside_ip": ip}
                        for name, ip in sorted((gateway.get("expected") or {}).items())]
            counted = bool(gateway.get("counters"))
            # The sessions' counters around the tunnels': a keepalive between the two reads
            # would count in one and not in the other, so they are read again until they agree.
            for dummy in range(CONSISTENT_READS):
                control = _control(gateway) if counted else {}
                try:
                    found = evidence(Charon(gateway["directory"], gateway["netns"]), expected)
                except (CharonError, OSError) as exc:
                    raise AnsibleLookupError("could not read the tunnels: %s" % exc) from None
                if not counted or _control(gateway) == control:
                    break
            for tunnel in found:
                tunnel.update(control.get(tunnel["name"], {}))
            tunnels.extend(found)
        # One list of tunnels, not a list of lists: callers use wantlist semantics anyway.
        return [tunnels]

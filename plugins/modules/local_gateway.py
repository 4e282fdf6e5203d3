#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: local_gateway
short_description: Run a strongSwan VPN gateway in a lab network namespace and load its tunnels
version_added: 0.1.0
description:
  - Local target only. Runs one strongSwan C(charon) inside a lab network namespace, with its own
    configuration, VICI socket and a private C(/run), and userspace ESP (C(kernel-libipsec)), so
    it works on kernels without ESP, VTI or XFRM interfaces.
  - With O(tunnels) (the output of M(multicloud.vpnlab.tunnel_options)), loads one IKEv2
    connection per tunnel, pre-shared keys first; on the V(azure) side it initiates them and
    waits until they are up (AWS never initiates IKE).
  - The pre-shared keys are never returned and never logged; still set C(no_log) on the task,
    as for every task that handles them.
author:
  - multicloud.vpnlab contributors (@multicloud)
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  idempotent:
    support: full
    details: A running gateway with the same tunnels loaded and up is left alone.
extends_documentation_fragment:
  - multicloud.vpnlab.attributes
options:
  netns:
    description: The lab network namespace to run in.
    type: str
    required: true
  directory:
    description: Directory (created mode 0700) for strongswan.conf, the VICI socket, PID and log.
    type: path
    required: true
  side:
    description: V(azure) (initiator, the customer gateway) or V(aws) (responder, the VGW).
    type: str
    required: true
    choices: [azure, aws]
  tunnels:
    description: Normalised tunnels as returned by M(multicloud.vpnlab.tunnel_options).
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Tunnel name, also the connection name.
        type: str
        required: true
      outside_ip_address:
        description: The AWS side's outside address.
        type: str
        required: true
      cgw_outside_address:
        description: The customer (Azure) gateway's outside address.
        type: str
        required: true
      pre_shared_key:
        description: The tunnel's pre-shared key.
        type: str
        required: true
      ike_versions:
        description: Allowed IKE versions; must contain V(ikev2).
        type: list
        elements: str
        required: true
      phase1:
        description: Phase 1 algorithms (C(encryption_algorithms), C(integrity_algorithms), C(dh_group_numbers), C(lifetime_seconds)).
        type: dict
        required: true
      phase2:
        description: Phase 2 algorithms, same keys as O(tunnels[].phase1).
        type: dict
        required: true
      tunnel_inside_cidr:
        description: Inside CIDR (informational here).
        type: str
      vgw_inside_address:
        description: Informational.
        type: str
      cgw_inside_address:
        description: Informational.
        type: str
      dpd_timeout_seconds:
        description: The AWS side's DPD timeout; on the V(aws) side the shortest one is the default of O(dpd_timeout).
        type: int
      dpd_timeout_action:
        description: Informational.
        type: str
      tcp_mss_adjustment:
        description: Informational; the gateways clamp MSS with nftables.
        type: int
      source:
        description: Informational.
        type: str
  local_ts:
    description: This side's traffic selector (its VNet or VPC CIDR). Required with O(tunnels).
    type: str
  remote_ts:
    description: The other side's traffic selector. Required with O(tunnels).
    type: str
  selectors:
    description:
      - The BGP design's tunnels (the plan's C(local.bgp.selectors.<side>)), keyed by a tunnel's
        inside CIDR - C(name) (the tunnel's name in the lab, V(vpn2-tunnel1)), C(local) and
        C(remote) (the session's inside addresses and the clouds' prefixes) replace
        O(local_ts) and O(remote_ts) for that tunnel.
    type: dict
  install_routes:
    description:
      - Let charon route each tunnel's remote selectors into the tunnel (the static design). The
        BGP design sets V(false) - its routes are learned. Changing it restarts the charon.
    type: bool
    default: true
  dpd_timeout:
    description:
      - Seconds after which this gateway declares a silent peer dead (dead peer detection), so
        that traffic moves to the other tunnel. Its DPD delay (a third of it) and charon's
        retransmission settings are derived from it. At least 9 (Azure allows 9-3600).
      - Defaults to 45 (Azure's default) on the V(azure) side, and on the V(aws) side to the
        tunnels' shortest O(tunnels[].dpd_timeout_seconds), else 30 (AWS's default and minimum).
      - Changing it restarts the gateway's charon.
    type: int
  wait_timeout:
    description: Seconds to wait for the tunnels to come up (V(azure) side).
    type: int
    default: 30
  state:
    description: V(started) runs the gateway; V(stopped) stops it.
    type: str
    choices: [started, stopped]
    default: started
requirements:
  - strongswan-charon, libcharon-extra-plugins (kernel-libipsec) on the host
  - vici (strongSwan's Python package)
seealso:
  - module: multicloud.vpnlab.tunnel_options
  - plugin: multicloud.vpnlab.local_tunnels
    plugin_type: lookup
"""

EXAMPLES = r"""
- name: Start the emulated Azure VPN gateway (no tunnels yet)
  multicloud.vpnlab.local_gateway:
    netns: vpnlab-vpntest.azgw
    directory: /root/.vpnlab/vpntest/gateways/azure
    side: azure

- name: Read the AWS VPN connection (PSKs in the result)
  multicloud.vpnlab.tunnel_options:
    vpn_connection: "{{ vpn_connection }}"
  register: vpn
  no_log: true

- name: Connect the Azure gateway to both AWS tunnels
  multicloud.vpnlab.local_gateway:
    netns: vpnlab-vpntest.azgw
    directory: /root/.vpnlab/vpntest/gateways/azure
    side: azure
    tunnels: "{{ vpn.tunnels }}"
    local_ts: 10.1.0.0/16
    remote_ts: 10.2.0.0/16
  no_log: true
"""

RETURN = r"""
pid:
  description: PID of the gateway's charon (null when stopped).
  returned: always
  type: int
  sample: 12345
tunnels:
  description: Status of each loaded tunnel (no secrets).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Tunnel (connection) name.
      type: str
      sample: tunnel1
    outside_ip:
      description: The peer's outside address.
      type: str
      sample: 203.0.113.10
    status:
      description: V(up) when the IKE SA is established and a CHILD SA installed.
      type: str
      sample: up
    bytes_in:
      description: ESP bytes received on the tunnel's CHILD SAs.
      type: int
    bytes_out:
      description: ESP bytes sent on the tunnel's CHILD SAs.
      type: int
"""

import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.charon import (
    HAS_VICI, VICI_IMPORT_ERROR, Charon, CharonError, converge_gateway,
)
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.swan import SwanConfigError

TUNNEL_OPTIONS = dict(
    name=dict(type="str", required=True),
    outside_ip_address=dict(type="str", required=True),
    cgw_outside_address=dict(type="str", required=True),
    pre_shared_key=dict(type="str", required=True, no_log=True),
    ike_versions=dict(type="list", elements="str", required=True),
    phase1=dict(type="dict", required=True),
    phase2=dict(type="dict", required=True),
    tunnel_inside_cidr=dict(type="str"),
    vgw_inside_address=dict(type="str"),
    cgw_inside_address=dict(type="str"),
    dpd_timeout_seconds=dict(type="int"),
    dpd_timeout_action=dict(type="str"),
    tcp_mss_adjustment=dict(type="int"),
    source=dict(type="str"),
)


def ensure_present(module):
    params = module.params
    charon = Charon(params["directory"], params["netns"])
    changed, status = converge_gateway(charon, params["tunnels"], params["side"],
                                       params["local_ts"], params["remote_ts"],
                                       module.check_mode, params["wait_timeout"],
                                       params["dpd_timeout"], params["selectors"], params["install_routes"])
    module.exit_json(changed=changed, pid=charon.pid(), tunnels=status)


def ensure_absent(module):
    charon = Charon(module.params["directory"], module.params["netns"])
    pid = charon.pid()
    if pid and not module.check_mode:
        charon.stop()
    module.exit_json(changed=bool(pid), pid=None, tunnels=[])


def module_spec():
    """AnsibleModule's arguments: the module's, and its action plugin's (which runs run()
    in the controller's process, plugins/plugin_utils/in_process.py)."""
    return dict(
        argument_spec=dict(
            netns=dict(type="str", required=True),
            directory=dict(type="path", required=True),
            side=dict(type="str", required=True, choices=["azure", "aws"]),
            tunnels=dict(type="list", elements="dict", default=[], options=TUNNEL_OPTIONS),
            local_ts=dict(type="str"),
            remote_ts=dict(type="str"),
            wait_timeout=dict(type="int", default=30),
            dpd_timeout=dict(type="int"),
            selectors=dict(type="dict"),
            install_routes=dict(type="bool", default=True),
            state=dict(type="str", choices=["started", "stopped"], default="started"),
        ),
        supports_check_mode=True,
    )


def run(module):
    if not HAS_VICI:
        module.fail_json(msg=missing_required_lib("vici"), exception=VICI_IMPORT_ERROR)
    try:
        if module.params["state"] == "stopped":
            ensure_absent(module)
        if (module.params["tunnels"] and not module.params["selectors"]
                and not (module.params["local_ts"] and module.params["remote_ts"])):
            module.fail_json(msg="local_ts and remote_ts are required with tunnels")
        ensure_present(module)
    except (CharonError, SwanConfigError, OSError) as exc:
        module.fail_json(msg=str(exc), exception=traceback.format_exc())


def main():
    run(AnsibleModule(**module_spec()))


if __name__ == "__main__":
    main()

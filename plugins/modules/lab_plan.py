#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: lab_plan
short_description: Validate the VPN lab inputs and derive its names, tags and addresses
version_added: 0.1.0
description:
  - Takes the lab-wide C(vpnlab_*) inputs and returns one plan dict that every role of the
    collection reads. Nothing is created.
  - The inputs come as options (their names without the C(vpnlab_) prefix) or, as the
    C(multicloud.vpnlab.plan) role passes them, as one dict O(variables) of C(vpnlab_*) variables.
  - Rejects bad input before anything is created, reporting B(all) problems at once, each naming
    the variable, its value and the rule it breaks. Text is read as the input's type the way
    Ansible users expect (V("3") as a number, V(yes) as true, JSON or comma-separated text as a
    list); an unknown C(vpnlab_*) name is a problem naming the nearest valid one.
  - For the C(local) target, the lab's address ranges are also checked against the addresses and
    routes of the host, so the lab never shadows the host's own networks.
  - The C(expires) tag is fixed when the lab is created - today + O(expiry_days) - and recorded
    in the lab's state directory (by M(multicloud.vpnlab.lab_state)); later runs read it there
    and keep the date, so a re-run on a later day does not retag the resources (Azure's gateway
    module would update the whole gateway for a new tag). Running with a different
    O(expiry_days) than recorded sets a new date, today + the new days, recorded in its turn;
    that is how to extend (or shorten) a lab's life. After a teardown the record goes.
  - The module's action plugin does the same work in the controller's process (the plan is the
    controller's, and every play that needs it runs there), which saves a module run in every
    playbook; its output is masked the same way.
author:
  - multicloud.vpnlab contributors (@multicloud)
attributes:
  check_mode:
    support: full
    details: The module never changes anything.
  diff_mode:
    support: N/A
    details: The module changes nothing.
  idempotent:
    support: full
    details:
      - The same inputs give the same plan. The expiry tag too, once the lab's state directory
        records it (see RV(plan.expiry)); before that it is today + O(expiry_days).
extends_documentation_fragment:
  - multicloud.vpnlab.attributes
  - multicloud.vpnlab.inputs
options:
  variables:
    description:
      - The lab's C(vpnlab_*) variables by name, for example every variable of a play whose name
        starts with C(vpnlab_); each value may be any JSON value (it is read as its input's type).
      - Values here take precedence over the options of the same name.
      - An unknown C(vpnlab_*) name is a problem; the variables the collection sets itself
        (C(vpnlab_plan) and the lab inventory's host variables) are ignored.
      - Secrets among them (C(vpnlab_tunnel_psks)) are masked in the module's output and log.
    type: dict
  state_root:
    description:
      - Directory holding one state directory per lab.
      - When not given, the environment variable E(VPNLAB_HOME) if it is set and not empty, else
        V(~/.vpnlab) (like the C(state_root) option of the C(multicloud.vpnlab.lab) inventory).
      - Checked before anything else, and refused with the path and the reason unless it is an
        absolute, normalised path without control characters (nor C(%), C($), C(") or C(\)),
        not C(/) nor a system directory (C(/etc), C(/usr), C(/var), C(/home), C(/tmp), ...), and
        nobody but root and the running user can change it or any of its parents (each owned by
        root or the running user and not writable by group or others; a sticky parent such as
        C(/tmp) may be, the root itself never), symbolic links resolved.
    type: path
    default: ~/.vpnlab
  host_networks:
    description:
      - Local target only, CIDRs of the host's own addresses and routes to check against.
      - Read from the host (with pyroute2) when not given.
    type: list
    elements: str
requirements:
  - pyroute2 (local target, to read the host's addresses and routes)
seealso:
  - module: multicloud.vpnlab.tunnel_options
"""

EXAMPLES = r"""
- name: Plan the lab with the defaults of the original lab
  multicloud.vpnlab.lab_plan:
  register: lab

- name: Plan a second lab beside the first one
  multicloud.vpnlab.lab_plan:
    name: lab2
    owner: alice
    azure_vnet_cidr: 10.11.0.0/16
    azure_subnet_cidr: 10.11.1.0/24
    azure_gateway_subnet_cidr: 10.11.0.0/27
    aws_vpc_cidr: 10.12.0.0/16
    aws_subnet_cidr: 10.12.1.0/24
    vms:
      - {name: web, cloud: azure, private_ip: 10.11.1.10}
      - {name: db, cloud: aws, private_ip: 10.12.1.10}
"""

RETURN = r"""
plan:
  description: The lab plan every role reads (C(vpnlab_plan)).
  returned: success
  type: dict
  contains:
    lab:
      description: Lab name.
      type: str
      sample: vpntest
    target:
      description: V(local) or V(cloud).
      type: str
    state_dir:
      description: The lab's state directory.
      type: str
      sample: /root/.vpnlab/vpntest
    tags:
      description:
        - Tags for every resource (owner, environment, expiry, lab, and C(managed_by), which with
          C(vpnlab) makes a resource the lab's own for teardown).
      type: dict
      sample: {vpnlab: vpntest, owner: student, environment: dev, expires: "2026-12-02", managed_by: multicloud.vpnlab}
    check:
      description:
        - What the connectivity check runs that security rules must let through -
          C(iperf3_ports) (C(private) through the tunnel, C(public) over the internet).
      type: dict
      sample: {iperf3_ports: {private: 5201, public: 5202}}
    expiry:
      description:
        - The lab's expiry - C(expires) (the C(expires) tag's date), C(days) (O(expiry_days)) and
          C(source) - V(new) (no record yet - today + C(days)), V(recorded) (the date the state
          directory records) or V(changed) (O(expiry_days) differs from the record - today + the
          new days).
        - The C(lab_host) role records it in the state directory (M(multicloud.vpnlab.lab_state)'s
          O(multicloud.vpnlab.lab_state#module:expiry)).
      type: dict
      sample: {expires: "2026-12-02", days: 7, source: recorded}
    azure:
      description: Azure names, region and address plan.
      type: dict
      contains:
        gateway_public_ip:
          description: The stand-in for the Azure gateway's public IP (O(azure_gateway_public_ip)),
            empty when not given.
          type: str
    aws:
      description: AWS names, region and address plan.
      type: dict
      contains:
        endpoint_url:
          description: The AWS API endpoint to use (O(aws_endpoint_url)); empty for the real AWS.
          type: str
        emulated:
          description:
            - True when O(aws_endpoint_url) is set, the AWS API is then an emulator.
            - Nothing may connect to an address an emulator hands out.
          type: bool
        customer_gateway_asn:
          description:
            - The customer gateway's BGP ASN (O(aws_customer_gateway_asn)), checked against AWS's
              rules; unset, V(65034) with static routing and the Azure gateway's ASN with V(bgp).
          type: int
        vpn_gateway_asn:
          description: The virtual private gateway's Amazon-side ASN (O(aws_vpn_gateway_asn)).
          type: int
    admin_cidrs:
      description: The admin CIDRs (O(admin_cidrs)) as checked - what the cloud security rules admit.
      type: list
      elements: str
    admin_open_allowed:
      description: O(allow_open_admin) - whether the security rules may admit admin CIDRs wider than the rule.
      type: bool
    routing:
      description:
        - The routing design (O(routing)) - C(mode) V(static) or V(bgp). With V(bgp) also
          C(azure_asn) (O(azure_bgp_asn)), C(active_active), C(instances) (each Azure gateway
          instance's C(custom_bgp_ips)) and C(tunnels) (four, or two without active-active -
          C(name), C(connection) (the AWS VPN connection), C(tunnel), C(instance), C(inside_cidr),
          C(aws_bgp_ip), C(azure_bgp_ip) and C(azure_custom_bgp_ips)). The customer gateways'
          and the AWS side's ASNs are C(aws.customer_gateway_asn) and C(aws.vpn_gateway_asn).
        - Both targets build V(bgp) - the local target in namespaces with FRR, the cloud target on Azure
          and AWS (C(cloud.azure.bgp), C(cloud.aws.bgp)).
      type: dict
      sample: {mode: static}
    tunnels:
      description: The two tunnel endpoints to create (no secrets).
      type: list
      elements: dict
    crypto:
      description: IKE and IPsec parameters both sides use.
      type: dict
      contains:
        dpd_timeout_seconds:
          description: The AWS side's dead peer detection timeout (AWS's default and minimum).
          type: int
        dpd_delay_seconds:
          description: The AWS side's dead peer detection interval.
          type: int
        azure_dpd_timeout_seconds:
          description: The Azure side's dead peer detection timeout (O(dpd_timeout_seconds)).
          type: int
        tcp_mss:
          description: TCP MSS clamped across the tunnels (Azure needs 1350).
          type: int
    vms:
      description: The VMs with name, cloud, private_ip, resource_name.
      type: list
      elements: dict
    local:
      description: Local target only, the emulation (namespaces, addresses, public IPs).
      type: dict
      returned: target is local
    cloud:
      description: Cloud target only, one section per cloud's half (C(parts) lists them).
      type: dict
      returned: target is cloud
      contains:
        azure:
          description:
            - The Azure half's settings derived from the plan - C(ipsec_policy) (the custom
              IPsec/IKE policy in Azure's names, from C(crypto)), C(image) (the VMs'
              marketplace image), C(tag_filter) (ARM's C($filter) for the lab's tag),
              C(managed_by), C(admin_user) (the VMs' admin user) and C(vms) (each Azure VM's
              C(public_ip) and C(nic) names, by VM name). The DPD timeout is
              C(crypto.azure_dpd_timeout_seconds).
          type: dict
problems:
  description: Every rule the inputs break (on failure).
  returned: failure
  type: list
  elements: str
"""

import datetime
import traceback

from ansible.module_utils.common.validation import check_type_path
from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible.module_utils.common.parameters import env_fallback
from ansible_collections.multicloud.vpnlab.plugins.module_utils import inputs
from ansible_collections.multicloud.vpnlab.plugins.module_utils.plan import PlanError, build_plan
from ansible_collections.multicloud.vpnlab.plugins.module_utils.statedir import recorded_expiry
from ansible_collections.multicloud.vpnlab.plugins.module_utils.stateroot import refusal as state_root_refusal
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.hostnet import host_networks
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.netlink import HAS_PYROUTE2, PYROUTE2_IMPORT_ERROR
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.plan import LocalTarget
from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws.plan import AwsPart
from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.plan import AzurePart
from ansible_collections.multicloud.vpnlab.plugins.module_utils.targets import CloudTarget


DEFAULT_STATE_ROOT = "~/.vpnlab"


def today():
    """The day of a new lab's expiry (a function, so that tests can say what day it is)."""
    return datetime.date.today()


class Refused(Exception):
    """The plan is refused: `msg` and the result's other keys (`problems`, `exception`)."""

    def __init__(self, msg, **extra):
        super().__init__(msg)
        self.msg = msg
        self.extra = extra


def plan_inputs(params):
    """The inputs given as options, overlaid by the ones given as variables."""
    given = {k: v for k, v in params.items() if k in inputs.BY_NAME}
    variables, foreign = inputs.from_variables(params["variables"] or {})
    if foreign:
        raise Refused("variables: names must start with %s: %s" % (
            inputs.PREFIX, ", ".join(sorted(map(str, foreign)))))
    given.update(variables)
    return given


def secrets_of(params):
    """The secret inputs' values, in every form they could be printed in.

    O(variables) is no_log so that the module's log never holds a PSK; Ansible would then mask
    every value of it everywhere (the lab name in the plan too), so only these are masked."""
    given = {k: v for k, v in params.items() if k in inputs.BY_NAME}
    given.update(inputs.from_variables(params["variables"] or {})[0])
    return inputs.secret_strings(given)


def mask_secrets(module):
    """Mask exactly the secret inputs' values in the module's output, wherever they appear.

    Ansible masks values, not dict keys: a PSK given as a key somewhere in the inputs would be
    printed by the invocation that the controller shows at -vvv, so the module returns a masked
    one."""
    secrets = secrets_of(module.params)
    module.no_log_values = inputs.mask_forms(secrets)
    invocation = {"module_args": inputs.masked(module.params, secrets)}
    for name in ("exit_json", "fail_json"):
        finish = getattr(module, name)
        setattr(module, name, lambda *args, finish=finish, **result: finish(
            *args, **dict({"invocation": invocation}, **result)))


def plan_result(params):
    """The task's result ({changed, plan}) from the validated options; raises Refused.

    Shared by this module and its action plugin (plugins/action/lab_plan.py), which runs it in
    the controller's process: the plan is the controller's, and that saves a module run."""
    def local_networks():
        if params["host_networks"] is not None:
            return params["host_networks"]
        if not HAS_PYROUTE2:
            raise Refused(missing_required_lib("pyroute2"), exception=PYROUTE2_IMPORT_ERROR)
        try:
            return host_networks()
        except OSError as exc:
            raise Refused("could not read the host's networks: %s" % exc,
                          exception=traceback.format_exc()) from exc

    # state_root: the option, else $VPNLAB_HOME (the spec's fallback), else the default; an
    # empty VPNLAB_HOME counts as unset, as in ${VPNLAB_HOME:-~/.vpnlab}. Checked before
    # anything else: the lab keeps secrets there and later trusts what it finds there.
    state_root = params["state_root"] or check_type_path(DEFAULT_STATE_ROOT)
    refused = state_root_refusal(state_root)
    if refused:
        raise Refused(refused)
    inputs_given = plan_inputs(params)
    targets = {"local": LocalTarget(local_networks), "cloud": CloudTarget([AzurePart(), AwsPart()])}
    try:
        plan = build_plan(inputs_given, targets, today=today(), state_root=state_root,
                          read_expiry=recorded_expiry)
    except PlanError as exc:
        raise Refused(str(exc), problems=exc.problems) from exc
    return {"changed": False, "plan": plan}


def argument_spec():
    spec = inputs.argument_spec()
    spec.update(
        variables=dict(type="dict", no_log=True),
        state_root=dict(type="path", default=DEFAULT_STATE_ROOT,
                        fallback=(env_fallback, ["VPNLAB_HOME"])),
        host_networks=dict(type="list", elements="str"),
    )
    return spec


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    # First: every message below, the state root's refusal included, is then masked.
    mask_secrets(module)
    # A refusal is a message, not an error: failed outside the handler, so no traceback.
    result, refused = None, None
    try:
        result = plan_result(module.params)
    except Refused as exc:
        refused = exc
    if result is None:
        module.fail_json(msg=refused.msg, **refused.extra)
    module.exit_json(**result)


if __name__ == "__main__":
    main()

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
  - Takes the lab-wide C(vpnlab_*) inputs (without the C(vpnlab_) prefix) and returns one plan
    dict that every role of the collection reads. Nothing is created.
  - Rejects bad input before anything is created, reporting B(all) problems at once, each naming
    the variable, its value and the rule it breaks.
  - For the C(local) target, the lab's address ranges are also checked against the addresses and
    routes of the host, so the lab never shadows the host's own networks.
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
    details: The same inputs give the same plan; only the expiry tag moves with the date.
extends_documentation_fragment:
  - multicloud.vpnlab.attributes
options:
  name:
    description: Lab name, part of every resource and namespace name (2-16 of V(a-z0-9-)).
    type: str
    default: vpntest
  target:
    description: Where the lab is built.
    type: str
    choices: [local, cloud]
    default: local
  owner:
    description: Owner tag and part of the Azure resource group name.
    type: str
    default: student
  environment:
    description: Environment tag and part of the Azure resource group name.
    type: str
    default: dev
  azure_region:
    description: Azure region.
    type: str
    default: westeurope
  aws_region:
    description: AWS region.
    type: str
    default: eu-central-1
  azure_vnet_cidr:
    description: Azure VNet address space.
    type: str
    default: 10.1.0.0/16
  azure_subnet_cidr:
    description: Azure subnet C(internal) for the VMs.
    type: str
    default: 10.1.1.0/24
  azure_gateway_subnet_cidr:
    description: Azure C(GatewaySubnet), /27 or larger.
    type: str
    default: 10.1.0.0/27
  aws_vpc_cidr:
    description: AWS VPC CIDR.
    type: str
    default: 10.2.0.0/16
  aws_subnet_cidr:
    description: AWS subnet for the VMs.
    type: str
    default: 10.2.1.0/24
  vms:
    description:
      - The test VMs, each a dict with C(name), C(cloud) (V(azure) or V(aws)) and C(private_ip).
      - Defaults to vm1 10.1.1.10 and vm2 10.1.1.20 in Azure, vm3 10.2.1.10 in AWS.
    type: list
    elements: raw
  admin_cidrs:
    description:
      - Addresses allowed to reach the VMs by SSH and ICMP. Required for the cloud target.
      - V(0.0.0.0/0) is refused unless O(allow_open_admin=true).
    type: list
    elements: str
  allow_open_admin:
    description: Explicit opt-in to allow V(0.0.0.0/0) in O(admin_cidrs).
    type: bool
    default: false
  tunnel_psks:
    description:
      - Pre-shared keys for the two AWS tunnels; empty entries are generated.
      - Checked against AWS's rule (8-64 of V([A-Za-z0-9._]), not starting with V(0)); never
        printed, not even in error messages.
    type: list
    elements: str
  tunnel_inside_cidrs:
    description: The two tunnels' inside /30 networks in V(169.254.0.0/16).
    type: list
    elements: str
    default: [169.254.21.0/30, 169.254.22.0/30]
  expiry_days:
    description: Days until the C(expires) tag date.
    type: int
    default: 7
  local_azure_public_cidr:
    description: Local target only, the "public" range of the emulated Azure side.
    type: str
    default: 198.51.100.0/24
  local_aws_public_cidr:
    description: Local target only, the "public" range of the emulated AWS side.
    type: str
    default: 203.0.113.0/24
  state_root:
    description:
      - Directory holding one state directory per lab.
      - The environment variable E(VPNLAB_HOME) takes precedence over the default.
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
      description: Tags for every resource (owner, environment, expiry, lab).
      type: dict
      sample: {vpnlab: vpntest, owner: student, environment: dev, expires: "2026-12-02"}
    azure:
      description: Azure names, region and address plan.
      type: dict
    aws:
      description: AWS names, region and address plan.
      type: dict
    tunnels:
      description: The two tunnel endpoints to create (no secrets).
      type: list
      elements: dict
    crypto:
      description: IKE and IPsec parameters both sides use.
      type: dict
    vms:
      description: The VMs with name, cloud, private_ip, resource_name.
      type: list
      elements: dict
    local:
      description: Local target only, the emulation (namespaces, addresses, public IPs).
      type: dict
      returned: target is local
problems:
  description: Every rule the inputs break (on failure).
  returned: failure
  type: list
  elements: str
"""

import os
import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible_collections.multicloud.vpnlab.plugins.module_utils.plan import PlanError, build_plan
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.hostnet import host_networks
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.netlink import HAS_PYROUTE2, PYROUTE2_IMPORT_ERROR
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.plan import LocalTarget
from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws.plan import AwsPart
from ansible_collections.multicloud.vpnlab.plugins.module_utils.targets import CloudTarget


def plan_inputs(params):
    """The module parameters that are plan inputs, without the ones only the module uses."""
    return {k: v for k, v in params.items() if k not in ("state_root", "host_networks")}


def run(module):
    params = module.params

    def local_networks():
        if params["host_networks"] is not None:
            return params["host_networks"]
        if not HAS_PYROUTE2:
            module.fail_json(msg=missing_required_lib("pyroute2"), exception=PYROUTE2_IMPORT_ERROR)
        return host_networks()

    # Like ${VPNLAB_HOME:-~/.vpnlab}: a set, non-empty VPNLAB_HOME wins over the option.
    state_root = os.environ.get("VPNLAB_HOME") or params["state_root"]
    targets = {"local": LocalTarget(local_networks), "cloud": CloudTarget([AwsPart()])}
    try:
        plan = build_plan(plan_inputs(params), targets, state_root=state_root)
    except PlanError as exc:
        module.fail_json(msg=str(exc), problems=exc.problems)
    module.exit_json(changed=False, plan=plan)


def main():
    argument_spec = dict(
        name=dict(type="str", default="vpntest"),
        target=dict(type="str", default="local", choices=["local", "cloud"]),
        owner=dict(type="str", default="student"),
        environment=dict(type="str", default="dev"),
        azure_region=dict(type="str", default="westeurope"),
        aws_region=dict(type="str", default="eu-central-1"),
        azure_vnet_cidr=dict(type="str", default="10.1.0.0/16"),
        azure_subnet_cidr=dict(type="str", default="10.1.1.0/24"),
        azure_gateway_subnet_cidr=dict(type="str", default="10.1.0.0/27"),
        aws_vpc_cidr=dict(type="str", default="10.2.0.0/16"),
        aws_subnet_cidr=dict(type="str", default="10.2.1.0/24"),
        vms=dict(type="list", elements="raw"),
        admin_cidrs=dict(type="list", elements="str"),
        allow_open_admin=dict(type="bool", default=False),
        tunnel_psks=dict(type="list", elements="str", no_log=True),
        tunnel_inside_cidrs=dict(type="list", elements="str",
                                 default=["169.254.21.0/30", "169.254.22.0/30"]),
        expiry_days=dict(type="int", default=7),
        local_azure_public_cidr=dict(type="str", default="198.51.100.0/24"),
        local_aws_public_cidr=dict(type="str", default="203.0.113.0/24"),
        state_root=dict(type="path", default="~/.vpnlab"),
        host_networks=dict(type="list", elements="str"),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    try:
        run(module)
    except OSError as exc:
        module.fail_json(msg="could not read the host's networks: %s" % exc,
                         exception=traceback.format_exc())


if __name__ == "__main__":
    main()

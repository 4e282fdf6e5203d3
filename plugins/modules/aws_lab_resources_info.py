#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: aws_lab_resources_info
short_description: List a VPN lab's AWS resources by tag, and resources that only carry its names
version_added: 0.1.0
description:
  - Lists every EC2 resource of a lab that still exists (instances, key pairs, VPN connections,
    customer gateways, virtual private gateways, route tables, internet gateways, subnets,
    security groups, VPCs), found by the tags C(vpnlab=<lab>) and C(managed_by=multicloud.vpnlab).
    Resources in state C(deleted) or C(terminated) are not listed. EC2 resources of any other type
    that carry both tags (a network interface or a volume, say) are listed too, with their EC2
    resource type as C(kind). After a teardown the list is the leak check, it must be empty.
  - With O(names), also lists the resources that carry one of the lab's names (their C(Name) tag,
    a security group's or key pair's own name) but not the lab's tags, and with
    O(customer_gateway_ip) the customer gateways on that address that are not the lab's. The stock
    modules find resources by name, so a build would take these over; the lab stops instead.
  - With O(customer_gateway_asn) too, a customer gateway that a build of the lab created and could
    not tag is not listed there - one in state C(available) on that address with that BGP ASN and
    no tags, or only the C(Name) that O(names) gives the customer gateway -
    since M(multicloud.vpnlab.aws_customer_gateway) adopts it (tags it as the lab's).
  - With O(instance_type), also returns the availability zone for the VMs' subnet (RV(placement)),
    from C(DescribeInstanceTypeOfferings), before anything is created. It is
    O(availability_zone) when that zone offers the instance type, else the zone of the lab's
    existing subnet, else the first zone (in name order) that offers it; when none fits,
    RV(placement) names the problem, such as C(t3.micro is not offered in us-east-1e) with the
    zones that offer it.
author:
  - multicloud.vpnlab contributors (@multicloud)
attributes:
  check_mode:
    support: full
    details: Read-only.
  diff_mode:
    support: N/A
    details: Read-only.
  idempotent:
    support: full
extends_documentation_fragment:
  - multicloud.vpnlab.attributes
  - multicloud.vpnlab.attributes.actiongroup_aws
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
options:
  lab:
    description: The lab's name (the value of its C(vpnlab) tag).
    type: str
    required: true
  names:
    description:
      - The names the lab gives its resources, by kind (V(vpc), V(subnet), V(internet_gateway),
        V(route_table), V(security_group), V(vpn_gateway), V(customer_gateway), V(vpn_connection),
        V(key_pair), V(instance)); a value may be a list of names.
    type: dict
    default: {}
  customer_gateway_ip:
    description: The customer gateway's public IP.
    type: str
  customer_gateway_ips:
    description:
      - The BGP design's customer gateways' public IPs, one per Azure gateway instance, in the order
        of the names that O(names) gives the customer gateways (a list there). Checked as
        O(customer_gateway_ip) is, each with its own name.
    type: list
    elements: str
  customer_gateway_asn:
    description:
      - The customer gateway's BGP ASN. With O(customer_gateway_ip), an untagged gateway on that
        address with this ASN is one the lab adopts, not a conflict.
    type: int
  instance_type:
    description: The VMs' instance type, for RV(placement).
    type: str
  availability_zone:
    description:
      - With O(instance_type), the zone wanted for the VMs' subnet; empty chooses one that offers
        the instance type (the existing subnet's when there is one).
    type: str
    default: ""
  state_dir:
    description:
      - The lab's state directory. When given, RV(vms) lists the lab's EC2 VMs as the
        P(multicloud.vpnlab.lab#inventory) inventory plugin reads them from C(vms.json).
    type: path
seealso:
  - module: multicloud.vpnlab.aws_teardown
  - module: multicloud.vpnlab.aws_customer_gateway
"""

EXAMPLES = r"""
- name: List what is left of lab vpntest in AWS
  multicloud.vpnlab.aws_lab_resources_info:
    lab: vpntest
  register: left

- name: Fail naming it
  ansible.builtin.assert:
    that: left.resources | length == 0
    fail_msg: "{{ left.resources }}"
"""

RETURN = r"""
resources:
  description: The lab's resources that still exist, in teardown order.
  returned: always
  type: list
  elements: dict
  sample: [{kind: vpc, id: vpc-0a1b2c3d4e5f60718, name: vpntest-vpc, state: available}]
conflicts:
  description: Resources with the lab's names (or customer gateway IP) but not its tags.
  returned: always
  type: list
  elements: dict
  sample: [{kind: vpc, id: vpc-0a1b2c3d, name: vpntest-vpc, state: available, description: "vpc vpc-0a1b2c3d (vpntest-vpc) is not tagged vpnlab=vpntest"}]
placement:
  description:
    - The VMs' subnet zone for O(instance_type) - C(zone) (null when there is a problem),
      C(source) (V(given), V(subnet) for the existing subnet's, or V(chosen)), C(offered_in)
      (the zones that offer the instance type), C(instance_type) and C(problem) (why no zone
      fits, or null).
  returned: when O(instance_type) is given
  type: dict
  sample: {instance_type: t3.micro, zone: eu-central-1a, source: chosen, problem: null,
           offered_in: [eu-central-1a, eu-central-1b, eu-central-1c]}
vms:
  description:
    - The lab's EC2 test VMs (tag C(vpnlab_vm)) that are pending, running or stopped, with the SSH
      settings that reach them, as C(vms.json) lists them.
  returned: when O(state_dir) is given
  type: list
  elements: dict
  sample:
    - name: vm3
      cloud: aws
      private_ip: 10.2.1.10
      public_ip: 3.120.1.20
      resource_name: vpntest-vm3
      instance_id: i-0a1b2c3d4e5f60718
      state: running
      connection: {ansible_host: 3.120.1.20, ansible_user: ubuntu, ansible_become: true}
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws import cgw
from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws import inventory
from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws import resources as lab_resources
from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws import zones

try:
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError:
    pass  # AnsibleAWSModule reports the missing library


def main():
    argument_spec = dict(
        lab=dict(type="str", required=True),
        names=dict(type="dict", default={}),
        customer_gateway_ip=dict(type="str"),
        customer_gateway_ips=dict(type="list", elements="str"),
        customer_gateway_asn=dict(type="int"),
        instance_type=dict(type="str"),
        availability_zone=dict(type="str", default=""),
        state_dir=dict(type="path"),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True,
                              mutually_exclusive=[("customer_gateway_ip", "customer_gateway_ips")])
    client = module.client("ec2", retry_decorator=AWSRetry.jittered_backoff())
    params = module.params
    adoptable = None
    addresses = params["customer_gateway_ips"] or ([params["customer_gateway_ip"]] if params["customer_gateway_ip"] else [])
    cgw_names = params["names"].get("customer_gateway")
    cgw_names = cgw_names if isinstance(cgw_names, list) else [cgw_names] * len(addresses)
    if addresses and params["customer_gateway_asn"] is not None:
        adoptable = cgw.adoptable_by_any(zip(addresses, cgw_names), params["customer_gateway_asn"])
    try:
        listed = lab_resources.list_lab(client, params["lab"])
        found = lab_resources.records(listed)
        found += lab_resources.other_tagged(client, params["lab"])
        extra = {"placement": placement(client, module, listed)} if params["instance_type"] else {}
        conflicts = lab_resources.conflicts(client, params["lab"], params["names"], addresses, adoptable=adoptable)
        vms = inventory.list_vms(client, params["lab"], params["state_dir"]) if params["state_dir"] else None
    except (BotoCoreError, ClientError) as exc:
        module.fail_json_aws(exc, msg="Could not list the lab's AWS resources")
    if vms is not None:
        extra["vms"] = vms
    module.exit_json(changed=False, resources=found, conflicts=conflicts, **extra)


def placement(client, module, listed):
    """The VMs' subnet zone for the instance type (see module_utils/_aws/zones.py)."""
    params = module.params
    existing = zones.subnet_zone(listed.get("subnet"), params["names"].get("subnet"))
    chosen = zones.choose_zone(params["instance_type"], module.region, zones.offered_zones(client, params["instance_type"]),
                               zones.region_zones(client), params["availability_zone"], existing)
    return dict(chosen, instance_type=params["instance_type"])


if __name__ == "__main__":
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: aws_customer_gateway
short_description: A VPN lab's AWS customer gateway, created with the lab's tags or adopted
version_added: 0.1.0
description:
  - Creates the lab's customer gateway (the other side's public IP) with every tag at creation
    (C(TagSpecifications)) - its C(Name), the lab's C(vpnlab=<lab>) and C(managed_by=multicloud.vpnlab)
    and O(tags) - so no gateway exists without the tags that teardown and the leak check go by.
  - It replaces M(community.aws.ec2_customer_gateway) followed by a separate tag task, which left
    an untagged gateway when the tag call met AWS's eventual consistency on the fresh ID
    (C(InvalidCustomerGatewayID.NotFound)); the next build refused it as foreign and teardown
    never removed it.
  - Finds the lab's gateway by the lab's tags on O(ip_address) in state C(pending) or
    C(available), and brings its tags to the wanted ones.
  - Adopts (tags as the lab's) a gateway a build created and could not tag - one in state
    C(available) on O(ip_address) with O(bgp_asn) and no tags, or only the C(Name) O(name).
  - Stops, changing nothing, when a gateway on O(ip_address) with O(bgp_asn) carries other tags,
    since AWS answers a create with the address and ASN of an existing gateway with that gateway.
  - Tagging calls and the create are retried on C(InvalidCustomerGatewayID.NotFound), with backoff.
author:
  - multicloud.vpnlab contributors (@multicloud)
notes:
  - AWS cannot change a customer gateway's BGP ASN; a lab gateway with another ASN stops the
    module with a message instead of being replaced.
attributes:
  check_mode:
    support: full
    details: Reports what would be created, adopted, tagged or deleted.
  diff_mode:
    support: full
    details: The gateway's address, ASN, state and tags.
  idempotent:
    support: full
extends_documentation_fragment:
  - multicloud.vpnlab.attributes
  - multicloud.vpnlab.attributes.actiongroup_aws
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
options:
  state:
    description: Whether the lab's customer gateway should exist.
    type: str
    choices: [present, absent]
    default: present
  lab:
    description: The lab's name (the value of its C(vpnlab) tag).
    type: str
    required: true
  name:
    description: The gateway's C(Name) tag.
    type: str
    required: true
  ip_address:
    description: The public IPv4 address of the other side's VPN device (the Azure VPN gateway).
    type: str
    required: true
  bgp_asn:
    description:
      - The BGP ASN of the other side. AWS requires one even for static routing.
      - From 1 to 4294967295; above 2147483647 it is sent as C(BgpAsnExtended), as AWS requires.
      - Refused before any call when AWS reserves it - 7224 everywhere, 9059 in eu-west-1, 10124 in
        ap-northeast-1, 17943 in ap-southeast-1 (the module's O(region)).
    type: int
    default: 65000
  tags:
    description:
      - Further tags, like the lab's C(owner) and C(expires). C(Name), C(vpnlab) and C(managed_by)
        are set from O(name) and O(lab); a different value for them here is refused.
  purge_tags:
    description:
      - Remove tags not in O(tags) (AWS's own C(aws:) tags stay).
seealso:
  - module: multicloud.vpnlab.aws_vpn_connection
  - module: multicloud.vpnlab.aws_lab_resources_info
  - module: community.aws.ec2_customer_gateway
"""

EXAMPLES = r"""
- name: Create the customer gateway on the Azure VPN gateway's public IP
  multicloud.vpnlab.aws_customer_gateway:
    lab: vpntest
    name: vpntest-cgw
    ip_address: 198.51.100.10
    bgp_asn: 65034
    tags:
      owner: student
      expires: "2026-12-02"
  register: cgw

- name: Use it for the VPN connection
  multicloud.vpnlab.aws_vpn_connection:
    customer_gateway_id: "{{ cgw.customer_gateway.customer_gateway_id }}"
    vpn_gateway_id: "{{ vgw.vgw.id }}"
    tunnels:
      - tunnel_inside_cidr: 169.254.21.0/30
      - tunnel_inside_cidr: 169.254.22.0/30
"""

RETURN = r"""
customer_gateway:
  description: The gateway.
  returned: when it exists or would be created
  type: dict
  contains:
    customer_gateway_id:
      description: Its ID (absent in check mode before creation).
      type: str
      sample: cgw-0f1e2d3c4b5a69788
    ip_address:
      description: Its address.
      type: str
      sample: 198.51.100.10
    bgp_asn:
      description: Its BGP ASN, as AWS returns it (a string, from C(BgpAsn) or C(BgpAsnExtended)).
      type: str
      sample: "65034"
    state:
      description: V(pending), V(available), ...
      type: str
    type:
      description: V(ipsec.1).
      type: str
    tags:
      description: Its tags (after the change).
      type: dict
adopted:
  description: Whether an untagged gateway was (or would be) adopted as the lab's.
  returned: with O(state=present)
  type: bool
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws import cgw

try:
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError:
    pass  # AnsibleAWSModule reports the missing library

RETRY = AWSRetry.jittered_backoff(retries=10, delay=3, max_delay=30, catch_extra_error_codes=["IncorrectState"])
# A gateway created a moment ago can be unknown to the next calls (AWS's eventual consistency).
FRESH_RETRY = AWSRetry.jittered_backoff(retries=10, delay=3, max_delay=30, catch_extra_error_codes=[
    "InvalidCustomerGatewayID.NotFound"])


class Gateways:
    """The API calls, each with retries; failures end the module with AWS's message."""

    def __init__(self, module, client):
        self.module = module
        self.client = client

    def call(self, operation, msg, retry=RETRY, **request):
        try:
            return retry(getattr(self.client, operation))(**request)
        except (BotoCoreError, ClientError) as exc:
            self.module.fail_json_aws(exc, msg=msg)

    def on_address(self):
        return self.call("describe_customer_gateways", "Could not describe the customer gateways",
                         Filters=cgw.address_filters(self.module.params["ip_address"]))["CustomerGateways"]

    def retag(self, gateway, wanted, purge):
        """Bring the gateway's tags to `wanted`; True when something was (or would be) changed."""
        to_set, to_unset = cgw.tag_changes(gateway, wanted, purge)
        gateway_id = gateway["CustomerGatewayId"]
        if not self.module.check_mode and to_unset:
            self.call("delete_tags", "Could not remove tags from %s" % gateway_id, retry=FRESH_RETRY,
                      Resources=[gateway_id], Tags=[{"Key": k} for k in to_unset])
        if not self.module.check_mode and to_set:
            self.call("create_tags", "Could not tag %s as the lab's" % gateway_id, retry=FRESH_RETRY,
                      Resources=[gateway_id], Tags=cgw.tag_list(to_set))
        return bool(to_set or to_unset)


def ensure_present(module, client):
    params = module.params
    wanted = cgw.lab_tags(params["lab"], params["name"], params["tags"])
    gateways = Gateways(module, client)
    try:
        action, gateway = cgw.decide(gateways.on_address(), params["lab"], params["ip_address"],
                                     params["bgp_asn"], params["name"])
    except cgw.CgwError as exc:
        module.fail_json(msg=str(exc))
    before = cgw.summary(gateway) if gateway else {}
    # Only the lab's own gateway loses tags it should not carry; an adopted one has none to lose.
    purge = params["purge_tags"] and action == "keep"
    if action == "create":
        gateway = cgw.planned(params["ip_address"], params["bgp_asn"])
        if not module.check_mode:
            gateway = gateways.call("create_customer_gateway", "Could not create the customer gateway",
                                    **cgw.create_request(params["ip_address"], params["bgp_asn"], wanted))["CustomerGateway"]
            # AWS answers with an existing gateway, untagged, when one has the address and ASN.
            gateways.retag(gateway, wanted, purge=False)
        changed = True
    else:
        changed = gateways.retag(gateway, wanted, purge)
    after = cgw.summary(cgw.retagged(gateway, wanted, purge))
    module.exit_json(changed=changed, customer_gateway=after, adopted=action == "adopt",
                     diff={"before": before, "after": after})


def ensure_absent(module, client):
    params = module.params
    gateways = Gateways(module, client)
    own, dummy, dummy2 = cgw.classify(gateways.on_address(), params["lab"], params["ip_address"],
                                      params["bgp_asn"], params["name"])
    for gateway in own:
        if not module.check_mode:
            # IncorrectState (a VPN connection still deleting) is retried.
            gateways.call("delete_customer_gateway", "Could not delete %s" % gateway["CustomerGatewayId"],
                          CustomerGatewayId=gateway["CustomerGatewayId"])
    module.exit_json(changed=bool(own), diff={"before": cgw.summary(own[0]) if own else {}, "after": {}})


def main():
    argument_spec = dict(
        state=dict(type="str", default="present", choices=["present", "absent"]),
        lab=dict(type="str", required=True),
        name=dict(type="str", required=True),
        ip_address=dict(type="str", required=True),
        bgp_asn=dict(type="int", default=65000),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    problems = cgw.spec_problems(params["lab"], params["name"], params["ip_address"], params["bgp_asn"], params["tags"],
                                 region=module.region)
    if problems:
        module.fail_json(msg="The customer gateway's arguments are wrong: %s" % "; ".join(problems), problems=problems)
    client = module.client("ec2")
    if params["state"] == "present":
        ensure_present(module, client)
    else:
        ensure_absent(module, client)


if __name__ == "__main__":
    main()

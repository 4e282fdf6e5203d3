#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: aws_teardown
short_description: Delete a VPN lab's AWS resources, found by tag, in dependency order
version_added: 0.1.0
description:
  - Deletes every EC2 resource that carries the tags C(vpnlab=<lab>) and
    C(managed_by=multicloud.vpnlab), and nothing else, in dependency order - instances (and waits
    until they are terminated), key pair, VPN connection (and waits until it is deleted), customer
    gateway, virtual private gateway (detached first), route table (disassociated first), internet
    gateway (detached first), subnet, security group, VPC.
  - AWS refuses some deletions while a dependency is still going (C(DependencyViolation),
    C(IncorrectState)); those calls are retried with backoff. A resource already gone is fine, so
    the module works on a half-built lab and when run twice.
  - Then lists the lab's resources again; anything still there (not C(deleted) or C(terminated))
    is returned in RV(remaining), and the module fails when O(fail_on_remaining) is set.
author:
  - multicloud.vpnlab contributors (@multicloud)
attributes:
  check_mode:
    support: full
    details: Lists what would be deleted.
  diff_mode:
    support: none
  idempotent:
    support: full
    details: A second run finds nothing to delete.
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
  wait_timeout:
    description: Seconds to wait for each instance termination, VPN connection deletion and VGW detachment.
    type: int
    default: 900
  fail_on_remaining:
    description: Fail when a lab resource is still there after the teardown.
    type: bool
    default: true
seealso:
  - module: multicloud.vpnlab.aws_lab_resources_info
"""

EXAMPLES = r"""
- name: Tear down the AWS side of lab vpntest
  multicloud.vpnlab.aws_teardown:
    lab: vpntest
    region: eu-central-1
"""

RETURN = r"""
deleted:
  description: The resources deleted (or, in check mode, to delete), in the order of deletion.
  returned: always
  type: list
  elements: dict
  sample: [{kind: instance, id: i-0a1b2c3d4e5f60718, name: vpntest-vm3, state: running}]
remaining:
  description: The lab's resources still there afterwards (the leak check); empty in check mode.
  returned: always
  type: list
  elements: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws import resources as lab_resources

try:
    from botocore.exceptions import BotoCoreError, ClientError, WaiterError
except ImportError:
    pass  # AnsibleAWSModule reports the missing library

# Dependencies take a while to let go (network interfaces of terminated instances, a VPN
# connection that is deleting): retry for up to a few minutes.
RETRY = AWSRetry.jittered_backoff(retries=15, delay=5, max_delay=60,
                                  catch_extra_error_codes=["DependencyViolation", "IncorrectState"])


def ensure_absent(module, client):
    params = module.params
    try:
        found = lab_resources.list_lab(client, params["lab"])
        deleted = lab_resources.teardown(client, found, params["wait_timeout"], module.check_mode)
        remaining = [] if module.check_mode else (lab_resources.records(lab_resources.list_lab(client, params["lab"]))
                                                  + lab_resources.other_tagged(client, params["lab"]))
    except WaiterError as exc:
        module.fail_json_aws(exc, msg="Timed out waiting for a lab resource to go")
    except (BotoCoreError, ClientError) as exc:  # pylint: disable=duplicate-except
        module.fail_json_aws(exc, msg="Could not delete the lab's AWS resources")
    if remaining and params["fail_on_remaining"]:
        module.fail_json(msg="Lab %s still has AWS resources after the teardown: %s" % (
            params["lab"], ", ".join("%s %s (%s)" % (r["kind"], r["id"], r["state"] or "exists") for r in remaining)),
            deleted=deleted, remaining=remaining)
    module.exit_json(changed=bool(deleted), deleted=deleted, remaining=remaining)


def main():
    argument_spec = dict(
        lab=dict(type="str", required=True),
        wait_timeout=dict(type="int", default=900),
        fail_on_remaining=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    ensure_absent(module, module.client("ec2", retry_decorator=RETRY))


if __name__ == "__main__":
    main()

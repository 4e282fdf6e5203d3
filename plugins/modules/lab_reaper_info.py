#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: lab_reaper_info
short_description: List every VPN lab in AWS and Azure by its tags, and which are past their expiry
version_added: 0.1.0
description:
  - Cloud target. Lists the EC2 resources of the region that carry C(managed_by=multicloud.vpnlab),
    whatever their lab, joins them with the Azure resource groups given in
    O(azure_resource_groups) (from M(azure.azcollection.azure_rm_resourcegroup_info) with the
    same tag), and groups both by the C(vpnlab) tag.
  - A lab is expired when O(today) is after its C(expires) tag, the date fixed when the lab was
    created (its last day); the earliest date among its resources counts. A lab without a
    readable date is listed with the reason and never counted as expired.
  - Nothing is changed; C(playbooks/reaper.yml) tears the expired labs down through the lab's own
    teardown when asked to.
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
    details: The same clouds and O(today) give the same answer.
extends_documentation_fragment:
  - multicloud.vpnlab.attributes
  - multicloud.vpnlab.attributes.actiongroup_aws
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
options:
  azure_resource_groups:
    description:
      - The resource groups tagged C(managed_by=multicloud.vpnlab), as
        M(azure.azcollection.azure_rm_resourcegroup_info) returns them (C(name), C(location), C(tags)).
    type: list
    elements: dict
    default: []
  aws:
    description: List the EC2 resources (V(false) when the lab has no AWS half to look at).
    type: bool
    default: true
  today:
    description: The day to compare the C(expires) tags with (ISO date); today in UTC by default.
    type: str
seealso:
  - module: multicloud.vpnlab.aws_lab_resources_info
"""

EXAMPLES = r"""
- name: List the labs and their expiry
  multicloud.vpnlab.lab_reaper_info:
    region: eu-central-1
    azure_resource_groups: "{{ groups_found.resourcegroups }}"
  register: reaper
"""

RETURN = r"""
labs:
  description:
    - One record per lab - C(lab), C(expires), C(expired), C(clouds), C(resources) (C(<cloud> <kind>
      <id>) lines), C(owner), C(environment), C(azure_region) (its resource group's region) and
      C(problem) (why it is never reaped, or null).
  returned: always
  type: list
  elements: dict
  sample:
    - {lab: vpntest, expires: "2026-12-09", expired: false, clouds: [aws, azure], owner: student,
       environment: dev, azure_region: westeurope, problem: null,
       resources: ["aws vpc vpc-0a1b2c3d", "azure resource_group rg-euwe-dev-student-vpntest"]}
summary:
  description: One line per lab, for the play's output.
  returned: always
  type: list
  elements: str
today:
  description: The day the expiry was compared with.
  returned: always
  type: str
"""

import datetime

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.multicloud.vpnlab.plugins.module_utils import reaper
from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws import resources as aws_resources

try:
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError:
    pass  # AnsibleAWSModule reports the missing library


def main():
    module = AnsibleAWSModule(argument_spec=dict(
        azure_resource_groups=dict(type="list", elements="dict", default=[]),
        aws=dict(type="bool", default=True),
        today=dict(type="str"),
    ), supports_check_mode=True)
    today = module.params["today"] or datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    found = [{"cloud": "azure", "kind": "resource_group", "id": group.get("name"), "tags": group.get("tags") or {},
              "location": group.get("location")} for group in module.params["azure_resource_groups"]]
    if module.params["aws"]:
        client = module.client("ec2", retry_decorator=AWSRetry.jittered_backoff())
        try:
            found += aws_resources.every_lab(client)
        except (BotoCoreError, ClientError) as exc:
            module.fail_json_aws(exc, msg="Could not list the labs' AWS resources")
    try:
        labs = reaper.labs(found, today)
    except ValueError as exc:
        module.fail_json(msg="today=%r: %s" % (today, exc))
    module.exit_json(changed=False, labs=labs, summary=reaper.summary(labs, today), today=today)


if __name__ == "__main__":
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: cloud_preflight
short_description: Name every missing cloud prerequisite at once, and estimate the lab's cost
version_added: 0.1.0
description:
  - Cloud target, run before anything is created. Looks, without calling a cloud, for what a cloud
    build needs on the controller, and fails naming all of it at once with what to do for each.
  - AWS, boto3 importable and credentials in the boto3 chain (environment, C(AWS_PROFILE),
    C(~/.aws), SSO, an instance role).
  - Azure, unless C(azure.gateway_public_ip) in O(plan) stands in for the Azure half, the Azure SDK
    importable, credentials the way azure.azcollection reads them (C(AZURE_CLIENT_ID),
    C(AZURE_SECRET) and C(AZURE_TENANT), a C(~/.azure/credentials) profile, the Azure CLI's login,
    a managed identity) and a subscription.
  - Also returns RV(cost), an estimate of what the lab costs per hour while it exists, from dated
    tables of list prices in the collection. Emulated clouds cost nothing and are left out.
  - The availability zones of the chosen regions are not looked at here (that needs the clouds'
    APIs); the roles look them up before creating anything.
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
options:
  plan:
    description: The lab plan (C(vpnlab_plan)) of the cloud target.
    type: dict
    required: true
  aws_instance_type:
    description: The AWS VMs' instance type, for the estimate.
    type: str
    default: t3.micro
  azure_vm_size:
    description: The Azure VMs' size, for the estimate.
    type: str
    default: Standard_B1s
  azure_home:
    description:
      - Where azure.azcollection reads the C(credentials) file, and the Azure CLI its login
        (C(azureProfile.json)) unless E(AZURE_CONFIG_DIR) names another directory.
    type: path
    default: ~/.azure
requirements:
  - boto3 and botocore (AWS), azure.azcollection's Python requirements (Azure)
"""

EXAMPLES = r"""
- name: Check the cloud prerequisites and estimate the cost
  multicloud.vpnlab.cloud_preflight:
    plan: "{{ vpnlab_plan }}"
  register: preflight
"""

RETURN = r"""
problems:
  description: Every missing prerequisite, C(what) and C(fix) (empty when the module succeeds).
  returned: always
  type: list
  elements: dict
cost:
  description:
    - The estimate, C(rows) (cloud, item, count, C(usd_per_hour_each), C(usd_per_hour)),
      C(usd_per_hour), C(usd_per_day), C(unpriced) items, C(as_of) (the prices' date) and C(text),
      the lines to show.
  returned: always
  type: dict
  sample:
    usd_per_hour: 0.467
    usd_per_day: 11.2
    as_of: "2025-06"
"""

import configparser
import importlib.util
import json
import os
import shutil

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.multicloud.vpnlab.plugins.module_utils import cost, preflight
from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws import cost as aws_cost
from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure import cost as azure_cost

#: What azure.azcollection's modules import first (azure_rm_common): the same list as the
#: azure_gateway role's own look (tasks/azure_sdk.yml), which a run through site.yml skips.
AZURE_SDK = ("azure.identity", "azure.mgmt.resource", "azure.mgmt.network", "azure.mgmt.compute", "azure.cli.core",
             "msrest")


def aws_facts():
    try:
        import boto3  # pylint: disable=import-outside-toplevel
        import botocore.exceptions  # pylint: disable=import-outside-toplevel
    except ImportError as exc:
        return {"boto3": str(exc)}
    try:
        credentials = boto3.Session().get_credentials()
    except botocore.exceptions.BotoCoreError as exc:
        return {"credentials_error": str(exc)}
    return {"credentials": credentials.method if credentials else None}


def azure_facts(home):
    missing = []
    for name in AZURE_SDK:
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            missing.append(name)
    env = os.environ
    credentials, subscription = None, env.get("AZURE_SUBSCRIPTION_ID") or None
    if env.get("AZURE_CLIENT_ID") and env.get("AZURE_SECRET") and env.get("AZURE_TENANT"):
        credentials = "environment (service principal)"
    elif env.get("AZURE_AD_USER") and env.get("AZURE_PASSWORD"):
        credentials = "environment (user)"
    profile = env.get("AZURE_PROFILE") or "default"
    parser = configparser.ConfigParser()
    try:
        parser.read(os.path.join(home, "credentials"))
    except configparser.Error:
        pass
    if parser.has_section(profile):
        section = parser[profile]
        if not credentials and ((section.get("client_id") and section.get("secret") and section.get("tenant"))
                                or (section.get("ad_user") and section.get("password"))):
            credentials = "%s [%s]" % (os.path.join(home, "credentials"), profile)
        subscription = subscription or section.get("subscription_id") or None
    config_dir = env.get("AZURE_CONFIG_DIR") or home
    try:
        with open(os.path.join(config_dir, "azureProfile.json"), encoding="utf-8-sig") as handle:
            cli = json.load(handle).get("subscriptions") or []
    except (OSError, ValueError, AttributeError):
        cli = []
    if cli and shutil.which("az"):
        credentials = credentials or "the Azure CLI's login"
        subscription = subscription or next((s.get("id") for s in cli if s.get("isDefault")), None)
    if not credentials and (env.get("IDENTITY_ENDPOINT") or env.get("MSI_ENDPOINT")):
        credentials = "a managed identity"
    return {"sdk_missing": missing, "credentials": credentials, "subscription": subscription}


def main():
    module = AnsibleModule(argument_spec=dict(
        plan=dict(type="dict", required=True),
        aws_instance_type=dict(type="str", default="t3.micro"),
        azure_vm_size=dict(type="str", default="Standard_B1s"),
        azure_home=dict(type="path", default="~/.azure"),
    ), supports_check_mode=True)
    plan = module.params["plan"]
    aws, azure = plan.get("aws") or {}, plan.get("azure") or {}
    azure_built = not azure.get("gateway_public_ip")
    facts = {"aws": dict(aws_facts(), needed=True),
             "azure": dict(azure_facts(module.params["azure_home"]) if azure_built else {}, needed=azure_built)}
    counts = {}
    for vm in plan.get("vms") or []:
        counts[vm.get("cloud")] = counts.get(vm.get("cloud"), 0) + 1
    # The BGP design: a VPN connection per Azure gateway instance, a public IP each.
    bgp = ((plan.get("cloud") or {}).get("aws") or {}).get("bgp") or {}
    azure_bgp = ((plan.get("cloud") or {}).get("azure") or {}).get("bgp") or {}
    rows = {}
    if not aws.get("emulated"):
        rows["aws"] = aws_cost.cost_rows(counts.get("aws", 0), module.params["aws_instance_type"],
                                         len(bgp.get("connections") or ()) or 1)
    if azure_built and not azure.get("emulated"):
        rows["azure"] = azure_cost.cost_rows(counts.get("azure", 0), module.params["azure_vm_size"],
                                             azure.get("gateway_sku") or "VpnGw1AZ",
                                             len(azure_bgp.get("instances") or ()) or 1)
    estimate = cost.estimate(rows, max(aws_cost.PRICES_AS_OF, azure_cost.PRICES_AS_OF))
    found = preflight.problems(facts)
    if found:
        module.fail_json(msg=preflight.message(found), problems=found, cost=estimate)
    module.exit_json(changed=False, problems=[], cost=estimate)


if __name__ == "__main__":
    main()

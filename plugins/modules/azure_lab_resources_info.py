#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: azure_lab_resources_info
short_description: The Azure resources and test VMs of a VPN lab, found by tag
version_added: 0.1.0
description:
  - Lists every resource group and resource of the subscription that carries the lab's tags
    (C(vpnlab=<lab>) and C(managed_by=multicloud.vpnlab)), for the teardown's leak check.
  - With O(resource_group), also returns the lab's test VMs in it as the lab inventory lists them
    (name, cloud, private and public IP, resource name, connection variables), and the resource
    group itself with whether teardown may delete it.
author:
  - multicloud.vpnlab contributors (@multicloud)
notes:
  - An OS disk that Azure creates with a VM does not get the VM's tags, so it is not listed here;
    it goes with the resource group, whose absence the teardown checks.
requirements:
  - azure.azcollection's Python requirements (its requirements.txt; C(make cloud-deps))
attributes:
  check_mode:
    support: full
    details: Reads only.
  diff_mode:
    support: none
  idempotent:
    support: full
extends_documentation_fragment:
  - multicloud.vpnlab.attributes
  - multicloud.vpnlab.attributes.actiongroup_azure
  - azure.azcollection.azure
options:
  lab:
    description: The lab's name (the value of its C(vpnlab) tag).
    type: str
    required: true
  resource_group:
    description: The lab's resource group, for its VMs and its own state.
    type: str
  state_dir:
    description: The lab's state directory, for the VMs' connection variables (SSH key, known_hosts).
    type: path
    default: ""
seealso:
  - module: multicloud.vpnlab.azure_vpn_connection_info
"""

EXAMPLES = r"""
- name: List what is left of the lab in Azure
  multicloud.vpnlab.azure_lab_resources_info:
    lab: vpntest
  register: left
"""

RETURN = r"""
resources:
  description: Resource groups and resources carrying the lab's tags.
  returned: always
  type: list
  elements: dict
  sample:
    - kind: resource
      id: /subscriptions/.../resourceGroups/rg-euwe-dev-student-vpntest/providers/Microsoft.Network/publicIPAddresses/pip-vpntest-vpngw
      name: pip-vpntest-vpngw
      type: Microsoft.Network/publicIPAddresses
      location: westeurope
resource_group:
  description: O(resource_group) as found (C(exists), C(labs), C(provisioning_state), C(reason)).
  returned: when O(resource_group) is given
  type: dict
vms:
  description: The lab's VMs in O(resource_group), as the lab inventory's vms.json lists them.
  returned: always
  type: list
  elements: dict
"""

from ansible_collections.azure.azcollection.plugins.module_utils.azure_rm_common import AzureRMModuleBase
from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.inventory import list_vms
from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.resources import (
    group_verdict, lab_resources, tag_filter,
)

try:
    from azure.core.exceptions import ResourceNotFoundError
except ImportError:  # AzureRMModuleBase reports the missing SDK
    ResourceNotFoundError = Exception


class AzureLabResourcesInfo(AzureRMModuleBase):

    def __init__(self):
        spec = dict(lab=dict(type="str", required=True), resource_group=dict(type="str"),
                    state_dir=dict(type="path", default=""))
        super().__init__(spec, supports_check_mode=True, supports_tags=False, facts_module=True)

    def exec_module(self, **kwargs):
        lab, group = kwargs["lab"], kwargs["resource_group"]
        rm = self.rm_client
        groups = [g.as_dict() for g in rm.resource_groups.list(filter=tag_filter(lab))]
        resources = [r.as_dict() for r in rm.resources.list(filter=tag_filter(lab))]
        result = dict(changed=False, resources=lab_resources(groups, resources, lab), vms=[])
        if group:
            result["resource_group"] = self.group_state(group, lab)
            if result["resource_group"]["exists"]:
                result["vms"] = list_vms(self.compute_client, self.network_client, group, lab, kwargs["state_dir"])
        return result

    def group_state(self, group, lab):
        try:
            found = self.rm_client.resource_groups.get(group).as_dict()
        except ResourceNotFoundError:
            found = None
        labs, reason = group_verdict(found, lab)
        return {"name": group, "exists": found is not None, "labs": labs, "reason": reason,
                "provisioning_state": ((found or {}).get("properties") or {}).get("provisioning_state")}


def main():
    AzureLabResourcesInfo()


if __name__ == "__main__":
    main()

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
  - With O(location), also returns where the VPN gateway's Standard public IP can go
    (RV(placement)) - the region's availability zones, from the subscription's list of
    locations (ARM's C(availabilityZoneMappings)), checked before anything is created. A zonal
    public IP in a region without zones fails at Azure (C(LocationNotSupportAvailabilityZones));
    since May 2025 Azure accepts the AZ gateway SKUs in every region, with a regional public IP
    where the region has no zones (and no zone redundancy).
author:
  - multicloud.vpnlab contributors (@multicloud)
notes:
  - An OS disk that Azure creates with a VM does not get the VM's tags, so it is not listed here;
    it goes with the resource group, whose absence the teardown checks.
requirements:
  - azure.azcollection's Python requirements (C(pip install -r) its C(requirements.txt), in the directory that
    C(ansible-galaxy collection list azure.azcollection) shows)
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
  location:
    description: The Azure region the lab is built in, for RV(placement).
    type: str
  public_ip_zones:
    description:
      - With O(location), the zones wanted for the gateway's public IP; empty takes all the
        region's zones (zone-redundant), or none where the region has none.
    type: list
    elements: str
    default: []
  gateway_sku:
    description: With O(location), the planned gateway SKU, named in RV(placement)'s messages.
    type: str
    default: VpnGw1AZ
seealso:
  - module: multicloud.vpnlab.azure_vpn_connection_info
"""

EXAMPLES = r"""
- name: List what is left of the lab in Azure
  multicloud.vpnlab.azure_lab_resources_info:
    lab: vpntest
  register: left

- name: Find the zones of the gateway's public IP before anything is created
  multicloud.vpnlab.azure_lab_resources_info:
    lab: vpntest
    location: westeurope
  register: found

- name: Stop when the region cannot host it
  ansible.builtin.assert:
    that: found.placement.problem is none
    fail_msg: "{{ found.placement.problem | default('', true) }}"
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
placement:
  description:
    - Where the gateway's public IP can go in O(location) - C(location), C(found) (whether the
      subscription lists the region), C(region_zones) (its logical zones, empty for a region
      without zones), C(zones) (the zones to give the public IP, empty for a regional one),
      C(problem) (why the region cannot host the planned IP, or null) and C(note) (what to know,
      such as no zone redundancy, or null).
  returned: when O(location) is given
  type: dict
  sample: {location: westeurope, found: true, region_zones: ["1", "2", "3"], zones: ["1", "2", "3"],
           problem: null, note: null}
"""

from ansible_collections.azure.azcollection.plugins.module_utils.azure_rm_common import AzureRMModuleBase
from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.inventory import list_vms
from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.resources import (
    group_verdict, lab_resources, tag_filter,
)
from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.zones import (
    gateway_ip_zones, region_zones,
)

try:
    from azure.core.exceptions import ResourceNotFoundError
except ImportError:  # AzureRMModuleBase reports the missing SDK
    ResourceNotFoundError = Exception


class AzureLabResourcesInfo(AzureRMModuleBase):

    def __init__(self):
        spec = dict(lab=dict(type="str", required=True), resource_group=dict(type="str"),
                    state_dir=dict(type="path", default=""), location=dict(type="str"),
                    public_ip_zones=dict(type="list", elements="str", default=[]),
                    gateway_sku=dict(type="str", default="VpnGw1AZ"))
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
        if kwargs["location"]:
            result["placement"] = self.placement(kwargs["location"], kwargs["public_ip_zones"], kwargs["gateway_sku"])
        return result

    def placement(self, location, wanted, sku):
        locations = [loc.as_dict() for loc in self.subscription_client.subscriptions.list_locations(self.subscription_id)]
        found, zones = region_zones(locations, location)
        decided = gateway_ip_zones(location, found, zones, wanted, sku, self.subscription_id,
                                   [loc.get("name") for loc in locations])
        return dict(decided, location=location, found=found, region_zones=zones)

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

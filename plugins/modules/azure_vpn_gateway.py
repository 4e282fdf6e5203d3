#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
---
module: azure_vpn_gateway
short_description: Azure route-based VPN gateway, active-active, with BGP and custom (APIPA) BGP addresses
version_added: 0.1.0
description:
  - Creates, updates or deletes an Azure route-based VPN gateway with one instance, or two
    (active-active), each on its own Standard public IP, with BGP and each instance's custom
    (APIPA) BGP addresses - the Azure side of the BGP design that connects Azure and AWS.
  - It fills the gaps of M(azure.azcollection.azure_rm_virtualnetworkgateway) 3.12.0 for that
    design - it has no active-active, it sends the first public IP for every ipConfiguration, and
    it sends BGP settings with the ASN alone, so custom BGP addresses never reach Azure.
  - Every field it sets is compared, so a re-run changes nothing. The gateway type, VPN type and
    generation cannot be changed on an existing gateway; a difference there fails with the
    fields named, and nothing is sent.
  - A gateway takes 30-45 minutes to create. Run the module with C(async) and C(poll=0) to build
    other things meanwhile; it waits until O(wait_timeout).
author:
  - multicloud.vpnlab contributors (@multicloud)
notes:
  - Uses azure.azcollection's AzureRMModuleBase, so it authenticates like the C(azure_rm_*)
    modules (parameters, E(AZURE_*) environment variables, C(~/.azure/credentials) or C(az login)).
  - Azure runs one operation at a time on a gateway and answers C(AnotherOperationInProgress) to
    a second one; the module retries until O(wait_timeout).
requirements:
  - azure.azcollection's Python requirements (C(pip install -r) its C(requirements.txt), in the directory that
    C(ansible-galaxy collection list azure.azcollection) shows)
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  idempotent:
    support: full
extends_documentation_fragment:
  - multicloud.vpnlab.attributes
  - multicloud.vpnlab.attributes.actiongroup_azure
  - azure.azcollection.azure
  - azure.azcollection.azure_tags
options:
  resource_group:
    description: Resource group of the gateway (and of the VNet and public IPs given by name).
    type: str
    required: true
  name:
    description: Name of the gateway.
    type: str
    required: true
  state:
    description: Whether the gateway should exist.
    type: str
    choices: [present, absent]
    default: present
  location:
    description: Region; the resource group's by default.
    type: str
  virtual_network:
    description:
      - The VNet, by name (in O(resource_group)) or resource id. The gateway sits in its subnet
        C(GatewaySubnet). Required with O(state=present).
    type: str
  instances:
    description:
      - The gateway's instances, one (active-standby) or two (active-active), in order.
      - Required with O(state=present).
    type: list
    elements: dict
    suboptions:
      public_ip_address:
        description: The instance's Standard Static public IP, by name (in O(resource_group)) or id.
        type: str
        required: true
      custom_bgp_ip_addresses:
        description:
          - The instance's custom BGP addresses, from 169.254.21.0 to 169.254.22.255 (the only
            ones Azure accepts). Each connection then names one of them per instance.
          - Needs O(bgp_asn).
        type: list
        elements: str
        default: []
  sku:
    description: The gateway SKU. Azure creates AZ SKUs only, with zonal public IPs where the region has zones.
    type: str
    default: VpnGw1AZ
  generation:
    description: The gateway generation (C(Generation2) for VpnGw2AZ and up only).
    type: str
    choices: [Generation1, Generation2]
    default: Generation1
  bgp_asn:
    description: The gateway's BGP ASN (Azure's default is 65515). Without it, no BGP.
    type: int
  wait_timeout:
    description: Seconds to wait for Azure to finish, retries on C(AnotherOperationInProgress) included.
    type: int
    default: 3600
seealso:
  - module: azure.azcollection.azure_rm_virtualnetworkgateway
  - module: multicloud.vpnlab.azure_vpn_connection
  - module: multicloud.vpnlab.azure_local_network_gateway
"""

EXAMPLES = r"""
- name: Start the active-active BGP gateway (Azure takes 30-45 minutes)
  multicloud.vpnlab.azure_vpn_gateway:
    resource_group: rg-euwe-dev-student-vpntest
    name: vpng-vpntest
    virtual_network: vnet-vpntest
    bgp_asn: 65515
    instances:
      - public_ip_address: pip-vpntest-vpngw
        custom_bgp_ip_addresses: [169.254.21.2, 169.254.22.2]
      - public_ip_address: pip-vpntest-vpngw2
        custom_bgp_ip_addresses: [169.254.21.6, 169.254.22.6]
    tags:
      vpnlab: vpntest
  async: 3600
  poll: 0
  register: gateway_job
"""

RETURN = r"""
gateway:
  description: The gateway as Azure describes it; empty when absent.
  returned: always
  type: dict
  contains:
    id:
      description: Resource id.
      type: str
    active_active:
      description: Whether both instances are active.
      type: bool
    bgp_asn:
      description: The gateway's ASN, when it has BGP.
      type: int
    instances:
      description:
        - Each instance - its ipConfiguration (name and id), public IP id, default and custom BGP
          addresses, and tunnel address.
      type: list
      elements: dict
changed_fields:
  description: The fields that were (or in check mode would be) changed.
  returned: always
  type: list
  elements: str
"""

import time

from ansible_collections.azure.azcollection.plugins.module_utils.azure_rm_common import AzureRMModuleBase
from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.bgp import (
    GatewayPlanError, desired_gateway, gateway_differences, gateway_view, update_body,
)
from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.ids import resource_id
from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.operations import (
    Refused, Unfinished, run_operation,
)

try:
    from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
except ImportError:  # AzureRMModuleBase reports the missing SDK
    HttpResponseError = ResourceNotFoundError = Exception


def argument_spec():
    return dict(
        resource_group=dict(type="str", required=True),
        name=dict(type="str", required=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        location=dict(type="str"),
        virtual_network=dict(type="str"),
        instances=dict(type="list", elements="dict", options=dict(
            public_ip_address=dict(type="str", required=True),
            custom_bgp_ip_addresses=dict(type="list", elements="str", default=[]))),
        sku=dict(type="str", default="VpnGw1AZ"),
        generation=dict(type="str", default="Generation1", choices=["Generation1", "Generation2"]),
        bgp_asn=dict(type="int"),
        wait_timeout=dict(type="int", default=3600),
    )


class AzureVpnGateway(AzureRMModuleBase):
    """Thin: reads the gateway, compares with the lab's fields, writes what differs."""

    def __init__(self):
        required_if = [("state", "present", ["virtual_network", "instances"])]
        super().__init__(argument_spec(), supports_check_mode=True, supports_tags=True, required_if=required_if)

    def exec_module(self, **kwargs):
        self.opts = kwargs
        self.deadline = time.monotonic() + kwargs["wait_timeout"]
        try:
            current = self.network_client.virtual_network_gateways.get(kwargs["resource_group"], kwargs["name"]).as_dict()
        except ResourceNotFoundError:
            current = None
        if kwargs["state"] == "absent":
            return self.ensure_absent(current)
        return self.ensure_present(current)

    def call(self, start):
        """Run a long-running operation, retrying while Azure is busy with another one."""
        try:
            return run_operation(start, self.deadline, (HttpResponseError,))
        except Refused as exc:
            self.fail("Azure refused gateway %s: %s" % (self.opts["name"], getattr(exc.error, "message", None) or exc.error))
        except Unfinished:
            self.fail("Azure did not finish with gateway %s within wait_timeout=%ds"
                      % (self.opts["name"], self.opts["wait_timeout"]))

    def desired(self):
        opts, sub, group = self.opts, self.subscription_id, self.opts["resource_group"]
        gateway_id = resource_id(sub, group, "virtual_network_gateway", opts["name"])
        subnet_id = resource_id(sub, group, "virtual_network", opts["virtual_network"]) + "/subnets/GatewaySubnet"
        instances = opts["instances"]
        try:
            return desired_gateway(gateway_id, subnet_id,
                                   [resource_id(sub, group, "public_ip", i["public_ip_address"]) for i in instances],
                                   opts["sku"], opts["generation"], len(instances) == 2, opts["bgp_asn"],
                                   [i["custom_bgp_ip_addresses"] for i in instances]
                                   if any(i["custom_bgp_ip_addresses"] for i in instances) else [])
        except GatewayPlanError as exc:
            self.fail("gateway %s: %s" % (opts["name"], exc))

    def ensure_present(self, current):
        opts, group = self.opts, self.opts["resource_group"]
        if len(opts["instances"]) not in (1, 2):
            self.fail("instances: a gateway has one instance, or two (active-active), not %d" % len(opts["instances"]))
        desired = self.desired()
        if current:
            changed_fields, fixed = gateway_differences(desired, current)
            if fixed:
                self.fail("gateway %s exists with other %s (%s); Azure cannot change %s on an existing gateway: "
                          "delete it first, or keep the existing value%s" % (
                              opts["name"], ", ".join(fixed), ", ".join("%s=%s" % (f, current.get(f)) for f in fixed),
                              "them" if len(fixed) > 1 else "it", "s" if len(fixed) > 1 else ""))
        else:
            changed_fields = ["gateway"]
        tags_changed, tags = self.update_tags(current.get("tags")) if current else (False, opts["tags"])
        if tags_changed:
            changed_fields.append("tags")
        location = opts["location"] or (current or {}).get("location") or self.get_resource_group(group).location
        after = current
        if changed_fields and not self.check_mode:
            body = update_body(current, desired, location, tags)
            after = self.call(lambda: self.network_client.virtual_network_gateways.begin_create_or_update(
                group, opts["name"], body)).as_dict()
        wanted = dict(gateway_view(dict(current or {}, **desired)), location=location, tags=tags)
        return dict(changed=bool(changed_fields), changed_fields=changed_fields, gateway=gateway_view(after),
                    diff=dict(before=gateway_view(current), after=wanted))

    def ensure_absent(self, current):
        if current is None:
            return dict(changed=False, changed_fields=[], gateway={}, diff=dict(before={}, after={}))
        if not self.check_mode:
            self.call(lambda: self.network_client.virtual_network_gateways.begin_delete(
                self.opts["resource_group"], self.opts["name"]))
        return dict(changed=True, changed_fields=["gateway"], gateway={},
                    diff=dict(before=gateway_view(current), after={}))


def main():
    AzureVpnGateway()


if __name__ == "__main__":
    main()

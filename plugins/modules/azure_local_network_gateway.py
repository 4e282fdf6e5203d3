#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: azure_local_network_gateway
short_description: Azure local network gateway with exactly the given address prefixes
version_added: 0.1.0
description:
  - Creates, updates or deletes an Azure local network gateway (the other side of a
    site-to-site VPN, with its public IP and the address prefixes behind it).
  - The address prefixes are set to exactly O(address_prefixes). It replaces
    M(azure.azcollection.azure_rm_localnetworkgateway) 3.12.0 for the lab, which merges the
    given prefixes with the existing ones (a removed prefix is never removed, so traffic for a
    network no longer behind the peer keeps going into the tunnel) and fails on a tag change.
  - With O(local_network_gateways), several local network gateways are handled one after the other in one
    module run (one Azure SDK import instead of one per gateway).
author:
  - multicloud.vpnlab contributors (@multicloud)
notes:
  - Uses azure.azcollection's AzureRMModuleBase, so it authenticates like the C(azure_rm_*) modules.
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
    description: Resource group of the local network gateway.
    type: str
    required: true
  name:
    description:
      - Name of the local network gateway.
      - One of O(name) and O(local_network_gateways) is required.
    type: str
  local_network_gateways:
    description:
      - Several local network gateways, handled one after the other in one module run, in this order.
        Each entry's fields replace the options of the same name; every other option applies to all of them.
      - Mutually exclusive with O(name), O(gateway_ip_address) and O(bgp).
      - The result is then in RV(local_network_gateways), one entry per gateway; the first one Azure refuses
        ends the run (the ones before it are done).
    type: list
    elements: dict
    version_added: 0.1.0
    suboptions:
      name:
        description: Name of the local network gateway.
        type: str
        required: true
      gateway_ip_address:
        description: As O(gateway_ip_address). Required with O(state=present).
        type: str
      address_prefixes:
        description: As O(address_prefixes); O(address_prefixes) when not given.
        type: list
        elements: str
      bgp:
        description: As O(bgp).
        type: dict
        suboptions:
          asn:
            description: The peer's ASN.
            type: int
            required: true
          bgp_peering_address:
            description: The peer's BGP address.
            type: str
            required: true
  state:
    description: Whether it should exist.
    type: str
    choices: [present, absent]
    default: present
  location:
    description: Region; the resource group's by default.
    type: str
  gateway_ip_address:
    description:
      - Public IP of the peer (an AWS tunnel's outside address).
      - Required with O(state=present), unless O(local_network_gateways) gives it.
    type: str
  address_prefixes:
    description: The networks behind the peer, exactly (a prefix not listed is removed).
    type: list
    elements: str
    default: []
  bgp:
    description:
      - The peer's BGP speaker, for a connection with BGP (the BGP design's AWS tunnel).
      - Without it the local network gateway has no BGP settings.
    type: dict
    suboptions:
      asn:
        description: The peer's ASN (AWS's side, the virtual private gateway's).
        type: int
        required: true
      bgp_peering_address:
        description: The peer's BGP address (the AWS tunnel's inside address, 169.254.21.1 say).
        type: str
        required: true
  wait_timeout:
    description: Seconds to wait for Azure to finish.
    type: int
    default: 600
seealso:
  - module: multicloud.vpnlab.azure_vpn_connection
"""

EXAMPLES = r"""
- name: Stand for AWS tunnel 1 in Azure
  multicloud.vpnlab.azure_local_network_gateway:
    resource_group: rg-euwe-dev-student-vpntest
    name: lgw-vpntest-tunnel1
    gateway_ip_address: 203.0.113.10
    address_prefixes: [10.2.0.0/16]
    tags:
      vpnlab: vpntest

- name: Stand for both AWS tunnels in one module run
  multicloud.vpnlab.azure_local_network_gateway:
    resource_group: rg-euwe-dev-student-vpntest
    address_prefixes: [10.2.0.0/16]
    local_network_gateways:
      - name: lgw-vpntest-tunnel1
        gateway_ip_address: 203.0.113.10
      - name: lgw-vpntest-tunnel2
        gateway_ip_address: 203.0.113.11
"""

RETURN = r"""
local_network_gateway:
  description: The local network gateway as Azure describes it; empty when absent.
  returned: with O(name)
  type: dict
  contains:
    id:
      description: Resource id.
      type: str
    gateway_ip_address:
      description: The peer's public IP.
      type: str
    local_network_address_space:
      description: C(address_prefixes) behind the peer.
      type: dict
    bgp_settings:
      description: The peer's ASN and BGP address, when it speaks BGP.
      type: dict
changed_fields:
  description: The fields that were (or in check mode would be) changed.
  returned: with O(name)
  type: list
  elements: str
local_network_gateways:
  description: With O(local_network_gateways), one entry per gateway, in its order.
  returned: with O(local_network_gateways)
  type: list
  elements: dict
  version_added: 0.1.0
  contains:
    name:
      description: Name of the local network gateway.
      type: str
    changed:
      description: Whether this one was (or in check mode would be) changed.
      type: bool
    changed_fields:
      description: As RV(changed_fields), for this one.
      type: list
      elements: str
    local_network_gateway:
      description: As RV(local_network_gateway), for this one.
      type: dict
"""


from ansible_collections.azure.azcollection.plugins.module_utils.azure_rm_common import AzureRMModuleBase
from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.connection import (
    desired_local_gateway, local_gateway_differences, local_gateway_view,
)
from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.entries import run_entries

try:
    from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
except ImportError:  # AzureRMModuleBase reports the missing SDK
    HttpResponseError = ResourceNotFoundError = Exception


BGP_SPEC = dict(asn=dict(type="int", required=True), bgp_peering_address=dict(type="str", required=True))


def argument_spec():
    return dict(
        resource_group=dict(type="str", required=True),
        name=dict(type="str"),
        local_network_gateways=dict(type="list", elements="dict", options=dict(
            name=dict(type="str", required=True),
            gateway_ip_address=dict(type="str"),
            address_prefixes=dict(type="list", elements="str"),
            bgp=dict(type="dict", options=BGP_SPEC),
        )),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        location=dict(type="str"),
        gateway_ip_address=dict(type="str"),
        address_prefixes=dict(type="list", elements="str", default=[]),
        bgp=dict(type="dict", options=BGP_SPEC),
        wait_timeout=dict(type="int", default=600),
    )


class AzureLocalNetworkGateway(AzureRMModuleBase):

    def __init__(self):
        exclusive = [["local_network_gateways", field] for field in ("name", "gateway_ip_address", "bgp")]
        super().__init__(argument_spec(), supports_check_mode=True, supports_tags=True, mutually_exclusive=exclusive,
                         required_one_of=[["name", "local_network_gateways"]])

    def exec_module(self, **kwargs):
        return run_entries(kwargs, "local_network_gateways", "local_network_gateway", self.refuse_incomplete, self.one)

    def refuse_incomplete(self, opts):
        if opts["state"] == "present" and not opts.get("gateway_ip_address"):
            self.fail("state is present but all of the following are missing%s: gateway_ip_address"
                      % (" for local network gateway %s" % opts["name"] if opts["local_network_gateways"] else ""))

    def one(self, opts):
        """One local network gateway: the module's options, or one entry of local_network_gateways over them."""
        self.opts = opts
        try:
            current = self.network_client.local_network_gateways.get(opts["resource_group"], opts["name"]).as_dict()
        except ResourceNotFoundError:
            current = None
        if opts["state"] == "absent":
            return self.ensure_absent(current)
        return self.ensure_present(current)

    def wait(self, poller):
        result = poller.result(timeout=self.opts["wait_timeout"])
        if not poller.done():
            self.fail("Azure did not finish with local network gateway %s within wait_timeout=%ds"
                      % (self.opts["name"], self.opts["wait_timeout"]))
        return result

    def ensure_present(self, current):
        opts, group = self.opts, self.opts["resource_group"]
        desired = desired_local_gateway(opts["gateway_ip_address"], opts["address_prefixes"], opts["bgp"])
        changed_fields = local_gateway_differences(desired, current) if current else ["local_network_gateway"]
        tags_changed, tags = self.update_tags(current.get("tags")) if current else (False, opts["tags"])
        if tags_changed:
            changed_fields.append("tags")
        after = current
        location = opts["location"] or (current or {}).get("location") or self.get_resource_group(group).location
        if changed_fields and not self.check_mode:
            body = dict(current or {}, **desired)
            body.update(location=location, tags=tags)
            for key in ("etag", "provisioning_state", "resource_guid"):
                body.pop(key, None)
            try:
                after = self.wait(self.network_client.local_network_gateways.begin_create_or_update(
                    group, opts["name"], body)).as_dict()
            except HttpResponseError as exc:
                self.fail("Azure refused local network gateway %s: %s" % (opts["name"], exc))
        wanted = dict(local_gateway_view(dict(current or {}, **desired)), location=location, tags=tags)
        return dict(changed=bool(changed_fields), changed_fields=changed_fields,
                    local_network_gateway=local_gateway_view(after),
                    diff=dict(before=local_gateway_view(current), after=wanted))

    def ensure_absent(self, current):
        if current is None:
            return dict(changed=False, changed_fields=[], local_network_gateway={}, diff=dict(before={}, after={}))
        if not self.check_mode:
            try:
                gateways = self.network_client.local_network_gateways
                self.wait(gateways.begin_delete(self.opts["resource_group"], self.opts["name"]))
            except HttpResponseError as exc:
                self.fail("Azure refused to delete local network gateway %s: %s" % (self.opts["name"], exc))
        return dict(changed=True, changed_fields=["local_network_gateway"], local_network_gateway={},
                    diff=dict(before=local_gateway_view(current), after={}))


def main():
    AzureLocalNetworkGateway()


if __name__ == "__main__":
    main()

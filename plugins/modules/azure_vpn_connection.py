#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: azure_vpn_connection
short_description: Azure site-to-site (IPsec) connection with a custom IPsec/IKE policy
version_added: 0.1.0
description:
  - Creates, updates or deletes an Azure VPN gateway connection of type C(IPsec) between a
    virtual network gateway and a local network gateway, with its pre-shared key, a custom
    IPsec/IKE policy and the dead peer detection timeout.
  - It fills the gaps of M(azure.azcollection.azure_rm_virtualnetworkgatewayconnection) 3.12.0,
    which has no IPsec policies, sends C(use_policy_based_traffic_selector) (a name the SDK
    drops, so the setting never reaches Azure and every re-run reports a change), never compares
    the shared key (a changed key is not applied) and returns the key in its result; and of its
    C(_info) module, which fails on a connection that has IPsec policies.
  - Every field the module sets is sent explicitly and compared, the shared key included; an
    update keeps the fields it does not manage. Returns the connection's status and byte
    counters, the Azure side's evidence of the tunnel.
  - Azure runs one operation at a time on a gateway and answers C(AnotherOperationInProgress)
    to a second one; the module retries until O(wait_timeout). Create a gateway's connections
    one after another, or all in one task with O(connections), which handles them one at a time
    in one module run (one Azure SDK import instead of one per connection).
author:
  - multicloud.vpnlab contributors (@multicloud)
notes:
  - The shared key never appears in the module's result, its diff or its messages; the diff says
    only whether it changes.
  - Azure fixes the IKE (phase 1) SA lifetime of a custom policy at 28,800 seconds; the policy
    sets the IPsec (phase 2) SA lifetime and data size.
  - Uses azure.azcollection's AzureRMModuleBase, so it authenticates like the C(azure_rm_*)
    modules (parameters, E(AZURE_*) environment variables, C(~/.azure/credentials) or C(az login)).
requirements:
  - azure.azcollection's Python requirements (C(pip install -r) its C(requirements.txt), in the directory that
    C(ansible-galaxy collection list azure.azcollection) shows)
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: The managed fields and tags; the shared key only as changed or unchanged.
  idempotent:
    support: full
extends_documentation_fragment:
  - multicloud.vpnlab.attributes
  - multicloud.vpnlab.attributes.actiongroup_azure
  - azure.azcollection.azure
  - azure.azcollection.azure_tags
options:
  resource_group:
    description: Resource group of the connection.
    type: str
    required: true
  name:
    description:
      - Name of the connection.
      - One of O(name) and O(connections) is required.
    type: str
  connections:
    description:
      - Several connections of the same gateway, handled one after another in one module run, in
        this order. Each entry's fields replace the options of the same name; every other option
        applies to all of them.
      - Mutually exclusive with O(name), O(local_network_gateway), O(shared_key) and
        O(custom_bgp_ip_addresses).
      - The result is then in RV(connections), one entry per connection; the first connection
        Azure refuses ends the run (the ones before it are done).
    type: list
    elements: dict
    version_added: 0.1.0
    suboptions:
      name:
        description: Name of the connection.
        type: str
        required: true
      local_network_gateway:
        description: The local network gateway, as O(local_network_gateway). Required with O(state=present).
        type: str
      shared_key:
        description: The pre-shared key, as O(shared_key). Required with O(state=present).
        type: str
      custom_bgp_ip_addresses:
        description: As O(custom_bgp_ip_addresses).
        type: list
        elements: str
  state:
    description: Whether the connection should exist.
    type: str
    choices: [present, absent]
    default: present
  location:
    description: Region of the connection; the resource group's by default.
    type: str
  virtual_network_gateway:
    description:
      - The Azure VPN gateway, by name (in O(resource_group)) or resource id.
      - Required with O(state=present).
    type: str
  local_network_gateway:
    description:
      - The local network gateway (the other side), by name (in O(resource_group)) or id.
      - Required with O(state=present), unless O(connections) gives it.
    type: str
  shared_key:
    description:
      - The pre-shared key. Required with O(state=present), unless O(connections) gives it.
        Compared with the connection's current key, and applied when it differs.
    type: str
  connection_protocol:
    description: IKE version.
    type: str
    choices: [IKEv2, IKEv1]
    default: IKEv2
  dpd_timeout_seconds:
    description: Dead peer detection timeout (Azure allows 9-3600).
    type: int
    default: 45
  routing_weight:
    description: Routing weight of the connection.
    type: int
    default: 0
  ipsec_policy:
    description:
      - The custom IPsec/IKE policy, in Azure's names. Without it, Azure's default policies apply.
    type: dict
    suboptions:
      ike_encryption:
        description: IKE (phase 1) encryption.
        type: str
        required: true
        choices: [DES, DES3, AES128, AES192, AES256, GCMAES128, GCMAES256]
      ike_integrity:
        description: IKE (phase 1) integrity; with GCM encryption, the same GCM algorithm.
        type: str
        required: true
        choices: [MD5, SHA1, SHA256, SHA384, GCMAES128, GCMAES256]
      dh_group:
        description: IKE (phase 1) Diffie-Hellman group.
        type: str
        required: true
        choices: [None, DHGroup1, DHGroup2, DHGroup14, DHGroup2048, ECP256, ECP384, DHGroup24]
      ipsec_encryption:
        description: IPsec (phase 2) encryption.
        type: str
        required: true
        choices: [None, DES, DES3, AES128, AES192, AES256, GCMAES128, GCMAES192, GCMAES256]
      ipsec_integrity:
        description: IPsec (phase 2) integrity; with GCM encryption, the same GCM algorithm.
        type: str
        required: true
        choices: [MD5, SHA1, SHA256, GCMAES128, GCMAES192, GCMAES256]
      pfs_group:
        description: Perfect forward secrecy group of phase 2.
        type: str
        required: true
        choices: [None, PFS1, PFS2, PFS2048, ECP256, ECP384, PFS24, PFS14, PFSMM]
      sa_life_time_seconds:
        description: IPsec (phase 2) SA lifetime, seconds.
        type: int
        default: 3600
      sa_data_size_kilobytes:
        description: IPsec (phase 2) SA data size, kilobytes.
        type: int
        default: 102400000
  enable_bgp:
    description:
      - Speak BGP over this connection (the BGP design). The gateway needs BGP, and the local
        network gateway the peer's BGP settings.
    type: bool
    default: false
  custom_bgp_ip_addresses:
    description:
      - Which custom (APIPA) BGP address each gateway instance speaks from on this connection,
        in the gateway's instance order (one address, or two for an active-active gateway).
      - Each must be one of that instance's custom BGP addresses
        (M(multicloud.vpnlab.azure_vpn_gateway)'s O(multicloud.vpnlab.azure_vpn_gateway#module:instances[].custom_bgp_ip_addresses)).
      - Empty means none (Azure's default BGP addresses). With O(enable_bgp) on a gateway whose
        instances have custom BGP addresses, empty is refused - Azure would then speak from each
        instance's first address on every connection.
    type: list
    elements: str
    default: []
  wait_timeout:
    description: Seconds to wait for Azure to finish, retries on C(AnotherOperationInProgress) included.
    type: int
    default: 1800
seealso:
  - module: multicloud.vpnlab.azure_vpn_connection_info
  - module: multicloud.vpnlab.azure_local_network_gateway
"""

EXAMPLES = r"""
- name: Connect the Azure VPN gateway to AWS tunnel 1
  multicloud.vpnlab.azure_vpn_connection:
    resource_group: rg-euwe-dev-student-vpntest
    name: con-vpntest-tunnel1
    virtual_network_gateway: vpng-vpntest
    local_network_gateway: lgw-vpntest-tunnel1
    shared_key: "{{ tunnel1_psk }}"
    dpd_timeout_seconds: 45
    ipsec_policy:
      ike_encryption: AES256
      ike_integrity: SHA256
      dh_group: DHGroup14
      ipsec_encryption: AES256
      ipsec_integrity: SHA256
      pfs_group: PFS2048
      sa_life_time_seconds: 3600
  no_log: true
  register: connection

- name: Connect an active-active BGP gateway to AWS tunnel 1 of VPN connection 1
  multicloud.vpnlab.azure_vpn_connection:
    resource_group: rg-euwe-dev-student-vpntest
    name: con-vpntest-vpn1-tunnel1
    virtual_network_gateway: vpng-vpntest
    local_network_gateway: lgw-vpntest-vpn1-tunnel1
    shared_key: "{{ tunnel1_psk }}"
    enable_bgp: true
    custom_bgp_ip_addresses: [169.254.21.2, 169.254.21.6]
  no_log: true

- name: Connect the gateway to both AWS tunnels in one module run, one connection after the other
  multicloud.vpnlab.azure_vpn_connection:
    resource_group: rg-euwe-dev-student-vpntest
    virtual_network_gateway: vpng-vpntest
    connections:
      - name: con-vpntest-tunnel1
        local_network_gateway: lgw-vpntest-tunnel1
        shared_key: "{{ tunnel1_psk }}"
      - name: con-vpntest-tunnel2
        local_network_gateway: lgw-vpntest-tunnel2
        shared_key: "{{ tunnel2_psk }}"
    ipsec_policy: "{{ lab_ipsec_policy }}"
  no_log: true
  register: connections

- name: Remove it
  multicloud.vpnlab.azure_vpn_connection:
    resource_group: rg-euwe-dev-student-vpntest
    name: con-vpntest-tunnel1
    state: absent
"""

RETURN = r"""
connection:
  description: The connection as Azure describes it, without its shared key; empty when absent.
  returned: with O(name)
  type: dict
  contains:
    id:
      description: Resource id.
      type: str
    connection_status:
      description: V(Unknown), V(Connecting), V(Connected) or V(NotConnected), as Azure reports it.
      type: str
      sample: Connected
    ingress_bytes_transferred:
      description: Bytes received through the tunnel, as counted by the Azure gateway.
      type: int
    egress_bytes_transferred:
      description: Bytes sent through the tunnel, as counted by the Azure gateway.
      type: int
    ipsec_policies:
      description: The custom policies (at most one).
      type: list
      elements: dict
    dpd_timeout_seconds:
      description: Dead peer detection timeout.
      type: int
    provisioning_state:
      description: Azure's provisioning state.
      type: str
changed_fields:
  description: The fields that were (or in check mode would be) changed; V(shared_key) when the key changes.
  returned: with O(name)
  type: list
  elements: str
connections:
  description: With O(connections), one entry per connection, in its order.
  returned: with O(connections)
  type: list
  elements: dict
  version_added: 0.1.0
  contains:
    name:
      description: Name of the connection.
      type: str
    changed:
      description: Whether this connection was (or in check mode would be) changed.
      type: bool
    changed_fields:
      description: As RV(changed_fields), for this connection.
      type: list
      elements: str
    connection:
      description: As RV(connection), for this connection.
      type: dict
"""

import time

from ansible_collections.azure.azcollection.plugins.module_utils.azure_rm_common import AzureRMModuleBase
from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.bgp import (
    GatewayPlanError, connection_custom_bgp_ips, unnamed_custom_bgp_ips_problem,
)
from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.connection import (
    desired_connection, differences, public_view, update_body,
)
from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.entries import run_entries
from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.ids import parse, resource_id
from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.operations import (
    Refused, Unfinished, run_operation,
)
from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.spec import DPD_DEFAULT_SECONDS, DPD_RANGE_SECONDS

try:
    from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
except ImportError:  # AzureRMModuleBase reports the missing SDK
    HttpResponseError = ResourceNotFoundError = Exception


POLICY_SPEC = dict(
    ike_encryption=dict(type="str", required=True,
                        choices=["DES", "DES3", "AES128", "AES192", "AES256", "GCMAES128", "GCMAES256"]),
    ike_integrity=dict(type="str", required=True,
                       choices=["MD5", "SHA1", "SHA256", "SHA384", "GCMAES128", "GCMAES256"]),
    dh_group=dict(type="str", required=True,
                  choices=["None", "DHGroup1", "DHGroup2", "DHGroup14", "DHGroup2048", "ECP256", "ECP384", "DHGroup24"]),
    ipsec_encryption=dict(type="str", required=True,
                          choices=["None", "DES", "DES3", "AES128", "AES192", "AES256", "GCMAES128",
                                   "GCMAES192", "GCMAES256"]),
    ipsec_integrity=dict(type="str", required=True,
                         choices=["MD5", "SHA1", "SHA256", "GCMAES128", "GCMAES192", "GCMAES256"]),
    pfs_group=dict(type="str", required=True,
                   choices=["None", "PFS1", "PFS2", "PFS2048", "ECP256", "ECP384", "PFS24", "PFS14", "PFSMM"]),
    sa_life_time_seconds=dict(type="int", default=3600),
    sa_data_size_kilobytes=dict(type="int", default=102400000),
)


# What an entry of connections gives for its own connection.
PER_CONNECTION = ("local_network_gateway", "shared_key", "custom_bgp_ip_addresses")


def argument_spec():
    return dict(
        resource_group=dict(type="str", required=True),
        name=dict(type="str"),
        connections=dict(type="list", elements="dict", options=dict(
            name=dict(type="str", required=True),
            local_network_gateway=dict(type="str"),
            shared_key=dict(type="str", no_log=True),
            custom_bgp_ip_addresses=dict(type="list", elements="str"),
        )),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        location=dict(type="str"),
        virtual_network_gateway=dict(type="str"),
        local_network_gateway=dict(type="str"),
        shared_key=dict(type="str", no_log=True),
        connection_protocol=dict(type="str", default="IKEv2", choices=["IKEv2", "IKEv1"]),
        dpd_timeout_seconds=dict(type="int", default=DPD_DEFAULT_SECONDS),
        routing_weight=dict(type="int", default=0),
        ipsec_policy=dict(type="dict", options=POLICY_SPEC),
        enable_bgp=dict(type="bool", default=False),
        custom_bgp_ip_addresses=dict(type="list", elements="str", default=[]),
        wait_timeout=dict(type="int", default=1800),
    )


class AzureVpnConnection(AzureRMModuleBase):
    """Thin: reads the connection, compares with the lab's fields, writes what differs."""

    def __init__(self):
        required_if = [("state", "present", ["virtual_network_gateway"])]
        exclusive = [["connections", field] for field in ("name",) + PER_CONNECTION]
        super().__init__(argument_spec(), supports_check_mode=True, supports_tags=True, required_if=required_if,
                         mutually_exclusive=exclusive, required_one_of=[["name", "connections"]])

    def exec_module(self, **kwargs):
        dpd = kwargs["dpd_timeout_seconds"]
        if not DPD_RANGE_SECONDS[0] <= dpd <= DPD_RANGE_SECONDS[1]:
            self.fail("dpd_timeout_seconds=%d: Azure allows %d-%d seconds" % ((dpd,) + DPD_RANGE_SECONDS))
        # One at a time, in the given order: Azure runs one operation at a time on a gateway.
        return run_entries(kwargs, "connections", "connection", self.refuse_incomplete, self.one)

    def refuse_incomplete(self, opts):
        missing = [field for field in ("local_network_gateway", "shared_key") if not opts.get(field)]
        if opts["state"] == "present" and missing:
            self.fail("state is present but all of the following are missing%s: %s"
                      % (" for connection %s" % opts["name"] if opts["connections"] else "", ", ".join(missing)))

    def one(self, opts):
        """One connection: the module's options, or one entry of connections over them."""
        self.opts = opts
        self.deadline = time.monotonic() + opts["wait_timeout"]
        current = self.read()
        if opts["state"] == "absent":
            return self.ensure_absent(current)
        return self.ensure_present(current)

    # --- Azure calls ----------------------------------------------------------------------------

    def read(self):
        try:
            found = self.network_client.virtual_network_gateway_connections.get(
                self.opts["resource_group"], self.opts["name"])
        except ResourceNotFoundError:
            return None
        return found.as_dict()

    def current_key(self, current):
        """The connection's key: in the GET answer, else from the sharedkey endpoint."""
        if current.get("shared_key"):
            return current["shared_key"]
        return self.network_client.virtual_network_gateway_connections.get_shared_key(
            self.opts["resource_group"], self.opts["name"]).value

    def call(self, start):
        """Run a long-running operation, retrying while Azure is busy with another one."""
        try:
            return run_operation(start, self.deadline, (HttpResponseError,))
        except Refused as exc:
            self.fail("Azure refused connection %s: %s" % (self.opts["name"], self.scrub(exc.error)))
        except Unfinished:
            self.fail("Azure did not finish with connection %s within wait_timeout=%ds"
                      % (self.opts["name"], self.opts["wait_timeout"]))

    def custom_bgp_ips(self, gateway_id):
        """The connection's gateway_custom_bgp_ip_addresses: each instance's ipConfiguration id
        (read from the gateway) with its address."""
        wanted = self.opts["custom_bgp_ip_addresses"]
        if not wanted and not self.opts["enable_bgp"]:
            return []
        where = parse(gateway_id)
        try:
            gateway = self.network_client.virtual_network_gateways.get(where["resource_group"], where["name"]).as_dict()
        except ResourceNotFoundError:
            if not wanted:
                return []
            self.fail("custom_bgp_ip_addresses: gateway %s does not exist" % gateway_id)
        problem = unnamed_custom_bgp_ips_problem(gateway, self.opts["enable_bgp"], wanted)
        if problem:
            self.fail("custom_bgp_ip_addresses: %s" % problem)
        if not wanted:
            return []
        try:
            return connection_custom_bgp_ips(gateway, wanted)
        except GatewayPlanError as exc:
            self.fail("custom_bgp_ip_addresses: %s" % exc)

    def scrub(self, exc):
        text = str(getattr(exc, "message", None) or exc)
        key = self.opts.get("shared_key")
        return text.replace(key, "<hidden>") if key else text

    # --- states ---------------------------------------------------------------------------------

    def ensure_present(self, current):
        params, client = self.opts, self.network_client
        sub, group = self.subscription_id, params["resource_group"]
        location = params["location"] or (current or {}).get("location") or self.get_resource_group(group).location
        gateway_id = resource_id(sub, group, "virtual_network_gateway", params["virtual_network_gateway"])
        desired = desired_connection(gateway_id,
                                     resource_id(sub, group, "local_network_gateway", params["local_network_gateway"]),
                                     params["ipsec_policy"], params["dpd_timeout_seconds"],
                                     params["connection_protocol"], params["routing_weight"],
                                     params["enable_bgp"], self.custom_bgp_ips(gateway_id))
        changed_fields = differences(desired, current) if current else ["connection"]
        key_changed = current is not None and self.current_key(current) != params["shared_key"]
        if key_changed:
            changed_fields.append("shared_key")
        tags_changed, tags = self.update_tags((current or {}).get("tags")) if current else (False, params["tags"])
        if tags_changed:
            changed_fields.append("tags")
        changed = bool(changed_fields)
        after = current
        if changed and not self.check_mode:
            body = update_body(current, desired, location, tags, params["shared_key"])
            after = self.call(lambda: client.virtual_network_gateway_connections.begin_create_or_update(
                group, params["name"], body)).as_dict()
        before_view = public_view(current, key_changed=False) if current else {}
        wanted_view = dict(public_view(dict(current or {}, **desired), key_changed=key_changed or current is None),
                           location=location, tags=tags)
        return dict(changed=changed, changed_fields=changed_fields, connection=public_view(after),
                    diff=dict(before=before_view, after=wanted_view))

    def ensure_absent(self, current):
        if current is None:
            return dict(changed=False, changed_fields=[], connection={}, diff=dict(before={}, after={}))
        if not self.check_mode:
            self.call(lambda: self.network_client.virtual_network_gateway_connections.begin_delete(
                self.opts["resource_group"], self.opts["name"]))
        return dict(changed=True, changed_fields=["connection"], connection={},
                    diff=dict(before=public_view(current, key_changed=False), after={}))


def main():
    AzureVpnConnection()


if __name__ == "__main__":
    main()

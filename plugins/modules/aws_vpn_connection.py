#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: aws_vpn_connection
short_description: AWS site-to-site VPN connection with hardened per-tunnel options and static routes
version_added: 0.1.0
description:
  - Creates an AWS site-to-site VPN connection between a customer gateway and a virtual private
    gateway with both tunnels' options set at creation (pre-shared keys, inside CIDRs, IKE versions,
    algorithms, DH groups, lifetimes, dead peer detection, startup action), brings existing
    tunnels to those options with C(ModifyVpnTunnelOptions) only when they differ, and adds and
    removes the connection's static routes.
  - It fills the gaps of M(amazon.aws.ec2_vpc_vpn), whose O(amazon.aws.ec2_vpc_vpn#module:tunnel_options)
    cannot set IKE versions, algorithms, DH groups, DPD or the startup action.
  - AWS's value rules (inside CIDR a /30 of V(169.254.0.0/16) outside AWS's reserved ones, the
    pre-shared key alphabet, DPD timeout of 30 s or more, lifetimes, the accepted algorithm names)
    are checked before any API call; all problems are reported at once.
  - Requests spell C(DPDTimeoutSeconds) and C(IKEVersions), responses C(DpdTimeoutSeconds) and
    C(IkeVersions); the comparison maps each option to both spellings, so an unchanged tunnel is
    never modified.
author:
  - multicloud.vpnlab contributors (@multicloud)
notes:
  - Pre-shared keys never appear in the module's result, its diff or its messages. A key not
    given is taken from O(pre_shared_key_file), else from the existing tunnel, else generated; the
    keys in use are written to O(pre_shared_key_file) (mode 0600) when it is set.
  - When the endpoint describes the connection without C(Options.TunnelOptions) (moto drops
    them), the tunnels cannot be compared, so the module warns and modifies nothing.
  - The connection is found by O(vpn_connection_id), else by its customer gateway and virtual
    private gateway; connections in state C(deleting) or C(deleted) are ignored. One in state
    C(modifying) (AWS applying a tunnel modification) is the connection, and with O(wait) the
    module waits until it is C(available) before comparing it.
  - AWS modifies one tunnel at a time and refuses a second C(ModifyVpnTunnelOptions) while the
    connection is C(modifying), so after each tunnel's modification the module waits until the
    connection is C(available) again (polling after 2 s, then less often, up to every 15 s, within
    O(wait_timeout)); a refusal (C(IncorrectState), C(InvalidVpnConnection.InvalidState)) is retried.
  - C(CreateVpnConnection) right after the gateways were created can find their fresh IDs unknown
    (C(InvalidCustomerGatewayID.NotFound), C(InvalidVpnGatewayID.NotFound)); it is retried.
attributes:
  check_mode:
    support: full
    details: Reports what would be created, modified or deleted; writes no key file.
  diff_mode:
    support: full
    details: Tunnel options, static routes and tags, with the pre-shared keys hidden.
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
    description: Whether the connection should exist.
    type: str
    choices: [present, absent]
    default: present
  vpn_connection_id:
    description: The connection to manage; found by its gateways when not given.
    type: str
  customer_gateway_id:
    description: The customer gateway (the other side's public IP). Required with O(state=present).
    type: str
  vpn_gateway_id:
    description: The virtual private gateway attached to the VPC. Required with O(state=present).
    type: str
  static_routes_only:
    description: Static routing (no BGP). Only used when the connection is created.
    type: bool
    default: true
  tunnels:
    description:
      - The two tunnels, in order. Required with O(state=present).
    type: list
    elements: dict
    suboptions:
      tunnel_inside_cidr:
        description: The tunnel's inside /30 in V(169.254.0.0/16).
        type: str
        required: true
      pre_shared_key:
        description:
          - The tunnel's pre-shared key (8-64 of V([A-Za-z0-9._]), not starting with V(0)); the
            whole value must match, so a key with a trailing newline is refused.
          - Empty takes the stored, the existing or a generated key.
        type: str
  tunnel_options:
    description:
      - Options both tunnels get; an option left unset is neither sent nor compared, so AWS keeps
        its own value.
    type: dict
    default: {}
    suboptions:
      ike_versions:
        description: IKE versions, V(ikev1) and/or V(ikev2).
        type: list
        elements: str
      phase1_encryption_algorithms:
        description: Phase 1 encryption, AWS names (V(AES256), V(AES256-GCM-16), ...).
        type: list
        elements: str
      phase1_integrity_algorithms:
        description: Phase 1 integrity (V(SHA2-256), ...).
        type: list
        elements: str
      phase1_dh_group_numbers:
        description: Phase 1 Diffie-Hellman groups (V(14), V(19), ...).
        type: list
        elements: int
      phase1_lifetime_seconds:
        description: Phase 1 lifetime, 900 to 28800.
        type: int
      phase2_encryption_algorithms:
        description: Phase 2 encryption.
        type: list
        elements: str
      phase2_integrity_algorithms:
        description: Phase 2 integrity.
        type: list
        elements: str
      phase2_dh_group_numbers:
        description: Phase 2 Diffie-Hellman groups, which also makes PFS mandatory.
        type: list
        elements: int
      phase2_lifetime_seconds:
        description:
          - Phase 2 lifetime, 900 to 3600, and less than O(tunnel_options.phase1_lifetime_seconds)
            when both are given (AWS refuses equal lifetimes).
        type: int
      dpd_timeout_seconds:
        description: Dead peer detection timeout, 30 or more.
        type: int
      dpd_timeout_action:
        description: What AWS does when DPD times out.
        type: str
        choices: [clear, none, restart]
      startup_action:
        description: V(add) lets the other side start IKE, V(start) makes AWS initiate.
        type: str
        choices: [add, start]
  pre_shared_key_file:
    description:
      - File (JSON, mode 0600) keeping the keys in use, so re-runs keep generated keys.
    type: path
  static_routes:
    description:
      - The connection's static routes (the other side's networks).
      - Not given leaves the routes alone.
    type: list
    elements: str
  purge_static_routes:
    description: Remove static routes not in O(static_routes).
    type: bool
    default: true
  wait:
    description:
      - Wait until the connection is C(available) (creation takes minutes) or C(deleted), and
        until a connection found C(pending) or C(modifying) is C(available).
      - Between the modifications of two tunnels the module always waits, since AWS refuses the
        second one meanwhile.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait, each time the module waits.
    type: int
    default: 900
seealso:
  - module: multicloud.vpnlab.aws_customer_gateway
  - module: multicloud.vpnlab.tunnel_options
  - module: amazon.aws.ec2_vpc_vpn
"""

EXAMPLES = r"""
- name: VPN connection with hardened tunnels and a static route to the Azure VNet
  multicloud.vpnlab.aws_vpn_connection:
    # cgw: registered from multicloud.vpnlab.aws_customer_gateway
    customer_gateway_id: "{{ cgw.customer_gateway.customer_gateway_id }}"
    vpn_gateway_id: "{{ vgw.vgw.id }}"
    tunnels:
      - tunnel_inside_cidr: 169.254.21.0/30
      - tunnel_inside_cidr: 169.254.22.0/30
    tunnel_options:
      ike_versions: [ikev2]
      phase1_encryption_algorithms: [AES256, AES256-GCM-16]
      phase1_integrity_algorithms: [SHA2-256]
      phase1_dh_group_numbers: [14]
      phase2_encryption_algorithms: [AES256, AES256-GCM-16]
      phase2_integrity_algorithms: [SHA2-256]
      phase2_dh_group_numbers: [14]
      dpd_timeout_seconds: 30
      dpd_timeout_action: clear
      startup_action: add
    pre_shared_key_file: /root/.vpnlab/vpntest/cloud/aws-tunnel-psks.json
    static_routes: [10.1.0.0/16]
    tags:
      Name: vpntest-vpn
      vpnlab: vpntest
  register: vpn
"""

RETURN = r"""
vpn_connection:
  description: The connection (no pre-shared keys).
  returned: when it exists or would be created
  type: dict
  contains:
    vpn_connection_id:
      description: Its ID (none in check mode before creation).
      type: str
      sample: vpn-0a1b2c3d4e5f60718
    state:
      description: V(pending), V(available), ...
      type: str
    customer_gateway_id:
      description: The customer gateway.
      type: str
    vpn_gateway_id:
      description: The virtual private gateway.
      type: str
    tunnels:
      description: Each tunnel's outside IP address and inside CIDR, as AWS describes them.
      type: list
      elements: dict
    static_routes:
      description: The static routes that are pending or available.
      type: list
      elements: str
    tags:
      description: The tags.
      type: dict
modified_tunnels:
  description: Outside IP and option names of each tunnel that was (or would be) modified.
  returned: always
  type: list
  elements: dict
  sample: [{outside_ip_address: 3.120.1.10, options: [dpd_timeout_seconds]}]
pre_shared_key_file:
  description: The file holding the keys, when O(pre_shared_key_file) is set.
  returned: when set
  type: str
"""

import time

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags
from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws import psks as psk_store
from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws import vpn

try:
    from botocore.exceptions import BotoCoreError, ClientError, WaiterError
except ImportError:
    pass  # AnsibleAWSModule reports the missing library

# A connection is modified one tunnel at a time; AWS refuses another call meanwhile (EC2 has
# two error codes for a resource not in the state a call needs).
BUSY = ["IncorrectState", "InvalidVpnConnection.InvalidState"]
RETRY = AWSRetry.jittered_backoff(retries=12, delay=5, max_delay=60, catch_extra_error_codes=BUSY)
# The gateways were created a moment ago: their fresh IDs can be unknown to CreateVpnConnection.
CREATE_RETRY = AWSRetry.jittered_backoff(retries=12, delay=5, max_delay=60, catch_extra_error_codes=BUSY + [
    "InvalidCustomerGatewayID.NotFound", "InvalidVpnGatewayID.NotFound"])
# Stands in for a key not chosen yet, so the other rules can be checked before any call.
PLACEHOLDER_PSK = "placeholder.key"


class Connection:
    """The API calls, each with retries; failures end the module with AWS's message."""

    def __init__(self, module, client):
        self.module = module
        self.client = client

    def find(self):
        params = self.module.params
        try:
            if params["vpn_connection_id"]:
                found = self.client.describe_vpn_connections(
                    VpnConnectionIds=[params["vpn_connection_id"]], aws_retry=True)["VpnConnections"]
            else:
                found = self.client.describe_vpn_connections(Filters=[
                    {"Name": "customer-gateway-id", "Values": [params["customer_gateway_id"]]},
                    {"Name": "vpn-gateway-id", "Values": [params["vpn_gateway_id"]]},
                    {"Name": "state", "Values": list(vpn.LIVE_STATES)},
                ], aws_retry=True)["VpnConnections"]
        except is_boto3_error_code("InvalidVpnConnectionID.NotFound"):
            return None
        except (BotoCoreError, ClientError) as exc:  # pylint: disable=duplicate-except
            self.module.fail_json_aws(exc, msg="Could not describe the VPN connection")
        live = vpn.live_connections(found)
        if len(live) > 1:
            self.module.fail_json(msg="%d VPN connections join %s and %s; give vpn_connection_id" % (
                len(live), params["customer_gateway_id"], params["vpn_gateway_id"]))
        return live[0] if live else None

    def call(self, operation, msg, retry=None, **request):
        """The call with the client's retries, or with `retry` (a decorator) instead."""
        try:
            if retry is not None:
                return retry(getattr(self.client, operation))(**request)
            return getattr(self.client, operation)(aws_retry=True, **request)
        except (BotoCoreError, ClientError) as exc:
            self.module.fail_json_aws(exc, msg=msg)

    def wait_available(self, vpn_connection_id):
        """Look until AWS says `available` (within wait_timeout); returns the connection."""
        timeout = self.module.params["wait_timeout"]
        state = None
        for delay in vpn.poll_delays(timeout) + [None]:
            found = self.call("describe_vpn_connections", "Could not describe %s" % vpn_connection_id,
                              VpnConnectionIds=[vpn_connection_id])["VpnConnections"]
            connection = found[0] if found else {}
            state = connection.get("State")
            if state == "available":
                return connection
            if state not in vpn.SETTLING_STATES:
                self.module.fail_json(msg="%s is %s while waiting for it to be available" % (vpn_connection_id, state))
            if delay is not None:
                time.sleep(delay)
        self.module.fail_json(msg="Timed out after %d s waiting for %s to be available (it is %s)" % (
            timeout, vpn_connection_id, state))

    def wait(self, waiter, vpn_connection_id):
        params = self.module.params
        if not params["wait"]:
            return
        delay = 15
        try:
            self.client.get_waiter(waiter).wait(
                VpnConnectionIds=[vpn_connection_id],
                WaiterConfig={"Delay": delay, "MaxAttempts": max(1, params["wait_timeout"] // delay)})
        except WaiterError as exc:
            self.module.fail_json_aws(exc, msg="Timed out waiting for %s (%s)" % (vpn_connection_id, waiter))


def choose_keys(module, existing):
    """The key for each tunnel, hidden from every output from here on."""
    params = module.params
    names = ["tunnel%d" % i for i in range(1, len(params["tunnels"]) + 1)]
    given = [t.get("pre_shared_key") for t in params["tunnels"]]
    current = {}
    if existing is not None:
        wanted = [{"tunnel_inside_cidr": t["tunnel_inside_cidr"]} for t in params["tunnels"]]
        for name, (dummy, have) in zip(names, vpn.pair_tunnels(wanted, vpn.current_tunnels(existing) or [])):
            if have and have.get("PreSharedKey"):
                current[name] = have["PreSharedKey"]
    keys = psk_store.choose(names, given, psk_store.read_store(params["pre_shared_key_file"]), current)
    for key in keys.values():
        module.no_log_values.add(key)
    return names, keys


def check_before_calls(module):
    """AWS's value rules on what the user gave (a placeholder where a key is still to be chosen)."""
    params = module.params
    problems = vpn.route_problems(params["static_routes"])
    draft = [dict(t, pre_shared_key=t.get("pre_shared_key") or PLACEHOLDER_PSK) for t in params["tunnels"]]
    try:
        vpn.check_tunnels(vpn.wanted_tunnels(draft, params["tunnel_options"]))
    except vpn.VpnSpecError as exc:
        problems += exc.problems
    if problems:
        module.fail_json(msg="The VPN connection breaks AWS's rules: %s" % "; ".join(problems), problems=problems)


def store_keys(module, keys):
    path = module.params["pre_shared_key_file"]
    if not path:
        return False
    try:
        return psk_store.write_store(path, keys, module.check_mode)
    except OSError as exc:
        module.fail_json(msg="Could not write %s: %s" % (path, exc.strerror))


def converge_tunnels(module, conn, existing, wanted):
    current = vpn.current_tunnels(existing)
    if current is None:
        module.warn("The endpoint describes %s without tunnel options (moto drops them): the tunnels "
                    "were not compared or modified" % existing["VpnConnectionId"])
        return []
    modified = []
    requests = vpn.modify_requests(existing["VpnConnectionId"], wanted, current)
    for number, request in enumerate(requests, start=1):
        modified.append({"outside_ip_address": request["VpnTunnelOutsideIpAddress"],
                         "options": sorted(k for k, v in vpn.FIELDS.items() if v[0] in request["TunnelOptions"])})
        if module.check_mode:
            continue
        conn.call("modify_vpn_tunnel_options", "Could not modify the tunnel %s" % request["VpnTunnelOutsideIpAddress"],
                  **request)
        # AWS applies one tunnel's modification at a time (`modifying`) and refuses the next
        # meanwhile: the next tunnel waits for `available`; the last one only with `wait`.
        if number < len(requests) or module.params["wait"]:
            conn.wait_available(existing["VpnConnectionId"])
    return modified


def converge_routes(module, conn, connection_id, existing):
    params = module.params
    if params["static_routes"] is None:
        return False
    add, remove = vpn.route_changes(params["static_routes"], existing or {}, params["purge_static_routes"])
    if module.check_mode or connection_id is None:
        return bool(add or remove)
    for cidr in add:
        conn.call("create_vpn_connection_route", "Could not add the static route %s" % cidr,
                  VpnConnectionId=connection_id, DestinationCidrBlock=cidr)
    for cidr in remove:
        conn.call("delete_vpn_connection_route", "Could not remove the static route %s" % cidr,
                  VpnConnectionId=connection_id, DestinationCidrBlock=cidr)
    return bool(add or remove)


def converge_tags(module, conn, existing):
    params = module.params
    if params["tags"] is None:
        return False
    to_set, to_unset = compare_aws_tags(vpn.tag_dict(existing.get("Tags")), params["tags"], params["purge_tags"])
    if not module.check_mode and to_unset:
        conn.call("delete_tags", "Could not remove tags", Resources=[existing["VpnConnectionId"]],
                  Tags=[{"Key": k} for k in to_unset])
    if not module.check_mode and to_set:
        conn.call("create_tags", "Could not tag the VPN connection", Resources=[existing["VpnConnectionId"]],
                  Tags=vpn.tag_list(to_set))
    return bool(to_set or to_unset)


def wanted_state(params, wanted):
    return {"tunnels": [vpn.redacted_tunnel(t) for t in wanted],
            "static_routes": sorted(params["static_routes"] or []), "tags": params["tags"] or {}}


def ensure_present(module, client):
    params = module.params
    check_before_calls(module)
    conn = Connection(module, client)
    existing = conn.find()
    if existing is not None and existing.get("State") in vpn.SETTLING_STATES and params["wait"] and not module.check_mode:
        # A re-run right after a create or a modify: compare with what AWS settles on.
        existing = conn.wait_available(existing["VpnConnectionId"])
    names, keys = choose_keys(module, existing)
    wanted = vpn.wanted_tunnels([dict(t, pre_shared_key=keys[n]) for n, t in zip(names, params["tunnels"])],
                                params["tunnel_options"])
    try:
        vpn.check_tunnels(wanted)
    except vpn.VpnSpecError as exc:
        module.fail_json(msg="The stored or existing keys break AWS's rules: %s" % exc, problems=exc.problems)
    changed = store_keys(module, keys)
    before = vpn.describe_for_diff(existing)
    modified = []
    if existing is None:
        changed = True
        if module.check_mode:
            module.exit_json(changed=True, vpn_connection={"state": "pending"}, modified_tunnels=[],
                             diff={"before": {}, "after": wanted_state(params, wanted)}, **key_file(params))
        request = vpn.create_request(params["customer_gateway_id"], params["vpn_gateway_id"], wanted,
                                     params["tags"], params["static_routes_only"])
        created = conn.call("create_vpn_connection", "Could not create the VPN connection", retry=CREATE_RETRY,
                            **request)["VpnConnection"]
        conn.wait("vpn_connection_available", created["VpnConnectionId"])
        existing = dict(created, Routes=[])
    else:
        modified = converge_tunnels(module, conn, existing, wanted)
        changed = converge_tags(module, conn, existing) or bool(modified) or changed
    changed = converge_routes(module, conn, existing["VpnConnectionId"], existing) or changed
    after = conn.find() if not module.check_mode else existing
    module.exit_json(changed=changed, vpn_connection=vpn.summary(after or existing), modified_tunnels=modified,
                     diff={"before": before, "after": wanted_state(params, wanted)}, **key_file(params))


def key_file(params):
    return {"pre_shared_key_file": params["pre_shared_key_file"]} if params["pre_shared_key_file"] else {}


def ensure_absent(module, client):
    conn = Connection(module, client)
    existing = conn.find()
    if existing is None:
        module.exit_json(changed=False, modified_tunnels=[])
    before = vpn.describe_for_diff(existing)
    if not module.check_mode:
        conn.call("delete_vpn_connection", "Could not delete the VPN connection",
                  VpnConnectionId=existing["VpnConnectionId"])
        conn.wait("vpn_connection_deleted", existing["VpnConnectionId"])
    module.exit_json(changed=True, vpn_connection=vpn.summary(existing), modified_tunnels=[],
                     diff={"before": before, "after": {}})


TUNNEL_OPTION_SPEC = dict(
    ike_versions=dict(type="list", elements="str"),
    phase1_encryption_algorithms=dict(type="list", elements="str"),
    phase1_integrity_algorithms=dict(type="list", elements="str"),
    phase1_dh_group_numbers=dict(type="list", elements="int"),
    phase1_lifetime_seconds=dict(type="int"),
    phase2_encryption_algorithms=dict(type="list", elements="str"),
    phase2_integrity_algorithms=dict(type="list", elements="str"),
    phase2_dh_group_numbers=dict(type="list", elements="int"),
    phase2_lifetime_seconds=dict(type="int"),
    dpd_timeout_seconds=dict(type="int"),
    dpd_timeout_action=dict(type="str", choices=list(vpn.DPD_ACTIONS)),
    startup_action=dict(type="str", choices=["add", "start"]),
)


def main():
    argument_spec = dict(
        state=dict(type="str", default="present", choices=["present", "absent"]),
        vpn_connection_id=dict(type="str"),
        customer_gateway_id=dict(type="str"),
        vpn_gateway_id=dict(type="str"),
        static_routes_only=dict(type="bool", default=True),
        tunnels=dict(type="list", elements="dict", options=dict(
            tunnel_inside_cidr=dict(type="str", required=True),
            pre_shared_key=dict(type="str", no_log=True),
        )),
        tunnel_options=dict(type="dict", default={}, options=TUNNEL_OPTION_SPEC),
        pre_shared_key_file=dict(type="path", no_log=False),
        static_routes=dict(type="list", elements="str"),
        purge_static_routes=dict(type="bool", default=True),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=900),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_if=[("state", "present", ["customer_gateway_id", "vpn_gateway_id", "tunnels"])],
        required_one_of=[["vpn_connection_id", "customer_gateway_id"]],
        required_by={"customer_gateway_id": "vpn_gateway_id"},
    )
    client = module.client("ec2", retry_decorator=RETRY)
    if module.params["state"] == "present":
        ensure_present(module, client)
    else:
        ensure_absent(module, client)


if __name__ == "__main__":
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: tunnel_options
short_description: Normalise an AWS site-to-site VPN connection into a list of tunnels
version_added: 0.1.0
description:
  - Reads one AWS VPN connection, given as data in O(vpn_connection) or fetched by O(vpn_connection_id),
    and returns one entry per tunnel (outside address, pre-shared key, inside CIDR, IKE and IPsec
    parameters, dead peer detection) in a single vocabulary, ready for the Azure side of the lab.
  - Tunnels are read from C(Options.TunnelOptions). Fields it lacks are read from the
    C(CustomerGatewayConfiguration) XML, which is also the only source when C(TunnelOptions) is absent
    (moto returns none). Fields neither holds get AWS's documented defaults (for example all the
    algorithms AWS accepts, C(ikev1) and C(ikev2), a 30 s DPD timeout with action C(clear)).
  - Algorithm names use AWS's vocabulary (V(AES256), V(AES256-GCM-16), V(SHA2-256), DH group
    numbers as integers), whichever source they come from.
  - Nothing is created or changed.
author:
  - multicloud.vpnlab contributors (@multicloud)
notes:
  - B(The result holds the pre-shared keys in clear), because the next role configures them on the
    Azure side. Every task that calls this module, or that handles its registered result, B(must) set
    C(no_log) to V(true). Without it the keys appear in the task output, in callback logs and, since
    Ansible logs module arguments on the managed host, in its system log when O(vpn_connection) is given.
  - The module never puts a pre-shared key in a warning or an error message, even for malformed input.
  - Both shapes of O(vpn_connection) are accepted, the boto3 CamelCase one and the snake_case one
    returned by M(amazon.aws.ec2_vpc_vpn) and M(amazon.aws.ec2_vpc_vpn_info).
  - AWS credentials and boto3 are only needed with O(vpn_connection_id).
attributes:
  check_mode:
    support: full
    details: The module only reads; it behaves the same in check mode.
  diff_mode:
    support: N/A
    details: Nothing is changed.
  idempotent:
    support: full
    details: The same VPN connection always gives the same result.
options:
  vpn_connection:
    description:
      - One element of the C(VpnConnections) list that boto3's C(describe_vpn_connections) returns, in CamelCase or snake_case.
      - Mutually exclusive with O(vpn_connection_id).
    type: dict
  vpn_connection_id:
    description:
      - ID of a VPN connection to describe with the EC2 API.
      - Mutually exclusive with O(vpn_connection).
    type: str
extends_documentation_fragment:
  - multicloud.vpnlab.attributes
  - multicloud.vpnlab.attributes.actiongroup_aws
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
seealso:
  - module: multicloud.vpnlab.lab_plan
  - module: amazon.aws.ec2_vpc_vpn_info
  - name: Tunnel options for your Site-to-Site VPN connection
    description: AWS's list of the tunnel options, their allowed values and defaults.
    link: https://docs.aws.amazon.com/vpn/latest/s2svpn/VPNTunnels.html
"""

EXAMPLES = r"""
# no_log: true on EVERY task that calls the module or handles its result: it holds the PSKs.

- name: Read the tunnels of a VPN connection from AWS
  multicloud.vpnlab.tunnel_options:
    vpn_connection_id: vpn-0a1b2c3d4e5f60718
    region: eu-central-1
  register: vpn_tunnels
  no_log: true

- name: Read the tunnels from a connection amazon.aws already returned
  multicloud.vpnlab.tunnel_options:
    vpn_connection: "{{ vpn_info.vpn_connections[0] }}"
  register: vpn_tunnels
  no_log: true

- name: Show the tunnels without their keys
  ansible.builtin.debug:
    msg: "{{ item.name }}: {{ item.outside_ip_address }} {{ item.tunnel_inside_cidr }} {{ item.ike_versions | join(',') }}"
  loop: "{{ vpn_tunnels.tunnels }}"
  loop_control:
    label: "{{ item.name }}"

# Keep the keys in memory for the Azure connections (a file in the lab's state directory would
# be one its teardown does not know, and it would refuse to remove the directory).
- name: Key each tunnel's PSK by its name, for the Azure connections
  ansible.builtin.set_fact:
    tunnel_psks: "{{ vpn_tunnels.tunnels | items2dict(key_name='name', value_name='pre_shared_key') }}"
  no_log: true

- name: Against moto on the local machine
  multicloud.vpnlab.tunnel_options:
    vpn_connection_id: "{{ vpn.vpn_connection_id }}"
    endpoint_url: http://127.0.0.1:5000
    region: eu-central-1
    access_key: testing
    secret_key: testing
  register: vpn_tunnels
  no_log: true
"""

RETURN = r"""
vpn_connection_id:
  description: ID of the VPN connection (from the XML when the input has none).
  returned: success
  type: str
  sample: vpn-0a1b2c3d4e5f60718
state:
  description: State of the VPN connection.
  returned: success
  type: str
  sample: available
static_routes_only:
  description: Whether the connection uses static routes only; V(null) when the input does not say.
  returned: success
  type: bool
  sample: true
customer_gateway_id:
  description: ID of the customer gateway.
  returned: success
  type: str
  sample: cgw-0f1e2d3c4b5a69788
vpn_gateway_id:
  description: ID of the virtual private gateway.
  returned: success
  type: str
  sample: vgw-04d3c2b1a0f9e8d7c
routes:
  description: The static routes of the connection (empty when there are none).
  returned: success
  type: list
  elements: dict
  sample: [{destination_cidr_block: 10.1.0.0/16, source: Static, state: available}]
vgw_bgp_asn:
  description:
    - The virtual private gateway's BGP ASN, as the CustomerGatewayConfiguration XML of a dynamic
      connection states it (the peer ASN of the customer gateway's BGP sessions); V(null) without
      an XML BGP section.
  returned: success
  type: int
  sample: 64512
tunnels:
  description:
    - One entry per tunnel, in the order AWS lists them.
    - Holds the pre-shared keys in clear; use C(no_log) on the task.
  returned: success
  type: list
  elements: dict
  contains:
    name:
      description: V(tunnel1), V(tunnel2), ...
      type: str
      sample: tunnel1
    outside_ip_address:
      description: Public address of the AWS end of the tunnel.
      type: str
      sample: 203.0.113.11
    pre_shared_key:
      description: The tunnel's pre-shared key, in clear.
      type: str
      sample: Example.Only_NotARealKey1
    tunnel_inside_cidr:
      description: The tunnel's inside /30 network; V(null) when unknown.
      type: str
      sample: 169.254.21.0/30
    vgw_inside_address:
      description: Inside address of the AWS end (first host of the CIDR).
      type: str
      sample: 169.254.21.1
    cgw_inside_address:
      description: Inside address of the customer gateway end (second host of the CIDR).
      type: str
      sample: 169.254.21.2
    cgw_outside_address:
      description: Public address of the customer gateway, from the XML; V(null) when unknown.
      type: str
      sample: 198.51.100.10
    ike_versions:
      description: IKE versions the tunnel accepts.
      type: list
      elements: str
      sample: [ikev2]
    phase1:
      description: IKE (phase 1) parameters.
      type: dict
      contains:
        encryption_algorithms:
          description: Encryption algorithms, AWS names.
          type: list
          elements: str
          sample: [AES256]
        integrity_algorithms:
          description: Integrity algorithms, AWS names.
          type: list
          elements: str
          sample: [SHA2-256]
        dh_group_numbers:
          description: Diffie-Hellman groups.
          type: list
          elements: int
          sample: [14]
        lifetime_seconds:
          description: Lifetime of the IKE SA.
          type: int
          sample: 28800
    phase2:
      description: IPsec (phase 2) parameters, same keys as RV(tunnels[].phase1); the DH groups are the PFS groups.
      type: dict
      sample: {encryption_algorithms: [AES256], integrity_algorithms: [SHA2-256], dh_group_numbers: [14], lifetime_seconds: 3600}
    dpd_timeout_seconds:
      description: Seconds without an answer after which AWS declares the peer dead.
      type: int
      sample: 30
    dpd_timeout_action:
      description: What AWS does then (V(clear), V(none) or V(restart)).
      type: str
      sample: clear
    tcp_mss_adjustment:
      description: TCP MSS AWS suggests for the tunnel, from the XML; V(null) when unknown.
      type: int
      sample: 1379
    source:
      description: V(tunnel_options) or V(customer_gateway_configuration), where the tunnel was read.
      type: str
      sample: tunnel_options
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import HAS_BOTO3
from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible.module_utils.basic import missing_required_lib
from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws.tunnels import TunnelOptionsError, vpn_connection_facts

try:
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError:
    pass  # only needed with vpn_connection_id, checked there


def describe_vpn_connection(module, vpn_connection_id):
    """The one VPN connection with this ID, or a failure that says it does not exist."""
    if not HAS_BOTO3:
        module.fail_json(msg=missing_required_lib("boto3 and botocore"))
    client = module.client("ec2", retry_decorator=AWSRetry.jittered_backoff())
    try:
        found = client.describe_vpn_connections(VpnConnectionIds=[vpn_connection_id], aws_retry=True)["VpnConnections"]
    except is_boto3_error_code("InvalidVpnConnectionID.NotFound"):
        found = []
    except (BotoCoreError, ClientError) as exc:  # pylint: disable=duplicate-except
        module.fail_json_aws(exc, msg="Could not describe VPN connection %s" % vpn_connection_id)
    if not found:
        module.fail_json(msg="VPN connection %s not found in region %s" % (vpn_connection_id, module.region))
    return found[0]


def read_tunnels(module):
    params = module.params
    vpn_connection = params["vpn_connection"]
    if vpn_connection is None:
        vpn_connection = describe_vpn_connection(module, params["vpn_connection_id"])
    try:
        facts = vpn_connection_facts(vpn_connection)
    except TunnelOptionsError as exc:
        # The message is PSK-free by contract; no traceback, its locals would not be.
        module.fail_json(msg="Cannot read the tunnels: %s" % exc)
    module.exit_json(changed=False, **facts)


def main():
    argument_spec = dict(
        vpn_connection=dict(type="dict"),
        vpn_connection_id=dict(type="str"),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        mutually_exclusive=[["vpn_connection", "vpn_connection_id"]],
        required_one_of=[["vpn_connection", "vpn_connection_id"]],
        supports_check_mode=True,
        check_boto3=False,
    )
    read_tunnels(module)


if __name__ == "__main__":
    main()

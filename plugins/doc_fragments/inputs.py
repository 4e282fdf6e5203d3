# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab inputs as module options, for lab_plan."""

from __future__ import annotations


class ModuleDocFragment:

    # Written by scripts/inputs_docs.py from plugins/module_utils/inputs.py: change the table
    # there and run the script, do not edit this text.
    DOCUMENTATION = r"""
options:
  name:
    description:
      - Lab name, part of every resource and namespace name (2-16 of V(a-z), V(0-9), V(-)); labs with
        different names can exist side by side.
    type: str
    default: vpntest
  target:
    description:
      - 'Where the lab is built: V(local) (one host, network namespaces) or V(cloud) (Azure and AWS).'
    type: str
    choices:
      - local
      - cloud
    default: local
  owner:
    description:
      - Owner tag, part of the Azure resource group name.
    type: str
    default: student
  environment:
    description:
      - Environment tag, part of the Azure resource group name.
    type: str
    default: dev
  azure_region:
    description:
      - Azure region.
    type: str
    default: westeurope
  aws_region:
    description:
      - AWS region.
    type: str
    default: eu-central-1
  azure_vnet_cidr:
    description:
      - Azure VNet address space.
    type: str
    default: 10.1.0.0/16
  azure_subnet_cidr:
    description:
      - Azure subnet C(internal) for the VMs.
    type: str
    default: 10.1.1.0/24
  azure_gateway_subnet_cidr:
    description:
      - Azure C(GatewaySubnet), /27 or larger.
    type: str
    default: 10.1.0.0/27
  aws_vpc_cidr:
    description:
      - AWS VPC CIDR.
    type: str
    default: 10.2.0.0/16
  aws_subnet_cidr:
    description:
      - AWS subnet for the VMs.
    type: str
    default: 10.2.1.0/24
  vms:
    description:
      - The test VMs, each a dict with exactly C(name), C(cloud) (V(azure) or V(aws)) and C(private_ip).
    type: list
    elements: raw
    default:
      - name: vm1
        cloud: azure
        private_ip: 10.1.1.10
      - name: vm2
        cloud: azure
        private_ip: 10.1.1.20
      - name: vm3
        cloud: aws
        private_ip: 10.2.1.10
  admin_cidrs:
    description:
      - 'IPv4 CIDRs allowed to reach the VMs by SSH and ICMP (the cloud security groups and NSG admit
        exactly these); required for the cloud target. None may be shorter than /8, and together (overlaps
        merged) they may cover at most 2^24 addresses, one /8, unless O(allow_open_admin=true). IPv6 CIDRs
        are refused: the lab''s VMs have no IPv6 address.'
    type: list
    elements: str
  allow_open_admin:
    description:
      - 'Explicit opt-in to admin CIDRs wider than the rule of O(admin_cidrs): CIDRs shorter than /8 (V(0.0.0.0/0)
        included) or more than 2^24 addresses in all.'
    type: bool
    default: false
  accept_cost:
    description:
      - 'Cloud target on real clouds: the build prints the lab''s estimated cost per hour and stops before
        creating anything unless this is V(true) or the user types V(yes) at the prompt. Emulated clouds
        (moto, the Azure test double, the rehearsal) cost nothing and never ask.'
    type: bool
    default: false
  tunnel_psks:
    description:
      - Pre-shared keys of the two AWS tunnels (8-64 of V([A-Za-z0-9._]), not starting with V(0)); empty
        ones are generated. Never printed, not even in error messages.
    type: list
    elements: str
  tunnel_inside_cidrs:
    description:
      - The two tunnels' inside /30 networks in V(169.254.0.0/16).
    type: list
    elements: str
    default:
      - 169.254.21.0/30
      - 169.254.22.0/30
  expiry_days:
    description:
      - 'Days until the C(expires) tag date (1-365), from the day the lab is created: the date is recorded
        in its state directory and kept on later runs; a different value on a later run sets a new date,
        that day + the new days.'
    type: int
    default: 7
  dpd_timeout_seconds:
    description:
      - Dead peer detection timeout of the Azure side's connections (Azure allows 9-3600, default 45);
        the AWS side keeps AWS's 30.
    type: int
    default: 45
  aws_customer_gateway_asn:
    description:
      - BGP ASN of the AWS customer gateway, which stands for the Azure VPN gateway; AWS requires one
        even for static routing and cannot change it later. Unset, it is V(65034) with static routing
        and the Azure gateway's ASN (O(azure_bgp_asn)) with V(bgp), where another value is refused. 1-4294967295
        (above 2147483647 it is sent as C(BgpAsnExtended)), not 7224, nor 9059 in eu-west-1, 10124 in
        ap-northeast-1 or 17943 in ap-southeast-1 (reserved by AWS), and not O(aws_vpn_gateway_asn). The
        local target checks it but does not use it (static routing).
      - Cloud target only.
    type: int
  aws_vpn_gateway_asn:
    description:
      - 'BGP ASN of the Amazon side, the virtual private gateway''s C(AmazonSideAsn), fixed when it is
        created: a private ASN, 64512-65534 or 4200000000-4294967294 (AWS''s default is 64512). The local
        target checks it but does not use it.'
      - Cloud target only.
    type: int
    default: 64512
  routing:
    description:
      - 'How the two clouds learn each other''s networks: V(static) (the original guide''s design: one
        Azure gateway instance, two AWS tunnels, static routes) or V(bgp) (Microsoft''s design for AWS:
        an active-active Azure gateway, four tunnels, BGP over APIPA addresses). The local target builds
        both, V(bgp) with BGP speakers (FRR) over the four tunnels. The cloud target plans V(bgp) (C(make
        plan) shows its tunnels, addresses and ASNs, every conflict refused) but builds only V(static):
        a cloud build with V(bgp) stops before anything is created.'
    type: str
    choices:
      - static
      - bgp
    default: static
  azure_active_active:
    description:
      - 'Active-active Azure VPN gateway (two instances, two public addresses, two AWS VPN connections);
        unset, it is V(true) with O(routing=bgp). The static design has one instance: V(true) with it
        is refused.'
    type: bool
  azure_bgp_asn:
    description:
      - 'BGP ASN of the Azure VPN gateway with O(routing=bgp) (Azure''s default 65515): 1-4294967295,
        not one Azure reserves (8074, 8075, 12076, 65517-65520) nor one IANA reserves, and not O(aws_vpn_gateway_asn).'
    type: int
    default: 65515
  bgp_inside_cidrs:
    description:
      - With O(routing=bgp), the tunnels' inside /30s, one per tunnel (four active-active, two otherwise),
        within 169.254.21.0-169.254.22.255 (the only APIPA range Azure accepts for custom BGP addresses)
        and none that AWS reserves; unset, Microsoft's guide's 169.254.21.0/30, 169.254.22.0/30, 169.254.21.4/30,
        169.254.22.4/30. AWS takes each /30's first host, Azure the second.
    type: list
    elements: str
  aws_endpoint_url:
    description:
      - AWS API endpoint of an emulator such as moto or LocalStack (an V(http://) or V(https://) URL);
        empty means the real AWS. When set, the plan marks the AWS side as emulated.
      - Cloud target only.
    type: str
    default: ''
  azure_gateway_public_ip:
    description:
      - IPv4 address that stands in for the Azure VPN gateway's public IP while only the AWS half is built;
        empty when Azure is built.
      - Cloud target only.
    type: str
    default: ''
  azure_emulated:
    description:
      - 'The Azure API is a test double (such as the collection''s tests/azure_double, reached through
        E(HTTPS_PROXY)): nothing connects to the addresses it hands out (no SSH wait, no probes).'
      - Cloud target only.
    type: bool
    default: false
  local_azure_public_cidr:
    description:
      - The "public" range of the emulated Azure side.
      - Local target only.
    type: str
    default: 198.51.100.0/24
  local_aws_public_cidr:
    description:
      - The "public" range of the emulated AWS side.
      - Local target only.
    type: str
    default: 203.0.113.0/24
"""

# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the lab's AWS half costs per hour: an ESTIMATE from a dated table of on-demand list
prices (USD, us-east-1, rounded), never a quote. Regions differ (eu-central-1 is about 15% dearer
for EC2), and data transfer out of AWS, which the check's few megabytes barely touch, is left out.
The virtual private gateway, the VPC, its subnet, route table, internet gateway, security groups
and key pair cost nothing by themselves. Sources: aws.amazon.com/vpn/pricing,
aws.amazon.com/vpc/pricing (public IPv4 addresses), aws.amazon.com/ec2/pricing/on-demand,
aws.amazon.com/ebs/pricing."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ansible_collections.multicloud.vpnlab.plugins.module_utils.cost import CostRow


PRICES_AS_OF = "2025-06"
VPN_CONNECTION_HOURLY = 0.05       # Site-to-Site VPN connection (two tunnels), per hour
PUBLIC_IPV4_HOURLY = 0.005         # every public IPv4 address, in use or idle
INSTANCE_HOURLY = {"t3.nano": 0.0052, "t3.micro": 0.0104, "t3.small": 0.0208, "t2.micro": 0.0116,
                   "t4g.micro": 0.0084}
ROOT_VOLUME_HOURLY = 0.0009        # an 8 GiB gp3 volume ($0.08 per GiB-month)


def cost_rows(vm_count: int, instance_type: str, vpn_connections: int = 1) -> list[CostRow]:
    """``[(item, count, USD per hour each or None)]`` for the VPN connections (one; two in the
    BGP design, one per Azure gateway instance) and the AWS VMs."""
    return [
        ("Site-to-Site VPN connection (2 tunnels)", vpn_connections, VPN_CONNECTION_HOURLY),
        ("EC2 instance %s" % instance_type, vm_count, INSTANCE_HOURLY.get(instance_type)),
        ("EBS root volume, 8 GiB gp3", vm_count, ROOT_VOLUME_HOURLY),
        ("public IPv4 address (VMs)", vm_count, PUBLIC_IPV4_HOURLY),
    ]

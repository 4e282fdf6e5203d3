# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the lab's Azure half costs per hour: an ESTIMATE from a dated table of pay-as-you-go list
prices (USD, East US, rounded), never a quote. Regions differ (West Europe is dearer), and
outbound data transfer is left out. The VPN gateway dominates: it bills every hour from its
creation, whether a tunnel is up or not; its first 10 site-to-site tunnels are included, so the
connections, local network gateways, VNet, subnets and NSG cost nothing by themselves. Sources:
azure.microsoft.com/pricing/details/vpn-gateway, .../ip-addresses, .../virtual-machines/linux,
.../managed-disks."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ansible_collections.multicloud.vpnlab.plugins.module_utils.cost import CostRow


PRICES_AS_OF = "2025-06"
GATEWAY_HOURLY = {"VpnGw1AZ": 0.361}   # other SKUs: not recorded, the estimate says so
PUBLIC_IP_STANDARD_HOURLY = 0.005       # Standard static public IP
VM_HOURLY = {"Standard_B1s": 0.0104, "Standard_B1ms": 0.0207, "Standard_B2s": 0.0416}
OS_DISK_HOURLY = 0.0021                 # a 30 GiB Standard HDD managed disk (S4, about $1.54 a month)


def cost_rows(vm_count: int, vm_size: str, gateway_sku: str, gateway_ips: int = 1) -> list[CostRow]:
    """``[(item, count, USD per hour each or None)]`` for the VPN gateway (its public IPs: one;
    two when active-active, which costs as the single gateway) and the Azure VMs."""
    return [
        ("VPN gateway %s" % gateway_sku, 1, GATEWAY_HOURLY.get(gateway_sku)),
        ("Standard public IP (VPN gateway)", gateway_ips, PUBLIC_IP_STANDARD_HOURLY),
        ("VM %s" % vm_size, vm_count, VM_HOURLY.get(vm_size)),
        ("OS disk, 30 GiB Standard HDD", vm_count, OS_DISK_HOURLY),
        ("Standard public IP (VMs)", vm_count, PUBLIC_IP_STANDARD_HOURLY),
    ]

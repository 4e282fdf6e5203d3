# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rules of the Azure VMs' network security group (azure.azcollection.azure_rm_securitygroup's
`rules`), from the plan and the lab VMs' public IPs. Pure.

Azure's default rules already admit the VNet and, through the VPN gateway, the AWS VPC
(AllowVnetInBound); the lab names the AWS VPC anyway so the rules say what the lab relies on.
The Azure VMs run no iperf3 server (the check's client is an Azure VM, its server the first AWS
VM), so no iperf3 port is opened here: mirroring the AWS rules would open ports nothing listens
on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

from ansible_collections.multicloud.vpnlab.plugins.module_utils.peers import admin_sources, public_sources

if TYPE_CHECKING:
    from ansible_collections.multicloud.vpnlab.plugins.module_utils.peers import PublicIps


def _rule(name, protocol, sources, priority, port=None):
    rule = {"name": name, "protocol": protocol, "source_address_prefix": list(sources),
            "access": "Allow", "priority": priority, "direction": "Inbound"}
    if port is not None:
        rule["destination_port_range"] = port
    return rule


def nsg_rules(admin_cidrs: Iterable[object] | None, aws_vpc_cidr: str, public_ips: PublicIps,
              allow_open: bool = False) -> list[dict[str, Any]]:
    """SSH and ICMP from the admins and the AWS VPC (through the tunnels), and ICMP from each lab
    VM that probes an Azure VM's public address (the AWS VMs, and the other Azure VMs when there
    are two or more); ``public_ips`` is ``{"aws": [...], "azure": [...]}``. The whole list every
    time: the task purges the rules it does not name. The admin CIDRs pass the plan's rule again
    (peers.admin_sources; ``allow_open`` is the plan's ``admin_open_allowed``)."""
    sources = list(dict.fromkeys(admin_sources(admin_cidrs, allow_open) + [aws_vpc_cidr]))
    rules = [_rule("ssh-from-admins-and-aws", "Tcp", sources, 100, port=22),
             _rule("icmp-from-admins-and-aws", "Icmp", sources, 110)]
    peers = public_sources(public_ips, "azure")
    if peers:
        rules.append(_rule("icmp-from-lab-vms", "Icmp", peers, 120))
    return rules

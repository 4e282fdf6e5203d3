# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AWS part of the cloud target's plan: AWS-only rules and ``plan["cloud"]["aws"]``.

``targets.CloudTarget`` calls ``check`` and ``build`` of each part. Pure: no boto3, no Ansible.
"""

from __future__ import annotations

import ipaddress
from typing import Any, Iterable, Mapping, Optional, Sequence

from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws.spec import (
    DPD_DEFAULT_ACTION, bgp_connection_names, tag_filters,
)
from ansible_collections.multicloud.vpnlab.plugins.module_utils.peers import (
    PublicIps, admin_sources, host_cidrs, iperf3_public_sources, public_sources)
from ansible_collections.multicloud.vpnlab.plugins.module_utils.measurements import IPERF3_PORTS

# The customer gateway is the Azure VPN gateway's public IP: the Azure part finds it out when it
# builds the gateway; without that part, the input vpnlab_azure_gateway_public_ip stands in.
GATEWAY_IP = "azure_gateway_public_ip"
# Lab resources carry both tags; teardown and the leak check select on both, so a resource
# someone else tagged `vpnlab=<lab>` by hand is never deleted.
# AWS waits for the other side to start IKE (Azure initiates); when DPD declares the peer dead it
# clears the SAs and waits again, so the tunnel comes back as soon as Azure re-initiates.
STARTUP_ACTION = "add"
DPD_TIMEOUT_ACTION = DPD_DEFAULT_ACTION
# AES-GCM needs no separate integrity algorithm; AWS accepts both forms of AES-256.
GCM_OF = {"AES256": "AES256-GCM-16", "AES128": "AES128-GCM-16"}
PSK_FILE = "cloud/aws-tunnel-psks.json"
# The BGP design's keys, one file per VPN connection (the module keeps one connection's keys).
BGP_PSK_FILE = "cloud/aws-vpn%d-psks.json"


class AwsPart:
    """The AWS half: VPC, VGW, customer gateway, VPN connection, EC2 test VMs."""

    name = "aws"
    provides = ()

    @staticmethod
    def check(chk: Any, p: Mapping[str, Any], nets: Mapping[str, Any], vms: list[dict[str, Any]],
              provided: frozenset[str] = frozenset()) -> None:
        ip = p.get(GATEWAY_IP)
        if not ip and GATEWAY_IP not in provided:
            chk.add(GATEWAY_IP, ip, "is required for the cloud target while the Azure half is not "
                    "built: the Azure VPN gateway's public IP, for the AWS customer gateway")
        elif ip:
            _check_gateway_ip(chk, ip, nets)

    @staticmethod
    def build(plan: dict[str, Any], p: Mapping[str, Any]) -> dict[str, Any]:
        crypto = plan["crypto"]
        return {
            "customer_gateway_ip": p.get(GATEWAY_IP) or "",
            "security_group_rules": security_group_rules(
                plan["admin_cidrs"], plan["azure"]["vnet_cidr"],
                [vm["private_ip"] for vm in plan["vms"] if vm["cloud"] == "aws"],
                allow_open=plan["admin_open_allowed"]),
            "peer_security_group": peer_security_group(plan["lab"]),
            "tunnel_options": tunnel_options(crypto),
            "pre_shared_key_file": "%s/%s" % (plan["state_dir"], PSK_FILE),
            "tag_filters": tag_filters(plan["lab"]),
            "bgp": bgp_section(plan),
        }


def bgp_section(plan: Mapping[str, Any]) -> Optional[dict[str, Any]]:
    """The BGP design's AWS side, None with static routing: one customer gateway per Azure
    gateway instance (its public IP from the hand-off record's ``azure_gateway_public_ips``, in
    instance order), one dynamic VPN connection on each with the plan's inside /30s, and the
    VPC route table learning the Azure VNet by route propagation instead of a static route."""
    routing = plan.get("routing") or {}
    if routing.get("mode") != "bgp":
        return None
    connections = []
    for index, instance in enumerate(routing["instances"]):
        number = index + 1
        connections.append(dict(
            bgp_connection_names(plan["lab"], number), number=number, instance=instance["instance"],
            pre_shared_key_file="%s/%s" % (plan["state_dir"], BGP_PSK_FILE % number),
            # aws_vpn_connection's tunnels, and the BGP session each carries.
            tunnels=[{"tunnel_inside_cidr": t["inside_cidr"]} for t in routing["tunnels"] if t["connection"] == index],
            sessions=[{"name": t["name"], "inside_cidr": t["inside_cidr"], "bgp_ip": t["aws_bgp_ip"],
                       "peer_bgp_ip": t["azure_bgp_ip"]}
                      for t in routing["tunnels"] if t["connection"] == index]))
    return {"static_routes_only": False, "route_propagation": True, "connections": connections}


def _check_gateway_ip(chk, ip, nets):
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return  # the shared rules already named it
    if addr.is_private and not _documentation(addr):
        chk.add(GATEWAY_IP, ip, "is a private address: an AWS customer gateway on a virtual "
                "private gateway needs the other side's public IP")
    for key in ("azure_vnet_cidr", "aws_vpc_cidr"):
        if nets.get(key) is not None and addr in nets[key]:
            chk.add(GATEWAY_IP, ip, "is inside the lab's own network vpnlab_%s" % key)


DOCUMENTATION_NETS = tuple(ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"))


def _documentation(addr):
    """Documentation ranges count as public: emulators and examples use them."""
    return any(addr in net for net in DOCUMENTATION_NETS)


def security_group_rules(admin_cidrs: Optional[Iterable[object]], azure_vnet_cidr: str, aws_private_ips: Sequence[str] = (),
                         allow_open: bool = False) -> list[dict[str, Any]]:
    """Ingress of the AWS VMs' security group (amazon.aws.ec2_security_group's `rules`), what
    the plan knows before any VM exists: SSH and ICMP from the admins and from the Azure VNet
    through the tunnels, ICMP between the AWS VMs' private addresses when there are two or more
    (a VM does not probe itself), and the check's iperf3 through the tunnel (TCP 5201, its client
    is an Azure VM). The admin CIDRs pass the plan's rule again (peers.admin_sources): wider
    than a /8, or more than 2^24 addresses in all, only when the plan allowed it
    (vpnlab_allow_open_admin, ``allow_open``). The public addresses' rules are
    peer_security_group_rules'."""
    sources = list(dict.fromkeys(admin_sources(admin_cidrs, allow_open) + [azure_vnet_cidr]))
    own = host_cidrs(aws_private_ips) if len(set(aws_private_ips)) > 1 else []
    return [
        {"proto": "tcp", "ports": [22], "cidr_ip": sources, "rule_desc": "SSH from the admins and the Azure VNet"},
        {"proto": "icmp", "from_port": -1, "to_port": -1, "cidr_ip": sources + own,
         "rule_desc": "ICMP from the admins, the Azure VNet and the other AWS VMs" if own
         else "ICMP from the admins and the Azure VNet"},
        {"proto": "tcp", "ports": [IPERF3_PORTS["private"]], "cidr_ip": [azure_vnet_cidr],
         "rule_desc": "iperf3 through the tunnel from the Azure VNet (throughput of the check)"},
    ]


def peer_security_group(lab: str) -> dict[str, str]:
    """The second security group of the AWS VMs: the probes from the lab VMs' public addresses.
    Those are known only once the VMs exist, so it is created empty with the network, attached
    to the VMs when they are created, and its rules are set once after every VM exists: the first
    group's task, which purges rules, always computes the same list from the plan."""
    # AWS allows no apostrophe in group or rule descriptions.
    return {"name": "%s-peers-sg" % lab,
            "description": "vpnlab %s: ICMP and iperf3 from the public IPs of the lab VMs" % lab}


def peer_security_group_rules(public_ips: PublicIps) -> list[dict[str, Any]]:
    """Ingress of the peer security group from ``{"aws": [...], "azure": [...]}``, the lab VMs'
    public IPs: ICMP from each VM that probes an AWS VM's public address (the Azure VMs, and the
    other AWS VMs when there are two or more), and the check's iperf3 over the internet (TCP 5202)
    from the Azure VMs, its clients. Only /32s; no rule without a source."""
    icmp, iperf3 = public_sources(public_ips, "aws"), iperf3_public_sources(public_ips, "aws")
    rules: list[dict[str, Any]] = []
    if icmp:
        rules.append({"proto": "icmp", "from_port": -1, "to_port": -1, "cidr_ip": icmp,
                      "rule_desc": "ICMP from the public IPs of the lab VMs (public probes of the check)"})
    if iperf3:
        rules.append({"proto": "tcp", "ports": [IPERF3_PORTS["public"]], "cidr_ip": iperf3,
                      "rule_desc": "iperf3 over the internet from the Azure VMs (throughput of the check)"})
    return rules


def _algorithms(name):
    return [name] + ([GCM_OF[name]] if name in GCM_OF else [])


def tunnel_options(crypto: Mapping[str, Any]) -> dict[str, Any]:
    """The aws_vpn_connection module's tunnel_options from the plan's crypto: IKEv2 only, the
    plan's algorithms (AES-256 also as GCM), its DH group for phase 1 and PFS, AWS's DPD."""
    phase1, phase2 = crypto["phase1"], crypto["phase2"]
    return {
        "ike_versions": ["ikev%d" % crypto["ike_version"]],
        "phase1_encryption_algorithms": _algorithms(phase1["encryption"]),
        "phase1_integrity_algorithms": [phase1["integrity"]],
        "phase1_dh_group_numbers": [phase1["dh_group"]],
        "phase1_lifetime_seconds": phase1["lifetime_seconds"],
        "phase2_encryption_algorithms": _algorithms(phase2["encryption"]),
        "phase2_integrity_algorithms": [phase2["integrity"]],
        "phase2_dh_group_numbers": [phase2["pfs_group"]],
        "phase2_lifetime_seconds": phase2["lifetime_seconds"],
        "dpd_timeout_seconds": crypto["dpd_timeout_seconds"],
        "dpd_timeout_action": DPD_TIMEOUT_ACTION,
        "startup_action": STARTUP_ACTION,
    }

# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The BGP design's address and ASN plan (issue 16), pure: which inside /30 each tunnel gets,
which APIPA address each Azure gateway instance speaks BGP from, whom each side peers with, and
why a given ASN or /30 would be refused by AWS or Azure. The plan takes it up with
``vpnlab_routing: bgp`` (routing_plan); the local target builds it (_local/bgp_topology.py,
frr.py, bgpd.py) and so does the cloud path (the plan's cloud.azure.bgp and cloud.aws.bgp);
the rehearsal's data plane does not speak BGP yet.

The design is Microsoft's for Azure and AWS (learn.microsoft.com, "How to connect AWS and Azure
using a BGP-enabled VPN gateway"): an active-active Azure VPN gateway has two instances, each
with its own public address; AWS gets one customer gateway per address (its ASN the Azure
gateway's) and one VPN connection per customer gateway, with dynamic routing: four tunnels.
Tunnel j of VPN connection v has the inside /30 ``cidrs[2 * v + j]``; AWS takes its first host
(the virtual private gateway's BGP address), Azure the second (the customer gateway's side).
Azure needs one local network gateway per AWS tunnel (BGP peer: the AWS address, ASN: AWS's)
and one connection each; every connection of an active-active gateway names a custom BGP address
for both instances: tunnel j's, taken from VPN connection 0 for instance 0 and from VPN
connection 1 for instance 1.

Rules (AWS Site-to-Site VPN user guide, tunnel options; Azure VPN Gateway BGP FAQ):
- inside CIDRs: /30 within 169.254.0.0/16, not 169.254.0.0/30 .. 169.254.5.0/30 nor
  169.254.169.252/30 (AWS reserves them); Azure accepts custom BGP addresses only from
  169.254.21.0 to 169.254.22.255; the four /30s must not overlap;
- the Azure gateway's ASN: 1 to 4,294,967,295, default 65515; not 8074, 8075, 12076 nor
  65517-65520 (Azure's own), nor one IANA reserves (23456, 64496-64511, 65535-65551,
  4,294,967,295);
- the AWS side's ASN (the virtual private gateway's AmazonSideAsn): AWS's private ranges
  (asn.py), different from Azure's, and none of the ASNs Azure refuses for a peer (8074, 8075,
  12076, 65515, 65517-65520);
- the AWS customer gateways stand for the Azure gateway, so their ASN is the Azure gateway's.
"""

from __future__ import annotations

import ipaddress
from typing import Any, Sequence

from ansible_collections.multicloud.vpnlab.plugins.module_utils.asn import (
    ASN_MAX, customer_gateway_asn_problem, vpn_gateway_asn_problem,
)
# AWS's fact sheet (a leaf, see test_layout): the tunnels' inside range and its reserved /30s.
from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws.spec import (
    LINK_LOCAL, RESERVED_INSIDE as AWS_RESERVED_INSIDE,
)
# Azure's (a leaf too): its default ASN, the ASNs it keeps, its custom BGP address range.
from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.spec import (
    APIPA_FIRST as AZURE_APIPA_FIRST, APIPA_LAST as AZURE_APIPA_LAST, BGP_DEFAULT_ASN,
    BGP_RESERVED_ASNS as AZURE_RESERVED_PEER_ASNS,
)

AZURE_DEFAULT_ASN = BGP_DEFAULT_ASN
IANA_RESERVED_ASNS = ((23456, 23456), (64496, 64511), (65535, 65551), (ASN_MAX, ASN_MAX))
# Microsoft's guide's /30s: [VPN 0 tunnel 1, VPN 0 tunnel 2, VPN 1 tunnel 1, VPN 1 tunnel 2].
DEFAULT_INSIDE_CIDRS = ("169.254.21.0/30", "169.254.22.0/30", "169.254.21.4/30", "169.254.22.4/30")
TUNNELS_PER_CONNECTION = 2
# vpnlab_routing: the original guide's static routes (the default), or this module's design.
ROUTINGS = ("static", "bgp")
# The customer gateway's ASN with static routing (AWS requires one even then): the lab's choice.
STATIC_CUSTOMER_GATEWAY_ASN = 65034


class BgpPlanError(ValueError):
    """The BGP inputs cannot work; ``problems`` names each one ({input, message})."""

    def __init__(self, problems: list[dict[str, str]]) -> None:
        super().__init__("; ".join("%s: %s" % (p["input"], p["message"]) for p in problems))
        self.problems = problems


def azure_gateway_asn_problem(number: object) -> str | None:
    """Why Azure would refuse ``number`` as its VPN gateway's ASN, or None."""
    if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= ASN_MAX:
        return "must be a whole number from 1 to %d" % ASN_MAX
    if number in AZURE_RESERVED_PEER_ASNS and number != AZURE_DEFAULT_ASN:
        return "%d is reserved by Azure; keep its default 65515 or choose a private ASN like 65010" % number
    if any(low <= number <= high for low, high in IANA_RESERVED_ASNS):
        return "%d is reserved by IANA; choose a private ASN like 65010" % number
    return None


def aws_side_asn_problem(number: object, azure_asn: object) -> str | None:
    """Why ``number`` cannot be the AWS side's ASN (the virtual private gateway's) facing an
    Azure gateway of ``azure_asn``, or None."""
    problem = vpn_gateway_asn_problem(number)
    if problem:
        return problem
    if number == azure_asn:
        return ("is the Azure gateway's ASN too; BGP between the clouds is external, so the two "
                "sides need different ASNs (AWS's default is 64512)")
    if number in AZURE_RESERVED_PEER_ASNS:
        return "%d is reserved by Azure, which refuses it for a peer; choose another, like 64512" % number
    return None


def inside_cidr_problem(text: object) -> str | None:
    """Why ``text`` cannot be a tunnel's inside CIDR with a custom Azure BGP address, or None."""
    try:
        # Anything at all: ip_network's TypeError and ValueError are the answer.
        network = ipaddress.ip_network(text, strict=True)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "must be a /30 network such as 169.254.21.0/30 (its first address, no host bits)"
    if not isinstance(network, ipaddress.IPv4Network) or network.prefixlen != 30:
        return "must be a /30 (AWS's inside tunnel CIDRs are /30s)"
    if not network.subnet_of(LINK_LOCAL):
        return "must be within 169.254.0.0/16 (AWS's inside tunnel addresses)"
    if network in AWS_RESERVED_INSIDE:
        return "is reserved by AWS (169.254.0.0/30 to 169.254.5.0/30 and 169.254.169.252/30)"
    if not (AZURE_APIPA_FIRST <= network.network_address and network.broadcast_address <= AZURE_APIPA_LAST):
        return ("is outside 169.254.21.0-169.254.22.255, the only addresses Azure accepts as "
                "custom BGP addresses")
    return None


def _hosts(cidr):
    network = ipaddress.ip_network(cidr)
    return str(network.network_address + 1), str(network.network_address + 2)


def bgp_plan(azure_asn: int = AZURE_DEFAULT_ASN, aws_asn: int = 64512, customer_gateway_asn: int | None = None,
             inside_cidrs: Sequence[str] | None = None, active_active: bool = True,
             region: str | None = None) -> dict[str, Any]:
    """The BGP design's plan, or BgpPlanError naming every problem at once.

    ``customer_gateway_asn`` None means the Azure gateway's; ``inside_cidrs`` None means
    Microsoft's guide's (the first two of them without active-active)."""
    connections = 2 if active_active else 1
    count = connections * TUNNELS_PER_CONNECTION
    cidrs = list(DEFAULT_INSIDE_CIDRS[:count] if inside_cidrs is None else inside_cidrs)
    problems = []

    def refuse(name, message):
        problems.append({"input": name, "message": message})

    problem = azure_gateway_asn_problem(azure_asn)
    if problem:
        refuse("vpnlab_azure_bgp_asn", problem)
    problem = aws_side_asn_problem(aws_asn, azure_asn)
    if problem:
        refuse("vpnlab_aws_vpn_gateway_asn", problem)
    if customer_gateway_asn is None:
        customer_gateway_asn = azure_asn
    elif customer_gateway_asn != azure_asn:
        refuse("vpnlab_aws_customer_gateway_asn",
               "with BGP the AWS customer gateways stand for the Azure gateway, so their ASN is "
               "its ASN (%s), not %s; leave it unset" % (azure_asn, customer_gateway_asn))
    else:
        problem = customer_gateway_asn_problem(customer_gateway_asn, region)
        if problem:
            refuse("vpnlab_aws_customer_gateway_asn", problem)
    if len(cidrs) != count:
        refuse("vpnlab_bgp_inside_cidrs", "needs %d /30s, one per tunnel (%s), got %d" % (
            count, "two VPN connections of two tunnels" if active_active else "one VPN connection of two tunnels",
            len(cidrs)))
    for index, cidr in enumerate(cidrs):
        problem = inside_cidr_problem(cidr)
        if problem:
            refuse("vpnlab_bgp_inside_cidrs[%d]" % index, "%s %s" % (cidr, problem))
    valid = [c for c in cidrs if inside_cidr_problem(c) is None]
    for index, cidr in enumerate(valid):
        if cidr in valid[:index]:
            refuse("vpnlab_bgp_inside_cidrs", "%s is given twice; each tunnel needs its own /30" % cidr)
    if problems:
        raise BgpPlanError(problems)

    tunnels = []
    for index, cidr in enumerate(cidrs):
        aws_ip, azure_ip = _hosts(cidr)
        tunnels.append({"name": "vpn%d-tunnel%d" % (index // 2 + 1, index % 2 + 1),
                        "connection": index // 2, "tunnel": index % 2, "instance": index // 2,
                        "inside_cidr": cidr, "aws_bgp_ip": aws_ip, "azure_bgp_ip": azure_ip})
    for entry in tunnels:
        # Every connection names one custom address per gateway instance: its tunnel's number
        # on each instance's own VPN connection.
        entry["azure_custom_bgp_ips"] = [t["azure_bgp_ip"] for t in tunnels if t["tunnel"] == entry["tunnel"]]
    return {
        "azure_asn": azure_asn, "aws_asn": aws_asn, "customer_gateway_asn": customer_gateway_asn,
        "active_active": active_active,
        "instances": [{"instance": i, "custom_bgp_ips": [t["azure_bgp_ip"] for t in tunnels if t["instance"] == i]}
                      for i in range(connections)],
        "tunnels": tunnels,
    }


def routing_plan(routing: object, active_active: object = None, azure_asn: int = AZURE_DEFAULT_ASN,
                 aws_asn: int = 64512, customer_gateway_asn: int | None = None,
                 inside_cidrs: Sequence[str] | None = None, region: str | None = None) -> dict[str, Any]:
    """The plan's ``routing`` section for ``vpnlab_routing``, or BgpPlanError naming every
    problem at once.

    ``static``: ``{mode, customer_gateway_asn}`` (None means the lab's 65034); the BGP-only
    inputs are refused when set (an active-active gateway, the four /30s). ``bgp``: ``mode`` plus
    bgp_plan's keys; ``active_active`` None means true, as Microsoft's design has it."""
    if routing not in ROUTINGS:
        raise BgpPlanError([{"input": "vpnlab_routing",
                             "message": "must be one of %s, not %r" % (", ".join(ROUTINGS), routing)}])
    if routing == "bgp":
        return dict(bgp_plan(azure_asn, aws_asn, customer_gateway_asn, inside_cidrs,
                             True if active_active is None else bool(active_active), region), mode="bgp")
    problems = []
    if active_active:
        problems.append({"input": "vpnlab_azure_active_active",
                         "message": "an active-active Azure gateway is the BGP design's "
                                    "(vpnlab_routing=bgp); the static lab has one gateway instance"})
    if inside_cidrs is not None:
        problems.append({"input": "vpnlab_bgp_inside_cidrs",
                         "message": "is for vpnlab_routing=bgp; the static lab's two tunnels take "
                                    "vpnlab_tunnel_inside_cidrs"})
    if problems:
        raise BgpPlanError(problems)
    return {"mode": "static", "customer_gateway_asn":
            STATIC_CUSTOMER_GATEWAY_ASN if customer_gateway_asn is None else customer_gateway_asn}

# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The admin CIDRs' rules (the plan's ``vpnlab_admin_cidrs``): the addresses allowed to reach
the VMs' SSH and ICMP.

``check_admin`` is called by ``plan.build_plan`` with its checker; ``admin_breadth_problems`` is
also what the cloud security rules apply to what they admit (``peers.admin_sources``). Pure.
"""

from __future__ import annotations

import ipaddress
from typing import Any, Mapping, Optional, Sequence

from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws.spec import LINK_LOCAL
from ansible_collections.multicloud.vpnlab.plugins.module_utils.inputs import var

# Admin CIDRs reach the VMs' SSH and ICMP: no CIDR wider than a /8 and at most a /8's worth of
# addresses in all (overlaps merged), unless vpnlab_allow_open_admin. IPv4 only: the VMs have no
# IPv6 address, so an IPv6 CIDR would admit nothing (chk.network refuses it).
ADMIN_SHORTEST_PREFIX = 8
ADMIN_MAX_ADDRESSES = 2 ** 24
OPEN_ADMIN_HINT = "set vpnlab_allow_open_admin=true if you really mean it"


def check_admin(chk: Any, p: Mapping[str, Any], nets: Mapping[str, Any]) -> list[ipaddress.IPv4Network]:
    cidrs = p["admin_cidrs"]
    if cidrs is None:
        if p["target"] == "cloud":
            chk.add("admin_cidrs", cidrs, "is required for the cloud target: the addresses "
                    "allowed to reach the VMs by SSH and ICMP, like your public IP/32")
        return []
    if not isinstance(cidrs, list):
        chk.add("admin_cidrs", cidrs, "must be a list of IPv4 CIDRs")
        return []
    parsed, indexes = [], []
    for i, cidr in enumerate(cidrs):
        net = chk.network("admin_cidrs[%d]" % i, cidr)
        if net is None:
            continue
        for key in ("azure_vnet_cidr", "aws_vpc_cidr"):
            lab = nets.get(key)
            if net.prefixlen and lab is not None and net.overlaps(lab):
                chk.add("admin_cidrs[%d]" % i, cidr, "overlaps %s=%r: the admin addresses must "
                        "be outside the lab's private networks" % (var(key), str(lab)))
        if net.overlaps(LINK_LOCAL) and net.prefixlen:
            chk.add("admin_cidrs[%d]" % i, cidr, "overlaps 169.254.0.0/16 (link-local, used for "
                    "the tunnel inside addresses)")
        parsed.append(net)
        indexes.append(i)
    if not p["allow_open_admin"]:
        for at, rule in admin_breadth_problems(parsed):
            if at is None:
                chk.add("admin_cidrs", cidrs, rule)
            else:
                chk.add("admin_cidrs[%d]" % indexes[at], cidrs[indexes[at]], rule)
    return parsed


def admin_breadth_problems(networks: Sequence[ipaddress.IPv4Network]) -> list[tuple[Optional[int], str]]:
    """How far ``networks`` (IPv4, parsed) open the VMs' SSH and ICMP beyond the rule: each
    CIDR shorter than /8, then, when none is, a union (overlaps merged) of more than 2^24
    addresses. ``[(index in networks, or None for the whole list, rule)]``; empty when within
    the rule. The plan refuses them unless vpnlab_allow_open_admin, and the cloud security rules
    (peers.admin_sources) apply the same rule to what they admit."""
    found: list[tuple[Optional[int], str]] = []
    for i, net in enumerate(networks):
        if net.prefixlen < ADMIN_SHORTEST_PREFIX:
            wide = ("opens SSH and ICMP to the whole internet: admits %s addresses (/0)"
                    % _count(net.num_addresses) if net.prefixlen == 0 else
                    "admits %s addresses (/%d), more than a /%d (%s)" % (
                        _count(net.num_addresses), net.prefixlen, ADMIN_SHORTEST_PREFIX,
                        _count(ADMIN_MAX_ADDRESSES)))
            found.append((i, "%s; %s" % (wide, OPEN_ADMIN_HINT)))
    if found:
        return found
    merged = list(ipaddress.collapse_addresses(networks))
    total = sum(net.num_addresses for net in merged)
    if total > ADMIN_MAX_ADDRESSES:
        found.append((None, "together admit %s addresses (overlaps merged: %s), more than %s "
                      "(2^24, one /%d); %s" % (
                          _count(total), _first(merged, 8), _count(ADMIN_MAX_ADDRESSES),
                          ADMIN_SHORTEST_PREFIX, OPEN_ADMIN_HINT)))
    return found


def _count(number):
    return "{:,}".format(number)


def _first(items, shown):
    text = ", ".join(map(str, items[:shown]))
    return text + (" and %d more" % (len(items) - shown) if len(items) > shown else "")

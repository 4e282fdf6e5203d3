# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Names and addresses of the rehearsal's own fabric (pure).

The clouds' addresses come from the doubles (AWS double: 203.0.113.0/24, Azure double:
198.51.100.0/24, documentation ranges). What is the rehearsal's own: the controller's
"public" address (the user's laptop), the internet namespace's bridge and the links between a
cloud router and its VPN gateway. None of them is ever routed outside the rehearsal: the
internet namespace has no link to the host and an `unreachable` default route.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re

PREFIX = "vpnrh-"
# The controller (ansible-playbook, the doubles, the realizer): the user's laptop on the internet.
CONTROLLER_IP = "198.18.0.10"
CONTROLLER_CIDR = CONTROLLER_IP + "/32"
# The internet: one bridge, its own address .1, the controller .2, then one address per edge
# (a cloud's router or VPN gateway).
INTERNET_NET = ipaddress.ip_network("100.64.0.0/16")
INTERNET_GATEWAY = str(INTERNET_NET.network_address + 1)
CONTROLLER_LINK = str(INTERNET_NET.network_address + 2)
# /30 links between a cloud's router and its VPN gateway.
LINK_NET = ipaddress.ip_network("100.65.0.0/16")
# Routes and rules the realizer owns carry this protocol number (ip route ... proto 200).
RTPROT = 200
IFNAME_MAX = 15
SAFE_RE = re.compile(r"[^a-z0-9-]+")


def prefix(lab):
    """Every namespace of the rehearsal of `lab` starts with this ('.' is never in a lab name)."""
    return "%s%s." % (PREFIX, lab)


def netns(lab, *parts):
    """`vpnrh-<lab>.<part>.<part>`: readable in `ip netns list` (ids and names shortened)."""
    return prefix(lab) + ".".join(SAFE_RE.sub("-", str(p).lower())[:40] for p in parts)


def digest(*parts, size=8):
    return hashlib.sha256("/".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:size]


def ifname(kind, *parts):
    """A stable interface name of at most 15 characters."""
    return (kind + digest(*parts))[:IFNAME_MAX]


def edge_ip(index):
    """The internet-bridge address of the edge with allocation `index` (1-based)."""
    return str(INTERNET_NET.network_address + 2 + index)


def edge_address(index):
    return "%s/%d" % (edge_ip(index), INTERNET_NET.prefixlen)


def link_pair(index):
    """(router side, gateway side) addresses of /30 link number `index` (0-based)."""
    base = LINK_NET.network_address + 4 * index
    return "%s/30" % (base + 1), "%s/30" % (base + 2)


def first_host(cidr):
    """The cloud router's address in a subnet (AWS and Azure both use the first host)."""
    net = ipaddress.ip_network(cidr, strict=False)
    return str(net.network_address + 1)


def with_prefix(ip, cidr):
    return "%s/%d" % (ip, ipaddress.ip_network(cidr, strict=False).prefixlen)

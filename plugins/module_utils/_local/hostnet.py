# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read-only view of the host's own IPv4 networks (addresses and routes), with pyroute2."""

from __future__ import annotations

import socket

from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.netlink import IPRoute


# Route protocol number marking the lab's safety-net `unreachable` routes in the host namespace;
# they are ours, so they must not count as the host's networks.
SAFETY_ROUTE_PROTO = 222
RT_TABLE_LOCAL = 255


def nameservers(path: str = "/etc/resolv.conf") -> list[str]:
    """The host's IPv4 DNS servers as /32s: a lab network over one would cut the host's DNS."""
    found = []
    try:
        with open(path) as handle:
            for line in handle:
                fields = line.split()
                if len(fields) >= 2 and fields[0] == "nameserver" and "." in fields[1]:
                    found.append(fields[1] + "/32")
    except OSError:
        pass
    return found


def host_networks() -> list[str]:
    """CIDRs of the host's IPv4 addresses, non-default routes (all tables but `local`) and DNS
    servers."""
    nets = set(nameservers())
    with IPRoute() as ipr:
        for msg in ipr.get_addr(family=socket.AF_INET):
            nets.add("%s/%d" % (msg.get_attr("IFA_ADDRESS"), msg["prefixlen"]))
        for msg in ipr.get_routes(family=socket.AF_INET):
            table = msg.get_attr("RTA_TABLE") or msg["table"]
            if table == RT_TABLE_LOCAL or msg["proto"] == SAFETY_ROUTE_PROTO or not msg["dst_len"]:
                continue
            nets.add("%s/%d" % (msg.get_attr("RTA_DST"), msg["dst_len"]))
    return sorted(nets)

# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab's safety net in the host namespace: `unreachable` routes for its ranges.

A guard route is ours when it has protocol SAFETY_ROUTE_PROTO and the lab's own metric
(guard_metric), so two labs with the same ranges each own their routes and a teardown removes
only its own. The pure part decides; RouteDriver reads and changes the host's main table.
"""

from __future__ import annotations

import hashlib
import ipaddress
import socket
from typing import Any, Iterable, Mapping

from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.hostnet import SAFETY_ROUTE_PROTO

from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.netlink import IPRoute, NetlinkError


GUARD_PROTO = SAFETY_ROUTE_PROTO
METRIC_BASE = 3000
METRIC_SPAN = 50000
RT_TABLE_MAIN = 254
EEXIST = 17
ESRCH = 3


# --- pure ---------------------------------------------------------------------------------

def guard_metric(lab: str) -> int:
    """The lab's own route metric: stable across runs and machines, distinct per lab name."""
    digest = hashlib.sha256(lab.encode("utf-8")).digest()
    return METRIC_BASE + int.from_bytes(digest[:4], "big") % METRIC_SPAN


def normalise_cidrs(cidrs: Iterable[object]) -> list[str]:
    """Canonical, de-duplicated CIDR strings in input order; ValueError names a bad one.

    Host bits are dropped (10.1.1.1/16 -> 10.1.0.0/16) as the kernel wants; a default route
    is refused, since an unreachable 0.0.0.0/0 would cut the host off.
    """
    seen = []
    for cidr in cidrs:
        try:
            net = ipaddress.ip_network(str(cidr).strip(), strict=False)
        except ValueError:
            raise ValueError("%r is not a valid CIDR" % (cidr,))
        if net.prefixlen == 0:
            raise ValueError("%r would make every address unreachable" % (cidr,))
        if str(net) not in seen:
            seen.append(str(net))
    return seen


def overlapping_host_networks(cidrs: Iterable[str], host_nets: Iterable[str]) -> list[tuple[str, str]]:
    """(cidr, host network) pairs where a guard would cut the host from its own networks."""
    pairs = []
    for cidr in cidrs:
        net = ipaddress.ip_network(cidr)
        for host in host_nets:
            hnet = ipaddress.ip_network(host, strict=False)
            if hnet.version == net.version and hnet.prefixlen and hnet.overlaps(net):
                pairs.append((cidr, str(hnet)))
    return pairs


def own_routes(observed: Iterable[Mapping[str, Any]], metric: int) -> list[str]:
    """Destinations of the guard routes with `metric`; `observed` is [{dst, proto, metric}]."""
    return sorted({r["dst"] for r in observed
                   if r["proto"] == GUARD_PROTO and r["metric"] == metric}, key=_sort_key)


def routes_to_add(wanted: Iterable[object], observed: Iterable[Mapping[str, Any]], metric: int) -> list[str]:
    """Wanted CIDRs (normalised) the lab has no guard route for yet, in input order."""
    have = set(own_routes(observed, metric))
    return [cidr for cidr in normalise_cidrs(wanted) if cidr not in have]


def routes_to_remove(observed: Iterable[Mapping[str, Any]], metric: int) -> list[str]:
    """Every guard route of the lab, whatever its destination."""
    return own_routes(observed, metric)


def routes_after(before: Iterable[str], added: Iterable[str], removed: Iterable[str]) -> list[str]:
    """The lab's guard routes once `added` are added and `removed` removed, sorted."""
    return sorted((set(before) - set(removed)) | set(added), key=_sort_key)


def _sort_key(cidr):
    net = ipaddress.ip_network(cidr)
    return (net.version, net.network_address, net.prefixlen)


# --- pyroute2 driver (host namespace, main table) ------------------------------------------

def _family(cidr):
    return socket.AF_INET6 if ipaddress.ip_network(cidr).version == 6 else socket.AF_INET


class RouteDriver:
    """Reads and changes guard routes in the host's main routing table."""

    def observe(self) -> list[dict[str, Any]]:
        """Every route of the main table that has a destination, as [{dst, proto, metric}]."""
        routes = []
        with IPRoute() as ipr:
            for family in (socket.AF_INET, socket.AF_INET6):
                for msg in ipr.get_routes(family=family):
                    table = msg.get_attr("RTA_TABLE") or msg["table"]
                    if table != RT_TABLE_MAIN or not msg["dst_len"]:
                        continue
                    routes.append({"dst": "%s/%d" % (msg.get_attr("RTA_DST"), msg["dst_len"]),
                                   "proto": msg["proto"], "type": msg["type"],
                                   "metric": msg.get_attr("RTA_PRIORITY") or 0})
        return routes

    @staticmethod
    def add(cidr: str, metric: int) -> None:
        with IPRoute() as ipr:
            try:
                ipr.route("add", family=_family(cidr), dst=cidr, type="unreachable",
                          proto=GUARD_PROTO, priority=metric, table=RT_TABLE_MAIN)
            except NetlinkError as exc:
                if exc.code != EEXIST:
                    raise

    @staticmethod
    def remove(cidr: str, metric: int) -> None:
        with IPRoute() as ipr:
            try:
                ipr.route("del", family=_family(cidr), dst=cidr, proto=GUARD_PROTO,
                          priority=metric, table=RT_TABLE_MAIN)
            except NetlinkError as exc:
                if exc.code != ESRCH:  # already gone
                    raise


class LabRoutes:
    """One lab's guard routes, for callers that only remove them (host_guard, local_teardown)."""

    def __init__(self, lab: str, driver: Any) -> None:
        self.metric = guard_metric(lab)
        self.driver = driver

    def remaining(self) -> list[str]:
        return own_routes(self.driver.observe(), self.metric)

    def remove(self, check_mode: bool) -> list[str]:
        """Remove the lab's guard routes; returns the destinations removed (or to remove)."""
        gone = routes_to_remove(self.driver.observe(), self.metric)
        if not check_mode:
            for cidr in gone:
                self.driver.remove(cidr, self.metric)
        return gone

# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The local lab's BGP speakers (FRR's bgpd and zebra) for ``vpnlab_routing: bgp``, pure: each
speaker's configuration from the plan's ``routing`` section, and FRR's JSON answers read into
the lab's evidence (sessions, routes learned).

The design is the plan's (module_utils/bgp.py, Microsoft's for Azure and AWS): two Azure
gateway instances, each the customer gateway of one AWS VPN connection of two tunnels; each
tunnel carries one eBGP session between its inside addresses (AWS's the /30's first host, Azure's
the second). The processes are run by ``_local/bgpd.py``; the routes a speaker learns are the
only routes to the other cloud: nothing is typed, a prefix is reachable while a session carries
it.

Timers: AWS's virtual private gateway offers a hold time of 30 s with a keepalive every 10 s
(its generated customer gateway configurations); a session takes the smaller hold time of the
two offers, so AWS's is the one that counts and both sides here use it (_aws/spec.py).
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any, Iterable, Mapping, Sequence

from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws.spec import (
    BGP_HOLD_SECONDS, BGP_KEEPALIVE_SECONDS,
)

# A speaker's name becomes its FRR hostname: the lab's own names only (letters, digits, '-').
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,62}$")
# The AS-path filter of a neighbor that is told only what the speaker learned (the VNet router
# learns the other cloud's prefix from its gateway, not its own VNet's).
LEARNED_ONLY = "vpnlab-learned-only"
# The session state FRR reports for a session that carries routes.
ESTABLISHED = "Established"
# ... and for one that waits out its idle hold time before trying again.
IDLE = "Idle"
# Seconds between two tries to open a session (FRR's default is 120).
CONNECT_RETRY_SECONDS = 10


class FrrConfigError(ValueError):
    """A speaker's configuration would be wrong or unsafe to write (said before any file is)."""


def _address(value: Any, what: str) -> str:
    try:
        return str(ipaddress.IPv4Address(value))
    except (ValueError, TypeError):
        raise FrrConfigError("%s %r is not an IPv4 address" % (what, value)) from None


def _network(value: Any, what: str) -> str:
    try:
        return str(ipaddress.IPv4Network(value, strict=True))
    except (ValueError, TypeError):
        raise FrrConfigError("%s %r is not an IPv4 network" % (what, value)) from None


def _asn(value: Any, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 4294967295:
        raise FrrConfigError("%s %r is not an ASN (1 to 4294967295)" % (what, value))
    return value


def speaker_conf(name: str, asn: int, router_id: str, neighbors: Sequence[Mapping[str, Any]],
                 networks: Iterable[str], keepalive: int = BGP_KEEPALIVE_SECONDS,
                 hold: int = BGP_HOLD_SECONDS) -> str:
    """frr.conf of one BGP speaker.

    ``neighbors``: ``{address, remote_asn, source}`` each, plus an optional ``description``
    (letters, digits, '-', '.') and ``learned_only`` (announce to it only what the speaker
    learned, none of its own ``networks``); ``source`` is the speaker's own address for that session. A
    neighbor of the same ASN is internal (the Azure VNet learning from its gateway) and gets the
    speaker as its next hop. The peers sit behind a tunnel, not on a shared subnet, hence
    ``disable-connected-check``. Every value is checked, so nothing but the lab's own words
    reaches the file."""
    if not isinstance(name, str) or not NAME.match(name):
        raise FrrConfigError("speaker name %r: letters, digits and '-' only, 63 at most" % (name,))
    asn = _asn(asn, "the speaker's ASN")
    lines = ["! Written by multicloud.vpnlab: one BGP speaker of the lab.",
             "frr defaults traditional", "hostname %s" % name,
             "router bgp %d" % asn, " bgp router-id %s" % _address(router_id, "router id"),
             # The lab's sessions carry only the lab's prefixes; no policy is needed to accept them.
             " no bgp ebgp-requires-policy",
             # A VNet or VPC prefix is announced as the cloud announces it, whether or not a
             # route to it is in the speaker's own table.
             " no bgp network import-check",
             # Several equal paths (two tunnels, two instances) are all used, as the clouds do.
             " bgp bestpath as-path multipath-relax"]
    seen = set()
    if any(n.get("learned_only") for n in neighbors):
        # The speaker's own prefixes have an empty AS path: such a neighbor gets all but them.
        lines[3:3] = ["bgp as-path access-list %s seq 5 deny ^$" % LEARNED_ONLY,
                      "bgp as-path access-list %s seq 10 permit .*" % LEARNED_ONLY]
    for neighbor in neighbors:
        peer = _address(neighbor.get("address"), "neighbor")
        if peer in seen:
            raise FrrConfigError("neighbor %s is given twice" % peer)
        seen.add(peer)
        remote = _asn(neighbor.get("remote_asn"), "neighbor %s's ASN" % peer)
        lines.append(" neighbor %s remote-as %d" % (peer, remote))
        description = neighbor.get("description")
        if description is not None:
            if not isinstance(description, str) or not re.match(r"^[A-Za-z0-9.-]{1,80}$", description):
                raise FrrConfigError("neighbor %s: description %r: letters, digits, '.' and '-' only"
                                     % (peer, description))
            lines.append(" neighbor %s description %s" % (peer, description))
        lines.append(" neighbor %s update-source %s" % (peer, _address(neighbor.get("source"), "source")))
        lines.append(" neighbor %s disable-connected-check" % peer)
        lines.append(" neighbor %s timers %d %d" % (peer, keepalive, hold))
        # A connection tried while the tunnel was down is retried in seconds, not FRR's 120.
        lines.append(" neighbor %s timers connect %d" % (peer, CONNECT_RETRY_SECONDS))
    lines.append(" address-family ipv4 unicast")
    for network in networks:
        lines.append("  network %s" % _network(network, "announced network"))
    for neighbor in neighbors:
        if neighbor.get("remote_asn") == asn:
            lines.append("  neighbor %s next-hop-self" % neighbor["address"])
        if neighbor.get("learned_only"):
            lines.append("  neighbor %s filter-list %s out" % (neighbor["address"], LEARNED_ONLY))
    lines += [" exit-address-family", "exit", ""]
    return "\n".join(lines)


def tunnel_speakers(routing: Mapping[str, Any], azure_prefixes: Sequence[str],
                    aws_prefixes: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The speakers at the tunnels' ends, by name: ``azure<i>`` for each Azure gateway instance,
    ``aws`` for the virtual private gateway. Each is ``{asn, router_id, neighbors, networks,
    addresses}`` (``addresses``: the inside addresses the speaker answers on, one per tunnel).

    ``routing`` is the plan's routing section (bgp.bgp_plan's keys): its tunnels name their
    instance, inside /30 and the two BGP addresses."""
    if routing.get("mode") != "bgp":
        raise FrrConfigError("the plan's routing is %r: speakers are for bgp" % routing.get("mode"))
    speakers: dict[str, dict[str, Any]] = {}
    aws: dict[str, Any] = {"asn": routing["aws_asn"], "neighbors": [], "networks": list(aws_prefixes),
                           "addresses": []}
    for tunnel in routing["tunnels"]:
        name = "azure%d" % tunnel["instance"]
        azure = speakers.setdefault(name, {"asn": routing["azure_asn"], "neighbors": [],
                                           "networks": list(azure_prefixes), "addresses": []})
        azure["addresses"].append(tunnel["azure_bgp_ip"])
        azure["neighbors"].append({"address": tunnel["aws_bgp_ip"], "remote_asn": routing["aws_asn"],
                                   "source": tunnel["azure_bgp_ip"], "description": tunnel["name"]})
        aws["addresses"].append(tunnel["aws_bgp_ip"])
        aws["neighbors"].append({"address": tunnel["azure_bgp_ip"], "remote_asn": routing["customer_gateway_asn"],
                                 "source": tunnel["aws_bgp_ip"], "description": tunnel["name"]})
    speakers["aws"] = aws
    for speaker in speakers.values():
        # Its lowest inside address: unique in the lab, and stable across re-runs.
        speaker["router_id"] = min(speaker["addresses"], key=ipaddress.IPv4Address)
    return speakers


def sessions(summary: Mapping[str, Any]) -> list[dict[str, Any]]:
    """``show bgp summary json`` as the lab's session evidence: per peer its address, state,
    ASN, prefixes received and seconds up (0 when not established), sorted by address."""
    peers = ((summary or {}).get("ipv4Unicast") or {}).get("peers") or {}
    found = []
    for address, peer in peers.items():
        state = peer.get("state", "unknown")
        found.append({"address": address, "state": state, "remote_asn": peer.get("remoteAs"),
                      "description": peer.get("desc"),
                      "messages_in": int(peer.get("msgRcvd") or 0), "messages_out": int(peer.get("msgSent") or 0),
                      "prefixes_received": int(peer.get("pfxRcd") or 0) if state == ESTABLISHED else 0,
                      "up_seconds": int(peer.get("peerUptimeMsec") or 0) // 1000 if state == ESTABLISHED else 0})
    return sorted(found, key=lambda p: ipaddress.IPv4Address(p["address"]))


def learned_routes(routes: Mapping[str, Any]) -> list[dict[str, Any]]:
    """``show ip route bgp json`` as the routes a speaker learned and installed: per prefix its
    next hops (the peers' addresses, in order) and the interfaces they resolve through."""
    found = []
    for prefix, entries in sorted((routes or {}).items()):
        for entry in entries:
            if entry.get("protocol") != "bgp" or not entry.get("selected"):
                continue
            hops = entry.get("nexthops") or []
            # A recursive next hop (the peer's address) is followed by its resolver (the device).
            peers = [h["ip"] for h in hops if h.get("ip") and not h.get("resolver") and h.get("active")]
            devices = [h["interfaceName"] for h in hops if h.get("interfaceName") and h.get("active")]
            found.append({"prefix": prefix, "next_hops": list(dict.fromkeys(peers)),
                          "interfaces": sorted(set(devices)), "installed": bool(entry.get("installed"))})
    return found


def learned(routes: Iterable[Mapping[str, Any]], prefix: str) -> bool:
    """Whether ``prefix`` is among a speaker's installed BGP routes (learned_routes' output)."""
    return any(r["prefix"] == prefix and r["installed"] for r in routes)

# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Azure's view of the tunnels (each connection's status and byte counters) as the
connectivity check's tunnel records ``{name, outside_ip, status, bytes_in, bytes_out, source,
detail}`` (see module_utils/reporting/model.py). ``bytes_in`` is Azure's ingress, ``bytes_out`` its
egress, seen from the Azure gateway. Pure.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting.routing import ESTABLISHED

SOURCE = "azure:connections"
STATUS = {"Connected": "up", "NotConnected": "down", "Connecting": "down", "Unknown": "unknown"}


def tunnel_records(tunnels: Iterable[Mapping[str, Any]], connections: Mapping[str, Mapping[str, Any]],
                   local_gateways: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One record per planned tunnel. ``tunnels``: the plan's (name, connection,
    local_network_gateway); ``connections``/``local_gateways``: {name: as_dict()} found in Azure."""
    records = []
    for tunnel in tunnels:
        conn = connections.get(tunnel["connection"])
        lgw = local_gateways.get(tunnel["local_network_gateway"]) or {}
        outside_ip = lgw.get("gateway_ip_address")
        if conn is None:
            records.append(_record(tunnel["name"], outside_ip, "unknown", None, None,
                                   "no connection %s in Azure" % tunnel["connection"]))
            continue
        state = conn.get("connection_status") or "Unknown"
        detail = "connection %s: %s, provisioning %s" % (tunnel["connection"], state,
                                                         conn.get("provisioning_state"))
        records.append(_record(tunnel["name"], outside_ip, STATUS.get(state, "unknown"),
                               conn.get("ingress_bytes_transferred"),
                               conn.get("egress_bytes_transferred"), detail))
    return records


def _record(name, outside_ip, status, bytes_in, bytes_out, detail):
    return {"name": name, "outside_ip": outside_ip, "status": status, "bytes_in": bytes_in,
            "bytes_out": bytes_out, "source": SOURCE, "detail": detail}


def _status(theirs, ours):
    if theirs == ours or ours == "unknown":
        return theirs
    if theirs == "unknown":
        return ours
    return "down"  # one side sees the tunnel down: it does not carry traffic both ways


def _first(*values):
    return next((v for v in values if v is not None), None)


def merge(others: Iterable[Mapping[str, Any]], azure: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Azure's records joined by tunnel name to another source's (AWS's telemetry): the status
    both agree on (``down`` when one sees it down), Azure's byte counters, both sources and
    details. A tunnel only one source knows keeps that source's record."""
    by_name = {r["name"]: r for r in azure}
    merged = []
    for theirs in others:
        ours = by_name.pop(theirs["name"], None)
        if ours is None:
            merged.append(dict(theirs))
            continue
        merged.append({
            "name": theirs["name"],
            "outside_ip": theirs.get("outside_ip") or ours.get("outside_ip"),
            "status": _status(theirs.get("status") or "unknown", ours.get("status") or "unknown"),
            "bytes_in": _first(ours.get("bytes_in"), theirs.get("bytes_in")),
            "bytes_out": _first(ours.get("bytes_out"), theirs.get("bytes_out")),
            "source": "%s+%s" % (theirs.get("source"), ours.get("source")),
            "detail": "; ".join("%s: %s" % (r.get("source"), r.get("detail")) for r in (theirs, ours) if r.get("detail")) or None,
        })
    return merged + list(by_name.values())


# --- the BGP design (vpnlab_routing: bgp) ---------------------------------------------------------

#: Azure's BGP peer states (BgpPeerStatus.state) in the report's words; the others are kept.
PEER_STATES = {"Connected": ESTABLISHED}
#: The origins of a gateway's learned routes (GatewayRoute.origin): EBgp from a peer in another
#: AS (AWS), IBgp from the gateway's other instance, Network for the VNet's own prefixes.
FROM_PEERS = ("EBgp", "IBgp")


def _speaker(role, expects):
    return {"side": "azure", "role": role, "expects": list(expects), "sessions": [], "routes": []}


def _add_route(routes, prefix, hop):
    for route in routes:
        if route["prefix"] == prefix:
            if hop and hop not in route["next_hops"]:
                route["next_hops"].append(hop)
            return
    routes.append({"prefix": prefix, "next_hops": [hop] if hop else []})


def bgp_speakers(peers: Iterable[Mapping[str, Any]], routes: Iterable[Mapping[str, Any]],
                 tunnels: Iterable[Mapping[str, Any]], instances: int, expects: Iterable[str]) -> dict[str, Any]:
    """The Azure side's BGP evidence from the gateway's getBgpPeerStatus (``peers``) and
    getLearnedRoutes (``routes``), as_dict() forms: one ``azure<N>`` speaker per gateway
    instance (its sessions with AWS and the routes it learned from them, eBGP) and the ``vnet``
    router (every route the gateway learned from a peer: Azure programs them into the VNet,
    where they decide the VMs' way).

    ``tunnels``: the plan's ``cloud.azure.bgp.tunnels`` (name, peer_bgp_ip, vpn_connection: the
    AWS connection, which ends on the instance of the same index). A peer or route is placed on
    its instance by the AWS address it comes from, whatever local address Azure shows; peers
    that are not AWS's (the other instance, over iBGP) are not sessions of the design."""
    expects = list(expects)
    by_peer = {t["peer_bgp_ip"]: t for t in tunnels}
    speakers = {"azure%d" % i: _speaker("gateway", expects) for i in range(instances)}
    vnet = _speaker("router", expects)

    def owner(address):
        tunnel = by_peer.get(address)
        if tunnel is None:
            return None
        return speakers.get("azure%d" % min(int(tunnel.get("vpn_connection") or 0), instances - 1))

    for peer in peers:
        speaker = owner(peer.get("neighbor"))
        if speaker is None:
            continue
        state = peer.get("state") or "Unknown"
        session = {"address": peer["neighbor"], "description": by_peer[peer["neighbor"]]["name"],
                   "state": PEER_STATES.get(state, state),
                   "prefixes_received": int(peer.get("routes_received") or 0) if state in PEER_STATES else 0}
        speaker["sessions"].append(session)
        vnet["sessions"].append(dict(session))
    for route in routes:
        if route.get("origin") not in FROM_PEERS or not route.get("network"):
            continue
        hop = route.get("next_hop") or route.get("source_peer")
        _add_route(vnet["routes"], route["network"], hop)
        speaker = owner(route.get("source_peer"))
        if route.get("origin") == "EBgp" and speaker is not None:
            _add_route(speaker["routes"], route["network"], hop)
    speakers["vnet"] = vnet
    return speakers

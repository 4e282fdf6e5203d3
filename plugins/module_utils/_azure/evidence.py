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

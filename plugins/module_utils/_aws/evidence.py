# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWS's view of the tunnels (VgwTelemetry) as the connectivity check's tunnel records.

Each record is ``{name, outside_ip, status, bytes_in, bytes_out, source, detail}`` (see
module_utils/reporting/model.py). AWS reports no byte counters in the telemetry (they are CloudWatch
metrics), so ``bytes_in``/``bytes_out`` are None: unknown, not zero. An endpoint without
telemetry (moto) gives ``status: unknown`` and says why. Pure, no boto3.
"""

from __future__ import annotations

import datetime
from typing import Any, Mapping, Sequence

from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws.vpn import current_tunnels
from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting.routing import ESTABLISHED

SOURCE = "aws:VgwTelemetry"
STATUS = {"UP": "up", "DOWN": "down"}


def _when(value):
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return str(value) if value else None


def _detail(telemetry):
    parts = []
    if telemetry.get("StatusMessage"):
        parts.append(telemetry["StatusMessage"])
    if telemetry.get("LastStatusChange"):
        parts.append("status since %s" % _when(telemetry["LastStatusChange"]))
    if telemetry.get("AcceptedRouteCount") is not None:
        parts.append("%d accepted routes" % telemetry["AcceptedRouteCount"])
    return "; ".join(parts) or None


def outside_ips_by_name(connection: Mapping[str, Any], tunnels: Sequence[Mapping[str, Any]]) -> dict[str, str | None]:
    """{tunnel name: outside IP}, matching the plan's tunnels to AWS's by inside CIDR."""
    described = {t.get("TunnelInsideCidr"): t.get("OutsideIpAddress") for t in current_tunnels(connection) or ()}
    return {t["name"]: described.get(t["inside_cidr"]) for t in tunnels}


def tunnel_records(connection: Mapping[str, Any] | None, tunnels: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One record per planned tunnel (`tunnels`: the plan's, with name and inside_cidr)."""
    if connection is None:
        return [_record(t["name"], None, "unknown", "no VPN connection of the lab was found") for t in tunnels]
    telemetry = connection.get("VgwTelemetry") or []
    by_ip = {t.get("OutsideIpAddress"): t for t in telemetry}
    ips = outside_ips_by_name(connection, tunnels)
    records = []
    for index, tunnel in enumerate(tunnels):
        ip = ips.get(tunnel["name"])
        # Without tunnel options (moto) the telemetry's order is the tunnels' order.
        seen = by_ip.get(ip) if ip else (telemetry[index] if index < len(telemetry) else None)
        if seen is None:
            records.append(_record(tunnel["name"], ip, "unknown", "the endpoint reports no VgwTelemetry for this "
                                   "tunnel (moto does not emulate it)"))
        else:
            records.append(_record(tunnel["name"], seen.get("OutsideIpAddress") or ip,
                                   STATUS.get(seen.get("Status"), "unknown"), _detail(seen)))
    return records


def _record(name, outside_ip, status, detail):
    return {"name": name, "outside_ip": outside_ip, "status": status, "bytes_in": None, "bytes_out": None,
            "source": SOURCE, "detail": detail}


# --- the BGP design (vpnlab_routing: bgp) ---------------------------------------------------------

#: The routes a VGW propagates into a route table (DescribeRouteTables' Route.Origin).
PROPAGATED = "EnableVgwRoutePropagation"


def bgp_tunnel_records(connections: Mapping[str, Mapping[str, Any] | None],
                       planned: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One record per planned BGP session (four with two VPN connections), in the plan's order.
    ``connections``: {VPN connection name: the connection AWS describes, or None};
    ``planned``: the plan's ``cloud.aws.bgp.connections`` (vpn_connection, sessions with name
    and inside_cidr)."""
    records = []
    for planned_connection in planned:
        found = connections.get(planned_connection["vpn_connection"])
        if found is None:
            records += [_record(s["name"], None, "unknown", "no VPN connection %s of the lab was found"
                                % planned_connection["vpn_connection"]) for s in planned_connection["sessions"]]
        else:
            records += tunnel_records(found, planned_connection["sessions"])
    return records


def _session(session: Mapping[str, Any], telemetry: Mapping[str, Any] | None) -> dict[str, Any]:
    """A BGP session as the report shows it, from the tunnel's telemetry: on a dynamic VPN
    connection AWS reports a tunnel UP only while its BGP session is established."""
    if not telemetry:
        return {"address": session["peer_bgp_ip"], "description": session["name"], "state": "Unknown",
                "prefixes_received": 0}
    up = telemetry.get("Status") == "UP"
    return {"address": session["peer_bgp_ip"], "description": session["name"],
            "state": ESTABLISHED if up else "Down",
            "prefixes_received": int(telemetry.get("AcceptedRouteCount") or 0) if up else 0}


def bgp_speakers(connections: Mapping[str, Mapping[str, Any] | None], planned: Sequence[Mapping[str, Any]],
                 route_tables: Sequence[Mapping[str, Any]], expects: Sequence[str]) -> dict[str, Any]:
    """The AWS side's BGP evidence: the VPC's route table as the ``vpc`` router (the routes the
    VGW propagates into it, which decide the VMs' way) with every tunnel's session (telemetry
    status and accepted route count). AWS does not say which prefixes each connection
    learned, so the VGW has no speaker of its own."""
    sessions = []
    for planned_connection in planned:
        found = connections.get(planned_connection["vpn_connection"]) or {}
        by_ip = {t.get("OutsideIpAddress"): t for t in found.get("VgwTelemetry") or ()}
        ips = outside_ips_by_name(found, planned_connection["sessions"]) if found else {}
        sessions += [_session(s, by_ip.get(ips.get(s["name"]))) for s in planned_connection["sessions"]]
    learned: dict[str, list[str]] = {}
    for table in route_tables:
        for route in table.get("Routes") or ():
            if route.get("Origin") == PROPAGATED and route.get("State", "active") == "active":
                hops = learned.setdefault(route.get("DestinationCidrBlock"), [])
                if route.get("GatewayId") and route["GatewayId"] not in hops:
                    hops.append(route["GatewayId"])
    return {"vpc": {"side": "aws", "role": "router", "expects": list(expects), "sessions": sessions,
                    "routes": [{"prefix": prefix, "next_hops": hops} for prefix, hops in sorted(learned.items())]}}

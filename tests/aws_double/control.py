# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TEST DOUBLE: the control API under ``/_aws_double/`` (plain HTTP, tests and the realizer).

boto3 never calls these paths (EC2's query API posts to ``/``). They stand for what AWS does
out of sight of the API: the tunnels' state comes from the data plane (the realizer posts it as
VgwTelemetry), an instance's console output from its boot. Every handler takes the double and
the request's JSON and returns (HTTP status, JSON-able answer); ControlError is a refusal.
"""

from __future__ import annotations

import os

from tests.azure_double.server import fingerprint

from . import NOTE
from .addresses import backends
from .vpn import DoubleVpnConnection, utcnow

STATUSES = ("UP", "DOWN")


class ControlError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


def _connection(vpn_connection_id):
    for backend in backends():
        vpn = backend.vpn_connections.get(vpn_connection_id)
        if isinstance(vpn, DoubleVpnConnection):
            return vpn
    raise ControlError(404, "no VPN connection %r" % (vpn_connection_id,))


def _timestamp(value):
    return value.isoformat() if value is not None else None


def _tunnel_view(tunnel):
    telemetry = dict(tunnel.telemetry, LastStatusChange=_timestamp(tunnel.telemetry["LastStatusChange"]))
    return {"outside_ip_address": tunnel.outside_ip, "tunnel_inside_cidr": tunnel.spec["TunnelInsideCidr"],
            "pre_shared_key": fingerprint(tunnel.spec["PreSharedKey"]),
            "modified_count": tunnel.modified_count, "modified_at": _timestamp(tunnel.modified_at),
            "telemetry": telemetry}


def connection_view(vpn):
    """The double's view of one connection: no key in clear."""
    return {"vpn_connection_id": vpn.id, "state": vpn.state, "account": vpn.ec2_backend.account_id,
            "region": vpn.ec2_backend.region_name, "customer_gateway_id": vpn.customer_gateway_id,
            "vpn_gateway_id": vpn.vpn_gateway_id, "static_routes_only": vpn.static_routes_only,
            "routes": [dict(r) for r in vpn.routes], "tunnels": [_tunnel_view(t) for t in vpn.double_tunnels]}


def health(double, _data):
    return 200, {"ok": True, "pid": os.getpid(), "config": double.config, "note": NOTE}


def requests(double, _data):
    return 200, list(double.requests)


def reset(double, _data):
    double.reset()
    return 200, {"ok": True}


def config(double, data):
    try:
        double.configure(data)
    except ValueError as exc:
        raise ControlError(400, str(exc)) from None
    return 200, double.config


def _telemetry_entry(entry):
    status = entry.get("status")
    routes = entry.get("accepted_route_count", 0)
    if status not in STATUSES:
        raise ControlError(400, "status must be one of %s, not %r" % (", ".join(STATUSES), status))
    if isinstance(routes, bool) or not isinstance(routes, int) or routes < 0:
        raise ControlError(400, "accepted_route_count must be a whole number, not %r" % (routes,))
    return status, str(entry.get("status_message", "")), routes


def telemetry(_double, data):
    """Set tunnels' VgwTelemetry as the data plane sees them (LastStatusChange on a change only)."""
    vpn = _connection(data.get("vpn_connection_id"))
    updates = []
    for entry in data.get("tunnels") or ():
        tunnel = vpn.tunnel(entry.get("outside_ip_address"))
        if tunnel is None:
            raise ControlError(400, "%s has no tunnel %r" % (vpn.id, entry.get("outside_ip_address")))
        updates.append((tunnel, _telemetry_entry(entry)))
    if not updates:
        raise ControlError(400, "tunnels: give at least one {outside_ip_address, status}")
    now = utcnow()
    for tunnel, (status, message, routes) in updates:
        tunnel.report(status, message, routes, now)
    vpn.refresh()
    return 200, connection_view(vpn)


def bgp_routes(_double, data):
    """Set the prefixes the customer gateway announces over a dynamic VPN connection's BGP
    sessions; the VGW propagates them while a tunnel of the connection is UP."""
    vpn = _connection(data.get("vpn_connection_id"))
    prefixes = data.get("prefixes")
    if not isinstance(prefixes, list) or not all(isinstance(p, str) for p in prefixes):
        raise ControlError(400, "prefixes must be a list of CIDRs")
    if vpn.static_routes_only:
        raise ControlError(400, "%s has static routing: it has no BGP session" % vpn.id)
    vpn.double_bgp_prefixes = list(prefixes)
    return 200, dict(connection_view(vpn), bgp_prefixes=list(prefixes))


def console_output(_double, data):
    instance_id, output = data.get("instance_id"), data.get("output")
    if not isinstance(output, str):
        raise ControlError(400, "output must be a string")
    for backend in backends():
        for instance in backend.all_instances():
            if instance.id == instance_id:
                instance.double_console_output = output
                return 200, {"instance_id": instance_id, "characters": len(output)}
    raise ControlError(404, "no instance %r" % (instance_id,))


def vpn_connections(_double, _data):
    return 200, [connection_view(vpn) for backend in backends() for vpn in backend.vpn_connections.values()
                 if isinstance(vpn, DoubleVpnConnection)]


ROUTES = {
    ("GET", "health"): health, ("GET", "requests"): requests, ("GET", "vpn-connections"): vpn_connections,
    ("POST", "reset"): reset, ("POST", "config"): config, ("POST", "telemetry"): telemetry,
    ("POST", "console-output"): console_output, ("POST", "bgp-routes"): bgp_routes,
}


def handle(double, method, name, data):
    handler = ROUTES.get((method, name))
    if handler is None:
        raise ControlError(404, "no control endpoint %s /_aws_double/%s" % (method, name))
    if not isinstance(data, dict):
        raise ControlError(400, "the body must be a JSON object")
    return handler(double, data)

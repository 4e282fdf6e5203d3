# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TEST DOUBLE: route propagation from a virtual private gateway, which moto 5.2.5 lacks
(EnableVgwRoutePropagation and DisableVgwRoutePropagation answer HTTP 500; DescribeRouteTables
has no ``PropagatingVgws``).

The BGP design's VPC route table learns the Azure VNet from the VGW (routes AWS propagates from
the VPN connections' BGP sessions) instead of a static route. Here, as AWS does:

- ``EnableVgwRoutePropagation`` needs an existing route table and VGW, and the VGW attached to
  the route table's VPC (``Gateway.NotAttached`` otherwise); enabling twice changes nothing;
- ``DisableVgwRoutePropagation`` removes it (disabling one not enabled changes nothing);
- ``DescribeRouteTables`` lists ``PropagatingVgws`` (moto's serializer reads the attribute
  ``propagating_vgws`` off the route table).

Which routes a VGW propagates (``Origin: EnableVgwRoutePropagation``) depends on the BGP sessions:
what the customer gateway announces over a dynamic VPN connection (the control API's
``bgp-routes``, said by the data plane or a test) is propagated while the connection is
``available`` and one of its tunnels is UP (the telemetry: on a dynamic connection AWS reports a
tunnel UP only while its BGP session is established). ``DescribeRouteTables`` lists those routes
with ``Origin: EnableVgwRoutePropagation`` and the VGW as ``GatewayId``, after the table's own.
"""

from __future__ import annotations

from moto.core.responses import EmptyResult
from moto.ec2.exceptions import EC2ClientError
from moto.ec2.models.route_tables import Route, RouteTable

from .vpn import param

# Read by moto's serializer for DescribeRouteTables; set per table when propagation is enabled.
RouteTable.propagating_vgws = ()
PROPAGATED = "EnableVgwRoutePropagation"


def propagated_routes(table):
    """The routes the table's propagating VGWs bring: each dynamic connection's announced
    prefixes while it is available and a tunnel of it is UP."""
    routes, seen = [], set()
    for found in table.propagating_vgws:
        for vpn in list(table.ec2_backend.vpn_connections.values()):
            if (vpn.vpn_gateway_id != found["GatewayId"] or getattr(vpn, "static_routes_only", True)
                    or vpn.state != "available"
                    or not any(t.telemetry.get("Status") == "UP" for t in getattr(vpn, "double_tunnels", ()))):
                continue
            for prefix in getattr(vpn, "double_bgp_prefixes", ()):
                if (prefix, found["GatewayId"]) in seen:
                    continue
                seen.add((prefix, found["GatewayId"]))
                route = Route(table, prefix, None, gateway=table.ec2_backend.get_vpn_gateway(found["GatewayId"]))
                route.double_origin = PROPAGATED
                routes.append(route)
    return routes


_MOTO_ROUTES = RouteTable.routes
_MOTO_ORIGIN = Route.origin


def _routes(self):
    return _MOTO_ROUTES.fget(self) + propagated_routes(self)


def _origin(self):
    return getattr(self, "double_origin", None) or _MOTO_ORIGIN.fget(self)


def install_propagated_routes():
    """DescribeRouteTables lists the propagated routes (moto's serializer reads ``routes`` and
    each route's ``origin``); moto's own route operations keep working on ``_routes``."""
    RouteTable.routes = property(_routes)
    Route.origin = property(_origin)


def _table_and_gateway(response):
    backend = response.ec2_backend
    table = backend.get_route_table(param(response, "RouteTableId"))
    gateway = backend.get_vpn_gateway(param(response, "GatewayId"))
    return table, gateway


def enable_vgw_route_propagation(response):
    table, gateway = _table_and_gateway(response)
    attached = [a for a in getattr(gateway, "attachments", {}).values()
                if getattr(a, "vpc_id", None) == table.vpc_id and getattr(a, "state", "attached") == "attached"]
    if not attached:
        raise EC2ClientError("Gateway.NotAttached", "resource %s is not attached to the VPC %s of route table %s."
                             % (gateway.id, table.vpc_id, table.id))
    if all(found["GatewayId"] != gateway.id for found in table.propagating_vgws):
        table.propagating_vgws = list(table.propagating_vgws) + [{"GatewayId": gateway.id}]
    return EmptyResult()


def disable_vgw_route_propagation(response):
    table, gateway = _table_and_gateway(response)
    table.propagating_vgws = [found for found in table.propagating_vgws if found["GatewayId"] != gateway.id]
    return EmptyResult()

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

Which routes a VGW propagates (``Origin: EnableVgwRoutePropagation``) depends on the sessions the
rehearsal's data plane brings up; this module records only the setting.
"""

from __future__ import annotations

from moto.core.responses import EmptyResult
from moto.ec2.exceptions import EC2ClientError
from moto.ec2.models.route_tables import RouteTable

from .vpn import param

# Read by moto's serializer for DescribeRouteTables; set per table when propagation is enabled.
RouteTable.propagating_vgws = ()


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

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TEST DOUBLE: the changes made to moto at start-up, all in one place.

moto 5.2.5's EC2 responses are methods of one class (``EC2Response``) found by name at each
request, and its models call module-level helpers for ids and addresses, so the double extends
it by replacing those names in this process, before the first request:

- ``VPNConnection`` -> ``DoubleVpnConnection``; CreateVpnConnection wrapped, and the three
  actions moto lacks (ModifyVpnTunnelOptions, Create/DeleteVpnConnectionRoute) added;
- ``random_public_ip`` (instances' network interfaces) and ``random_ip`` (elastic IPs) ->
  addresses of 203.0.113.0/24;
- ``random_id`` -> the same ids, each recorded as born now (eventual consistency);
- ``EC2Response.call_action`` -> first the eventual-consistency check, then moto;
- GetConsoleOutput -> the text a test posted for the instance, if any, else moto's sample;
- Enable/DisableVgwRoutePropagation added, and route tables' ``PropagatingVgws``
  (``propagation.py``).
"""

from __future__ import annotations

from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.ec2 import utils as ec2_utils
from moto.ec2.models import elastic_ip_addresses, elastic_network_interfaces, vpn_connections
from moto.ec2.responses import EC2Response
from moto.ec2.responses.general import General
from moto.ec2.responses.route_tables import RouteTables
from moto.ec2.responses.vpn_connections import VPNConnections
from moto.ec2.utils import Base64EncodedString

from . import propagation, vpn
from .vpn import DoubleVpnConnection, param

_INSTALLED = []


def _response_method(handler, *extra):
    """A method moto's dispatcher finds by its action name (it lists the class's functions)."""
    def method(self):
        return handler(self, *extra)
    method.__name__ = handler.__name__
    return method


def _vpn_actions(double):
    vpn_connections.VPNConnection = DoubleVpnConnection
    moto_create = VPNConnections.create_vpn_connection
    VPNConnections.create_vpn_connection = _response_method(vpn.create_vpn_connection, double, moto_create)
    VPNConnections.modify_vpn_tunnel_options = _response_method(vpn.modify_vpn_tunnel_options, double)
    VPNConnections.create_vpn_connection_route = _response_method(vpn.create_vpn_connection_route)
    VPNConnections.delete_vpn_connection_route = _response_method(vpn.delete_vpn_connection_route)


def _addresses(double):
    elastic_network_interfaces.random_public_ip = double.addresses.instance_ip
    elastic_ip_addresses.random_ip = double.addresses.instance_ip


def _fresh_ids(double):
    moto_random_id = ec2_utils.random_id

    def random_id(prefix="", size=17):
        resource_id = moto_random_id(prefix, size)
        if double.in_request:
            double.fresh.record(resource_id)
        return resource_id

    ec2_utils.random_id = random_id
    moto_call_action = EC2Response.call_action

    def call_action(self):
        error = None if double.exempt else double.fresh.not_found(self.querystring, double.config, double.rng)
        if error is not None:
            return self.serialized(ActionResult(error))
        return moto_call_action(self)

    EC2Response.call_action = call_action


def _console_output():
    moto_console_output = General.get_console_output

    def get_console_output(self):
        instance = self.ec2_backend.get_instance(param(self, "InstanceId"))
        text = getattr(instance, "double_console_output", None)
        if text is None:
            return moto_console_output(self)
        return ActionResult({"InstanceId": instance.id, "Timestamp": utcnow(),
                             "Output": Base64EncodedString.from_raw_string(text)})

    General.get_console_output = get_console_output


def _route_propagation():
    RouteTables.enable_vgw_route_propagation = _response_method(propagation.enable_vgw_route_propagation)
    RouteTables.disable_vgw_route_propagation = _response_method(propagation.disable_vgw_route_propagation)
    propagation.install_propagated_routes()


def install(double):
    """Patch moto for `double` (once per process: the patches are module-wide)."""
    if _INSTALLED:
        raise RuntimeError("moto is already patched for another double in this process")
    _vpn_actions(double)
    _addresses(double)
    _fresh_ids(double)
    _console_output()
    _route_propagation()
    _INSTALLED.append(double)

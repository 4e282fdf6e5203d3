# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TEST DOUBLE: AWS site-to-site VPN connections as AWS keeps them, on top of moto's.

moto 5.2.5 drops the connection's options, has no routes or telemetry and answers HTTP 500 for
CreateVpnConnectionRoute, DeleteVpnConnectionRoute and ModifyVpnTunnelOptions. Here:

- ``DoubleVpnConnection`` (moto's class, subclassed) keeps two tunnels, each with its options in
  the request spelling, its outside address and its VgwTelemetry; its ``state`` is computed when
  read (``pending`` for ``pending_seconds`` after creation, ``modifying`` for ``modify_seconds``
  after a tunnel change), so a ``state`` filter sees the state of the moment;
- the request handlers check AWS's value rules before anything changes, fill in what AWS
  generates (keys, inside CIDRs, outside addresses) and modify one tunnel at a time, refusing a
  second change while the first is in progress, as AWS does.

moto's serializer reads ``options``, ``routes`` and ``vgw_telemetry`` off the object, so these
hold AWS's response shape (CamelCase keys) and ``refresh()`` rebuilds them after each change.
"""

from __future__ import annotations

import datetime
import ipaddress
import time

from moto.core.responses import ActionResult, EmptyResult
from moto.ec2.exceptions import EC2ClientError
from moto.ec2.models.vpn_connections import VPNConnection

from . import cgwxml
from .addresses import inside_cidrs_in_use
from .rules import check_tunnel, generate_psk, invalid, response_tunnel

CONNECTION_DEFAULTS = {"EnableAcceleration": False, "LocalIpv4NetworkCidr": "0.0.0.0/0",
                       "RemoteIpv4NetworkCidr": "0.0.0.0/0", "OutsideIpAddressType": "PublicIpv4",
                       "TunnelInsideIpVersion": "ipv4"}
# What AWS's telemetry says of a tunnel it has just replaced (ModifyVpnTunnelOptions).
REPLACED_MESSAGE = "IPSEC IS DOWN"


def utcnow():
    """Now, in UTC and tz-aware: the control API shows it as ISO 8601 with its offset."""
    return datetime.datetime.now(datetime.timezone.utc)


class Tunnel:
    """One tunnel: options (request spelling), outside address, telemetry, modification count."""

    def __init__(self, outside_ip, spec, now):
        self.outside_ip = outside_ip
        self.spec = spec
        self.telemetry = {"OutsideIpAddress": outside_ip, "Status": "DOWN", "StatusMessage": "",
                          "LastStatusChange": now, "AcceptedRouteCount": 0}
        self.modified_count = 0
        self.modified_at = None

    def report(self, status, message, routes, now):
        """What the realizer saw; LastStatusChange moves only when the status does."""
        if status != self.telemetry["Status"]:
            self.telemetry["LastStatusChange"] = now
        self.telemetry.update(Status=status, StatusMessage=message, AcceptedRouteCount=routes)

    def modify(self, spec, now, replace):
        """New options; replacing the endpoint takes the tunnel down, as on AWS."""
        self.spec = spec
        self.modified_count += 1
        self.modified_at = now
        if replace:
            self.telemetry.update(Status="DOWN", StatusMessage=REPLACED_MESSAGE, LastStatusChange=now)


class DoubleVpnConnection(VPNConnection):
    """moto's VPN connection with AWS's tunnels, routes, telemetry and timed states."""

    def __init__(self, *args, **kwargs):
        self.moto_state = "available"
        super().__init__(*args, **kwargs)
        self.double_tunnels = []
        self.static_routes_only = False
        self.connection_options = dict(CONNECTION_DEFAULTS)
        self.routes = []
        self.vgw_telemetry = []
        self.available_at = self.modifying_until = 0.0

    @property
    def state(self):
        if self.moto_state != "available":
            return self.moto_state
        now = time.monotonic()
        if now < self.available_at:
            return "pending"
        return "modifying" if now < self.modifying_until else "available"

    @state.setter
    def state(self, value):
        # moto sets "available" at creation and "deleted" on DeleteVpnConnection.
        self.moto_state = value

    @property
    def customer_gateway_configuration(self):
        return cgwxml.configuration(self)

    def refresh(self):
        tunnels = [response_tunnel(t.outside_ip, t.spec) for t in self.double_tunnels]
        self.options = dict(self.connection_options, StaticRoutesOnly=self.static_routes_only, TunnelOptions=tunnels)
        self.vgw_telemetry = [t.telemetry for t in self.double_tunnels]

    def tunnel(self, outside_ip):
        return next((t for t in self.double_tunnels if t.outside_ip == outside_ip), None)


def param(response, name, default=None):
    """A request parameter as moto parsed it from botocore's model (moto's own accessor)."""
    return response._get_param(name, default)  # pylint: disable=protected-access


# --- CreateVpnConnection -----------------------------------------------------------------------

def _check_connection_options(options, transit):
    if transit:
        return
    if options.get("TunnelInsideIpVersion", "ipv4") != "ipv4" or options.get("EnableAcceleration"):
        raise invalid("IPv6 tunnels and acceleration are supported only for VPN connections to a transit gateway.")


def _check_new_tunnels(given, vpn_gateway_id):
    if len(given) > 2:
        raise invalid("A VPN connection has two tunnels; %d TunnelOptions were given." % len(given))
    for spec in given:
        check_tunnel(spec)
    cidrs = [spec["TunnelInsideCidr"] for spec in given if "TunnelInsideCidr" in spec]
    if len(set(cidrs)) != len(cidrs):
        raise invalid("The tunnel inside CIDR %s is given for both tunnels; they must differ." % cidrs[0])
    _check_cidrs_free(cidrs, vpn_gateway_id)


def _check_cidrs_free(cidrs, vpn_gateway_id, exclude=None):
    if not vpn_gateway_id:
        return
    used = inside_cidrs_in_use(vpn_gateway_id, exclude)
    for cidr in cidrs:
        if cidr in used:
            raise invalid("The tunnel inside CIDR %s is already used by another VPN tunnel of %s." % (cidr, vpn_gateway_id))


def _configure(vpn, options, given, double):
    """Fill in what AWS generates and start the connection's `pending` time."""
    now = utcnow()
    taken = [spec["TunnelInsideCidr"] for spec in given if "TunnelInsideCidr" in spec]
    vpn.static_routes_only = bool(options.get("StaticRoutesOnly", False))
    vpn.connection_options.update((k, options[k]) for k in CONNECTION_DEFAULTS if k in options)
    for index in range(2):
        spec = dict(given[index]) if index < len(given) else {}
        spec.setdefault("PreSharedKey", generate_psk())
        if "TunnelInsideCidr" not in spec:
            spec["TunnelInsideCidr"] = double.addresses.inside_cidr(taken)
            taken.append(spec["TunnelInsideCidr"])
        # Appended before the next address is taken, so the two tunnels' addresses differ.
        vpn.double_tunnels.append(Tunnel(double.addresses.tunnel_ip(), spec, now))
    vpn.available_at = time.monotonic() + double.config["pending_seconds"]
    vpn.refresh()


def create_vpn_connection(response, double, moto_create):
    """Check AWS's rules, let moto create the connection (tags, gateways), then add the tunnels."""
    options = param(response, "Options") or {}
    given = list(options.get("TunnelOptions") or ())
    _check_connection_options(options, param(response, "TransitGatewayId"))
    _check_new_tunnels(given, param(response, "VpnGatewayId"))
    result = moto_create(response)
    _configure(result.result["VpnConnection"], options, given, double)
    return result


# --- ModifyVpnTunnelOptions --------------------------------------------------------------------

def _connection(response):
    vpn_id = param(response, "VpnConnectionId")
    return response.ec2_backend.describe_vpn_connections(vpn_connection_ids=[vpn_id])[0]


def _check_available(vpn, error_code):
    state = vpn.state
    if state != "available":
        raise EC2ClientError(error_code, "The VPN connection %s is in the %s state; its tunnel options can be "
                             "modified only when it is available." % (vpn.id, state))


def _changed_tunnel(response, vpn):
    """The tunnel the request names and its options after the change, checked by AWS's rules."""
    outside_ip = param(response, "VpnTunnelOutsideIpAddress")
    tunnel = vpn.tunnel(outside_ip)
    if tunnel is None:
        raise invalid("The VPN tunnel outside IP address %s does not belong to VPN connection %s." % (outside_ip, vpn.id))
    merged = dict(tunnel.spec, **(param(response, "TunnelOptions") or {}))
    check_tunnel(merged)
    _check_cidrs_free([merged["TunnelInsideCidr"]], vpn.vpn_gateway_id, exclude=tunnel)
    return tunnel, merged


def modify_vpn_tunnel_options(response, double):
    """One tunnel at a time: refused while the connection is not `available`."""
    vpn = _connection(response)
    _check_available(vpn, double.config["busy_error_code"])
    tunnel, merged = _changed_tunnel(response, vpn)
    response.error_on_dryrun()
    tunnel.modify(merged, utcnow(), replace=not param(response, "SkipTunnelReplacement", False))
    vpn.modifying_until = time.monotonic() + double.config["modify_seconds"]
    vpn.refresh()
    return ActionResult({"VpnConnection": vpn})


# --- CreateVpnConnectionRoute / DeleteVpnConnectionRoute ----------------------------------------

def _route_request(response):
    vpn = _connection(response)
    cidr = param(response, "DestinationCidrBlock")
    try:
        ipaddress.IPv4Network(cidr)
    except (TypeError, ValueError):
        raise invalid("Value (%s) for parameter destinationCidrBlock is invalid. This is not a valid CIDR block."
                      % cidr) from None
    if vpn.state in ("deleting", "deleted"):
        raise EC2ClientError("InvalidVpnConnection.InvalidState",
                             "The VPN connection %s must be in the available state to complete the request." % vpn.id)
    return vpn, cidr


def create_vpn_connection_route(response):
    vpn, cidr = _route_request(response)
    if not vpn.static_routes_only:
        raise EC2ClientError("InvalidVpnConnection.InvalidType",
                             "The VPN connection %s does not support static routes." % vpn.id)
    if all(route["DestinationCidrBlock"] != cidr for route in vpn.routes):
        vpn.routes.append({"DestinationCidrBlock": cidr, "Source": "Static", "State": "available"})
    return EmptyResult()


def delete_vpn_connection_route(response):
    vpn, cidr = _route_request(response)
    kept = [route for route in vpn.routes if route["DestinationCidrBlock"] != cidr]
    if len(kept) == len(vpn.routes):
        raise EC2ClientError("InvalidRoute.NotFound",
                             "The VPN connection %s has no static route to %s." % (vpn.id, cidr))
    vpn.routes[:] = kept
    return EmptyResult()

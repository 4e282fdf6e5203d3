# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWS site-to-site VPN connection: wanted tunnels -> EC2 requests, and what differs from AWS.

Pure logic, no boto3 and no AnsibleModule: the aws_vpn_connection module calls the API with
what these functions build. Three traps shape it:

- the same option is spelled differently in requests and responses (``DPDTimeoutSeconds`` /
  ``DpdTimeoutSeconds``, ``IKEVersions`` / ``IkeVersions``): comparing the request's keys with a
  response would find a difference on every run and modify the tunnels every time;
- botocore validates the request's shape but not AWS's value rules (inside CIDR, PSK alphabet,
  DPD >= 30 s, lifetimes), so they are checked here, before any call;
- a pre-shared key never appears in a message, a diff or a returned value.
"""

from __future__ import annotations

import ipaddress
from typing import Any, Collection, Iterable, Mapping, Optional, Sequence

from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws.spec import (  # noqa: F401 (re-exported)
    DPD_ACTIONS, DPD_MIN_SECONDS, ENCRYPTION, FIELDS, IKE_VERSIONS, INSIDE_PREFIX, INTEGRITY, LINK_LOCAL, PHASE1_DH,
    PHASE1_LIFETIME, PHASE2_DH, PHASE2_LIFETIME, RESERVED_INSIDE, RESERVED_INSIDE_TEXT, STARTUP_ACTIONS)
from ansible_collections.multicloud.vpnlab.plugins.module_utils.psk import psk_problem

HIDDEN = "<hidden>"
# Connection states that still hold the tunnels; `deleting`/`deleted` ones are gone for us.
# `modifying`: AWS is applying a ModifyVpnTunnelOptions (one tunnel at a time); leaving it out
# made a re-run find nothing and create a second connection.
LIVE_STATES = ("pending", "available", "modifying")
# States that become `available` by themselves; AWS refuses a tunnel modify meanwhile.
SETTLING_STATES = ("pending", "modifying")
# The poll for `available` after a modify: soon at first (the offline rehearsal modifies in
# seconds, AWS in minutes), then every 15 s, not botocore's fixed 15 s waiter delay.
POLL_FIRST, POLL_FACTOR, POLL_MAX = 2, 1.5, 15
LIVE_ROUTE_STATES = ("pending", "available")

# The options shared by both tunnels (everything but the inside CIDR and the key).
COMMON_OPTIONS = tuple(k for k in FIELDS if k not in ("tunnel_inside_cidr", "pre_shared_key"))


class VpnSpecError(ValueError):
    """The wanted tunnels break AWS's rules; ``problems`` lists them all (no key in them)."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


def wanted_tunnels(tunnels: Iterable[Mapping[str, Any]], options: Optional[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One dict per tunnel: its inside CIDR and key plus the options both tunnels share.

    Options left unset (None) are not sent and not compared, so AWS keeps its own value.
    """
    common = {k: v for k, v in (options or {}).items() if k in COMMON_OPTIONS and v is not None}
    return [dict(common, tunnel_inside_cidr=t.get("tunnel_inside_cidr"),
                 pre_shared_key=t.get("pre_shared_key")) for t in tunnels]


# --- AWS's value rules ----------------------------------------------------------------------

def _values_problems(where, key, values, allowed):
    if not isinstance(values, list) or not values:
        return ["%s: %s must be a non-empty list" % (where, key)]
    bad = [v for v in values if v not in allowed]
    if bad:
        return ["%s: %s %s not accepted by AWS (allowed: %s)" % (
            where, key, ", ".join(str(v) for v in bad), ", ".join(str(a) for a in allowed))]
    return []


def _range_problems(where, key, value, bounds):
    low, high = bounds
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return ["%s: %s=%r must be a whole number of seconds from %d to %d" % (where, key, value, low, high)]
    return []


def inside_cidr_problems(where: str, cidr: Any) -> list[str]:
    try:
        net = ipaddress.ip_network(cidr)
    except (TypeError, ValueError):
        return ["%s: tunnel_inside_cidr=%r is not an IPv4 network" % (where, cidr)]
    if net.version != 4 or net.prefixlen != INSIDE_PREFIX or not net.subnet_of(LINK_LOCAL):
        return ["%s: tunnel_inside_cidr=%r must be a /%d inside %s" % (where, cidr, INSIDE_PREFIX, LINK_LOCAL)]
    if any(net.overlaps(r) for r in RESERVED_INSIDE):
        return ["%s: tunnel_inside_cidr=%r is one of the /30s AWS reserves (%s)" % (where, cidr, RESERVED_INSIDE_TEXT)]
    return []


def psk_problems(where: str, psk: object) -> list[str]:
    """AWS's rule for pre-shared keys; the message shows the length, never the key."""
    if psk in (None, ""):
        return ["%s: pre_shared_key is empty" % where]
    hidden = "<hidden, %d characters>" % len(psk) if isinstance(psk, str) else HIDDEN
    problem = psk_problem(psk)
    return ["%s: pre_shared_key %s %s" % (where, hidden, problem)] if problem else []


_VALUE_RULES = (
    ("ike_versions", IKE_VERSIONS), ("phase1_encryption_algorithms", ENCRYPTION),
    ("phase2_encryption_algorithms", ENCRYPTION), ("phase1_integrity_algorithms", INTEGRITY),
    ("phase2_integrity_algorithms", INTEGRITY), ("phase1_dh_group_numbers", PHASE1_DH),
    ("phase2_dh_group_numbers", PHASE2_DH),
)


def tunnel_problems(where: str, tunnel: Mapping[str, Any]) -> list[str]:
    problems = inside_cidr_problems(where, tunnel.get("tunnel_inside_cidr"))
    problems += psk_problems(where, tunnel.get("pre_shared_key"))
    for key, allowed in _VALUE_RULES:
        if key in tunnel:
            problems += _values_problems(where, key, tunnel[key], allowed)
    for key, bounds in (("phase1_lifetime_seconds", PHASE1_LIFETIME), ("phase2_lifetime_seconds", PHASE2_LIFETIME)):
        if key in tunnel:
            problems += _range_problems(where, key, tunnel[key], bounds)
    p1, p2 = tunnel.get("phase1_lifetime_seconds"), tunnel.get("phase2_lifetime_seconds")
    # AWS refuses a Phase 2 lifetime equal to Phase 1's, not only a longer one.
    if isinstance(p1, int) and isinstance(p2, int) and p2 >= p1:
        problems.append("%s: phase2_lifetime_seconds=%d must be less than phase1_lifetime_seconds=%d" % (where, p2, p1))
    dpd = tunnel.get("dpd_timeout_seconds")
    if "dpd_timeout_seconds" in tunnel and (isinstance(dpd, bool) or not isinstance(dpd, int) or dpd < DPD_MIN_SECONDS):
        problems.append("%s: dpd_timeout_seconds=%r must be %d or more (AWS's minimum)" % (where, dpd, DPD_MIN_SECONDS))
    for key, words in (("dpd_timeout_action", DPD_ACTIONS), ("startup_action", STARTUP_ACTIONS)):
        if key in tunnel and tunnel[key] not in words:
            problems.append("%s: %s=%r must be one of %s" % (where, key, tunnel[key], ", ".join(words)))
    return problems


def check_tunnels(tunnels: Sequence[Mapping[str, Any]]) -> None:
    """Raise VpnSpecError listing every rule the wanted tunnels break."""
    problems: list[str] = []
    if len(tunnels) != 2:
        problems.append("an AWS VPN connection has exactly two tunnels, %d given" % len(tunnels))
    for i, tunnel in enumerate(tunnels, start=1):
        problems += tunnel_problems("tunnel%d" % i, tunnel)
    cidrs = [t.get("tunnel_inside_cidr") for t in tunnels]
    if len(cidrs) == 2 and cidrs[0] == cidrs[1]:
        problems.append("tunnel2: tunnel_inside_cidr=%r is the same as tunnel1's; they must differ" % cidrs[1])
    if problems:
        raise VpnSpecError(problems)


def route_problems(routes: Optional[Iterable[Any]]) -> list[str]:
    problems = []
    for cidr in routes or ():
        try:
            net = ipaddress.ip_network(cidr, strict=False)
        except (TypeError, ValueError):
            problems.append("static_routes: %r is not a CIDR" % (cidr,))
            continue
        if net.version != 4 or str(net) != cidr:
            problems.append("static_routes: %r must be an IPv4 network like 10.1.0.0/16" % (cidr,))
    return problems


# --- requests ---------------------------------------------------------------------------------

def _request_value(kind, value):
    return [{"Value": v} for v in value] if kind == "values" else value


def tunnel_request(tunnel: Mapping[str, Any], keys: Optional[Collection[str]] = None) -> dict[str, Any]:
    """A VpnTunnelOptionsSpecification (create) or ModifyVpnTunnelOptionsSpecification."""
    return {FIELDS[k][0]: _request_value(FIELDS[k][2], tunnel[k])
            for k in FIELDS if k in tunnel and (keys is None or k in keys)}


def tag_list(tags: Optional[Mapping[str, object]]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": str(v)} for k, v in sorted((tags or {}).items())]


def tag_dict(tag_list_: Optional[Iterable[Mapping[str, Any]]]) -> dict[str, Any]:
    return {t["Key"]: t["Value"] for t in tag_list_ or ()}


def create_request(customer_gateway_id: str, vpn_gateway_id: str, tunnels: Iterable[Mapping[str, Any]],
                   tags: Optional[Mapping[str, object]], static_routes_only: bool = True) -> dict[str, Any]:
    request: dict[str, Any] = {
        "CustomerGatewayId": customer_gateway_id,
        "VpnGatewayId": vpn_gateway_id,
        "Type": "ipsec.1",
        "Options": {
            "StaticRoutesOnly": static_routes_only,
            "TunnelInsideIpVersion": "ipv4",
            "TunnelOptions": [tunnel_request(t) for t in tunnels],
        },
    }
    if tags:
        request["TagSpecifications"] = [{"ResourceType": "vpn-connection", "Tags": tag_list(tags)}]
    return request


# --- what AWS has -----------------------------------------------------------------------------

def live_connections(connections: Optional[Iterable[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Connections that still exist (moto ignores the `state` filter, so filter here too)."""
    return [c for c in connections or () if c.get("State") in LIVE_STATES]


def poll_delays(timeout: float, first: float = POLL_FIRST, factor: float = POLL_FACTOR, cap: float = POLL_MAX) -> list[float]:
    """Seconds to sleep between looks: `first`, growing by `factor` up to `cap`, while their sum
    stays within `timeout` (2, 3, 4.5, 6.75, 10.125, 15, 15, ...)."""
    delays: list[float] = []
    total: float = 0
    delay = first
    while total + delay <= timeout:
        delays.append(delay)
        total += delay
        delay = min(cap, delay * factor)
    return delays


def current_tunnels(connection: Mapping[str, Any]) -> Optional[list[dict[str, Any]]]:
    """The connection's tunnels as AWS describes them, or None when it lists none (moto)."""
    options = (connection.get("Options") or {}).get("TunnelOptions")
    return options or None


def _current_value(tunnel, key):
    response_key, kind = FIELDS[key][1], FIELDS[key][2]
    if response_key not in tunnel:
        return None
    value = tunnel[response_key]
    return [v.get("Value") for v in value or ()] if kind == "values" else value


def _same(key, wanted, current):
    if FIELDS[key][2] == "values":
        return sorted(map(str, wanted)) == sorted(map(str, current or ()))
    return wanted == current


def tunnel_differences(wanted: Mapping[str, Any], current: Mapping[str, Any]) -> list[str]:
    """The option names whose wanted value AWS does not have. A key AWS does not return (kept in
    Secrets Manager, say) cannot be compared and is not reported."""
    diffs = []
    for key in FIELDS:
        if key not in wanted:
            continue
        have = _current_value(current, key)
        if key == "pre_shared_key" and have is None:
            continue
        if not _same(key, wanted[key], have):
            diffs.append(key)
    return diffs


def pair_tunnels(wanted: Iterable[Mapping[str, Any]], current: Iterable[Mapping[str, Any]]) -> list[tuple[Mapping[str, Any], Optional[Mapping[str, Any]]]]:
    """Pair each wanted tunnel with an AWS tunnel: by inside CIDR (what identifies a tunnel to
    the other side), the rest in AWS's order. Returns [(wanted, current or None)]."""
    left = list(current)
    pairs: list[list[Any]] = []
    for tunnel in wanted:
        match = next((c for c in left if c.get("TunnelInsideCidr") == tunnel.get("tunnel_inside_cidr")), None)
        if match is not None:
            left.remove(match)
        pairs.append([tunnel, match])
    for pair in pairs:
        if pair[1] is None and left:
            pair[1] = left.pop(0)
    return [(pair[0], pair[1]) for pair in pairs]


def modify_requests(vpn_connection_id: str, wanted: Iterable[Mapping[str, Any]], current: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One ModifyVpnTunnelOptions request per tunnel that differs, with only what differs."""
    requests = []
    for tunnel, have in pair_tunnels(wanted, current):
        if have is None:
            continue
        diffs = tunnel_differences(tunnel, have)
        if diffs:
            requests.append({
                "VpnConnectionId": vpn_connection_id,
                "VpnTunnelOutsideIpAddress": have["OutsideIpAddress"],
                "TunnelOptions": tunnel_request(tunnel, diffs),
            })
    return requests


def route_changes(wanted: Collection[str], connection: Mapping[str, Any], purge: bool = True) -> tuple[list[str], list[str]]:
    """(CIDRs to add, CIDRs to remove) for the connection's static routes."""
    have = sorted({r["DestinationCidrBlock"] for r in connection.get("Routes") or ()
                   if r.get("State") in LIVE_ROUTE_STATES})
    add = [c for c in wanted if c not in have]
    remove = [c for c in have if c not in wanted] if purge else []
    return add, remove


def redacted_tunnel(tunnel: Mapping[str, Any]) -> dict[str, Any]:
    """A tunnel for diffs and results: every option, the key hidden."""
    shown = {k: v for k, v in tunnel.items() if k != "pre_shared_key"}
    if tunnel.get("pre_shared_key") is not None:
        shown["pre_shared_key"] = HIDDEN
    return shown


def describe_for_diff(connection: Optional[Mapping[str, Any]]) -> dict[str, Any]:
    """The connection's tunnels and routes in the module's vocabulary, keys hidden."""
    if connection is None:
        return {}
    tunnels = []
    for tunnel in current_tunnels(connection) or ():
        values = {k: _current_value(tunnel, k) for k in FIELDS}
        values["outside_ip_address"] = tunnel.get("OutsideIpAddress")
        tunnels.append(redacted_tunnel({k: v for k, v in values.items() if v is not None}))
    routes = sorted(r["DestinationCidrBlock"] for r in connection.get("Routes") or ()
                    if r.get("State") in LIVE_ROUTE_STATES)
    return {"vpn_connection_id": connection.get("VpnConnectionId"), "tunnels": tunnels,
            "static_routes": routes, "tags": tag_dict(connection.get("Tags"))}


def summary(connection: Mapping[str, Any]) -> dict[str, Any]:
    """What the module returns about a connection: ids, state, tunnels' outside IPs (no keys)."""
    return {
        "vpn_connection_id": connection.get("VpnConnectionId"),
        "state": connection.get("State"),
        "customer_gateway_id": connection.get("CustomerGatewayId"),
        "vpn_gateway_id": connection.get("VpnGatewayId"),
        "tunnels": [{"outside_ip_address": t.get("OutsideIpAddress"),
                     "tunnel_inside_cidr": t.get("TunnelInsideCidr")}
                    for t in current_tunnels(connection) or ()],
        "static_routes": sorted(r["DestinationCidrBlock"] for r in connection.get("Routes") or ()
                                if r.get("State") in LIVE_ROUTE_STATES),
        "tags": tag_dict(connection.get("Tags")),
    }

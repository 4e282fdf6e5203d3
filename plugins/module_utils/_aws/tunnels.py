# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Turn one AWS VPN connection into the list of tunnels the Azure side needs.

The input is one element of boto3 ``describe_vpn_connections()['VpnConnections']``, either in
boto3's CamelCase or in the snake_case amazon.aws modules return. Tunnels are read from
``Options.TunnelOptions``; fields it lacks (all of them with moto, the PSK when AWS keeps it in
Secrets Manager, the algorithms when the tunnel uses AWS's defaults) come from the
``CustomerGatewayConfiguration`` XML, and fields neither holds get AWS's documented defaults.

Pure logic: no AnsibleModule, no boto3. Error messages never contain a pre-shared key.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws.spec import DEFAULT_OPTIONS, DPD_ACTIONS
from ansible_collections.multicloud.vpnlab.plugins.module_utils.crypto import (
    ENCRYPTION_ALIASES, IKE_VERSIONS, INTEGRITY_ALIASES,
)

try:
    # Preferred when installed; the stdlib parser is acceptable as well, because the XML comes
    # from the AWS API (or the lab's own generator), never from an untrusted party, and the
    # expat bundled with Python >= 3.7.1 neither fetches external entities nor expands
    # entities without bound (billion laughs protection since expat 2.4.1).
    from defusedxml import ElementTree as ET
except ImportError:
    from xml.etree import ElementTree as ET


class TunnelOptionsError(ValueError):
    """A VPN connection that cannot be turned into tunnels; the message never holds a PSK."""


# AWS's defaults for a tunnel option that is not set (CreateVpnConnection, VpnTunnelOptionsSpecification).
AWS_DEFAULTS = DEFAULT_OPTIONS

# The XML speaks OpenSSL/strongSwan-like lowercase names, TunnelOptions AWS's; both map to AWS's
# through the crypto table.
ENCRYPTION = ENCRYPTION_ALIASES
INTEGRITY = INTEGRITY_ALIASES

OPTION_FIELDS = (
    "outside_ip_address", "pre_shared_key", "tunnel_inside_cidr", "ike_versions",
    "phase1_encryption_algorithms", "phase1_integrity_algorithms", "phase1_dh_group_numbers", "phase1_lifetime_seconds",
    "phase2_encryption_algorithms", "phase2_integrity_algorithms", "phase2_dh_group_numbers", "phase2_lifetime_seconds",
    "dpd_timeout_seconds", "dpd_timeout_action",
)
TUNNEL_FIELDS = OPTION_FIELDS + ("vgw_inside_address", "cgw_inside_address", "cgw_outside_address", "tcp_mss_adjustment")
# camel_dict_to_snake_dict keeps acronyms together, so these do not follow the simple rule.
CAMEL_EXCEPTIONS = {"phase1_dh_group_numbers": "Phase1DHGroupNumbers", "phase2_dh_group_numbers": "Phase2DHGroupNumbers"}
XML_HINT = "neither in Options.TunnelOptions nor in the CustomerGatewayConfiguration XML"


def _camel(snake):
    return CAMEL_EXCEPTIONS.get(snake) or "".join(part.capitalize() for part in snake.split("_"))


def _get(data, snake):
    """``data[snake]`` or its boto3 CamelCase twin, so both input shapes read the same."""
    if snake in data:
        return data[snake]
    return data.get(_camel(snake))


# ---------------------------------------------------------------------------------------------
# value normalisation
# ---------------------------------------------------------------------------------------------

def _values(raw):
    """TunnelOptions wraps list items as ``{"Value": x}``; the XML gives plain scalars."""
    if raw is None:
        return []
    items = raw if isinstance(raw, list) else [raw]
    return [_get(item, "value") if isinstance(item, dict) else item for item in items]


def _names(tunnel, what, raw, vocabulary):
    result = []
    for value in _values(raw):
        name = vocabulary.get(str(value).strip().lower())
        if name is None:
            raise TunnelOptionsError("%s: %s %r is not one of %s" % (tunnel, what, value, ", ".join(sorted(set(vocabulary.values())))))
        if name not in result:
            result.append(name)
    return result or None


def _dh_groups(tunnel, what, raw):
    result = []
    for value in _values(raw):
        match = re.fullmatch(r"(?:group|modp)?\s*(\d+)", str(value).strip().lower())
        if isinstance(value, bool) or match is None:
            raise TunnelOptionsError("%s: %s %r is not a Diffie-Hellman group number" % (tunnel, what, value))
        if int(match.group(1)) not in result:
            result.append(int(match.group(1)))
    return result or None


def _int(tunnel, what, value):
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not re.fullmatch(r"\d+", str(value).strip()):
        raise TunnelOptionsError("%s: %s %r is not a whole number" % (tunnel, what, value))
    return int(value)


def _dpd_action(tunnel, value):
    if value in (None, ""):
        return None
    if str(value).strip().lower() not in DPD_ACTIONS:
        raise TunnelOptionsError("%s: dpd_timeout_action %r is not one of %s" % (tunnel, value, ", ".join(DPD_ACTIONS)))
    return str(value).strip().lower()


def _ipv4(tunnel, what, value):
    if value in (None, ""):
        return None
    try:
        return str(ipaddress.IPv4Address(str(value).strip()))
    except ValueError:
        raise TunnelOptionsError("%s: %s %r is not a valid IPv4 address" % (tunnel, what, value)) from None


def _cidr(tunnel, value):
    if value in (None, ""):
        return None
    try:
        return str(ipaddress.IPv4Network(str(value).strip(), strict=True))
    except ValueError:
        raise TunnelOptionsError("%s: tunnel_inside_cidr %r is not a valid IPv4 network" % (tunnel, value)) from None


def _normalise_fields(tunnel, raw):
    """Put the raw fields of one source (TunnelOptions or XML) into the output vocabulary."""
    fields = dict.fromkeys(TUNNEL_FIELDS)
    if raw.get("pre_shared_key") not in ("", None):
        fields["pre_shared_key"] = raw["pre_shared_key"]
    fields["dpd_timeout_action"] = _dpd_action(tunnel, raw.get("dpd_timeout_action"))
    fields["ike_versions"] = _names(tunnel, "IKE version", raw.get("ike_versions"), IKE_VERSIONS)
    for phase in ("phase1", "phase2"):
        fields[phase + "_encryption_algorithms"] = _names(tunnel, phase + " encryption algorithm", raw.get(phase + "_encryption_algorithms"), ENCRYPTION)
        fields[phase + "_integrity_algorithms"] = _names(tunnel, phase + " integrity algorithm", raw.get(phase + "_integrity_algorithms"), INTEGRITY)
        fields[phase + "_dh_group_numbers"] = _dh_groups(tunnel, phase + " DH group", raw.get(phase + "_dh_group_numbers"))
        fields[phase + "_lifetime_seconds"] = _int(tunnel, phase + " lifetime", raw.get(phase + "_lifetime_seconds"))
    for key in ("dpd_timeout_seconds", "tcp_mss_adjustment"):
        fields[key] = _int(tunnel, key, raw.get(key))
    for key in ("outside_ip_address", "vgw_inside_address", "cgw_inside_address", "cgw_outside_address"):
        fields[key] = _ipv4(tunnel, key, raw.get(key))
    fields["tunnel_inside_cidr"] = _cidr(tunnel, raw.get("tunnel_inside_cidr"))
    return fields


# ---------------------------------------------------------------------------------------------
# the two sources
# ---------------------------------------------------------------------------------------------

def _tunnel_options(vpn):
    options = _get(vpn, "options") or {}
    if not isinstance(options, dict):
        raise TunnelOptionsError("Options must be a dict, got %s" % type(options).__name__)
    entries = _get(options, "tunnel_options") or []
    if not isinstance(entries, list):
        raise TunnelOptionsError("Options.TunnelOptions must be a list, got %s" % type(entries).__name__)
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise TunnelOptionsError("Options.TunnelOptions[%d] must be a dict, got %s" % (index, type(entry).__name__))
    return entries


def _from_option(tunnel, entry):
    return _normalise_fields(tunnel, {field: _get(entry, field) for field in OPTION_FIELDS})


def _parse_xml(vpn):
    """The CustomerGatewayConfiguration root element, or None when the connection has none."""
    text = _get(vpn, "customer_gateway_configuration")
    if text in (None, ""):
        return None
    if not isinstance(text, str):
        raise TunnelOptionsError("CustomerGatewayConfiguration must be an XML string, got %s" % type(text).__name__)
    try:
        root = ET.fromstring(text.strip())
    except ET.ParseError as exc:
        # Only the position: the text itself holds the pre-shared keys.
        raise TunnelOptionsError("the CustomerGatewayConfiguration XML could not be parsed (line %d, column %d)" % exc.position) from None
    except ValueError:
        # defusedxml refusing a DTD or an entity declaration
        raise TunnelOptionsError("the CustomerGatewayConfiguration XML could not be parsed (it declares a DTD or entities)") from None
    if root.tag != "vpn_connection":
        raise TunnelOptionsError("the CustomerGatewayConfiguration XML has root element <%s>, expected <vpn_connection>" % root.tag)
    return root


def _text(element, path):
    node = element.find(path)
    if node is None or node.text is None or not node.text.strip():
        return None
    return node.text.strip()


def _xml_inside_cidr(tunnel, element):
    """The /30 from the gateway's inside address and prefix length (or netmask)."""
    address = _text(element, "vpn_gateway/tunnel_inside_address/ip_address")
    prefix = _text(element, "vpn_gateway/tunnel_inside_address/network_cidr") or _text(element, "vpn_gateway/tunnel_inside_address/network_mask")
    if address is None or prefix is None:
        return None
    try:
        return str(ipaddress.IPv4Interface("%s/%s" % (address, prefix)).network)
    except ValueError:
        raise TunnelOptionsError("%s: the XML's tunnel inside address %r/%r is not a valid IPv4 interface" % (tunnel, address, prefix)) from None


def _xml_dpd_timeout(tunnel, element):
    """AWS declares DPD dead after ``interval * retries`` (10 s x 3 = its 30 s default)."""
    interval = _text(element, "ipsec/dead_peer_detection/delay_interval") or _text(element, "ipsec/dead_peer_detection/interval")
    retries = _text(element, "ipsec/dead_peer_detection/retries")
    if interval is None or retries is None:
        return None
    return _int(tunnel, "DPD interval", interval) * _int(tunnel, "DPD retries", retries)


def _from_xml(tunnel, element):
    ike_versions = [node.text for node in element.findall("ike/ike_version") + element.findall("ike_version") if node.text]
    raw = {
        "outside_ip_address": _text(element, "vpn_gateway/tunnel_outside_address/ip_address"),
        "cgw_outside_address": _text(element, "customer_gateway/tunnel_outside_address/ip_address"),
        "vgw_inside_address": _text(element, "vpn_gateway/tunnel_inside_address/ip_address"),
        "cgw_inside_address": _text(element, "customer_gateway/tunnel_inside_address/ip_address"),
        "tunnel_inside_cidr": _xml_inside_cidr(tunnel, element),
        "pre_shared_key": _text(element, "ike/pre_shared_key"),
        "ike_versions": ike_versions or None,
        "tcp_mss_adjustment": _text(element, "ipsec/tcp_mss_adjustment"),
        "dpd_timeout_seconds": _xml_dpd_timeout(tunnel, element),
        "dpd_timeout_action": _text(element, "ipsec/dead_peer_detection/action"),
    }
    for phase, section in (("phase1", "ike"), ("phase2", "ipsec")):
        raw[phase + "_encryption_algorithms"] = _text(element, section + "/encryption_protocol")
        raw[phase + "_integrity_algorithms"] = _text(element, section + "/authentication_protocol")
        raw[phase + "_dh_group_numbers"] = _text(element, section + "/perfect_forward_secrecy")
        raw[phase + "_lifetime_seconds"] = _text(element, section + "/lifetime")
    return _normalise_fields(tunnel, raw)


def _xml_tunnels(root):
    if root is None:
        return []
    return [_from_xml("tunnel%d" % i, element) for i, element in enumerate(root.findall("ipsec_tunnel"), start=1)]


def _matching(xml_tunnels, fields, index):
    """The XML tunnel with the same outside address, else the one at the same position.

    moto gives both tunnels the same address, hence the fall back to the position."""
    same = [t for t in xml_tunnels if fields["outside_ip_address"] and t["outside_ip_address"] == fields["outside_ip_address"]]
    if len(same) == 1:
        return same[0]
    return xml_tunnels[index] if index < len(xml_tunnels) else {}


# ---------------------------------------------------------------------------------------------
# assembling the tunnels
# ---------------------------------------------------------------------------------------------

def _merge(primary, fallback):
    merged = dict(primary)
    for key, value in fallback.items():
        if merged.get(key) is None:
            merged[key] = value
    for key, value in AWS_DEFAULTS.items():
        if merged.get(key) is None:
            merged[key] = list(value) if isinstance(value, list) else value
    return merged


def _inside_addresses(fields):
    """AWS gives the first host of the /30 to the VGW and the second to the customer gateway.

    An XML address outside the CIDR TunnelOptions states is stale, so it is derived instead."""
    if fields["tunnel_inside_cidr"] is None:
        return
    network = ipaddress.IPv4Network(fields["tunnel_inside_cidr"])
    hosts = list(network.hosts())
    for key, host in (("vgw_inside_address", 0), ("cgw_inside_address", 1)):
        known = fields[key]
        if (known is None or ipaddress.IPv4Address(known) not in network) and len(hosts) > host:
            fields[key] = str(hosts[host])


def _validate(tunnel, fields):
    if fields["outside_ip_address"] is None:
        raise TunnelOptionsError("%s: no outside_ip_address (%s)" % (tunnel, XML_HINT))
    if fields["pre_shared_key"] is None:
        raise TunnelOptionsError("%s: no pre_shared_key (%s)" % (tunnel, XML_HINT))
    if not isinstance(fields["pre_shared_key"], str):
        raise TunnelOptionsError("%s: pre_shared_key must be a string, got %s" % (tunnel, type(fields["pre_shared_key"]).__name__))


def _shape(tunnel, fields, source):
    phase = {p: {"encryption_algorithms": fields[p + "_encryption_algorithms"],
                 "integrity_algorithms": fields[p + "_integrity_algorithms"],
                 "dh_group_numbers": fields[p + "_dh_group_numbers"],
                 "lifetime_seconds": fields[p + "_lifetime_seconds"]} for p in ("phase1", "phase2")}
    keep = ("outside_ip_address", "pre_shared_key", "tunnel_inside_cidr", "vgw_inside_address", "cgw_inside_address",
            "cgw_outside_address", "ike_versions", "dpd_timeout_seconds", "dpd_timeout_action", "tcp_mss_adjustment")
    shaped = {"name": tunnel}
    shaped.update((key, fields[key]) for key in keep)
    shaped.update(phase)
    shaped["source"] = source
    return shaped


def _tunnels(vpn, root):
    entries = _tunnel_options(vpn)
    xml_tunnels = _xml_tunnels(root)
    if entries:
        primary = [_from_option("tunnel%d" % i, entry) for i, entry in enumerate(entries, start=1)]
        pairs = [(p, _matching(xml_tunnels, p, i)) for i, p in enumerate(primary)]
        source = "tunnel_options"
    else:
        pairs = [(x, {}) for x in xml_tunnels]
        source = "customer_gateway_configuration"
    tunnels = []
    for index, (primary, fallback) in enumerate(pairs, start=1):
        fields = _merge(primary, fallback)
        _inside_addresses(fields)
        _validate("tunnel%d" % index, fields)
        tunnels.append(_shape("tunnel%d" % index, fields, source))
    return tunnels


def _no_tunnels_message(vpn):
    name = _get(vpn, "vpn_connection_id") or "the VPN connection"
    message = "%s has no tunnels: nothing in Options.TunnelOptions or in the CustomerGatewayConfiguration XML" % name
    if _get(vpn, "vpn_connections") is not None:
        message += " (this looks like the whole describe_vpn_connections() response: pass one element of its VpnConnections)"
    return message


def _check_state(vpn):
    state = _get(vpn, "state")
    if state in ("deleting", "deleted"):
        raise TunnelOptionsError("%s is %s: its tunnels cannot be used" % (_get(vpn, "vpn_connection_id") or "the VPN connection", state))


def _psks(vpn):
    """Every pre-shared key in the input, found without trusting its structure."""
    found = set()
    options = _get(vpn, "options")
    entries = _get(options, "tunnel_options") if isinstance(options, dict) else None
    for entry in entries if isinstance(entries, list) else []:
        value = _get(entry, "pre_shared_key") if isinstance(entry, dict) else None
        if value not in (None, ""):
            found.add(str(value))
    text = _get(vpn, "customer_gateway_configuration")
    if isinstance(text, str):
        found.update(m.strip() for m in re.findall(r"<pre_shared_key>(.*?)</pre_shared_key>", text, re.S) if m.strip())
    return found


def _redact(message, psks):
    # Longest first, so a key that contains another is hidden whole.
    for psk in sorted(psks, key=len, reverse=True):
        message = message.replace(psk, "<hidden>")
    return message


def _require_dict(vpn):
    if not isinstance(vpn, dict):
        raise TunnelOptionsError("vpn_connection must be a dict (one element of describe_vpn_connections()['VpnConnections']), got %s"
                                 % type(vpn).__name__)


def _connection_facts(vpn, root):
    """The connection-wide facts, from the API fields and, where moto leaves them out, the XML."""
    options = _get(vpn, "options")
    options = options if isinstance(options, dict) else {}
    routes = _get(vpn, "routes") or []
    return {
        "vpn_connection_id": _get(vpn, "vpn_connection_id") or (root.get("id") if root is not None else None),
        "state": _get(vpn, "state"),
        "static_routes_only": _get(options, "static_routes_only"),
        "customer_gateway_id": _get(vpn, "customer_gateway_id") or (_text(root, "customer_gateway_id") if root is not None else None),
        "vpn_gateway_id": _get(vpn, "vpn_gateway_id") or (_text(root, "vpn_gateway_id") if root is not None else None),
        "routes": [{key: _get(route, key) for key in ("destination_cidr_block", "source", "state")}
                   for route in routes if isinstance(route, dict)],
        # A dynamic connection's XML states the VGW's ASN (the BGP peer's, as the customer
        # gateway sees it); the API fields do not.
        "vgw_bgp_asn": _xml_vgw_asn(root),
    }


def _xml_vgw_asn(root):
    """The VGW's ASN of the first tunnel's BGP section, as an int; None for a static connection."""
    if root is None:
        return None
    value = _text(root, "ipsec_tunnel/vpn_gateway/bgp/asn")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def vpn_connection_facts(vpn_connection: object) -> dict[str, Any]:
    """Connection facts plus ``tunnels``; raises TunnelOptionsError on malformed input."""
    _require_dict(vpn_connection)
    try:
        _check_state(vpn_connection)
        root = _parse_xml(vpn_connection)
        facts = _connection_facts(vpn_connection, root)
        facts["tunnels"] = _tunnels(vpn_connection, root)
        if not facts["tunnels"]:
            raise TunnelOptionsError(_no_tunnels_message(vpn_connection))
        return facts
    except TunnelOptionsError as exc:
        message = str(exc)
    # Raised outside the handler, so no unredacted exception survives as __context__.
    raise TunnelOptionsError(_redact(message, _psks(vpn_connection)))


def normalise_vpn_connection(vpn_connection: object) -> list[dict[str, Any]]:
    """One dict per tunnel, in AWS order; raises TunnelOptionsError on malformed input."""
    return vpn_connection_facts(vpn_connection)["tunnels"]

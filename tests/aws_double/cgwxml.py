# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TEST DOUBLE: a VPN connection's CustomerGatewayConfiguration XML, from its real tunnels.

moto returns one fixed document (the same outside address for both tunnels, a made-up key).
AWS's document describes each tunnel as it is: both gateways' outside and inside addresses (the
virtual private gateway takes the first host of the inside /30, the customer gateway the
second), the key, and one suggested algorithm per phase. Its shape follows the XML AWS serves
(see tests/unit/plugins/module_utils/fixtures/customer_gateway_configuration.xml), so the
collection's parser (plugins/module_utils/_aws/tunnels.py) reads it as it reads AWS's. Where a
tunnel allows several algorithms the XML names the first, as AWS's generic document does.
"""

from __future__ import annotations

import ipaddress
from xml.etree import ElementTree as ET

from .rules import DEFAULTS, LIST_VALUES

ENCRYPTION = {"AES128": "aes-128-cbc", "AES256": "aes-256-cbc", "AES128-GCM-16": "aes-128-gcm-16",
              "AES256-GCM-16": "aes-256-gcm-16"}
IKE_INTEGRITY = {"SHA1": "sha1", "SHA2-256": "sha2-256", "SHA2-384": "sha2-384", "SHA2-512": "sha2-512"}
IPSEC_INTEGRITY = {"SHA1": "hmac-sha1-96", "SHA2-256": "hmac-sha2-256-128", "SHA2-384": "hmac-sha2-384-192",
                   "SHA2-512": "hmac-sha2-512-256"}
DPD_INTERVAL = 10
TCP_MSS = 1379
BGP_HOLD_TIME = 30


def _add(parent, tag, text=None):
    child = ET.SubElement(parent, tag)
    if text is not None:
        child.text = str(text)
    return child


def _first(spec, key):
    values = [item.get("Value") for item in spec.get(key) or ()]
    return (values or list(LIST_VALUES[key]))[0]


def _gateway(parent, tag, outside, inside, asn):
    """One side of a tunnel; `inside` is its IPv4Interface in the tunnel's /30."""
    side = _add(parent, tag)
    _add(_add(side, "tunnel_outside_address"), "ip_address", outside)
    address = _add(side, "tunnel_inside_address")
    _add(address, "ip_address", inside.ip)
    _add(address, "network_mask", inside.netmask)
    _add(address, "network_cidr", inside.network.prefixlen)
    if asn is not None:
        bgp = _add(side, "bgp")
        _add(bgp, "asn", asn)
        _add(bgp, "hold_time", BGP_HOLD_TIME)


def _phase(parent, tag, spec, phase):
    section = _add(parent, tag)
    if phase == "Phase2":
        _add(section, "protocol", "esp")
    integrity = IKE_INTEGRITY if phase == "Phase1" else IPSEC_INTEGRITY
    _add(section, "authentication_protocol", integrity[_first(spec, phase + "IntegrityAlgorithms")])
    _add(section, "encryption_protocol", ENCRYPTION[_first(spec, phase + "EncryptionAlgorithms")])
    lifetime = phase + "LifetimeSeconds"
    _add(section, "lifetime", spec.get(lifetime, DEFAULTS[lifetime]))
    _add(section, "perfect_forward_secrecy", "group%s" % _first(spec, phase + "DHGroupNumbers"))
    _add(section, "mode", "main" if phase == "Phase1" else "tunnel")
    return section


def _ipsec_extras(ipsec, spec):
    _add(ipsec, "clear_df_bit", "true")
    _add(ipsec, "fragmentation_before_encryption", "true")
    _add(ipsec, "tcp_mss_adjustment", TCP_MSS)
    dpd = _add(ipsec, "dead_peer_detection")
    _add(dpd, "delay_interval", DPD_INTERVAL)
    # AWS's document says 10 s x 3 for its default; a chosen timeout is spread the same way.
    _add(dpd, "retries", spec["DPDTimeoutSeconds"] // DPD_INTERVAL if "DPDTimeoutSeconds" in spec else 3)


def _tunnel(root, tunnel, cgw, vgw_asn):
    spec = tunnel.spec
    net = ipaddress.IPv4Network(spec["TunnelInsideCidr"])
    vgw_inside, cgw_inside = (ipaddress.IPv4Interface((host, net.prefixlen)) for host in net.hosts())
    element = _add(root, "ipsec_tunnel")
    _gateway(element, "customer_gateway", cgw.ip_address if cgw else "", cgw_inside,
             cgw.bgp_asn if cgw and vgw_asn is not None else None)
    _gateway(element, "vpn_gateway", tunnel.outside_ip, vgw_inside, vgw_asn)
    ike = _phase(element, "ike", spec, "Phase1")
    _add(ike, "pre_shared_key", spec["PreSharedKey"])
    _ipsec_extras(_phase(element, "ipsec", spec, "Phase2"), spec)


def configuration(vpn):
    """The document for one DoubleVpnConnection (BGP sections only when it is not static)."""
    backend = vpn.ec2_backend
    cgw = backend.customer_gateways.get(vpn.customer_gateway_id)
    vgw = backend.vpn_gateways.get(vpn.vpn_gateway_id) if vpn.vpn_gateway_id else None
    vgw_asn = None if vpn.static_routes_only else (vgw.amazon_side_asn if vgw else "64512")
    root = ET.Element("vpn_connection", id=vpn.id)
    _add(root, "customer_gateway_id", vpn.customer_gateway_id)
    _add(root, "vpn_gateway_id", vpn.vpn_gateway_id or "")
    _add(root, "vpn_connection_type", vpn.type)
    _add(root, "vpn_connection_attributes", "NoBGPVPNConnection" if vpn.static_routes_only else "BGPVPNConnection")
    for tunnel in vpn.double_tunnels:
        _tunnel(root, tunnel, cgw, vgw_asn)
    ET.indent(root, "  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"

# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Local target: the emulated AWS VPN connection, in the real DescribeVpnConnections shape.

The emulated AWS side publishes what AWS would return for the lab's VPN connection: both
`Options.TunnelOptions` and the `CustomerGatewayConfiguration` XML. The Azure side then reads it
through the same tunnel_options module as in the cloud. PSKs are generated like AWS does
(module_utils/psk.py).
"""

from __future__ import annotations

import hashlib
import ipaddress
from xml.sax.saxutils import escape
from typing import Any, Iterable, Mapping, Sequence

from ansible_collections.multicloud.vpnlab.plugins.module_utils.crypto import (
    ENCRYPTION, INTEGRITY, xml_name,
)


# Where local_vpn_connection writes the emulated connection in the state directory: one
# DescribeVpnConnections element, or the BGP design's list of two.
FILE = "vpn-connection.json"
BGP_FILE = "vpn-connections.json"


def resource_id(kind: str, lab: str) -> str:
    """A stable AWS-style id (`vpn-0123...`) for one of the lab's emulated resources."""
    return "%s-%s" % (kind, hashlib.sha256(("%s/%s" % (kind, lab)).encode()).hexdigest()[:17])


def _values(items):
    return [{"Value": item} for item in items]


def tunnel_options(tunnel: Mapping[str, Any], outside_ip: str, psk: str, crypto: Mapping[str, Any]) -> dict[str, Any]:
    p1, p2 = crypto["phase1"], crypto["phase2"]
    return {
        "OutsideIpAddress": outside_ip,
        "TunnelInsideCidr": tunnel["inside_cidr"],
        "PreSharedKey": psk,
        "Phase1LifetimeSeconds": p1["lifetime_seconds"],
        "Phase2LifetimeSeconds": p2["lifetime_seconds"],
        "RekeyMarginTimeSeconds": 540,
        "RekeyFuzzPercentage": 100,
        "ReplayWindowSize": 1024,
        "DpdTimeoutSeconds": crypto["dpd_timeout_seconds"],
        "DpdTimeoutAction": "clear",
        "Phase1EncryptionAlgorithms": _values([p1["encryption"]]),
        "Phase2EncryptionAlgorithms": _values([p2["encryption"]]),
        "Phase1IntegrityAlgorithms": _values([p1["integrity"]]),
        "Phase2IntegrityAlgorithms": _values([p2["integrity"]]),
        "Phase1DHGroupNumbers": _values([p1["dh_group"]]),
        "Phase2DHGroupNumbers": _values([p2["pfs_group"]]),
        "IkeVersions": _values(["ikev%d" % crypto["ike_version"]]),
        "StartupAction": "add",
    }


def _inside(cidr, offset):
    net = ipaddress.ip_network(cidr)
    return str(net.network_address + offset), str(net.netmask), str(net.prefixlen)


def _endpoint(tag, outside_ip, inside_cidr, offset):
    ip, mask, bits = _inside(inside_cidr, offset)
    return ("    <%s>\n      <tunnel_outside_address>\n        <ip_address>%s</ip_address>\n"
            "      </tunnel_outside_address>\n      <tunnel_inside_address>\n"
            "        <ip_address>%s</ip_address>\n        <network_mask>%s</network_mask>\n"
            "        <network_cidr>%s</network_cidr>\n      </tunnel_inside_address>\n    </%s>\n"
            % (tag, outside_ip, ip, mask, bits, tag))


def _xml_tunnel(options, cgw_ip, crypto):
    p1, p2 = crypto["phase1"], crypto["phase2"]
    dpd_delay = crypto["dpd_delay_seconds"]
    return (
        "  <ipsec_tunnel>\n"
        + _endpoint("customer_gateway", cgw_ip, options["TunnelInsideCidr"], 2)
        + _endpoint("vpn_gateway", options["OutsideIpAddress"], options["TunnelInsideCidr"], 1)
        + "    <ike>\n"
        "      <authentication_protocol>%s</authentication_protocol>\n"
        "      <encryption_protocol>%s</encryption_protocol>\n"
        "      <lifetime>%d</lifetime>\n"
        "      <perfect_forward_secrecy>group%d</perfect_forward_secrecy>\n"
        "      <mode>main</mode>\n"
        "      <pre_shared_key>%s</pre_shared_key>\n"
        "    </ike>\n" % (xml_name(INTEGRITY, p1["integrity"]), xml_name(ENCRYPTION, p1["encryption"]),
                          p1["lifetime_seconds"], p1["dh_group"], escape(options["PreSharedKey"]))
        + "    <ipsec>\n"
        "      <protocol>esp</protocol>\n"
        "      <authentication_protocol>hmac-%s-128</authentication_protocol>\n"
        "      <encryption_protocol>%s</encryption_protocol>\n"
        "      <lifetime>%d</lifetime>\n"
        "      <perfect_forward_secrecy>group%d</perfect_forward_secrecy>\n"
        "      <mode>tunnel</mode>\n"
        "      <clear_df_bit>true</clear_df_bit>\n"
        "      <fragmentation_before_encryption>true</fragmentation_before_encryption>\n"
        "      <tcp_mss_adjustment>%d</tcp_mss_adjustment>\n"
        "      <dead_peer_detection>\n"
        "        <delay_interval>%d</delay_interval>\n"
        "        <retries>%d</retries>\n"
        "      </dead_peer_detection>\n"
        "    </ipsec>\n"
        "  </ipsec_tunnel>\n" % (xml_name(INTEGRITY, p2["integrity"]), xml_name(ENCRYPTION, p2["encryption"]),
                                 p2["lifetime_seconds"], p2["pfs_group"], crypto["tcp_mss"],
                                 dpd_delay, crypto["dpd_timeout_seconds"] // dpd_delay))


def customer_gateway_configuration(vpn_id: str, cgw_id: str, vgw_id: str, options: Iterable[Mapping[str, Any]],
                                   cgw_ip: str, crypto: Mapping[str, Any], bgp: bool = False) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<vpn_connection id="%s">\n'
            "  <customer_gateway_id>%s</customer_gateway_id>\n"
            "  <vpn_gateway_id>%s</vpn_gateway_id>\n"
            "  <vpn_connection_type>ipsec.1</vpn_connection_type>\n"
            "  <vpn_connection_attributes>%s</vpn_connection_attributes>\n"
            % (vpn_id, cgw_id, vgw_id, "BGPVPNConnection" if bgp else "NoBGPVPNConnection")
            + "".join(_xml_tunnel(o, cgw_ip, crypto) for o in options)
            + "</vpn_connection>\n")


def describe_vpn_connection(plan: Mapping[str, Any], psks: Sequence[str]) -> dict[str, Any]:
    """One element of DescribeVpnConnections()['VpnConnections'] for the lab (with PSKs)."""
    lab, local = plan["lab"], plan["local"]
    vpn_id, cgw_id, vgw_id = (resource_id(k, lab) for k in ("vpn", "cgw", "vgw"))
    cgw_ip = local["public_ips"]["azure_gateway"]
    options = [tunnel_options(t, ip, psk, plan["crypto"])
               for t, ip, psk in zip(plan["tunnels"], local["public_ips"]["tunnels"], psks)]
    tags = [{"Key": "Name", "Value": plan["aws"]["vpn_connection"]}] + [
        {"Key": k, "Value": v} for k, v in sorted(plan["tags"].items())]
    return {
        "VpnConnectionId": vpn_id,
        "CustomerGatewayId": cgw_id,
        "VpnGatewayId": vgw_id,
        "Category": "VPN",
        "State": "available",
        "Type": "ipsec.1",
        "CustomerGatewayConfiguration": customer_gateway_configuration(
            vpn_id, cgw_id, vgw_id, options, cgw_ip, plan["crypto"]),
        "Options": {
            "EnableAcceleration": False,
            "StaticRoutesOnly": True,
            "LocalIpv4NetworkCidr": "0.0.0.0/0",
            "RemoteIpv4NetworkCidr": "0.0.0.0/0",
            "OutsideIpAddressType": "PublicIpv4",
            "TunnelInsideIpVersion": "ipv4",
            "TunnelOptions": options,
        },
        "Routes": [{"DestinationCidrBlock": cidr, "Source": "Static", "State": "available"}
                   for cidr in plan["aws"]["static_routes"]],
        "Tags": tags,
    }


def describe_bgp_vpn_connections(plan: Mapping[str, Any], psks: Sequence[str]) -> list[dict[str, Any]]:
    """The BGP design's VPN connections (vpnlab_routing=bgp), as DescribeVpnConnections lists
    them: one per Azure gateway instance (its customer gateway), two tunnels each, dynamic
    routing (no static route: the VGW learns the VNet's prefix). ``psks``: one per tunnel, in
    the plan's tunnel order (plan.local.bgp.tunnels)."""
    lab, bgp = plan["lab"], plan["local"]["bgp"]
    vgw_id = resource_id("vgw", lab)
    found = []
    for instance in bgp["instances"]:
        number = instance["instance"]
        vpn_id, cgw_id = (resource_id(kind, "%s/%d" % (lab, number)) for kind in ("vpn", "cgw"))
        options = [tunnel_options(t, t["outside_ip_address"], psk, plan["crypto"])
                   for t, psk in zip(bgp["tunnels"], psks) if t["connection"] == number]
        tags = [{"Key": "Name", "Value": "%s-%d" % (plan["aws"]["vpn_connection"], number + 1)}] + [
            {"Key": k, "Value": v} for k, v in sorted(plan["tags"].items())]
        found.append({
            "VpnConnectionId": vpn_id, "CustomerGatewayId": cgw_id, "VpnGatewayId": vgw_id,
            "Category": "VPN", "State": "available", "Type": "ipsec.1",
            "CustomerGatewayConfiguration": customer_gateway_configuration(
                vpn_id, cgw_id, vgw_id, options, instance["public_ip"], plan["crypto"], bgp=True),
            "Options": {"EnableAcceleration": False, "StaticRoutesOnly": False,
                        "LocalIpv4NetworkCidr": "0.0.0.0/0", "RemoteIpv4NetworkCidr": "0.0.0.0/0",
                        "OutsideIpAddressType": "PublicIpv4", "TunnelInsideIpVersion": "ipv4",
                        "TunnelOptions": options},
            "Routes": [], "Tags": tags})
    return found

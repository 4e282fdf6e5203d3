# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tunnel normalisation: every input shape AWS, amazon.aws and moto give, and every malformed one."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws.tunnels import (
    AWS_DEFAULTS, TunnelOptionsError, normalise_vpn_connection, vpn_connection_facts,
)

FIXTURES = Path(__file__).parent.parent / "fixtures"
CAMEL = json.loads((FIXTURES / "vpn_connection_camel.json").read_text())
SNAKE = json.loads((FIXTURES / "vpn_connection_snake.json").read_text())
XML = (FIXTURES / "customer_gateway_configuration.xml").read_text()
MOTO_XML = (FIXTURES / "customer_gateway_configuration_moto.xml").read_text()
PSKS = ("vpnlab.Tunnel1_k3yA9xQ2wE", "vpnlab.Tunnel2_m7Rb4Zt8pL")
MOTO_PSK = "MotoLikeSharedKey_4f2c9a1b"
VPN_ID = "vpn-0a1b2c3d4e5f60718"

LAB_PHASE1 = {"encryption_algorithms": ["AES256"], "integrity_algorithms": ["SHA2-256"], "dh_group_numbers": [14], "lifetime_seconds": 28800}
LAB_PHASE2 = dict(LAB_PHASE1, lifetime_seconds=3600)


# ---------------------------------------------------------------------------------------------
# input builders (each returns a fresh copy, so cases cannot leak into each other)
# ---------------------------------------------------------------------------------------------

def camel(**top):
    vpn = copy.deepcopy(CAMEL)
    vpn.update(top)
    return vpn


def snake(**top):
    vpn = copy.deepcopy(SNAKE)
    vpn.update(top)
    return vpn


def xml_only(xml=XML):
    """What moto returns: no TunnelOptions, only the XML."""
    vpn = camel(CustomerGatewayConfiguration=xml)
    del vpn["Options"]["TunnelOptions"]
    return vpn


def camel_tunnel(index, drop=(), **fields):
    """The camel sample with fields of tunnel ``index`` (0-based) removed or replaced."""
    vpn = camel()
    option = vpn["Options"]["TunnelOptions"][index]
    for key in drop:
        del option[key]
    option.update(fields)
    return vpn


def minimal(**fields):
    """One tunnel with only what AWS always returns: everything else is left to the defaults."""
    option = {"OutsideIpAddress": "203.0.113.11", "TunnelInsideCidr": "169.254.21.0/30", "PreSharedKey": PSKS[0]}
    option.update(fields)
    return {"VpnConnectionId": VPN_ID, "State": "available", "Options": {"TunnelOptions": [option]}}


def xml_edit(old, new, count=1):
    assert old in XML
    return xml_only(XML.replace(old, new, count))


def psk_less_with_xml():
    vpn = camel(CustomerGatewayConfiguration=XML)
    for option in vpn["Options"]["TunnelOptions"]:
        del option["PreSharedKey"]
    return vpn


def reversed_options_without_psk():
    """TunnelOptions in another order than the XML: the PSKs must follow the outside address."""
    vpn = psk_less_with_xml()
    vpn["Options"]["TunnelOptions"].reverse()
    return vpn


def tunnel(n, source, **change):
    """The expected output for tunnel ``n`` of the lab sample."""
    expected = {
        "name": "tunnel%d" % n,
        "outside_ip_address": "203.0.113.1%d" % n,
        "pre_shared_key": PSKS[n - 1],
        "tunnel_inside_cidr": "169.254.2%d.0/30" % n,
        "vgw_inside_address": "169.254.2%d.1" % n,
        "cgw_inside_address": "169.254.2%d.2" % n,
        "cgw_outside_address": None,
        "ike_versions": ["ikev2"],
        "dpd_timeout_seconds": 30,
        "dpd_timeout_action": "clear",
        "tcp_mss_adjustment": None,
        "phase1": LAB_PHASE1,
        "phase2": LAB_PHASE2,
        "source": source,
    }
    expected.update(change)
    return expected


def moto_tunnel(n):
    return {
        "name": "tunnel%d" % n,
        "outside_ip_address": "203.0.113.90",
        "pre_shared_key": MOTO_PSK,
        "tunnel_inside_cidr": "169.254.30.4/30",
        "vgw_inside_address": "169.254.30.5",
        "cgw_inside_address": "169.254.30.6",
        "cgw_outside_address": "198.51.100.77",
        "ike_versions": ["ikev1", "ikev2"],
        "dpd_timeout_seconds": 30,
        "dpd_timeout_action": "clear",
        "tcp_mss_adjustment": 1387,
        "phase1": {"encryption_algorithms": ["AES128"], "integrity_algorithms": ["SHA1"], "dh_group_numbers": [2], "lifetime_seconds": 28800},
        "phase2": {"encryption_algorithms": ["AES128"], "integrity_algorithms": ["SHA1"], "dh_group_numbers": [2], "lifetime_seconds": 3600},
        "source": "customer_gateway_configuration",
    }


FROM_OPTIONS = [tunnel(1, "tunnel_options"), tunnel(2, "tunnel_options")]
XML_EXTRAS = {"cgw_outside_address": "198.51.100.10", "tcp_mss_adjustment": 1379}
FROM_OPTIONS_AND_XML = [tunnel(n, "tunnel_options", **XML_EXTRAS) for n in (1, 2)]
FROM_XML = [tunnel(n, "customer_gateway_configuration", ike_versions=["ikev1", "ikev2"], **XML_EXTRAS) for n in (1, 2)]
DEFAULTS = {
    "ike_versions": AWS_DEFAULTS["ike_versions"],
    "phase1": {"encryption_algorithms": ["AES128", "AES256", "AES128-GCM-16", "AES256-GCM-16"],
               "integrity_algorithms": ["SHA1", "SHA2-256", "SHA2-384", "SHA2-512"],
               "dh_group_numbers": [2, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24], "lifetime_seconds": 28800},
    "phase2": {"encryption_algorithms": ["AES128", "AES256", "AES128-GCM-16", "AES256-GCM-16"],
               "integrity_algorithms": ["SHA1", "SHA2-256", "SHA2-384", "SHA2-512"],
               "dh_group_numbers": [2, 5, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24], "lifetime_seconds": 3600},
}

GOOD = [
    ("camel", camel(), FROM_OPTIONS),
    ("snake", snake(), FROM_OPTIONS),
    ("camel-with-xml", camel(CustomerGatewayConfiguration=XML), FROM_OPTIONS_AND_XML),
    ("snake-with-xml", snake(customer_gateway_configuration=XML), FROM_OPTIONS_AND_XML),
    ("xml-only", xml_only(), FROM_XML),
    ("xml-only-snake", camel_dict_to_snake_dict(xml_only()), FROM_XML),
    ("psk-filled-from-xml", psk_less_with_xml(), FROM_OPTIONS_AND_XML),
    ("xml-matched-by-outside-ip", reversed_options_without_psk(),
     [dict(FROM_OPTIONS_AND_XML[1], name="tunnel1"), dict(FROM_OPTIONS_AND_XML[0], name="tunnel2")]),
    ("xml-ike-version", xml_edit("<mode>main</mode>", "<ike_version>ikev2</ike_version>", 2),
     [tunnel(n, "customer_gateway_configuration", **XML_EXTRAS) for n in (1, 2)]),
    ("xml-netmask-only", xml_edit("<network_cidr>30</network_cidr>", "", 4), FROM_XML),
    ("moto-like-xml", {"CustomerGatewayConfiguration": MOTO_XML, "State": "available"}, [moto_tunnel(1), moto_tunnel(2)]),
    ("aws-defaults", minimal(), [tunnel(1, "tunnel_options", dpd_timeout_seconds=30, dpd_timeout_action="clear", **DEFAULTS)]),
    ("empty-lists-are-defaults", minimal(Phase1EncryptionAlgorithms=[], IkeVersions=[]),
     [tunnel(1, "tunnel_options", **DEFAULTS)]),
    ("gcm-and-several-groups", minimal(Phase1EncryptionAlgorithms=[{"Value": "AES256-GCM-16"}, {"Value": "AES128-GCM-16"}],
                                       Phase2DHGroupNumbers=[{"Value": 14}, {"Value": 19}, {"Value": 14}],
                                       IkeVersions=[{"Value": "ikev2"}], DpdTimeoutSeconds=40, DpdTimeoutAction="Restart"),
     [tunnel(1, "tunnel_options", ike_versions=["ikev2"], dpd_timeout_seconds=40, dpd_timeout_action="restart",
             phase1=dict(DEFAULTS["phase1"], encryption_algorithms=["AES256-GCM-16", "AES128-GCM-16"]),
             phase2=dict(DEFAULTS["phase2"], dh_group_numbers=[14, 19]))]),
]


@pytest.mark.parametrize("vpn,expected", [g[1:] for g in GOOD], ids=[g[0] for g in GOOD])
def test_tunnels(vpn, expected):
    assert normalise_vpn_connection(vpn) == expected


def test_snake_fixture_is_what_amazon_aws_returns():
    """ec2_vpc_vpn(_info) snake the boto3 dict and turn the tag list into a dict."""
    expected = camel_dict_to_snake_dict(CAMEL)
    expected["tags"] = {"Name": "vpntest-vpn", "vpnlab": "vpntest"}
    assert SNAKE == expected


CONNECTION = {
    "vpn_connection_id": VPN_ID,
    "state": "available",
    "static_routes_only": True,
    "customer_gateway_id": "cgw-0f1e2d3c4b5a69788",
    "vpn_gateway_id": "vgw-04d3c2b1a0f9e8d7c",
    "routes": [{"destination_cidr_block": "10.1.0.0/16", "source": "Static", "state": "available"}],
    "vgw_bgp_asn": None,
}
FACTS = [
    ("camel", camel(), dict(CONNECTION, tunnels=FROM_OPTIONS)),
    ("snake", snake(), dict(CONNECTION, tunnels=FROM_OPTIONS)),
    ("moto-like-ids-from-xml", {"CustomerGatewayConfiguration": MOTO_XML},
     {"vpn_connection_id": "vpn-5e6f7a8b9c0d1e2f3", "state": None, "static_routes_only": None,
      "customer_gateway_id": "cgw-7a8b9c0d1e2f3a4b5", "vpn_gateway_id": "vgw-1a2b3c4d5e6f7a8b9", "routes": [],
      "vgw_bgp_asn": 64512, "tunnels": [moto_tunnel(1), moto_tunnel(2)]}),  # moto's fixed XML has a BGP section
]


@pytest.mark.parametrize("vpn,expected", [f[1:] for f in FACTS], ids=[f[0] for f in FACTS])
def test_connection_facts(vpn, expected):
    assert vpn_connection_facts(vpn) == expected


@pytest.mark.parametrize("section, asn", [
    ("<bgp><asn>64512</asn><hold_time>30</hold_time></bgp>", 64512),
    ("<bgp><asn>4200000000</asn></bgp>", 4200000000),
    ("<bgp><asn>not-a-number</asn></bgp>", None),
    ("", None),
])
def test_a_dynamic_connections_xml_states_the_vgws_asn(section, asn):
    """The BGP design's local network gateways peer with the VGW's real ASN: a dynamic
    connection's XML states it (AWS keeps a VGW's ASN for life), a static one has no section."""
    vpn = camel(CustomerGatewayConfiguration=XML.replace("<vpn_gateway>", "<vpn_gateway>" + section, 1))
    assert vpn_connection_facts(vpn)["vgw_bgp_asn"] == asn


VOCABULARY = [
    ("Phase1EncryptionAlgorithms", "phase1", "encryption_algorithms", "aes-256-cbc", ["AES256"]),
    ("Phase1EncryptionAlgorithms", "phase1", "encryption_algorithms", "aes-128-cbc", ["AES128"]),
    ("Phase2EncryptionAlgorithms", "phase2", "encryption_algorithms", "aes-256-gcm-16", ["AES256-GCM-16"]),
    ("Phase2EncryptionAlgorithms", "phase2", "encryption_algorithms", "AES128-GCM-16", ["AES128-GCM-16"]),
    ("Phase1IntegrityAlgorithms", "phase1", "integrity_algorithms", "sha1", ["SHA1"]),
    ("Phase2IntegrityAlgorithms", "phase2", "integrity_algorithms", "hmac-sha1-96", ["SHA1"]),
    ("Phase2IntegrityAlgorithms", "phase2", "integrity_algorithms", "hmac-sha2-256-128", ["SHA2-256"]),
    ("Phase1IntegrityAlgorithms", "phase1", "integrity_algorithms", "sha2-384", ["SHA2-384"]),
    ("Phase2IntegrityAlgorithms", "phase2", "integrity_algorithms", "hmac-sha2-512-256", ["SHA2-512"]),
    ("Phase1DHGroupNumbers", "phase1", "dh_group_numbers", "group14", [14]),
    ("Phase1DHGroupNumbers", "phase1", "dh_group_numbers", "24", [24]),
    ("Phase2DHGroupNumbers", "phase2", "dh_group_numbers", 21, [21]),
    ("IkeVersions", None, "ike_versions", "IKEv2", ["ikev2"]),
    ("IkeVersions", None, "ike_versions", "ikev1", ["ikev1"]),
]


@pytest.mark.parametrize("field,phase,key,value,expected", VOCABULARY, ids=["%s=%s" % (v[0], v[3]) for v in VOCABULARY])
def test_one_vocabulary(field, phase, key, value, expected):
    [result] = normalise_vpn_connection(minimal(**{field: [{"Value": value}]}))
    assert (result[phase] if phase else result)[key] == expected


# ---------------------------------------------------------------------------------------------
# malformed input: (id, input, the exact message or its distinctive part)
# ---------------------------------------------------------------------------------------------

NOT_A_DICT = "vpn_connection must be a dict (one element of describe_vpn_connections()['VpnConnections']), got "
NO_TUNNELS = "has no tunnels: nothing in Options.TunnelOptions or in the CustomerGatewayConfiguration XML"
SOURCES = "(neither in Options.TunnelOptions nor in the CustomerGatewayConfiguration XML)"


def without_tunnel_options():
    vpn = camel()
    del vpn["Options"]["TunnelOptions"]
    return vpn


BAD = [
    ("list", [camel()], NOT_A_DICT + "list"),
    ("string", VPN_ID, NOT_A_DICT + "str"),
    ("none", None, NOT_A_DICT + "NoneType"),
    ("no-tunnels-anywhere", without_tunnel_options(), VPN_ID + " " + NO_TUNNELS),
    ("empty-options-and-xml", {"Options": {"TunnelOptions": []}, "CustomerGatewayConfiguration": ""}, "the VPN connection " + NO_TUNNELS),
    ("xml-without-tunnels", xml_only('<vpn_connection id="%s"></vpn_connection>' % VPN_ID), VPN_ID + " " + NO_TUNNELS),
    ("whole-response", {"VpnConnections": [camel()]},
     "the VPN connection " + NO_TUNNELS + " (this looks like the whole describe_vpn_connections() response: pass one element of its VpnConnections)"),
    ("truncated-xml", xml_only(XML[:1200]), "the CustomerGatewayConfiguration XML could not be parsed (line "),
    ("not-xml", xml_only("pre_shared_key=%s" % PSKS[0]), "the CustomerGatewayConfiguration XML could not be parsed (line 1, column 14)"),
    ("xml-wrong-root", xml_only("<config><ipsec_tunnel/></config>"),
     "the CustomerGatewayConfiguration XML has root element <config>, expected <vpn_connection>"),
    ("xml-not-a-string", camel(CustomerGatewayConfiguration={"ipsec_tunnel": []}), "CustomerGatewayConfiguration must be an XML string, got dict"),
    ("options-not-a-dict", camel(Options=["TunnelOptions"]), "Options must be a dict, got list"),
    ("tunnel-options-not-a-list", camel(Options={"TunnelOptions": {"OutsideIpAddress": "203.0.113.11"}}), "Options.TunnelOptions must be a list, got dict"),
    ("tunnel-option-not-a-dict", camel(Options={"TunnelOptions": [minimal()["Options"]["TunnelOptions"][0], "203.0.113.12"]}),
     "Options.TunnelOptions[1] must be a dict, got str"),
    ("no-psk-no-xml", camel_tunnel(0, drop=["PreSharedKey"]), "tunnel1: no pre_shared_key " + SOURCES),
    ("empty-psk", camel_tunnel(1, PreSharedKey=""), "tunnel2: no pre_shared_key " + SOURCES),
    ("psk-not-a-string", camel_tunnel(1, PreSharedKey=12345678), "tunnel2: pre_shared_key must be a string, got int"),
    ("no-psk-in-xml", xml_edit("<pre_shared_key>%s</pre_shared_key>" % PSKS[1], ""), "tunnel2: no pre_shared_key " + SOURCES),
    ("no-outside-ip", camel_tunnel(1, drop=["OutsideIpAddress"]), "tunnel2: no outside_ip_address " + SOURCES),
    ("no-outside-ip-in-xml", xml_edit("<ip_address>203.0.113.11</ip_address>", ""), "tunnel1: no outside_ip_address " + SOURCES),
    ("bad-ip", camel_tunnel(0, OutsideIpAddress="203.0.113.300"), "tunnel1: outside_ip_address '203.0.113.300' is not a valid IPv4 address"),
    ("ipv6-outside-ip", camel_tunnel(1, OutsideIpAddress="2001:db8::1"), "tunnel2: outside_ip_address '2001:db8::1' is not a valid IPv4 address"),
    ("bad-ip-in-xml", xml_edit("203.0.113.12", "203.0.113.x"), "tunnel2: outside_ip_address '203.0.113.x' is not a valid IPv4 address"),
    ("bad-inside-cidr", camel_tunnel(0, TunnelInsideCidr="169.254.21.1/30"), "tunnel1: tunnel_inside_cidr '169.254.21.1/30' is not a valid IPv4 network"),
    ("bad-inside-address-in-xml", xml_edit("<ip_address>169.254.22.1</ip_address>", "<ip_address>169.254.22</ip_address>"),
     "tunnel2: the XML's tunnel inside address '169.254.22'/'30' is not a valid IPv4 interface"),
    ("unknown-encryption", camel_tunnel(0, Phase1EncryptionAlgorithms=[{"Value": "3DES"}]),
     "tunnel1: phase1 encryption algorithm '3DES' is not one of AES128, AES128-GCM-16, AES256, AES256-GCM-16"),
    ("unknown-integrity-in-xml", xml_edit("hmac-sha2-256-128", "hmac-md5-96"),
     "tunnel1: phase2 integrity algorithm 'hmac-md5-96' is not one of SHA1, SHA2-256, SHA2-384, SHA2-512"),
    ("bad-dh-group", camel_tunnel(1, Phase2DHGroupNumbers=[{"Value": "ecp256"}]), "tunnel2: phase2 DH group 'ecp256' is not a Diffie-Hellman group number"),
    ("bad-ike-version", camel_tunnel(0, IkeVersions=[{"Value": "ikev3"}]), "tunnel1: IKE version 'ikev3' is not one of ikev1, ikev2"),
    ("bad-lifetime", camel_tunnel(0, Phase1LifetimeSeconds="8h"), "tunnel1: phase1 lifetime '8h' is not a whole number"),
    ("bool-lifetime", camel_tunnel(0, Phase2LifetimeSeconds=True), "tunnel1: phase2 lifetime True is not a whole number"),
    ("bad-dpd-action", camel_tunnel(1, DpdTimeoutAction="explode"), "tunnel2: dpd_timeout_action 'explode' is not one of clear, none, restart"),
    ("bad-dpd-in-xml", xml_edit("<retries>3</retries>", "<retries>three</retries>"), "tunnel1: DPD retries 'three' is not a whole number"),
    ("deleted", camel(State="deleted"), VPN_ID + " is deleted: its tunnels cannot be used"),
    # A PSK pasted into the wrong field must not come back in the message.
    ("psk-as-outside-ip", camel_tunnel(0, OutsideIpAddress=PSKS[1]), "tunnel1: outside_ip_address '<hidden>' is not a valid IPv4 address"),
    ("psk-as-algorithm", camel_tunnel(1, Phase1EncryptionAlgorithms=[{"Value": PSKS[0]}]), "tunnel2: phase1 encryption algorithm '<hidden>' is not one of"),
    ("psk-as-ip-in-xml", xml_edit("<ip_address>203.0.113.12</ip_address>", "<ip_address>%s</ip_address>" % PSKS[0]),
     "tunnel2: outside_ip_address '<hidden>' is not a valid IPv4 address"),
]


@pytest.mark.parametrize("vpn,message", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_malformed_input_is_refused_with_a_clear_message(vpn, message):
    with pytest.raises(TunnelOptionsError) as err:
        normalise_vpn_connection(vpn)
    assert message in str(err.value)
    assert isinstance(err.value, ValueError)


@pytest.mark.parametrize("vpn", [b[1] for b in BAD], ids=[b[0] for b in BAD])
def test_no_error_message_contains_a_psk(vpn):
    with pytest.raises(TunnelOptionsError) as err:
        normalise_vpn_connection(vpn)
    text = str(err.value) + repr(err.value) + str(err.value.__cause__) + str(err.value.__context__)
    for psk in PSKS + (MOTO_PSK, "12345678"):
        assert psk not in text
    assert err.value.__cause__ is None


def test_the_input_is_not_modified():
    vpn = camel(CustomerGatewayConfiguration=XML)
    normalise_vpn_connection(vpn)
    assert vpn == camel(CustomerGatewayConfiguration=XML)

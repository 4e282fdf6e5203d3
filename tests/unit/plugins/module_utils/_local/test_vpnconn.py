# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The emulated AWS VPN connection: PSKs by AWS's rule, stable ids, the DescribeVpnConnections
shape, and a round trip through the same tunnel_options parser the cloud target uses."""

from __future__ import annotations

import copy
import datetime
import random
import re
import string

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.plan import LocalTarget
from ansible_collections.multicloud.vpnlab.plugins.module_utils.plan import build_plan
from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws.tunnels import vpn_connection_facts
from ansible_collections.multicloud.vpnlab.plugins.module_utils.psk import generate_psk
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.vpnconn import (
    describe_vpn_connection, resource_id,
)

TODAY = datetime.date(2026, 11, 25)
AWS_PSK_RE = re.compile(r"[A-Za-z0-9._]{8,64}")  # used with fullmatch: the whole key
PSKS = ["Abc.def_0123456789xyzXYZ.ghi_jkl", "Zyx_wvu.9876543210abcABC_def.ghi"]
OTHER = dict(
    name="lab-2",
    azure_vnet_cidr="10.11.0.0/16", azure_subnet_cidr="10.11.2.0/24",
    azure_gateway_subnet_cidr="10.11.255.224/27",
    aws_vpc_cidr="10.12.0.0/16", aws_subnet_cidr="10.12.8.0/24",
    vms=[{"name": "web", "cloud": "azure", "private_ip": "10.11.2.50"},
         {"name": "db", "cloud": "aws", "private_ip": "10.12.8.60"}],
    tunnel_inside_cidrs=["169.254.100.0/30", "169.254.200.4/30"],
    local_azure_public_cidr="198.51.100.0/25",
    local_aws_public_cidr="198.51.100.128/25",
)


def plan_of(params):
    return build_plan(params, {"local": LocalTarget([])}, today=TODAY, state_root="/st")


# --- PSKs -----------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [0, 1, 42, 2026])
def test_generate_psk_meets_aws_rule(seed):
    rng = random.Random(seed)
    alphabet = set(string.ascii_letters + string.digits + "._")
    psks = [generate_psk(rng) for dummy in range(200)]
    for psk in psks:
        assert len(psk) == 32
        assert set(psk) <= alphabet
        assert psk[0] in string.ascii_letters
        assert AWS_PSK_RE.fullmatch(psk)
        assert not psk.startswith("0")
    # Random, not a constant: 200 draws give 200 different keys.
    assert len(set(psks)) == 200


def test_generate_psk_uses_the_whole_alphabet():
    rng = random.Random(7)
    seen = set("".join(generate_psk(rng) for dummy in range(200)))
    assert seen == set(string.ascii_letters + string.digits + "._")


@pytest.mark.parametrize("seed", [3, 99])
def test_generate_psk_is_reproducible_with_a_seed(seed):
    assert generate_psk(random.Random(seed)) == generate_psk(random.Random(seed))
    assert generate_psk(random.Random(seed)) != generate_psk(random.Random(seed + 1))


def test_generate_psk_default_rng():
    psk = generate_psk()
    assert AWS_PSK_RE.fullmatch(psk) and len(psk) == 32 and psk[0].isalpha()
    assert generate_psk() != psk


# --- ids -------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind, lab, expected", [
    ("vpn", "vpntest", "vpn-b30e8521b5eeb650b"),
    ("cgw", "vpntest", "cgw-8de58fa9a23a4629e"),
    ("vgw", "vpntest", "vgw-712f92eeb038e3936"),
    ("vpn", "lab-2", "vpn-269736c758cc831e7"),
])
def test_resource_id(kind, lab, expected):
    assert resource_id(kind, lab) == expected
    assert resource_id(kind, lab) == resource_id(kind, lab)
    # AWS's shape: the kind, a dash and 17 hex digits.
    assert re.fullmatch(r"%s-[0-9a-f]{17}" % kind, expected)


def test_resource_ids_differ_by_kind_and_lab():
    ids = {resource_id(k, lab) for k in ("vpn", "cgw", "vgw") for lab in ("vpntest", "lab-2", "a")}
    assert len(ids) == 9


# --- describe_vpn_connection -------------------------------------------------------------------

CASES = pytest.mark.parametrize("params, lab, vnet, tunnel_ips, cgw_ip, inside", [
    ({}, "vpntest", "10.1.0.0/16", ["203.0.113.10", "203.0.113.11"], "198.51.100.10",
     ["169.254.21.0/30", "169.254.22.0/30"]),
    (OTHER, "lab-2", "10.11.0.0/16", ["198.51.100.138", "198.51.100.139"], "198.51.100.10",
     ["169.254.100.0/30", "169.254.200.4/30"]),
], ids=["default", "other"])


@CASES
def test_describe_vpn_connection_shape(params, lab, vnet, tunnel_ips, cgw_ip, inside):
    plan = plan_of(params)
    doc = describe_vpn_connection(plan, PSKS)
    assert doc["VpnConnectionId"] == resource_id("vpn", lab)
    assert doc["CustomerGatewayId"] == resource_id("cgw", lab)
    assert doc["VpnGatewayId"] == resource_id("vgw", lab)
    assert (doc["State"], doc["Type"], doc["Category"]) == ("available", "ipsec.1", "VPN")
    assert doc["Options"]["StaticRoutesOnly"] is True
    assert doc["Routes"] == [{"DestinationCidrBlock": vnet, "Source": "Static", "State": "available"}]
    assert doc["Tags"][0] == {"Key": "Name", "Value": "%s-vpn" % lab}
    assert {"Key": "vpnlab", "Value": lab} in doc["Tags"]
    options = doc["Options"]["TunnelOptions"]
    assert [o["OutsideIpAddress"] for o in options] == tunnel_ips
    assert [o["OutsideIpAddress"] for o in options] == plan["local"]["public_ips"]["tunnels"]
    assert [o["TunnelInsideCidr"] for o in options] == inside
    assert [o["TunnelInsideCidr"] for o in options] == [t["inside_cidr"] for t in plan["tunnels"]]
    assert [o["PreSharedKey"] for o in options] == PSKS
    for option in options:
        assert option["Phase1EncryptionAlgorithms"] == [{"Value": "AES256"}]
        assert option["Phase2EncryptionAlgorithms"] == [{"Value": "AES256"}]
        assert option["Phase1IntegrityAlgorithms"] == [{"Value": "SHA2-256"}]
        assert option["Phase2IntegrityAlgorithms"] == [{"Value": "SHA2-256"}]
        assert option["Phase1DHGroupNumbers"] == [{"Value": 14}]
        assert option["Phase2DHGroupNumbers"] == [{"Value": 14}]
        assert option["IkeVersions"] == [{"Value": "ikev2"}]
        assert (option["Phase1LifetimeSeconds"], option["Phase2LifetimeSeconds"]) == (28800, 3600)
        assert (option["DpdTimeoutSeconds"], option["DpdTimeoutAction"]) == (30, "clear")
    # The XML names the customer gateway (the Azure gateway) as the other end of each tunnel.
    xml = doc["CustomerGatewayConfiguration"]
    assert xml.count("<ip_address>%s</ip_address>" % cgw_ip) == 2
    assert '<vpn_connection id="%s">' % resource_id("vpn", lab) in xml


def test_describe_vpn_connection_follows_plan_crypto():
    plan = plan_of({})
    plan = dict(plan, crypto=dict(plan["crypto"],
                                  phase1=dict(plan["crypto"]["phase1"], encryption="AES256-GCM-16",
                                              dh_group=20, lifetime_seconds=14400),
                                  phase2=dict(plan["crypto"]["phase2"], integrity="SHA2-384",
                                              pfs_group=19)))
    option = describe_vpn_connection(plan, PSKS)["Options"]["TunnelOptions"][0]
    assert option["Phase1EncryptionAlgorithms"] == [{"Value": "AES256-GCM-16"}]
    assert option["Phase1DHGroupNumbers"] == [{"Value": 20}]
    assert option["Phase1LifetimeSeconds"] == 14400
    assert option["Phase2IntegrityAlgorithms"] == [{"Value": "SHA2-384"}]
    assert option["Phase2DHGroupNumbers"] == [{"Value": 19}]


# --- round trip through tunnel_options ----------------------------------------------------------

def _comparable(tunnel):
    return {k: v for k, v in tunnel.items() if k not in ("ike_versions", "source")}


@CASES
def test_round_trip_through_tunnel_options(params, lab, vnet, tunnel_ips, cgw_ip, inside):
    plan = plan_of(params)
    doc = describe_vpn_connection(plan, PSKS)
    facts = vpn_connection_facts(copy.deepcopy(doc))
    assert facts["vpn_connection_id"] == resource_id("vpn", lab)
    assert facts["static_routes_only"] is True
    assert facts["routes"] == [{"destination_cidr_block": vnet, "source": "Static", "state": "available"}]
    tunnels = facts["tunnels"]
    assert [t["name"] for t in tunnels] == ["tunnel1", "tunnel2"]
    assert [t["outside_ip_address"] for t in tunnels] == tunnel_ips
    assert [t["pre_shared_key"] for t in tunnels] == PSKS
    assert [t["tunnel_inside_cidr"] for t in tunnels] == inside
    assert [t["cgw_outside_address"] for t in tunnels] == [cgw_ip, cgw_ip]
    # AWS's convention: the VGW takes the first host of the /30, the customer gateway the second.
    for t, cidr in zip(tunnels, inside):
        base = cidr.rsplit(".", 1)[0] + "."
        last = int(cidr.split("/")[0].rsplit(".", 1)[1])
        assert (t["vgw_inside_address"], t["cgw_inside_address"]) == (base + str(last + 1), base + str(last + 2))
    for t in tunnels:
        assert t["ike_versions"] == ["ikev2"]
        assert t["source"] == "tunnel_options"
        assert t["phase1"] == {"encryption_algorithms": ["AES256"], "integrity_algorithms": ["SHA2-256"],
                               "dh_group_numbers": [14], "lifetime_seconds": 28800}
        assert t["phase2"] == {"encryption_algorithms": ["AES256"], "integrity_algorithms": ["SHA2-256"],
                               "dh_group_numbers": [14], "lifetime_seconds": 3600}
        assert (t["dpd_timeout_seconds"], t["dpd_timeout_action"]) == (30, "clear")
        assert t["tcp_mss_adjustment"] == 1350

    # moto's shape: no Options, only the XML. The same tunnels, except what the XML cannot say.
    xml_only = copy.deepcopy(doc)
    del xml_only["Options"]
    from_xml = vpn_connection_facts(xml_only)["tunnels"]
    assert [_comparable(t) for t in from_xml] == [_comparable(t) for t in tunnels]
    for t in from_xml:
        assert t["source"] == "customer_gateway_configuration"
        # The XML has no IKE version: AWS's default applies.
        assert t["ike_versions"] == ["ikev1", "ikev2"]


def test_round_trip_with_xml_special_psk_characters_absent():
    """PSKs of AWS's alphabet need no XML escaping: what goes in comes out unchanged."""
    psks = [generate_psk(random.Random(5)), generate_psk(random.Random(6))]
    doc = describe_vpn_connection(plan_of({}), psks)
    del doc["Options"]
    assert [t["pre_shared_key"] for t in vpn_connection_facts(doc)["tunnels"]] == psks

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_aws.cgw: which customer gateway is the lab's, which one it adopts, which one stops it."""

from __future__ import annotations

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws import cgw

LAB, NAME, IP, ASN = "vpntest", "vpntest-cgw", "198.51.100.10", 65034
LAB_TAGS = {"Name": NAME, "vpnlab": LAB, "managed_by": "multicloud.vpnlab"}


def gateway(gateway_id="cgw-1", tags=None, state="available", ip=IP, asn=ASN, type_="ipsec.1"):
    found = {"CustomerGatewayId": gateway_id, "State": state, "Type": type_, "IpAddress": ip, "BgpAsn": str(asn)}
    if tags is not None:
        found["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
    return found


ADOPTABLE = [
    ("untagged", gateway(), True),
    ("empty-tag-list", gateway(tags={}), True),
    ("only-the-labs-name", gateway(tags={"Name": NAME}), True),
    ("another-name", gateway(tags={"Name": "corp-cgw"}), False),
    ("name-and-more", gateway(tags={"Name": NAME, "team": "net"}), False),
    ("pending", gateway(state="pending"), False),
    ("deleted", gateway(state="deleted"), False),
    ("other-asn", gateway(asn=65000), False),
    ("other-address", gateway(ip="198.51.100.11"), False),
    ("other-type", gateway(type_="ipsec.2"), False),
]


@pytest.mark.parametrize("found,expected", [a[1:] for a in ADOPTABLE], ids=[a[0] for a in ADOPTABLE])
def test_adoptable(found, expected):
    assert cgw.adoptable(found, IP, ASN, NAME) is expected
    assert cgw.adoptable_by(IP, ASN, NAME)(found) is expected


DECISIONS = [
    ("nothing-there", [], ("create", None)),
    ("the-labs", [gateway(tags=LAB_TAGS)], ("keep", "cgw-1")),
    ("the-labs-pending", [gateway(tags=LAB_TAGS, state="pending")], ("keep", "cgw-1")),
    ("the-labs-deleted-is-gone", [gateway(tags=LAB_TAGS, state="deleted")], ("create", None)),
    ("another-labs", [gateway(tags=dict(LAB_TAGS, vpnlab="lab2"))], "is not lab vpntest's"),
    ("untagged", [gateway()], ("adopt", "cgw-1")),
    ("the-labs-before-an-untagged", [gateway("cgw-2"), gateway(tags=LAB_TAGS)], ("keep", "cgw-1")),
    ("foreign-same-asn", [gateway(tags={"Name": "corp-cgw"})], "AWS would answer the lab's create with it"),
    ("foreign-other-asn", [gateway(tags={"Name": "corp-cgw"}, asn=65000)], ("create", None)),
    ("two-of-the-labs", [gateway(tags=LAB_TAGS), gateway("cgw-2", tags=LAB_TAGS)], "has 2 customer gateways"),
    ("two-untagged", [gateway(), gateway("cgw-2")], "2 untagged customer gateways"),
    ("the-labs-other-asn", [gateway(tags=LAB_TAGS, asn=65000)], "AWS cannot change a customer gateway's ASN"),
    # moto ignores the ip-address filter's state part and AWS the rest: checked again here.
    ("other-address-ignored", [gateway(tags=LAB_TAGS, ip="198.51.100.11")], ("create", None)),
]


@pytest.mark.parametrize("found,expected", [d[1:] for d in DECISIONS], ids=[d[0] for d in DECISIONS])
def test_decide(found, expected):
    if isinstance(expected, str):
        with pytest.raises(cgw.CgwError) as refused:
            cgw.decide(found, LAB, IP, ASN, NAME)
        assert expected in str(refused.value)
        return
    action, chosen = cgw.decide(found, LAB, IP, ASN, NAME)
    assert (action, chosen and chosen["CustomerGatewayId"]) == expected


SPECS = [
    ("ok", {}, []),
    ("ip", {"ip_address": "198.51.100"}, ["ip_address='198.51.100' must be an IPv4 address"]),
    ("ipv6", {"ip_address": "2001:db8::1"}, ["ip_address='2001:db8::1' must be an IPv4 address"]),
    ("asn-zero", {"bgp_asn": 0}, ["bgp_asn=0 must be a whole number from 1 to 4294967295"]),
    # Above 2147483647 AWS takes it as BgpAsnExtended (test_the_request_sends_a_large_asn_extended).
    ("asn-extended", {"bgp_asn": 4200000000}, []),
    ("asn-too-big", {"bgp_asn": 4294967296}, ["bgp_asn=4294967296 must be a whole number from 1 to 4294967295"]),
    ("asn-bool", {"bgp_asn": True}, ["bgp_asn=True must be a whole number from 1 to 4294967295"]),
    ("asn-reserved", {"bgp_asn": 7224}, ["bgp_asn=7224: 7224 is reserved by AWS (its own ASN); choose another, like 65034"]),
    ("asn-reserved-here", {"bgp_asn": 10124, "region": "ap-northeast-1"},
     ["bgp_asn=10124: is reserved by AWS in ap-northeast-1; choose another, like 65034"]),
    ("asn-reserved-elsewhere", {"bgp_asn": 10124, "region": "eu-central-1"}, []),
    ("no-name", {"name": ""}, ["name must not be empty"]),
    ("tag-lab", {"tags": {"vpnlab": "other"}}, ["tags: vpnlab='other' contradicts the lab's vpnlab='vpntest'"]),
    ("tag-name", {"tags": {"Name": "x"}}, ["tags: Name='x' contradicts the lab's Name='vpntest-cgw'"]),
    ("tag-same", {"tags": {"vpnlab": LAB, "managed_by": "multicloud.vpnlab"}}, []),
]


@pytest.mark.parametrize("change,expected", [s[1:] for s in SPECS], ids=[s[0] for s in SPECS])
def test_spec_problems(change, expected):
    spec = dict({"lab": LAB, "name": NAME, "ip_address": IP, "bgp_asn": ASN, "tags": None}, **change)
    assert cgw.spec_problems(**spec) == expected


def test_the_request_carries_every_tag_at_creation():
    request = cgw.create_request(IP, ASN, cgw.lab_tags(LAB, NAME, {"owner": "student", "expires": "2026-12-02"}))
    assert request == {"Type": "ipsec.1", "BgpAsn": ASN, "IpAddress": IP, "TagSpecifications": [
        {"ResourceType": "customer-gateway", "Tags": [
            {"Key": "Name", "Value": NAME}, {"Key": "expires", "Value": "2026-12-02"},
            {"Key": "managed_by", "Value": "multicloud.vpnlab"}, {"Key": "owner", "Value": "student"},
            {"Key": "vpnlab", "Value": LAB}]}]}


@pytest.mark.parametrize("number,field", [(2147483647, "BgpAsn"), (2147483648, "BgpAsnExtended")])
def test_the_request_sends_a_large_asn_extended(number, field):
    request = cgw.create_request(IP, number, {})
    assert request[field] == number and {"BgpAsn", "BgpAsnExtended"} & set(request) == {field}


def test_an_extended_asn_is_the_same_asn():
    found = {"CustomerGatewayId": "cgw-1", "BgpAsnExtended": "4200000000"}
    assert cgw.same_asn(found, 4200000000) and not cgw.same_asn(found, 65034)
    assert cgw.summary(found)["bgp_asn"] == "4200000000"


TAGS = [
    ("same", LAB_TAGS, True, ({}, [])),
    ("adopt-untagged", {}, False, (LAB_TAGS, [])),
    ("adopt-named", {"Name": NAME}, False, ({"vpnlab": LAB, "managed_by": "multicloud.vpnlab"}, [])),
    ("stale-purged", dict(LAB_TAGS, stale="x"), True, ({}, ["stale"])),
    ("stale-kept", dict(LAB_TAGS, stale="x"), False, ({}, [])),
    ("aws-tags-stay", dict(LAB_TAGS, **{"aws:cloudformation:stack-name": "s"}), True, ({}, [])),
]


@pytest.mark.parametrize("have,purge,expected", [t[1:] for t in TAGS], ids=[t[0] for t in TAGS])
def test_tag_changes(have, purge, expected):
    assert cgw.tag_changes(gateway(tags=have), LAB_TAGS, purge) == expected


def test_retagged_and_summary():
    after = cgw.summary(cgw.retagged(gateway(tags=dict(LAB_TAGS, stale="x")), LAB_TAGS, purge=True))
    assert after == {"customer_gateway_id": "cgw-1", "ip_address": IP, "bgp_asn": "65034", "state": "available",
                     "type": "ipsec.1", "tags": LAB_TAGS}
    assert "customer_gateway_id" not in cgw.summary({"IpAddress": IP, "State": "pending"})

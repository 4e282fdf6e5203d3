# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""aws_customer_gateway against botocore's Stubber: created with the lab's tags, found again,
an untagged one adopted, a fresh id's NotFound retried.

The fault it replaces: community.aws.ec2_customer_gateway created the gateway and a separate
amazon.aws.ec2_tag task tagged it, without retry; a fresh id NotFound left an untagged gateway
that the next build refused as foreign and that teardown (by tag) never removed.
"""

from __future__ import annotations

import time

import pytest

from aws_stub import run

LAB, NAME, IP, ASN = "vpntest", "vpntest-cgw", "198.51.100.10", 65034
CGW = "cgw-0f1e2d3c4b5a69788"
PLAN_TAGS = {"vpnlab": LAB, "owner": "student", "environment": "dev", "expires": "2026-12-02",
             "managed_by": "multicloud.vpnlab"}
# Every tag of the lab's gateway, in AWS's request spelling, sorted by key.
LAB_TAG_LIST = [{"Key": "Name", "Value": NAME}, {"Key": "environment", "Value": "dev"},
                {"Key": "expires", "Value": "2026-12-02"}, {"Key": "managed_by", "Value": "multicloud.vpnlab"},
                {"Key": "owner", "Value": "student"}, {"Key": "vpnlab", "Value": LAB}]
FILTERS = [{"Name": "ip-address", "Values": [IP]}, {"Name": "state", "Values": ["pending", "available"]}]


@pytest.fixture
def slept(monkeypatch):
    seconds = []
    monkeypatch.setattr(time, "sleep", seconds.append)
    return seconds


def args(**extra):
    base = {"lab": LAB, "name": NAME, "ip_address": IP, "bgp_asn": ASN, "tags": PLAN_TAGS}
    base.update(extra)
    return base


def gateway(tags=tuple(LAB_TAG_LIST), state="available", asn=ASN, gateway_id=CGW):
    found = {"CustomerGatewayId": gateway_id, "State": state, "Type": "ipsec.1", "IpAddress": IP,
             "BgpAsn": str(asn)}
    if tags is not None:
        found["Tags"] = list(tags)
    return found


def on_address(stubber, *gateways):
    stubber.add_response("describe_customer_gateways", {"CustomerGateways": list(gateways)}, {"Filters": FILTERS})


def tagged(stubber, tags, gateway_id=CGW):
    stubber.add_response("create_tags", {}, {"Resources": [gateway_id], "Tags": tags})


def not_found_on_tagging(stubber, tags, gateway_id=CGW):
    stubber.add_client_error("create_tags", "InvalidCustomerGatewayID.NotFound",
                             "The customerGateway ID '%s' does not exist" % gateway_id,
                             expected_params={"Resources": [gateway_id], "Tags": tags})


# --- create -----------------------------------------------------------------------------------

def test_a_new_gateway_is_created_with_the_labs_tags():
    def stub(s):
        on_address(s)
        s.add_response("create_customer_gateway", {"CustomerGateway": gateway(state="pending")}, {
            "Type": "ipsec.1", "BgpAsn": ASN, "IpAddress": IP,
            "TagSpecifications": [{"ResourceType": "customer-gateway", "Tags": LAB_TAG_LIST}]})

    result, dummy, dummy2 = run("aws_customer_gateway", args(), stub)
    assert result["changed"] is True and not result.get("failed"), result
    assert result["customer_gateway"]["customer_gateway_id"] == CGW
    assert result["customer_gateway"]["tags"]["vpnlab"] == LAB and result["adopted"] is False


def test_an_asn_above_2147483647_is_sent_as_bgp_asn_extended():
    big = 4200000001

    def stub(s):
        on_address(s)
        created = dict(gateway(state="pending"), BgpAsnExtended=str(big))
        del created["BgpAsn"]
        s.add_response("create_customer_gateway", {"CustomerGateway": created}, {
            "Type": "ipsec.1", "BgpAsnExtended": big, "IpAddress": IP,
            "TagSpecifications": [{"ResourceType": "customer-gateway", "Tags": LAB_TAG_LIST}]})

    result, dummy, dummy2 = run("aws_customer_gateway", args(bgp_asn=big), stub)
    assert result["changed"] is True and not result.get("failed"), result
    assert result["customer_gateway"]["bgp_asn"] == str(big)


def test_check_mode_shows_an_extended_asn():
    result, dummy, dummy2 = run("aws_customer_gateway", args(bgp_asn=4200000001), on_address, check_mode=True)
    assert result["changed"] is True and result["customer_gateway"]["bgp_asn"] == "4200000001"


def test_a_rerun_finds_the_labs_gateway_with_an_extended_asn():
    big = 4200000001
    found = dict(gateway(), BgpAsnExtended=str(big))
    del found["BgpAsn"]
    result, dummy, dummy2 = run("aws_customer_gateway", args(bgp_asn=big), lambda s: on_address(s, found))
    assert result["changed"] is False and not result.get("failed"), result


def test_9059_is_fine_outside_eu_west_1():
    def stub(s):
        on_address(s)
        s.add_response("create_customer_gateway", {"CustomerGateway": gateway(state="pending", asn=9059)}, {
            "Type": "ipsec.1", "BgpAsn": 9059, "IpAddress": IP,
            "TagSpecifications": [{"ResourceType": "customer-gateway", "Tags": LAB_TAG_LIST}]})

    result, dummy, dummy2 = run("aws_customer_gateway", args(bgp_asn=9059), stub)
    assert not result.get("failed"), result


def test_a_rerun_finds_the_labs_gateway_and_changes_nothing():
    result, dummy, dummy2 = run("aws_customer_gateway", args(), lambda s: on_address(s, gateway()))
    assert result["changed"] is False, result
    assert result["customer_gateway"]["customer_gateway_id"] == CGW


def test_check_mode_creates_nothing_and_has_no_id():
    result, dummy, dummy2 = run("aws_customer_gateway", args(), on_address, check_mode=True, diff=True)
    assert result["changed"] is True
    assert "customer_gateway_id" not in result["customer_gateway"]
    assert result["diff"]["before"] == {} and result["diff"]["after"]["tags"]["Name"] == NAME


def test_a_new_day_updates_the_expiry_tag_only():
    old = [t if t["Key"] != "expires" else {"Key": "expires", "Value": "2026-11-30"} for t in LAB_TAG_LIST]

    def stub(s):
        on_address(s, gateway(tags=old))
        tagged(s, [{"Key": "expires", "Value": "2026-12-02"}])

    result, dummy, dummy2 = run("aws_customer_gateway", args(), stub)
    assert result["changed"] is True


def test_a_stale_tag_is_removed_with_purge_tags():
    def stub(s):
        on_address(s, gateway(tags=LAB_TAG_LIST + [{"Key": "stale", "Value": "x"}]))
        s.add_response("delete_tags", {}, {"Resources": [CGW], "Tags": [{"Key": "stale"}]})

    result, dummy, dummy2 = run("aws_customer_gateway", args(), stub)
    assert result["changed"] is True


# --- adoption ---------------------------------------------------------------------------------

def test_an_untagged_gateway_on_the_labs_address_and_asn_is_adopted():
    """What the stock module + a failed tag call left behind: tagged now, not created again
    (AWS would answer a create on the same address and ASN with this very gateway, untagged)."""
    def stub(s):
        on_address(s, gateway(tags=None))
        tagged(s, LAB_TAG_LIST)

    result, dummy, dummy2 = run("aws_customer_gateway", args(), stub)
    assert result["changed"] is True and result["adopted"] is True, result
    assert result["customer_gateway"]["customer_gateway_id"] == CGW
    assert result["customer_gateway"]["tags"]["managed_by"] == "multicloud.vpnlab"


def test_a_gateway_with_only_the_labs_name_is_adopted():
    def stub(s):
        on_address(s, gateway(tags=[{"Key": "Name", "Value": NAME}]))
        tagged(s, [t for t in LAB_TAG_LIST if t["Key"] != "Name"])

    result, dummy, dummy2 = run("aws_customer_gateway", args(), stub)
    assert result["changed"] is True and result["adopted"] is True, result


def test_check_mode_adopts_nothing():
    result, dummy, dummy2 = run("aws_customer_gateway", args(), lambda s: on_address(s, gateway(tags=None)),
                                check_mode=True)
    assert result["changed"] is True and result["adopted"] is True


def test_the_fresh_ids_not_found_is_retried_when_tagging(slept):
    def stub(s):
        on_address(s, gateway(tags=None))
        not_found_on_tagging(s, LAB_TAG_LIST)
        not_found_on_tagging(s, LAB_TAG_LIST)
        tagged(s, LAB_TAG_LIST)

    result, dummy, dummy2 = run("aws_customer_gateway", args(), stub)
    assert result["changed"] is True and not result.get("failed"), result
    assert len(slept) == 2


def test_a_create_answered_with_an_untagged_gateway_tags_it_retrying_not_found(slept):
    """AWS answers a create on the address and ASN of a gateway it just made visible with that
    gateway, without the request's tags: the module tags it (its id may be fresh)."""
    def stub(s):
        on_address(s)
        s.add_response("create_customer_gateway", {"CustomerGateway": gateway(tags=None)}, {
            "Type": "ipsec.1", "BgpAsn": ASN, "IpAddress": IP,
            "TagSpecifications": [{"ResourceType": "customer-gateway", "Tags": LAB_TAG_LIST}]})
        not_found_on_tagging(s, LAB_TAG_LIST)
        tagged(s, LAB_TAG_LIST)

    result, dummy, dummy2 = run("aws_customer_gateway", args(), stub)
    assert result["changed"] is True and not result.get("failed"), result
    assert result["customer_gateway"]["tags"]["vpnlab"] == LAB


# --- refusals ---------------------------------------------------------------------------------

def test_someone_elses_gateway_on_the_address_and_asn_stops_before_any_change():
    foreign = gateway(tags=[{"Key": "Name", "Value": "corp-cgw"}, {"Key": "team", "Value": "net"}])
    result, dummy, dummy2 = run("aws_customer_gateway", args(), lambda s: on_address(s, foreign))
    assert result["failed"] is True
    assert "%s on %s with BGP ASN %d is not lab %s's" % (CGW, IP, ASN, LAB) in result["msg"]


def test_the_labs_gateway_with_another_asn_is_not_replaced_silently():
    result, dummy, dummy2 = run("aws_customer_gateway", args(), lambda s: on_address(s, gateway(asn=65000)))
    assert result["failed"] is True and "AWS cannot change a customer gateway's ASN" in result["msg"]


BAD = [
    ("ip", {"ip_address": "not-an-ip"}, "ip_address='not-an-ip' must be an IPv4 address"),
    ("ipv6", {"ip_address": "2001:db8::1"}, "must be an IPv4 address"),
    ("asn", {"bgp_asn": 0}, "bgp_asn=0 must be a whole number from 1 to 4294967295"),
    ("asn-too-large", {"bgp_asn": 4294967296}, "bgp_asn=4294967296 must be a whole number from 1 to 4294967295"),
    ("asn-amazons", {"bgp_asn": 7224}, "bgp_asn=7224: 7224 is reserved by AWS"),
    ("asn-reserved-in-region", {"bgp_asn": 9059, "region": "eu-west-1"},
     "bgp_asn=9059: is reserved by AWS in eu-west-1"),
    ("tag-contradicts", {"tags": dict(PLAN_TAGS, vpnlab="other")}, "tags: vpnlab='other' contradicts"),
]


@pytest.mark.parametrize("change,message", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_arguments_are_refused_before_any_call(change, message):
    result, dummy, dummy2 = run("aws_customer_gateway", args(**change), lambda s: None)
    assert result["failed"] is True and message in result["msg"], result


# --- absent -----------------------------------------------------------------------------------

def test_absent_deletes_only_the_labs_gateway():
    untagged = gateway(tags=None, gateway_id="cgw-0aaaaaaaaaaaaaaaa")

    def stub(s):
        on_address(s, untagged, gateway())
        s.add_response("delete_customer_gateway", {}, {"CustomerGatewayId": CGW})

    result, dummy, dummy2 = run("aws_customer_gateway", args(state="absent"), stub)
    assert result["changed"] is True


def test_absent_when_gone_is_ok():
    result, dummy, dummy2 = run("aws_customer_gateway", args(state="absent"),
                                lambda s: on_address(s, gateway(state="deleted")))
    assert result["changed"] is False

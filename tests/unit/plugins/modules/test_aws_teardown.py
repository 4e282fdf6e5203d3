# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""aws_teardown and aws_lab_resources_info, in process, on moto's in-process EC2 (no network)."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from aws_stub import REGION, run_with_client

LAB = "vpntest"
TAGS = [{"Key": "vpnlab", "Value": LAB}, {"Key": "managed_by", "Value": "multicloud.vpnlab"}]


@pytest.fixture
def ec2(monkeypatch):
    for key in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(key, raising=False)
    with mock_aws():
        yield boto3.client("ec2", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="y")


def half_built(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.2.0.0/16", TagSpecifications=[{"ResourceType": "vpc", "Tags": TAGS}])["Vpc"]["VpcId"]
    ec2.create_subnet(VpcId=vpc, CidrBlock="10.2.1.0/24", TagSpecifications=[{"ResourceType": "subnet", "Tags": TAGS}])
    vgw = ec2.create_vpn_gateway(Type="ipsec.1", TagSpecifications=[{"ResourceType": "vpn-gateway", "Tags": TAGS}])
    ec2.attach_vpn_gateway(VpcId=vpc, VpnGatewayId=vgw["VpnGateway"]["VpnGatewayId"])
    return vpc


def test_check_mode_lists_what_would_go_and_deletes_nothing(ec2):
    half_built(ec2)
    result, dummy = run_with_client("aws_teardown", {"lab": LAB}, ec2, check_mode=True)
    assert result["changed"] is True
    assert [d["kind"] for d in result["deleted"]] == ["vpn_gateway", "subnet", "vpc"]
    info, dummy = run_with_client("aws_lab_resources_info", {"lab": LAB}, ec2)
    assert [r["kind"] for r in info["resources"]] == ["vpn_gateway", "subnet", "vpc"]


def test_teardown_twice(ec2):
    half_built(ec2)
    first, dummy = run_with_client("aws_teardown", {"lab": LAB}, ec2)
    assert first["changed"] is True and first["remaining"] == []
    second, dummy = run_with_client("aws_teardown", {"lab": LAB}, ec2)
    assert (second["changed"], second["deleted"], second["remaining"]) == (False, [], [])
    info, dummy = run_with_client("aws_lab_resources_info", {"lab": LAB}, ec2)
    assert info["resources"] == [] and info["conflicts"] == []


def test_a_leftover_fails_naming_it(ec2):
    volume = ec2.create_volume(AvailabilityZone=REGION + "a", Size=1,
                               TagSpecifications=[{"ResourceType": "volume", "Tags": TAGS}])["VolumeId"]
    result, dummy = run_with_client("aws_teardown", {"lab": LAB}, ec2)
    assert result["failed"] is True
    assert result["msg"] == "Lab vpntest still has AWS resources after the teardown: volume %s (exists)" % volume


# --- the foreign-resource check and the customer gateway the lab adopts ----------------------

CGW_ARGS = {"lab": LAB, "names": {"customer_gateway": "vpntest-cgw"}, "customer_gateway_ip": "198.51.100.10"}


def test_an_untagged_customer_gateway_on_the_labs_address_and_asn_is_adopted_not_foreign(ec2):
    """What a build leaves when the tag call after the stock module's create met a fresh id
    NotFound: multicloud.vpnlab.aws_customer_gateway adopts it, so the check must not stop the build."""
    ec2.create_customer_gateway(BgpAsn=65034, PublicIp="198.51.100.10", Type="ipsec.1")
    info, dummy = run_with_client("aws_lab_resources_info", dict(CGW_ARGS, customer_gateway_asn=65034), ec2)
    assert not info.get("failed") and info["conflicts"] == [], info


def test_a_customer_gateway_with_other_tags_on_the_labs_address_is_foreign(ec2):
    ec2.create_customer_gateway(BgpAsn=65034, PublicIp="198.51.100.10", Type="ipsec.1", TagSpecifications=[
        {"ResourceType": "customer-gateway", "Tags": [{"Key": "Name", "Value": "corp-cgw"}]}])
    info, dummy = run_with_client("aws_lab_resources_info", dict(CGW_ARGS, customer_gateway_asn=65034), ec2)
    assert [c["kind"] for c in info["conflicts"]] == ["customer_gateway"]

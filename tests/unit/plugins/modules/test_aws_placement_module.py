# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""aws_lab_resources_info's placement, in process, on moto's in-process EC2 (no network): the
VMs' subnet zone from DescribeInstanceTypeOfferings, before anything is created. moto knows
that t3.micro is not offered in us-east-1e."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from aws_stub import run_with_client

LAB = "vpntest"
TAGS = [{"Key": "vpnlab", "Value": LAB}, {"Key": "managed_by", "Value": "multicloud.vpnlab"},
        {"Key": "Name", "Value": "vpntest-subnet"}]
T3_US_EAST_1 = ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1f"]


@pytest.fixture
def ec2(monkeypatch):
    for key in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(key, raising=False)
    with mock_aws():
        yield boto3.client("ec2", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")


def placement(ec2, **args):
    result, dummy = run_with_client("aws_lab_resources_info", dict(
        {"lab": LAB, "region": "us-east-1", "instance_type": "t3.micro",
         "names": {"subnet": "vpntest-subnet"}}, **args), ec2)
    assert "failed" not in result, result
    return result["placement"]


def test_a_zone_that_does_not_offer_the_type_is_named_with_those_that_do(ec2):
    found = placement(ec2, availability_zone="us-east-1e")
    assert found["zone"] is None and found["offered_in"] == T3_US_EAST_1
    assert found["problem"] == ("t3.micro is not offered in us-east-1e; zones that offer it: "
                                "us-east-1a, us-east-1b, us-east-1c, us-east-1d, us-east-1f")


def test_no_zone_given_chooses_one_that_offers_it(ec2):
    assert placement(ec2) == {"instance_type": "t3.micro", "zone": "us-east-1a", "source": "chosen",
                              "problem": None, "offered_in": T3_US_EAST_1}
    assert placement(ec2, availability_zone="us-east-1d")["zone"] == "us-east-1d"


def test_the_labs_existing_subnet_keeps_its_zone(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]["VpcId"]
    ec2.create_subnet(VpcId=vpc, CidrBlock="10.2.1.0/24", AvailabilityZone="us-east-1c",
                      TagSpecifications=[{"ResourceType": "subnet", "Tags": TAGS}])
    assert (placement(ec2)["zone"], placement(ec2)["source"]) == ("us-east-1c", "subnet")
    assert placement(ec2, availability_zone="us-east-1a")["problem"].startswith(
        "the lab's subnet already exists in us-east-1c, not in us-east-1a")


def test_without_instance_type_no_placement_is_looked_up(ec2):
    result, dummy = run_with_client("aws_lab_resources_info", {"lab": LAB, "region": "us-east-1"}, ec2)
    assert "placement" not in result and result["resources"] == []

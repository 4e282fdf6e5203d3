# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AWS side's BGP ASNs (issue 13): the customer gateway's (vpnlab_aws_customer_gateway_asn)
and the virtual private gateway's (vpnlab_aws_vpn_gateway_asn), checked against AWS's documented
ranges and reserved numbers, per region where AWS reserves one only there, and published once in
the plan."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils import asn
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.plan import LocalTarget
from ansible_collections.multicloud.vpnlab.plugins.module_utils.plan import PlanError, build_plan

TODAY = datetime.date(2026, 11, 25)
HOST = ["127.0.0.1/8", "192.0.2.0/24"]


def plan(**params):
    return build_plan(params, {"local": LocalTarget(HOST)}, today=TODAY, state_root="/st")


def problems(**params):
    with pytest.raises(PlanError) as err:
        plan(**params)
    return err.value.problems


CGW = [
    # (asn, region, problem fragment or None)
    (65034, "eu-central-1", None),
    (1, "eu-central-1", None),
    (2147483647, "eu-central-1", None),
    (2147483648, "eu-central-1", None),
    (4294967295, "eu-central-1", None),
    (0, "eu-central-1", "from 1 to 4294967295"),
    (4294967296, "eu-central-1", "from 1 to 4294967295"),
    (-5, "eu-central-1", "from 1 to 4294967295"),
    (7224, "eu-central-1", "7224 is reserved by AWS"),
    (7224, "us-east-1", "7224 is reserved by AWS"),
    (9059, "eu-west-1", "reserved by AWS in eu-west-1"),
    (9059, "eu-central-1", None),
    (10124, "ap-northeast-1", "reserved by AWS in ap-northeast-1"),
    (10124, "us-west-2", None),
    (17943, "ap-southeast-1", "reserved by AWS in ap-southeast-1"),
    (17943, "eu-west-1", None),
]


@pytest.mark.parametrize("number,region,fragment", CGW, ids=["%s-%s" % c[:2] for c in CGW])
def test_customer_gateway_asn_rule(number, region, fragment):
    problem = asn.customer_gateway_asn_problem(number, region)
    if fragment is None:
        assert problem is None
    else:
        assert fragment in problem


VGW = [
    (64512, None), (65534, None), (65000, None), (4200000000, None), (4294967294, None),
    (64511, "64512 to 65534 or 4200000000 to 4294967294"),
    (65535, "64512 to 65534"), (4199999999, "64512 to 65534"), (4294967295, "64512 to 65534"),
    (1, "64512 to 65534"), (0, "64512 to 65534"),
    (7224, "7224 is Amazon's public ASN"),
]


@pytest.mark.parametrize("number,fragment", VGW, ids=[str(v[0]) for v in VGW])
def test_vpn_gateway_asn_rule(number, fragment):
    problem = asn.vpn_gateway_asn_problem(number)
    if fragment is None:
        assert problem is None
    else:
        assert fragment in problem


@pytest.mark.parametrize("number,field", [
    (65034, "BgpAsn"), (2147483647, "BgpAsn"), (2147483648, "BgpAsnExtended"), (4294967295, "BgpAsnExtended")])
def test_large_customer_gateway_asns_go_in_bgp_asn_extended(number, field):
    assert asn.customer_gateway_asn_fields(number) == {field: number}


def test_the_plan_publishes_both_asns_once_with_the_original_labs_defaults():
    p = plan()
    assert (p["aws"]["customer_gateway_asn"], p["aws"]["vpn_gateway_asn"]) == (65034, 64512)
    p = plan(aws_customer_gateway_asn="4200000001", aws_vpn_gateway_asn="65001")
    assert (p["aws"]["customer_gateway_asn"], p["aws"]["vpn_gateway_asn"]) == (4200000001, 65001)


PLAN_REFUSED = [
    ("cgw-reserved", {"aws_customer_gateway_asn": 7224},
     "vpnlab_aws_customer_gateway_asn=7224: 7224 is reserved by AWS"),
    ("cgw-regional", {"aws_customer_gateway_asn": 9059, "aws_region": "eu-west-1"},
     "vpnlab_aws_customer_gateway_asn=9059: is reserved by AWS in eu-west-1"),
    ("cgw-range", {"aws_customer_gateway_asn": 0},
     "vpnlab_aws_customer_gateway_asn=0: must be a whole number from 1 to 4294967295"),
    ("cgw-text", {"aws_customer_gateway_asn": "AS65034"},
     "vpnlab_aws_customer_gateway_asn='AS65034': must be a whole number"),
    ("vgw-range", {"aws_vpn_gateway_asn": 65535},
     "vpnlab_aws_vpn_gateway_asn=65535: must be a private ASN from 64512 to 65534 or 4200000000 to 4294967294"),
    ("vgw-amazon", {"aws_vpn_gateway_asn": 7224}, "vpnlab_aws_vpn_gateway_asn=7224: "),
    ("equal", {"aws_customer_gateway_asn": 64512},
     "vpnlab_aws_customer_gateway_asn=64512: equals vpnlab_aws_vpn_gateway_asn"),
]


@pytest.mark.parametrize("params,message", [r[1:] for r in PLAN_REFUSED], ids=[r[0] for r in PLAN_REFUSED])
def test_the_plan_refuses_a_bad_asn_naming_it(params, message):
    found = problems(**params)
    assert len(found) == 1 and found[0].startswith(message), found


def test_every_asn_problem_at_once():
    found = problems(aws_customer_gateway_asn=7224, aws_vpn_gateway_asn=1)
    assert [p.split("=")[0] for p in found] == ["vpnlab_aws_customer_gateway_asn", "vpnlab_aws_vpn_gateway_asn"]

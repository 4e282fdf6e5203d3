# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Admin CIDRs cannot open the world (issue 13): no CIDR shorter than /8, no list whose union
covers more than 2^24 addresses, unless vpnlab_allow_open_admin; the cloud security rules (the
AWS security group, the Azure NSG) apply the same rule to what they admit."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws.plan import security_group_rules
from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.nsg import nsg_rules
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.plan import LocalTarget
from ansible_collections.multicloud.vpnlab.plugins.module_utils.peers import PeerError, admin_sources
from ansible_collections.multicloud.vpnlab.plugins.module_utils.admin import ADMIN_MAX_ADDRESSES, admin_breadth_problems
from ansible_collections.multicloud.vpnlab.plugins.module_utils.plan import PlanError, build_plan

TODAY = datetime.date(2026, 11, 25)
HOST = ["127.0.0.1/8", "192.0.2.0/24"]
# Like the finding (seven CIDRs covering most of IPv4, each one accepted), clear of the
# lab's own networks and of link-local, which are refused on their own: about 69% of IPv4.
SEVEN = ["64.0.0.0/2", "32.0.0.0/3", "128.0.0.0/3", "16.0.0.0/4", "176.0.0.0/4",
         "208.0.0.0/4", "1.0.0.0/8"]


def plan(**params):
    return build_plan(params, {"local": LocalTarget(HOST)}, today=TODAY, state_root="/st")


def problems(**params):
    with pytest.raises(PlanError) as err:
        plan(**params)
    return err.value.problems


ACCEPTED = [
    # (id, admin_cidrs, allow_open_admin)
    ("one-host", ["203.0.113.7/32"], False),
    ("a-slash-8", ["1.0.0.0/8"], False),
    ("slash-8-and-a-host-inside", ["1.0.0.0/8", "1.2.3.4/32"], False),
    ("overlaps-merge-to-2-24", ["1.0.0.0/9", "1.128.0.0/9", "1.0.0.0/8"], False),
    ("two-slash-9-apart", ["1.0.0.0/9", "3.0.0.0/9"], False),
    ("world-with-opt-in", ["0.0.0.0/0"], True),
    ("slash-7-with-opt-in", ["2.0.0.0/7"], True),
    ("seven-with-opt-in", SEVEN, True),
    ("empty", [], False),
]


@pytest.mark.parametrize("cidrs,allow", [a[1:] for a in ACCEPTED], ids=[a[0] for a in ACCEPTED])
def test_accepted_admin_cidrs(cidrs, allow):
    assert plan(admin_cidrs=cidrs, allow_open_admin=allow)["admin_cidrs"] == cidrs


REFUSED = [
    # (id, admin_cidrs, problems: (start, fragment) each, in order)
    ("world", ["0.0.0.0/0"], [("vpnlab_admin_cidrs[0]='0.0.0.0/0'",
                               "admits 4,294,967,296 addresses (/0)")]),
    ("slash-7", ["2.0.0.0/7"], [("vpnlab_admin_cidrs[0]='2.0.0.0/7'",
                                 "admits 33,554,432 addresses (/7), more than a /8")]),
    ("slash-2", ["198.18.7.0/24", "64.0.0.0/2"],
     [("vpnlab_admin_cidrs[1]='64.0.0.0/2'", "admits 1,073,741,824 addresses (/2)")]),
    ("seven", SEVEN, [("vpnlab_admin_cidrs[%d]='%s'" % (i, c), "more than a /8")
                      for i, c in enumerate(SEVEN[:-1])]),
    ("two-slash-8", ["1.0.0.0/8", "3.0.0.0/8"],
     [("vpnlab_admin_cidrs=['1.0.0.0/8', '3.0.0.0/8']",
       "together admit 33,554,432 addresses (overlaps merged: 1.0.0.0/8, 3.0.0.0/8), more than "
       "16,777,216 (2^24, one /8)")]),
    ("slash-8-and-one-more-host", ["1.0.0.0/8", "2.0.0.1/32"],
     [("vpnlab_admin_cidrs=", "together admit 16,777,217 addresses")]),
]


@pytest.mark.parametrize("cidrs,expected", [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_refused_admin_cidrs_name_the_cidr_and_the_size(cidrs, expected):
    found = problems(admin_cidrs=cidrs)
    assert len(found) == len(expected), found
    for problem, (start, fragment) in zip(found, expected):
        assert problem.startswith(start) and fragment in problem, problem
        assert "vpnlab_allow_open_admin=true" in problem


def test_the_refusal_names_the_opt_in_for_both_targets():
    cloud = problems(target="cloud", admin_cidrs=["2.0.0.0/7"], azure_gateway_public_ip="198.51.100.10")
    assert any(p.startswith("vpnlab_admin_cidrs[0]='2.0.0.0/7'") for p in cloud), cloud


def test_ipv6_admin_cidrs_stay_refused():
    found = problems(admin_cidrs=["2001:db8::/32"])
    assert found == ["vpnlab_admin_cidrs[0]='2001:db8::/32': must be an IPv4 network in CIDR "
                     "notation, like 10.1.0.0/16"]


def test_plan_says_whether_open_admin_was_allowed():
    assert plan(admin_cidrs=["0.0.0.0/0"], allow_open_admin=True)["admin_open_allowed"] is True
    assert plan(admin_cidrs=["198.18.7.0/24"])["admin_open_allowed"] is False


BREADTH = [
    # (networks, problems as (index or None, fragment))
    (["10.0.0.0/8"], []),
    (["0.0.0.0/7"], [(0, "33,554,432")]),
    (["1.0.0.0/8", "1.0.0.0/8"], []),
    (["1.0.0.0/8", "2.0.0.0/8"], [(None, "33,554,432")]),
    # One CIDR too wide already says so: the union is not named again.
    (["0.0.0.0/7", "9.0.0.0/8"], [(0, "33,554,432")]),
]


@pytest.mark.parametrize("cidrs,expected", BREADTH, ids=[",".join(b[0]) for b in BREADTH])
def test_breadth_rule_table(cidrs, expected):
    import ipaddress
    found = admin_breadth_problems([ipaddress.ip_network(c) for c in cidrs])
    assert [index for index, dummy in found] == [index for index, dummy in expected]
    for (dummy, rule), (dummy2, fragment) in zip(found, expected):
        assert fragment in rule


def test_the_limit_is_one_slash_8():
    assert ADMIN_MAX_ADDRESSES == 2 ** 24


@pytest.mark.parametrize("cidrs", [["0.0.0.0/0"], ["2.0.0.0/7"], ["1.0.0.0/8", "3.0.0.0/8"], SEVEN])
def test_security_rules_refuse_what_the_plan_refuses(cidrs):
    with pytest.raises(PeerError, match="vpnlab_allow_open_admin"):
        admin_sources(cidrs)
    with pytest.raises(PeerError):
        security_group_rules(cidrs, "10.1.0.0/16")
    with pytest.raises(PeerError):
        nsg_rules(cidrs, "10.2.0.0/16", {})


def test_security_rules_admit_the_world_only_when_allowed():
    rules = security_group_rules(["0.0.0.0/0"], "10.1.0.0/16", allow_open=True)
    assert "0.0.0.0/0" in rules[0]["cidr_ip"]
    nsg = nsg_rules(["0.0.0.0/0"], "10.2.0.0/16", {}, allow_open=True)
    assert "0.0.0.0/0" in nsg[0]["source_address_prefix"]


def test_security_rules_refuse_what_is_no_ipv4_network():
    with pytest.raises(PeerError, match="IPv4"):
        admin_sources(["2001:db8::/32"])
    with pytest.raises(PeerError):
        admin_sources(["my laptop"])


def test_cloud_plan_rules_take_the_validated_list():
    p = build_plan({"target": "cloud", "admin_cidrs": ["1.0.0.0/8"],
                    "azure_gateway_public_ip": "198.51.100.10"},
                   {"local": LocalTarget(HOST), "cloud": _cloud()}, today=TODAY)
    assert p["cloud"]["aws"]["security_group_rules"][0]["cidr_ip"] == ["1.0.0.0/8", "10.1.0.0/16"]


def _cloud():
    from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws.plan import AwsPart
    from ansible_collections.multicloud.vpnlab.plugins.module_utils.targets import CloudTarget
    return CloudTarget([AwsPart()])

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWS's fact sheet: its rules as tables."""

from __future__ import annotations

import ipaddress

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws.spec import (
    DEFAULT_OPTIONS, DPD_DEFAULT_SECONDS, DPD_MIN_SECONDS, FIELDS, REGION_RE, filter_list, inside_cidr_problem,
    managed_filters, names, tag_filters)


@pytest.mark.parametrize("cidr, problem", [
    ("169.254.21.0/30", None),
    ("169.254.169.248/30", None),
    ("169.254.21.0/29", "must be a /30 inside 169.254.0.0/16 (AWS's rule)"),
    ("10.0.0.0/30", "must be a /30 inside 169.254.0.0/16 (AWS's rule)"),
    ("169.254.0.0/30", "is reserved by AWS"),
    ("169.254.5.0/30", "is reserved by AWS"),
    ("169.254.169.252/30", "is reserved by AWS"),
])
def test_inside_cidr_problem(cidr, problem):
    got = inside_cidr_problem(ipaddress.ip_network(cidr))
    assert got == problem if problem is None else got.startswith(problem)


def test_tag_filters_in_both_forms_select_on_both_tags():
    assert tag_filters("lab1") == {"tag:vpnlab": "lab1", "tag:managed_by": "multicloud.vpnlab"}
    assert filter_list(tag_filters("lab1")) == [{"Name": "tag:vpnlab", "Values": ["lab1"]},
                                                {"Name": "tag:managed_by", "Values": ["multicloud.vpnlab"]}]
    assert filter_list(managed_filters()) == [{"Name": "tag:managed_by", "Values": ["multicloud.vpnlab"]}]


def test_dpd_default_is_the_minimum_and_the_tunnel_default():
    assert DPD_DEFAULT_SECONDS == DPD_MIN_SECONDS == DEFAULT_OPTIONS["dpd_timeout_seconds"]


@pytest.mark.parametrize("option, request_key, response_key", [
    ("dpd_timeout_seconds", "DPDTimeoutSeconds", "DpdTimeoutSeconds"),
    ("ike_versions", "IKEVersions", "IkeVersions"),
    ("phase1_dh_group_numbers", "Phase1DHGroupNumbers", "Phase1DHGroupNumbers"),
])
def test_spellings(option, request_key, response_key):
    assert FIELDS[option][:2] == (request_key, response_key)


@pytest.mark.parametrize("region, ok", [("eu-central-1", True), ("us-gov-west-1", True), ("eu-central", False),
                                        ("eu-central-1\n", False)])
def test_region_names(region, ok):
    assert bool(REGION_RE.fullmatch(region)) is ok


def test_names():
    assert names("lab1")["customer_gateway"] == "lab1-cgw-azure" and names("lab1")["key_pair"] == "lab1-key"

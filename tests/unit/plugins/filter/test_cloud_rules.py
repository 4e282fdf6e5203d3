# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The filters that give the tasks the rules depending on the VMs' public IPs."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.multicloud.vpnlab.plugins.filter.cloud_rules import FilterModule, aws_peer_rules, azure_nsg_rules

PLAN = {"admin_cidrs": ["198.18.7.0/24"], "aws": {"vpc_cidr": "10.2.0.0/16"}}


def test_the_filters_are_registered():
    assert set(FilterModule().filters()) == {"aws_peer_rules", "azure_nsg_rules"}


def test_aws_peer_rules():
    rules = aws_peer_rules({"aws": ["3.3.3.3"], "azure": ["20.1.1.1"]})
    assert [(r["proto"], r.get("ports"), r["cidr_ip"]) for r in rules] == [
        ("icmp", None, ["20.1.1.1/32"]), ("tcp", [5202], ["20.1.1.1/32"])]


def test_azure_nsg_rules():
    rules = azure_nsg_rules(PLAN, {"aws": ["3.3.3.3"], "azure": ["20.1.1.1"]})
    assert [r["name"] for r in rules] == ["ssh-from-admins-and-aws", "icmp-from-admins-and-aws", "icmp-from-lab-vms"]


@pytest.mark.parametrize("call,match", [
    (lambda: aws_peer_rules(["3.3.3.3"]), "must be a dict"),
    (lambda: aws_peer_rules({"aws": ["3.3.3.3"], "azure": ["nope"]}), "not an IPv4 address"),
    (lambda: azure_nsg_rules({}, {"azure": []}), "not a lab plan"),
    (lambda: azure_nsg_rules(PLAN, {"azure": ["20.1.1.1"], "aws": ["0.0.0.0"]}), "not a VM's public IP"),
])
def test_bad_input_is_a_filter_error(call, match):
    with pytest.raises(AnsibleFilterError, match=match):
        call()


def test_the_nsg_admits_no_more_than_the_plan_allowed():
    wide = dict(PLAN, admin_cidrs=["1.0.0.0/8", "3.0.0.0/8"])
    with pytest.raises(AnsibleFilterError, match="together admit 33,554,432 addresses"):
        azure_nsg_rules(wide, {"aws": [], "azure": []})
    opened = azure_nsg_rules(dict(wide, admin_open_allowed=True), {"aws": [], "azure": []})
    assert opened[0]["source_address_prefix"][:2] == ["1.0.0.0/8", "3.0.0.0/8"]

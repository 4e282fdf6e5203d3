# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cloud lab's cost estimate and the prerequisites named before a cloud build."""

from __future__ import annotations

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils import cost, preflight
from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws import cost as aws_cost
from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure import cost as azure_cost


def default_lab():
    return {"aws": aws_cost.cost_rows(1, "t3.micro"), "azure": azure_cost.cost_rows(2, "Standard_B1s", "VpnGw1AZ")}


def test_the_default_lab_costs_about_half_a_dollar_an_hour():
    result = cost.estimate(default_lab(), "2025-06")
    # VpnGw1AZ 0.361 + VPN connection 0.05 + 3 VMs, 3 disks, 4 public IPs.
    assert result["usd_per_hour"] == pytest.approx(0.361 + 0.005 + 2 * (0.0104 + 0.0021 + 0.005)
                                                   + 0.05 + 0.0104 + 0.0009 + 0.005, abs=0.001)
    assert 0.4 < result["usd_per_hour"] < 0.6 and result["usd_per_day"] == pytest.approx(result["usd_per_hour"] * 24, abs=0.02)
    assert result["unpriced"] == []
    assert result["text"][0].startswith("Estimated cost") and "an estimate, not a quote" in result["text"][0]
    assert any("VPN gateway VpnGw1AZ" in line for line in result["text"])
    assert result["text"][-1].startswith("  total: USD")


def test_the_bgp_design_adds_a_vpn_connection_and_a_gateway_ip():
    """Two AWS VPN connections (one per Azure instance) and two gateway IPs; the active-active
    gateway costs as the single one. README's Static or BGP table says the same: USD 0.055 an hour."""
    static = cost.estimate(default_lab(), "2025-06")["usd_per_hour"]
    bgp = cost.estimate({"aws": aws_cost.cost_rows(1, "t3.micro", 2),
                         "azure": azure_cost.cost_rows(2, "Standard_B1s", "VpnGw1AZ", 2)}, "2025-06")
    assert bgp["usd_per_hour"] - static == pytest.approx(0.05 + 0.005, abs=0.0011)
    assert ("Site-to-Site VPN connection (2 tunnels)", 2) in [(r["item"], r["count"]) for r in bgp["rows"]]
    assert ("Standard public IP (VPN gateway)", 2) in [(r["item"], r["count"]) for r in bgp["rows"]]


@pytest.mark.parametrize("rows, unpriced", [
    ({"azure": azure_cost.cost_rows(2, "Standard_B1s", "VpnGw3AZ")}, ["azure: VPN gateway VpnGw3AZ"]),
    ({"aws": aws_cost.cost_rows(1, "m7i.large")}, ["aws: EC2 instance m7i.large"]),
])
def test_an_unpriced_item_makes_the_total_a_lower_bound(rows, unpriced):
    result = cost.estimate(rows, "2025-06")
    assert result["unpriced"] == unpriced
    assert "total: at least USD" in result["text"][-2]
    assert result["text"][-1].startswith("  not priced here")


def test_emulated_clouds_cost_nothing():
    result = cost.estimate({}, "2025-06")
    assert result["usd_per_hour"] == 0 and result["rows"] == []
    assert result["text"] == ["Estimated cost: nothing, every cloud of this run is emulated."]


def test_items_without_a_count_are_left_out():
    result = cost.estimate({"aws": aws_cost.cost_rows(0, "t3.micro")}, "2025-06")
    assert [row["item"] for row in result["rows"]] == ["Site-to-Site VPN connection (2 tunnels)"]


READY = {"aws": {"needed": True, "credentials": "env"},
         "azure": {"needed": True, "sdk_missing": [], "credentials": "environment (service principal)",
                   "subscription": "0000"}}


@pytest.mark.parametrize("change, expected", [
    ({}, []),
    ({"aws": {"needed": True, "credentials": None}}, ["AWS: no credentials found"]),
    ({"aws": {"needed": True, "boto3": "No module named 'boto3'"}},
     ["AWS: boto3/botocore cannot be imported"]),
    ({"aws": {"needed": True, "credentials_error": "The config profile (x) could not be found"}},
     ["AWS: the credentials cannot be read (The config profile (x)"]),
    ({"azure": {"needed": True, "sdk_missing": ["azure.mgmt.network"], "credentials": None, "subscription": None}},
     ["Azure: the Azure SDK is missing (azure.mgmt.network)", "Azure: no credentials found",
      "Azure: no subscription chosen"]),
    ({"azure": {"needed": False}}, []),
    # Nothing at all: AWS and Azure are both named, in one run.
    ({"aws": {"needed": True}, "azure": {"needed": True, "sdk_missing": ["azure.identity"]}},
     ["AWS: no credentials found", "Azure: the Azure SDK is missing", "Azure: no credentials found",
      "Azure: no subscription chosen"]),
])
def test_every_missing_prerequisite_is_named_at_once(change, expected):
    found = preflight.problems(dict(READY, **change))
    assert len(found) == len(expected)
    for entry, start in zip(found, expected):
        assert entry["what"].startswith(start)
        assert "README.md" in entry["fix"]


def test_the_message_says_nothing_was_created_and_what_to_do():
    text = preflight.message(preflight.problems({"aws": {"needed": True}, "azure": {"needed": True}}))
    assert text.splitlines()[0] == "3 cloud prerequisite(s) missing, nothing was created:"
    assert all(". To do: " in line for line in text.splitlines()[1:])

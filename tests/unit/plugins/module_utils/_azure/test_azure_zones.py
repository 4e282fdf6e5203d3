# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Azure gateway's public IP zones from the region's availability zones (ARM's list)."""

from __future__ import annotations

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.zones import (
    gateway_ip_zones, region_zones,
)

SDK = [  # as the SDK's Location.as_dict() gives them
    {"name": "westeurope", "availability_zone_mappings": [
        {"logical_zone": "2", "physical_zone": "westeurope-az3"},
        {"logical_zone": "1", "physical_zone": "westeurope-az1"},
        {"logical_zone": "3", "physical_zone": "westeurope-az2"}]},
    {"name": "ukwest"},
    {"name": "westcentralus", "availability_zone_mappings": []},
]
ARM = [{"name": "swedencentral", "availabilityZoneMappings": [{"logicalZone": "1"}, {"logicalZone": "2"}]}]


@pytest.mark.parametrize("locations, region, expected", [
    (SDK, "westeurope", (True, ["1", "2", "3"])),
    (SDK, "WestEurope", (True, ["1", "2", "3"])),
    (SDK, "ukwest", (True, [])),
    (SDK, "westcentralus", (True, [])),
    (SDK, "marsnorth", (False, [])),
    (ARM, "swedencentral", (True, ["1", "2"])),
    (None, "westeurope", (False, [])),
])
def test_region_zones(locations, region, expected):
    assert region_zones(locations, region) == expected


NO_ZONES_NOTE = ("Azure region ukwest has no availability zones: the gateway's Standard public IP is "
                 "regional (no zones) and the VpnGw1AZ gateway has no zone redundancy (Azure accepts "
                 "AZ SKUs in every region since May 2025)")

CASES = [
    # name, region, found, region's zones, azure_gateway_zones, (zones, problem or note start)
    ("default: all the region's zones", "westeurope", True, ["1", "2", "3"], [],
     {"zones": ["1", "2", "3"], "problem": None, "note": None}),
    ("given zones of the region", "westeurope", True, ["1", "2", "3"], ["2"],
     {"zones": ["2"], "problem": None, "note": None}),
    ("a region without zones: regional, said", "ukwest", True, [], [],
     {"zones": [], "problem": None, "note": NO_ZONES_NOTE}),
    ("zones given in a region without zones", "ukwest", True, [], ["1"],
     {"zones": [], "note": None, "problem":
      "Azure region ukwest has no availability zones, so a zonal public IP fails there "
      "(LocationNotSupportAvailabilityZones): leave azure_gateway_zones empty for a regional "
      "public IP (Azure accepts the VpnGw1AZ gateway in a region without zones since May 2025, "
      "without zone redundancy), or choose a region with zones"}),
    ("a zone the region lacks", "swedencentral", True, ["1", "2"], ["1", "3"],
     {"zones": [], "note": None, "problem":
      "zone 3 of azure_gateway_zones is not a zone of Azure region swedencentral (its zones: 1, 2)"}),
    ("zones the region lacks", "westeurope", True, ["1", "2", "3"], ["4", "5"],
     {"zones": [], "note": None, "problem":
      "zones 4, 5 of azure_gateway_zones are not zones of Azure region westeurope (its zones: 1, 2, 3)"}),
]


@pytest.mark.parametrize("name, region, found, zones, wanted, expected", CASES, ids=[c[0] for c in CASES])
def test_gateway_ip_zones(name, region, found, zones, wanted, expected):
    assert gateway_ip_zones(region, found, zones, wanted) == expected


def test_a_region_the_subscription_lacks_is_named_with_some_it_has():
    regions = ["r%02d" % n for n in range(12)]
    result = gateway_ip_zones("marsnorth", False, [], [], subscription="sub-1", regions=regions)
    assert result["zones"] == [] and result["problem"] == (
        "Azure region marsnorth is not a location of subscription sub-1, so nothing can be built "
        "there (it lists r00, r01, r02, r03, r04, r05, r06, r07 and 4 more): check "
        "vpnlab_azure_region (az account list-locations)")

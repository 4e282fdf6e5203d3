# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Azure's fact sheet: its rules as tables."""

from __future__ import annotations

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.spec import (
    ADMIN_USER, DPD_DEFAULT_SECONDS, DPD_RANGE_SECONDS, REGION_RE, names, region_short)


def test_the_dpd_default_is_within_azures_range():
    low, high = DPD_RANGE_SECONDS
    assert low <= DPD_DEFAULT_SECONDS <= high


@pytest.mark.parametrize("region, short", [("westeurope", "euwe"), ("eastus2", "use2"), ("newregion", "newregion")])
def test_region_short(region, short):
    assert region_short(region) == short


@pytest.mark.parametrize("region, ok", [("westeurope", True), ("eu", False), ("West-Europe", False)])
def test_region_names(region, ok):
    assert bool(REGION_RE.fullmatch(region)) is ok


def test_names_and_user():
    got = names("lab1", "westeurope", "dev", "ann")
    assert (got["resource_group"], got["gateway"], got["subnet_gateway"]) == ("rg-euwe-dev-ann-lab1", "vpng-lab1", "GatewaySubnet")
    assert ADMIN_USER == "azureuser"

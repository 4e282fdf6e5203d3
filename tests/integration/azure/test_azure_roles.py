# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Azure roles' cloud tasks on the Azure TEST DOUBLE: the gateway's wait (progress lines,
bounded), the drift check that covers azure_rm_virtualnetworkgateway's blind spots, and the
resource group guard of build and teardown. The whole Azure half (idempotence, recorded requests,
teardown twice) is the molecule scenario extensions/molecule/azure_double."""

from __future__ import annotations

import re

import pytest

from playbooks import play

LAB = "azroles"
GROUP = "rg-euwe-dev-student-azroles"
INPUTS = {"vpnlab_name": LAB, "vpnlab_target": "cloud", "vpnlab_admin_cidrs": ["198.18.7.0/24"],
          "azure_gateway_poll_seconds": 1, "teardown_azure_poll_seconds": 1}
PLAN = {"name": "plan", "ansible.builtin.include_role": {"name": "multicloud.vpnlab.plan"}}
STATE = {"name": "state", "ansible.builtin.include_role": {"name": "multicloud.vpnlab.lab_host", "tasks_from": "state_dir"}}
GATEWAY = {"name": "gateway", "ansible.builtin.include_role": {"name": "multicloud.vpnlab.azure_gateway"}}
DRIFT = {"name": "drift", "ansible.builtin.include_role": {"name": "multicloud.vpnlab.azure_gateway", "tasks_from": "drift"}}
WAIT = {"name": "wait", "ansible.builtin.include_role": {"name": "multicloud.vpnlab.azure_gateway", "tasks_from": "wait"}}
TEARDOWN = {"name": "teardown", "ansible.builtin.include_role": {"name": "multicloud.vpnlab.teardown"}}
PROGRESS = re.compile(r"VPN gateway vpng-%s (Updating|Succeeded): [0-9.]+ min of about 35 min expected" % LAB)


@pytest.fixture
def lab(fresh, tmp_path):
    """Runs the given tasks after the plan, as the cloud target, in the double's namespace."""
    def run(tasks, **extra):
        return play(fresh, [PLAN, STATE] + tasks, dict(INPUTS, **extra), json_output=False,
                    env={"VPNLAB_HOME": str(tmp_path / "home")})
    run.double = fresh
    return run


def test_the_wait_prints_a_progress_line_per_look_until_the_gateway_is_there(lab):
    lab.double.control("config", {"gateway_delay": 12})
    result = lab([GATEWAY, WAIT])
    assert result.rc == 0, result.output
    states = PROGRESS.findall(result.output)
    assert "Updating" in states and states[-1] == "Succeeded" and states.count("Succeeded") == 1
    assert "vpng-%s (VpnGw1AZ, Generation1) started" % LAB in " ".join(result.output.split())


def test_the_wait_gives_up_after_its_timeout(lab):
    lab.double.control("config", {"gateway_delay": 600})
    result = lab([GATEWAY, WAIT], azure_gateway_wait_timeout_minutes=0)
    assert result.rc != 0
    assert "is not ready after 0 minutes" in " ".join(result.output.split())


def test_drift_stops_on_a_gateway_the_stock_module_would_keep(lab):
    first = lab([GATEWAY, WAIT], azure_gateway_sku="VpnGw2AZ", azure_gateway_generation="Generation1")
    assert first.rc == 0, first.output
    # VpnGw2AZ picks Generation2 by default: the stock module sees the same SKU and changes nothing.
    again = lab([GATEWAY, DRIFT], azure_gateway_sku="VpnGw2AZ")
    assert again.rc != 0
    text = " ".join(again.output.split())
    assert "exists with generation Generation1 (planned Generation2)" in text
    unchanged = lab([GATEWAY, DRIFT], azure_gateway_sku="VpnGw2AZ", azure_gateway_generation="Generation1")
    assert unchanged.rc == 0, unchanged.output


def test_a_resource_group_of_the_labs_name_that_is_not_the_labs_is_neither_used_nor_deleted(lab, clients):
    clients["resource"].resource_groups.create_or_update(GROUP, {"location": "westeurope", "tags": {"vpnlab": LAB}})
    mark = len(lab.double.requests())
    build = lab([GATEWAY])
    assert build.rc != 0
    assert "exists but does not carry lab %s's tags" % LAB in " ".join(build.output.split())
    writes = [r for r in lab.double.requests()[mark:] if r["method"] in ("PUT", "PATCH", "DELETE")]
    assert writes == []
    down = lab([TEARDOWN], teardown_clouds=["azure"])
    assert down.rc == 0, down.output
    assert "exists but is not lab %s" % LAB in " ".join(down.output.split()), down.output
    assert clients["resource"].resource_groups.check_existence(GROUP)


def test_teardown_deletes_the_group_with_progress_then_finds_nothing_twice(lab, clients):
    assert lab([GATEWAY, WAIT]).rc == 0
    lab.double.control("config", {"group_delete_delay": 4})
    down = lab([TEARDOWN], teardown_clouds=["azure"])
    assert down.rc == 0, down.output
    text = " ".join(down.output.split())
    assert re.search(r"Resource group %s Deleting: [0-9.]+ min" % GROUP, text)
    assert re.search(r"Resource group %s deleted: [0-9.]+ min" % GROUP, text)
    assert "No Azure resource of lab %s is left" % LAB in text
    assert not clients["resource"].resource_groups.check_existence(GROUP)
    again = lab([TEARDOWN], teardown_clouds=["azure"])
    assert again.rc == 0 and "(nothing to delete)" in " ".join(again.output.split())


# --- the region's availability zones, looked up before anything is created --------------------

def writes_since(double, mark):
    return [r for r in double.requests()[mark:] if r["method"] in ("PUT", "PATCH", "DELETE")]


def test_the_gateway_ip_takes_the_regions_zones(lab, clients):
    build = lab([GATEWAY, WAIT])
    assert build.rc == 0, build.output
    assert clients["network"].public_ip_addresses.get(GROUP, "pip-%s-vpngw" % LAB).zones == ["1", "2", "3"]


def test_a_region_without_zones_gets_a_regional_gateway_ip_and_says_so(lab, clients):
    build = lab([GATEWAY, WAIT], vpnlab_azure_region="ukwest")
    assert build.rc == 0, build.output
    group = "rg-ukwe-dev-student-%s" % LAB
    assert not clients["network"].public_ip_addresses.get(group, "pip-%s-vpngw" % LAB).zones
    assert clients["network"].virtual_network_gateways.get(group, "vpng-%s" % LAB).sku.name == "VpnGw1AZ"
    assert "ukwest has no availability zones" in " ".join(build.output.split())


@pytest.mark.parametrize("extra, problem", [
    ({"vpnlab_azure_region": "ukwest", "azure_gateway_zones": ["1"]},
     "Azure region ukwest has no availability zones, so a zonal public IP fails there "
     "(LocationNotSupportAvailabilityZones)"),
    ({"azure_gateway_zones": ["1", "4"]},
     "zone 4 of azure_gateway_zones is not a zone of Azure region westeurope (its zones: 1, 2, 3)"),
    ({"vpnlab_azure_region": "marsnorth"},
     "Azure region marsnorth is not a location of subscription"),
])
def test_zones_or_a_region_azure_cannot_host_stop_the_build_before_anything_is_created(lab, extra, problem):
    mark = len(lab.double.requests())
    build = lab([GATEWAY], **extra)
    assert build.rc != 0
    assert problem in " ".join(build.output.split()), build.output
    assert writes_since(lab.double, mark) == []

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Azure VMs' resource names come from the plan (plan["cloud"]["azure"]["vms"])."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws.plan import AwsPart
from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.plan import AzurePart
from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.vms import vm_resources
from ansible_collections.multicloud.vpnlab.plugins.module_utils.plan import build_plan
from ansible_collections.multicloud.vpnlab.plugins.module_utils.targets import CloudTarget


@pytest.mark.parametrize("vms, expected", [
    ([], {}),
    ([{"name": "vm1", "cloud": "azure", "resource_name": "vpntest-vm1"}],
     {"vm1": {"public_ip": "pip-vpntest-vm1", "nic": "nic-vpntest-vm1"}}),
    ([{"name": "vm1", "cloud": "azure", "resource_name": "lab-2-vm1"},
      {"name": "vm3", "cloud": "aws", "resource_name": "lab-2-vm3"},
      {"name": "vm2", "cloud": "azure", "resource_name": "lab-2-vm2"}],
     {"vm1": {"public_ip": "pip-lab-2-vm1", "nic": "nic-lab-2-vm1"},
      "vm2": {"public_ip": "pip-lab-2-vm2", "nic": "nic-lab-2-vm2"}}),
])
def test_vm_resources(vms, expected):
    assert vm_resources(vms) == expected


def test_the_plan_names_every_azure_vms_resources():
    params = {"target": "cloud", "admin_cidrs": ["198.18.7.0/24"]}
    plan = build_plan(params, {"cloud": CloudTarget([AzurePart(), AwsPart()])}, today=datetime.date(2026, 11, 25))
    azure_vms = [vm for vm in plan["vms"] if vm["cloud"] == "azure"]
    assert azure_vms and sorted(plan["cloud"]["azure"]["vms"]) == sorted(vm["name"] for vm in azure_vms)
    for vm in azure_vms:
        expected = {"public_ip": "pip-" + vm["resource_name"], "nic": "nic-" + vm["resource_name"]}
        assert plan["cloud"]["azure"]["vms"][vm["name"]] == expected

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Azure VMs as vms.json records, and which resources are the lab's."""

from __future__ import annotations

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.inventory import vm_records
from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.resources import (
    group_verdict, is_labs, lab_resources, tag_filter,
)

LAB_TAGS = {"vpnlab": "lab1", "managed_by": "multicloud.vpnlab"}
NIC = {"id": "/s/rg/nic-vm1", "ip_configurations": [
    {"primary": True, "private_ip_address": "10.1.1.10", "public_ip_address": {"id": "/S/RG/PIP-VM1"}}]}
PIP = {"id": "/s/rg/pip-vm1", "ip_address": "198.51.100.20"}


def vm(name="lab1-vm1", tags=None, nic="/s/rg/nic-vm1"):
    return {"name": name, "vm_id": "uuid", "provisioning_state": "Succeeded",
            "tags": dict(LAB_TAGS, vpnlab_vm="vm1") if tags is None else tags,
            "network_profile": {"network_interfaces": [{"id": nic}]}}


def test_a_lab_vm_becomes_a_record_with_the_same_hostvars_as_local():
    (record,) = vm_records([vm()], [NIC], [PIP], "lab1", "/state/lab1")
    assert {k: record[k] for k in ("name", "cloud", "private_ip", "public_ip", "resource_name")} == {
        "name": "vm1", "cloud": "azure", "private_ip": "10.1.1.10", "public_ip": "198.51.100.20",
        "resource_name": "lab1-vm1"}
    conn = record["connection"]
    assert conn["ansible_host"] == "198.51.100.20" and conn["ansible_user"] == "azureuser"
    assert conn["ansible_ssh_private_key_file"] == "/state/lab1/id_ed25519"
    assert "UserKnownHostsFile=/state/lab1/known_hosts" in conn["ansible_ssh_common_args"]


@pytest.mark.parametrize("other", [
    vm(tags={"vpnlab": "lab1", "vpnlab_vm": "vm1"}),               # not managed by the collection
    vm(tags=dict(LAB_TAGS, vpnlab="lab2", vpnlab_vm="vm1")),       # another lab
    vm(tags=dict(LAB_TAGS)),                                       # no vpnlab_vm tag
])
def test_other_vms_are_not_listed(other):
    assert vm_records([other], [NIC], [PIP], "lab1", "/s") == []


def test_a_vm_without_a_public_ip_is_reached_on_its_private_one():
    nic = {"id": "/s/rg/nic-vm1", "ip_configurations": [{"private_ip_address": "10.1.1.10"}]}
    (record,) = vm_records([vm()], [nic], [], "lab1", "/s")
    assert record["public_ip"] is None and record["connection"]["ansible_host"] == "10.1.1.10"


def test_lab_resources_need_both_tags():
    groups = [{"id": "/g1", "name": "rg", "tags": LAB_TAGS}, {"id": "/g2", "name": "rg2", "tags": {"vpnlab": "lab1"}}]
    resources = [{"id": "/g1/p/b", "name": "b", "type": "T", "tags": LAB_TAGS},
                 {"id": "/g1/p/a", "name": "a", "type": "T", "tags": dict(LAB_TAGS, vpnlab="lab2")}]
    assert [r["id"] for r in lab_resources(groups, resources, "lab1")] == ["/g1", "/g1/p/b"]


@pytest.mark.parametrize("group, ok, reason", [
    (None, False, "absent"),
    ({"name": "rg", "tags": LAB_TAGS}, True, "the lab's"),
    ({"name": "rg", "tags": {"vpnlab": "lab1"}}, False, "not lab lab1's"),
    ({"name": "rg"}, False, "not deleted"),
])
def test_group_verdict(group, ok, reason):
    verdict = group_verdict(group, "lab1")
    assert verdict[0] is ok and reason in verdict[1]
    assert is_labs(group, "lab1") is ok


def test_tag_filter_quotes():
    assert tag_filter("lab1") == "tagName eq 'vpnlab' and tagValue eq 'lab1'"

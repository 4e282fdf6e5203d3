# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters from the inventory's lab VMs to the connectivity check's probe targets."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.multicloud.vpnlab.plugins.filter.lab import FilterModule, bindep_packages, lab_vms, probe_targets

# Host variables as the multicloud.vpnlab.lab inventory plugin sets them (plus unrelated ones).
HOSTVARS = {
    "vpntest-vm3": {"vpnlab_vm_name": "vm3", "cloud": "aws", "private_ip": "10.2.1.10",
                    "public_ip": "203.0.113.12", "vpnlab_lab": "vpntest", "ansible_host": "203.0.113.12"},
    "vpntest-vm1": {"vpnlab_vm_name": "vm1", "cloud": "azure", "private_ip": "10.1.1.10",
                    "public_ip": "198.51.100.11", "vpnlab_lab": "vpntest"},
    "vpntest-vm2": {"vpnlab_vm_name": "vm2", "cloud": "azure", "private_ip": "10.1.1.20",
                    "public_ip": "198.51.100.12"},
    # A VM without a public address (a cloud VM reached privately, say).
    "vpntest-vm4": {"vpnlab_vm_name": "vm4", "cloud": "aws", "private_ip": "10.2.1.20"},
    "localhost": {"ansible_connection": "local"},
    "half": {"vpnlab_vm_name": "x", "cloud": "azure"},
}
VM1 = {"name": "vm1", "cloud": "azure", "private_ip": "10.1.1.10", "public_ip": "198.51.100.11"}
VM2 = {"name": "vm2", "cloud": "azure", "private_ip": "10.1.1.20", "public_ip": "198.51.100.12"}
VM3 = {"name": "vm3", "cloud": "aws", "private_ip": "10.2.1.10", "public_ip": "203.0.113.12"}
VM4 = {"name": "vm4", "cloud": "aws", "private_ip": "10.2.1.20", "public_ip": None}


@pytest.mark.parametrize("hosts, expected", [
    ([], []),
    (["vpntest-vm1"], [VM1]),
    # Sorted by VM name, whatever the play's host order.
    (["vpntest-vm3", "vpntest-vm1", "vpntest-vm2"], [VM1, VM2, VM3]),
    (["vpntest-vm2", "vpntest-vm4", "vpntest-vm3"], [VM2, VM3, VM4]),
])
def test_lab_vms(hosts, expected):
    assert lab_vms(HOSTVARS, hosts) == expected


@pytest.mark.parametrize("hosts, message", [
    (["vpntest-vm1", "localhost"], "host localhost is not a lab VM (no 'vpnlab_vm_name')"),
    (["half"], "host half is not a lab VM (no 'private_ip')"),
])
def test_lab_vms_refuses_other_hosts(hosts, message):
    with pytest.raises(AnsibleFilterError) as err:
        lab_vms(HOSTVARS, hosts)
    assert message in str(err.value)


VMS = [VM1, VM2, VM3, VM4]


@pytest.mark.parametrize("src, path, expected", [
    # Only private paths to the other cloud cross the tunnel.
    ("vm1", "private", [{"dst": "vm2", "dst_ip": "10.1.1.20", "path": "private", "tunnel": False},
                        {"dst": "vm3", "dst_ip": "10.2.1.10", "path": "private", "tunnel": True},
                        {"dst": "vm4", "dst_ip": "10.2.1.20", "path": "private", "tunnel": True}]),
    ("vm4", "private", [{"dst": "vm1", "dst_ip": "10.1.1.10", "path": "private", "tunnel": True},
                        {"dst": "vm2", "dst_ip": "10.1.1.20", "path": "private", "tunnel": True},
                        {"dst": "vm3", "dst_ip": "10.2.1.10", "path": "private", "tunnel": False}]),
    # vm4 has no public address: nothing to probe on the public path.
    ("vm3", "public", [{"dst": "vm1", "dst_ip": "198.51.100.11", "path": "public", "tunnel": False},
                       {"dst": "vm2", "dst_ip": "198.51.100.12", "path": "public", "tunnel": False}]),
    ("vm4", "public", [{"dst": "vm1", "dst_ip": "198.51.100.11", "path": "public", "tunnel": False},
                       {"dst": "vm2", "dst_ip": "198.51.100.12", "path": "public", "tunnel": False},
                       {"dst": "vm3", "dst_ip": "203.0.113.12", "path": "public", "tunnel": False}]),
    # A source that is not a lab VM (the controller, say) probes every VM; its paths are its own.
    ("controller", "private", [{"dst": vm["name"], "dst_ip": vm["private_ip"], "path": "private",
                                "tunnel": False} for vm in [VM1, VM2, VM3, VM4]]),
    ("vm1", "public", [{"dst": "vm2", "dst_ip": "198.51.100.12", "path": "public", "tunnel": False},
                       {"dst": "vm3", "dst_ip": "203.0.113.12", "path": "public", "tunnel": False}]),
])
def test_probe_targets(src, path, expected):
    assert probe_targets(VMS, src, path) == expected


def test_probe_targets_single_vm():
    assert probe_targets([VM1], "vm1", "private") == []


@pytest.mark.parametrize("path", ["both", "Private", "", None, "tunnel"])
def test_probe_targets_bad_path(path):
    with pytest.raises(AnsibleFilterError) as err:
        probe_targets(VMS, "vm1", path)
    assert str(err.value) == "path must be private or public, not %r" % (path,)


def test_filters_are_registered():
    assert FilterModule().filters() == {"lab_vms": lab_vms, "probe_targets": probe_targets,
                                        "bindep_packages": bindep_packages}


def test_lab_vms_with_ansible_hostvars():
    """The filter reads Ansible's own HostVars (what `hostvars` is in a play), not only dicts."""
    from ansible.inventory.manager import InventoryManager
    from ansible.parsing.dataloader import DataLoader
    from ansible.vars.hostvars import HostVars
    from ansible.vars.manager import VariableManager

    loader = DataLoader()
    inventory = InventoryManager(loader=loader, sources=[])
    for host in ("vpntest-vm3", "vpntest-vm1", "localhost"):
        inventory.add_host(host, group="all")
        for key, value in HOSTVARS[host].items():
            inventory.get_host(host).set_variable(key, value)
    hostvars = HostVars(inventory=inventory, variable_manager=VariableManager(loader=loader, inventory=inventory),
                        loader=loader)
    assert lab_vms(hostvars, ["vpntest-vm3", "vpntest-vm1"]) == [VM1, VM3]
    with pytest.raises(AnsibleFilterError) as err:
        lab_vms(hostvars, ["vpntest-vm1", "localhost"])
    assert "host localhost is not a lab VM (no 'vpnlab_vm_name')" in str(err.value)

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab inventory plugin lists a cloud lab's Azure VMs from Azure (the test double) by tag,
with the same host variables as local and AWS VMs, and only the lab's."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ansible_collections.multicloud.vpnlab.plugins.module_utils.statedir import MARKER, marker_text

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[3]
LAB = "azinv"
GROUP = "rg-azinv"
LOC = "westeurope"
LAB_TAGS = {"vpnlab": LAB, "managed_by": "multicloud.vpnlab"}


def make_vm(clients, name, private_ip, tags):
    net, compute = clients["network"], clients["compute"]
    subnet = net.subnets.get(GROUP, "vnet", "internal")
    pip = net.public_ip_addresses.begin_create_or_update(GROUP, "pip-" + name, {
        "location": LOC, "sku": {"name": "Standard"}, "public_ip_allocation_method": "Static"}).result()
    nic = net.network_interfaces.begin_create_or_update(GROUP, "nic-" + name, {
        "location": LOC, "ip_configurations": [{"name": "ipconfig1", "subnet": {"id": subnet.id}, "primary": True,
                                                "private_ip_allocation_method": "Static",
                                                "private_ip_address": private_ip,
                                                "public_ip_address": {"id": pip.id}}]}).result()
    compute.virtual_machines.begin_create_or_update(GROUP, name, {
        "location": LOC, "tags": tags, "hardware_profile": {"vm_size": "Standard_B1s"},
        "storage_profile": {"image_reference": {"publisher": "Canonical", "offer": "ubuntu-24_04-lts",
                                                "sku": "server", "version": "latest"}},
        "os_profile": {"computer_name": name, "admin_username": "azureuser"},
        "network_profile": {"network_interfaces": [{"id": nic.id}]}}).result()
    return pip.ip_address


def test_the_inventory_lists_the_labs_azure_vms_from_azure(clients, tmp_path):
    clients["resource"].resource_groups.create_or_update(GROUP, {"location": LOC, "tags": LAB_TAGS})
    clients["network"].virtual_networks.begin_create_or_update(GROUP, "vnet", {
        "location": LOC, "address_space": {"address_prefixes": ["10.1.0.0/16"]},
        "subnets": [{"name": "internal", "address_prefix": "10.1.1.0/24"}]}).result()
    ip1 = make_vm(clients, "azinv-vm1", "10.1.1.10", dict(LAB_TAGS, vpnlab_vm="vm1"))
    make_vm(clients, "other-vm", "10.1.1.30", {"vpnlab": LAB, "vpnlab_vm": "vm9"})  # not managed by the lab
    state_dir = tmp_path / "home" / LAB
    state_dir.mkdir(parents=True)
    # The lab's own directory, as lab_state leaves it: the inventory lists no other.
    (state_dir / MARKER).write_text(marker_text(LAB))
    stale = {"name": "vm1", "cloud": "azure", "private_ip": "10.1.1.10", "public_ip": "198.51.100.250",
             "resource_name": "azinv-vm1", "connection": {"ansible_host": "198.51.100.250"}}
    (state_dir / "vms.json").write_text(json.dumps({"lab": LAB, "target": "cloud", "state_dir": str(state_dir),
                                                    "azure": {"resource_group": GROUP}, "vms": [stale]}))
    source = tmp_path / "lab.vpnlab.yml"
    source.write_text("plugin: multicloud.vpnlab.lab\nstate_root: %s\n" % (tmp_path / "home"))
    proc = clients["double"].run([str(BIN / "ansible-inventory"), "-i", str(source), "--list"],
                                 capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    listing = json.loads(proc.stdout, object_hook=lambda d: d.get("__ansible_unsafe", d) if len(d) == 1 else d)
    assert listing["lab_azinv"]["hosts"] == ["azinv-vm1"]
    host = listing["_meta"]["hostvars"]["azinv-vm1"]
    assert {k: host[k] for k in ("cloud", "vpnlab_vm_name", "private_ip", "public_ip", "ansible_host", "ansible_user")} == {
        "cloud": "azure", "vpnlab_vm_name": "vm1", "private_ip": "10.1.1.10", "public_ip": ip1,
        "ansible_host": ip1, "ansible_user": "azureuser"}
    assert host["ansible_ssh_private_key_file"] == "%s/id_ed25519" % state_dir
    assert "could not list" not in proc.stderr

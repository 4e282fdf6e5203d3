# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab's Azure test VMs as inventory records, found by tag.

One place builds the record of an Azure VM (addresses, SSH settings): the build writes it
to ``vms.json`` through the azure_lab_resources_info module, and the lab inventory plugin
refreshes it from Azure when it lists a cloud lab. The host variables are the same as for the
local and AWS VMs. Pure, plus ``list_vms`` which takes azure-mgmt compute and network clients.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

from ansible_collections.multicloud.vpnlab.plugins.module_utils.access import cloud_connection
from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.ids import same
from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.resources import is_labs
from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.spec import ADMIN_USER as SSH_USER

VM_TAG = "vpnlab_vm"


def connection(lab: str, state_dir: str, address: Optional[str]) -> dict[str, Any]:
    return cloud_connection(lab, state_dir, address, SSH_USER)


def _primary_config(vm, nics):
    for ref in ((vm.get("network_profile") or {}).get("network_interfaces") or []):
        nic = next((n for n in nics if same(n.get("id"), ref.get("id"))), None)
        for conf in (nic or {}).get("ip_configurations") or []:
            if conf.get("primary", True):
                return conf
    return {}


def vm_record(vm: Mapping[str, Any], nics: Sequence[Mapping[str, Any]], public_ips: Sequence[Mapping[str, Any]],
              lab: str, state_dir: str) -> Optional[dict[str, Any]]:
    """One VM as vms.json lists it (as_dict() forms of the VM, NICs and public IPs), or None."""
    tags = vm.get("tags") or {}
    if not is_labs(vm, lab) or not tags.get(VM_TAG):
        return None
    conf = _primary_config(vm, nics)
    pip_id = (conf.get("public_ip_address") or {}).get("id")
    public_ip = next((p.get("ip_address") for p in public_ips if same(p.get("id"), pip_id)), None)
    private_ip = conf.get("private_ip_address")
    return {
        "name": tags[VM_TAG],
        "cloud": "azure",
        "private_ip": private_ip,
        "public_ip": public_ip,
        "resource_name": vm.get("name"),
        "vm_id": vm.get("vm_id"),
        "state": vm.get("provisioning_state"),
        "connection": connection(lab, state_dir, public_ip or private_ip),
    }


def vm_records(vms: Sequence[Mapping[str, Any]], nics: Sequence[Mapping[str, Any]],
               public_ips: Sequence[Mapping[str, Any]], lab: str, state_dir: str) -> list[dict[str, Any]]:
    found = [vm_record(vm, nics, public_ips, lab, state_dir) for vm in vms]
    return sorted((r for r in found if r), key=lambda r: r["name"])


def list_vms(compute: Any, network: Any, group: str, lab: str, state_dir: str) -> list[dict[str, Any]]:
    """The lab's Azure VMs in ``group``, by tag, as vms.json records (SDK clients passed in)."""
    vms = [vm.as_dict() for vm in compute.virtual_machines.list(group)]
    nics = [n.as_dict() for n in network.network_interfaces.list(group)]
    pips = [p.as_dict() for p in network.public_ip_addresses.list(group)]
    return vm_records(vms, nics, pips, lab, state_dir)


def list_vms_from_state(section: Mapping[str, Any], lab: str, state_dir: str) -> list[dict[str, Any]]:
    """The lab's Azure VMs, by tag, in the resource group of vms.json's ``azure`` section, with
    the credentials azure.azcollection reads (E(AZURE_*) variables, ~/.azure/credentials, az
    login). For the lab inventory plugin; the SDK is imported here, so the functions above stay
    pure."""
    from ansible_collections.azure.azcollection.plugins.module_utils.azure_rm_common import AzureRMAuth
    from azure.mgmt.compute import ComputeManagementClient
    from azure.mgmt.network import NetworkManagementClient

    auth = AzureRMAuth(auth_source="auto")
    base = auth._cloud_environment.endpoints.resource_manager.rstrip("/")  # pylint: disable=protected-access
    kwargs = dict(base_url=base, credential_scopes=[base + "/.default"])
    compute = ComputeManagementClient(auth.azure_credential_track2, auth.subscription_id, **kwargs)
    network = NetworkManagementClient(auth.azure_credential_track2, auth.subscription_id, **kwargs)
    return list_vms(compute, network, section["resource_group"], lab, state_dir)

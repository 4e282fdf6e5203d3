# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The names of each Azure VM's own resources, for the plan (``plan["cloud"]["azure"]["vms"]``):
the roles create them under these names and nothing else builds them. Pure."""

from __future__ import annotations

from typing import Any, Dict, Iterable, Mapping

#: The Azure cloud's name in the plan's VM records.
CLOUD = "azure"


def vm_resources(vms: Iterable[Mapping[str, Any]]) -> Dict[str, Dict[str, str]]:
    """Per Azure VM of the plan (by its name, e.g. ``vm1``): its Standard public IP and its
    network interface, named after the VM's resource name (the plan's ``vms[].resource_name``,
    which names the VM itself). The other clouds' VMs are left out."""
    return {vm["name"]: {"public_ip": "pip-%s" % vm["resource_name"],
                         "nic": "nic-%s" % vm["resource_name"]}
            for vm in vms if vm.get("cloud") == CLOUD}

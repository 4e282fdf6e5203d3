# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab's EC2 test VMs as inventory records, found by tag.

One place builds the record of an AWS VM (address, SSH settings): the build writes it to
``vms.json`` through the aws_lab_resources_info module, and the lab inventory plugin refreshes it
from EC2 when it lists a cloud lab (public IPs change when an instance stops and starts).
Pure, plus ``list_vms`` which takes a boto3 EC2 client. No Ansible import.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from ansible_collections.multicloud.vpnlab.plugins.module_utils.access import cloud_connection
from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws.resources import (
    describe, is_labs, lab_filters, tags_of,
)
from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws.spec import SSH_USER

VM_TAG = "vpnlab_vm"
# Instances that are, or will be again, reachable; terminated ones are gone.
LISTED_STATES = ("pending", "running", "stopping", "stopped")


def connection(lab: str, state_dir: str, address: str | None) -> dict[str, Any]:
    return cloud_connection(lab, state_dir, address, SSH_USER)


def vm_record(instance: Mapping[str, Any], lab: str, state_dir: str) -> dict[str, Any] | None:
    """One VM as vms.json lists it, or None for an instance that is not a lab VM."""
    tags = tags_of(instance)
    state = (instance.get("State") or {}).get("Name")
    if not tags.get(VM_TAG) or state not in LISTED_STATES:
        return None
    public_ip = instance.get("PublicIpAddress")
    return {
        "name": tags[VM_TAG],
        "cloud": "aws",
        "private_ip": instance.get("PrivateIpAddress"),
        "public_ip": public_ip,
        "resource_name": tags.get("Name") or "%s-%s" % (lab, tags[VM_TAG]),
        "instance_id": instance.get("InstanceId"),
        "state": state,
        "connection": connection(lab, state_dir, public_ip or instance.get("PrivateIpAddress")),
    }


def vm_records(instances: Iterable[Mapping[str, Any]], lab: str, state_dir: str) -> list[dict[str, Any]]:
    found = [vm_record(i, lab, state_dir) for i in instances if is_labs(i, lab)]
    return sorted((r for r in found if r), key=lambda r: r["name"])


def list_vms(client: Any, lab: str, state_dir: str) -> list[dict[str, Any]]:
    """The lab's EC2 VMs, by tag, as vms.json records."""
    return vm_records(describe(client, "instance", lab_filters(lab)), lab, state_dir)


def list_vms_from_state(section: Mapping[str, Any], lab: str, state_dir: str) -> list[dict[str, Any]]:
    """The lab's EC2 VMs for the inventory plugin, from the ``aws`` section of vms.json (region,
    endpoint_url) with boto3's own credential chain. Raises what boto3 raises."""
    import boto3  # pylint: disable=import-outside-toplevel  # only a cloud lab's listing needs it

    client = boto3.client("ec2", region_name=section.get("region"), endpoint_url=section.get("endpoint_url") or None)
    return list_vms(client, lab, state_dir)

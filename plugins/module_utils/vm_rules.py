# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The test VMs' rules (the plan's ``vpnlab_vms``): names, clouds, private addresses.

``check_vms`` is called by ``plan.build_plan`` with its checker and the parsed networks; it
returns the VMs that break no rule, normalised. Pure.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any, Mapping

from ansible_collections.multicloud.vpnlab.plugins.module_utils import inputs
from ansible_collections.multicloud.vpnlab.plugins.module_utils.inputs import var

CLOUDS = ("azure", "aws")
VM_NAME_RE = re.compile(r"\A(?:[a-z][a-z0-9-]{0,10}[a-z0-9]|[a-z])\Z")
VM_KEYS = ("name", "cloud", "private_ip")


def reserved_addresses(subnet: ipaddress.IPv4Network) -> set[ipaddress.IPv4Address]:
    """The addresses both clouds keep for themselves: the first four and the last."""
    first = subnet.network_address
    return {first + i for i in range(4)} | {subnet.broadcast_address}


def check_vms(chk: Any, p: Mapping[str, Any], nets: Mapping[str, Any]) -> list[dict[str, str]]:
    vms = p["vms"]
    if not isinstance(vms, list) or not vms:
        chk.add("vms", vms, "must be a non-empty list of {name, cloud, private_ip}")
        return []
    seen_names: set[str] = set()
    seen_ips: set[ipaddress.IPv4Address] = set()
    good = []
    for i, vm in enumerate(vms):
        checked = _check_vm(chk, "vms[%d]" % i, vm, nets, seen_names, seen_ips)
        if checked is not None:
            good.append(checked)
    dicts = [vm for vm in vms if isinstance(vm, dict)]
    clouds = [vm.get("cloud") for vm in dicts]
    for cloud in CLOUDS:
        if cloud not in clouds:
            chk.add("vms", [vm.get("name") for vm in dicts],
                    "needs at least one VM in %s to test traffic across the VPN" % cloud)
    return good


def _check_vm(chk, key, vm, nets, seen_names, seen_ips):
    """One VM's problems; returns it normalised when it has none."""
    if not isinstance(vm, dict):
        chk.add(key, vm, "must be a dict with name, cloud and private_ip")
        return None
    ok = _check_vm_keys(chk, key, vm)
    ok = "name" in vm and _check_vm_name(chk, key, vm["name"], seen_names) and ok
    if "cloud" not in vm:
        return None
    if vm["cloud"] not in CLOUDS:
        chk.add(key + ".cloud", vm["cloud"], "must be one of %s" % ", ".join(CLOUDS))
        return None
    addr = _check_vm_address(chk, key, vm, nets, seen_ips) if "private_ip" in vm else None
    if not ok or addr is None:
        return None
    return {"name": vm["name"], "cloud": vm["cloud"], "private_ip": str(addr)}


def _check_vm_keys(chk, key, vm):
    for extra in sorted((k for k in vm if k not in VM_KEYS), key=str):
        near = inputs.suggest(str(extra), VM_KEYS)
        chk.add("%s.%s" % (key, extra), vm[extra], "unknown key; a VM has exactly the keys name, "
                "cloud and private_ip%s" % ("; did you mean %s?" % near if near else ""))
    missing = [k for k in VM_KEYS if k not in vm]
    if missing:
        chk.add(key, vm, "misses the key%s %s (a VM has exactly the keys name, cloud and "
                "private_ip)" % ("s" if len(missing) > 1 else "", ", ".join(missing)))
    return len(vm) == len(VM_KEYS) and not missing


def _check_vm_name(chk, key, name, seen_names):
    if not isinstance(name, str) or not VM_NAME_RE.fullmatch(name) or "--" in name:
        chk.add(key + ".name", name, "must be 1-12 characters of a-z, 0-9 and '-', start with "
                "a letter and not end with '-' (it is a host name and an interface name)")
        return False
    if name in seen_names:
        chk.add(key + ".name", name, "is used by another VM: VM names must be unique")
        return False
    seen_names.add(name)
    return True


def _check_vm_address(chk, key, vm, nets, seen_ips):
    """The VM's private address when it is a usable one in its cloud's subnet, else None."""
    cloud = vm["cloud"]
    addr = chk.address(key + ".private_ip", vm["private_ip"])
    subnet_key = {"azure": "azure_subnet_cidr", "aws": "aws_subnet_cidr"}[cloud]
    subnet = nets[subnet_key]
    if addr is None or subnet is None:
        return None
    ok = True
    if addr not in subnet:
        chk.add(key + ".private_ip", str(addr), "is not inside the %s subnet %s=%r" % (
            cloud, var(subnet_key), str(subnet)))
        ok = False
    elif addr in reserved_addresses(subnet):
        chk.add(key + ".private_ip", str(addr), "is reserved by the cloud (the first four and "
                "the last address of %s are not usable)" % subnet)
        ok = False
    if addr in seen_ips:
        chk.add(key + ".private_ip", str(addr), "is used by another VM: addresses must be "
                "unique")
        ok = False
    seen_ips.add(addr)
    return addr if ok else None

# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters turning the inventory's lab VMs into the connectivity check's inputs, and reading the
collection's bindep.txt (its one list of Debian packages)."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible_collections.multicloud.vpnlab.plugins.module_utils import bindep


def lab_vms(hostvars, hosts):
    """The VMs of `hosts` as report entries: name, cloud, private_ip, public_ip."""
    vms = []
    for host in hosts:
        facts = hostvars[host]
        try:
            vms.append({"name": facts["vpnlab_vm_name"], "cloud": facts["cloud"],
                        "private_ip": facts["private_ip"], "public_ip": facts.get("public_ip")})
        except KeyError as exc:
            raise AnsibleFilterError("host %s is not a lab VM (no %s)" % (host, exc)) from None
    return sorted(vms, key=lambda vm: vm["name"])


def probe_targets(vms, src, path):
    """Every other VM's address on `path` (private or public), for the probe module; `tunnel`
    marks the private paths to the other cloud, the ones that cross the VPN tunnel."""
    key = {"private": "private_ip", "public": "public_ip"}.get(path)
    if key is None:
        raise AnsibleFilterError("path must be private or public, not %r" % path)
    cloud = {vm["name"]: vm["cloud"] for vm in vms}.get(src)
    return [{"dst": vm["name"], "dst_ip": vm[key], "path": path,
             "tunnel": path == "private" and cloud is not None and vm["cloud"] != cloud}
            for vm in vms if vm["name"] != src and vm.get(key)]


def bindep_packages(profiles, platform="dpkg"):
    """The collection's Debian packages for `profiles` (a list, or one name), from its bindep.txt
    (module_utils/bindep.py, the reader the Makefile uses too)."""
    if isinstance(profiles, str):
        profiles = [profiles]
    try:
        return bindep.read(list(profiles), platform)
    except OSError as exc:
        raise AnsibleFilterError("cannot read the collection's bindep.txt: %s" % exc) from None
    except ValueError as exc:
        raise AnsibleFilterError(str(exc)) from None


class FilterModule:
    def filters(self):
        return {"lab_vms": lab_vms, "probe_targets": probe_targets, "bindep_packages": bindep_packages}

# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters turning the inventory's lab VMs into the connectivity check's inputs, and reading the
collection's bindep.txt (its one list of Debian packages)."""

from __future__ import annotations

import os

from ansible.errors import AnsibleFilterError

# The collection's root: bindep.txt ships in the built collection beside galaxy.yml.
BINDEP_TXT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bindep.txt")


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


def parse_bindep(text, profiles, platform="dpkg"):
    """Package names of bindep-format `text` for `profiles` on `platform`.

    The subset of bindep's rules this collection's file uses: a line without a profile is always
    in, a line with profiles is in when one of them is asked for; a line with platform:
    selectors is in when one of them is this platform. Negations and versions are refused.
    """
    packages = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, selectors = (line.split(None, 1) + [""])[:2]
        if selectors and not (selectors.startswith("[") and selectors.endswith("]")):
            raise AnsibleFilterError("bindep.txt line %d: only `name [selectors]` is supported: %r" % (number, line))
        selectors = selectors[1:-1].split()
        if any(s.startswith("!") for s in selectors):
            raise AnsibleFilterError("bindep.txt line %d: negated selectors are not supported: %r" % (number, line))
        platforms = [s.split(":", 1)[1] for s in selectors if s.startswith("platform:")]
        wanted = [s for s in selectors if not s.startswith("platform:")]
        if platforms and platform not in platforms:
            continue
        if wanted and not set(wanted) & set(profiles):
            continue
        packages.append(name)
    return packages


def bindep_packages(profiles, platform="dpkg"):
    """The collection's Debian packages for `profiles` (a list, or one name), from its bindep.txt."""
    if isinstance(profiles, str):
        profiles = [profiles]
    try:
        with open(BINDEP_TXT, encoding="utf-8") as bindep:
            text = bindep.read()
    except OSError as exc:
        raise AnsibleFilterError("cannot read the collection's bindep.txt: %s" % exc) from None
    return parse_bindep(text, list(profiles), platform)


class FilterModule:
    def filters(self):
        return {"lab_vms": lab_vms, "probe_targets": probe_targets, "bindep_packages": bindep_packages}

# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where the connectivity check's traffic to a cloud's VMs comes from, so that each cloud's
security rules admit exactly that: the lab VMs' public addresses for the public paths, and the
iperf3 ports of the throughput measurement. Pure: no cloud SDK, no Ansible.

``public_ips`` is ``{"aws": [address, ...], "azure": [address, ...]}``: one public IP per VM of
each cloud that the lab built (a cloud without VMs may be missing).
"""

from __future__ import annotations

import ipaddress
from typing import Iterable, Mapping, Optional, Sequence

from ansible_collections.multicloud.vpnlab.plugins.module_utils.admin import admin_breadth_problems

CLOUDS = ("aws", "azure")
# {cloud: [public IP, ...]}, a cloud without VMs may be missing (the module's docstring).
PublicIps = Optional[Mapping[str, Optional[Sequence[Optional[str]]]]]
# The check's one-off iperf3 servers on the first AWS VM: through the tunnel (to its private
# address) and over the internet (to its public one). The client is the first Azure VM.
IPERF3_CLIENT_CLOUD = "azure"


class PeerError(ValueError):
    """A public IP that is not one host's IPv4 address (a rule would admit more than a VM)."""


def host_cidrs(addresses: Iterable[object]) -> list[str]:
    """Sorted, unique ``a.b.c.d/32`` of `addresses`; anything but one unicast IPv4 host is refused."""
    hosts = set()
    for address in addresses:
        try:
            addr = ipaddress.IPv4Address(str(address).strip())
        except ValueError:
            raise PeerError("%r is not an IPv4 address: a VM's public IP is one" % (address,)) from None
        if addr.is_unspecified or addr.is_multicast or addr.is_loopback:
            raise PeerError("%s is not a VM's public IP" % addr)
        hosts.add(addr)
    return ["%s/32" % addr for addr in sorted(hosts)]


def admin_sources(admin_cidrs: Iterable[object] | None, allow_open: bool = False) -> list[str]:
    """The admin CIDRs a security rule admits, checked again with the plan's rule (IPv4 CIDRs,
    none shorter than /8 and at most 2^24 addresses in all, unless ``allow_open``: the plan's
    ``admin_open_allowed``), so that no rule admits more than the plan allowed. PeerError
    otherwise."""
    networks = []
    for cidr in admin_cidrs or ():
        try:
            net = ipaddress.ip_network(str(cidr).strip(), strict=True)
        except ValueError:
            raise PeerError("admin CIDR %r is not an IPv4 network" % (cidr,)) from None
        if net.version != 4:
            raise PeerError("admin CIDR %s is not an IPv4 network" % net)
        networks.append(net)
    problems = [] if allow_open else admin_breadth_problems(networks)
    if problems:
        raise PeerError("admin CIDRs %s refused: %s" % (
            ", ".join(map(str, networks)), "; ".join(rule for dummy, rule in problems)))
    return [str(net) for net in networks]


def _ips(public_ips, cloud):
    unknown = sorted(set(public_ips or {}) - set(CLOUDS))
    if unknown:
        raise PeerError("public IPs of unknown clouds %s (known: %s)" % (", ".join(unknown), ", ".join(CLOUDS)))
    return [ip for ip in (public_ips or {}).get(cloud) or () if ip]


def public_sources(public_ips: PublicIps, cloud: str) -> list[str]:
    """The /32s whose probes reach `cloud`'s VMs over the internet: every VM of the other cloud,
    and the cloud's own VMs only when it has two or more (a VM does not probe itself; one rule
    set serves all of a cloud's VMs). Empty when `cloud` has no VM."""
    own = _ips(public_ips, cloud)
    if not own:
        return []
    others = [ip for other in CLOUDS if other != cloud for ip in _ips(public_ips, other)]
    return host_cidrs(others + (own if len(set(own)) > 1 else []))


def iperf3_public_sources(public_ips: PublicIps, cloud: str) -> list[str]:
    """The /32s of the iperf3 clients that measure `cloud`'s server over the internet: the
    client cloud's VMs when `cloud` has the server (the other one), else none."""
    if cloud == IPERF3_CLIENT_CLOUD or not _ips(public_ips, cloud):
        return []
    return host_cidrs(_ips(public_ips, IPERF3_CLIENT_CLOUD))

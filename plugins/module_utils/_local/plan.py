# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The local target's part of the plan: its own input rules and its ``plan["local"]`` section.

The shared plan (``module_utils/plan.py``) calls a target object's ``check`` and ``build``; this
is the local target's. Pure: the host's networks are read by the caller and passed in.
"""

from __future__ import annotations

import ipaddress
from typing import Any, Callable, Iterable, Mapping, Union

from ansible_collections.multicloud.vpnlab.plugins.module_utils.plan import var
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.bgp_topology import BGP_INFRA
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.topology import (
    INFRA, SOCKET_PATH_MAX, aws_transit, local_topology, longest_socket_path,
)

# Used by this project's own machines for their uplink: never a lab "public" range.
RESERVED_UPLINK = ipaddress.ip_network("192.0.2.0/24")
# Names of the local target's own namespaces and router interfaces: a VM may not take one.
LOCAL_INFRA = tuple(INFRA) + ("br0", "inet0", "gw0", "vgw0", "lo") + BGP_INFRA


class LocalTarget:
    """The local target, checked against the host's own networks (CIDRs, or a callable
    returning them, called only when the local target is planned)."""

    name = "local"

    def __init__(self, host_networks: Union[Iterable[str], Callable[[], Iterable[str]], None] = ()) -> None:
        self._host_networks = host_networks

    def host_networks(self) -> list[str]:
        found = self._host_networks
        return list(found() if callable(found) else found or ())

    def check(self, chk: Any, p: Mapping[str, Any], nets: Mapping[str, Any], vms: list[dict[str, Any]]) -> None:
        for i, vm in enumerate(vms):
            if vm["name"] in LOCAL_INFRA:
                chk.add("vms[%d].name" % i, vm["name"], "is reserved for the local lab's own "
                        "infrastructure (%s)" % ", ".join(LOCAL_INFRA))
        check_local(chk, p, nets, self.host_networks(), len(vms))

    @staticmethod
    def check_state_dir(chk: Any, state_dir: str) -> None:
        """The state directory must leave room for the gateways' control sockets."""
        longest = longest_socket_path(state_dir)
        if len(longest.encode()) > SOCKET_PATH_MAX:
            chk.add("name", state_dir.rsplit("/", 1)[-1], "the lab's state directory %s is too "
                    "long for the local lab: its gateways' control socket %s would be %d bytes, "
                    "over the %d a Unix socket path can have; use a shorter VPNLAB_HOME (by %d "
                    "bytes or more) or lab name" % (state_dir, longest, len(longest.encode()),
                                                    SOCKET_PATH_MAX, len(longest.encode()) - SOCKET_PATH_MAX))

    @staticmethod
    def build(plan: dict[str, Any], p: Mapping[str, Any]) -> dict[str, Any]:
        return local_topology(plan, ipaddress.ip_network(p["local_azure_public_cidr"]),
                              ipaddress.ip_network(p["local_aws_public_cidr"]))


def check_local(chk: Any, p: Mapping[str, Any], nets: Mapping[str, Any], host_networks: Iterable[str] | None,
                vm_count: int) -> None:
    """Local target only: the public ranges and the host's own addresses and routes."""
    pubs = {k: chk.network(k, p[k]) for k in ("local_azure_public_cidr", "local_aws_public_cidr")}
    lab_ranges = dict(pubs)
    lab_ranges.update({k: nets[k] for k in ("azure_vnet_cidr", "aws_vpc_cidr")})
    for key, net in pubs.items():
        if net is None:
            continue
        if net.overlaps(RESERVED_UPLINK):
            chk.add(key, str(net), "overlaps 192.0.2.0/24, which these machines use for their "
                    "own uplink; use 198.51.100.0/24 or 203.0.113.0/24")
        if net.num_addresses < vm_count + 16:
            chk.add(key, str(net), "is too small for the lab's public addresses")
        for other in ("azure_vnet_cidr", "aws_vpc_cidr"):
            if nets[other] is not None and net.overlaps(nets[other]):
                chk.add(key, str(net), "overlaps %s=%r" % (var(other), str(nets[other])))
    vpc, sub = nets["aws_vpc_cidr"], nets["aws_subnet_cidr"]
    if vpc is not None and sub is not None and sub.subnet_of(vpc) and aws_transit(vpc, sub) is None:
        chk.add("aws_subnet_cidr", str(sub), "leaves no /30 of vpnlab_aws_vpc_cidr=%r free: the "
                "local target links the VPC router and the VGW with 4 addresses of the VPC "
                "outside the VM subnet" % str(vpc))
    a, b = pubs["local_azure_public_cidr"], pubs["local_aws_public_cidr"]
    if a is not None and b is not None and a.overlaps(b):
        chk.add("local_aws_public_cidr", str(b), "overlaps vpnlab_local_azure_public_cidr=%r"
                % str(a))
    for host_net in host_networks or ():
        try:
            hnet = ipaddress.ip_network(host_net, strict=False)
        except ValueError:
            continue
        if hnet.version != 4 or hnet.prefixlen == 0:
            continue
        for key, net in lab_ranges.items():
            if net is not None and net.overlaps(hnet):
                chk.add(key, str(net), "overlaps %s, an address or route of this host: the "
                        "local lab must not shadow the host's own networks" % hnet)

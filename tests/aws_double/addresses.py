# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TEST DOUBLE: the public addresses and tunnel inside CIDRs the double hands out.

moto gives instances addresses of real networks (54.214.x.y) and elastic IPs loopback ones
(127.x.y.z). Here every public address comes from the documentation range 203.0.113.0/24:
VPN tunnels' outside addresses from .1-.127, instances' and elastic IPs from .128-.250, never
.0 or .251-.255. Both are handed out round robin, skipping the ones in use, so an address that
was freed comes back only after all the others: a realizer still holding the old one meets a
different address, not a look-alike. "In use" is read from moto's objects (live connections,
network interfaces, elastic IPs), so a moto reset frees everything without bookkeeping here.
"""

from __future__ import annotations

import ipaddress
import random

from moto.ec2.exceptions import EC2ClientError
from moto.ec2.models import ec2_backends

from .rules import LINK_LOCAL, RESERVED_INSIDE

PUBLIC_NET = ipaddress.IPv4Network("203.0.113.0/24")
TUNNEL_HOSTS = (1, 127)
INSTANCE_HOSTS = (128, 250)
INSIDE_SLOTS = LINK_LOCAL.num_addresses // 4


def backends():
    return [backend for _account, _region, backend in ec2_backends.iter_backends()]


def live_connections():
    return [vpn for backend in backends() for vpn in backend.vpn_connections.values() if vpn.state != "deleted"]


def instance_addresses_in_use():
    used = set()
    for backend in backends():
        used.update(eni.public_ip for eni in backend.enis.values() if eni.public_ip)
        used.update(eip.public_ip for eip in backend.addresses)
    return used


def tunnel_addresses_in_use():
    return {tunnel.outside_ip for vpn in live_connections() for tunnel in getattr(vpn, "double_tunnels", ())}


def inside_cidrs_in_use(vpn_gateway_id=None, exclude=None):
    """Inside CIDRs of live tunnels (of one virtual private gateway when given), but `exclude`."""
    return {tunnel.spec.get("TunnelInsideCidr") for vpn in live_connections()
            if vpn_gateway_id in (None, vpn.vpn_gateway_id)
            for tunnel in getattr(vpn, "double_tunnels", ()) if tunnel is not exclude}


class Pool:
    """Host numbers first..last of 203.0.113.0/24, handed out round robin."""

    def __init__(self, hosts, what):
        self.first, self.last = hosts
        self.what = what
        self.cursor = 0

    def take(self, in_use):
        size = self.last - self.first + 1
        for step in range(size):
            index = (self.cursor + step) % size
            address = str(PUBLIC_NET[self.first + index])
            if address not in in_use:
                self.cursor = index + 1
                return address
        raise EC2ClientError("AddressLimitExceeded",
                             "The test double's %d %s addresses are all in use." % (size, self.what))


class Addresses:
    """The two public pools and the (seeded) choice of inside CIDRs."""

    def __init__(self, seed):
        self.tunnels = Pool(TUNNEL_HOSTS, "VPN tunnel")
        self.instances = Pool(INSTANCE_HOSTS, "instance and elastic IP")
        self.rng = random.Random(seed)

    def reset(self, seed):
        self.tunnels.cursor = self.instances.cursor = 0
        self.rng.seed(seed)

    def tunnel_ip(self):
        return self.tunnels.take(tunnel_addresses_in_use())

    def instance_ip(self):
        return self.instances.take(instance_addresses_in_use())

    def inside_cidr(self, taken):
        """A random /30 of 169.254.0.0/16 that AWS does not reserve and no live tunnel uses."""
        used = inside_cidrs_in_use() | set(taken)
        while True:
            slot = self.rng.randrange(INSIDE_SLOTS)
            net = ipaddress.IPv4Network((int(LINK_LOCAL.network_address) + 4 * slot, 30))
            if net not in RESERVED_INSIDE and str(net) not in used:
                return str(net)

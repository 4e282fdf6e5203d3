# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Local target: the lab's topology in network namespaces, derived from the plan (pure).

Each cloud object becomes a namespace (docs/architecture.md and README, how the local target
emulates the clouds):

    operator --+                                  +-- azgw (Azure VPN gateway, strongSwan)
               |  inet: the "internet" bridge     |     leg in GatewaySubnet -- azr
               +-- br0 (azure .1, aws .1) --------+-- azr (VNet router: subnet bridge, NAT, NSG)
                                                  +-- awsr (VPC router + IGW: NAT, SG)
                                                  +-- vgw (AWS VGW, two tunnel addresses)
    VMs: one namespace each, on the subnet bridge of their cloud's router.

No namespace is ever linked to the host's own namespace. Specs are additive (the local_netns
module only adds what is missing), so several roles can each add their part to one namespace.
"""

from __future__ import annotations

import ipaddress
from typing import Any, Iterable, Mapping, Sequence, Tuple, Union

from ansible_collections.multicloud.vpnlab.plugins.module_utils.access import ssh_option
from ansible_collections.multicloud.vpnlab.plugins.module_utils.measurements import IPERF3_PORTS
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.vms import vm_dirs
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.vpnconn import BGP_FILE, FILE
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.bgp_topology import (
    COUNTERS_TABLE, SECOND_INSTANCE, bgp_section,
)

Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]

# The lab's own namespaces, by the cloud object each stands for (the VMs come on top).
INFRA = {
    "inet": "the internet", "op": "the operator's laptop", "azr": "Azure VNet router",
    "azgw": "Azure VPN gateway", "awsr": "AWS VPC router and internet gateway",
    "vgw": "AWS virtual private gateway",
}
# The parts of `network`, in build order; each is one step of the flow (one cloud object).
# Each emulated gateway's strongSwan files live in <state_dir>/gateways/<side>/, its VICI control
# socket there: a Unix socket path holds at most 107 bytes (sun_path is 108 with its NUL), so a
# state directory too long for it is refused by the plan before anything is built (charon would
# otherwise bind a truncated name and never be found).
VICI_SOCKET = "charon.vici"
SOCKET_PATH_MAX = 107


def gateway_dirs(state_dir: str) -> dict[str, str]:
    """{side: directory} of the two emulated VPN gateways' strongSwan files."""
    return {"azure": state_dir + "/gateways/azure", "aws": state_dir + "/gateways/aws"}


def longest_socket_path(state_dir: str) -> str:
    """The longest Unix socket path the local lab makes under `state_dir`."""
    return max((d + "/" + VICI_SOCKET for d in gateway_dirs(state_dir).values()), key=len)


PARTS = ("internet", "azure_vnet", "aws_vpc", "azure_routes", "vms")


def netns_names(lab: str, vm_names: Iterable[str]) -> tuple[str, dict[str, str], dict[str, str]]:
    # '.' cannot occur in a lab name, so `vpnlab-<lab>.` never prefixes another lab's names
    # (with '-', lab `ab`'s VM `cd-inet` would be lab `ab-cd`'s internet).
    prefix = "vpnlab-%s." % lab
    infra = {key: prefix + key for key in INFRA}
    vms = {name: prefix + name for name in vm_names}
    return prefix, infra, vms


def aws_transit(vpc: Network, subnet: Network) -> ipaddress.IPv4Network | None:
    """A /30 of the VPC outside the VM subnet, linking the VPC router and the VGW.

    Inside the VPC so that the VGW's own packets (mtr hops) match the tunnel's selectors.
    The highest one: the VPC's last /30, or when the subnet covers it (aligned networks nest,
    so the subnet then runs to the VPC's end) the /30 just below the subnet.
    """
    if vpc.prefixlen > 30:
        return None
    last = ipaddress.IPv4Network((int(vpc.broadcast_address) - 3, 30))
    if not last.overlaps(subnet):
        return last
    below = (int(subnet.network_address) & ~3) - 4
    return ipaddress.IPv4Network((below, 30)) if below >= int(vpc.network_address) else None


def guard_routes(vnet: Network, vpc: Network, pub: Mapping[str, Any]) -> list[str]:
    """What the host's safety-net `unreachable` routes cover: the private networks whole, but
    only the public addresses the lab uses, one /32 each. The public ranges are documentation
    ranges that a machine may reach the outside world through (here pypi.org resolves into
    203.0.113.0/24); guarding them whole would cut the host off while a lab exists."""
    addresses = {pub["operator"], pub["azure_gateway"]} | set(pub["tunnels"]) | set(pub["vms"].values())
    addresses |= set(pub.get("azure_gateways", ()))  # the BGP design's second instance
    addresses |= set(pub["isp"].values()) | set(pub["edge"].values())
    return [str(vnet), str(vpc)] + sorted("%s/32" % a for a in addresses)


def public_addresses(plan: Mapping[str, Any], azure_pub: Network, aws_pub: Network) -> dict[str, Any]:
    """Public addresses: .10 onwards of each range, the operator at the top of Azure's."""
    azure_vms = [vm["name"] for vm in plan["vms"] if vm["cloud"] == "azure"]
    aws_vms = [vm["name"] for vm in plan["vms"] if vm["cloud"] == "aws"]
    az, aw = azure_pub.network_address, aws_pub.network_address
    vm_ips = {name: str(az + 11 + i) for i, name in enumerate(azure_vms)}
    vm_ips.update({name: str(aw + 12 + i) for i, name in enumerate(aws_vms)})
    return {
        "isp": {"azure": str(az + 1), "aws": str(aw + 1)},
        "edge": {"azure": str(az + 2), "aws": str(aw + 2)},
        "azure_gateway": str(az + 10),
        "tunnels": [str(aw + 10), str(aw + 11)],
        "vms": vm_ips,
        "operator": str(azure_pub.broadcast_address - 1),
    }


def _cidr(ip, net):
    return "%s/%d" % (ip, net.prefixlen)


def _veth(ifname, addresses, peer_netns, peer_ifname, master=None, peer_addresses=None):
    peer = {"netns": peer_netns, "ifname": peer_ifname}
    if master:
        peer["master"] = master
    if peer_addresses:
        peer["addresses"] = peer_addresses
    return {"ifname": ifname, "kind": "veth", "addresses": addresses, "peer": peer}


def mss_table(mss: int) -> str:
    """Clamp TCP MSS for traffic through the tunnel device (Azure needs 1350)."""
    return ("chain forward {\n"
            "  type filter hook forward priority mangle; policy accept;\n"
            "  oifname \"ipsec*\" tcp flags syn tcp option maxseg size set %d\n"
            "  iifname \"ipsec*\" tcp flags syn tcp option maxseg size set %d\n"
            "}\n" % (mss, mss))


def nat_table(pairs: Sequence[Tuple[str, str]]) -> str:
    """1:1 NAT at a cloud edge: public <-> private per VM, also for traffic from inside
    to a public address of the same cloud (hairpin), as the cloud's edge does."""
    pre = "".join("  ip daddr %s dnat to %s\n" % (pub, priv) for priv, pub in pairs)
    post = "".join("  ip saddr %s oifname \"inet0\" snat to %s\n"
                   "  ip saddr %s ct status dnat snat to %s\n" % (priv, pub, priv, pub)
                   for priv, pub in pairs)
    return ("chain prerouting {\n  type nat hook prerouting priority dstnat; policy accept;\n"
            + pre + "}\n"
            "chain postrouting {\n  type nat hook postrouting priority srcnat; policy accept;\n"
            + post + "}\n")


def security_table(subnet: str, allowed: Iterable[str], peers: Sequence[str] = ()) -> str:
    """Security group / NSG: from the internet, only SSH and ICMP, only from `allowed`; and
    iperf3 (TCP 5201-5202, the check's throughput) only from `peers`, the lab VMs' public /32s."""
    sources = ", ".join(allowed)
    iperf3 = ("  iifname \"inet0\" ip daddr %s ip saddr { %s } tcp dport %d-%d accept\n"
              % (subnet, ", ".join(peers), min(IPERF3_PORTS.values()), max(IPERF3_PORTS.values()))
              if peers else "")
    return ("chain forward {\n"
            "  type filter hook forward priority filter; policy accept;\n"
            "  iifname \"inet0\" ct state established,related accept\n"
            "  iifname \"inet0\" ip daddr %(subnet)s ip saddr { %(src)s } tcp dport 22 accept\n"
            "  iifname \"inet0\" ip daddr %(subnet)s ip saddr { %(src)s } icmp type "
            "echo-request accept\n"
            "%(iperf3)s"
            "  iifname \"inet0\" ip daddr %(subnet)s counter drop\n"
            "}\n" % {"subnet": subnet, "src": sources, "iperf3": iperf3})


def local_topology(plan: Mapping[str, Any], azure_pub: Network, aws_pub: Network) -> dict[str, Any]:
    """The `local` part of the plan: namespace names, addresses and one spec list per role."""
    vnet = ipaddress.ip_network(plan["azure"]["vnet_cidr"])
    vpc = ipaddress.ip_network(plan["aws"]["vpc_cidr"])
    az_sub = ipaddress.ip_network(plan["azure"]["subnet_cidr"])
    aws_sub = ipaddress.ip_network(plan["aws"]["subnet_cidr"])
    gw_sub = ipaddress.ip_network(plan["azure"]["gateway_subnet_cidr"])
    transit = aws_transit(vpc, aws_sub)
    if transit is None:  # the plan refuses a subnet that leaves none (_local.plan.check_local)
        raise AssertionError("no transit /30 left in %s" % aws_sub)
    prefix, ns, vm_ns = netns_names(plan["lab"], [vm["name"] for vm in plan["vms"]])
    pub = public_addresses(plan, azure_pub, aws_pub)
    addr = {
        "azure_router": str(az_sub.network_address + 1),
        "aws_router": str(aws_sub.network_address + 1),
        # Azure's first VPN gateway instance takes .4 of GatewaySubnet; .1 is the VNet's.
        "azure_gateway_private": str(gw_sub.network_address + 4),
        "azure_router_gateway_leg": str(gw_sub.network_address + 1),
        "aws_router_transit": str(transit.network_address + 1),
        "vgw_transit": str(transit.network_address + 2),
    }
    # The operator namespace is the controller's only way in, so it is always allowed; the VMs'
    # public addresses are, so that the public path between the clouds can be measured.
    allowed = sorted(set(plan["admin_cidrs"]) | {"%s/32" % pub["operator"]}
                     | {"%s/32" % ip for ip in pub["vms"].values()})
    specs = _specs(plan, ns, vm_ns, pub, addr, (vnet, vpc, az_sub, aws_sub, gw_sub, transit,
                                                azure_pub, aws_pub), allowed)
    state = plan["state_dir"]
    bgp = None
    if (plan.get("routing") or {}).get("mode") == "bgp":
        ns = dict(ns, **{SECOND_INSTANCE: prefix + SECOND_INSTANCE})
        bgp = bgp_section(plan, ns, addr, azure_pub, aws_pub, gw_sub)
        pub = dict(pub, tunnels=bgp["public_ips"]["tunnels"], azure_gateways=bgp["public_ips"]["azure_gateways"])
        _bgp_specs(specs, plan, ns, bgp, (azure_pub, aws_pub, gw_sub), addr, pub["isp"]["azure"])
    return {
        "netns_prefix": prefix,
        # strongSwan's files of the two emulated gateways (config, VICI socket, pid, log).
        "gateway_dirs": gateway_dirs(state),
        # Each VM's files (its host key first: lab_state makes the directories).
        "vm_dirs": vm_dirs(state, [vm["name"] for vm in plan["vms"]]),
        "netns": ns,
        "vm_netns": vm_ns,
        "public_cidrs": {"azure": str(azure_pub), "aws": str(aws_pub)},
        "public_ips": pub,
        "addresses": addr,
        "aws_transit_cidr": str(transit),
        "guard_routes": guard_routes(vnet, vpc, pub),
        "network": specs,
        "inventory": inventory_records(plan, ns["op"], vm_ns, pub["vms"]),
        # vpnlab_routing=bgp: the instances, tunnels and BGP speakers (_local/bgp_topology.py).
        "bgp": bgp,
        "azure_gateways": azure_gateways(plan, ns, pub, bgp),
        # Whether charon routes the tunnels' selectors itself (static) or BGP does (bgp).
        "install_routes": bgp is None,
        # The emulated AWS VPN connection(s): one element, or the BGP design's list of two.
        "vpn_connection_file": "%s/%s" % (state, BGP_FILE if bgp else FILE),
        # Every daemon's pid file, for a teardown whose namespaces are already gone.
        "daemons": lab_daemons(gateway_dirs(state), vm_dirs(state, [vm["name"] for vm in plan["vms"]]), bgp),
    }


def azure_gateways(plan: Mapping[str, Any], ns: Mapping[str, str], pub: Mapping[str, Any],
                   bgp: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """The Azure gateway's instances the build starts (one, or the BGP design's two), each with
    the tunnels it should have (name: the AWS outside address) for the evidence; in the BGP
    design each also names its sessions' counters (nftables), whose bytes the check leaves out."""
    if not bgp:
        return [{"instance": 0, "netns": ns["azgw"], "directory": gateway_dirs(plan["state_dir"])["azure"],
                 "expected": dict(zip([t["name"] for t in plan["tunnels"]], pub["tunnels"]))}]
    return [{"instance": i["instance"], "netns": i["netns"], "directory": i["directory"],
             "expected": {t["name"]: t["outside_ip_address"] for t in bgp["tunnels"] if t["instance"] == i["instance"]},
             "counters": i["counters"]} for i in bgp["instances"]]


def lab_daemons(gateways: Mapping[str, str], vms: Mapping[str, str],
                bgp: Mapping[str, Any] | None = None) -> list[dict[str, str]]:
    """[{path, program}] of the local lab's daemons' pid files: each gateway's charon (the BGP
    design's second instance too), each VM's sshd and each BGP speaker's zebra and bgpd."""
    charons = list(gateways.values())
    for instance in (bgp or {}).get("instances", ()):
        if instance["directory"] not in charons:
            charons.append(instance["directory"])
    found = [{"path": d + "/charon.pid", "program": "charon"} for d in charons]
    found += [{"path": d + "/sshd.pid", "program": "sshd"} for d in vms.values()]
    for speaker in (bgp or {}).get("speakers", {}).values():
        found += [{"path": "%s/%s.pid" % (speaker["directory"], daemon), "program": daemon}
                  for daemon in ("zebra", "bgpd")]
    return found


def _bgp_specs(specs, plan, ns, bgp, nets, addr, isp_azure):
    """The static specs turned into the BGP design's: the second instance, the VGW's four tunnel
    addresses, the inside addresses on the gateways' loopbacks, and no typed route to the other
    cloud (the VNet and VPC routers learn it)."""
    vnet, vpc = plan["azure"]["vnet_cidr"], plan["aws"]["vpc_cidr"]
    azure_pub, aws_pub, gw_sub = nets
    lo = {}
    for speaker in bgp["speakers"].values():
        if speaker["addresses"]:
            lo.setdefault(speaker["netns"], []).extend("%s/32" % a for a in speaker["addresses"])
    gateways = specs["azure_vnet"]
    for spec in gateways:
        if spec["name"] == ns["azr"]:
            # GatewaySubnet becomes a bridge in the VNet router: both instances are on it.
            spec["links"].append({"ifname": "gws", "kind": "bridge",
                                  "addresses": [_cidr(addr["azure_router_gateway_leg"], gw_sub)]})
        if spec["name"] == ns["azgw"]:
            vnet0 = next(link for link in spec["links"] if link["ifname"] == "vnet0")
            vnet0["peer"] = {"netns": ns["azr"], "ifname": "gw0", "master": "gws"}
        if spec["name"] in lo:
            spec["links"].append({"ifname": "lo", "addresses": lo[spec["name"]]})
        for instance in bgp["instances"]:
            if spec["name"] == instance["netns"]:
                spec["nftables"][COUNTERS_TABLE] = instance["counters_table"]
    second = next((i for i in bgp["instances"] if i["instance"] == 1), None)
    if second is not None:
        gateways.append(
            {"name": second["netns"], "forwarding": True, "links": [
                _veth("inet0", [_cidr(second["public_ip"], azure_pub)], ns["inet"], SECOND_INSTANCE, "br0"),
                _veth("vnet0", [_cidr(second["private_ip"], gw_sub)], ns["azr"], "gw1", "gws"),
                {"ifname": "lo", "addresses": lo[second["netns"]]}],
             "routes": [{"dst": "0.0.0.0/0", "gateway": isp_azure},
                        {"dst": vnet, "gateway": addr["azure_router_gateway_leg"]}],
             "nftables": {"vpnlab_mss": mss_table(plan["crypto"]["tcp_mss"]),
                          COUNTERS_TABLE: second["counters_table"]}})
    for spec in specs["aws_vpc"]:
        if spec["name"] == ns["vgw"]:
            spec["links"][0]["addresses"] = [_cidr(ip, aws_pub) for ip in bgp["public_ips"]["tunnels"]]
            spec["links"].append({"ifname": "lo", "addresses": lo[ns["vgw"]]})
        if spec["name"] == ns["awsr"]:
            spec["routes"] = [r for r in spec["routes"] if r["dst"] != vnet]
    specs["azure_routes"] = [s for s in specs["azure_routes"]
                             if not any(r["dst"] == vpc for r in s.get("routes", []))]


def inventory_records(plan: Mapping[str, Any], operator_netns: str, vm_ns: Mapping[str, str],
                      public_ips: Mapping[str, str]) -> list[dict[str, Any]]:
    """What the `lab` inventory plugin lists for each VM, with the SSH settings that reach it:
    only from the operator namespace (a ProxyCommand), never from the host's own network."""
    state = plan["state_dir"]
    ssh_args = ("-o ProxyCommand='ip netns exec %s nc %%h %%p' %s -o StrictHostKeyChecking=yes"
                " -o ConnectTimeout=10" % (operator_netns,
                                           ssh_option("UserKnownHostsFile", state + "/known_hosts")))
    return [{
        "name": vm["name"], "cloud": vm["cloud"], "private_ip": vm["private_ip"],
        "public_ip": public_ips[vm["name"]], "resource_name": vm["resource_name"],
        "netns": vm_ns[vm["name"]],
        "connection": {
            "ansible_host": public_ips[vm["name"]], "ansible_user": "root", "ansible_port": 22,
            "ansible_ssh_private_key_file": "%s/id_ed25519" % state,
            "ansible_ssh_common_args": ssh_args,
            # Labs side by side use the same addresses: without the lab in the SSH control path,
            # one lab's connection would be reused for another lab's VM.
            "ansible_control_path": "%%(directory)s/vpnlab-%s-%%%%C" % plan["lab"],
            "ansible_python_interpreter": "/usr/bin/python3",
        }} for vm in plan["vms"]]


def _specs(plan, ns, vm_ns, pub, addr, nets, allowed):
    vnet, vpc, az_sub, aws_sub, gw_sub, transit, azure_pub, aws_pub = nets
    isp_az, isp_aws = pub["isp"]["azure"], pub["isp"]["aws"]
    default_az = {"dst": "0.0.0.0/0", "gateway": isp_az}
    default_aws = {"dst": "0.0.0.0/0", "gateway": isp_aws}
    vms = plan["vms"]
    az_pairs = [(vm["private_ip"], pub["vms"][vm["name"]]) for vm in vms if vm["cloud"] == "azure"]
    aws_pairs = [(vm["private_ip"], pub["vms"][vm["name"]]) for vm in vms if vm["cloud"] == "aws"]
    lab_host = [
        {"name": ns["inet"], "forwarding": True, "links": [
            {"ifname": "br0", "kind": "bridge",
             "addresses": [_cidr(isp_az, azure_pub), _cidr(isp_aws, aws_pub)]}]},
        {"name": ns["op"], "links": [
            _veth("eth0", [_cidr(pub["operator"], azure_pub)], ns["inet"], "op", "br0")],
         "routes": [default_az]},
    ]
    azure_gateway = [
        {"name": ns["azr"], "forwarding": True, "links": [
            {"ifname": "br0", "kind": "bridge", "addresses": [_cidr(addr["azure_router"], az_sub)]},
            _veth("inet0", [_cidr(pub["edge"]["azure"], azure_pub)], ns["inet"], "azr", "br0")],
         "routes": [default_az]},
        {"name": ns["azgw"], "forwarding": True, "links": [
            _veth("inet0", [_cidr(pub["azure_gateway"], azure_pub)], ns["inet"], "azgw", "br0"),
            _veth("vnet0", [_cidr(addr["azure_gateway_private"], gw_sub)], ns["azr"], "gw0",
                  peer_addresses=[_cidr(addr["azure_router_gateway_leg"], gw_sub)])],
         "routes": [default_az, {"dst": str(vnet), "gateway": addr["azure_router_gateway_leg"]}],
         "nftables": {"vpnlab_mss": mss_table(plan["crypto"]["tcp_mss"])}},
    ]
    aws_vpc_vpn = [
        {"name": ns["awsr"], "forwarding": True, "links": [
            {"ifname": "br0", "kind": "bridge", "addresses": [_cidr(addr["aws_router"], aws_sub)]},
            _veth("inet0", [_cidr(pub["edge"]["aws"], aws_pub)], ns["inet"], "awsr", "br0")],
         "routes": [default_aws, {"dst": str(vnet), "gateway": addr["vgw_transit"]}]},
        {"name": ns["vgw"], "forwarding": True, "links": [
            _veth("inet0", [_cidr(ip, aws_pub) for ip in pub["tunnels"]], ns["inet"], "vgw", "br0"),
            _veth("vpc0", [_cidr(addr["vgw_transit"], transit)], ns["awsr"], "vgw0",
                  peer_addresses=[_cidr(addr["aws_router_transit"], transit)])],
         "routes": [default_aws, {"dst": str(vpc), "gateway": addr["aws_router_transit"]}],
         "nftables": {"vpnlab_mss": mss_table(plan["crypto"]["tcp_mss"])}},
    ]
    # The Azure route to the AWS VPC exists once the local network gateways do.
    azure_tunnels = [{"name": ns["azr"], "routes": [
        {"dst": str(vpc), "gateway": addr["azure_gateway_private"]}]}]
    test_vms = []
    for vm in vms:
        subnet = az_sub if vm["cloud"] == "azure" else aws_sub
        router = ns["azr"] if vm["cloud"] == "azure" else ns["awsr"]
        gateway = addr["azure_router"] if vm["cloud"] == "azure" else addr["aws_router"]
        test_vms.append({"name": vm_ns[vm["name"]], "links": [
            _veth("eth0", [_cidr(vm["private_ip"], subnet)], router, vm["name"], "br0")],
            "routes": [{"dst": "0.0.0.0/0", "gateway": gateway}]})
    peers = sorted("%s/32" % ip for ip in pub["vms"].values())
    test_vms.append(_edge(ns["azr"], az_pairs, azure_pub, az_sub, allowed, peers))
    test_vms.append(_edge(ns["awsr"], aws_pairs, aws_pub, aws_sub, allowed, peers))
    return dict(zip(PARTS, (lab_host, azure_gateway, aws_vpc_vpn, azure_tunnels, test_vms)))


def _edge(netns, pairs, public_net, subnet, allowed, peers):
    """The VMs' public addresses, 1:1 NAT and security rules at their cloud's edge."""
    return {"name": netns,
            "links": [{"ifname": "inet0", "addresses": [_cidr(public, public_net) for dummy, public in pairs]}],
            "nftables": {"vpnlab_nat": nat_table(pairs),
                         "vpnlab_security": security_table(str(subnet), allowed, peers)}}

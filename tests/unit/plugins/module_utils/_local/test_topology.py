# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The local target's topology, read from the plan: names, addresses, specs per role, nft texts
and inventory records, for the default lab and for a lab whose address plan shares nothing with it."""

from __future__ import annotations

import datetime
import ipaddress

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.netns import (
    converge, nft_digest, wanted_sysctls,
)
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.plan import LocalTarget
from ansible_collections.multicloud.vpnlab.plugins.module_utils.plan import PlanError, build_plan
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.topology import (
    INFRA, PARTS, aws_transit, guard_routes, mss_table, nat_table, netns_names, security_table,
)

TODAY = datetime.date(2026, 11, 25)
ROLES = PARTS
# Which part creates each infrastructure namespace.
INFRA_OWNERS = {"inet": "internet", "op": "internet", "azr": "azure_vnet", "azgw": "azure_vnet",
                "awsr": "aws_vpc", "vgw": "aws_vpc"}


def build(**params):
    return build_plan(params, {"local": LocalTarget([])}, today=TODAY, state_root="/st")


# A lab that shares no name, range or address with the default one: every value below must move.
OTHER = dict(
    name="lab-2",
    azure_vnet_cidr="10.11.0.0/16", azure_subnet_cidr="10.11.2.0/24",
    azure_gateway_subnet_cidr="10.11.255.224/27",
    aws_vpc_cidr="10.12.0.0/16", aws_subnet_cidr="10.12.8.0/24",
    vms=[{"name": "web", "cloud": "azure", "private_ip": "10.11.2.50"},
         {"name": "db", "cloud": "aws", "private_ip": "10.12.8.60"}],
    admin_cidrs=["192.168.77.0/24"],
    local_azure_public_cidr="198.51.100.0/25",
    local_aws_public_cidr="198.51.100.128/25",
)

DEFAULT_EXPECT = {
    "params": {},
    "lab": "vpntest",
    "vnet": "10.1.0.0/16", "vpc": "10.2.0.0/16",
    "az_sub": "10.1.1.0/24", "aws_sub": "10.2.1.0/24", "gw_prefix": 27,
    "public_cidrs": {"azure": "198.51.100.0/24", "aws": "203.0.113.0/24"},
    "public_ips": {
        "isp": {"azure": "198.51.100.1", "aws": "203.0.113.1"},
        "edge": {"azure": "198.51.100.2", "aws": "203.0.113.2"},
        "azure_gateway": "198.51.100.10",
        "tunnels": ["203.0.113.10", "203.0.113.11"],
        "vms": {"vm1": "198.51.100.11", "vm2": "198.51.100.12", "vm3": "203.0.113.12"},
        "operator": "198.51.100.254",
    },
    "addresses": {
        "azure_router": "10.1.1.1", "aws_router": "10.2.1.1",
        "azure_gateway_private": "10.1.0.4", "azure_router_gateway_leg": "10.1.0.1",
        "aws_router_transit": "10.2.255.253", "vgw_transit": "10.2.255.254",
    },
    "transit": "10.2.255.252/30",
    "guard_hosts": ["198.51.100.1", "198.51.100.2", "198.51.100.10", "198.51.100.11",
                    "198.51.100.12", "198.51.100.254", "203.0.113.1", "203.0.113.2",
                    "203.0.113.10", "203.0.113.11", "203.0.113.12"],
    "allowed": ["198.51.100.11/32", "198.51.100.12/32", "198.51.100.254/32", "203.0.113.12/32"],
    # name, cloud, private, public, router role key, default gateway, subnet prefix
    "vms": [("vm1", "azure", "10.1.1.10", "198.51.100.11", "azr", "10.1.1.1", 24),
            ("vm2", "azure", "10.1.1.20", "198.51.100.12", "azr", "10.1.1.1", 24),
            ("vm3", "aws", "10.2.1.10", "203.0.113.12", "awsr", "10.2.1.1", 24)],
}

OTHER_EXPECT = {
    "params": OTHER,
    "lab": "lab-2",
    "vnet": "10.11.0.0/16", "vpc": "10.12.0.0/16",
    "az_sub": "10.11.2.0/24", "aws_sub": "10.12.8.0/24", "gw_prefix": 27,
    "public_cidrs": {"azure": "198.51.100.0/25", "aws": "198.51.100.128/25"},
    "public_ips": {
        "isp": {"azure": "198.51.100.1", "aws": "198.51.100.129"},
        "edge": {"azure": "198.51.100.2", "aws": "198.51.100.130"},
        "azure_gateway": "198.51.100.10",
        "tunnels": ["198.51.100.138", "198.51.100.139"],
        "vms": {"web": "198.51.100.11", "db": "198.51.100.140"},
        "operator": "198.51.100.126",
    },
    "addresses": {
        "azure_router": "10.11.2.1", "aws_router": "10.12.8.1",
        "azure_gateway_private": "10.11.255.228", "azure_router_gateway_leg": "10.11.255.225",
        "aws_router_transit": "10.12.255.253", "vgw_transit": "10.12.255.254",
    },
    "transit": "10.12.255.252/30",
    "guard_hosts": ["198.51.100.1", "198.51.100.2", "198.51.100.10", "198.51.100.11",
                    "198.51.100.126", "198.51.100.129", "198.51.100.130", "198.51.100.138",
                    "198.51.100.139", "198.51.100.140"],
    "allowed": ["192.168.77.0/24", "198.51.100.11/32", "198.51.100.126/32", "198.51.100.140/32"],
    "vms": [("web", "azure", "10.11.2.50", "198.51.100.11", "azr", "10.11.2.1", 24),
            ("db", "aws", "10.12.8.60", "198.51.100.140", "awsr", "10.12.8.1", 24)],
}

PLANS = pytest.mark.parametrize("exp", [DEFAULT_EXPECT, OTHER_EXPECT], ids=["default", "other"])


def local(exp):
    return build(**exp["params"])["local"]


def ns(exp, key):
    return "vpnlab-%s.%s" % (exp["lab"], key)


def specs_named(specs, name):
    return [s for s in specs if s["name"] == name]


def link(spec, ifname):
    found = [item for item in spec.get("links", []) if item["ifname"] == ifname]
    assert len(found) == 1, (spec["name"], ifname)
    return found[0]


# --- names and addresses ----------------------------------------------------------------------

@PLANS
def test_namespace_names(exp):
    loc = local(exp)
    assert loc["netns_prefix"] == "vpnlab-%s." % exp["lab"]
    assert loc["netns"] == {key: ns(exp, key) for key in ("inet", "op", "azr", "azgw", "awsr", "vgw")}
    assert loc["vm_netns"] == {vm[0]: ns(exp, vm[0]) for vm in exp["vms"]}


@pytest.mark.parametrize("lab, vms, expected_infra, expected_vms", [
    ("vpntest", ["vm1"], {"inet": "vpnlab-vpntest.inet", "op": "vpnlab-vpntest.op",
                          "azr": "vpnlab-vpntest.azr", "azgw": "vpnlab-vpntest.azgw",
                          "awsr": "vpnlab-vpntest.awsr", "vgw": "vpnlab-vpntest.vgw"},
     {"vm1": "vpnlab-vpntest.vm1"}),
    ("a1", ["x", "y-2"], {"inet": "vpnlab-a1.inet", "op": "vpnlab-a1.op", "azr": "vpnlab-a1.azr",
                          "azgw": "vpnlab-a1.azgw", "awsr": "vpnlab-a1.awsr",
                          "vgw": "vpnlab-a1.vgw"},
     {"x": "vpnlab-a1.x", "y-2": "vpnlab-a1.y-2"}),
])
def test_netns_names(lab, vms, expected_infra, expected_vms):
    assert netns_names(lab, vms) == ("vpnlab-%s." % lab, expected_infra, expected_vms)


@PLANS
def test_public_addresses(exp):
    loc = local(exp)
    assert loc["public_cidrs"] == exp["public_cidrs"]
    assert loc["public_ips"] == exp["public_ips"]
    # Every public address lies in its cloud's range, and none is used twice.
    az = ipaddress.ip_network(exp["public_cidrs"]["azure"])
    aws = ipaddress.ip_network(exp["public_cidrs"]["aws"])
    pub = loc["public_ips"]
    used = ([pub["operator"], pub["azure_gateway"], pub["isp"]["azure"], pub["edge"]["azure"]]
            + [pub["vms"][vm[0]] for vm in exp["vms"] if vm[1] == "azure"])
    assert all(ipaddress.ip_address(a) in az for a in used)
    used_aws = (pub["tunnels"] + [pub["isp"]["aws"], pub["edge"]["aws"]]
                + [pub["vms"][vm[0]] for vm in exp["vms"] if vm[1] == "aws"])
    assert all(ipaddress.ip_address(a) in aws for a in used_aws)
    assert len(set(used + used_aws)) == len(used + used_aws)


@PLANS
def test_private_addresses(exp):
    loc = local(exp)
    assert loc["addresses"] == exp["addresses"]
    assert loc["aws_transit_cidr"] == exp["transit"]
    transit = ipaddress.ip_network(loc["aws_transit_cidr"])
    assert transit.subnet_of(ipaddress.ip_network(exp["vpc"]))
    assert not transit.overlaps(ipaddress.ip_network(exp["aws_sub"]))


@pytest.mark.parametrize("vpc, subnet, expected", [
    ("10.2.0.0/16", "10.2.1.0/24", "10.2.255.252/30"),
    # The VM subnet at the top of the VPC: the last /30 below it.
    ("10.2.0.0/16", "10.2.255.0/24", "10.2.254.252/30"),
    ("10.2.0.0/16", "10.2.128.0/17", "10.2.127.252/30"),
    ("10.2.0.0/27", "10.2.0.16/28", "10.2.0.12/30"),
    ("10.2.0.0/27", "10.2.0.0/28", "10.2.0.28/30"),
    ("10.2.0.0/28", "10.2.0.12/30", "10.2.0.8/30"),
    # Nothing of the VPC left outside the subnet.
    ("10.2.0.0/16", "10.2.0.0/16", None),
    ("10.2.0.0/28", "10.2.0.0/28", None),
])
def test_aws_transit(vpc, subnet, expected):
    got = aws_transit(ipaddress.ip_network(vpc), ipaddress.ip_network(subnet))
    assert (str(got) if got is not None else None) == expected


def test_no_transit_is_a_plan_problem():
    with pytest.raises(PlanError) as err:
        build(aws_subnet_cidr="10.2.0.0/16")
    assert err.value.problems == [
        "vpnlab_aws_subnet_cidr='10.2.0.0/16': leaves no /30 of vpnlab_aws_vpc_cidr='10.2.0.0/16' "
        "free: the local target links the VPC router and the VGW with 4 addresses of the VPC "
        "outside the VM subnet"]


def test_no_transit_is_not_a_problem_for_the_cloud_target():
    with pytest.raises(PlanError) as err:
        build(target="cloud", admin_cidrs=["192.168.77.0/24"], aws_subnet_cidr="10.2.0.0/16")
    # The only problem is the cloud target's absence, not the local target's transit /30.
    assert len(err.value.problems) == 1 and "vpnlab_target" in err.value.problems[0]


@PLANS
def test_guard_routes(exp):
    routes = local(exp)["guard_routes"]
    assert routes[:2] == [exp["vnet"], exp["vpc"]]
    assert sorted(routes[2:]) == sorted("%s/32" % a for a in exp["guard_hosts"])
    assert len(routes) == 2 + len(exp["guard_hosts"])
    # Never a whole public range: the host may reach the outside world through one.
    for cidr in exp["public_cidrs"].values():
        assert cidr not in routes
    assert all(r.endswith("/32") for r in routes[2:])


def test_guard_routes_pure():
    pub = {"operator": "198.51.100.254", "azure_gateway": "198.51.100.10",
           "tunnels": ["203.0.113.10", "203.0.113.11"], "vms": {"a": "198.51.100.11"},
           "isp": {"azure": "198.51.100.1", "aws": "203.0.113.1"},
           "edge": {"azure": "198.51.100.2", "aws": "203.0.113.2"}}
    got = guard_routes(ipaddress.ip_network("10.1.0.0/16"), ipaddress.ip_network("10.2.0.0/16"), pub)
    assert got[:2] == ["10.1.0.0/16", "10.2.0.0/16"]
    assert sorted(got[2:]) == sorted(["198.51.100.254/32", "198.51.100.10/32", "203.0.113.10/32",
                                      "203.0.113.11/32", "198.51.100.11/32", "198.51.100.1/32",
                                      "203.0.113.1/32", "198.51.100.2/32", "203.0.113.2/32"])
    assert len(got) == 11


# --- specs per role -------------------------------------------------------------------------

@PLANS
def test_roles_and_namespace_owners(exp):
    network = local(exp)["network"]
    assert sorted(network) == sorted(ROLES)
    owners = {role: [s["name"] for s in network[role]] for role in ROLES}
    assert owners["internet"] == [ns(exp, "inet"), ns(exp, "op")]
    assert owners["azure_vnet"] == [ns(exp, "azr"), ns(exp, "azgw")]
    assert owners["aws_vpc"] == [ns(exp, "awsr"), ns(exp, "vgw")]
    assert owners["azure_routes"] == [ns(exp, "azr")]
    # The VMs, then the NAT/security additions at both cloud edges.
    assert owners["vms"] == [ns(exp, vm[0]) for vm in exp["vms"]] + [ns(exp, "azr"), ns(exp, "awsr")]
    # Each infrastructure namespace is created (has a link with a kind) by its owning role only.
    for key, role in INFRA_OWNERS.items():
        creators = [r for r in ROLES for s in specs_named(network[r], ns(exp, key))
                    if any("kind" in item for item in s.get("links", []))]
        assert creators == [role], key


@PLANS
def test_lab_host_specs(exp):
    pub, cidrs = exp["public_ips"], exp["public_cidrs"]
    az_len = cidrs["azure"].split("/")[1]
    aws_len = cidrs["aws"].split("/")[1]
    inet, op = local(exp)["network"]["internet"]
    assert inet == {"name": ns(exp, "inet"), "forwarding": True, "links": [
        {"ifname": "br0", "kind": "bridge", "addresses": [
            "%s/%s" % (pub["isp"]["azure"], az_len), "%s/%s" % (pub["isp"]["aws"], aws_len)]}]}
    assert op == {"name": ns(exp, "op"), "links": [
        {"ifname": "eth0", "kind": "veth", "addresses": ["%s/%s" % (pub["operator"], az_len)],
         "peer": {"netns": ns(exp, "inet"), "ifname": "op", "master": "br0"}}],
        "routes": [{"dst": "0.0.0.0/0", "gateway": pub["isp"]["azure"]}]}


@PLANS
def test_azure_gateway_specs(exp):
    pub, addr = exp["public_ips"], exp["addresses"]
    az_len = exp["public_cidrs"]["azure"].split("/")[1]
    gw = exp["gw_prefix"]
    azr, azgw = local(exp)["network"]["azure_vnet"]
    assert azr["name"] == ns(exp, "azr") and azr["forwarding"] is True
    assert link(azr, "br0") == {"ifname": "br0", "kind": "bridge",
                                "addresses": ["%s/24" % addr["azure_router"]]}
    assert link(azr, "inet0") == {"ifname": "inet0", "kind": "veth",
                                  "addresses": ["%s/%s" % (pub["edge"]["azure"], az_len)],
                                  "peer": {"netns": ns(exp, "inet"), "ifname": "azr", "master": "br0"}}
    assert azr["routes"] == [{"dst": "0.0.0.0/0", "gateway": pub["isp"]["azure"]}]
    assert azgw["name"] == ns(exp, "azgw") and azgw["forwarding"] is True
    assert link(azgw, "inet0") == {"ifname": "inet0", "kind": "veth",
                                   "addresses": ["%s/%s" % (pub["azure_gateway"], az_len)],
                                   "peer": {"netns": ns(exp, "inet"), "ifname": "azgw", "master": "br0"}}
    # The gateway's leg in GatewaySubnet (.4) and the VNet router's (.1), no bridge on that link.
    assert link(azgw, "vnet0") == {"ifname": "vnet0", "kind": "veth",
                                   "addresses": ["%s/%d" % (addr["azure_gateway_private"], gw)],
                                   "peer": {"netns": ns(exp, "azr"), "ifname": "gw0",
                                            "addresses": ["%s/%d" % (addr["azure_router_gateway_leg"], gw)]}}
    assert azgw["routes"] == [{"dst": "0.0.0.0/0", "gateway": pub["isp"]["azure"]},
                              {"dst": exp["vnet"], "gateway": addr["azure_router_gateway_leg"]}]
    assert azgw["nftables"] == {"vpnlab_mss": mss_table(1350)}


@PLANS
def test_aws_vpc_vpn_specs(exp):
    pub, addr = exp["public_ips"], exp["addresses"]
    aws_len = exp["public_cidrs"]["aws"].split("/")[1]
    awsr, vgw = local(exp)["network"]["aws_vpc"]
    assert awsr["name"] == ns(exp, "awsr") and awsr["forwarding"] is True
    assert link(awsr, "br0") == {"ifname": "br0", "kind": "bridge",
                                 "addresses": ["%s/24" % addr["aws_router"]]}
    assert link(awsr, "inet0")["addresses"] == ["%s/%s" % (pub["edge"]["aws"], aws_len)]
    assert link(awsr, "inet0")["peer"] == {"netns": ns(exp, "inet"), "ifname": "awsr", "master": "br0"}
    # The VPC route table: the VNet via the VGW.
    assert awsr["routes"] == [{"dst": "0.0.0.0/0", "gateway": pub["isp"]["aws"]},
                              {"dst": exp["vnet"], "gateway": addr["vgw_transit"]}]
    assert vgw["name"] == ns(exp, "vgw") and vgw["forwarding"] is True
    assert link(vgw, "inet0") == {"ifname": "inet0", "kind": "veth",
                                  "addresses": ["%s/%s" % (ip, aws_len) for ip in pub["tunnels"]],
                                  "peer": {"netns": ns(exp, "inet"), "ifname": "vgw", "master": "br0"}}
    assert link(vgw, "vpc0") == {"ifname": "vpc0", "kind": "veth",
                                 "addresses": ["%s/30" % addr["vgw_transit"]],
                                 "peer": {"netns": ns(exp, "awsr"), "ifname": "vgw0",
                                          "addresses": ["%s/30" % addr["aws_router_transit"]]}}
    assert vgw["routes"] == [{"dst": "0.0.0.0/0", "gateway": pub["isp"]["aws"]},
                             {"dst": exp["vpc"], "gateway": addr["aws_router_transit"]}]
    assert vgw["nftables"] == {"vpnlab_mss": mss_table(1350)}


@PLANS
def test_azure_tunnels_spec(exp):
    # The VNet's route to the VPC through the Azure gateway's GatewaySubnet address (.4).
    assert local(exp)["network"]["azure_routes"] == [
        {"name": ns(exp, "azr"),
         "routes": [{"dst": exp["vpc"], "gateway": exp["addresses"]["azure_gateway_private"]}]}]


@PLANS
def test_vm_specs(exp):
    specs = local(exp)["network"]["vms"]
    for name, dummy, private, dummy2, router, gateway, prefixlen in exp["vms"]:
        assert specs_named(specs, ns(exp, name)) == [{
            "name": ns(exp, name),
            "links": [{"ifname": "eth0", "kind": "veth", "addresses": ["%s/%d" % (private, prefixlen)],
                       "peer": {"netns": ns(exp, router), "ifname": name, "master": "br0"}}],
            "routes": [{"dst": "0.0.0.0/0", "gateway": gateway}]}]


@PLANS
def test_edge_specs(exp):
    specs = local(exp)["network"]["vms"]
    for cloud, router in (("azure", "azr"), ("aws", "awsr")):
        plen = exp["public_cidrs"][cloud].split("/")[1]
        edge = specs[-2] if cloud == "azure" else specs[-1]
        pairs = [(vm[2], vm[3]) for vm in exp["vms"] if vm[1] == cloud]
        subnet = exp["az_sub"] if cloud == "azure" else exp["aws_sub"]
        # inet0 without a kind: it must already exist (the router's role made it).
        assert edge == {"name": ns(exp, router),
                        "links": [{"ifname": "inet0",
                                   "addresses": ["%s/%s" % (pub, plen) for dummy, pub in pairs]}],
                        "nftables": {"vpnlab_nat": nat_table(pairs),
                                     "vpnlab_security": security_table(subnet, exp["allowed"], peers(exp))}}


def peers(exp):
    """The lab VMs' public /32s: the only sources allowed to reach iperf3 (TCP 5201-5202)."""
    return sorted("%s/32" % ip for ip in exp["public_ips"]["vms"].values())


# --- nftables texts ---------------------------------------------------------------------------

NAT_DEFAULT_AZURE = (
    "chain prerouting {\n"
    "  type nat hook prerouting priority dstnat; policy accept;\n"
    "  ip daddr 198.51.100.11 dnat to 10.1.1.10\n"
    "  ip daddr 198.51.100.12 dnat to 10.1.1.20\n"
    "}\n"
    "chain postrouting {\n"
    "  type nat hook postrouting priority srcnat; policy accept;\n"
    "  ip saddr 10.1.1.10 oifname \"inet0\" snat to 198.51.100.11\n"
    "  ip saddr 10.1.1.10 ct status dnat snat to 198.51.100.11\n"
    "  ip saddr 10.1.1.20 oifname \"inet0\" snat to 198.51.100.12\n"
    "  ip saddr 10.1.1.20 ct status dnat snat to 198.51.100.12\n"
    "}\n")

SECURITY_DEFAULT_AWS = (
    "chain forward {\n"
    "  type filter hook forward priority filter; policy accept;\n"
    "  iifname \"inet0\" ct state established,related accept\n"
    "  iifname \"inet0\" ip daddr 10.2.1.0/24 ip saddr { 198.51.100.11/32, 198.51.100.12/32, "
    "198.51.100.254/32, 203.0.113.12/32 } tcp dport 22 accept\n"
    "  iifname \"inet0\" ip daddr 10.2.1.0/24 ip saddr { 198.51.100.11/32, 198.51.100.12/32, "
    "198.51.100.254/32, 203.0.113.12/32 } icmp type echo-request accept\n"
    "  iifname \"inet0\" ip daddr 10.2.1.0/24 ip saddr { 198.51.100.11/32, 198.51.100.12/32, "
    "203.0.113.12/32 } tcp dport 5201-5202 accept\n"
    "  iifname \"inet0\" ip daddr 10.2.1.0/24 counter drop\n"
    "}\n")

SECURITY_OTHER_AZURE = (
    "chain forward {\n"
    "  type filter hook forward priority filter; policy accept;\n"
    "  iifname \"inet0\" ct state established,related accept\n"
    "  iifname \"inet0\" ip daddr 10.11.2.0/24 ip saddr { 192.168.77.0/24, 198.51.100.11/32, "
    "198.51.100.126/32, 198.51.100.140/32 } tcp dport 22 accept\n"
    "  iifname \"inet0\" ip daddr 10.11.2.0/24 ip saddr { 192.168.77.0/24, 198.51.100.11/32, "
    "198.51.100.126/32, 198.51.100.140/32 } icmp type echo-request accept\n"
    "  iifname \"inet0\" ip daddr 10.11.2.0/24 ip saddr { 198.51.100.11/32, 198.51.100.140/32 } "
    "tcp dport 5201-5202 accept\n"
    "  iifname \"inet0\" ip daddr 10.11.2.0/24 counter drop\n"
    "}\n")

NAT_OTHER_AWS = (
    "chain prerouting {\n"
    "  type nat hook prerouting priority dstnat; policy accept;\n"
    "  ip daddr 198.51.100.140 dnat to 10.12.8.60\n"
    "}\n"
    "chain postrouting {\n"
    "  type nat hook postrouting priority srcnat; policy accept;\n"
    "  ip saddr 10.12.8.60 oifname \"inet0\" snat to 198.51.100.140\n"
    "  ip saddr 10.12.8.60 ct status dnat snat to 198.51.100.140\n"
    "}\n")


@pytest.mark.parametrize("params, index, table, expected", [
    ({}, -2, "vpnlab_nat", NAT_DEFAULT_AZURE),
    ({}, -1, "vpnlab_security", SECURITY_DEFAULT_AWS),
    (OTHER, -2, "vpnlab_security", SECURITY_OTHER_AZURE),
    (OTHER, -1, "vpnlab_nat", NAT_OTHER_AWS),
], ids=["default-azure-nat", "default-aws-security", "other-azure-security", "other-aws-nat"])
def test_edge_nft_texts(params, index, table, expected):
    assert build(**params)["local"]["network"]["vms"][index]["nftables"][table] == expected


@PLANS
def test_allowed_sources(exp):
    """Admin CIDRs, the operator /32 and every VM's public /32; nothing else, never 0.0.0.0/0."""
    specs = local(exp)["network"]["vms"]
    for edge in specs[-2:]:
        text = edge["nftables"]["vpnlab_security"]
        sets = [line.split("{ ", 1)[1].split(" }", 1)[0] for line in text.splitlines() if "{ " in line]
        assert sets == [", ".join(exp["allowed"])] * 2 + [", ".join(peers(exp))]
        assert "0.0.0.0/0" not in text
    expected = sorted(set(exp["params"].get("admin_cidrs", []))
                      | {"%s/32" % exp["public_ips"]["operator"]}
                      | {"%s/32" % ip for ip in exp["public_ips"]["vms"].values()})
    assert exp["allowed"] == expected


@pytest.mark.parametrize("pairs, expected_lines", [
    ([], ["chain prerouting {", "  type nat hook prerouting priority dstnat; policy accept;", "}",
          "chain postrouting {", "  type nat hook postrouting priority srcnat; policy accept;", "}"]),
    ([("10.0.0.5", "192.0.2.77")],
     ["chain prerouting {", "  type nat hook prerouting priority dstnat; policy accept;",
      "  ip daddr 192.0.2.77 dnat to 10.0.0.5", "}",
      "chain postrouting {", "  type nat hook postrouting priority srcnat; policy accept;",
      "  ip saddr 10.0.0.5 oifname \"inet0\" snat to 192.0.2.77",
      "  ip saddr 10.0.0.5 ct status dnat snat to 192.0.2.77", "}"]),
])
def test_nat_table(pairs, expected_lines):
    assert nat_table(pairs) == "\n".join(expected_lines) + "\n"


@pytest.mark.parametrize("subnet, allowed, src", [
    ("10.1.1.0/24", ["198.51.100.254/32"], "198.51.100.254/32"),
    ("10.9.0.0/20", ["10.99.0.0/16", "198.51.100.3/32"], "10.99.0.0/16, 198.51.100.3/32"),
])
def test_security_table(subnet, allowed, src):
    text = security_table(subnet, allowed)
    rules = [line.strip() for line in text.splitlines()]
    assert rules == [
        "chain forward {",
        "type filter hook forward priority filter; policy accept;",
        "iifname \"inet0\" ct state established,related accept",
        "iifname \"inet0\" ip daddr %s ip saddr { %s } tcp dport 22 accept" % (subnet, src),
        "iifname \"inet0\" ip daddr %s ip saddr { %s } icmp type echo-request accept" % (subnet, src),
        "iifname \"inet0\" ip daddr %s counter drop" % subnet,
        "}"]
    with_peers = security_table(subnet, allowed, ["198.51.100.11/32", "203.0.113.12/32"])
    assert with_peers.replace(
        "  iifname \"inet0\" ip daddr %s ip saddr { 198.51.100.11/32, 203.0.113.12/32 } tcp dport "
        "5201-5202 accept\n" % subnet, "") == text


@pytest.mark.parametrize("mss", [1350, 1379])
def test_mss_table(mss):
    assert mss_table(mss) == (
        "chain forward {\n"
        "  type filter hook forward priority mangle; policy accept;\n"
        "  oifname \"ipsec*\" tcp flags syn tcp option maxseg size set %d\n"
        "  iifname \"ipsec*\" tcp flags syn tcp option maxseg size set %d\n"
        "}\n" % (mss, mss))


def test_mss_default_is_azure():
    assert "maxseg size set 1350\n" in mss_table(1350)


# --- inventory records ------------------------------------------------------------------------

@PLANS
def test_inventory_records(exp):
    records = local(exp)["inventory"]
    state = "/st/%s" % exp["lab"]
    assert [(r["name"], r["cloud"], r["private_ip"], r["public_ip"]) for r in records] == [
        vm[:4] for vm in exp["vms"]]
    for record, vm in zip(records, exp["vms"]):
        assert record["resource_name"] == "%s-%s" % (exp["lab"], vm[0])
        assert record["netns"] == ns(exp, vm[0])
        assert record["connection"] == {
            "ansible_host": vm[3], "ansible_user": "root", "ansible_port": 22,
            "ansible_ssh_private_key_file": "%s/id_ed25519" % state,
            "ansible_ssh_common_args": (
                "-o ProxyCommand='ip netns exec %s nc %%h %%p' -o UserKnownHostsFile=%s/known_hosts"
                " -o StrictHostKeyChecking=yes -o ConnectTimeout=10" % (ns(exp, "op"), state)),
            "ansible_control_path": "%%(directory)s/vpnlab-%s-%%%%C" % exp["lab"],
            "ansible_python_interpreter": "/usr/bin/python3",
        }


@pytest.mark.parametrize("lab, expected", [
    ("vpntest", "%(directory)s/vpnlab-vpntest-%%C"),
    ("lab-2", "%(directory)s/vpnlab-lab-2-%%C"),
])
def test_control_path_per_lab(lab, expected):
    record = build(name=lab)["local"]["inventory"][0]
    path = record["connection"]["ansible_control_path"]
    assert path == expected
    # What ssh gets after Ansible fills in the directory: one %C token, the lab in the name.
    assert path % {"directory": "/cp"} == "/cp/vpnlab-%s-%%C" % lab


def test_inventory_proxy_goes_through_the_operator_namespace():
    args = build()["local"]["inventory"][0]["connection"]["ansible_ssh_common_args"]
    assert "ProxyCommand='ip netns exec vpnlab-vpntest.op nc %h %p'" in args
    assert "UserKnownHostsFile=/st/vpntest/known_hosts" in args
    assert "StrictHostKeyChecking=yes" in args


# --- labs side by side ------------------------------------------------------------------------

def _all_netns(plan):
    loc = plan["local"]
    return set(loc["netns"].values()) | set(loc["vm_netns"].values())


@pytest.mark.parametrize("lab_a, vms_a, lab_b", [
    # Joined with '-', lab "ab"'s VM "cd-inet" would get lab "ab-cd"'s internet namespace
    # (vpnlab-ab-cd-inet); with the dot they are vpnlab-ab.cd-inet and vpnlab-ab-cd.inet.
    ("ab", ["cd-inet"], "ab-cd"),
    ("ab", ["cd-vm1"], "ab-cd"),
])
def test_labs_side_by_side_never_share_a_namespace(lab_a, vms_a, lab_b):
    vms_a = [{"name": vms_a[0], "cloud": "azure", "private_ip": "10.1.1.10"},
             {"name": "vm3", "cloud": "aws", "private_ip": "10.2.1.10"}]
    try:
        plan_a = build(name=lab_a, vms=vms_a)
    except PlanError:
        return  # refusing such a VM name is a fix as good as distinct names
    plan_b = build(name=lab_b)
    assert _all_netns(plan_a).isdisjoint(_all_netns(plan_b))


# --- the roles' specs, converged in site.yml's order against a simulated kernel ---------------

class SimKernel:
    """Network namespaces as the kernel would refuse them: a veth into a missing namespace, a
    bridge port without its bridge, a route whose gateway is not on a connected subnet."""

    def __init__(self):
        self.ns = {}

    def _link(self, netns, ifname):
        return self.ns.get(netns, {}).get("links", {}).get(ifname)

    def observe(self, spec):
        name = spec["name"]
        if name not in self.ns:
            return {"exists": False, "links": {}, "routes": [], "sysctls": {}, "nft": {}}
        state = self.ns[name]
        links = {}
        for item in spec.get("links", []):
            have = state["links"].get(item["ifname"])
            if have is None:
                continue
            seen = {"addresses": list(have["addresses"]), "peer_addresses": [], "peer_ok": True,
                    "peer_master_ok": True}
            peer = item.get("peer")
            if item.get("kind") == "veth" and peer:
                other = self._link(peer["netns"], peer["ifname"])
                seen["peer_ok"] = (have["kind"] == "veth" and other is not None
                                   and other.get("peer") == (name, item["ifname"]))
                if seen["peer_ok"]:
                    seen["peer_addresses"] = list(other["addresses"])
                    seen["peer_master_ok"] = not peer.get("master") or other["master"] == peer["master"]
            links[item["ifname"]] = seen
        return {"exists": True, "links": links, "routes": sorted(state["routes"].items()),
                "sysctls": {k: state["sysctls"].get(k) for k in wanted_sysctls(spec)},
                "nft": dict(state["nft"])}

    def apply(self, name, action, details):
        getattr(self, "_" + action)(name, **details)

    def _fail(self, name, msg):
        raise RuntimeError("%s: %s" % (name, msg))

    def _create_netns(self, name):
        assert name not in self.ns, "namespace %s created twice" % name
        self.ns[name] = {"links": {}, "routes": {}, "sysctls": {}, "nft": {}}

    def _add_link(self, name, link):
        links = self.ns[name]["links"]
        assert link["ifname"] not in links, "%s: %s exists" % (name, link["ifname"])
        assert len(link["ifname"]) <= 15
        if link["kind"] == "bridge":
            links[link["ifname"]] = {"kind": "bridge", "addresses": [], "master": None, "peer": None}
            return
        peer = link["peer"]
        assert peer["netns"] in self.ns, "%s: peer namespace %s does not exist" % (name, peer["netns"])
        plinks = self.ns[peer["netns"]]["links"]
        assert peer["ifname"] not in plinks, "%s: %s exists" % (peer["netns"], peer["ifname"])
        assert len(peer["ifname"]) <= 15
        links[link["ifname"]] = {"kind": "veth", "addresses": [], "master": None,
                                 "peer": (peer["netns"], peer["ifname"])}
        plinks[peer["ifname"]] = {"kind": "veth", "addresses": [], "master": None,
                                  "peer": (name, link["ifname"])}

    def _replace_link(self, name, link):
        raise AssertionError("nothing is replaced in a fresh lab")

    def _add_address(self, netns, ifname, cidr):
        found = self._link(netns, ifname)
        assert found is not None, "%s: no %s for %s" % (netns, ifname, cidr)
        found["addresses"].append(cidr)

    def _address(self, name, ifname, cidr):
        self._add_address(name, ifname, cidr)

    def _peer_address(self, name, peer, cidr):
        self._add_address(peer["netns"], peer["ifname"], cidr)

    def _peer_master(self, name, peer):
        master = self._link(peer["netns"], peer["master"])
        assert master is not None and master["kind"] == "bridge", "%s: no bridge %s" % (
            peer["netns"], peer["master"])
        self._link(peer["netns"], peer["ifname"])["master"] = peer["master"]

    def _sysctls(self, name, values):
        self.ns[name]["sysctls"].update(values)

    def connected(self, name):
        return [ipaddress.ip_interface(a).network for link in self.ns[name]["links"].values()
                for a in link["addresses"]]

    def _route(self, name, dst, gateway):
        on_link = [net for net in self.connected(name) if ipaddress.ip_address(gateway) in net]
        assert on_link, "%s: gateway %s of %s is not on a connected subnet" % (name, gateway, dst)
        self.ns[name]["routes"][dst] = gateway

    def _nft(self, name, table, body):
        self.ns[name]["nft"][table] = "vpnlab:" + nft_digest(body)


@PLANS
def test_site_order_converges_and_is_idempotent(exp):
    network = local(exp)["network"]
    kernel = SimKernel()
    for role in ROLES:
        assert converge(network[role], kernel, False), role
    for role in ROLES:
        assert converge(network[role], kernel, False) == [], role
    # Every VM hangs off its cloud's bridge, with its gateway on that bridge.
    for name, dummy, private, dummy2, router, gateway, dummy3 in exp["vms"]:
        port = kernel.ns[ns(exp, router)]["links"][name]
        assert (port["master"], port["peer"]) == ("br0", (ns(exp, name), "eth0"))
        assert kernel.ns[ns(exp, name)]["routes"] == {"0.0.0.0/0": gateway}
    assert kernel.ns[ns(exp, "azr")]["routes"] == {
        "0.0.0.0/0": exp["public_ips"]["isp"]["azure"],
        exp["vpc"]: exp["addresses"]["azure_gateway_private"]}
    assert sorted(kernel.ns) == sorted([ns(exp, k) for k in INFRA] + [ns(exp, vm[0]) for vm in exp["vms"]])
    # The internet bridge joins exactly the operator, both routers and both gateways.
    ports = {i for i, link in kernel.ns[ns(exp, "inet")]["links"].items() if link["master"] == "br0"}
    assert ports == {"op", "azr", "azgw", "awsr", "vgw"}

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pure half of netns: what is missing in a namespace and in which order it is added.

The driver is a fake that returns canned observations and records what it is asked to apply;
nothing here touches a real network namespace."""

from __future__ import annotations

import copy
import hashlib

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.netns import (
    BASE_SYSCTLS, converge, describe, missing, nft_digest, nft_document, nft_table_comment,
    plan_namespace, route_key, wanted_sysctls,
)

BASE = {"net.ipv6.conf.all.disable_ipv6": "1", "net.ipv6.conf.default.disable_ipv6": "1",
        "net.ipv4.icmp_ratelimit": "0"}
FORWARD = dict(BASE, **{"net.ipv4.ip_forward": "1"})
MSS_BODY = "chain forward {\n  type filter hook forward priority mangle; policy accept;\n}\n"
NAT_BODY = "chain prerouting {\n  type nat hook prerouting priority dstnat; policy accept;\n}\n"

# A router namespace like the plan's azr: a bridge, a veth into "inet" (on its bridge) and a
# veth with an address on both ends, routes and two nftables tables.
PEER_INET = {"netns": "lab-inet", "ifname": "azr", "master": "br0"}
PEER_GW = {"netns": "lab-azgw", "ifname": "vnet0", "addresses": ["10.1.0.4/27"]}
SPEC = {
    "name": "lab-azr",
    "forwarding": True,
    "links": [
        {"ifname": "br0", "kind": "bridge", "addresses": ["10.1.1.1/24"]},
        {"ifname": "inet0", "kind": "veth", "addresses": ["198.51.100.2/24"], "peer": PEER_INET},
        {"ifname": "gw0", "kind": "veth", "addresses": ["10.1.0.1/27"], "peer": PEER_GW},
    ],
    "routes": [{"dst": "0.0.0.0/0", "gateway": "198.51.100.1"},
               {"dst": "10.2.0.0/16", "gateway": "10.1.0.4"}],
    "nftables": {"vpnlab_nat": NAT_BODY, "vpnlab_mss": MSS_BODY},
}


def absent():
    return {"exists": False, "links": {}, "routes": [], "sysctls": {}, "nft": {}}


def converged():
    """What the driver reads from a namespace in which SPEC is fully in place."""
    links = {}
    for item in SPEC["links"]:
        peer = item.get("peer") or {}
        links[item["ifname"]] = {"kind": item.get("kind"), "addresses": list(item.get("addresses", [])),
                                 "peer_addresses": list(peer.get("addresses", [])),
                                 "peer_ok": True, "peer_master_ok": True}
    return {"exists": True, "links": links,
            "routes": [("0.0.0.0/0", "198.51.100.1"), ("10.1.1.0/24", None),
                       ("10.2.0.0/16", "10.1.0.4")],
            "sysctls": dict(FORWARD, **{"net.ipv4.conf.all.rp_filter": "2"}),
            "nft": {"vpnlab_nat": "vpnlab:" + nft_digest(NAT_BODY),
                    "vpnlab_mss": "vpnlab:" + nft_digest(MSS_BODY)}}


def observed_with(change):
    seen = converged()
    change(seen)
    return seen


# --- nft texts -------------------------------------------------------------------------------

@pytest.mark.parametrize("body, expected", [
    ("", hashlib.sha256(b"").hexdigest()[:16]),
    (MSS_BODY, hashlib.sha256(MSS_BODY.encode()).hexdigest()[:16]),
])
def test_nft_digest(body, expected):
    assert nft_digest(body) == expected
    assert len(nft_digest(body)) == 16


def test_nft_digest_known_value():
    assert nft_digest("") == "e3b0c44298fc1c14"
    assert nft_digest("a") != nft_digest("a ")


@pytest.mark.parametrize("table, body, expected", [
    ("vpnlab_mss", "chain forward {\n  policy accept;\n}\n",
     "table ip vpnlab_mss\n"
     "delete table ip vpnlab_mss\n"
     "table ip vpnlab_mss {\n"
     "  comment \"vpnlab:%s\"\n"
     "  chain forward {\n"
     "    policy accept;\n"
     "  }\n"
     "}\n" % nft_digest("chain forward {\n  policy accept;\n}\n")),
    # No trailing newline in the body: the same document shape.
    ("t", "chain c {\n}", "table ip t\ndelete table ip t\ntable ip t {\n  comment \"vpnlab:%s\"\n"
     "  chain c {\n  }\n}\n" % nft_digest("chain c {\n}")),
])
def test_nft_document(table, body, expected):
    assert nft_document(table, body) == expected


def test_nft_document_comment_reads_back():
    """The comment the document writes is the one nft_table_comment reads from `nft list`."""
    listed = nft_document("vpnlab_nat", NAT_BODY).split("delete table ip vpnlab_nat\n", 1)[1]
    assert nft_table_comment(listed) == "vpnlab:" + nft_digest(NAT_BODY)


@pytest.mark.parametrize("text, expected", [
    # nft list table ip vpnlab_mss, as nftables 1.0.6 prints it (tabs).
    ("table ip vpnlab_mss {\n\tcomment \"vpnlab:0123456789abcdef\"\n\tchain forward {\n"
     "\t\ttype filter hook forward priority mangle; policy accept;\n\t}\n}\n",
     "vpnlab:0123456789abcdef"),
    ("table ip t {\n\n\tcomment \"hand made\"\n}\n", "hand made"),
    # A table without comment: its first line inside is a chain.
    ("table ip vpnlab_mss {\n\tchain forward {\n\t\ttype filter hook forward priority mangle; "
     "policy accept;\n\t}\n}\n", None),
    # A chain comment is not the table's.
    ("table ip t {\n\tchain c {\n\t\tcomment \"vpnlab:0123456789abcdef\"\n\t}\n}\n", None),
    ("table ip t {\n}\n", None),
    ("", None),
    ("Error: No such file or directory\nlist table ip vpnlab_nat\n                   ^^^^^^^^^^\n", None),
    ("comment \"vpnlab:0123456789abcdef\"\n", None),
    ("\x00\x01garbage", None),
])
def test_nft_table_comment(text, expected):
    assert nft_table_comment(text) == expected


# --- small helpers ---------------------------------------------------------------------------

@pytest.mark.parametrize("route, expected", [
    ({"dst": "default", "gateway": "10.0.0.1"}, ("0.0.0.0/0", "10.0.0.1")),
    ({"dst": "0.0.0.0/0", "gateway": "10.0.0.1"}, ("0.0.0.0/0", "10.0.0.1")),
    ({"dst": "10.2.0.0/16", "gateway": "10.1.0.4"}, ("10.2.0.0/16", "10.1.0.4")),
    ({"dst": "10.2.0.0/16"}, ("10.2.0.0/16", None)),
])
def test_route_key(route, expected):
    assert route_key(route) == expected


def test_default_and_zero_route_are_one():
    assert route_key({"dst": "default", "gateway": "g"}) == route_key({"dst": "0.0.0.0/0", "gateway": "g"})
    assert route_key({"dst": "default", "gateway": "g"}) != route_key({"dst": "default", "gateway": "h"})


@pytest.mark.parametrize("desired, current, expected", [
    ([], [], []),
    (["a", "b"], [], ["a", "b"]),
    (["a", "b", "c"], ["b"], ["a", "c"]),
    (["c", "a", "b"], ["x", "a"], ["c", "b"]),
    (["a", "b"], ["b", "a", "z"], []),
    ([("0.0.0.0/0", "g")], [("0.0.0.0/0", "g")], []),
    ([("0.0.0.0/0", "g")], [("0.0.0.0/0", "h")], [("0.0.0.0/0", "g")]),
])
def test_missing(desired, current, expected):
    assert missing(desired, current) == expected


@pytest.mark.parametrize("spec, expected", [
    ({"name": "n"}, BASE),
    ({"name": "n", "forwarding": False}, BASE),
    ({"name": "n", "forwarding": True}, FORWARD),
])
def test_wanted_sysctls(spec, expected):
    assert wanted_sysctls(spec) == expected


def test_wanted_sysctls_leaves_the_base_alone():
    wanted_sysctls({"name": "n", "forwarding": True})
    assert BASE_SYSCTLS == BASE


# --- plan_namespace -------------------------------------------------------------------------

def actions(spec, seen):
    return plan_namespace(spec, seen)


FULL = [
    ("create_netns", {}),
    ("add_link", {"link": SPEC["links"][0]}),
    ("address", {"ifname": "br0", "cidr": "10.1.1.1/24"}),
    ("add_link", {"link": SPEC["links"][1]}),
    ("address", {"ifname": "inet0", "cidr": "198.51.100.2/24"}),
    ("peer_master", {"peer": PEER_INET}),
    ("add_link", {"link": SPEC["links"][2]}),
    ("address", {"ifname": "gw0", "cidr": "10.1.0.1/27"}),
    ("peer_address", {"peer": PEER_GW, "cidr": "10.1.0.4/27"}),
    ("sysctls", {"values": FORWARD}),
    ("route", {"dst": "0.0.0.0/0", "gateway": "198.51.100.1"}),
    ("route", {"dst": "10.2.0.0/16", "gateway": "10.1.0.4"}),
    # Tables in name order.
    ("nft", {"table": "vpnlab_mss", "body": MSS_BODY}),
    ("nft", {"table": "vpnlab_nat", "body": NAT_BODY}),
]


def _drop_veth_peer(seen):
    seen["links"]["inet0"]["peer_ok"] = False


def _drop_address(seen):
    seen["links"]["br0"]["addresses"] = []


def _drop_peer_address(seen):
    seen["links"]["gw0"]["peer_addresses"] = ["10.9.9.9/24"]


def _drop_peer_master(seen):
    seen["links"]["inet0"]["peer_master_ok"] = False


def _stale_nft(seen):
    seen["nft"]["vpnlab_nat"] = "vpnlab:" + nft_digest(NAT_BODY + "# old\n")


def _no_nft_table(seen):
    seen["nft"]["vpnlab_mss"] = None


def _forwarding_off(seen):
    seen["sysctls"]["net.ipv4.ip_forward"] = "0"


def _no_sysctls(seen):
    seen["sysctls"] = {}


def _other_default(seen):
    seen["routes"] = [("0.0.0.0/0", "198.51.100.99"), ("10.2.0.0/16", "10.1.0.4")]


def _only_wanted_routes(seen):
    # The kernel's own routes (the bridge's subnet) are neither needed nor removed.
    seen["routes"] = [("0.0.0.0/0", "198.51.100.1"), ("10.2.0.0/16", "10.1.0.4")]


@pytest.mark.parametrize("change, expected", [
    (lambda seen: None, []),
    (_only_wanted_routes, []),
    (_drop_veth_peer, [("replace_link", {"link": SPEC["links"][1]}),
                       ("address", {"ifname": "inet0", "cidr": "198.51.100.2/24"}),
                       ("peer_master", {"peer": PEER_INET})]),
    (_drop_address, [("address", {"ifname": "br0", "cidr": "10.1.1.1/24"})]),
    (_drop_peer_address, [("peer_address", {"peer": PEER_GW, "cidr": "10.1.0.4/27"})]),
    (_drop_peer_master, [("peer_master", {"peer": PEER_INET})]),
    (_stale_nft, [("nft", {"table": "vpnlab_nat", "body": NAT_BODY})]),
    (_no_nft_table, [("nft", {"table": "vpnlab_mss", "body": MSS_BODY})]),
    (_forwarding_off, [("sysctls", {"values": {"net.ipv4.ip_forward": "1"}})]),
    (_no_sysctls, [("sysctls", {"values": FORWARD})]),
    (_other_default, [("route", {"dst": "0.0.0.0/0", "gateway": "198.51.100.1"})]),
], ids=["converged", "only-wanted-routes", "veth-peer-gone", "address-missing", "peer-address-missing",
        "peer-master-missing", "nft-stale-digest", "nft-table-missing", "forwarding-off",
        "sysctls-unknown", "other-default-route"])
def test_plan_namespace_existing(change, expected):
    assert actions(SPEC, observed_with(change)) == expected


def test_plan_namespace_missing_namespace_adds_everything():
    assert actions(SPEC, absent()) == FULL


def test_plan_namespace_link_missing_in_existing_namespace():
    seen = converged()
    del seen["links"]["gw0"]
    assert actions(SPEC, seen) == [
        ("add_link", {"link": SPEC["links"][2]}),
        ("address", {"ifname": "gw0", "cidr": "10.1.0.1/27"}),
        ("peer_address", {"peer": PEER_GW, "cidr": "10.1.0.4/27"})]


def test_plan_namespace_idempotent_after_everything_was_added():
    """Feeding back what the first plan adds leaves nothing to do."""
    assert actions(SPEC, converged()) == []
    assert actions(SPEC, absent()) != []


EDGE = {"name": "lab-azr", "links": [{"ifname": "inet0", "addresses": ["198.51.100.11/24"]}]}


@pytest.mark.parametrize("seen, expected", [
    # A link without a kind belongs to another role: missing -> fail, nothing else for it.
    (dict(absent(), exists=True, sysctls=dict(BASE)),
     [("fail", {"msg": "interface inet0 does not exist yet (created by another role)"})]),
    (absent(), [("create_netns", {}),
                ("fail", {"msg": "interface inet0 does not exist yet (created by another role)"}),
                ("sysctls", {"values": BASE})]),
    # Present: only the missing address is added; no veth checks for a kind-less link.
    (dict(absent(), exists=True, sysctls=dict(BASE),
          links={"inet0": {"addresses": ["198.51.100.2/24"], "peer_addresses": [],
                           "peer_ok": True, "peer_master_ok": True}}),
     [("address", {"ifname": "inet0", "cidr": "198.51.100.11/24"})]),
])
def test_plan_namespace_kindless_link(seen, expected):
    assert actions(EDGE, seen) == expected


@pytest.mark.parametrize("dst", ["default", "0.0.0.0/0"])
def test_plan_namespace_default_route_spellings(dst):
    spec = {"name": "lab-op", "routes": [{"dst": dst, "gateway": "198.51.100.1"}]}
    seen = dict(absent(), exists=True, sysctls=dict(BASE), routes=[("0.0.0.0/0", "198.51.100.1")])
    assert actions(spec, seen) == []
    seen["routes"] = [("0.0.0.0/0", "198.51.100.7")]
    assert actions(spec, seen) == [("route", {"dst": "0.0.0.0/0", "gateway": "198.51.100.1"})]


def test_plan_namespace_minimal_spec():
    assert actions({"name": "lab-op"}, absent()) == [("create_netns", {}), ("sysctls", {"values": BASE})]
    assert actions({"name": "lab-op"}, dict(absent(), exists=True, sysctls=dict(BASE))) == []


# --- describe --------------------------------------------------------------------------------

@pytest.mark.parametrize("action, details, expected", [
    ("create_netns", {}, "lab-azr: create namespace"),
    ("add_link", {"link": SPEC["links"][0]}, "lab-azr: add bridge br0"),
    ("add_link", {"link": SPEC["links"][1]}, "lab-azr: add veth inet0"),
    ("replace_link", {"link": SPEC["links"][1]}, "lab-azr: recreate veth inet0"),
    ("address", {"ifname": "br0", "cidr": "10.1.1.1/24"}, "lab-azr: address 10.1.1.1/24 on br0"),
    ("peer_address", {"peer": PEER_GW, "cidr": "10.1.0.4/27"},
     "lab-azr: address 10.1.0.4/27 on lab-azgw/vnet0"),
    ("peer_master", {"peer": PEER_INET}, "lab-azr: attach lab-inet/azr to br0"),
    ("sysctls", {"values": {"net.ipv4.ip_forward": "1", "net.ipv4.icmp_ratelimit": "0"}},
     "lab-azr: set net.ipv4.icmp_ratelimit=0, net.ipv4.ip_forward=1"),
    ("route", {"dst": "0.0.0.0/0", "gateway": "198.51.100.1"}, "lab-azr: route 0.0.0.0/0 via 198.51.100.1"),
    ("nft", {"table": "vpnlab_nat", "body": NAT_BODY}, "lab-azr: nftables table vpnlab_nat"),
    ("fail", {"msg": "interface inet0 does not exist yet"}, "lab-azr: interface inet0 does not exist yet"),
])
def test_describe(action, details, expected):
    assert describe("lab-azr", action, details) == expected


def test_describe_never_shows_an_nft_body():
    assert NAT_BODY.strip() not in describe("n", "nft", {"table": "t", "body": NAT_BODY})


# --- converge --------------------------------------------------------------------------------

class FakeDriver:
    def __init__(self, observations):
        self.observations = observations
        self.observed = []
        self.applied = []

    def observe(self, spec):
        self.observed.append(spec["name"])
        return copy.deepcopy(self.observations[spec["name"]])

    def apply(self, name, action, details):
        self.applied.append((name, action, details))


OP = {"name": "lab-op",
      "links": [{"ifname": "eth0", "kind": "veth", "addresses": ["198.51.100.254/24"],
                 "peer": {"netns": "lab-inet", "ifname": "op", "master": "br0"}}],
      "routes": [{"dst": "default", "gateway": "198.51.100.1"}]}
INET = {"name": "lab-inet", "forwarding": True,
        "links": [{"ifname": "br0", "kind": "bridge", "addresses": ["198.51.100.1/24"]}],
        "nftables": {"vpnlab_mss": MSS_BODY}}

CONVERGE_ALL = [
    "lab-inet: create namespace",
    "lab-inet: add bridge br0",
    "lab-inet: address 198.51.100.1/24 on br0",
    "lab-op: create namespace",
    "lab-op: add veth eth0",
    "lab-op: address 198.51.100.254/24 on eth0",
    "lab-op: attach lab-inet/op to br0",
    # Everything that needs links comes after every link of every spec, specs in order.
    "lab-inet: set net.ipv4.icmp_ratelimit=0, net.ipv4.ip_forward=1, "
    "net.ipv6.conf.all.disable_ipv6=1, net.ipv6.conf.default.disable_ipv6=1",
    "lab-inet: nftables table vpnlab_mss",
    "lab-op: set net.ipv4.icmp_ratelimit=0, net.ipv6.conf.all.disable_ipv6=1, "
    "net.ipv6.conf.default.disable_ipv6=1",
    "lab-op: route 0.0.0.0/0 via 198.51.100.1",
]


@pytest.mark.parametrize("check_mode", [False, True])
def test_converge_orders_late_actions_after_all_links(check_mode):
    driver = FakeDriver({"lab-inet": absent(), "lab-op": absent()})
    done = converge([INET, OP], driver, check_mode)
    assert done == CONVERGE_ALL
    assert driver.observed == ["lab-inet", "lab-op"]
    if check_mode:
        assert driver.applied == []
    else:
        assert [(name, action) for name, action, dummy in driver.applied] == [
            ("lab-inet", "create_netns"), ("lab-inet", "add_link"), ("lab-inet", "address"),
            ("lab-op", "create_netns"), ("lab-op", "add_link"), ("lab-op", "address"),
            ("lab-op", "peer_master"),
            ("lab-inet", "sysctls"), ("lab-inet", "nft"), ("lab-op", "sysctls"), ("lab-op", "route")]
        assert driver.applied[-1][2] == {"dst": "0.0.0.0/0", "gateway": "198.51.100.1"}


def test_converge_route_of_first_spec_waits_for_link_of_second():
    """A route whose gateway sits on a link a later spec creates still comes after that link."""
    first = {"name": "lab-azr", "routes": [{"dst": "10.2.0.0/16", "gateway": "10.1.0.4"}]}
    second = {"name": "lab-azgw", "links": [
        {"ifname": "vnet0", "kind": "veth", "addresses": ["10.1.0.4/27"],
         "peer": {"netns": "lab-azr", "ifname": "gw0", "addresses": ["10.1.0.1/27"]}}]}
    present = dict(absent(), exists=True, sysctls=dict(BASE))
    driver = FakeDriver({"lab-azr": present, "lab-azgw": present})
    assert converge([first, second], driver, False) == [
        "lab-azgw: add veth vnet0",
        "lab-azgw: address 10.1.0.4/27 on vnet0",
        "lab-azgw: address 10.1.0.1/27 on lab-azr/gw0",
        "lab-azr: route 10.2.0.0/16 via 10.1.0.4",
    ]
    assert [a for dummy, a, dummy2 in driver.applied] == ["add_link", "address", "peer_address", "route"]


def test_converge_nothing_to_do():
    driver = FakeDriver({"lab-azr": converged()})
    assert converge([SPEC], driver, False) == []
    assert driver.applied == []

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bring namespaces to a design (design.py): create, change and remove links, addresses,
routes, policy rules and nftables tables, and remove namespaces the design no longer has.

Unlike the local target's additive specs (plugins/module_utils/_local/netns.py), the rehearsal
follows the clouds both ways: a route, rule or VM deleted through a cloud API goes away here
too. Only namespaces under the rehearsal's prefix are touched; routes and rules are the
realizer's only when they carry its protocol number, so the kernel's and charon's stay.
Nothing here opens a socket in the host's own network namespace.
"""

from __future__ import annotations

import ipaddress
import os
import signal
import socket
import subprocess
import time

from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.netlink import IPRoute, NetlinkError, pr_netns
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.netns import (
    BASE_SYSCTLS, nft_digest, nft_document, nft_table_comment)
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.teardown import SystemDriver
from tests.rehearsal import addressing as ad
from tests.rehearsal.design import NO_REDIRECTS

NETNS_DIR = "/run/netns"
KEEP_LINKS = {"lo", "ipsec0"}
ROUTE_TYPES = {"unicast": 1, "blackhole": 6, "unreachable": 7}
NAMES = {v: k for k, v in ROUTE_TYPES.items()}


def existing(prefix):
    try:
        return sorted(n for n in os.listdir(NETNS_DIR) if n.startswith(prefix))
    except FileNotFoundError:
        return []


def run_in(netns, argv, data=None):
    proc = subprocess.run(["ip", "netns", "exec", netns] + argv, input=data, capture_output=True,
                          text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError("%s in %s: %s" % (" ".join(argv), netns, (proc.stderr or proc.stdout).strip()))
    return proc.stdout


def create_netns(name):
    """A new namespace, lo up, with the lab's base sysctls and no ICMP redirects, set before any
    interface exists (an interface takes the `default` values when it is created)."""
    pr_netns.create(name)
    with IPRoute(netns=name) as ipr:
        ipr.link("set", index=ipr.link_lookup(ifname="lo")[0], state="up")
    settings = dict(BASE_SYSCTLS, **NO_REDIRECTS)
    run_in(name, ["sysctl", "-qw"] + ["%s=%s" % kv for kv in sorted(settings.items())])


def stop_processes(names):
    """Stop every process inside the namespaces `names`, found by their namespace's inode
    (never by name or pid alone): SIGTERM, then SIGKILL what is left after 3 s."""
    driver = SystemDriver()
    inodes = {i for i in (driver.netns_inode(n) for n in names) if i}
    me = os.getpid()
    for sig in (signal.SIGTERM, signal.SIGKILL):
        found = {pid: p["start"] for pid, p in driver.processes().items()
                 if p["netns"] in inodes and pid != me}
        for pid, start in found.items():
            driver.signal(pid, start, sig)
        deadline = time.monotonic() + 3
        while found and time.monotonic() < deadline:
            found = {pid: s for pid, s in found.items() if driver.alive(pid, s)}
            time.sleep(0.05)
    return driver


def remove_netns(names):
    """Stop every process inside the namespaces `names`, then delete the namespaces."""
    driver = stop_processes(names)
    for name in names:
        driver.remove_netns(name)


def _expected_links(design):
    """ifnames each namespace must hold: its own links and the peer ends others create in it."""
    expected = {name: set(KEEP_LINKS) for name in design}
    for name, spec in design.items():
        for link in spec["links"]:
            expected[name].add(link["ifname"])
            if link["kind"] == "veth":
                expected.setdefault(link["peer_netns"], set(KEEP_LINKS)).add(link["peer_ifname"])
    return expected


class Fabric:
    """Converges the namespaces of one rehearsal; `log` gets one line per change.

    A namespace whose design did not change since it was last brought about is skipped, but
    for a full pass every `full_every` seconds and for namespaces left incomplete (a route on a
    device that did not exist yet, such as charon's ipsec0)."""

    def __init__(self, prefix, log=print, full_every=30.0):
        self.prefix, self.log, self.full_every = prefix, log, full_every
        self.applied, self.incomplete, self.last_full = {}, set(), 0.0

    def converge(self, design):
        have = set(existing(self.prefix))
        digests = {name: nft_digest(repr(sorted(spec.items()))) for name, spec in design.items()}
        full = time.monotonic() - self.last_full > self.full_every
        todo = sorted(n for n in design if full or n not in have or n in self.incomplete
                      or self.applied.get(n) != digests[n])
        if todo and set(todo) != set(self.incomplete):
            # A link between two namespaces is checked from both ends: take their neighbours too.
            touched = set(todo)
            for name in design:
                for link in design[name]["links"]:
                    if link["kind"] == "veth" and (name in touched or link["peer_netns"] in touched):
                        touched.update((name, link["peer_netns"]))
            todo = sorted(touched & set(design))
        for name in todo:
            if name not in have:
                self.log("create namespace %s" % name)
                create_netns(name)
        expected = _expected_links(design)
        for name in todo:
            self._links(name, design[name], expected[name])
        for name in todo:
            self._masters(name, design)
        self.incomplete = set()
        for name in todo:
            with IPRoute(netns=name) as ipr:
                self._addresses(ipr, name, design[name])
                self._rules(ipr, name, design[name])
                self._routes(ipr, name, design[name])
            self._sysctls(name, design[name])
            self._nft(name, design[name])
            self.applied[name] = digests[name]
        if full:
            self.last_full = time.monotonic()
        gone = sorted(have - set(design))
        if gone:
            self.log("remove namespaces %s" % ", ".join(gone))
            remove_netns(gone)
            for name in gone:
                self.applied.pop(name, None)

    # --- links ---------------------------------------------------------------------------

    def _links(self, name, spec, expected):
        with IPRoute(netns=name) as ipr:
            names = {link.get_attr("IFLA_IFNAME"): link for link in ipr.get_links()}
            for ifname in sorted(set(names) - expected):
                self.log("%s: remove link %s" % (name, ifname))
                ipr.link("del", index=names[ifname]["index"])
            for link in spec["links"]:
                if link["ifname"] in names and self._peer_ok(link):
                    continue
                if link["ifname"] in names:
                    ipr.link("del", index=names[link["ifname"]]["index"])
                self.log("%s: add %s %s" % (name, link["kind"], link["ifname"]))
                self._add_link(ipr, link)

    @staticmethod
    def _peer_ok(link):
        if link["kind"] != "veth":
            return True
        if not os.path.exists(os.path.join(NETNS_DIR, link["peer_netns"])):
            return False
        with IPRoute(netns=link["peer_netns"]) as pipr:
            return bool(pipr.link_lookup(ifname=link["peer_ifname"]))

    @staticmethod
    def _add_link(ipr, link):
        if link["kind"] == "bridge":
            ipr.link("add", ifname=link["ifname"], kind="bridge")
        else:
            with IPRoute(netns=link["peer_netns"]) as pipr:
                stale = pipr.link_lookup(ifname=link["peer_ifname"])
                if stale:
                    pipr.link("del", index=stale[0])
            ipr.link("add", ifname=link["ifname"], kind="veth",
                     peer={"ifname": link["peer_ifname"], "net_ns_fd": link["peer_netns"]})
        ipr.link("set", index=ipr.link_lookup(ifname=link["ifname"])[0], state="up")

    def _masters(self, name, design):
        for link in design[name]["links"]:
            if link["kind"] != "veth":
                continue
            with IPRoute(netns=link["peer_netns"]) as pipr:
                index = pipr.link_lookup(ifname=link["peer_ifname"])
                if not index:
                    continue
                master = pipr.link_lookup(ifname=link["peer_master"] or "") or [None]
                current = pipr.get_links(index[0])[0].get_attr("IFLA_MASTER")
                if link["peer_master"] and current != master[0]:
                    pipr.link("set", index=index[0], master=master[0])
                pipr.link("set", index=index[0], state="up")

    # --- addresses, rules, routes ---------------------------------------------------------

    def _addresses(self, ipr, name, spec):
        for link in ipr.get_links():
            ifname = link.get_attr("IFLA_IFNAME")
            if ifname in KEEP_LINKS:
                continue
            want = set(spec["addresses"].get(ifname, []))
            have = {"%s/%d" % (a.get_attr("IFA_ADDRESS"), a["prefixlen"])
                    for a in ipr.get_addr(family=socket.AF_INET, index=link["index"])}
            for cidr in sorted(have - want):
                self.log("%s: remove address %s from %s" % (name, cidr, ifname))
                ip, plen = cidr.split("/")
                ipr.addr("del", index=link["index"], address=ip, prefixlen=int(plen))
            for cidr in sorted(want - have):
                ip, plen = cidr.split("/")
                ipr.addr("add", index=link["index"], address=ip, prefixlen=int(plen))

    def _rules(self, ipr, name, spec):
        want = {(r["src"], r["iif"], r["table"], r["priority"]) for r in spec["rules"]}
        have = {}
        for rule in ipr.get_rules(family=socket.AF_INET):
            if rule.get_attr("FRA_PROTOCOL") == ad.RTPROT:
                key = ("%s/%d" % (rule.get_attr("FRA_SRC") or "0.0.0.0", rule["src_len"]),
                       rule.get_attr("FRA_IIFNAME"), rule.get_attr("FRA_TABLE"), rule.get_attr("FRA_PRIORITY"))
                have[key] = rule
        for key in set(have) - want:
            ipr.rule("del", **self._rule_args(key))
        for key in sorted(want - set(have), key=str):
            self.log("%s: rule %s" % (name, " ".join(str(k) for k in key)))
            ipr.rule("add", **self._rule_args(key))

    @staticmethod
    def _rule_args(key):
        src, iif, table, priority = key
        address, plen = src.split("/")
        args = {"table": table, "priority": priority, "protocol": ad.RTPROT}
        if int(plen):
            args.update(src=address, src_len=int(plen))
        if iif:
            args["iifname"] = iif
        return args

    def _routes(self, ipr, name, spec):
        want = {}
        for route in spec["routes"]:
            want[(route["dst"], route["table"])] = route
        have = {}
        for table in sorted({r["table"] for r in spec["routes"]} | {254}):
            for msg in ipr.get_routes(family=socket.AF_INET, table=table):
                if msg["proto"] != ad.RTPROT:
                    continue
                dst = "%s/%d" % (msg.get_attr("RTA_DST") or "0.0.0.0", msg["dst_len"])
                have[(dst, table)] = msg
        for key, msg in have.items():
            if key not in want:
                self.log("%s: remove route %s (table %d)" % (name, key[0], key[1]))
                self._del_route(ipr, key, msg)
        for key, route in sorted(want.items()):
            if key in have and self._same(ipr, have[key], route):
                continue
            self._add_route(ipr, name, route)

    @staticmethod
    def _same(ipr, msg, route):
        if NAMES.get(msg["type"]) != route["type"]:
            return False
        if route["type"] != "unicast":
            return True
        if (msg.get_attr("RTA_GATEWAY") or None) != route["via"]:
            return False
        if (msg.get_attr("RTA_PREFSRC") or None) != route.get("src"):
            return False
        if route["dev"]:
            found = ipr.link_lookup(ifname=route["dev"])
            return bool(found) and msg.get_attr("RTA_OIF") == found[0]
        return True

    @staticmethod
    def _del_route(ipr, key, msg):
        dst, plen = key[0].split("/")
        try:
            ipr.route("del", dst=dst, dst_len=int(plen), table=key[1], type=msg["type"], proto=ad.RTPROT)
        except NetlinkError:
            pass

    def _add_route(self, ipr, name, route):
        dst, plen = route["dst"].split("/")
        args = {"dst": dst, "dst_len": int(plen), "table": route["table"], "proto": ad.RTPROT,
                "type": ROUTE_TYPES[route["type"]]}
        if route["type"] == "unicast":
            if route["dev"]:
                found = ipr.link_lookup(ifname=route["dev"])
                if not found:
                    self.incomplete.add(name)
                    return  # the device comes later (charon's ipsec0): next round
                args["oif"] = found[0]
            if route["via"]:
                args["gateway"] = route["via"]
            if route.get("src"):
                args["prefsrc"] = route["src"]
        try:
            ipr.route("replace", **args)
        except NetlinkError as exc:
            # A next hop not reachable yet (its link comes up later): next round.
            self.incomplete.add(name)
            self.log("%s: route %s not set yet (%s)" % (name, route["dst"], exc))

    # --- sysctls and nftables -------------------------------------------------------------

    @staticmethod
    def _sysctls(name, spec):
        wanted = dict(spec.get("sysctls") or {}, **{"net.ipv4.ip_forward": "1" if spec["forwarding"] else "0"})
        keys = sorted(wanted)
        current = dict(zip(keys, run_in(name, ["sysctl", "-n"] + keys).split()))
        wrong = {k: v for k, v in wanted.items() if current.get(k) != v}
        if wrong:
            run_in(name, ["sysctl", "-qw"] + ["%s=%s" % kv for kv in sorted(wrong.items())])

    def _nft(self, name, spec):
        """Tables of the design replaced when their digest differs; tables the realizer made
        (its digest comment) and the design no longer has removed; others (a drill's cut) left."""
        listed = run_in(name, ["nft", "list", "tables", "ip"]).split()
        have = {listed[i + 2] for i in range(0, len(listed) - 2, 3) if listed[i] == "table"}
        comments = {table: nft_table_comment(run_in(name, ["nft", "list", "table", "ip", table])) for table in have}
        for table in sorted(have - set(spec["nft"])):
            if (comments[table] or "").startswith("vpnlab:"):
                self.log("%s: remove nftables table %s" % (name, table))
                run_in(name, ["nft", "delete", "table", "ip", table])
        for table, body in sorted(spec["nft"].items()):
            if comments.get(table) == "vpnlab:" + nft_digest(body):
                continue
            self.log("%s: nftables table %s" % (name, table))
            run_in(name, ["nft", "-f", "-"], data=nft_document(table, body))


def is_address(text):
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return False

# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Network namespaces of the local target: what is missing (pure) and how to add it (pyroute2).

Specs are additive: converging a spec adds missing namespaces, links, addresses, routes and
replaces the named nftables tables it lists; it never removes anything else, so several roles
can each add their part to one namespace. Teardown removes whole namespaces.

No function here touches the host's own network namespace: every netlink socket is opened
inside a named lab namespace, and veth pairs are created inside one and moved to the other.
"""

from __future__ import annotations

import hashlib
import os
import socket
from typing import Any, Callable, Dict, Hashable, Iterable, List, Mapping, Tuple, TypeVar

from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.daemon import NETNS_DIR
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.netlink import IPRoute, NetlinkError, pr_netns

H = TypeVar("H", bound=Hashable)
# What a namespace spec needs done: [(action, details)], see plan_namespace.
Actions = List[Tuple[str, Dict[str, Any]]]
# AnsibleModule.run_command: (rc, stdout, stderr).
Run = Callable[..., Tuple[int, str, str]]


# Every lab namespace: IPv4 only (no IPv6 autoconfiguration chatter), and no rate limit on ICMP
# errors, so that every router of the lab answers every mtr probe (the kernel's default of one
# per second per destination shows as loss on intermediate hops at mtr's 0.2 s interval).
BASE_SYSCTLS = {"net.ipv6.conf.all.disable_ipv6": "1", "net.ipv6.conf.default.disable_ipv6": "1",
                "net.ipv4.icmp_ratelimit": "0"}
# Routes the lab adds are marked `static`, so they are told apart from the kernel's own.
RTPROT_STATIC = 4
LOOPBACK = "lo"


# --- pure ---------------------------------------------------------------------------------

def nft_digest(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:16]


def nft_document(table: str, body: str) -> str:
    """An nft script that atomically replaces `table` with `body`, stamped with its digest."""
    digest = nft_digest(body)
    indented = "".join("  " + line + "\n" for line in body.splitlines())
    return ("table ip %s\ndelete table ip %s\ntable ip %s {\n  comment \"vpnlab:%s\"\n%s}\n"
            % (table, table, table, digest, indented))


def nft_table_comment(text: str) -> str | None:
    """The table's own comment in `nft list table` output, or None.

    Text, not `nft -j`: nftables 1.0.6 (Debian 12) leaves table comments out of its JSON.
    """
    for line in text.splitlines()[1:]:
        stripped = line.strip()
        if stripped.startswith("comment \"") and stripped.endswith("\""):
            return stripped[len("comment \""):-1]
        if stripped:
            return None
    return None


def wanted_sysctls(spec: Mapping[str, Any]) -> dict[str, str]:
    wanted = dict(BASE_SYSCTLS)
    if spec.get("forwarding"):
        wanted["net.ipv4.ip_forward"] = "1"
    return wanted


def missing(desired: Iterable[H], current: Iterable[H]) -> list[H]:
    """Items of `desired` not in `current`, in order."""
    have = set(current)
    return [item for item in desired if item not in have]


def route_key(route: Mapping[str, Any]) -> tuple[str, str | None]:
    dst = route["dst"]
    if dst in ("default", "0.0.0.0/0"):
        dst = "0.0.0.0/0"
    return (dst, route.get("gateway"))


def plan_namespace(spec: Mapping[str, Any], observed: Mapping[str, Any]) -> Actions:
    """What to do for one namespace spec, given what exists; a list of (action, details).

    `observed` is {exists, links: {ifname: {kind, addresses, master, peer_ok}},
    routes: [(dst, gateway)], sysctls: {key: value}, nft: {table: comment}} as read by the driver.
    """
    actions: Actions = []
    if not observed["exists"]:
        actions.append(("create_netns", {}))
    for link in spec.get("links", []):
        actions.extend(_plan_link(link, observed["links"].get(link["ifname"])))
    wrong = {k: v for k, v in wanted_sysctls(spec).items() if observed["sysctls"].get(k) != v}
    if wrong:
        actions.append(("sysctls", {"values": wrong}))
    for dst, gw in missing([route_key(r) for r in spec.get("routes", [])], observed["routes"]):
        actions.append(("route", {"dst": dst, "gateway": gw}))
    for table, body in sorted(spec.get("nftables", {}).items()):
        if observed["nft"].get(table) != "vpnlab:" + nft_digest(body):
            actions.append(("nft", {"table": table, "body": body}))
    return actions


def _plan_link(link, seen):
    actions = []
    kind = link.get("kind")
    if seen is None and kind is None and link["ifname"] == LOOPBACK:
        # Every namespace has its loopback, also one about to be created.
        seen = {"addresses": [], "peer_addresses": [], "peer_master_ok": True}
    if seen is None:
        if kind is None:
            return [("fail", {"msg": "interface %s does not exist yet (created by another role)"
                              % link["ifname"]})]
        actions.append(("add_link", {"link": link}))
        seen = {"addresses": [], "peer_addresses": [], "peer_master_ok": False}
    elif kind == "veth" and not seen.get("peer_ok"):
        actions.append(("replace_link", {"link": link}))
        seen = {"addresses": [], "peer_addresses": [], "peer_master_ok": False}
    for cidr in missing(link.get("addresses", []), seen["addresses"]):
        actions.append(("address", {"ifname": link["ifname"], "cidr": cidr}))
    peer = link.get("peer")
    if peer:
        for cidr in missing(peer.get("addresses", []), seen["peer_addresses"]):
            actions.append(("peer_address", {"peer": peer, "cidr": cidr}))
        if peer.get("master") and not seen["peer_master_ok"]:
            actions.append(("peer_master", {"peer": peer}))
    return actions


def describe(netns: str, action: str, details: Mapping[str, Any]) -> str:
    """One line per action, for the module's `actions` result."""
    link = details.get("link", {})
    peer = details.get("peer", {})
    text = {
        "create_netns": "create namespace",
        "add_link": "add %s %s" % (link.get("kind"), link.get("ifname")),
        "replace_link": "recreate veth %s" % link.get("ifname"),
        "address": "address %s on %s" % (details.get("cidr"), details.get("ifname")),
        "peer_address": "address %s on %s/%s" % (
            details.get("cidr"), peer.get("netns"), peer.get("ifname")),
        "peer_master": "attach %s/%s to %s" % (
            peer.get("netns"), peer.get("ifname"), peer.get("master")),
        "sysctls": "set %s" % ", ".join("%s=%s" % kv for kv in sorted(details.get("values", {}).items())),
        "route": "route %s via %s" % (details.get("dst"), details.get("gateway")),
        "nft": "nftables table %s" % details.get("table"),
        "fail": details.get("msg"),
    }[action]
    return "%s: %s" % (netns, text)


# --- pyroute2 / iproute2 driver ----------------------------------------------------------

def netns_exists(name: str) -> bool:
    return os.path.exists(os.path.join(NETNS_DIR, name))


def _addresses(ipr, index):
    return ["%s/%d" % (a.get_attr("IFA_ADDRESS"), a["prefixlen"])
            for a in ipr.get_addr(family=socket.AF_INET, index=index)]


def _link_kind(msg):
    info = msg.get_attr("IFLA_LINKINFO")
    return info.get_attr("IFLA_INFO_KIND") if info else None


class Driver:
    """Reads and changes lab namespaces; `run` is AnsibleModule.run_command."""

    def __init__(self, run: Run) -> None:
        self.run = run

    def netns_run(self, netns: str, argv: list[str], data: str | None = None) -> str:
        cmd = ["ip", "netns", "exec", netns] + argv
        rc, out, err = self.run(cmd, data=data)
        if rc != 0:
            raise RuntimeError("%s failed (%d): %s" % (" ".join(argv), rc, (err or out).strip()))
        return out

    def observe(self, spec: Mapping[str, Any]) -> dict[str, Any]:
        name = spec["name"]
        observed: dict[str, Any] = {"exists": netns_exists(name), "links": {}, "routes": [], "sysctls": {},
                                    "nft": {}}
        if not observed["exists"]:
            return observed
        with IPRoute(netns=name) as ipr:
            for link in spec.get("links", []):
                found = ipr.link_lookup(ifname=link["ifname"])
                if found:
                    observed["links"][link["ifname"]] = self._observe_link(ipr, found[0], link)
            observed["routes"] = [
                (("%s/%d" % (r.get_attr("RTA_DST"), r["dst_len"])) if r["dst_len"] else "0.0.0.0/0",
                 r.get_attr("RTA_GATEWAY"))
                for r in ipr.get_routes(family=socket.AF_INET, table=254)]
        keys = sorted(wanted_sysctls(spec))
        values = self.netns_run(name, ["sysctl", "-n"] + keys).split()
        observed["sysctls"] = dict(zip(keys, values))
        for table in spec.get("nftables", {}):
            rc, out, dummy = self.run(["ip", "netns", "exec", name, "nft", "list", "table",
                                       "ip", table])
            observed["nft"][table] = nft_table_comment(out) if rc == 0 else None
        return observed

    def _observe_link(self, ipr, index, link):
        msg = ipr.get_links(index)[0]
        seen = {"addresses": _addresses(ipr, index), "peer_addresses": [], "peer_ok": True,
                "peer_master_ok": True}
        peer = link.get("peer")
        if link.get("kind") == "veth" and peer:
            seen["peer_ok"] = _link_kind(msg) == "veth" and netns_exists(peer["netns"])
            if seen["peer_ok"]:
                with IPRoute(netns=peer["netns"]) as pipr:
                    found = pipr.link_lookup(ifname=peer["ifname"])
                    seen["peer_ok"] = bool(found)
                    if found:
                        seen["peer_addresses"] = _addresses(pipr, found[0])
                        pmsg = pipr.get_links(found[0])[0]
                        master = pipr.link_lookup(ifname=peer.get("master") or "") or [None]
                        seen["peer_master_ok"] = (not peer.get("master")
                                                  or pmsg.get_attr("IFLA_MASTER") == master[0])
        return seen

    def apply(self, name: str, action: str, details: Mapping[str, Any]) -> None:
        getattr(self, "_do_" + action)(name, **details)

    def _do_fail(self, name, msg):
        raise RuntimeError("%s: %s" % (name, msg))

    def _do_create_netns(self, name):
        pr_netns.create(name)
        with IPRoute(netns=name) as ipr:
            ipr.link("set", index=ipr.link_lookup(ifname="lo")[0], state="up")
        self._do_sysctls(name, BASE_SYSCTLS)

    def _do_add_link(self, name, link):
        with IPRoute(netns=name) as ipr:
            if link["kind"] == "bridge":
                ipr.link("add", ifname=link["ifname"], kind="bridge")
            else:
                peer = link["peer"]
                if not netns_exists(peer["netns"]):
                    raise RuntimeError("%s: peer namespace %s does not exist" % (name, peer["netns"]))
                ipr.link("add", ifname=link["ifname"], kind="veth",
                         peer={"ifname": peer["ifname"], "net_ns_fd": peer["netns"]})
            ipr.link("set", index=ipr.link_lookup(ifname=link["ifname"])[0], state="up")
        if link["kind"] == "veth":
            with IPRoute(netns=link["peer"]["netns"]) as pipr:
                pipr.link("set", index=pipr.link_lookup(ifname=link["peer"]["ifname"])[0],
                          state="up")

    def _do_replace_link(self, name, link):
        with IPRoute(netns=name) as ipr:
            found = ipr.link_lookup(ifname=link["ifname"])
            if found:
                ipr.link("del", index=found[0])
        peer = link["peer"]
        if netns_exists(peer["netns"]):
            with IPRoute(netns=peer["netns"]) as pipr:
                found = pipr.link_lookup(ifname=peer["ifname"])
                if found:
                    pipr.link("del", index=found[0])
        self._do_add_link(name, link)

    @staticmethod
    def _add_address(netns, ifname, cidr):
        address, prefixlen = cidr.split("/")
        with IPRoute(netns=netns) as ipr:
            index = ipr.link_lookup(ifname=ifname)[0]
            try:
                ipr.addr("add", index=index, address=address, prefixlen=int(prefixlen))
            except NetlinkError as exc:
                if exc.code != 17:  # EEXIST: already there
                    raise
            ipr.link("set", index=index, state="up")

    def _do_address(self, name, ifname, cidr):
        self._add_address(name, ifname, cidr)

    def _do_peer_address(self, name, peer, cidr):
        self._add_address(peer["netns"], peer["ifname"], cidr)

    def _do_peer_master(self, name, peer):
        with IPRoute(netns=peer["netns"]) as ipr:
            master = ipr.link_lookup(ifname=peer["master"])
            if not master:
                raise RuntimeError("%s: bridge %s missing" % (peer["netns"], peer["master"]))
            ipr.link("set", index=ipr.link_lookup(ifname=peer["ifname"])[0], master=master[0],
                     state="up")

    def _do_sysctls(self, name, values):
        self.netns_run(name, ["sysctl", "-qw"] + ["%s=%s" % kv for kv in sorted(values.items())])

    def _do_route(self, name, dst, gateway):
        with IPRoute(netns=name) as ipr:
            ipr.route("replace", dst=dst, gateway=gateway, proto=RTPROT_STATIC)

    def _do_nft(self, name, table, body):
        self.netns_run(name, ["nft", "-f", "-"], data=nft_document(table, body))


# Routes and rules need every link of every spec in place (a gateway may sit on a link that a
# later spec creates), so they go second.
LATE_ACTIONS = ("sysctls", "route", "nft")


def converge(specs: Iterable[Mapping[str, Any]], driver: Any, check_mode: bool) -> list[str]:
    """Bring every namespace spec about; returns the list of actions taken (or to take)."""
    planned = [(spec["name"], action, details) for spec in specs
               for action, details in plan_namespace(spec, driver.observe(spec))]
    planned.sort(key=lambda step: step[1] in LATE_ACTIONS)
    done = []
    for name, action, details in planned:
        done.append(describe(name, action, details))
        if not check_mode:
            driver.apply(name, action, details)
    return done

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The clouds' VPN gateways: one charon per gateway namespace (the local target's Charon over
VICI, plugins/module_utils/_local/charon.py), loaded with what each cloud's objects say.

A connection whose configuration changed (a ModifyVpnTunnelOptions, a new shared key) is taken
down and renegotiated, as AWS replaces a modified tunnel's endpoint and Azure resets a changed
connection. The Azure side initiates and, like an Azure VPN gateway, keeps trying a connection
that is not up; the AWS side only answers (StartupAction add), unless told to start.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import time

from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.charon import Charon, CharonError
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.swan import sa_detail, sa_status, strongswan_conf
from ansible_collections.multicloud.vpnlab.plugins.module_utils.files import read_text, update
from tests.rehearsal.ipsec import BGP_CHILD

REINITIATE_SECONDS = 5.0
# The table that keeps a BGP session's packets off the other tunnels (Gateway._gate).
GATE_TABLE = "bgpgate"


def conn_digests(conns, secrets):
    """A digest per connection over its body and its key (the key itself is never stored)."""
    keys = {s["id"][len("psk-"):]: s["data"] for s in secrets}
    return {name: hashlib.sha256(json.dumps([body, keys.get(name, "")], sort_keys=True).encode()).hexdigest()
            for name, body in conns.items()}


def installed_children(sas):
    """{(IKE SA name, CHILD SA name)} of the CHILD SAs installed under an established IKE SA."""
    found = set()
    for entry in sas:
        for name, ike in entry.items():
            if ike.get("state") != "ESTABLISHED":
                continue
            for child in (ike.get("child-sas") or {}).values():
                if child.get("state") == "INSTALLED":
                    found.add((name, child.get("name")))
    return found


class Gateway:
    """One cloud VPN gateway's charon in `netns`, its files in `directory`."""

    def __init__(self, directory, netns, log):
        self.charon = Charon(directory, netns)
        self.dir, self.netns, self.log = directory, netns, log
        self.digest_file = os.path.join(directory, "loaded.json")
        self.last_try = {}
        self.counters = {}
        self.gated = None

    def ensure(self, spec, established=None):
        """charon running with `spec`'s connections; True when charon was (re)started.

        ``established``: {peer address: whether this gateway's BGP session with it is
        established}, for the tunnels that carry a BGP session (spec's ``bgp_peers``)."""
        os.makedirs(self.dir, mode=0o700, exist_ok=True)
        conf = strongswan_conf(self.dir, spec["dpd_timeout"], install_routes=False)
        started = False
        if read_text(self.charon.conf) != conf or not self.charon.pid():
            if self.charon.pid():
                self.charon.stop()
            update(self.charon.conf, conf, mode=0o644)
            self.log("%s: start charon (DPD timeout %ss)" % (self.netns, spec["dpd_timeout"]))
            self.charon.start()
            update(self.digest_file, "{}")
            started = True
        self._load(spec)
        carrying = self._route_by_bgp(spec, established)
        if spec["side"] == "azure":
            self._initiate(spec, carrying)
        return started

    def _route_by_bgp(self, spec, established):
        """The BGP tunnels that may carry traffic: those whose session is established. On the
        clouds a tunnel whose session is down carries nothing (its routes are withdrawn, its
        IPsec may stay up); here the tunnels share charon's TUN device, so the data CHILD SA
        of such a tunnel is closed (on this side), and the Azure side starts it again once the
        session is back (_initiate). And a session's packets take its own tunnel only: while
        that tunnel's BGP CHILD SA is not installed they are dropped (_gate), not carried by
        another tunnel's 0.0.0.0/0 as kernel-libipsec would. Returns the names of the
        connections that may carry; ``established`` None: the speaker's sessions are not known."""
        peers = spec.get("bgp_peers") or {}
        if not peers:
            return set(spec["conns"])
        installed = installed_children(self.charon.call("list_sas")) if self.charon.pid() else set()
        self._gate(sorted((p["own"], p["peer"]) for name, p in peers.items()
                          if (name, name + BGP_CHILD) not in installed))
        if established is None:
            # The speaker has not answered yet (it is starting, or the realizer is): nothing is
            # closed, nothing new is started.
            return {name for name in spec["conns"] if name not in peers}
        carrying = {name for name in spec["conns"] if name not in peers or established.get(peers[name]["peer"])}
        for name in sorted(set(peers) - carrying):
            if (name, name) in installed:
                self.log("%s: %s: BGP session with %s down: its tunnel carries no traffic"
                         % (self.netns, name, peers[name]["peer"]))
                try:
                    self.charon.call("terminate", {"child": name, "force": "yes", "timeout": "-1"})
                except CharonError:
                    pass  # already gone
        return carrying

    def _gate(self, pairs):
        """nftables table GATE_TABLE: drop the packets of each (own, peer) session out of the
        tunnel device (its tunnel is not up)."""
        if pairs == self.gated:
            return
        rules = "".join('    oifname "ipsec0" ip saddr %s ip daddr %s drop\n' % pair for pair in pairs)
        text = ("table ip %s\ndelete table ip %s\ntable ip %s {\n  chain output {\n"
                "    type filter hook output priority 0; policy accept;\n%s  }\n}\n"
                % (GATE_TABLE, GATE_TABLE, GATE_TABLE, rules))
        done = subprocess.run(["ip", "netns", "exec", self.netns, "nft", "-f", "-"], input=text,
                              capture_output=True, text=True, check=False)
        if done.returncode:
            self.log("%s: BGP gate not set: %s" % (self.netns, done.stderr.strip()))
            return
        self.gated = pairs

    def _load(self, spec):
        wanted = conn_digests(spec["conns"], spec["secrets"])
        try:
            loaded = json.loads(read_text(self.digest_file) or "{}")
        except ValueError:
            loaded = {}
        if wanted == loaded:
            return
        changed = sorted(name for name in loaded if loaded[name] != wanted.get(name))
        self.charon.load(spec["conns"], spec["secrets"])
        for name in changed:
            # The old SAs of a changed or removed connection go; the changed one renegotiates.
            self.log("%s: %s changed: renegotiating" % (self.netns, name))
            self._terminate(name)
            self.last_try = {k: v for k, v in self.last_try.items() if k[0] != name}
        update(self.digest_file, json.dumps(wanted, sort_keys=True), mode=0o600)

    def _terminate(self, name):
        try:
            self.charon.call("terminate", {"ike": name, "force": "yes", "timeout": "-1"})
        except CharonError:
            pass  # nothing to terminate

    def _initiate(self, spec, carrying):
        """Every CHILD SA of every connection that is not installed (a BGP connection has two:
        ipsec.add_bgp_child; its data CHILD SA only while its session is established, see
        _route_by_bgp), each tried again at most every REINITIATE_SECONDS."""
        if not spec["conns"]:
            return
        now = time.monotonic()
        installed = installed_children(self.charon.call("list_sas"))
        for name, body in spec["conns"].items():
            for child in body["children"]:
                if child == name and name not in carrying:
                    continue
                key = (name, child)
                if (name, child) in installed or now - self.last_try.get(key, -1e9) < REINITIATE_SECONDS:
                    continue
                self.last_try[key] = now
                try:
                    self.charon.call("initiate", {"child": child, "ike": name, "timeout": "-1"})
                except CharonError:
                    pass  # its state says why

    def status(self, spec):
        """{conn: {status, bytes_in, bytes_out, detail}} with counters that only grow (a cloud's
        counters add up over the connection's life; charon's restart with each new SA)."""
        if not self.charon.pid() or not spec["conns"]:
            return {}
        sas = self.charon.call("list_sas")
        found = {}
        for name, body in spec["conns"].items():
            state, b_in, b_out = sa_status(name, sas)[:3]
            base = self.counters.setdefault(name, {"seen": (0, 0), "total": (0, 0)})
            seen, total = base["seen"], base["total"]
            grow_in = b_in - seen[0] if b_in >= seen[0] else b_in
            grow_out = b_out - seen[1] if b_out >= seen[1] else b_out
            base.update(seen=(b_in, b_out), total=(total[0] + grow_in, total[1] + grow_out))
            found[name] = {"status": state, "bytes_in": base["total"][0], "bytes_out": base["total"][1],
                           "detail": sa_detail(name, body["remote_addrs"][0], sas)}
        return found

    def stop(self):
        self.charon.stop()

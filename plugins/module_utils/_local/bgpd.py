# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One BGP speaker of the local lab (FRR: zebra, which installs the routes, and bgpd) in a lab
network namespace, for ``vpnlab_routing: bgp``. Its configuration comes from ``_local/frr.py``.

FRR drops to its ``frr`` user and wants its sockets in a directory that user owns, while the
lab's state directory is root's alone (0700). So, as charon does (``_local/charon.py``), each
speaker gets a private mount namespace with a tmpfs on /run: zebra starts there
(``unshare -m``), bgpd joins zebra's mount and network namespaces (``nsenter``), and their
sockets, pid files and the copy of the configuration live in that tmpfs, gone with the
processes. What stays in the speaker's directory (root's): frr.conf, the two pid files as this
host sees them and the two logs. Neither daemon opens a TCP vty port (``-P 0``); bgpd listens on
179 inside its lab namespace only. Queries go through ``vtysh`` in the speaker's namespaces.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from typing import Any, Mapping, Sequence

from ansible_collections.multicloud.vpnlab.plugins.module_utils._local import daemon
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.frr import (
    ESTABLISHED, IDLE, learned, learned_routes, sessions, speaker_conf,
)
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.netlink import IPRoute
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.netns import RTPROT_STATIC
from ansible_collections.multicloud.vpnlab.plugins.module_utils.files import update
from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting.routing import missing_next_hops

ZEBRA = "/usr/lib/frr/zebra"
BGPD = "/usr/lib/frr/bgpd"
VTYSH = "vtysh"
# Constant scripts: paths reach them as positional parameters, never as code.
ZEBRA_SCRIPT = ('mount -t tmpfs -o mode=0755 tmpfs /run && install -d -o frr -g frr -m 0755 /run/frr '
                '&& exec "$1" --log stdout -P 0 -z /run/frr/zserv.api -i /run/frr/zebra.pid')
BGPD_SCRIPT = ('install -o frr -g frr -m 0600 "$1" /run/frr/bgpd.conf && exec "$2" --log stdout -P 0 '
               '-z /run/frr/zserv.api -i /run/frr/bgpd.pid -f /run/frr/bgpd.conf')
QUERY_TIMEOUT = 30.0
# A session idle this long while the wait for convergence runs is cleared (its idle hold reset).
NUDGE_SECONDS = 5.0
RT_SCOPE_LINK = 253


class BgpdError(RuntimeError):
    """A speaker did not start or did not answer."""


class Speaker:
    """zebra and bgpd in ``netns``, their files in ``directory``."""

    def __init__(self, directory: str, netns: str) -> None:
        self.directory, self.netns = directory, netns
        self.conf = os.path.join(directory, "frr.conf")
        self.pid_files = {d: os.path.join(directory, d + ".pid") for d in ("zebra", "bgpd")}
        self.logs = {d: os.path.join(directory, d + ".log") for d in ("zebra", "bgpd")}

    def pid(self, which: str) -> int | None:
        pid = daemon.read_pid(self.pid_files[which])
        return pid if daemon.alive(pid, which, self.netns) else None

    def _enter(self, pid: int) -> list[str]:
        return ["nsenter", "-t", str(pid), "-m", "-n"]

    def vtysh(self, command: str, daemon_name: str | None = None) -> str:
        """One vtysh command's output; BgpdError when zebra is not running or vtysh fails."""
        zebra = self.pid("zebra")
        if not zebra:
            raise BgpdError("no zebra runs in %s" % self.netns)
        argv = self._enter(zebra) + [VTYSH] + (["-d", daemon_name] if daemon_name else []) + ["-c", command]
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=QUERY_TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise BgpdError("vtysh in %s did not answer %r within %gs" % (self.netns, command, QUERY_TIMEOUT)) from None
        if done.returncode:
            raise BgpdError("vtysh in %s: %r failed: %s" % (self.netns, command, (done.stderr or done.stdout).strip()))
        return done.stdout

    def query(self, command: str) -> Any:
        """A ``... json`` command's answer, decoded."""
        text = self.vtysh(command)
        try:
            return json.loads(text or "{}")
        except ValueError:
            raise BgpdError("vtysh in %s: %r did not answer JSON: %s" % (self.netns, command, text[:200])) from None

    def _answers(self, which: str) -> bool:
        try:
            self.vtysh("show version", which)
            return True
        except BgpdError:
            return False

    def _start(self, which: str, argv: list[str], timeout: float) -> int:
        pid = daemon.spawn(argv, self.logs[which])
        daemon.write_pid(self.pid_files[which], pid)
        daemon.wait_for(lambda: self._answers(which) or daemon.exited(pid), timeout)
        if not self._answers(which):
            why = "exited" if daemon.exited(pid) else "did not answer within %gs" % timeout
            raise BgpdError("%s in %s %s; the end of %s:\n%s" % (which, self.netns, why, self.logs[which],
                                                                 daemon.log_tail(self.logs[which])))
        return pid

    def check(self) -> None:
        """FRR's own reading of frr.conf (``vtysh --dryrun``): bgpd would skip a line it refuses
        and run without it, so a refused line stops the start instead."""
        done = subprocess.run([VTYSH, "-C", "-f", self.conf], capture_output=True, text=True,
                              timeout=QUERY_TIMEOUT, check=False)
        if done.returncode:
            raise BgpdError("FRR refuses %s: %s" % (self.conf, (done.stdout + done.stderr).strip()))

    def ensure(self, conf: str, timeout: float = 60.0) -> bool:
        """zebra and bgpd running with ``conf``; True when anything was (re)started or written.
        A changed configuration restarts bgpd (its sessions come up again in seconds)."""
        os.makedirs(self.directory, mode=0o700, exist_ok=True)
        changed = update(self.conf, conf, mode=0o600)
        zebra = self.pid("zebra")
        if changed or not zebra or not self.pid("bgpd"):
            self.check()  # before anything starts, also for a refused file written earlier
        if not zebra:
            self.stop()  # a bgpd without its zebra cannot install routes
            argv = ["ip", "netns", "exec", self.netns, "unshare", "-m", "sh", "-c", ZEBRA_SCRIPT,
                    "vpnlab-zebra", ZEBRA]
            zebra = self._start("zebra", argv, timeout)
            changed = True
        bgpd = self.pid("bgpd")
        if bgpd and changed:
            daemon.stop(bgpd)
            bgpd = None
        if not bgpd:
            argv = self._enter(zebra) + ["sh", "-c", BGPD_SCRIPT, "vpnlab-bgpd", self.conf, BGPD]
            self._start("bgpd", argv, timeout)
            changed = True
        return changed

    def stop(self) -> None:
        """bgpd, then zebra (which takes its routes away); the pid files go."""
        for which in ("bgpd", "zebra"):
            pid = self.pid(which)
            if pid:
                daemon.stop(pid)
            if os.path.lexists(self.pid_files[which]):
                os.unlink(self.pid_files[which])


# --- the lab's speakers ---------------------------------------------------------------------------

def ensure_peer_routes(netns: str, routes: Sequence[Mapping[str, str]]) -> bool:
    """Each ``{dst, dev, src}``: the route to a session's peer through the tunnel device, from
    the session's own address; True when one was added. The device comes and goes with charon,
    so a run after a charon restart adds them again."""
    changed = False
    if not routes:
        return changed
    with IPRoute(netns=netns) as ipr:
        for route in routes:
            found = ipr.link_lookup(ifname=route["dev"])
            if not found:
                raise BgpdError("%s has no %s: its charon is not running, so the BGP session to %s "
                                "has no tunnel" % (netns, route["dev"], route["dst"]))
            dst, length = route["dst"].split("/")
            have = [r for r in ipr.get_routes(family=socket.AF_INET, dst=dst, dst_len=int(length), table=254)
                    if r.get_attr("RTA_OIF") == found[0] and r.get_attr("RTA_PREFSRC") == route["src"]
                    and r["dst_len"] == int(length)]
            if not have:
                ipr.route("replace", dst=route["dst"], oif=found[0], prefsrc=route["src"], scope=RT_SCOPE_LINK,
                          proto=RTPROT_STATIC)
                changed = True
    return changed


def speaker_text(name: str, speaker: Mapping[str, Any]) -> str:
    return speaker_conf(name, speaker["asn"], speaker["router_id"], speaker["neighbors"], speaker["networks"])


def evidence(speaker: Speaker) -> dict[str, Any]:
    """{sessions, routes} of one running speaker (FRR's JSON read by frr.py)."""
    return {"sessions": sessions(speaker.query("show bgp summary json")),
            "routes": learned_routes(speaker.query("show ip route bgp json"))}


def converge_speakers(speakers: Mapping[str, Mapping[str, Any]], wait_timeout: float = 60.0,
                      check_mode: bool = False) -> tuple[bool, dict[str, Any]]:
    """Every speaker of plan.local.bgp.speakers running with its configuration and its routes to
    the tunnels' peers; then waits until every session is established and every speaker has
    learned what it ``expects`` (the other cloud's prefix), through every next hop of its
    ``expects_via`` (the VNet router: each gateway instance). Returns (changed, {speaker:
    {sessions, routes}}); BgpdError names the sessions still down after ``wait_timeout`` seconds."""
    changed = False
    running = {}
    for name, spec in speakers.items():
        text = speaker_text(name, spec)  # refused values fail here, before anything starts
        speaker = Speaker(spec["directory"], spec["netns"])
        if check_mode:
            changed = changed or not (speaker.pid("zebra") and speaker.pid("bgpd"))
            continue
        changed = ensure_peer_routes(spec["netns"], spec.get("peer_routes") or []) or changed
        changed = speaker.ensure(text) or changed
        running[name] = speaker
    if check_mode:
        return changed, {}

    nudged: dict[tuple[str, str], float] = {}
    started = time.monotonic()

    def down():
        late = []
        now = time.monotonic()
        for name, speaker in running.items():
            for session in sessions(speaker.query("show bgp summary json")):
                if session["state"] != ESTABLISHED:
                    late.append("%s -> %s (%s): %s" % (name, session["address"], session["description"],
                                                       session["state"]))
                    key = (name, session["address"])
                    if session["state"] == IDLE and now - nudged.get(key, started) >= NUDGE_SECONDS:
                        # FRR doubles a peer's idle hold time at each NOTIFY it sends (each
                        # hold timer that expired while a tunnel was down), up to 120 s: a peer
                        # whose tunnel is back could sit idle longer than this wait. ``clear``
                        # resets that time and starts the session now.
                        speaker.vtysh("clear bgp %s" % session["address"])
                        nudged[key] = now
            routes = learned_routes(speaker.query("show ip route bgp json"))
            late += ["%s has not learned %s" % (name, prefix) for prefix in speakers[name].get("expects") or ()
                     if not learned(routes, prefix)]
            expects = speakers[name].get("expects") or ()
            if all(learned(routes, prefix) for prefix in expects):
                late += ["%s has not learned %s via %s" % (name, ", ".join(expects), hop)
                         for hop in missing_next_hops([r for r in routes if r["installed"]], expects,
                                                      speakers[name].get("expects_via") or ())]
        return late

    daemon.wait_for(lambda: not down(), wait_timeout, interval=0.5)
    late = down()
    if late:
        raise BgpdError("BGP not converged after %gs: %s" % (wait_timeout, "; ".join(late)))
    return changed, {name: evidence(speaker) for name, speaker in running.items()}


def stop_speakers(speakers: Mapping[str, Mapping[str, Any]]) -> bool:
    stopped = False
    for spec in speakers.values():
        speaker = Speaker(spec["directory"], spec["netns"])
        if speaker.pid("zebra") or speaker.pid("bgpd"):
            speaker.stop()
            stopped = True
    return stopped

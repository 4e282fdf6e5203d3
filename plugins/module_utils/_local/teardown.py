# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tearing a local lab down and proving nothing is left.

The pure part (validation, selection, leak detection) takes observed lists, so it is tested
without a lab; SystemDriver observes and changes the machine (/proc, /run/netns, signals). Only
names under the lab's prefix are ever touched, and the prefix must be `vpnlab-<lab>.`: a lab
name never contains a dot, so it prefixes no other lab's namespace and no foreign one.
The state directory's files are not this module's: the shared statedir module empties it, and
only when it carries the lab's marker. Here it only tells which processes still use it.
"""

from __future__ import annotations

import os
import re
import signal
import time
from typing import Any, Collection, Dict, Iterable, Mapping, Sequence, Tuple

from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.daemon import (
    NETNS_DIR, read_pid,
)
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.netlink import pr_netns

# A namespace's identity: (st_dev, st_ino) of its /run/netns entry or /proc/<pid>/ns/net.
Inode = Tuple[int, int]
# {pid: {netns, cmdline, cwd, start, ppid}}, see SystemDriver.process.
Procs = Mapping[int, Mapping[str, Any]]
Process = Dict[str, Any]


# `vpnlab-<name>.`: the name is letters, digits and '-', starts and ends with a letter or digit
# (no '--', checked apart). The dot ends it; no lab name contains one.
PREFIX_RE = re.compile(r"vpnlab-[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.")
STOP_TIMEOUT = 3.0
POLL_INTERVAL = 0.05
# Characters that may end a path inside a command line ("-o IdentityFile=/x/id", "'/x'").
PATH_END = r"(?=$|[/\s'\",:;=)\]}])"


# --- pure: validation and selection -------------------------------------------------------

def prefix_problems(prefix: object, lab: str | None = None) -> list[str]:
    """Why `prefix` may not be used to select `lab`'s namespaces; empty when it may."""
    if not isinstance(prefix, str) or not PREFIX_RE.fullmatch(prefix) or "--" in prefix:
        return ["netns_prefix=%r: must be 'vpnlab-<name>.' (a name of letters, digits and '-', "
                "starting and ending with a letter or digit, no '--'), so that no other lab's "
                "or foreign namespace can match" % (prefix,)]
    if lab is not None and prefix != "vpnlab-%s." % lab:
        return ["netns_prefix=%r: must be %r, the prefix of lab=%r's namespaces"
                % (prefix, "vpnlab-%s." % lab, lab)]
    return []


def lab_namespaces(names: Iterable[str], prefix: str) -> list[str]:
    """Names of the lab's namespaces among `names` (the entries of /run/netns)."""
    return sorted(n for n in names if n.startswith(prefix))


def pidfile_owner_matches(program: str, cmdline: Sequence[str]) -> bool:
    """Whether a live process named by a pid file of the lab's daemon `program` runs it.

    A stale pid file may name a recycled pid. The program name is the first word of argv[0]:
    sshd rewrites its title to "sshd: /usr/sbin/sshd -D ... [listener]".
    """
    words = cmdline[0].split() if cmdline else []
    return bool(program and words) and program in os.path.basename(words[0])


def select_targets(procs: Procs, lab_inodes: Collection[Inode], pidfile_pids: Iterable[Tuple[str, int]],
                   exclude: Collection[int]) -> list[int]:
    """Pids to stop: in a lab namespace, or named by a lab pid file and running its daemon.

    `procs` is {pid: {netns, cmdline, cwd, start}}; `pidfile_pids` is [(program, pid)].
    """
    pids = {pid for pid, p in procs.items() if p["netns"] is not None and p["netns"] in lab_inodes}
    for program, pid in pidfile_pids:
        if pid in procs and pidfile_owner_matches(program, procs[pid]["cmdline"]):
            pids.add(pid)
    return sorted(pid for pid in pids if pid > 1 and pid not in exclude)


def mentions_path(text: str | None, path: str) -> bool:
    """Whether `path` (or something under it) appears in `text` as a whole path."""
    if not text:
        return False
    return re.search(re.escape(path.rstrip("/")) + PATH_END, text) is not None


def ancestors(pid: int | None, parents: Mapping[int, int]) -> set[int]:
    """`pid` and its ancestors, from a {pid: ppid} map."""
    chain = set()
    while pid and pid not in chain:
        chain.add(pid)
        pid = parents.get(pid)
    return chain


# --- pure: leak detection -----------------------------------------------------------------

def unescape_mountinfo(field: str) -> str:
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def mount_points(mountinfo: str) -> list[str]:
    """Mount points listed in /proc/<pid>/mountinfo text."""
    points = []
    for line in mountinfo.splitlines():
        fields = line.split()
        if len(fields) > 4:
            points.append(unescape_mountinfo(fields[4]))
    return points


def leaked_mounts(mountinfo: str, prefix: str) -> list[str]:
    """Namespace bind mounts of the lab still mounted (under /run/netns or /var/run/netns)."""
    leaks = []
    for point in mount_points(mountinfo):
        marker = point.find("/run/netns/")
        if marker >= 0 and point[marker + len("/run/netns/"):].startswith(prefix):
            leaks.append(point)
    return sorted(set(leaks))


def leaked_processes(procs: Procs, lab_inodes: Collection[Inode], state_dir: str | None,
                     exclude: Collection[int]) -> list[tuple[int, str, str]]:
    """[(pid, cmdline, why)] of processes still in a lab namespace or using the state dir
    (not checked when `state_dir` is None: a directory that is not the lab's)."""
    leaks = []
    for pid in sorted(procs):
        p = procs[pid]
        if pid in exclude:
            continue
        if p["netns"] is not None and p["netns"] in lab_inodes:
            why = "in a lab network namespace"
        elif state_dir and any(mentions_path(arg, state_dir) for arg in p["cmdline"]):
            why = "has the state dir in its command line"
        elif state_dir and p["cwd"] and mentions_path(p["cwd"], state_dir):
            why = "works in the state dir"
        else:
            continue
        leaks.append((pid, " ".join(p["cmdline"])[:120], why))
    return leaks


def detect_leaks(seen: Mapping[str, Any], lab: Mapping[str, Any]) -> list[str]:
    """Every leak, one line each.

    `seen`: {netns: [names in /run/netns], procs: {pid: {...}}, mountinfo: text,
    routes: [guard route dsts of the lab] or None when not checked};
    `lab`: {prefix, inodes, state_dir (None: not the lab's), exclude}. The state directory's
    files are checked where they are removed (statedir).
    """
    leaks = ["network namespace %s" % n
             for n in lab_namespaces(seen["netns"], lab["prefix"])]
    leaks += ["process %d (%s) %s" % leak for leak in
              leaked_processes(seen["procs"], lab["inodes"], lab["state_dir"], lab["exclude"])]
    leaks += ["mount %s" % point
              for point in leaked_mounts(seen["mountinfo"], lab["prefix"])]
    leaks += ["host guard route %s" % dst for dst in seen["routes"] or []]
    return leaks


# --- system driver ------------------------------------------------------------------------

def _read(path, mode="r"):
    with open(path, mode) as handle:
        return handle.read()


class SystemDriver:
    """Observes and changes the machine; every method tolerates things that are already gone."""

    netns_dir = NETNS_DIR

    def list_netns(self) -> list[str]:
        try:
            return sorted(os.listdir(self.netns_dir))
        except FileNotFoundError:
            return []

    def netns_inode(self, name: str) -> Inode | None:
        try:
            st = os.stat(os.path.join(self.netns_dir, name))
        except OSError:
            return None
        return (st.st_dev, st.st_ino)

    @staticmethod
    def process(pid: int) -> Process | None:
        """{netns, cmdline, cwd, start, ppid} of a live process, or None (gone or zombie)."""
        base = "/proc/%d" % pid
        try:
            stat_text = _read(base + "/stat")
            cmdline = _read(base + "/cmdline", "rb").decode("utf-8", "replace")
        except OSError:
            return None
        # The command name may hold spaces and parentheses: split after the last ')'.
        fields = stat_text[stat_text.rfind(")") + 2:].split()
        if not fields or fields[0] in ("Z", "X"):
            return None
        info = {"ppid": int(fields[1]), "start": fields[19], "cwd": None, "netns": None,
                "cmdline": [arg for arg in cmdline.split("\0") if arg]}
        try:
            st = os.stat(base + "/ns/net")
            info["netns"] = (st.st_dev, st.st_ino)
        except OSError:
            pass
        try:
            info["cwd"] = os.readlink(base + "/cwd")
        except OSError:
            pass
        return info

    def processes(self) -> dict[int, Process]:
        procs = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                info = self.process(int(entry))
                if info is not None:
                    procs[int(entry)] = info
        return procs

    def alive(self, pid: int, start: str) -> bool:
        info = self.process(pid)
        return info is not None and info["start"] == start

    def signal(self, pid: int, start: str, sig: int) -> None:
        if self.alive(pid, start):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass

    @staticmethod
    def pidfile_pids(pidfiles: Iterable[Tuple[str, str]]) -> list[tuple[str, int]]:
        """[(program, pid)] of the pid files [(path, program)] that exist and hold a pid."""
        found = []
        for path, program in pidfiles:
            pid = read_pid(path)
            if pid is not None:
                found.append((program, pid))
        return found

    def remove_netns(self, name: str) -> None:
        try:
            pr_netns.remove(name)
        except FileNotFoundError:
            pass

    @staticmethod
    def mountinfo() -> str:
        return _read("/proc/self/mountinfo")

    @staticmethod
    def sleep(seconds: float) -> None:
        time.sleep(seconds)

    @staticmethod
    def now() -> float:
        return time.monotonic()


# --- steps --------------------------------------------------------------------------------

class Teardown:
    """One teardown run; `routes` is a guard.LabRoutes, or None to leave the guard routes.

    `state_dir` is the lab's state directory, or None when it is not the lab's (no marker);
    `pidfiles` [(path, program)] are the lab's daemons' pid files, read only in the lab's own
    state directory.
    """

    def __init__(self, driver: Any, routes: Any, prefix: str, state_dir: str | None,
                 pidfiles: Iterable[Tuple[str, str]]) -> None:
        self.driver = driver
        self.routes = routes
        self.prefix = prefix
        self.state_dir = os.path.normpath(state_dir) if state_dir else None
        self.pidfiles = list(pidfiles) if state_dir else []
        procs = driver.processes()
        parents = {pid: p["ppid"] for pid, p in procs.items()}
        # Never signal ourselves or the Ansible processes that started us.
        self.exclude = ancestors(os.getpid(), parents) | {0, 1}
        self.namespaces = lab_namespaces(driver.list_netns(), prefix)
        # Inodes are read before the namespaces are deleted: they still identify processes
        # (and leaks) in a namespace that outlives its /run/netns entry.
        self.inodes = {i for i in (driver.netns_inode(n) for n in self.namespaces) if i}

    def targets(self) -> dict[int, str]:
        procs = self.driver.processes()
        pids = select_targets(procs, self.inodes, self.driver.pidfile_pids(self.pidfiles),
                              self.exclude)
        return {pid: procs[pid]["start"] for pid in pids}

    def wait_gone(self, targets: Mapping[int, str], timeout: float = STOP_TIMEOUT) -> list[int]:
        deadline = self.driver.now() + timeout
        left = dict(targets)
        while left and self.driver.now() < deadline:
            left = {pid: s for pid, s in left.items() if self.driver.alive(pid, s)}
            if left:
                self.driver.sleep(POLL_INTERVAL)
        return sorted(left)

    def stop_processes(self) -> list[int]:
        """SIGTERM, wait; then SIGKILL whatever is (still or newly) there, wait. Pids signalled."""
        signalled: set[int] = set()
        for sig in (signal.SIGTERM, signal.SIGKILL):
            found = self.targets()
            for pid, start in found.items():
                self.driver.signal(pid, start, sig)
            signalled.update(found)
            self.wait_gone(found)
        return sorted(signalled)

    def run(self, check_mode: bool) -> dict[str, list[Any]]:
        removed: dict[str, list[Any]] = {"netns": list(self.namespaces), "pids": [], "routes": []}
        if check_mode:
            removed["pids"] = sorted(self.targets())
        else:
            removed["pids"] = self.stop_processes()
            for name in self.namespaces:
                self.driver.remove_netns(name)
        if self.routes is not None:
            removed["routes"] = self.routes.remove(check_mode)
        return removed

    def observe(self) -> dict[str, Any]:
        return {"netns": self.driver.list_netns(), "procs": self.driver.processes(),
                "mountinfo": self.driver.mountinfo(),
                "routes": self.routes.remaining() if self.routes is not None else None}

    def leaks(self, settle: float = 1.0) -> list[str]:
        """Leaks after the run; processes on their way out get `settle` seconds to exit."""
        lab = {"prefix": self.prefix, "inodes": self.inodes, "state_dir": self.state_dir,
               "exclude": self.exclude}
        deadline = self.driver.now() + settle
        while True:
            leaks = detect_leaks(self.observe(), lab)
            if not any(leak.startswith("process ") for leak in leaks) or \
                    self.driver.now() >= deadline:
                return leaks
            self.driver.sleep(POLL_INTERVAL * 4)

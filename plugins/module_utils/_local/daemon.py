# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Long-running processes of the local lab (charon, sshd) inside lab network namespaces.

AnsibleModule.run_command waits for its command to end; a daemon must outlive the module, so
it is started here with subprocess in a session of its own, its output going to a log file and
no file descriptor shared with Ansible (which would otherwise wait for it). Whether a recorded
PID is still ours is checked by its command line and its network namespace, never by PID only.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from typing import Callable, Mapping, Sequence, TypeVar

from ansible_collections.multicloud.vpnlab.plugins.module_utils.files import write_atomic

T = TypeVar("T")

NETNS_DIR = "/var/run/netns"


def netns_inode(netns: str) -> int:
    return os.stat(os.path.join(NETNS_DIR, netns)).st_ino


def read_pid(path: str) -> int | None:
    """The pid on the first line of the pid file at `path`, or None (no file, no pid, or 0/1,
    which is never one of the lab's daemons)."""
    try:
        with open(path) as handle:
            text = handle.readline().strip()
    except (OSError, UnicodeDecodeError):
        return None
    return int(text) if text.isascii() and text.isdigit() and int(text) > 1 else None


def write_pid(path: str, pid: int) -> None:
    """Record `pid` once its process runs: replaced in one step, so a reader never sees a
    half-written or empty pid file (read_pid would take it for no daemon at all)."""
    write_atomic(path, "%d\n" % pid, mode=0o644)


def cmdline(pid: int) -> str:
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as handle:
            return handle.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def alive(pid: int | None, needle: str, netns: str) -> bool:
    """True when `pid` runs a command containing `needle` inside network namespace `netns`."""
    if not pid or needle not in cmdline(pid):
        return False
    try:
        return os.stat("/proc/%d/ns/net" % pid).st_ino == netns_inode(netns)
    except OSError:
        return False


def listens(tcp_table: str, port: int) -> bool:
    """True when /proc/<pid>/net/tcp text has a socket in LISTEN state (0A) on `port`."""
    for line in tcp_table.splitlines()[1:]:
        fields = line.split()
        if len(fields) > 3 and fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
            return True
    return False


def listening(pid: int, port: int) -> bool:
    """Whether the network namespace of `pid` has a TCP socket listening on `port`."""
    try:
        with open("/proc/%d/net/tcp" % pid) as handle:
            return listens(handle.read(), port)
    except OSError:
        return False


def wait_for(predicate: Callable[[], T], timeout: float, interval: float = 0.05) -> T:
    """Poll `predicate` until it is true or `timeout` seconds passed; returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


def spawn(argv: Sequence[str], log_path: str, env: Mapping[str, str] | None = None) -> int:
    """Start `argv` detached (new session, stdio to `log_path`); returns its PID once it runs
    (Popen returns after the exec, or raises when it failed). No shell: data stays argv."""
    with open(log_path, "ab") as log, open(os.devnull, "rb") as null:
        proc = subprocess.Popen(argv, stdin=null, stdout=log, stderr=log, close_fds=True,
                                start_new_session=True, env=env)
    return proc.pid


def exited(pid: int) -> bool:
    """True when the process `pid` started by spawn() has ended (reaped here if it is our
    child, so a dead daemon is not taken for a slow one)."""
    return _gone(pid)


def log_tail(path: str, lines: int = 12, limit: int = 2000) -> str:
    """The last `lines` lines of a daemon's log (at most `limit` characters), for an error
    message; '(no log)' when there is none. Lab daemons log at levels that carry no keys."""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - 8 * limit))
            text = handle.read().decode("utf-8", "replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])[-limit:] or "(empty log)"


def _gone(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # A zombie child of ours is gone for our purposes.
    try:
        return os.waitpid(pid, os.WNOHANG)[0] == pid
    except ChildProcessError:
        return "zombie" in _state(pid)


def _state(pid):
    try:
        with open("/proc/%d/status" % pid) as handle:
            for line in handle:
                if line.startswith("State:"):
                    return line.lower()
    except OSError:
        return "zombie"
    return ""


def stop(pid: int, timeout: float = 5.0) -> None:
    """SIGTERM, then SIGKILL if `pid` is still there after `timeout` seconds."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        if wait_for(lambda: _gone(pid), timeout):
            return

# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One run per lab: a flock per lab name, held for a whole ansible-playbook run.

Ansible runs every module in a process of its own, so the module that takes the lock leaves a
small holder behind (a fork in a session of its own) which keeps the lock until the
ansible-playbook process that ran it exits. The lock file names the holder and the playbook, so
that a second run can say who has the lab. Lock files live outside the state directory (which
a build creates and a teardown removes): /run/vpnlab for root, where the local data plane is.
The holder removes its lock file before it releases it; a waiter that then gets the lock on the
removed file sees that the path no longer names it and starts over (the usual flock protocol),
so nothing is left after a run.

The decisions are pure functions (table-tested); the rest is a thin layer over /proc and flock.
"""

from __future__ import annotations

import datetime
import errno
import fcntl
import json
import os
import re
import select
import stat
import time
from typing import Any, Callable, Iterable, Mapping, Sequence, Tuple

# [(pid, argv), ...] from a process up its parents.
Chain = Iterable[Tuple[int, Sequence[str]]]

ROOT_LOCK_DIR = "/run/vpnlab"
POLL_INTERVAL = 0.5
LAB_RE = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9_.-]{0,62}\Z")
# The programs whose run a lock lasts for (the collection's playbooks; `ansible` for ad hoc use).
RUNNERS = ("ansible-playbook", "ansible")
HOLDER_NAME = b"vpnlab-lock"


class LockError(Exception):
    """The lock cannot be taken: the message says why (and who holds it)."""


# --- pure -------------------------------------------------------------------------------------

def lock_dir(euid: int, environ: Mapping[str, str], tmpdir: str = "/tmp") -> str:
    """Where the lock files are: /run/vpnlab for root (the local data plane's host-wide names),
    else the user's runtime directory, else a per-user directory in the temporary directory."""
    if euid == 0:
        return ROOT_LOCK_DIR
    runtime = environ.get("XDG_RUNTIME_DIR") or ""
    if runtime.startswith("/"):
        return os.path.join(runtime, "vpnlab")
    return os.path.join(tmpdir, "vpnlab-%d" % euid)


def lock_file(directory: str, lab: object) -> str:
    if not isinstance(lab, str) or not LAB_RE.match(lab):
        raise LockError("lab name %r cannot name a lock file" % (lab,))
    return os.path.join(directory, "%s.lock" % lab)


def dir_problem(path: str, seen: os.stat_result, euid: int) -> str | None:
    """Why the lock directory `path` (its lstat result `seen`) may not hold locks, or None."""
    if stat.S_ISLNK(seen.st_mode):
        return "lock directory %s is a symlink" % path
    if not stat.S_ISDIR(seen.st_mode):
        return "lock directory %s is not a directory" % path
    if seen.st_uid != euid:
        return "lock directory %s is owned by uid %d, not %d" % (path, seen.st_uid, euid)
    if seen.st_mode & 0o022:
        return "lock directory %s is writable by group or others (mode %04o)" % (
            path, stat.S_IMODE(seen.st_mode))
    return None


def runner(argv: Sequence[str]) -> str | None:
    """The runner program (ansible-playbook, ansible) a command line runs, or None."""
    words = list(argv[:2])
    if words and os.path.basename(words[0]).startswith("python"):
        words = words[1:]
    name = os.path.basename(words[0]) if words else ""
    return name if name in RUNNERS else None


def playbook_process(chain: Chain) -> int | None:
    """The run a module belongs to: in `chain` ([(pid, argv), ...] from the module's parent up),
    the topmost of the first unbroken line of runner processes (Ansible's workers are forks of
    ansible-playbook with its command line). None when the module runs outside Ansible."""
    found = None
    for pid, argv in chain:
        if runner(argv):
            found = pid
        elif found is not None:
            break
    return found


def holder_record(lab: str, holder_pid: int, playbook_pid: int, playbook_start: int | None, command: str,
                  now: datetime.datetime) -> dict[str, Any]:
    return {"lab": lab, "holder_pid": holder_pid, "playbook_pid": playbook_pid,
            "playbook_start": playbook_start, "command": command,
            "since": now.strftime("%Y-%m-%dT%H:%M:%SZ")}


def parse_record(text: str) -> dict[str, Any] | None:
    """The holder record written in a lock file, or None (empty, half written, foreign)."""
    try:
        record = json.loads(text)
    except ValueError:
        return None
    if not isinstance(record, dict) or not isinstance(record.get("playbook_pid"), int):
        return None
    return record


def same_run(record: Mapping[str, Any] | None, playbook_pid: int, playbook_start: int | None) -> bool:
    """Whether the lock's holder keeps it for this very run (site.yml imports check.yml)."""
    if not record:
        return False
    return record.get("playbook_pid") == playbook_pid and record.get("playbook_start") == playbook_start


def busy_message(lab: str, path: str, record: Mapping[str, Any] | None, waited: int) -> str:
    if not record:
        who = "a process that has not said who it is yet"
    else:
        who = "ansible-playbook pid %s (%s), since %s, lock holder pid %s" % (
            record.get("playbook_pid"), record.get("command") or "?", record.get("since") or "?",
            record.get("holder_pid"))
    return ("lab %s is in use by another run: %s. Waited %ds for it (lab_lock_timeout_seconds); "
            "try again when it has finished. Lock file: %s" % (lab, who, waited, path))


# --- processes --------------------------------------------------------------------------------

def _stat_fields(pid):
    with open("/proc/%d/stat" % pid) as handle:
        text = handle.read()
    # The command name is in parentheses and may contain anything: split after the last ')'.
    return text[text.rindex(")") + 2:].split()


def parent_pid(pid: int) -> int:
    return int(_stat_fields(pid)[1])


def start_time(pid: int) -> int | None:
    """The process's start time (clock ticks since boot): a pid and it name one process."""
    try:
        return int(_stat_fields(pid)[19])
    except (OSError, ValueError, IndexError):
        return None


def argv_of(pid: int) -> list[str]:
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as handle:
            data = handle.read()
    except OSError:
        return []
    return [w.decode("utf-8", "replace") for w in data.split(b"\0") if w]


def ancestry(pid: int) -> list[tuple[int, list[str]]]:
    """[(pid, argv), ...] from `pid` up to (not including) init."""
    chain = []
    while pid > 1:
        chain.append((pid, argv_of(pid)))
        try:
            pid = parent_pid(pid)
        except (OSError, ValueError, IndexError):
            break
    return chain


# --- the lock ---------------------------------------------------------------------------------

def prepare_dir(path: str, euid: int) -> None:
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    problem = dir_problem(path, os.lstat(path), euid)
    if problem:
        raise LockError(problem)


def _open(path):
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    seen = os.fstat(descriptor)
    if not stat.S_ISREG(seen.st_mode) or seen.st_uid != os.geteuid():
        os.close(descriptor)
        raise LockError("lock file %s is not a regular file of uid %d" % (path, os.geteuid()))
    return descriptor


def _still_named(descriptor, path):
    try:
        return os.stat(path, follow_symlinks=False).st_ino == os.fstat(descriptor).st_ino
    except FileNotFoundError:
        return False


def read_record(path: str) -> dict[str, Any] | None:
    try:
        with open(path) as handle:
            return parse_record(handle.read())
    except OSError:
        return None


def acquire(path: str, playbook_pid: int, playbook_start: int | None, timeout: float,
            clock: Callable[[], float] = time.monotonic,
            sleep: Callable[[float], None] = time.sleep) -> tuple[str, int | None, int]:
    """Take the lock at `path`: ("acquired", descriptor, waited), ("held", None, waited) when
    this run holds it already; LockError naming the holder after `timeout` seconds."""
    started = clock()
    while True:
        descriptor = _open(path)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(descriptor)
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            record = read_record(path)
            if same_run(record, playbook_pid, playbook_start):
                return "held", None, int(clock() - started)
            if clock() - started >= timeout:
                raise LockError(busy_message(os.path.basename(path)[:-len(".lock")], path,
                                             record, int(clock() - started))) from None
            sleep(POLL_INTERVAL)
            continue
        if _still_named(descriptor, path):
            return "acquired", descriptor, int(clock() - started)
        os.close(descriptor)  # its holder removed it on the way out: start over


def write_record(descriptor: int, record: Mapping[str, Any]) -> None:
    data = (json.dumps(record, sort_keys=True) + "\n").encode()
    os.ftruncate(descriptor, 0)
    os.pwrite(descriptor, data, 0)
    os.fsync(descriptor)


def wait_for_exit(pid: int, start: int | None) -> None:
    """Return once process `pid` (started at `start`) has exited."""
    try:
        pidfd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        pidfd = None
    if pidfd is not None:
        if start_time(pid) == start:  # the pidfd is of our process, not of a reused pid
            poller = select.poll()
            poller.register(pidfd, select.POLLIN)
            while not poller.poll(60000):
                pass
        os.close(pidfd)
        return
    while start_time(pid) == start:
        time.sleep(1)


def hold(descriptor: int, path: str, playbook_pid: int, playbook_start: int | None) -> None:
    """In the holder: keep the lock until the playbook exits, remove the file, release."""
    try:
        with open("/proc/self/comm", "wb") as handle:
            handle.write(HOLDER_NAME)
    except OSError:
        pass
    wait_for_exit(playbook_pid, playbook_start)
    if _still_named(descriptor, path):
        os.unlink(path)


def spawn_holder(descriptor: int, path: str, playbook_pid: int, playbook_start: int | None) -> int:
    """Fork the holder (a session of its own, no stdio shared with Ansible); returns its pid."""
    pid = os.fork()
    if pid:
        return pid
    try:
        os.setsid()
        null = os.open(os.devnull, os.O_RDWR)
        for target in (0, 1, 2):
            os.dup2(null, target)
        os.closerange(3, descriptor)
        os.closerange(descriptor + 1, 65536)
        hold(descriptor, path, playbook_pid, playbook_start)
    finally:
        os._exit(0)


def take(lab: str, timeout: float, euid: int | None = None, environ: Mapping[str, str] | None = None,
         self_pid: int | None = None, now: datetime.datetime | None = None) -> dict[str, Any]:
    """Take `lab`'s lock for the ansible-playbook run this process belongs to.

    Returns {path, state: acquired|held, waited, holder_pid, playbook_pid}."""
    euid = os.geteuid() if euid is None else euid
    directory = lock_dir(euid, os.environ if environ is None else environ)
    path = lock_file(directory, lab)
    playbook = playbook_process(ancestry(os.getppid() if self_pid is None else self_pid))
    if playbook is None:
        raise LockError("no ansible-playbook process above this module: the lab's lock lasts "
                        "for a playbook run")
    start = start_time(playbook)
    prepare_dir(directory, euid)
    state, descriptor, waited = acquire(path, playbook, start, timeout)
    result = {"path": path, "state": state, "waited": waited, "playbook_pid": playbook}
    if state == "held":
        result["holder_pid"] = (read_record(path) or {}).get("holder_pid")
        return result
    if descriptor is None:  # acquired above
        raise AssertionError("the lock was taken without a descriptor")
    try:
        holder = spawn_holder(descriptor, path, playbook, start)
        write_record(descriptor, holder_record(
            lab, holder, playbook, start, " ".join(argv_of(playbook))[:300],
            now or datetime.datetime.now(datetime.timezone.utc)))
    finally:
        os.close(descriptor)
    result["holder_pid"] = holder
    return result

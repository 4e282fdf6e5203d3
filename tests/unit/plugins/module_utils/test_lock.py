# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One run per lab: where the lock is, whose run a module belongs to, waiting and refusing."""

from __future__ import annotations

import datetime
import fcntl
import os
import signal
import subprocess
import time

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils import lock
from ansible_collections.multicloud.vpnlab.plugins.module_utils.lock import LockError


@pytest.mark.parametrize("euid, environ, expected", [
    (0, {}, "/run/vpnlab"),
    (0, {"XDG_RUNTIME_DIR": "/run/user/0"}, "/run/vpnlab"),
    (1000, {"XDG_RUNTIME_DIR": "/run/user/1000"}, "/run/user/1000/vpnlab"),
    (1000, {"XDG_RUNTIME_DIR": "relative"}, "/tmp/vpnlab-1000"),
    (1000, {}, "/tmp/vpnlab-1000"),
])
def test_lock_dir(euid, environ, expected):
    assert lock.lock_dir(euid, environ) == expected


@pytest.mark.parametrize("lab, ok", [
    ("vpntest", True), ("hb1", True), ("a-b", True),
    ("../x", False), ("a/b", False), ("", False), (".hidden", False), ("x\n", False), (None, False)])
def test_lock_file(lab, ok):
    if ok:
        assert lock.lock_file("/run/vpnlab", lab) == "/run/vpnlab/%s.lock" % lab
    else:
        with pytest.raises(LockError):
            lock.lock_file("/run/vpnlab", lab)


def seen(mode, uid=0):
    return os.stat_result((mode, 0, 0, 1, uid, 0, 0, 0, 0, 0))


@pytest.mark.parametrize("mode, uid, problem", [
    (0o040700, 0, None),
    (0o040755, 0, None),
    (0o040700, 1000, "owned by uid 1000, not 0"),
    (0o040770, 0, "writable by group or others (mode 0770)"),
    (0o041777, 0, "writable by group or others (mode 1777)"),
    (0o120777, 0, "is a symlink"),
    (0o100600, 0, "is not a directory"),
])
def test_dir_problem(mode, uid, problem):
    found = lock.dir_problem("/run/vpnlab", seen(mode, uid), 0)
    assert (found is None) if problem is None else problem in found


PLAYBOOK = ["/v/bin/python3", "/v/bin/ansible-playbook", "playbooks/site.yml"]


@pytest.mark.parametrize("argv, expected", [
    (PLAYBOOK, "ansible-playbook"),
    (["/usr/bin/ansible-playbook", "x.yml"], "ansible-playbook"),
    (["/usr/bin/python3.11", "/usr/bin/ansible", "localhost"], "ansible"),
    (["/bin/sh", "-c", "ansible-playbook"], None),
    (["/v/bin/python", "/root/.ansible/tmp/AnsiballZ_lab_lock.py"], None),
    (["/usr/bin/make", "lab"], None),
    ([], None),
])
def test_runner(argv, expected):
    assert lock.runner(argv) == expected


MODULE = ["/v/bin/python", "/root/.ansible/tmp/x/AnsiballZ_lab_lock.py"]
SHELL = ["/bin/sh", "-c", "/v/bin/python ... && sleep 0"]


@pytest.mark.parametrize("chain, expected", [
    # module's parents: shells, Ansible's worker (a fork of ansible-playbook), ansible-playbook.
    ([(40, SHELL), (39, SHELL), (31, PLAYBOOK), (30, PLAYBOOK), (20, ["make", "lab"])], 30),
    ([(40, SHELL), (30, PLAYBOOK), (1, ["/sbin/init"])], 30),
    # ansible-playbook started by another playbook's task: the nearest run is the lab's.
    ([(40, SHELL), (31, PLAYBOOK), (30, PLAYBOOK), (25, SHELL), (21, PLAYBOOK), (20, PLAYBOOK)],
     30),
    ([(40, SHELL), (20, ["pytest"])], None),
    ([], None),
])
def test_playbook_process(chain, expected):
    assert lock.playbook_process(chain) == expected


def record(pid=30, start=1234, holder=31):
    return lock.holder_record("hb1", holder, pid, start, "ansible-playbook site.yml",
                              datetime.datetime(2026, 12, 1, 8, 0, 0))


@pytest.mark.parametrize("text, expected", [
    ('{"playbook_pid": 30, "holder_pid": 31}', {"playbook_pid": 30, "holder_pid": 31}),
    ("", None), ("{", None), ("[]", None), ('{"playbook_pid": "30"}', None)])
def test_parse_record(text, expected):
    assert lock.parse_record(text) == expected


@pytest.mark.parametrize("rec, pid, start, expected", [
    (record(), 30, 1234, True),
    (record(), 30, 999, False),   # the pid of an ended run, reused
    (record(), 29, 1234, False),
    (None, 30, 1234, False),
])
def test_same_run(rec, pid, start, expected):
    assert lock.same_run(rec, pid, start) is expected


def test_busy_message_names_the_holder():
    text = lock.busy_message("hb1", "/run/vpnlab/hb1.lock", record(), 600)
    assert text == ("lab hb1 is in use by another run: ansible-playbook pid 30 (ansible-playbook "
                    "site.yml), since 2026-12-01T08:00:00Z, lock holder pid 31. Waited 600s for "
                    "it (lab_lock_timeout_seconds); try again when it has finished. Lock file: "
                    "/run/vpnlab/hb1.lock")
    assert "has not said who it is" in lock.busy_message("hb1", "/x", None, 0)


# --- the lock on real files -------------------------------------------------------------------

class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def hold_elsewhere(path, rec=None):
    """The lock taken through another open file description (as another process would)."""
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    if rec:
        lock.write_record(descriptor, rec)
    return descriptor


def test_a_free_lab_is_acquired_at_once(tmp_path):
    state, descriptor, waited = lock.acquire(str(tmp_path / "hb1.lock"), 30, 1234, 10)
    assert (state, waited) == ("acquired", 0)
    os.close(descriptor)


def test_another_run_is_waited_for_then_named(tmp_path):
    path = str(tmp_path / "hb1.lock")
    other = hold_elsewhere(path, record(pid=77, holder=78))
    clock = Clock()
    with pytest.raises(LockError) as err:
        lock.acquire(path, 30, 1234, 5, clock=clock, sleep=clock.sleep)
    assert "ansible-playbook pid 77" in str(err.value) and "holder pid 78" in str(err.value)
    assert "Waited 5s" in str(err.value) and clock.now >= 5
    os.close(other)


def test_the_lock_is_taken_when_the_other_run_ends_within_the_timeout(tmp_path):
    path = str(tmp_path / "hb1.lock")
    other = hold_elsewhere(path, record(pid=77))
    clock = Clock()

    def sleep(seconds):
        clock.sleep(seconds)
        if clock.now >= 3:
            os.close(other)
    state, descriptor, waited = lock.acquire(path, 30, 1234, 60, clock=clock, sleep=sleep)
    assert (state, waited) == ("acquired", 3)
    os.close(descriptor)


def test_the_same_run_finds_it_held(tmp_path):
    path = str(tmp_path / "hb1.lock")
    other = hold_elsewhere(path, record(pid=30, start=1234))
    assert lock.acquire(path, 30, 1234, 0)[:2] == ("held", None)
    os.close(other)


def test_two_labs_never_wait_for_each_other(tmp_path):
    other = hold_elsewhere(str(tmp_path / "hb2.lock"), record(pid=77))
    state, descriptor, dummy = lock.acquire(str(tmp_path / "hb3.lock"), 30, 1234, 0)
    assert state == "acquired"
    os.close(descriptor)
    os.close(other)


def test_a_lock_file_removed_by_its_holder_is_not_taken(tmp_path):
    """A waiter that gets the lock on a file its holder removed starts over on the path."""
    path = str(tmp_path / "hb1.lock")
    other = hold_elsewhere(path)
    clock = Clock()
    released = []

    def sleep(seconds):
        clock.sleep(seconds)
        if not released:  # the holder leaves: removes the file, then lets go
            os.unlink(path)
            os.close(other)
            released.append(True)
    state, descriptor, dummy = lock.acquire(path, 30, 1234, 60, clock=clock, sleep=sleep)
    assert state == "acquired" and os.path.exists(path)
    assert os.fstat(descriptor).st_ino == os.stat(path).st_ino
    os.close(descriptor)


def test_a_symlink_as_lock_file_is_refused(tmp_path):
    target = tmp_path / "elsewhere"
    target.write_text("")
    os.symlink(target, tmp_path / "hb1.lock")
    with pytest.raises(OSError):
        lock.acquire(str(tmp_path / "hb1.lock"), 30, 1234, 0)


def test_prepare_dir(tmp_path):
    lock.prepare_dir(str(tmp_path / "locks"), os.geteuid())
    assert oct(os.stat(tmp_path / "locks").st_mode & 0o777) == "0o700"
    os.chmod(tmp_path / "locks", 0o777)
    with pytest.raises(LockError, match="writable by group or others"):
        lock.prepare_dir(str(tmp_path / "locks"), os.geteuid())


def test_the_holder_keeps_the_lock_until_the_run_ends(tmp_path):
    """A stand-in playbook process; the holder lets go (and removes the file) when it ends."""
    path = str(tmp_path / "hb1.lock")
    run = subprocess.Popen(["sleep", "30"])
    start = lock.start_time(run.pid)
    state, descriptor, dummy = lock.acquire(path, run.pid, start, 0)
    holder = lock.spawn_holder(descriptor, path, run.pid, start)
    lock.write_record(descriptor, lock.holder_record("hb1", holder, run.pid, start, "sleep 30",
                                                     datetime.datetime(2026, 12, 1)))
    os.close(descriptor)
    try:
        with pytest.raises(LockError, match="holder pid %d" % holder):
            lock.acquire(path, 1, 1, 0)
        assert lock.acquire(path, run.pid, start, 0)[:2] == ("held", None)
    finally:
        run.send_signal(signal.SIGTERM)
        run.wait()
    os.waitpid(holder, 0)
    assert not os.path.exists(path)
    state, descriptor, dummy = lock.acquire(path, 1, 1, 0)
    assert state == "acquired"
    os.close(descriptor)


def test_wait_for_exit_returns_for_a_gone_process():
    run = subprocess.Popen(["true"])
    start = lock.start_time(run.pid)
    run.wait()
    began = time.monotonic()
    lock.wait_for_exit(run.pid, start)
    assert time.monotonic() - began < 2

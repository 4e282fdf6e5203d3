# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Teardown logic on fabricated observations: validation, selection, leak detection, and the
order of the steps against a stand-in driver."""

from __future__ import annotations

import signal

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.teardown import (
    Teardown, ancestors, detect_leaks, lab_namespaces, leaked_mounts, leaked_processes,
    mentions_path, mount_points, pidfile_owner_matches, prefix_problems, select_targets,
)

STATE = "/root/.vpnlab/vpntest"
NS_A, NS_B, NS_OTHER = (4, 4026532001), (4, 4026532002), (4, 4026531840)


@pytest.mark.parametrize("prefix,ok", [
    ("vpnlab-vpntest.", True),
    ("vpnlab-t3f9a.", True),
    ("vpnlab-a-b.", True),
    ("vpnlab-a.", True),
    ("vpnlab-7.", True),
    ("vpnlab-", False),            # would match every lab
    ("vpnlab-.", False),           # no name
    ("vpnlab--", False),
    ("vpnlab--.", False),
    ("vpnlab-a-", False),          # the old rule: would match lab a-b's vpnlab-a-b.inet
    ("vpnlab-vpntest-", False),
    ("vpnlab-a", False),           # would match vpnlab-ab.inet
    ("vpnlab-vpntest", False),     # would match vpnlab-vpntest2.inet
    ("vpnlab-a..", False),
    ("vpnlab-a.b.", False),
    ("vpnlab-a-.", False),         # a name ends with a letter or digit
    ("vpnlab--a.", False),         # ... and starts with one
    ("vpnlab-a--b.", False),
    ("vpnlab-a_b.", False),
    ("vpnlab-a/b.", False),
    ("vpnlab-../x.", False),
    ("vpnlab-a b.", False),
    ("vpnlab-a.\n", False),
    ("vpntest.", False),
    ("VPNLAB-a.", False),
    ("", False),
    (None, False),
])
def test_prefix_validation(prefix, ok):
    problems = prefix_problems(prefix)
    assert (problems == []) is ok
    if not ok:
        assert len(problems) == 1
        assert "netns_prefix=" in problems[0] and "'vpnlab-<name>.'" in problems[0]


@pytest.mark.parametrize("prefix,lab,ok", [
    ("vpnlab-vpntest.", "vpntest", True),
    ("vpnlab-a-b.", "a-b", True),
    ("vpnlab-a.", "a-b", False),       # another lab's prefix
    ("vpnlab-a-b.", "a", False),
    ("vpnlab-vpntest.", "vpntest2", False),
    ("vpnlab-vpntest-", "vpntest", False),  # the old, ambiguous form
])
def test_prefix_must_be_the_labs(prefix, lab, ok):
    problems = prefix_problems(prefix, lab)
    assert (problems == []) is ok
    if not ok:
        assert len(problems) == 1 and "netns_prefix=%r" % prefix in problems[0]
        if prefix.endswith("."):
            assert "'vpnlab-%s.'" % lab in problems[0] and "lab=%r" % lab in problems[0]


# Lab a (with a VM named b-inet), lab a-b, lab ab, lab b, an old-style name and foreign ones.
NAMES = ["vpnlab-a.inet", "vpnlab-a.vm1", "vpnlab-a.b-inet", "vpnlab-a-b.inet", "vpnlab-a-b.vm1",
         "vpnlab-ab.inet", "vpnlab-b.op", "vpnlab-a-inet", "docker-1", "vpnlab-a."]


@pytest.mark.parametrize("prefix,expected", [
    ("vpnlab-a.", ["vpnlab-a.", "vpnlab-a.b-inet", "vpnlab-a.inet", "vpnlab-a.vm1"]),
    ("vpnlab-a-b.", ["vpnlab-a-b.inet", "vpnlab-a-b.vm1"]),
    ("vpnlab-ab.", ["vpnlab-ab.inet"]),
    ("vpnlab-c.", []),
])
def test_lab_namespaces(prefix, expected):
    assert lab_namespaces(NAMES, prefix) == expected


def test_labs_sharing_a_name_start_select_disjoint_namespaces():
    labs = ["a", "a-b", "ab", "b"]
    selected = [set(lab_namespaces(NAMES, "vpnlab-%s." % lab)) for lab in labs]
    for i, mine in enumerate(selected):
        for theirs in selected[i + 1:]:
            assert mine.isdisjoint(theirs)


@pytest.mark.parametrize("program,cmdline,ok", [
    ("charon", ["/usr/lib/ipsec/charon"], True),
    ("charon", ["/usr/sbin/sshd", "-D"], False),
    ("sshd", ["/usr/sbin/sshd", "-D", "-f", "/x/sshd_config"], True),
    ("sshd", ["sshd: /usr/sbin/sshd -D -f /x/sshd_config [listener] 0 of 10-100"], True),
    ("sshd", ["/usr/bin/vim", "/x/sshd.pid"], False),  # a recycled pid
    ("sshd", [], False),
    ("", ["/usr/lib/ipsec/charon"], False),
])
def test_pidfile_owner_matches(program, cmdline, ok):
    assert pidfile_owner_matches(program, cmdline) is ok


def proc(netns=NS_OTHER, cmdline=("/bin/true",), cwd="/", ppid=1, start="100"):
    return {"netns": netns, "cmdline": list(cmdline), "cwd": cwd, "ppid": ppid, "start": start}


PROCS = {
    1: proc(cmdline=["/sbin/init"], ppid=0),
    100: proc(NS_A, ["/usr/lib/ipsec/charon"]),
    101: proc(NS_B, ["sshd: /usr/sbin/sshd -D -f %s/vms/vm1/sshd_config [listener]" % STATE]),
    102: proc(NS_OTHER, ["/usr/lib/ipsec/charon"]),  # its namespace file was already deleted
    103: proc(NS_OTHER, ["/usr/bin/vim", "notes"]),
    104: proc(None, ["kworker"]),
    105: proc(NS_OTHER, ["ssh", "-i", STATE + "/id_ed25519", "vm1"]),
    106: proc(NS_OTHER, ["bash"], cwd=STATE + "/gateways"),
    107: proc(NS_OTHER, ["bash"], cwd=STATE + "2"),
    108: proc(NS_OTHER, ["ansible", "-a", '{"state_dir": "%s"}' % STATE]),
    109: proc(NS_A, ["python", "AnsiballZ_local_teardown.py"], ppid=108),
}


@pytest.mark.parametrize("pidfiles,exclude,expected", [
    ([], set(), [100, 101, 109]),
    ([("charon", 102)], set(), [100, 101, 102, 109]),
    ([("charon", 103)], set(), [100, 101, 109]),      # recycled pid
    ([("sshd", 999)], set(), [100, 101, 109]),        # dead
    ([("charon", 1)], set(), [100, 101, 109]),
    ([], {109, 108, 1}, [100, 101]),                                 # never ourselves
])
def test_select_targets(pidfiles, exclude, expected):
    assert select_targets(PROCS, {NS_A, NS_B}, pidfiles, exclude) == expected


@pytest.mark.parametrize("text,found", [
    (STATE, True), (STATE + "/", True), (STATE + "/id_ed25519", True),
    ("-oIdentityFile=%s/id" % STATE, True), ("'%s'" % STATE, True), ('{"d": "%s"}' % STATE, True),
    (STATE + "2", False), (STATE + "-old/x", False), ("/root/.vpnlab", False), ("", False),
    (None, False),
])
def test_mentions_path(text, found):
    assert mentions_path(text, STATE) is found


def test_ancestors_stop_at_loops_and_unknown_parents():
    assert ancestors(109, {109: 108, 108: 50, 50: 1, 1: 0}) == {109, 108, 50, 1}
    assert ancestors(5, {5: 6, 6: 5}) == {5, 6}
    assert ancestors(7, {}) == {7}


MOUNT_LINES = [
    "22 1 0:21 / /run rw,nosuid shared:5 - tmpfs tmpfs rw",
    "610 22 0:4 net:[4026532001] /run/netns/vpnlab-a.inet rw shared:300 - nsfs nsfs rw",
    "611 22 0:4 net:[4026532002] /run/netns/vpnlab-a-b.inet rw shared:301 - nsfs nsfs rw",
    "612 22 0:4 net:[4026532003] /run/netns/vpnlab-ab.inet rw shared:302 - nsfs nsfs rw",
    "613 22 0:4 net:[4026532004] /var/run/netns/vpnlab-a.vm1 rw - nsfs nsfs rw",
    "614 22 0:26 / /run/netns rw shared:5 - tmpfs tmpfs rw",
    "615 22 0:4 net:[4026532005] /tmp/my\\040dir/run/netns/vpnlab-a.x rw - nsfs nsfs rw",
    "616 22 0:4 net:[4026532006] /run/netns/vpnlab-a-inet rw shared:303 - nsfs nsfs rw",
    "",
]
MOUNTINFO = "\n".join(MOUNT_LINES)


def test_mount_points_decode_escapes():
    assert "/tmp/my dir/run/netns/vpnlab-a.x" in mount_points(MOUNTINFO)


@pytest.mark.parametrize("prefix,expected", [
    ("vpnlab-a.", ["/run/netns/vpnlab-a.inet", "/tmp/my dir/run/netns/vpnlab-a.x",
                   "/var/run/netns/vpnlab-a.vm1"]),
    ("vpnlab-a-b.", ["/run/netns/vpnlab-a-b.inet"]),
    ("vpnlab-c.", []),
])
def test_leaked_mounts(prefix, expected):
    assert leaked_mounts(MOUNTINFO, prefix) == expected


def test_leaked_processes_outside_a_state_dir_that_is_not_the_labs():
    # An unmarked directory is not the lab's: who works in it is none of the lab's business.
    leaks = leaked_processes(PROCS, {NS_A, NS_B}, None, exclude={1, 108, 109})
    assert [pid for pid, dummy, dummy2 in leaks] == [100, 101]


def test_leaked_processes_name_each_reason():
    leaks = leaked_processes(PROCS, {NS_A, NS_B}, STATE, exclude={1, 108, 109})
    assert [(pid, why) for pid, dummy, why in leaks] == [
        (100, "in a lab network namespace"),
        (101, "in a lab network namespace"),
        (105, "has the state dir in its command line"),
        (106, "works in the state dir"),
    ]
    assert leaks[0][1] == "/usr/lib/ipsec/charon"


LAB = {"prefix": "vpnlab-a.", "inodes": {NS_A}, "state_dir": STATE, "exclude": {1, 108, 109}}
CLEAN = {"netns": ["vpnlab-a-b.inet", "vpnlab-b.op", "vpnlab-a-inet"],
         "procs": {1: PROCS[1], 103: PROCS[103]},
         "mountinfo": MOUNT_LINES[0], "routes": []}

LEAKS = [
    ("clean", {}, []),
    ("namespace", {"netns": ["vpnlab-a.inet", "vpnlab-a-b.inet"]}, ["network namespace vpnlab-a.inet"]),
    ("process", {"procs": {100: PROCS[100], 109: PROCS[109]}},
     ["process 100 (/usr/lib/ipsec/charon) in a lab network namespace"]),
    ("mount", {"mountinfo": MOUNT_LINES[1]}, ["mount /run/netns/vpnlab-a.inet"]),
    ("other-labs-mounts", {"mountinfo": "\n".join(MOUNT_LINES[2:4] + MOUNT_LINES[7:])}, []),
    ("route", {"routes": ["10.251.0.0/16"]}, ["host guard route 10.251.0.0/16"]),
    ("routes-unchecked", {"routes": None}, []),
    ("state-dir-user", {"procs": {105: PROCS[105]}},
     ["process 105 (ssh -i %s/id_ed25519 vm1) has the state dir in its command line" % STATE]),
]


@pytest.mark.parametrize("change,expected", [c[1:] for c in LEAKS], ids=[c[0] for c in LEAKS])
def test_detect_leaks(change, expected):
    assert detect_leaks(dict(CLEAN, **change), LAB) == expected


class FakeDriver:
    """A machine in memory: processes die on the signals listed in `dies_on`; `pidfiles` maps
    a pid file's path to the pid in it."""

    def __init__(self, namespaces, procs, dies_on, pidfiles=None):
        self.namespaces = list(namespaces)
        self.procs = dict(procs)
        self.dies_on = dies_on
        self.pidfiles = dict(pidfiles or {})
        self.log = []
        self.clock = 0.0

    def list_netns(self):
        return list(self.namespaces)

    def netns_inode(self, name):
        return {"vpnlab-a.inet": NS_A, "vpnlab-a.vm1": NS_B}.get(name)

    def processes(self):
        return dict(self.procs)

    def alive(self, pid, start):
        return pid in self.procs and self.procs[pid]["start"] == start

    def signal(self, pid, start, sig):
        self.log.append(("signal", pid, sig))
        if sig in self.dies_on.get(pid, ()):
            del self.procs[pid]

    def pidfile_pids(self, pidfiles):
        self.log.append(("pidfiles", list(pidfiles)))
        return [(program, self.pidfiles[path]) for path, program in pidfiles
                if path in self.pidfiles]

    def remove_netns(self, name):
        self.log.append(("remove_netns", name))
        self.namespaces.remove(name)

    def mountinfo(self):
        return ""

    def sleep(self, seconds):
        self.clock += seconds

    def now(self):
        return self.clock


class FakeRoutes:
    def __init__(self, routes):
        self.routes = list(routes)

    def remove(self, check_mode):
        gone = list(self.routes)
        if not check_mode:
            self.routes = []
        return gone

    def remaining(self):
        return list(self.routes)


SSHD_PID = STATE + "/vms/vm1/sshd.pid"
PIDFILES = [(STATE + "/gateways/azure/charon.pid", "charon"), (SSHD_PID, "sshd")]


def half_lab(**extra):
    procs = {100: proc(NS_A, ["/usr/lib/ipsec/charon"]),
             101: proc(NS_B, ["sleep", "300"]),
             102: proc(NS_OTHER, ["/usr/sbin/sshd", "-D"]),
             103: proc(NS_OTHER, ["/usr/bin/vim"])}
    args = dict(namespaces=["vpnlab-a.inet", "vpnlab-a.vm1", "vpnlab-a-b.inet", "vpnlab-ab.op",
                            "other"],
                procs=procs, dies_on={100: [signal.SIGTERM], 101: [signal.SIGKILL],
                                      102: [signal.SIGTERM]},
                pidfiles={SSHD_PID: 102})
    args.update(extra)
    return FakeDriver(**args)


def test_teardown_terms_then_kills_then_removes_namespaces_and_routes():
    driver = half_lab()
    teardown = Teardown(driver, FakeRoutes(["10.251.0.0/16"]), "vpnlab-a.", STATE + "/", PIDFILES)
    removed = teardown.run(check_mode=False)
    assert removed == {"netns": ["vpnlab-a.inet", "vpnlab-a.vm1"], "pids": [100, 101, 102],
                       "routes": ["10.251.0.0/16"]}
    signals = [entry for entry in driver.log if entry[0] == "signal"]
    assert signals == [("signal", 100, signal.SIGTERM), ("signal", 101, signal.SIGTERM),
                       ("signal", 102, signal.SIGTERM), ("signal", 101, signal.SIGKILL)]
    # The survivor got the whole grace period, polled, before SIGKILL.
    assert 3.0 <= driver.clock < 3.2
    first_removal = next(i for i, e in enumerate(driver.log) if e[0] == "remove_netns")
    assert first_removal > driver.log.index(("signal", 101, signal.SIGKILL))
    # Other labs' are left alone, lab a-b's and ab's too.
    assert driver.namespaces == ["vpnlab-a-b.inet", "vpnlab-ab.op", "other"]
    assert ("pidfiles", PIDFILES) in driver.log
    assert teardown.leaks() == []


def test_teardown_of_a_dir_that_is_not_the_labs_reads_no_pid_file():
    # The state dir has no marker (state_dir None): its pid files are not the lab's, but the
    # lab's namespaces, their processes and its routes go all the same.
    driver = half_lab()
    routes = FakeRoutes(["10.251.0.0/16"])
    removed = Teardown(driver, routes, "vpnlab-a.", None, PIDFILES).run(check_mode=False)
    assert removed == {"netns": ["vpnlab-a.inet", "vpnlab-a.vm1"], "pids": [100, 101],
                       "routes": ["10.251.0.0/16"]}
    assert ("pidfiles", []) in driver.log and ("pidfiles", PIDFILES) not in driver.log
    assert 102 in driver.procs and routes.routes == []


def test_teardown_check_mode_changes_nothing():
    driver = half_lab()
    routes = FakeRoutes(["10.251.0.0/16"])
    removed = Teardown(driver, routes, "vpnlab-a.", STATE, PIDFILES).run(check_mode=True)
    assert removed == {"netns": ["vpnlab-a.inet", "vpnlab-a.vm1"], "pids": [100, 101, 102],
                       "routes": ["10.251.0.0/16"]}
    assert [e for e in driver.log if e[0] != "pidfiles"] == [] and routes.routes == ["10.251.0.0/16"]


def test_teardown_of_a_lab_already_gone_does_nothing():
    driver = FakeDriver(["other"], {103: proc()}, {})
    teardown = Teardown(driver, FakeRoutes([]), "vpnlab-a.", STATE, PIDFILES)
    assert teardown.run(check_mode=False) == {"netns": [], "pids": [], "routes": []}
    assert [e for e in driver.log if e[0] != "pidfiles"] == [] and driver.clock == 0.0
    assert teardown.leaks() == []


def test_teardown_reports_a_process_that_survives_sigkill():
    driver = half_lab(dies_on={100: [signal.SIGTERM], 102: [signal.SIGTERM]})  # 101 is stuck
    teardown = Teardown(driver, FakeRoutes([]), "vpnlab-a.", STATE, PIDFILES)
    teardown.run(check_mode=False)
    assert teardown.leaks() == ["process 101 (sleep 300) in a lab network namespace"]

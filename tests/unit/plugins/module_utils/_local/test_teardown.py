# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Teardown logic on fabricated observations: validation, selection, leak detection, and the
order of the steps against a stand-in driver."""

from __future__ import annotations

import signal

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.teardown import (
    DEFAULT_KEEP, Teardown, ancestors, detect_leaks, lab_namespaces, leaked_mounts,
    leaked_processes, mentions_path, mount_points, parse_pid, pidfile_owner_matches,
    prefix_problems, select_targets, split_keep, state_dir_problems,
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


@pytest.mark.parametrize("state_dir,lab,is_link,message", [
    (STATE, "vpntest", False, None),
    ("/tmp/pytest-1/t3f9a", "t3f9a", False, None),
    ("/root", "vpntest", False, "last component must be the lab name"),
    ("/", "vpntest", False, "last component must be the lab name"),
    ("/root/.vpnlab", "vpntest", False, "last component must be the lab name"),
    ("vpntest", "vpntest", False, "must be an absolute path"),
    (STATE, "vpntest", True, "is a symbolic link"),
    ("/root/..", "..", False, "lab='..'"),
    ("/x/a/b", "a/b", False, "lab='a/b'"),
])
def test_state_dir_validation(state_dir, lab, is_link, message):
    problems = state_dir_problems(state_dir, lab, is_link)
    if message is None:
        assert problems == []
    else:
        assert any(message in p for p in problems), problems


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


STATE_ENTRIES = ["report.json", "report.md", "report.html", "id_ed25519", "id_ed25519.pub",
                 "known_hosts", "gateways", "vms", "plan.json", "vpn-connection.json",
                 "report.json.tmp"]


@pytest.mark.parametrize("keep,kept", [
    (DEFAULT_KEEP, ["report.html", "report.json", "report.md"]),
    ([], []),
    (["report.*"], ["report.html", "report.json", "report.json.tmp", "report.md"]),
    (["*.json"], ["plan.json", "report.json", "vpn-connection.json"]),
    (["REPORT.JSON"], []),  # case matters, as on the file system
])
def test_keep_selection(keep, kept):
    got_kept, removed = split_keep(STATE_ENTRIES, keep)
    assert got_kept == kept
    assert sorted(got_kept + removed) == sorted(STATE_ENTRIES)


@pytest.mark.parametrize("text,pid", [
    ("4242\n", 4242), ("4242", 4242), ("  17 \n", 17), ("", None), ("x", None), ("1\n", None),
    ("0", None), ("-5", None), ("12\n13\n", 12), (None, None),
])
def test_parse_pid(text, pid):
    assert parse_pid(text) == pid


@pytest.mark.parametrize("pattern,cmdline,ok", [
    ("gateways/*/charon.pid", ["/usr/lib/ipsec/charon"], True),
    ("gateways/*/charon.pid", ["/usr/sbin/sshd", "-D"], False),
    ("vms/*/sshd.pid", ["/usr/sbin/sshd", "-D", "-f", "/x/sshd_config"], True),
    ("vms/*/sshd.pid", ["sshd: /usr/sbin/sshd -D -f /x/sshd_config [listener] 0 of 10-100"], True),
    ("vms/*/sshd.pid", ["/usr/bin/vim", "/x/sshd.pid"], False),  # a recycled pid
    ("vms/*/sshd.pid", [], False),
    ("other/*.pid", ["/usr/lib/ipsec/charon"], False),
])
def test_pidfile_owner_matches(pattern, cmdline, ok):
    assert pidfile_owner_matches(pattern, cmdline) is ok


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
    ([("gateways/*/charon.pid", 102)], set(), [100, 101, 102, 109]),
    ([("gateways/*/charon.pid", 103)], set(), [100, 101, 109]),      # recycled pid
    ([("vms/*/sshd.pid", 999)], set(), [100, 101, 109]),             # dead
    ([("gateways/*/charon.pid", 1)], set(), [100, 101, 109]),
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


def test_leaked_processes_name_each_reason():
    leaks = leaked_processes(PROCS, {NS_A, NS_B}, STATE, exclude={1, 108, 109})
    assert [(pid, why) for pid, dummy, why in leaks] == [
        (100, "in a lab network namespace"),
        (101, "in a lab network namespace"),
        (105, "has the state dir in its command line"),
        (106, "works in the state dir"),
    ]
    assert leaks[0][1] == "/usr/lib/ipsec/charon"


LAB = {"prefix": "vpnlab-a.", "inodes": {NS_A}, "state_dir": STATE, "keep": DEFAULT_KEEP,
       "exclude": {1, 108, 109}}
CLEAN = {"netns": ["vpnlab-a-b.inet", "vpnlab-b.op", "vpnlab-a-inet"],
         "procs": {1: PROCS[1], 103: PROCS[103]},
         "mountinfo": MOUNT_LINES[0], "routes": [], "files": ["report.json"]}

LEAKS = [
    ("clean", {}, []),
    ("namespace", {"netns": ["vpnlab-a.inet", "vpnlab-a-b.inet"]}, ["network namespace vpnlab-a.inet"]),
    ("process", {"procs": {100: PROCS[100], 109: PROCS[109]}},
     ["process 100 (/usr/lib/ipsec/charon) in a lab network namespace"]),
    ("mount", {"mountinfo": MOUNT_LINES[1]}, ["mount /run/netns/vpnlab-a.inet"]),
    ("other-labs-mounts", {"mountinfo": "\n".join(MOUNT_LINES[2:4] + MOUNT_LINES[7:])}, []),
    ("route", {"routes": ["10.251.0.0/16"]}, ["host guard route 10.251.0.0/16"]),
    ("routes-unchecked", {"routes": None}, []),
    ("file", {"files": ["report.json", "id_ed25519", "gateways"]},
     ["file %s/gateways" % STATE, "file %s/id_ed25519" % STATE]),
    ("state-dir-gone", {"files": []}, []),
]


@pytest.mark.parametrize("change,expected", [c[1:] for c in LEAKS], ids=[c[0] for c in LEAKS])
def test_detect_leaks(change, expected):
    assert detect_leaks(dict(CLEAN, **change), LAB) == expected


class FakeDriver:
    """A machine in memory: processes die on the signals listed in `dies_on`."""

    def __init__(self, namespaces, procs, dies_on, pidfiles=(), entries=()):
        self.namespaces = list(namespaces)
        self.procs = dict(procs)
        self.dies_on = dies_on
        self.pidfiles = list(pidfiles)
        self.entries = list(entries)
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

    def pidfile_pids(self, state_dir):
        return list(self.pidfiles)

    def remove_netns(self, name):
        self.log.append(("remove_netns", name))
        self.namespaces.remove(name)

    def mountinfo(self):
        return ""

    def state_entries(self, state_dir):
        return list(self.entries)

    def is_real_dir(self, path):
        return path.rsplit("/", 1)[1] in ("vms", "gateways")

    def remove_entry(self, path):
        self.log.append(("remove_entry", path))
        self.entries.remove(path.rsplit("/", 1)[1])

    def remove_dir_if_empty(self, path):
        if self.entries:
            return False
        self.log.append(("rmdir", path))
        return True

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


def half_lab(**extra):
    procs = {100: proc(NS_A, ["/usr/lib/ipsec/charon"]),
             101: proc(NS_B, ["sleep", "300"]),
             102: proc(NS_OTHER, ["/usr/sbin/sshd", "-D"]),
             103: proc(NS_OTHER, ["/usr/bin/vim"])}
    args = dict(namespaces=["vpnlab-a.inet", "vpnlab-a.vm1", "vpnlab-a-b.inet", "vpnlab-ab.op",
                            "other"],
                procs=procs, dies_on={100: [signal.SIGTERM], 101: [signal.SIGKILL],
                                      102: [signal.SIGTERM]},
                pidfiles=[("vms/*/sshd.pid", 102)],
                entries=["report.json", "id_ed25519", "vms"])
    args.update(extra)
    return FakeDriver(**args)


def test_teardown_terms_then_kills_then_removes_namespaces_routes_files():
    driver = half_lab()
    teardown = Teardown(driver, FakeRoutes(["10.251.0.0/16"]), "vpnlab-a.", STATE + "/", DEFAULT_KEEP)
    removed = teardown.run(check_mode=False)
    assert removed == {"netns": ["vpnlab-a.inet", "vpnlab-a.vm1"], "pids": [100, 101, 102],
                       "routes": ["10.251.0.0/16"], "files": ["id_ed25519", "vms/"]}
    signals = [entry for entry in driver.log if entry[0] == "signal"]
    assert signals == [("signal", 100, signal.SIGTERM), ("signal", 101, signal.SIGTERM),
                       ("signal", 102, signal.SIGTERM), ("signal", 101, signal.SIGKILL)]
    # The survivor got the whole grace period, polled, before SIGKILL.
    assert 3.0 <= driver.clock < 3.2
    first_removal = next(i for i, e in enumerate(driver.log) if e[0] == "remove_netns")
    assert first_removal > driver.log.index(("signal", 101, signal.SIGKILL))
    # Other labs' are left alone, lab a-b's and ab's too.
    assert driver.namespaces == ["vpnlab-a-b.inet", "vpnlab-ab.op", "other"]
    assert driver.entries == ["report.json"]
    assert teardown.leaks() == []


def test_teardown_removes_the_state_dir_when_nothing_is_kept():
    driver = half_lab()
    removed = Teardown(driver, None, "vpnlab-a.", STATE, []).run(check_mode=False)
    assert removed["files"] == ["id_ed25519", "report.json", "vms/", STATE + "/"]
    assert removed["routes"] == []


def test_teardown_check_mode_changes_nothing():
    driver = half_lab()
    routes = FakeRoutes(["10.251.0.0/16"])
    removed = Teardown(driver, routes, "vpnlab-a.", STATE, DEFAULT_KEEP).run(check_mode=True)
    assert removed == {"netns": ["vpnlab-a.inet", "vpnlab-a.vm1"], "pids": [100, 101, 102],
                       "routes": ["10.251.0.0/16"], "files": ["id_ed25519", "vms/"]}
    assert driver.log == [] and routes.routes == ["10.251.0.0/16"]


def test_teardown_of_a_lab_already_gone_does_nothing():
    driver = FakeDriver(["other"], {103: proc()}, {}, entries=["report.json"])
    teardown = Teardown(driver, FakeRoutes([]), "vpnlab-a.", STATE, DEFAULT_KEEP)
    assert teardown.run(check_mode=False) == {"netns": [], "pids": [], "routes": [], "files": []}
    assert driver.log == [] and driver.clock == 0.0
    assert teardown.leaks() == []


def test_teardown_reports_a_process_that_survives_sigkill():
    driver = half_lab(dies_on={100: [signal.SIGTERM], 102: [signal.SIGTERM]})  # 101 is stuck
    teardown = Teardown(driver, FakeRoutes([]), "vpnlab-a.", STATE, DEFAULT_KEEP)
    teardown.run(check_mode=False)
    assert teardown.leaks() == ["process 101 (sleep 300) in a lab network namespace"]

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""host_guard, local_teardown and lab_state for real, as root, on a throwaway half-built lab.

Everything is named vpnlab-t<random>.*: two namespaces joined by a veth pair (never linked to
the host's namespace), a process inside one, a stand-in `charon` in the host namespace known only
by its pid file (it sends nothing), a state dir carrying the lab's marker, and guard routes in
10.251.0.0/16. Fixtures remove all of it even when a test fails.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.guard import (
    LabRoutes, RouteDriver, guard_metric,
)
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.hostnet import host_networks
from ansible_collections.multicloud.vpnlab.plugins.module_utils.statedir import MARKER, marker_text

pr = pytest.importorskip("pyroute2")
pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("ip"),
                                reason="needs root and iproute2")

GUARDED = "10.251.0.0/16"


def guard_lines(metric):
    out = subprocess.run(["ip", "route", "show", "proto", "222"], capture_output=True, text=True,
                         check=True).stdout
    return [line for line in out.splitlines() if line.split()[-1:] == [str(metric)]
            or " metric %d" % metric in line]


def netns_list(prefix):
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True).stdout
    return sorted(line.split()[0] for line in out.splitlines() if line.startswith(prefix))


def spawn(argv, **kwargs):
    return subprocess.Popen(argv, start_new_session=True, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)


class HalfLab:
    """A lab left half built: namespaces, processes, guard routes and a state dir."""

    def __init__(self, tmp_path):
        self.lab = "t" + secrets.token_hex(4)
        self.prefix = "vpnlab-%s." % self.lab
        self.ns = [self.prefix + "a", self.prefix + "b"]
        self.metric = guard_metric(self.lab)
        self.state_dir = tmp_path / "labs" / self.lab
        self.tmp_path = tmp_path
        self.procs = {}

    def build(self):
        from pyroute2 import IPRoute, netns
        for name in self.ns:
            netns.create(name)
        with IPRoute(netns=self.ns[0]) as ipr:
            ipr.link("add", ifname="va", kind="veth", peer={"ifname": "vb", "net_ns_fd": self.ns[1]})
        self.procs["netns"] = spawn(["ip", "netns", "exec", self.ns[0], "sleep", "300"])
        # A daemon known only by its pid file (its namespace is gone, say): a copy of sleep
        # named charon, doing nothing. And a stale pid file naming an unrelated live process.
        charon = self.tmp_path / "bin" / "charon"
        charon.parent.mkdir()
        shutil.copy(shutil.which("sleep"), charon)
        self.procs["charon"] = spawn([str(charon), "300"])
        self.procs["bystander"] = spawn(["sleep", "300"])
        gw, vm = self.state_dir / "gateways" / "azgw", self.state_dir / "vms" / "vm1"
        gw.mkdir(parents=True)
        vm.mkdir(parents=True)
        self.state_dir.chmod(0o700)
        (self.state_dir / MARKER).write_text(marker_text(self.lab))
        (gw / "charon.pid").write_text("%d\n" % self.procs["charon"].pid)
        (vm / "sshd.pid").write_text("%d\n" % self.procs["bystander"].pid)
        key = self.state_dir / "id_ed25519"
        key.write_text("not a real key\n")
        key.chmod(0o600)
        (self.state_dir / "report.json").write_text(json.dumps({"lab": self.lab}))
        return self

    def teardown_args(self, **extra):
        pidfiles = [{"path": str(self.state_dir / "gateways" / "azgw" / "charon.pid"),
                     "program": "charon"},
                    {"path": str(self.state_dir / "vms" / "vm1" / "sshd.pid"), "program": "sshd"}]
        return dict({"lab": self.lab, "netns_prefix": self.prefix,
                     "state_dir": str(self.state_dir), "pidfiles": pidfiles}, **extra)

    def state_args(self, **extra):
        return dict({"path": str(self.state_dir), "lab": self.lab, "state": "absent"}, **extra)

    def destroy(self):
        """Remove whatever is left, without the module under test."""
        from pyroute2 import netns
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        for name in os.listdir("/run/netns") if os.path.isdir("/run/netns") else []:
            if name.startswith(self.prefix):
                netns.remove(name)
        LabRoutes(self.lab, RouteDriver()).remove(check_mode=False)
        shutil.rmtree(self.state_dir, ignore_errors=True)


@pytest.fixture
def half_lab(tmp_path):
    lab = HalfLab(tmp_path)
    try:
        yield lab.build()
    finally:
        lab.destroy()
    assert netns_list(lab.prefix) == [] and guard_lines(lab.metric) == []


@pytest.fixture
def guard_lab():
    lab = "t" + secrets.token_hex(4)
    try:
        yield lab
    finally:
        LabRoutes(lab, RouteDriver()).remove(check_mode=False)


def add_guard(run_module, lab, *options):
    return run_module("multicloud.vpnlab.host_guard", {"lab": lab, "routes": [GUARDED]}, *options)


def test_host_guard_present_and_absent_are_idempotent(run_module, guard_lab):
    metric = guard_metric(guard_lab)
    rc, result, out = add_guard(run_module, guard_lab, "--check", "--diff")
    assert rc == 0 and result["changed"] is True and result["added"] == [GUARDED], out
    assert result["diff"]["after"] == GUARDED + "\n" and guard_lines(metric) == []

    rc, result, out = add_guard(run_module, guard_lab)
    assert rc == 0 and result["changed"] is True and result["routes"] == [GUARDED], out
    assert result["metric"] == metric
    lines = guard_lines(metric)
    assert len(lines) == 1 and lines[0].startswith("unreachable %s" % GUARDED), lines

    rc, result, out = add_guard(run_module, guard_lab)
    assert rc == 0 and result["changed"] is False and result["routes"] == [GUARDED], out

    for changed in (True, False):
        rc, result, out = run_module("multicloud.vpnlab.host_guard",
                                     {"lab": guard_lab, "state": "absent"})
        assert rc == 0 and result["changed"] is changed and result["routes"] == [], out
        assert guard_lines(metric) == []


def test_two_labs_guard_the_same_range_each_with_its_own_route(run_module, guard_lab):
    other = "t" + secrets.token_hex(4)
    try:
        for lab in (guard_lab, other):
            assert add_guard(run_module, lab)[0] == 0
        rc, result, out = run_module("multicloud.vpnlab.host_guard", {"lab": other, "state": "absent"})
        assert rc == 0 and result["removed"] == [GUARDED], out
        assert guard_lines(guard_metric(other)) == [] and len(guard_lines(guard_metric(guard_lab))) == 1
    finally:
        LabRoutes(other, RouteDriver()).remove(check_mode=False)


def test_host_guard_refuses_the_hosts_own_networks(run_module, guard_lab):
    own = [n for n in host_networks() if not n.startswith("127.")]
    if not own:
        pytest.skip("the host has no non-loopback IPv4 network")
    # --check as well: should the refusal ever break, nothing is added to the host.
    rc, result, out = run_module("multicloud.vpnlab.host_guard",
                                 {"lab": guard_lab, "routes": [own[0]]}, "--check")
    assert rc != 0 and "refusing to guard ranges the host itself uses" in result["msg"], out


def test_teardown_removes_a_half_built_lab_and_leaves_the_report(run_module, half_lab):
    assert add_guard(run_module, half_lab.lab)[0] == 0
    assert len(guard_lines(half_lab.metric)) == 1 and netns_list(half_lab.prefix) == half_lab.ns

    rc, result, out = run_module("multicloud.vpnlab.local_teardown", half_lab.teardown_args())
    assert rc == 0 and result["changed"] is True and result["leaks"] == [], out
    assert result["state_dir_owned"] is True
    removed = result["removed"]
    assert removed["netns"] == half_lab.ns
    assert set(removed["pids"]) == {half_lab.procs["netns"].pid, half_lab.procs["charon"].pid}
    assert removed["routes"] == [GUARDED]

    assert netns_list(half_lab.prefix) == []
    assert half_lab.procs["netns"].wait(timeout=5) == -signal.SIGTERM
    assert half_lab.procs["charon"].wait(timeout=5) == -signal.SIGTERM
    assert half_lab.procs["bystander"].poll() is None, "a stale pid file's process was killed"
    assert guard_lines(half_lab.metric) == []
    # The files are the state step's: local_teardown deletes none.
    assert sorted(os.listdir(half_lab.state_dir)) == [MARKER, "gateways", "id_ed25519",
                                                      "report.json", "vms"]

    rc, result, out = run_module("multicloud.vpnlab.lab_state", half_lab.state_args())
    assert rc == 0 and result["changed"] is True, out
    assert result["removed"] == ["gateways/", "id_ed25519", "vms/"]
    assert result["kept"] == ["report.json"] and result["left"] == []
    assert sorted(os.listdir(half_lab.state_dir)) == [MARKER, "report.json"]
    assert half_lab.state_dir.stat().st_mode & 0o777 == 0o700

    for module, args in (("local_teardown", half_lab.teardown_args()),
                         ("lab_state", half_lab.state_args())):
        rc, result, out = run_module("multicloud.vpnlab." + module, args)
        assert rc == 0 and result["changed"] is False, out
    assert result["removed"] == [] and result["kept"] == ["report.json"]


def test_state_without_keep_removes_the_state_dir(run_module, half_lab):
    rc, result, out = run_module("multicloud.vpnlab.lab_state", half_lab.state_args(keep=[]))
    assert rc == 0 and result["changed"] is True, out
    assert result["removed"][-2:] == [MARKER, str(half_lab.state_dir) + "/"]
    assert not half_lab.state_dir.exists()


def test_teardown_check_mode_reports_and_removes_nothing(run_module, half_lab):
    assert add_guard(run_module, half_lab.lab)[0] == 0
    rc, result, out = run_module("multicloud.vpnlab.local_teardown", half_lab.teardown_args(), "--check")
    assert rc == 0 and result["changed"] is True and result["leaks"] == [], out
    assert result["removed"] == {
        "netns": half_lab.ns, "routes": [GUARDED],
        "pids": sorted([half_lab.procs["netns"].pid, half_lab.procs["charon"].pid])}
    rc, result, out = run_module("multicloud.vpnlab.lab_state", half_lab.state_args(), "--check")
    assert rc == 0 and result["removed"] == ["gateways/", "id_ed25519", "vms/"], out
    assert netns_list(half_lab.prefix) == half_lab.ns
    assert all(p.poll() is None for p in half_lab.procs.values())
    assert len(guard_lines(half_lab.metric)) == 1
    assert (half_lab.state_dir / "id_ed25519").exists()


def test_teardown_of_an_unmarked_state_dir_removes_the_lab_but_no_file(run_module, half_lab):
    # A state dir without the marker is not the lab's (VPNLAB_HOME=~ and a lab named like a
    # directory of the user's): its files stay, and so does the process its pid file names,
    # but the lab's own namespaces, their processes and its guard routes go.
    (half_lab.state_dir / MARKER).unlink()
    before = sorted(str(p) for p in half_lab.state_dir.rglob("*"))
    assert add_guard(run_module, half_lab.lab)[0] == 0

    rc, result, out = run_module("multicloud.vpnlab.local_teardown", half_lab.teardown_args())
    assert rc == 0 and result["state_dir_owned"] is False and result["leaks"] == [], out
    assert result["removed"]["netns"] == half_lab.ns and result["removed"]["routes"] == [GUARDED]
    assert result["removed"]["pids"] == [half_lab.procs["netns"].pid]
    assert half_lab.procs["charon"].poll() is None
    assert netns_list(half_lab.prefix) == [] and guard_lines(half_lab.metric) == []

    rc, result, out = run_module("multicloud.vpnlab.lab_state", half_lab.state_args())
    assert rc != 0 and "has no .vpnlab-lab marker" in result["msg"], out
    assert "Nothing was deleted." in result["msg"]
    assert sorted(str(p) for p in half_lab.state_dir.rglob("*")) == before


@pytest.mark.parametrize("prefix", ["vpnlab-", "vpnlab-.", "vpnlab-x", "vpnlab-a-", "vpnlab-a..",
                                    "vpnlab-../x.", "lab-", "vpnlab--", "vpnlab-x."])
def test_teardown_refuses_a_prefix_that_could_match_foreign_namespaces(run_module, half_lab, prefix):
    # --check too: should the refusal ever break, nothing is removed.
    rc, result, out = run_module("multicloud.vpnlab.local_teardown",
                                 half_lab.teardown_args(netns_prefix=prefix), "--check")
    assert rc != 0 and "netns_prefix=" in result["msg"], out
    assert netns_list(half_lab.prefix) == half_lab.ns


@pytest.mark.parametrize("form", ["vpnlab-%s-", "vpnlab-%s", "vpnlab-%s.x."])
def test_teardown_refuses_a_prefix_other_than_the_labs(run_module, half_lab, form):
    # The old '-' form (would also match lab <lab>-x's namespaces), a bare name, another lab's.
    prefix = form % half_lab.lab
    rc, result, out = run_module("multicloud.vpnlab.local_teardown",
                                 half_lab.teardown_args(netns_prefix=prefix), "--check")
    assert rc != 0 and "netns_prefix=%r" % prefix in result["msg"], out
    assert netns_list(half_lab.prefix) == half_lab.ns


def test_teardown_refuses_a_relative_state_dir(run_module, half_lab):
    rc, result, out = run_module("multicloud.vpnlab.local_teardown",
                                 half_lab.teardown_args(state_dir="labs/" + half_lab.lab),
                                 "--check")
    assert rc != 0 and "must be an absolute path" in result["msg"], out
    assert netns_list(half_lab.prefix) == half_lab.ns

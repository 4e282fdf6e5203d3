# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The probe module: real runs through Ansible against 127.0.0.0/8 only, and run_probes with a
stand-in run_command for what loopback cannot show (parallel runs, timeouts, tools that fail)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils.probe import MEASUREMENT_KEYS
from ansible_collections.multicloud.vpnlab.plugins.modules import probe as probe_module

ROOT = Path(__file__).resolve().parents[4]
BIN = Path(sys.executable).parent
FIXTURES = ROOT / "tests/unit/plugins/module_utils/fixtures"
# The VMs run modules on the system Python with the standard library only; do the same.
VM_PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
LOOPBACK_TARGETS = [
    {"dst": "vm-a", "dst_ip": "127.0.0.1", "path": "private"},
    {"dst": "vm-b", "dst_ip": "127.0.0.2", "path": "public"},
]
needs_tools = pytest.mark.skipif(not (shutil.which("mtr") and shutil.which("ping")),
                                 reason="mtr and ping are not installed")


def run_play(tmp_path, args, *options, environment=None):
    """Run the module in a one-task playbook; return (rc, task result, raw output)."""
    task = {"multicloud.vpnlab.probe": args}
    if environment:
        task["environment"] = environment
    play = [{"hosts": "localhost", "gather_facts": False,
             "vars": {"ansible_python_interpreter": VM_PYTHON}, "tasks": [task]}]
    playbook = tmp_path / "play.yml"
    playbook.write_text(json.dumps(play))
    env = dict(os.environ, PATH="%s:%s" % (BIN, os.environ.get("PATH", "")),
               ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_STDOUT_CALLBACK="ansible.builtin.json")
    proc = subprocess.run([str(BIN / "ansible-playbook"), str(playbook), *options], check=False,
                          capture_output=True, text=True, env=env, timeout=180, cwd=tmp_path)
    try:
        result = json.loads(proc.stdout)["plays"][0]["tasks"][0]["hosts"]["localhost"]
    except (ValueError, KeyError, IndexError):
        result = None
    return proc.returncode, result, proc.stdout + proc.stderr


@needs_tools
@pytest.mark.parametrize("options", [(), ("--check",)])
def test_real_probes_over_loopback(tmp_path, options):
    rc, result, output = run_play(
        tmp_path, {"src": "vm-x", "targets": LOOPBACK_TARGETS, "count": 3, "interval": 0.2},
        *options)
    assert rc == 0, output
    assert result["changed"] is False
    measurements = result["measurements"]
    assert [(m["dst"], m["path"], m["tool"]) for m in measurements] == [
        ("vm-a", "private", "mtr"), ("vm-a", "private", "ping"),
        ("vm-b", "public", "mtr"), ("vm-b", "public", "ping")]
    for m in measurements:
        assert set(m) == set(MEASUREMENT_KEYS)
        assert (m["src"], m["sent"], m["received"], m["loss_pct"], m["error"]) == \
            ("vm-x", 3, 3, 0.0, None), m
        assert all(isinstance(m[k], float) for k in ("rtt_min_ms", "rtt_avg_ms", "rtt_max_ms"))
        assert m["rtt_min_ms"] <= m["rtt_avg_ms"] <= m["rtt_max_ms"]
    assert measurements[0]["hops"] == [
        {"hop": 1, "host": "127.0.0.1", "loss_pct": 0.0, "avg_ms": measurements[0]["rtt_avg_ms"]}]
    assert measurements[1]["hops"] is None
    assert isinstance(result["elapsed_s"], float)


@needs_tools
def test_missing_tool_names_the_package(tmp_path):
    rc, result, output = run_play(
        tmp_path, {"targets": LOOPBACK_TARGETS, "tools": ["mtr"], "count": 1},
        environment={"PATH": str(tmp_path / "empty")})
    assert rc != 0, output
    assert result["failed"] is True
    assert "mtr is not installed" in result["msg"] and "mtr-tiny" in result["msg"]


@needs_tools
@pytest.mark.parametrize("args, message", [
    ({"targets": [{"dst": "vm-a", "dst_ip": "-f", "path": "private"}]}, "not an IP address"),
    ({"targets": LOOPBACK_TARGETS, "tools": ["traceroute"]}, "value of tools must be one or more of: mtr, ping"),
    ({"targets": [{"dst": "vm-a", "dst_ip": "127.0.0.1", "path": "vpn"}]},
     "value of path must be one of"),
    ({"targets": LOOPBACK_TARGETS, "count": 0}, "count must be at least 1"),
])
def test_bad_arguments_fail_before_probing(tmp_path, args, message):
    rc, result, output = run_play(tmp_path, args)
    assert rc != 0 and message in result["msg"], output


# --- run_probes with a stand-in run_command ---------------------------------------------------

class Exited(Exception):
    pass


class Failed(Exception):
    pass


class FakeModule:
    """Answers run_command from the captured fixtures by tool and destination."""

    def __init__(self, bins=None, barrier=None, **params):
        self.params = dict(tools=["mtr", "ping"], count=10, interval=0.2, timeout=None,
                           src="vm1", targets=[], mtu=0)
        self.params.update(params)
        self.bins = {"mtr": "/usr/bin/mtr", "ping": "/usr/bin/ping"} if bins is None else bins
        self.bins.setdefault("timeout", "/usr/bin/timeout")
        self.outputs, self.calls, self.barrier = {}, [], barrier

    def get_bin_path(self, name, required=False):
        return self.bins.get(name)

    def run_command(self, cmd, environ_update=None):
        assert environ_update == {"LC_ALL": "C"}
        assert cmd[:2] == ["/usr/bin/timeout", "--kill-after=5"]
        tool, dst = os.path.basename(cmd[3]), cmd[-1]
        if "-M" in cmd:  # a Don't-Fragment ping of the MTU check
            tool = "ping-df"
        self.calls.append((tool, dst, float(cmd[2])))
        if self.barrier is not None:
            # Every probe must be running at once for all of them to pass the barrier.
            self.barrier.wait()
        outcome = self.outputs[(tool, dst)]
        if isinstance(outcome, OSError):
            raise outcome
        return outcome

    def fail_json(self, **result):
        raise Failed(result)

    def exit_json(self, **result):
        raise Exited(result)


def fixture(name):
    return (FIXTURES / name).read_text()


def run(module):
    with pytest.raises(Exited) as done:
        probe_module.run_probes(module)
    return done.value.args[0]


VM_TARGETS = [
    {"dst": "vm3", "dst_ip": "10.2.1.10", "path": "private"},
    {"dst": "vm2", "dst_ip": "10.1.1.20", "path": "private"},
    {"dst": "vm3", "dst_ip": "203.0.113.10", "path": "public"},
]


def test_all_probes_run_at_the_same_time(tmp_path):
    module = FakeModule(targets=VM_TARGETS, barrier=threading.Barrier(6, timeout=10))
    for target in VM_TARGETS:
        module.outputs[("mtr", target["dst_ip"])] = (0, fixture("mtr_ok_loopback.json"), "")
        module.outputs[("ping", target["dst_ip"])] = (0, fixture("ping_ok.txt"), "")
    result = run(module)
    assert len(module.calls) == 6 and not module.barrier.broken
    assert [(m["dst"], m["path"], m["tool"]) for m in result["measurements"]] == [
        ("vm2", "private", "mtr"), ("vm2", "private", "ping"), ("vm3", "private", "mtr"),
        ("vm3", "private", "ping"), ("vm3", "public", "mtr"), ("vm3", "public", "ping")]
    assert result["changed"] is False
    assert {c[2] for c in module.calls} == {10 * 0.2 + 30}


def test_failures_become_lost_measurements_with_an_error():
    module = FakeModule(targets=VM_TARGETS, count=10, timeout=5)
    module.outputs.update({
        ("mtr", "10.2.1.10"): (0, fixture("mtr_multihop_lost.json"), ""),
        ("ping", "10.2.1.10"): (124, "", ""),
        ("mtr", "10.1.1.20"): (1, fixture("mtr_send_error.json"), "mtr: Permission denied\n"),
        ("ping", "10.1.1.20"): OSError(13, "Permission denied"),
        ("mtr", "203.0.113.10"): (0, "{", ""),
        ("ping", "203.0.113.10"): (1, fixture("ping_errors.txt").replace("127.0.0.4", "203.0.113.10"), ""),
    })
    result = run(module)
    errors = {(m["dst_ip"], m["tool"]): m["error"] for m in result["measurements"]}
    assert errors == {
        ("10.1.1.20", "mtr"): "mtr exited with 1: mtr: Permission denied",
        ("10.1.1.20", "ping"): "ping could not be started: [Errno 13] Permission denied",
        ("10.2.1.10", "mtr"): None,
        ("10.2.1.10", "ping"): "ping timed out and was killed",
        ("203.0.113.10", "mtr"): "mtr: not mtr --json output: '{'",
        ("203.0.113.10", "ping"): None,
    }
    for m in result["measurements"]:
        assert (m["sent"], m["received"], m["loss_pct"], m["rtt_avg_ms"]) == (10, 0, 100.0, None)
    assert {c[2] for c in module.calls} == {5.0}


def test_only_requested_tools_run_and_the_missing_one_is_named():
    module = FakeModule(targets=VM_TARGETS[:1], tools=["ping", "ping"], bins={"ping": "/bin/ping"})
    module.outputs[("ping", "10.2.1.10")] = (0, fixture("ping_ok.txt"), "")
    result = run(module)
    assert [m["tool"] for m in result["measurements"]] == ["ping"]
    assert [c[:2] for c in module.calls] == [("ping", "10.2.1.10")]
    missing = FakeModule(targets=VM_TARGETS, bins={"ping": "/bin/ping"})
    with pytest.raises(Failed) as failed:
        probe_module.run_probes(missing)
    assert "install the mtr-tiny package" in failed.value.args[0]["msg"]
    assert missing.calls == []


# What iputils ping printed here (stdout; rc 1) for a 1401-byte DF ping through the lab's tunnel.
TOO_BIG = """PING 10.1.1.20 (10.1.1.20) 1373(1401) bytes of data.

--- 10.1.1.20 ping statistics ---
3 packets transmitted, 0 received, +3 errors, 100% packet loss, time 404ms

"""


def test_mtu_checks_run_df_pings_to_private_targets_only():
    module = FakeModule(targets=VM_TARGETS, tools=["ping"], mtu=1400,
                        barrier=threading.Barrier(5, timeout=10))
    for target in VM_TARGETS:
        module.outputs[("ping", target["dst_ip"])] = (0, fixture("ping_ok.txt"), "")
    module.outputs[("ping-df", "10.2.1.10")] = (0, fixture("ping_ok.txt").replace("127.0.0.1", "10.2.1.10"), "")
    module.outputs[("ping-df", "10.1.1.20")] = (1, TOO_BIG, "ping: local error: message too long, mtu=1400\n" * 3)
    result = run(module)
    assert len(module.calls) == 5 and not module.barrier.broken
    checks = {c["dst_ip"]: c for c in result["mtu_checks"]}
    assert set(checks) == {"10.2.1.10", "10.1.1.20"}
    assert checks["10.1.1.20"]["ok"] is False and checks["10.1.1.20"]["size"] == 1400
    assert (checks["10.1.1.20"]["sent"], checks["10.1.1.20"]["received"]) == (3, 0)
    assert checks["10.2.1.10"]["ok"] is True
    assert all(c["src"] == "vm1" for c in result["mtu_checks"])
    assert len(result["measurements"]) == 3

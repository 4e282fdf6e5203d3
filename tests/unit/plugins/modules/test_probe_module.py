# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The probe module in this process: argument checks, missing tools, and run_command answered
from captured mtr/ping output for what loopback cannot show (parallel runs, timeouts, tools that
fail, DF pings). Real probes over loopback through ansible-playbook: tests/integration/test_probe_cli.py."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.multicloud.vpnlab.plugins.modules import probe

FIXTURES = Path(__file__).resolve().parents[1] / "module_utils" / "fixtures"
LOOPBACK_TARGETS = [
    {"dst": "vm-a", "dst_ip": "127.0.0.1", "path": "private"},
    {"dst": "vm-b", "dst_ip": "127.0.0.2", "path": "public"},
]
VM_TARGETS = [
    {"dst": "vm3", "dst_ip": "10.2.1.10", "path": "private"},
    {"dst": "vm2", "dst_ip": "10.1.1.20", "path": "private"},
    {"dst": "vm3", "dst_ip": "203.0.113.10", "path": "public"},
]


class Runner:
    """Stands in for AnsibleModule.run_command: answers from the captured fixtures by tool and destination."""

    def __init__(self, bindir):
        self.bindir, self.outputs, self.calls, self.barrier = bindir, {}, [], None

    def __call__(self, cmd, **kwargs):
        assert kwargs == {"environ_update": {"LC_ALL": "C"}}
        assert cmd[:2] == [str(self.bindir / "timeout"), "--kill-after=5"]
        assert os.path.dirname(cmd[3]) == str(self.bindir)
        tool, dst = os.path.basename(cmd[3]), cmd[-1]
        if "-M" in cmd:  # a Don't-Fragment ping of the MTU check
            tool = "ping-df"
        if tool == "iperf3":
            dst = cmd[cmd.index("--client") + 1]
        self.calls.append((tool, dst, float(cmd[2])))
        if self.barrier is not None:
            # Every probe must be running at once for all of them to pass the barrier.
            self.barrier.wait()
        outcome = self.outputs[(tool, dst)]
        if callable(outcome):
            outcome = outcome(cmd)
        if isinstance(outcome, list):  # one answer per call, in order
            outcome = outcome.pop(0)
        if isinstance(outcome, OSError):
            raise outcome
        return outcome


@pytest.fixture
def tools(tmp_path, monkeypatch):
    """tools(*names): PATH holds only these programs (stubs never run) and run_command is a Runner."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    runner = Runner(bindir)
    monkeypatch.setattr(AnsibleModule, "run_command", lambda module, cmd, **kwargs: runner(cmd, **kwargs))

    def install(*names):
        for name in names:
            stub = bindir / name
            stub.write_text("#!/bin/sh\nexit 99\n")
            stub.chmod(0o755)
        monkeypatch.setenv("PATH", str(bindir))
        return runner
    return install


def fixture(name):
    return (FIXTURES / name).read_text()


def test_all_probes_run_at_the_same_time(run_module, tools):
    runner = tools("mtr", "ping", "timeout")
    runner.barrier = threading.Barrier(6, timeout=10)
    for target in VM_TARGETS:
        runner.outputs[("mtr", target["dst_ip"])] = (0, fixture("mtr_ok_loopback.json"), "")
        runner.outputs[("ping", target["dst_ip"])] = (0, fixture("ping_ok.txt"), "")
    result = run_module(probe, {"src": "vm1", "targets": VM_TARGETS, "remeasure": 0})
    assert "failed" not in result, result.get("msg")
    assert len(runner.calls) == 6 and not runner.barrier.broken
    assert [(m["dst"], m["path"], m["tool"]) for m in result["measurements"]] == [
        ("vm2", "private", "mtr"), ("vm2", "private", "ping"), ("vm3", "private", "mtr"),
        ("vm3", "private", "ping"), ("vm3", "public", "mtr"), ("vm3", "public", "ping")]
    assert result["changed"] is False
    assert result["mtu_checks"] == [] and result["throughput"] == []
    assert {c[2] for c in runner.calls} == {10 * 0.2 + 30}


def test_failures_become_lost_measurements_with_an_error(run_module, tools):
    runner = tools("mtr", "ping", "timeout")
    runner.outputs.update({
        ("mtr", "10.2.1.10"): (0, fixture("mtr_multihop_lost.json"), ""),
        ("ping", "10.2.1.10"): (124, "", ""),
        ("mtr", "10.1.1.20"): (1, fixture("mtr_send_error.json"), "mtr: Permission denied\n"),
        ("ping", "10.1.1.20"): OSError(13, "Permission denied"),
        ("mtr", "203.0.113.10"): (0, "{", ""),
        ("ping", "203.0.113.10"): (1, fixture("ping_errors.txt").replace("127.0.0.4", "203.0.113.10"), ""),
    })
    result = run_module(probe, {"src": "vm1", "targets": VM_TARGETS, "count": 10, "timeout": 5})
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
    assert {c[2] for c in runner.calls} == {5.0}


def test_only_requested_tools_run_and_the_missing_one_is_named(run_module, tools):
    runner = tools("ping", "timeout")
    runner.outputs[("ping", "10.2.1.10")] = (0, fixture("ping_ok.txt"), "")
    result = run_module(probe, {"src": "vm1", "targets": VM_TARGETS[:1], "tools": ["ping", "ping"],
                                "remeasure": 0})
    assert [m["tool"] for m in result["measurements"]] == ["ping"]
    assert [c[:2] for c in runner.calls] == [("ping", "10.2.1.10")]
    runner.calls.clear()
    missing = run_module(probe, {"src": "vm1", "targets": VM_TARGETS})
    assert missing["failed"] is True
    assert "install the mtr-tiny package" in missing["msg"]
    assert runner.calls == []


def test_missing_tool_names_the_package(run_module, tools):
    runner = tools()
    result = run_module(probe, {"targets": LOOPBACK_TARGETS, "tools": ["mtr"], "count": 1})
    assert result["failed"] is True
    assert "mtr is not installed" in result["msg"] and "mtr-tiny" in result["msg"]
    assert runner.calls == []


@pytest.mark.parametrize("args, message", [
    ({"targets": [{"dst": "vm-a", "dst_ip": "-f", "path": "private"}]}, "not an IP address"),
    ({"targets": LOOPBACK_TARGETS, "tools": ["traceroute"]}, "value of tools must be one or more of: mtr, ping"),
    ({"targets": [{"dst": "vm-a", "dst_ip": "127.0.0.1", "path": "vpn"}]},
     "value of path must be one of"),
    ({"targets": LOOPBACK_TARGETS, "count": 0}, "count must be at least 1"),
])
def test_bad_arguments_fail_before_probing(run_module, tools, args, message):
    runner = tools("mtr", "ping", "timeout")
    result = run_module(probe, args)
    assert result["failed"] is True and message in result["msg"], result
    assert runner.calls == []


# What iputils ping printed here (stdout; rc 1) for a 1401-byte DF ping through the lab's tunnel.
TOO_BIG = """PING 10.1.1.20 (10.1.1.20) 1373(1401) bytes of data.

--- 10.1.1.20 ping statistics ---
3 packets transmitted, 0 received, +3 errors, 100% packet loss, time 404ms

"""


def ping_of(dst, sent, received):
    """iputils ping output for `dst` with the first `received` of `sent` echoes answered."""
    lines = ["PING %s (%s) 56(84) bytes of data." % (dst, dst)]
    lines += ["64 bytes from %s: icmp_seq=%d ttl=62 time=1.%d ms" % (dst, seq, seq)
              for seq in range(1, received + 1)]
    lines += ["", "--- %s ping statistics ---" % dst,
              "%d packets transmitted, %d received, %g%% packet loss, time 900ms"
              % (sent, received, 100.0 * (sent - received) / sent)]
    if received:
        lines.append("rtt min/avg/max/mdev = 1.1/1.2/1.3/0.1 ms")
    return "\n".join(lines) + "\n"


def df_path(real_mtu):
    """Answers DF pings like a path whose MTU is `real_mtu`: too big gets no reply."""
    def answer(cmd):
        size = int(cmd[cmd.index("-s") + 1]) + 28
        return (0, ping_of(cmd[-1], 3, 3), "") if size <= real_mtu else (1, TOO_BIG, "")
    return answer


def test_mtu_checks_find_the_largest_df_packet_on_tunnel_paths_only(run_module, tools):
    runner = tools("ping", "timeout")
    targets = [dict(VM_TARGETS[0], tunnel=True), VM_TARGETS[1], VM_TARGETS[2],
               {"dst": "vm4", "dst_ip": "10.2.1.11", "path": "private", "tunnel": True}]
    for target in targets:
        runner.outputs[("ping", target["dst_ip"])] = (0, ping_of(target["dst_ip"], 10, 10), "")
    runner.outputs[("ping-df", "10.2.1.10")] = df_path(1400)
    runner.outputs[("ping-df", "10.2.1.11")] = df_path(1380)
    result = run_module(probe, {"src": "vm1", "targets": targets, "tools": ["ping"], "mtu": 1400})
    checks = {c["dst_ip"]: c for c in result["mtu_checks"]}
    assert set(checks) == {"10.2.1.10", "10.2.1.11"}
    assert checks["10.2.1.10"] == {"src": "vm1", "dst": "vm3", "dst_ip": "10.2.1.10", "size": 1400,
                                   "largest": 1400, "ok": True,
                                   "tried": [[1400, True], [1401, False]], "error": None}
    assert (checks["10.2.1.11"]["largest"], checks["10.2.1.11"]["ok"]) == (1380, False)
    assert [m["remeasured"] for m in result["measurements"]] == [None] * 4


def test_a_lossy_probe_is_measured_again_after_the_others(run_module, tools):
    runner = tools("mtr", "ping", "timeout")
    runner.outputs[("ping", "10.2.1.10")] = [(1, ping_of("10.2.1.10", 10, 9), ""),
                                             (0, ping_of("10.2.1.10", 10, 10), "")]
    runner.outputs[("ping", "10.1.1.20")] = [(1, ping_of("10.1.1.20", 10, 0), ""),
                                             (1, ping_of("10.1.1.20", 10, 0), "")]
    runner.outputs[("ping", "203.0.113.10")] = (0, ping_of("203.0.113.10", 10, 10), "")
    result = run_module(probe, {"src": "vm1", "targets": VM_TARGETS, "tools": ["ping"]})
    found = {m["dst_ip"]: m for m in result["measurements"]}
    assert [c[1] for c in runner.calls].count("10.2.1.10") == 2
    assert [c[1] for c in runner.calls].count("203.0.113.10") == 1
    # The first run stays the measurement; the second is beside it.
    assert (found["10.2.1.10"]["received"], found["10.2.1.10"]["remeasured"]["received"]) == (9, 10)
    assert found["10.2.1.10"]["remeasured"]["loss_pct"] == 0.0
    assert "hops" not in found["10.2.1.10"]["remeasured"]
    assert found["10.1.1.20"]["remeasured"]["received"] == 0
    assert found["203.0.113.10"]["remeasured"] is None
    # Re-measured only after every first run was done.
    assert [c[1] for c in runner.calls][3:] in (["10.2.1.10", "10.1.1.20"], ["10.1.1.20", "10.2.1.10"])


def test_throughput_runs_iperf3_to_each_target_in_turn(run_module, tools):
    runner = tools("ping", "timeout", "iperf3")
    ok = fixture("iperf3_ok.json").replace("127.0.0.1", "10.2.1.10")
    refused = fixture("iperf3_refused.json")
    busy = '{"start": {}, "intervals": [], "end": {}, "error": "the server is busy running a test. try again later"}'
    runner.outputs[("iperf3", "10.2.1.10")] = [(0, refused, ""), (0, busy, ""), (0, ok, "")]
    runner.outputs[("iperf3", "203.0.113.10")] = (0, "", "iperf3: error - unable to send control message")
    result = run_module(probe, {"src": "vm1", "targets": [], "tools": ["ping"],
                                "throughput": [VM_TARGETS[0], dict(VM_TARGETS[2], port=5202)],
                                "throughput_seconds": 2})
    private, public = result["throughput"]
    assert (private["dst"], private["path"], private["port"], private["error"],
            private["retransmits"]) == ("vm3", "private", 5201, None, 7)
    assert public["port"] == 5202
    assert private["mbps"] > 1000
    assert public["mbps"] is None
    assert public["error"] == "iperf3 exited with 0: iperf3: error - unable to send control message"
    assert [c[:2] for c in runner.calls] == [("iperf3", "10.2.1.10")] * 3 + [("iperf3", "203.0.113.10")]
    assert {c[2] for c in runner.calls} == {17.0}


def test_tracepath_runs_through_the_registry_and_lands_under_its_name(run_module, tools):
    """An opt-in tool of the registry runs like the others, on every target at once, is not
    measured again (it measures no loss) and comes back under its own name in `tool_results`; it
    gets its own time limit (its silent hops take seconds each)."""
    runner = tools("ping", "tracepath", "timeout")
    runner.barrier = threading.Barrier(6, timeout=10)
    for target in VM_TARGETS:
        runner.outputs[("ping", target["dst_ip"])] = (0, fixture("ping_ok.txt").replace("127.0.0.1", target["dst_ip"]), "")
        runner.outputs[("tracepath", target["dst_ip"])] = (0, fixture("tracepath_noreply.txt"), "")
    runner.outputs[("tracepath", "10.1.1.20")] = (0, fixture("tracepath_reached.txt"), "")
    result = run_module(probe, {"src": "vm1", "targets": VM_TARGETS, "tools": ["ping", "tracepath"]})
    assert "failed" not in result, result.get("msg")
    assert [m["tool"] for m in result["measurements"]] == ["ping"] * 3
    traces = result["tool_results"]["tracepath"]
    assert [(t["dst"], t["path"], t["tool"], t["reached"], t["too_many_hops"], t["error"]) for t in traces] == [
        ("vm2", "private", "tracepath", True, False, None), ("vm3", "private", "tracepath", False, True, None),
        ("vm3", "public", "tracepath", False, True, None)]
    assert traces[0]["src"] == "vm1" and traces[0]["dst_ip"] == "10.1.1.20" and traces[0]["pmtu"] == 1500
    # 6 runs at once, none again: a trace that did not reach (no loss_pct) is not a lossy probe.
    assert len(runner.calls) == 6 and not runner.barrier.broken
    assert {c[2] for c in runner.calls if c[0] == "tracepath"} == {10 * 3.5 + 30}


def test_without_tracepath_results_are_empty_and_a_missing_one_names_its_package(run_module, tools):
    runner = tools("ping", "timeout")
    runner.outputs[("ping", "10.2.1.10")] = (0, fixture("ping_ok.txt"), "")
    result = run_module(probe, {"src": "vm1", "targets": VM_TARGETS[:1], "tools": ["ping"], "remeasure": 0})
    assert result["tool_results"] == {}
    missing = run_module(probe, {"src": "vm1", "targets": VM_TARGETS[:1], "tools": ["tracepath"]})
    assert missing["failed"] is True
    assert "tracepath is not installed" in missing["msg"] and "iputils-tracepath" in missing["msg"]

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The probe module through ansible-playbook, on the system Python as on the VMs, with real mtr
and ping against 127.0.0.0/8 only. Its logic is tested in process:
tests/unit/plugins/modules/test_probe_module.py."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils.probe import MEASUREMENT_KEYS

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# The VMs run modules on the system Python with the standard library only; do the same.
VM_PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
LOOPBACK_TARGETS = [
    {"dst": "vm-a", "dst_ip": "127.0.0.1", "path": "private"},
    {"dst": "vm-b", "dst_ip": "127.0.0.2", "path": "public"},
]
needs_tools = pytest.mark.skipif(not (shutil.which("mtr") and shutil.which("ping")),
                                 reason="mtr and ping are not installed")


def run_play(tmp_path, args, *options):
    """Run the module in a one-task playbook; return (rc, task result, raw output)."""
    play = [{"hosts": "localhost", "gather_facts": False,
             "vars": {"ansible_python_interpreter": VM_PYTHON},
             "tasks": [{"multicloud.vpnlab.probe": args}]}]
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


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def listening(port):
    out = subprocess.run(["ss", "-Htln", "sport = :%d" % port], capture_output=True, text=True,
                         check=False).stdout
    return bool(out.strip())


@pytest.mark.skipif(not shutil.which("iperf3") or not shutil.which("ss"), reason="iperf3 or ss missing")
def test_the_probe_starts_its_iperf3_server_and_a_client_measures_against_it(tmp_path):
    # One module run does what the check splits over two VMs: the server VM's probe starts a
    # one-off server, the client measures through it (1 s, after 1 s left out), and the server
    # is gone after its one client.
    port = free_port()
    target = {"dst": "vm-a", "dst_ip": "127.0.0.1", "path": "private", "port": port}
    rc, result, output = run_play(tmp_path, {"src": "vm-x", "targets": [], "tools": ["ping"],
                                             "iperf3_servers": [port], "throughput": [target],
                                             "throughput_seconds": 1, "throughput_omit": 1})
    assert rc == 0, output
    assert result["iperf3_servers"] == [{"port": port, "error": None}]
    measured = result["throughput"][0]
    assert measured["error"] is None, measured
    assert measured["mbps"] > 0 and measured["omitted_s"] == 1 and 0.9 < measured["seconds"] < 1.5
    deadline = time.monotonic() + 10
    while listening(port) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not listening(port), "the one-off iperf3 server outlived its client"


@pytest.mark.skipif(not (shutil.which("tracepath") and shutil.which("ping")), reason="tracepath and ping are not installed")
def test_real_tracepath_over_loopback_lands_under_its_name(tmp_path):
    """The opt-in registry tool runs like the others, on the system Python, against loopback."""
    rc, result, output = run_play(
        tmp_path, {"src": "vm-x", "targets": LOOPBACK_TARGETS, "count": 3, "interval": 0.2,
                   "tools": ["ping", "tracepath"]})
    assert rc == 0, output
    assert [m["tool"] for m in result["measurements"]] == ["ping", "ping"]
    traces = result["tool_results"]["tracepath"]
    assert [(t["dst_ip"], t["tool"], t["reached"], t["hop_count"], t["error"]) for t in traces] == [
        ("127.0.0.1", "tracepath", True, 1, None), ("127.0.0.2", "tracepath", True, 1, None)]
    # Loopback's MTU is 65536; an IPv4 packet is at most 65535 bytes.
    assert all(t["pmtu"] == 65535 for t in traces), traces

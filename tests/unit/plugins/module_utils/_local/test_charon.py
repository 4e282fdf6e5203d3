# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tunnel evidence from the local gateway: every expected tunnel is reported, up or not.

A stand-in charon answers pid/status/loaded_conns here; the real gateway is read by the
integration tests (tests/integration/test_local_lab_secrets.py) and the connectivity check."""

from __future__ import annotations

import os
import time

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils._local import charon as charon_module
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.charon import (
    CHARON, START_SCRIPT, Charon, CharonError, evidence,
)

EXPECTED = [{"name": "tunnel1", "outside_ip": "203.0.113.10"},
            {"name": "tunnel2", "outside_ip": "203.0.113.11"}]


class FakeCharon:
    netns = "vpnlab-x.azgw"

    def __init__(self, running=True, loaded=("tunnel1", "tunnel2")):
        self.running, self.loaded = running, loaded

    def pid(self):
        return 42 if self.running else None

    def source(self):
        return "strongSwan in %s (VICI list-sas)" % self.netns

    def loaded_conns(self):
        return {name: {} for name in self.loaded}

    def status(self, conns):
        return [{"name": name, "outside_ip": "203.0.113.%d" % (9 + int(name[-1])), "status": "up",
                 "bytes_in": 1, "bytes_out": 2, "source": self.source(), "detail": "fine"}
                for name in sorted(conns)]


def test_running_gateway_reports_its_tunnels():
    records = evidence(FakeCharon(), EXPECTED)
    assert [(r["name"], r["status"], r["bytes_out"]) for r in records] == [
        ("tunnel1", "up", 2), ("tunnel2", "up", 2)]


def test_a_gateway_that_is_not_running_reports_every_tunnel_down_with_the_reason():
    records = evidence(FakeCharon(running=False), EXPECTED)
    assert records == [
        {"name": name, "outside_ip": ip, "status": "down", "bytes_in": None, "bytes_out": None,
         "source": "strongSwan in vpnlab-x.azgw (VICI list-sas)",
         "detail": "the VPN gateway's strongSwan is not running in vpnlab-x.azgw"}
        for name, ip in (("tunnel1", "203.0.113.10"), ("tunnel2", "203.0.113.11"))]


@pytest.mark.parametrize("loaded, expected_states", [
    (("tunnel2",), [("tunnel1", "down", "the gateway has no connection tunnel1 loaded"),
                    ("tunnel2", "up", "fine")]),
    # A connection nobody expected is still shown, after the expected ones.
    (("tunnel1", "tunnel2", "tunnel3"), [("tunnel1", "up", "fine"), ("tunnel2", "up", "fine"),
                                         ("tunnel3", "up", "fine")]),
])
def test_expected_and_loaded_tunnels(loaded, expected_states):
    records = evidence(FakeCharon(loaded=loaded), EXPECTED)
    assert [(r["name"], r["status"], r["detail"]) for r in records] == expected_states


# --- starting and stopping: argv only, pid file after the start, a live socket kept -----------

@pytest.mark.parametrize("directory", ["/st/lab/gateways/azure", "/tmp/hB space/h/lab/gw",
                                       "/tmp/x;id/$(id)`id`/gw"])
def test_start_command_is_argv_with_the_config_in_the_environment(directory):
    gw = Charon(directory, "vpnlab-x.azgw")
    argv = gw.start_argv()
    assert argv[argv.index("-c") + 1] == START_SCRIPT and "%" not in START_SCRIPT
    assert argv[-2:] == ["vpnlab-charon", CHARON]
    assert not [a for a in argv if directory in a]
    assert gw.start_env()["STRONGSWAN_CONF"] == directory + "/strongswan.conf"


def stub_start(monkeypatch, answers, events):
    monkeypatch.setattr(charon_module.daemon, "spawn",
                        lambda argv, log, env=None: events.append(("spawn", env["STRONGSWAN_CONF"]))
                        or 4242)
    states = iter(answers)
    monkeypatch.setattr(Charon, "_answers", lambda self: next(states))


def test_start_records_the_pid_after_the_process_started(tmp_path, monkeypatch):
    events = []
    stub_start(monkeypatch, [False, False, True, True], events)
    monkeypatch.setattr(charon_module.daemon, "exited", lambda pid: False)
    gw = Charon(str(tmp_path), "ns")
    (tmp_path / "charon.vici").write_text("")  # stale: nothing answers on it
    assert gw.start() == 4242
    assert events == [("spawn", str(tmp_path / "strongswan.conf"))]
    assert (tmp_path / "charon.pid").read_text() == "4242\n"
    assert oct(os.stat(tmp_path / "charon.pid").st_mode & 0o777) == "0o644"
    assert not (tmp_path / "charon.vici").exists()
    assert sorted(os.listdir(tmp_path)) == ["charon.pid"]


def test_a_charon_that_exits_is_reported_at_once_with_its_log(tmp_path, monkeypatch):
    # A real process that dies as charon does when a plugin fails: no 120 s wait, its words.
    monkeypatch.setattr(Charon, "start_argv", lambda self: [
        "sh", "-c", "echo 'loading plugin kernel-libipsec failed' >&2; exit 1"])
    started = time.monotonic()
    with pytest.raises(CharonError) as caught:
        Charon(str(tmp_path), "ns").start()
    assert time.monotonic() - started < 60
    assert "exited before it opened its VICI socket" in str(caught.value)
    assert "loading plugin kernel-libipsec failed" in str(caught.value)


def test_a_charon_that_stays_silent_is_reported_with_the_bound(tmp_path, monkeypatch):
    monkeypatch.setattr(Charon, "start_argv", lambda self: ["sleep", "30"])
    with pytest.raises(CharonError) as caught:
        Charon(str(tmp_path), "ns").start(timeout=0.3)
    assert "did not open its VICI socket within 0.3s" in str(caught.value)
    assert "(empty log)" in str(caught.value)
    os.kill(int((tmp_path / "charon.pid").read_text()), 9)


def test_a_socket_path_too_long_is_refused_before_anything_starts(tmp_path, monkeypatch):
    # A Unix socket path holds 107 bytes: charon would bind a truncated name and never answer
    # (seen in CI with pytest's long temporary paths); nothing is spawned.
    monkeypatch.setattr(charon_module.daemon, "spawn", lambda *a, **k: pytest.fail("spawned"))
    deep = tmp_path / ("d" * (120 - len(str(tmp_path))))
    with pytest.raises(CharonError, match="over the 107 a Unix socket path can have"):
        Charon(str(deep), "ns").start()


def test_start_never_removes_the_socket_of_a_running_charon(tmp_path, monkeypatch):
    events = []
    stub_start(monkeypatch, [True], events)
    (tmp_path / "charon.vici").write_text("")
    with pytest.raises(CharonError, match="already answers"):
        Charon(str(tmp_path), "ns").start()
    assert events == [] and (tmp_path / "charon.vici").exists()


def test_stop_keeps_a_socket_another_charon_answers_on(tmp_path, monkeypatch):
    monkeypatch.setattr(Charon, "_answers", lambda self: True)
    monkeypatch.setattr(Charon, "pid", lambda self: None)
    (tmp_path / "charon.vici").write_text("")
    (tmp_path / "charon.pid").write_text("77\n")
    Charon(str(tmp_path), "ns").stop()
    assert os.listdir(tmp_path) == ["charon.vici"]

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Report rules (one case per rule, failing only on that rule), counters and the two views."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils.report import (
    build_report, expected_measurements, tunnel_deltas,
)

VMS = [
    {"name": "vm1", "cloud": "azure", "private_ip": "10.1.1.10", "public_ip": "198.51.100.10"},
    {"name": "vm2", "cloud": "azure", "private_ip": "10.1.1.20", "public_ip": "198.51.100.11"},
    {"name": "vm3", "cloud": "aws", "private_ip": "10.2.1.10", "public_ip": "203.0.113.10"},
]
IPS = {vm["name"]: vm for vm in VMS}


def tunnels(bytes_1, bytes_2, status="up", detail=None):
    return [
        {"name": "tunnel1", "outside_ip": "203.0.113.5", "status": status,
         "bytes_in": bytes_1, "bytes_out": None if bytes_1 is None else bytes_1 + 40,
         "source": "test", "detail": detail},
        {"name": "tunnel2", "outside_ip": "203.0.113.6", "status": "up",
         "bytes_in": bytes_2, "bytes_out": bytes_2, "source": "test", "detail": None},
    ]


BEFORE, MID, AFTER = tunnels(1000, 0), tunnels(9000, 0), tunnels(9000, 0)


def rtt(src, dst, path):
    """Predictable round-trip times, distinct per pair: vm1 -> vm3 private is 1.13 ms."""
    cross = IPS[src]["cloud"] != IPS[dst]["cloud"]
    return round((1.0 if cross else 0.1) + (0.5 if path == "public" else 0.0)
                 + int(src[-1]) / 10 + int(dst[-1]) / 100, 3)


def measurement(src, dst, path, tool):
    avg = rtt(src, dst, path) + (0.01 if tool == "mtr" else 0.0)
    hops = None
    if tool == "mtr":
        hops = [{"hop": 1, "host": "10.1.1.1", "loss_pct": 0.0, "avg_ms": 0.08},
                {"hop": 2, "host": "???", "loss_pct": 100.0, "avg_ms": None},
                {"hop": 3, "host": IPS[dst]["%s_ip" % path], "loss_pct": 0.0, "avg_ms": avg}]
    return {"src": src, "dst": dst, "dst_ip": IPS[dst]["%s_ip" % path], "path": path,
            "tool": tool, "sent": 10, "received": 10, "loss_pct": 0.0, "rtt_min_ms": avg - 0.01,
            "rtt_avg_ms": avg, "rtt_max_ms": avg + 0.05, "hops": hops, "error": None}


GOOD = [measurement(*key) for key in expected_measurements(VMS)]


def report(measurements=None, before=None, mid=None, after=None, **options):
    before, mid, after = (BEFORE if before is None else before, MID if mid is None else mid,
                          AFTER if after is None else after)
    return build_report("vpntest", "local", VMS, {"before": before, "mid": mid, "after": after},
                        GOOD if measurements is None else measurements,
                        generated_at="2026-11-25T21:00:00+00:00", **options)


def changed(key, **fields):
    """The good measurements with the one for ``key`` (src, dst, path, tool) changed."""
    result = copy.deepcopy(GOOD)
    for m in result:
        if (m["src"], m["dst"], m["path"], m["tool"]) == key:
            m.update(fields)
    return result


def test_expected_measurements_every_ordered_pair():
    expected = expected_measurements(VMS)
    assert len(expected) == len(set(expected)) == 24
    assert all(src != dst for src, dst, _path, _tool in expected)
    assert ("vm3", "vm1", "public", "mtr") in expected
    assert expected_measurements(["a", "b"], tools=("ping",), paths=("private",)) == [
        ("a", "b", "private", "ping"), ("b", "a", "private", "ping")]


def test_all_good():
    result = report()
    assert set(result) == {"lab", "target", "generated_at", "vms", "tunnels", "counters", "mtu_checks",
                           "measurements", "verdict", "evidence", "tools", "probes", "notes"}
    assert result["verdict"] == {"ok": True, "level": "pass", "failures": [], "warnings": []}
    assert result["probes"] == {"run": True, "reason": None} and result["notes"] == []
    assert len(result["measurements"]) == 24
    assert result["tunnels"] == AFTER
    assert result["vms"] == VMS
    assert result["counters"]["private_phase"]["bytes_in"] == 8000
    assert result["counters"]["private_phase"]["bytes_out"] == 8000
    assert result["counters"]["public_phase"]["bytes_in"] == 0


FAILURE_RULES = [
    # name, report arguments, the single failure expected
    ("private loss", dict(measurements=changed(("vm1", "vm3", "private", "ping"), received=7,
                                               loss_pct=30.0)),
     "vm1 -> vm3 private 10.2.1.10 (ping): 30.0% loss (7 of 10 replies)"),
    ("private error", dict(measurements=changed(("vm3", "vm2", "private", "mtr"), received=0,
                                                loss_pct=100.0, error="mtr timed out")),
     "vm3 -> vm2 private 10.1.1.20 (mtr): error: mtr timed out"),
    ("missing", dict(measurements=[m for m in GOOD if not (
        m["src"] == "vm2" and m["dst"] == "vm1" and m["path"] == "public" and m["tool"] == "mtr")]),
     "missing measurement: vm2 -> vm1 public (mtr)"),
    ("tunnel down", dict(after=tunnels(9000, 0, status="down")),
     "tunnel tunnel1 (203.0.113.5) is 'down', not 'up'"),
    ("no private growth", dict(before=AFTER, mid=AFTER),
     "no private traffic went through the tunnels: their ESP byte counters did not grow during "
     "the private probes"),
    ("public growth", dict(after=tunnels(9000, 84)),
     "public traffic went through the tunnel: its ESP byte counters grew by 168 bytes during the "
     "public probes (tolerance 0)"),
    ("public loss required", dict(measurements=changed(("vm2", "vm3", "public", "ping"),
                                                       received=0, loss_pct=100.0)),
     "vm2 -> vm3 public 203.0.113.10 (ping): 100.0% loss (0 of 10 replies)"),
]


@pytest.mark.parametrize("name, arguments, failure", FAILURE_RULES,
                         ids=[case[0] for case in FAILURE_RULES])
def test_each_rule_fails_alone(name, arguments, failure):
    result = report(**arguments)
    assert result["verdict"] == {"ok": False, "level": "fail", "failures": [failure],
                                 "warnings": []}, name


WARNING_CASES = [
    ("public loss not required",
     dict(measurements=changed(("vm2", "vm3", "public", "ping"), received=0, loss_pct=100.0),
          require_public=False),
     ["vm2 -> vm3 public 203.0.113.10 (ping): 100.0% loss (0 of 10 replies)"]),
    ("public growth within tolerance", dict(after=tunnels(9000, 84), public_tolerance_bytes=200),
     []),
    ("counters unknown", dict(before=tunnels(None, None), mid=tunnels(None, None),
                              after=tunnels(None, None)),
     ["tunnel byte counters unavailable: cannot prove that private traffic went through the "
      "tunnels",
      "tunnel byte counters unavailable: cannot prove that public traffic stayed out of the "
      "tunnels"]),
]


@pytest.mark.parametrize("name, arguments, warnings", WARNING_CASES,
                         ids=[case[0] for case in WARNING_CASES])
def test_warnings_do_not_fail(name, arguments, warnings):
    result = report(**arguments)
    assert result["verdict"] == {"ok": True, "level": "pass", "failures": [], "warnings": warnings}, name


def test_no_tunnels_fails():
    failures = report(before=[], mid=[], after=[])["verdict"]["failures"]
    assert failures[0] == "no tunnels reported"
    assert failures[1].startswith("no private traffic went through the tunnels")


def test_only_the_requested_tools_are_expected():
    pings = [m for m in GOOD if m["tool"] == "ping"]
    assert report(pings, tools=("ping",))["verdict"]["ok"] is True
    assert len(report(pings)["verdict"]["failures"]) == 12


DELTA_CASES = [
    # before, after, expected per-tunnel growth, expected totals (in, out)
    ("growth", tunnels(100, 5), tunnels(300, 5),
     {"tunnel1": {"bytes_in": 200, "bytes_out": 200}, "tunnel2": {"bytes_in": 0, "bytes_out": 0}},
     (200, 200)),
    # a rekey restarts the counters: what is there now is the growth since the rekey
    ("rekey", tunnels(5000, 0), tunnels(300, 0),
     {"tunnel1": {"bytes_in": 300, "bytes_out": 340}, "tunnel2": {"bytes_in": 0, "bytes_out": 0}},
     (300, 340)),
    ("new tunnel", tunnels(100, 0)[:1], tunnels(100, 70),
     {"tunnel1": {"bytes_in": 0, "bytes_out": 0}, "tunnel2": {"bytes_in": 70, "bytes_out": 70}},
     (70, 70)),
    ("unknown", tunnels(100, 0), tunnels(None, 10),
     {"tunnel1": {"bytes_in": None, "bytes_out": None},
      "tunnel2": {"bytes_in": 10, "bytes_out": 10}},
     (None, None)),
    ("strings", [dict(t, bytes_in=str(t["bytes_in"])) for t in tunnels(100, 0)], tunnels(150, 0),
     {"tunnel1": {"bytes_in": 50, "bytes_out": 50}, "tunnel2": {"bytes_in": 0, "bytes_out": 0}},
     (50, 50)),
    ("none", [], [], {}, (0, 0)),
]


@pytest.mark.parametrize("name, before, after, per_tunnel, totals", DELTA_CASES,
                         ids=[case[0] for case in DELTA_CASES])
def test_tunnel_deltas(name, before, after, per_tunnel, totals):
    deltas = tunnel_deltas(before, after)
    assert deltas["tunnels"] == per_tunnel
    assert (deltas["bytes_in"], deltas["bytes_out"]) == totals


MTU_OK = {"src": "vm1", "dst": "vm3", "dst_ip": "10.2.1.10", "size": 1400, "sent": 3,
          "received": 3, "ok": True, "error": None}


@pytest.mark.parametrize("checks,failures", [
    ([], []),
    ([MTU_OK], []),
    ([dict(MTU_OK, received=0, ok=False, error="ping exited with 1: ping: local error: message too long, mtu=1400")],
     ["vm1 -> vm3 private 10.2.1.10: 1400-byte packets with DF did not get through (0 of 3 replies; "
      "ping exited with 1: ping: local error: message too long, mtu=1400)"]),
    ([dict(MTU_OK, received=2, ok=False)],
     ["vm1 -> vm3 private 10.2.1.10: 1400-byte packets with DF did not get through (2 of 3 replies)"]),
])
def test_mtu_checks_fail_the_verdict_when_big_packets_do_not_pass(checks, failures):
    result = report(mtu_checks=checks)
    assert result["verdict"]["failures"] == failures
    assert result["verdict"]["ok"] is (not failures)
    assert len(result["mtu_checks"]) == len(checks)


# --- what the check measured: tools, probes off, tunnel states ------------------------------

def test_ping_only_expects_no_mtr_and_still_checks_the_mtu():
    pings = [m for m in GOOD if m["tool"] == "ping"]
    result = report(pings, tools=["ping"], mtu_checks=[MTU_OK])
    assert result["verdict"] == {"ok": True, "level": "pass", "failures": [], "warnings": []}
    assert result["tools"] == ["ping"] and result["notes"] == []


def test_mtr_only_says_why_the_mtu_was_not_checked():
    mtrs = [m for m in GOOD if m["tool"] == "mtr"]
    result = report(mtrs, tools=["mtr"])
    assert result["verdict"]["level"] == "pass"
    assert result["notes"] == ["path MTU not checked: it is measured with ping, which is not "
                               "among the tools (mtr)"]
    assert report(mtu=0)["notes"] == ["path MTU not checked: the check was turned off (size 0)"]


@pytest.mark.parametrize("after, level, failures", [
    (AFTER, "degraded", []),
    (tunnels(9000, 0, status="down", detail="no answer"), "fail",
     ["tunnel tunnel1 (203.0.113.5) is 'down', not 'up': no answer"]),
])
def test_without_probes_nothing_is_proven_and_the_level_is_never_pass(after, level, failures):
    result = report([], before=BEFORE, mid=BEFORE, after=after, probes=False,
                    probes_reason="the AWS API is an emulator")
    assert result["verdict"]["level"] == level
    assert result["verdict"]["failures"] == failures
    assert result["verdict"]["warnings"] == [
        "nothing was measured, so nothing is proven: the VMs were not probed (the AWS API is an "
        "emulator)"]
    assert result["probes"] == {"run": False, "reason": "the AWS API is an emulator"}
    assert result["notes"] == ["nothing was measured: the VMs were not probed (the AWS API is an "
                               "emulator)"]


@pytest.mark.parametrize("status", ["unknown", "UNKNOWN", None, "rekeying"])
def test_a_tunnel_whose_state_is_unknown_degrades(status):
    result = report(after=tunnels(9000, 0, status=status))
    assert result["tunnels"][0]["status"] == "unknown"
    assert result["verdict"]["level"] == "degraded" and result["verdict"]["ok"] is True
    assert result["verdict"]["warnings"] == ["tunnel tunnel1 (203.0.113.5) is 'unknown', not 'up'"]

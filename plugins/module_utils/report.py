# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Connectivity report: the data of ``report.json`` and its verdict (and, for now, its views).

Pure functions, no Ansible import, target-neutral. The check runs in two phases (private probes,
then public probes) with the tunnels' evidence read before, between and after; the ESP byte
counters are what proves that private traffic crossed the tunnels and public traffic did not.

Tunnel evidence (what each target's evidence source returns, read at each phase): a list of
``{name, outside_ip, status, bytes_in, bytes_out, source, detail}`` where ``status`` is
``up``, ``down`` or ``unknown``, the byte counters are the tunnel's ESP bytes as the Azure side
sees them (in: from AWS, out: to AWS; null when the source cannot count), ``source`` says where
the record comes from and ``detail`` why the tunnel is in its state.

``report.json``::

    lab, target, generated_at
    vms[]            name, cloud, private_ip, public_ip
    tunnels[]        the evidence records read last (see above)
    evidence         {before, mid, after}: the records of each phase
    counters         {private_phase, public_phase}: {bytes_in, bytes_out, tunnels: {name: {..}}}
    measurements[]   src, dst, dst_ip, path (private|public), tool (mtr|ping), sent, received,
                     loss_pct, rtt_min_ms, rtt_avg_ms, rtt_max_ms, hops, error
    mtu_checks[]     src, dst, dst_ip, size, sent, received, ok, error
    tools[]          the tools measured with
    probes           {run: bool, reason}: whether the VMs were probed, and if not why
    notes[]          what was not checked, and why
    verdict          ok (level is not fail), level (pass|degraded|fail), failures[], warnings[]

A verdict is never ``pass`` without measurements.
"""

from __future__ import annotations

import datetime

from ansible_collections.multicloud.vpnlab.plugins.module_utils.probe import PATHS, TOOLS

LEVELS = ("pass", "degraded", "fail")
VM_KEYS = ("name", "cloud", "private_ip", "public_ip")
TUNNEL_KEYS = ("name", "outside_ip", "status", "bytes_in", "bytes_out", "source", "detail")
TUNNEL_STATES = ("up", "down", "unknown")
COUNTER_KEYS = ("bytes_in", "bytes_out")


def _name(vm):
    return vm["name"] if isinstance(vm, dict) else str(vm)


def expected_measurements(vms, tools=TOOLS, paths=PATHS):
    """(src, dst, path, tool) for every ordered pair of distinct VMs, path and tool."""
    names = [_name(vm) for vm in vms]
    return [(src, dst, path, tool) for src in names for dst in names if src != dst
            for path in paths for tool in tools]


def _counter(value):
    """A byte counter as an int, None when the source does not report one."""
    try:
        return None if value in (None, "") else int(value)
    except (TypeError, ValueError):
        return None


def _growth(before, after):
    if before is None or after is None:
        return None
    # strongSwan restarts a CHILD_SA's counters when it rekeys: a smaller value is a fresh count.
    return after - before if after >= before else after


def _total(values):
    return None if None in values else sum(values)


def tunnel_deltas(before, after):
    """Byte growth per tunnel (by name) and in total; None where a counter is unknown."""
    old = {t["name"]: t for t in before or []}
    per_tunnel = {}
    for tunnel in after or []:
        # A tunnel that appeared during the phase started from zero.
        prev = old.get(tunnel["name"], dict.fromkeys(COUNTER_KEYS, 0))
        per_tunnel[tunnel["name"]] = {
            key: _growth(_counter(prev.get(key)), _counter(tunnel.get(key))) for key in COUNTER_KEYS}
    totals = {key: _total([d[key] for d in per_tunnel.values()]) for key in COUNTER_KEYS}
    return dict(totals, tunnels=per_tunnel)


def _measurement_key(m):
    return (m.get("src"), m.get("dst"), m.get("path"), m.get("tool"))


def _tunnel(record):
    tunnel = {key: record.get(key) for key in TUNNEL_KEYS}
    status = str(tunnel["status"] or "unknown").lower()
    tunnel["status"] = status if status in TUNNEL_STATES else "unknown"
    return tunnel


def _notes(tools, mtu, probes):
    if not probes["run"]:
        return ["nothing was measured: the VMs were not probed (%s)" % probes["reason"]]
    notes = []
    if mtu and "ping" not in tools:
        notes.append("path MTU not checked: it is measured with ping, which is not among the "
                     "tools (%s)" % ", ".join(tools))
    elif not mtu:
        notes.append("path MTU not checked: the check was turned off (size 0)")
    return notes


def build_report(lab, target, vms, evidence, measurements, require_public=True,
                 generated_at=None, public_tolerance_bytes=0, tools=TOOLS, mtu_checks=None,
                 mtu=1400, probes=True, probes_reason=None):
    """The ``report.json`` dict, verdict included.

    ``evidence`` maps the phases ``before``, ``mid`` and ``after`` to tunnel evidence records;
    ``probes`` False means the VMs were not probed (``probes_reason`` says why).
    """
    phases = {phase: [_tunnel(t) for t in (evidence or {}).get(phase) or []]
              for phase in ("before", "mid", "after")}
    tools = [tool for tool in TOOLS if tool in tools]
    run = {"run": bool(probes), "reason": None if probes else (probes_reason or "probes off")}
    report = {
        "lab": lab,
        "target": target,
        "generated_at": generated_at or datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec="seconds"),
        "vms": [{key: vm.get(key) for key in VM_KEYS} for vm in vms],
        "tunnels": phases["after"],
        "evidence": phases,
        "counters": {"private_phase": tunnel_deltas(phases["before"], phases["mid"]),
                     "public_phase": tunnel_deltas(phases["mid"], phases["after"])},
        "measurements": sorted((dict(m) for m in measurements), key=_measurement_key),
        "mtu_checks": sorted((dict(c) for c in mtu_checks or []),
                             key=lambda c: (c.get("src"), c.get("dst"))),
        "tools": tools,
        "probes": run,
        "notes": _notes(tools, mtu, run),
    }
    report["verdict"] = verdict(report, require_public, public_tolerance_bytes, tools)
    return report


def verdict(report, require_public=True, public_tolerance_bytes=0, tools=TOOLS):
    """``{ok, level, failures, warnings}`` from every rule; each finding is one line.

    A failure makes the level ``fail``; a ``degraded`` finding (also listed among the warnings)
    makes it ``degraded``: the lab works, but less than fully or without proof.
    """
    findings = _tunnel_status(report)
    if report["probes"]["run"]:
        findings += (_missing(report, tools) + _losses(report, require_public) + _mtu(report)
                     + _private_counters(report)
                     + _public_counters(report, public_tolerance_bytes))
    else:
        findings.append(("degraded", "nothing was measured, so nothing is proven: the VMs were "
                                     "not probed (%s)" % report["probes"]["reason"]))
    failures = [text for level, text in findings if level == "failure"]
    warnings = [text for level, text in findings if level in ("degraded", "warning")]
    level = "fail" if failures else "degraded" if any(
        severity == "degraded" for severity, dummy in findings) else "pass"
    return {"ok": level != "fail", "level": level, "failures": failures, "warnings": warnings}


def _label(m):
    fields = tuple(m.get(key) for key in ("src", "dst", "path", "dst_ip", "tool"))
    return "%s -> %s %s %s (%s)" % fields


def _missing(report, tools):
    have = {_measurement_key(m) for m in report["measurements"]}
    return [("failure", "missing measurement: %s -> %s %s (%s)" % key)
            for key in expected_measurements(report["vms"], tools) if key not in have]


def _loss_problem(m):
    if m.get("error"):
        return "error: %s" % m["error"]
    loss = m.get("loss_pct")
    if loss is None or loss > 0:
        return "%s%% loss (%s of %s replies)" % (loss, m.get("received"), m.get("sent"))
    return None


def _losses(report, require_public):
    findings = []
    for m in report["measurements"]:
        problem = _loss_problem(m)
        if problem:
            # Public addresses may be filtered on purpose (cloud NSGs): the user decides.
            strict = m.get("path") == "private" or require_public
            findings.append(("failure" if strict else "warning", "%s: %s" % (_label(m), problem)))
    return findings


def _mtu(report):
    """A private path that drops Don't-Fragment packets of the checked size fails."""
    return [("failure", "%s -> %s private %s: %d-byte packets with DF did not get through (%d of "
             "%d replies%s)" % (c.get("src"), c.get("dst"), c.get("dst_ip"), c.get("size", 0),
                                c.get("received") or 0, c.get("sent") or 0,
                                "; " + c["error"] if c.get("error") else ""))
            for c in report.get("mtu_checks") or [] if not c.get("ok")]


def _tunnel_status(report):
    if not report["tunnels"]:
        return [("failure", "no tunnels reported")]
    return [("failure" if t["status"] == "down" else "degraded",
             "tunnel %s (%s) is %r, not 'up'%s" % (t["name"], t["outside_ip"], t["status"],
                                                   ": " + t["detail"] if t.get("detail") else ""))
            for t in report["tunnels"] if t["status"] != "up"]


def _phase_bytes(report, phase):
    counters = report["counters"][phase]
    values = [counters[key] for key in COUNTER_KEYS]
    return None if None in values else sum(values)


def _private_counters(report):
    grown = _phase_bytes(report, "private_phase")
    if grown is None:
        return [("warning", "tunnel byte counters unavailable: cannot prove that private traffic "
                            "went through the tunnels")]
    if grown <= 0:
        return [("failure", "no private traffic went through the tunnels: their ESP byte counters "
                            "did not grow during the private probes")]
    return []


def _public_counters(report, tolerance):
    grown = _phase_bytes(report, "public_phase")
    if grown is None:
        return [("warning", "tunnel byte counters unavailable: cannot prove that public traffic "
                            "stayed out of the tunnels")]
    if grown > tolerance:
        return [("failure", "public traffic went through the tunnel: its ESP byte counters grew by "
                            "%d bytes during the public probes (tolerance %d)" % (grown, tolerance))]
    return []

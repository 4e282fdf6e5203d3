# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Connectivity report: the data of ``report.json`` and its verdict (the view modules of this
package and the role's templates render it).

Pure functions, no Ansible import, target-neutral. The check runs in two phases (private probes,
then public probes) with the tunnels' evidence read before, between and after; the ESP byte
counters are what proves that private traffic crossed the tunnels and public traffic did not.
The rules behind the verdict, with their causes and the loss rules, are in findings.py; the
levels, tunnel states, paths and tools in constants.py.

Tunnel evidence (what each target's evidence source returns, read at each phase): a list of
``{name, outside_ip, status, bytes_in, bytes_out, source, detail}`` where ``status`` is
``up``, ``down`` or ``unknown``, the byte counters are the tunnel's ESP bytes as the Azure side
sees them (in: from AWS, out: to AWS; null when the source cannot count), ``source`` says where
the record comes from and ``detail`` why the tunnel is in its state. A source may add
``control_bytes_in`` and ``control_bytes_out``: the bytes of the tunnel's own control traffic so
far (the BGP design's session), which the counters' growth leaves out (tunnel_deltas).

``report.json`` (every key always present; lists may be empty, values null when unknown)::

    lab, target, generated_at (ISO 8601, UTC)
    vms[]           name, cloud (azure|aws), private_ip, public_ip,
                    access {ssh: ok|unreachable|probe failed|not tried, error}
    networks        {azure: VNet CIDR, aws: VPC CIDR}
    tunnels[]       the evidence records read last (after the public probes), see above
    evidence        {before, mid, after}: the records of each phase
    counters        {private_phase, public_phase}: growth of the ESP bytes in that phase,
                    {bytes_in, bytes_out, tunnels: {name: {bytes_in, bytes_out}}}; and
                    min_growth_bytes (the growth, both directions together, that counts as the
                    private probes' traffic), settle_s (the longest the check waits after the
                    private probes for lagging counters to show it; 0: the counters are read live)
                    and waited_s (how long it waited)
    measurements[]  src, dst, dst_ip, path (private|public), tool (mtr|ping), sent, received,
                    loss_pct, rtt_min_ms, rtt_avg_ms, rtt_max_ms, hops (mtr: [{hop, host,
                    loss_pct, avg_ms}], ping: null), error, remeasured (null, or the same
                    result fields of a second run when the first lost packets)
    mtu_checks[]    src, dst, dst_ip (paths across the tunnel only), size (what the path must
                    carry), largest (largest DF packet that passed, null if none), ok,
                    tried [[size, passed]], mss_clamp (the TCP MSS the gateways clamp to), error
    throughput[]    src, dst, dst_ip, path, mbps (received), sender_mbps, retransmits,
                    seconds (measured), omitted_s (run first, left out), error (iperf3 TCP,
                    one Azure VM to one AWS VM, both paths)
    tool_results    {tool: [record]}: the results of the chosen tools that are not loss tools
                    (tracepath, ...), as the probe module returns them (src, dst, dst_ip, path,
                    tool, error and the tool's own fields); {} when none was chosen
    failover        null, or what a failover measurement reported (outage_s, ...)
    tools[]         the tools measured with
    probes          {run: bool, reason}: whether the VMs were probed, and if not why
    notes[]         what was not checked, and why
    routing         null (static routing), or the BGP design's: what each speaker learned and
                    over which sessions (reporting/routing.py has its schema)
    verdict         ok (the level is not fail), level (pass|degraded|fail), failures[] and
                    warnings[] (one line each: object, problem, cause, evidence; the degraded
                    findings are among the warnings), findings[] ({severity
                    (failure|degraded|warning), object, problem, cause, evidence, text}),
                    headline (one line: the level and what matters most)

A verdict is never ``pass`` without measurements.

Lagging counters: a cloud's counters refresh every few minutes (Azure's connection byte counters,
AWS's telemetry), so the evidence read right after the private probes may not show them yet. With
a settle time (``counter_settle_seconds`` > 0) the check reads the evidence again until the
private phase's growth counts (``counters_settled``) or the time is over; counters that still had
not grown then are a warning, not a failure, unless a private probe across the tunnel failed.
With 0 (the local target, whose strongSwan counts live) no growth fails at once.
"""

from __future__ import annotations

import datetime
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting import findings as rules
from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting.routing import routing_findings, routing_record
from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting.constants import (
    COUNTER_KEYS, PATHS, TOOLS, TUNNEL_STATES,
)

VM_KEYS = ("name", "cloud", "private_ip", "public_ip")
TUNNEL_KEYS = ("name", "outside_ip", "status") + COUNTER_KEYS + ("source", "detail")
CONTROL_KEYS = tuple("control_" + key for key in COUNTER_KEYS)
# When the tunnels' evidence is read: before the private probes, between the phases, after.
PHASES = ("before", "mid", "after")


def _name(vm):
    return vm["name"] if isinstance(vm, dict) else str(vm)


def expected_measurements(vms: Sequence[Any], tools: Sequence[str] = TOOLS,
                          paths: Sequence[str] = PATHS) -> List[Tuple[str, str, str, str]]:
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


def tunnel_deltas(before: Optional[List[Dict[str, Any]]], after: Optional[List[Dict[str, Any]]]) -> Dict[str, Any]:
    """Byte growth per tunnel (by name) and in total; None where a counter is unknown."""
    old = {t["name"]: t for t in before or []}
    per_tunnel = {}
    for tunnel in after or []:
        # A tunnel that appeared during the phase started from zero.
        prev = old.get(tunnel["name"], dict.fromkeys(COUNTER_KEYS, 0))
        growth = {key: _growth(_counter(prev.get(key)), _counter(tunnel.get(key))) for key in COUNTER_KEYS}
        # The tunnel's own control traffic (the BGP design's sessions, ``control_<key>`` in the
        # evidence) is not the probes': it is left out of the growth.
        for key in COUNTER_KEYS:
            control = _growth(_counter(prev.get("control_" + key, 0)), _counter(tunnel.get("control_" + key)))
            if growth[key] is not None and control:
                growth[key] = max(0, growth[key] - control)
        per_tunnel[tunnel["name"]] = growth
    totals = {key: _total([d[key] for d in per_tunnel.values()]) for key in COUNTER_KEYS}
    return dict(totals, tunnels=per_tunnel)


def counters_settled(evidence: Optional[Dict[str, Any]], min_growth_bytes: int = 1,
                     private_results: Optional[Sequence[Optional[Dict[str, Any]]]] = None,
                     vms: Optional[Sequence[Dict[str, Any]]] = None) -> bool:
    """Whether waiting for the counters of the private probes can stop: their growth from
    ``before`` to ``mid`` (both directions together) is at least ``min_growth_bytes``, or a counter
    is unknown (waiting cannot make it known), or, given the private probes' registered results
    (``private_results``, one per VM) and the lab's ``vms``, no private probe to the other cloud got
    a reply (the counters then cannot change a finding: a broken VPN is reported without waiting)."""
    evidence = evidence or {}
    if "mid" not in evidence:
        return False
    if not evidence["mid"]:
        return True  # no tunnel to count on: the verdict says so, waiting changes nothing
    if private_results is not None and vms is not None:
        measurements = [m for result in private_results for m in (result or {}).get("measurements") or []]
        if not rules.answered_across(measurements, list(vms)):
            return True
    growth = tunnel_deltas(evidence.get("before"), evidence.get("mid"))
    total = _total([growth[key] for key in COUNTER_KEYS])
    return total is None or total >= min_growth_bytes


def _measurement_key(m):
    return (m.get("src"), m.get("dst"), m.get("path"), m.get("tool"))


def _tunnel(record):
    tunnel = {key: record.get(key) for key in TUNNEL_KEYS}
    # The BGP design's sessions' own traffic through the tunnel, when the source counts it.
    tunnel.update({key: record[key] for key in CONTROL_KEYS if record.get(key) is not None})
    status = str(tunnel["status"] or "unknown").lower()
    tunnel["status"] = status if status in TUNNEL_STATES else "unknown"
    return tunnel


def _vm(vm, access):
    entry = {key: vm.get(key) for key in VM_KEYS}
    entry["access"] = dict({"ssh": "not tried", "error": None}, **(access or {}))
    return entry


def _notes(tools, mtu, probes, throughput):
    if not probes["run"]:
        return ["nothing was measured: the VMs were not probed (%s)" % probes["reason"]]
    notes = []
    if mtu and "ping" not in tools:
        notes.append("path MTU not checked: it is measured with ping, which is not among the "
                     "tools (%s)" % ", ".join(tools))
    elif not mtu:
        notes.append("path MTU not checked: the check was turned off (size 0)")
    if throughput is None:
        notes.append("throughput not measured: turned off")
    return notes


def from_probe_runs(runs: Optional[List[Dict[str, Any]]]) -> Tuple[List[Dict[str, Any]], List[Dict[str, Any]], Dict[Any, Dict[str, Any]]]:
    """(measurements, mtu_checks, access by VM) from each VM's registered probe results.

    `runs` is a list of ``{vm, private, public}``, the results of the probe tasks as Ansible
    registered them: with measurements, unreachable (SSH failed, ``msg`` says why), failed
    (``msg``) or skipped (not probed).
    """
    measurements: List[Dict[str, Any]] = []
    mtu_checks: List[Dict[str, Any]] = []
    access: Dict[Any, Dict[str, Any]] = {}
    for run in runs or []:
        results = [run.get(phase) or {} for phase in ("private", "public")]
        for result in results:
            measurements += result.get("measurements") or []
        mtu_checks += results[0].get("mtu_checks") or []
        access[run.get("vm")] = _access(results)
    return measurements, mtu_checks, access


def tool_results_from_runs(runs: Optional[List[Dict[str, Any]]]) -> Dict[str, List[Dict[str, Any]]]:
    """{tool: [record]} of the tools that are not loss tools, from each VM's registered probe
    results (the probe module's ``tool_results``), in both phases."""
    found: Dict[str, List[Dict[str, Any]]] = {}
    for run in runs or []:
        for phase in ("private", "public"):
            for tool, records in ((run.get(phase) or {}).get("tool_results") or {}).items():
                found.setdefault(str(tool), []).extend(dict(r) for r in records or [])
    return found


def _access(results):
    for result in results:
        if result.get("unreachable"):
            return {"ssh": "unreachable", "error": result.get("msg")}
    for result in results:
        if "measurements" not in result and not result.get("skipped") and result.get("msg"):
            return {"ssh": "probe failed", "error": result.get("msg")}
    if any("measurements" in result for result in results):
        return {"ssh": "ok", "error": None}
    return {"ssh": "not tried", "error": None}


def build_report(lab: str, target: str, vms: List[Dict[str, Any]], evidence: Optional[Dict[str, Any]],
                 measurements: List[Dict[str, Any]], require_public: bool = True,
                 generated_at: Optional[str] = None, public_tolerance_bytes: int = 0,
                 tools: Sequence[str] = TOOLS, mtu_checks: Optional[List[Dict[str, Any]]] = None,
                 mtu: int = 1400, probes: bool = True, probes_reason: Optional[str] = None,
                 access: Optional[Dict[Any, Any]] = None, networks: Optional[Dict[str, Any]] = None,
                 mss_clamp: Optional[int] = None, throughput: Optional[List[Dict[str, Any]]] = None,
                 failover: Optional[Dict[str, Any]] = None, require_all_tunnels: bool = False,
                 counter_min_growth_bytes: int = 1, counter_settle_seconds: int = 0,
                 counter_waited_seconds: Optional[int] = None,
                 tool_results: Optional[Dict[str, List[Dict[str, Any]]]] = None,
                 routing: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """The ``report.json`` dict, verdict included.

    ``evidence`` maps the phases ``before``, ``mid`` and ``after`` to tunnel evidence records;
    ``probes`` False means the VMs were not probed (``probes_reason`` says why); ``access`` maps
    a VM name to ``{ssh, error}``; ``throughput`` None means it was not measured. The
    ``counter_*`` arguments say what counts as growth and how long the check waited for lagging
    counters (see the module's docstring). ``routing`` is the BGP design's routing evidence
    (reporting/routing.py), None with static routing.
    """
    phases = {phase: [_tunnel(t) for t in (evidence or {}).get(phase) or []] for phase in PHASES}
    tools = [tool for tool in TOOLS if tool in tools]
    run = {"run": bool(probes), "reason": None if probes else (probes_reason or "probes off")}
    report = {
        "lab": lab,
        "target": target,
        "generated_at": generated_at or datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec="seconds"),
        "vms": [_vm(vm, (access or {}).get(vm.get("name"))) for vm in vms],
        "networks": dict(networks or {}),
        "tunnels": phases["after"],
        "evidence": phases,
        "counters": {"private_phase": tunnel_deltas(phases["before"], phases["mid"]),
                     "public_phase": tunnel_deltas(phases["mid"], phases["after"]),
                     "min_growth_bytes": max(1, int(counter_min_growth_bytes or 1)),
                     "settle_s": int(counter_settle_seconds or 0),
                     "waited_s": int(counter_waited_seconds or 0)},
        "measurements": sorted((dict(m) for m in measurements), key=_measurement_key),
        "mtu_checks": sorted((dict(c, mss_clamp=c.get("mss_clamp", mss_clamp))
                              for c in mtu_checks or []), key=lambda c: (c.get("src"), c.get("dst"))),
        "throughput": sorted((dict(t) for t in throughput or []),
                             key=lambda t: (t.get("path") != "private", t.get("src"), t.get("dst"))),
        "failover": failover or None,
        "tool_results": {tool: sorted((dict(r) for r in records or []), key=_measurement_key)
                         for tool, records in sorted((tool_results or {}).items())},
        "tools": tools,
        "probes": run,
        "notes": _notes(tools, mtu, run, throughput),
        "routing": routing_record(routing),
    }
    report["verdict"] = verdict(report, require_public, public_tolerance_bytes, tools,
                                require_all_tunnels)
    return report


def verdict(report: Dict[str, Any], require_public: bool = True, public_tolerance_bytes: int = 0,
            tools: Sequence[str] = TOOLS, require_all_tunnels: bool = False) -> Dict[str, Any]:
    """``{ok, level, failures, warnings, findings, headline}`` from every rule.

    A failure makes the level ``fail``; a ``degraded`` finding (also listed among the warnings)
    makes it ``degraded``: the lab works, but less than fully or without proof.
    """
    found = rules.tunnel_findings(report, require_all_tunnels) + routing_findings(report)
    if report["probes"]["run"]:
        found += (rules.ssh_findings(report)
                  + rules.missing_findings(report, expected_measurements(report["vms"], tools))
                  + rules.path_findings(report, require_public) + rules.mtu_findings(report)
                  + rules.counter_findings(report, public_tolerance_bytes)
                  + rules.throughput_findings(report))
    else:
        found.append(rules.finding("degraded", "check", "nothing was measured, so nothing is "
                                   "proven", "the VMs were not probed (%s)"
                                   % report["probes"]["reason"]))
    failures = [f["text"] for f in found if f["severity"] == "failure"]
    warnings = [f["text"] for f in found if f["severity"] != "failure"]
    level = "fail" if failures else "degraded" if any(
        f["severity"] == "degraded" for f in found) else "pass"
    return {"ok": level != "fail", "level": level, "failures": failures, "warnings": warnings,
            "findings": found, "headline": headline(report, level, found)}


def headline(report: Dict[str, Any], level: str, found: List[Dict[str, Any]]) -> str:
    """The play's last line: the level, and when not pass what matters most."""
    count = len(report["measurements"])
    states = "/".join(t["status"] for t in report["tunnels"]) or "none"
    if level == "pass":
        return "PASS: %d measurements, no loss that repeated, tunnels %s" % (count, states)
    if level == "degraded":
        down = [t for t in report["tunnels"] if t["status"] == "down"]
        up = [t["name"] for t in report["tunnels"] if t["status"] == "up"]
        if down and up:
            names = ", ".join("%s (%s)" % (t["name"], t["outside_ip"]) for t in down)
            return ("DEGRADED: %s down, redundancy lost: %s all traffic; %d measurements "
                    "without a failure" % (names, rules.carry(up), count))
        first = next(f for f in found if f["severity"] == "degraded")
        return "DEGRADED: %s" % first["text"]
    failures = [f for f in found if f["severity"] == "failure"]
    return "FAIL: %d failure(s), first: %s" % (len(failures), failures[0]["text"])

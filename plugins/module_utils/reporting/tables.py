# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The tables and lists of the page (and of report.md): RTT per pair, tunnels with their counter
growth, VMs, MTU checks, throughput, failover, mtr hops, and one table per other chosen tool
(report.json's tool_results: its label and one-line summary come from the measurement
registry, so a tool added there shows here without a change); every cell a string."""

from __future__ import annotations

from typing import Any, Dict, List

from ansible_collections.multicloud.vpnlab.plugins.module_utils import measurements as registry
from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting.constants import PATHS, SHOWN_TOOLS
from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting.fields import (
    counter_phases, largest_df, measurement_index, measurement_state, ordered_vms, phase_label,
    tunnel_growth,
)
from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting.formatting import (
    fmt_bytes, fmt_mbps, fmt_ms, fmt_pct, number, plain, text_or_none,
)


def throughput_rows(report: Dict[str, Any]) -> List[Dict[str, Any]]:
    rows = []
    for entry in report.get("throughput") or []:
        if not isinstance(entry, dict):
            continue
        rate, error = number(entry.get("mbps")), text_or_none(entry.get("error"))
        path = entry.get("path") or "private"
        retrans = entry.get("retransmits")
        text = "error: %s" % error if error else fmt_mbps(rate)
        if retrans is not None and not error:
            text += ", %s retransmits" % retrans
        seconds, omitted = number(entry.get("seconds")), number(entry.get("omitted_s"))
        over = None
        if seconds is not None and not error:
            over = "%g s" % round(seconds, 1) + (" after %g s left out" % omitted if omitted else "")
            text += " over %s" % over
        rows.append({"src": str(entry.get("src")), "dst": str(entry.get("dst")), "path": path,
                     "mbps": rate, "text": text, "error": error, "retransmits": retrans, "over": over,
                     "label": "%s -> %s, %s" % (entry.get("src"), entry.get("dst"),
                                                "through the tunnel" if path == "private"
                                                else "over public addresses")})
    return rows


def failover_items(report: Dict[str, Any]) -> List[Dict[str, str]]:
    failover = report.get("failover")
    if not isinstance(failover, dict) or not failover:
        return []
    return [{"label": str(key).replace("_", " "), "value": plain(value)}
            for key, value in sorted(failover.items())]


def _rtt_cell(m):
    state = measurement_state(m)
    if state in ("missing", "error", "lost"):
        return {"missing": "n/a", "error": "error", "lost": "lost"}[state]
    text = fmt_ms(m.get("rtt_avg_ms"))
    return text + (" (%s loss)" % fmt_pct(m["loss_pct"]) if state == "loss" else "")


def rtt_tables(report: Dict[str, Any]) -> List[Dict[str, Any]]:
    names = [vm["name"] for vm in ordered_vms(report)]
    index = measurement_index(report)
    tools = [tool for tool in SHOWN_TOOLS if any(m.get("tool") == tool for m in report.get("measurements") or [])]
    return [{"tool": tool, "header": ["from \\ to"] + names,
             "rows": [[src] + ["-" if src == dst else " / ".join(
                 _rtt_cell(index.get((src, dst, path, tool))) for path in PATHS) for dst in names]
                 for src in names]} for tool in tools]


def _hop_text(hop):
    if number(hop.get("avg_ms")) is None:
        return str(hop.get("host"))
    return "%s %s ms" % (hop.get("host"), fmt_ms(hop["avg_ms"]))


def hop_items(report: Dict[str, Any]) -> List[str]:
    items = []
    for m in report.get("measurements") or []:
        if m.get("tool") != "mtr" or m.get("path") != "private":
            continue
        route = ("error: %s" % m["error"] if m.get("error")
                 else " > ".join(_hop_text(hop) for hop in m.get("hops") or []) or "no hop answered")
        items.append("%s -> %s (%s): %s" % (m.get("src"), m.get("dst"), m.get("dst_ip"), route))
    return items


def tunnel_rows(report: Dict[str, Any], tunnels: List[Dict[str, Any]]) -> Dict[str, Any]:
    phases = counter_phases(report)
    rows = []
    for t in tunnels:
        growth = []
        for phase in phases:
            grown = tunnel_growth(report, phase, t.get("name"))
            growth.append(" / ".join("n/a" if v is None else "+" + fmt_bytes(v) for v in grown))
        rows.append([t.get("name"), t.get("outside_ip"), t["status"], fmt_bytes(t.get("bytes_in")),
                     fmt_bytes(t.get("bytes_out"))] + growth + [t.get("detail") or ""])
    header = ["tunnel", "outside IP", "status", "ESP bytes in", "ESP bytes out"] + [
        "%s (in / out)" % phase_label(p) for p in phases] + ["detail"]
    return {"header": header, "rows": [[plain(v) for v in row] for row in rows]}


def vm_rows(report: Dict[str, Any]) -> Dict[str, Any]:
    return {"header": ["VM", "cloud", "private IP", "public IP"],
            "rows": [[plain(vm.get(k)) for k in ("name", "cloud", "private_ip", "public_ip")]
                     for vm in ordered_vms(report)]}


def _tried(tried):
    """[[1400, true], [1401, false]] as "1400 ok, 1401 dropped"."""
    steps = [pair for pair in tried or [] if isinstance(pair, (list, tuple)) and len(pair) == 2]
    return ", ".join("%s %s" % (size, "ok" if passed else "dropped") for size, passed in steps) or "n/a"


def mtu_rows(report: Dict[str, Any]) -> Dict[str, Any]:
    rows = []
    for c in report.get("mtu_checks") or []:
        largest = largest_df(c)
        rows.append([c.get("src"), "%s (%s)" % (c.get("dst"), c.get("dst_ip")), c.get("size"),
                     "n/a" if largest is None else "%d" % largest, _tried(c.get("tried")),
                     "ok" if c.get("ok") else "FAIL"])
    return {"header": ["from", "to", "must carry (bytes)", "largest DF (bytes)", "sizes tried",
                       "result"],
            "rows": [[plain(v) for v in row] for row in rows]}


def throughput_table(report: Dict[str, Any]) -> Dict[str, Any]:
    return {"header": ["from", "to", "path", "Mbit/s", "retransmits", "measured over", "error"],
            "rows": [[r["src"], r["dst"], r["path"], "n/a" if r["mbps"] is None else "%.1f" % r["mbps"],
                      plain(r["retransmits"]), r["over"] or "", r["error"] or ""]
                     for r in throughput_rows(report)]}


def tool_tables(report: Dict[str, Any]) -> List[Dict[str, Any]]:
    """One table per tool of report.json's ``tool_results`` that has records, in the registry's
    view order (a tool the registry does not know keeps its name and shows its error only)."""
    results = report.get("tool_results") or {}
    known = registry.view()
    order = {name: index for index, name in enumerate(registry.view_order())}
    tables = []
    for name in sorted(results, key=lambda tool: (order.get(tool, len(order)), tool)):
        rows = []
        for record in results[name] or []:
            if record.get("error"):
                outcome = "error: %s" % record["error"]
            elif name in known:
                outcome = registry.summary(name, record)
            else:
                outcome = "n/a"
            rows.append([plain(record.get("src")), plain(record.get("dst")), plain(record.get("path")),
                         plain(outcome)])
        if rows:
            tables.append({"tool": name, "label": known.get(name, {}).get("label", name),
                           "header": ["from", "to", "path", "result"], "rows": rows})
    return tables

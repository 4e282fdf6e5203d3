# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The charts, as SVG coordinates and colours for the page: the RTT heat map, loss and RTT per
pair, the tunnels' ESP counters per phase, the path MTU and the throughput. A big lab's charts
show its worst pairs and group its MTU checks."""

from __future__ import annotations

import math
from typing import Any, Dict, List, Optional, Tuple

from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting.colours import (
    HEAT_STOPS, LOSS_FILL, LOST_FILL, MISSING_FILL, SELF_FILL, heat_colour, heat_share, text_colour,
)
from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting.constants import PATHS, TCP_IP_HEADERS
from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting.fields import (
    clouds_by_vm, counter_phases, largest_df, measurement_index, measurement_state, ordered_vms,
    phase_label, shown_tool, tunnel_growth, vm_pairs,
)
from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting.formatting import fmt_bytes, fmt_ms, fmt_pct, number
from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting.tables import throughput_rows


CHART_W, RTT_X, RTT_END, VALUE_X, LOSS_X, LOSS_W, CHART_HEAD = 980, 190, 620, 632, 800, 110, 34


def nice_ceiling(value: Optional[float]) -> float:
    """The smallest 1, 2, 2.5 or 5 times a power of ten that is >= value (axis ends)."""
    if not value or value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value * (1 - 1e-9):
            return step * power
    return 10 * power


def ticks(high: float) -> List[float]:
    """Axis ticks from 0 to ``high`` (a nice_ceiling) at round steps: 250 by 50, 2 by 0.5."""
    for count in (5, 4):
        step = high / count
        mantissa = step / 10 ** math.floor(math.log10(step))
        if any(abs(mantissa - nice) < 1e-9 for nice in (1, 2, 5, 2.5)):
            return [step * i for i in range(count + 1)]
    return [high * i / 4 for i in range(5)]


def _scale(value, high, x0, x1):
    return x0 + (x1 - x0) * min(max(value, 0.0), high) / high


# --- RTT heat map -----------------------------------------------------------------------------

HEAT_LABEL_W, HEAT_HEAD, HEAT_GAP = 70, 66, 60


def _cell_size(count):
    return max(28, min(64, 400 // max(count, 1)))


def _rtt_range(report, tool):
    values = [number(m.get("rtt_avg_ms")) for m in report.get("measurements") or []
              if m.get("tool") == tool and m.get("received")]
    values = [v for v in values if v is not None and v > 0]
    if not values:
        return None, None
    low, high = min(values), max(values)
    return (low, high) if high > low * 1.01 else (low / 2, low * 2)


def _heat_cell(m, low, high, self_cell):
    if self_cell:
        return {"fill": SELF_FILL, "text": "-", "state": "self", "title": "same VM"}
    state = measurement_state(m)
    if state in ("missing", "error", "lost"):
        fill = {"missing": MISSING_FILL, "error": LOST_FILL, "lost": LOST_FILL}[state]
        text = {"missing": "n/a", "error": "error", "lost": "lost"}[state]
        return {"fill": fill, "text": text, "state": state,
                "title": (m or {}).get("error") or text}
    fill = heat_colour(heat_share(number(m.get("rtt_avg_ms")), low, high))
    text = fmt_ms(m.get("rtt_avg_ms"))
    title = "%s ms avg, %s loss" % (text, fmt_pct(m.get("loss_pct")))
    return {"fill": fill, "text": text, "state": state, "title": title}


HEAT_SUBTITLES = {"private": "between the clouds: through the tunnel",
                  "public": "over the internet, never the tunnel"}


def _heat_matrix(report, path, x0, tool, size):
    """One path's matrix: a cell per (row VM, column VM), its row and column labels."""
    names = [vm["name"] for vm in ordered_vms(report)]
    index, (low, high) = measurement_index(report), _rtt_range(report, tool)
    cells = []
    for r, src in enumerate(names):
        for c, dst in enumerate(names):
            cell = _heat_cell(index.get((src, dst, path, tool)), low, high, src == dst)
            cell.update(x=x0 + HEAT_LABEL_W + c * size, y=HEAT_HEAD + r * size, size=size,
                        text_fill=text_colour(cell["fill"]), src=src, dst=dst)
            cells.append(cell)
    return {"path": path, "x": x0, "cells": cells, "title": "%s addresses" % path,
            "subtitle": HEAT_SUBTITLES[path],
            "rows": [{"name": n, "x": x0 + HEAT_LABEL_W - 6, "y": HEAT_HEAD + r * size + size / 2}
                     for r, n in enumerate(names)],
            "cols": [{"name": n, "x": x0 + HEAT_LABEL_W + c * size + size / 2, "y": HEAT_HEAD - 8}
                     for c, n in enumerate(names)]}


def heatmap(report: Dict[str, Any], tool: Optional[str] = None) -> Dict[str, Any]:
    count = len(ordered_vms(report))
    tool = tool or shown_tool(report)
    low, high = _rtt_range(report, tool)
    size = _cell_size(count)
    width = HEAT_LABEL_W + size * count
    legend_y = HEAT_HEAD + size * count + 26
    return {"tool": tool, "font": max(9, min(13, size // 3)),
            "matrices": [_heat_matrix(report, path, p * (width + HEAT_GAP), tool, size)
                         for p, path in enumerate(PATHS)],
            # Narrow columns get their labels slanted, so vm10 and vm11 do not run together.
            "slant": size < 46,
            # The legend's swatches need ~760 px even when a small lab's matrices do not.
            "width": max(2 * width + HEAT_GAP, 760), "height": legend_y + 44,
            "measured": low is not None, "legend": _heat_legend(low, high, legend_y)}


def _heat_legend(low, high, y):
    width = 260
    stops = [{"offset": "%d%%" % round(100 * i / (len(HEAT_STOPS) - 1)), "colour": colour}
             for i, colour in enumerate(HEAT_STOPS)]
    labels = []
    if low is not None:
        for share in (0.0, 0.5, 1.0):
            value = math.exp(math.log(low) + share * (math.log(high) - math.log(low)))
            labels.append({"x": share * width, "text": fmt_ms(value)})
    return {"y": y, "width": width, "stops": stops, "labels": labels,
            "swatches": [{"x": width + 40, "fill": LOST_FILL, "text": "all lost / error"},
                         {"x": width + 180, "fill": LOSS_FILL, "text": "some loss (red frame)"},
                         {"x": width + 350, "fill": MISSING_FILL, "text": "not measured"}]}


# --- loss and RTT per pair (bar chart) --------------------------------------------------------

def _pair_row(index, tool, src, dst, clouds):
    paths = {path: index.get((src, dst, path, tool)) for path in PATHS}
    losses = [number((m or {}).get("loss_pct")) for m in paths.values()]
    worst = max([100.0 if m is None or measurement_state(m) in ("error", "missing") else (loss or 0.0)
                 for m, loss in zip(paths.values(), losses)])
    private = number((paths["private"] or {}).get("rtt_avg_ms")) or 0.0
    return {"src": src, "dst": dst, "cross": clouds.get(src) != clouds.get(dst), "paths": paths,
            "badness": (worst, private)}


def pair_rows(report: Dict[str, Any], max_pairs: int = 24) -> Tuple[List[Dict[str, Any]], int]:
    """Rows of the chart: every ordered pair, or the worst ``max_pairs`` of a big lab."""
    vms = ordered_vms(report)
    index, tool, clouds = measurement_index(report), shown_tool(report), clouds_by_vm(vms)
    rows = [_pair_row(index, tool, src, dst, clouds) for src, dst in vm_pairs(vms)]
    if len(rows) <= max_pairs:
        return rows, 0
    worst = sorted(rows, key=lambda r: r["badness"], reverse=True)[:max_pairs]
    return worst, len(rows) - len(worst)


def _rtt_bar(m, path, y, high):
    state = measurement_state(m)
    item = {"path": path, "y": y, "h": 10, "state": state, "x": RTT_X, "w": 0.0, "whisker": None,
            "text_x": VALUE_X, "loss_w": 0.0, "loss_text": "n/a", "loss_text_x": LOSS_X + 4}
    if state in ("ok", "loss"):
        avg = number(m.get("rtt_avg_ms")) or 0.0
        low, top = number(m.get("rtt_min_ms")), number(m.get("rtt_max_ms"))
        item["w"] = _scale(avg, high, RTT_X, RTT_END) - RTT_X
        if low is not None and top is not None:
            item["whisker"] = {"x1": _scale(low, high, RTT_X, RTT_END),
                               "x2": _scale(top, high, RTT_X, RTT_END), "y": y + 5}
        item["text"] = "%s %s ms" % (path, fmt_ms(avg))
        item["summary"] = "%s (%s-%s)" % (fmt_ms(avg), fmt_ms(low), fmt_ms(top))
    else:
        item["summary"] = {"lost": "all lost", "error": "error: %s" % (m or {}).get("error"),
                           "missing": "not measured"}[state]
        item["text"] = "%s: %s" % (path, {"error": "error"}.get(state, item["summary"]))
    loss = 100.0 if state in ("lost", "error") else number((m or {}).get("loss_pct"))
    if loss is not None:
        item["loss_w"] = LOSS_W * loss / 100
        item["loss_text"] = fmt_pct(loss)
        item["loss_text_x"] = LOSS_X + item["loss_w"] + 6
    return item


def pair_chart(report: Dict[str, Any], max_pairs: int = 24) -> Dict[str, Any]:
    rows, hidden = pair_rows(report, max_pairs)
    # Scaled to the averages: one slow echo should not squash every bar (its whisker is cut).
    averages = [number((m or {}).get("rtt_avg_ms")) for row in rows for m in row["paths"].values()]
    high = nice_ceiling(1.3 * max([v for v in averages if v is not None] or [1.0]))
    row_h = 30
    drawn = []
    for i, row in enumerate(rows):
        y = CHART_HEAD + i * row_h
        drawn.append({"label": "%s -> %s" % (row["src"], row["dst"]), "y": y, "h": row_h,
                      "cross": row["cross"], "label_y": y + row_h / 2,
                      "bars": [_rtt_bar(row["paths"][path], path, y + 4 + 12 * p, high)
                               for p, path in enumerate(PATHS)]})
    bottom = CHART_HEAD + len(rows) * row_h
    return {"width": CHART_W, "height": bottom + 24, "rows": drawn, "hidden": hidden,
            "tool": shown_tool(report), "bottom": bottom, "rtt_x": RTT_X, "value_x": VALUE_X,
            "loss_x": LOSS_X,
            "rtt_ticks": [{"x": _scale(v, high, RTT_X, RTT_END), "text": fmt_ms(v)}
                          for v in ticks(high)],
            "loss_ticks": [{"x": LOSS_X + LOSS_W * v / 100, "text": "%d%%" % v}
                           for v in (0, 50, 100)]}


# --- ESP counters per tunnel and phase --------------------------------------------------------

COUNTER_X, COUNTER_END, COUNTER_ROW, COUNTER_GROUP = 250, 760, 22, 26


def counter_chart(report: Dict[str, Any]) -> Dict[str, Any]:
    tunnels, phases = report.get("tunnels") or [], counter_phases(report)
    values = [v for t in tunnels for p in phases for v in tunnel_growth(report, p, t.get("name"))]
    # Bars stacked in + out: room for the sum and its label.
    high = nice_ceiling(max([v for v in values if v is not None] or [0]) * 2.6)
    groups, y = [], 8
    for t in tunnels:
        group: Dict[str, Any] = {
            "name": str(t.get("name")), "outside_ip": str(t.get("outside_ip") or "n/a"),
            "status": str(t.get("status") or "unknown").lower(), "y": y + 14, "rows": []}
        y += COUNTER_GROUP
        for phase in phases:
            group["rows"].append(_counter_row(report, phase, t.get("name"), y, high))
            y += COUNTER_ROW
        groups.append(group)
        y += 8
    return {"width": CHART_W, "height": y + 22, "groups": groups, "bottom": y,
            "x": COUNTER_X, "end": COUNTER_END, "measured": bool(phases and tunnels),
            "ticks": [{"x": _scale(v, high, COUNTER_X, COUNTER_END), "text": fmt_bytes(v)}
                      for v in ticks(high)]}


def _counter_row(report, phase, name, y, high):
    grown_in, grown_out = tunnel_growth(report, phase, name)
    row = {"phase": phase, "label": phase_label(phase), "y": y, "label_y": y + 13, "x": COUNTER_X}
    if grown_in is None or grown_out is None:
        return dict(row, in_w=0.0, out_w=0.0, text="n/a (counter not reported)", text_x=COUNTER_X + 4,
                    known=False)
    in_w = _scale(grown_in, high, COUNTER_X, COUNTER_END) - COUNTER_X
    out_w = _scale(grown_out, high, COUNTER_X, COUNTER_END) - COUNTER_X
    return dict(row, in_w=in_w, out_w=out_w, known=True, moved=grown_in + grown_out > 0,
                text="in %s, out %s" % (fmt_bytes(grown_in), fmt_bytes(grown_out)),
                text_x=COUNTER_X + in_w + out_w + 6)


# --- path MTU ---------------------------------------------------------------------------------

MTU_X, MTU_END, MTU_ROW = 250, 760, 24


def _mss(report, network, checks):
    for value in [network.get("tcp_mss"), report.get("mss_clamp")] + [c.get("mss_clamp") for c in checks]:
        if number(value):
            return int(number(value))
    return None


def _mtu_entry(checks, label, dst_ip=None):
    """One chart row for one check or a group of them; a group shows its weakest path."""
    largest = [v for v in (largest_df(c) for c in checks) if v is not None]
    good = sum(1 for c in checks if c.get("ok"))
    return {"label": label, "dst_ip": dst_ip or "", "ok": good == len(checks),
            "size": max([number(c.get("size")) or 0 for c in checks]) or None,
            "largest": min(largest) if largest else None,
            "count": len(checks), "good": good}


def mtu_entries(report: Dict[str, Any], max_rows: int = 12) -> List[Dict[str, Any]]:
    """Every check, or for a big lab the failed ones and one row per direction for the rest."""
    checks = [c for c in report.get("mtu_checks") or [] if isinstance(c, dict)]
    if len(checks) <= max_rows:
        return [_mtu_entry([c], "%s -> %s" % (c.get("src"), c.get("dst")), c.get("dst_ip"))
                for c in checks]
    clouds = clouds_by_vm(ordered_vms(report))
    failed = [c for c in checks if not c.get("ok")][:max_rows]
    entries = [_mtu_entry([c], "%s -> %s" % (c.get("src"), c.get("dst")), c.get("dst_ip"))
               for c in failed]
    groups: Dict[Tuple[Any, Any], List[Dict[str, Any]]] = {}
    for c in checks:
        if c not in failed:
            key = (clouds.get(c.get("src")) or "?", clouds.get(c.get("dst")) or "?")
            groups.setdefault(key, []).append(c)
    for (src, dst), members in sorted(groups.items()):
        entries.append(_mtu_entry(members, "%s -> %s VMs" % (src, dst), "%d paths" % len(members)))
    return entries


def mtu_view(report: Dict[str, Any], network: Dict[str, Any]) -> Dict[str, Any]:
    checks = [c for c in report.get("mtu_checks") or [] if isinstance(c, dict)]
    entries = mtu_entries(report)
    mss = _mss(report, network, checks)
    packet = mss + TCP_IP_HEADERS if mss else None
    sizes = [v for e in entries for v in (e["largest"], e["size"]) if v]
    low = 100 * math.floor((min(sizes + [packet or 1500]) - 100) / 100)
    high = 100 * math.ceil((max(sizes + [1500]) + 1) / 100)
    rows = [_mtu_row(entry, MTU_ROW * i + 30, low, high) for i, entry in enumerate(entries)]
    bottom = MTU_ROW * len(rows) + 30
    return {"rows": rows, "width": CHART_W, "height": bottom + 28, "mss": mss,
            "mss_packet": packet, "x": MTU_X, "end": MTU_END, "bottom": bottom,
            "mss_x": _scale(packet - low, high - low, MTU_X, MTU_END) if packet else None,
            "ticks": [{"x": _scale(v - low, high - low, MTU_X, MTU_END), "text": "%d" % v}
                      for v in range(low, high + 1, 100)]}


def _mtu_row(entry, y, low, high):
    size, largest = entry["size"], entry["largest"]
    reached = largest if largest is not None else (size if entry["ok"] else None)
    row = dict(entry, y=y, label_y=y + 14, x=MTU_X,
               w=_scale(reached - low, high - low, MTU_X, MTU_END) - MTU_X if reached else 0.0)
    if largest is not None:
        row["text"] = "largest DF packet %d bytes" % largest
    elif size is not None:
        row["text"] = "%d-byte DF packets %s" % (size, "pass" if entry["ok"] else "DROPPED")
    else:
        row["text"] = "n/a"
    if entry["count"] > 1:
        row["text"] += " (%d of %d pass%s)" % (entry["good"], entry["count"],
                                               ", the smallest" if largest is not None else "")
    row["text_x"] = MTU_X + row["w"] + 6
    return row


# --- throughput -------------------------------------------------------------------------------

def throughput_chart(report: Dict[str, Any]) -> Dict[str, Any]:
    rows = throughput_rows(report)
    high = nice_ceiling(max([r["mbps"] for r in rows if r["mbps"]] or [1.0]))
    for i, row in enumerate(rows):
        row.update(y=30 + 28 * i, label_y=30 + 28 * i + 15, x=MTU_X,
                   w=_scale(row["mbps"] or 0.0, high, MTU_X, MTU_END) - MTU_X)
        row["text_x"] = MTU_X + row["w"] + 6
    return {"rows": rows, "width": CHART_W, "height": 30 + 28 * len(rows) + 26, "x": MTU_X,
            "end": MTU_END, "bottom": 30 + 28 * len(rows),
            "ticks": [{"x": _scale(v, high, MTU_X, MTU_END), "text": "%g" % v} for v in ticks(high)]}

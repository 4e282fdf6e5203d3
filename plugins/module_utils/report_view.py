# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""View model of ``report.json`` for the role's templates (report.html.j2, report.md.j2).

Pure functions, no Ansible import. What is clumsy in Jinja2 lives here: number formats, colour
scales, SVG coordinates and the topology layout. The templates only place what this returns and
escape every value. Every field of the report may be missing (an older report, probes skipped on
an emulated cloud, no throughput or failover measured): the view then says "not measured".
"""

from __future__ import annotations

import math
import re

from ansible_collections.multicloud.vpnlab.plugins.module_utils.findings import probe_state

LEVELS = ("pass", "degraded", "fail")
HEADLINES = {
    "pass": "The VMs reach each other's private addresses through the tunnels.",
    "degraded": "Nothing failed, but the lab is not whole: a part is down or could not be checked.",
    "fail": "The VPN does not carry the lab's private traffic as it should.",
}
PATHS = ("private", "public")
TUNNEL_STATES = ("up", "down", "unknown")
TOOLS = ("ping", "mtr")
PHASE_LABELS = {"private_phase": "private probes", "public_phase": "public probes",
                "throughput_phase": "throughput"}
# IPv4 + TCP headers: a clamped MSS of N gives IP packets of N + 40 bytes.
TCP_IP_HEADERS = 40
# Sequential colour ramp (light = fast, dark = slow), from ColorBrewer's YlOrRd.
HEAT_STOPS = ("#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c",
              "#b10026")
CLOUD_TITLES = {"azure": "Azure VNet", "aws": "AWS VPC"}
CLOUD_ORDER = {"azure": 0, "aws": 2}


# --- formatting -------------------------------------------------------------------------------

def _number(value):
    """A float from a JSON value, None when there is none."""
    try:
        return None if value in (None, "") or isinstance(value, bool) else float(value)
    except (TypeError, ValueError):
        return None


def fmt_ms(value):
    """Milliseconds with three significant digits or so: 0.09, 1.02, 23.5, 120."""
    value = _number(value)
    if value is None:
        return "n/a"
    if value < 10:
        return "%.2f" % value
    return "%.1f" % value if value < 100 else "%d" % round(value)


def fmt_bytes(value):
    """Bytes in SI units: 812 B, 29.2 kB, 1.5 MB."""
    value = _number(value)
    if value is None:
        return "n/a"
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if abs(value) >= size:
            return "%.1f %s" % (value / size, unit)
    return "%d B" % value


def fmt_pct(value):
    value = _number(value)
    if value is None:
        return "n/a"
    return "%d%%" % value if value == int(value) else "%.1f%%" % value


def fmt_mbps(value):
    value = _number(value)
    if value is None:
        return "n/a"
    return "%.0f Mbit/s" % value if value >= 100 else "%.1f Mbit/s" % value


# --- colour scale -----------------------------------------------------------------------------

def _rgb(colour):
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def _mix(left, right, share):
    a, b = _rgb(left), _rgb(right)
    return "#%02x%02x%02x" % tuple(round(x + (y - x) * share) for x, y in zip(a, b))


def heat_share(value, low, high):
    """Where ``value`` sits between low and high on a log scale, 0..1."""
    if value is None or low is None or high is None or high <= low:
        return 0.0
    value = min(max(value, low), high)
    return (math.log(value) - math.log(low)) / (math.log(high) - math.log(low))


def heat_colour(share):
    """The ramp's colour at ``share`` (0..1)."""
    share = min(max(share, 0.0), 1.0) * (len(HEAT_STOPS) - 1)
    index = min(int(share), len(HEAT_STOPS) - 2)
    return _mix(HEAT_STOPS[index], HEAT_STOPS[index + 1], share - index)


def text_colour(background):
    """Black or white, whichever reads better on ``background``."""
    red, green, blue = _rgb(background)
    return "#000000" if 0.299 * red + 0.587 * green + 0.114 * blue > 140 else "#ffffff"


def nice_ceiling(value):
    """The smallest 1, 2, 2.5 or 5 times a power of ten that is >= value (axis ends)."""
    if not value or value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value * (1 - 1e-9):
            return step * power
    return 10 * power


def ticks(high):
    """Axis ticks from 0 to ``high`` (a nice_ceiling) at round steps: 250 by 50, 2 by 0.5."""
    for count in (5, 4):
        step = high / count
        mantissa = step / 10 ** math.floor(math.log10(step))
        if any(abs(mantissa - nice) < 1e-9 for nice in (1, 2, 5, 2.5)):
            return [step * i for i in range(count + 1)]
    return [high * i / 4 for i in range(5)]


# --- report fields ----------------------------------------------------------------------------

def finding(item):
    """A verdict line as a dict: text, cause, evidence, object, severity (strings or None).

    ``verdict.findings`` holds them structured (object, problem, cause, evidence); the
    ``failures``/``warnings`` lines (and older reports) are plain strings.
    """
    if isinstance(item, dict):
        problem, obj = _str_or_none(item.get("problem")), _str_or_none(item.get("object"))
        text = ("%s: %s" % (obj, problem) if obj and problem
                else problem or item.get("text") or item.get("message") or "")
        return {"text": str(text), "cause": _str_or_none(item.get("cause")),
                "evidence": _str_or_none(item.get("evidence")), "object": obj,
                "severity": _str_or_none(item.get("severity"))}
    return {"text": str(item), "cause": None, "evidence": None, "object": None, "severity": None}


def _str_or_none(value):
    return None if value in (None, "") else str(value)


def _findings(result):
    """(failures, warnings) of a verdict; the degraded findings lead the warnings."""
    structured = [finding(f) for f in result.get("findings") or [] if isinstance(f, dict)]
    if structured:
        failures = [f for f in structured if f["severity"] == "failure"]
        warnings = sorted((f for f in structured if f["severity"] != "failure"),
                          key=lambda f: f["severity"] != "degraded")
        return failures, warnings
    return ([dict(finding(f), severity="failure") for f in result.get("failures") or []],
            [dict(finding(w), severity="warning") for w in result.get("warnings") or []])


def verdict_view(report):
    result = report.get("verdict") or {}
    level = result.get("level")
    if level not in LEVELS:
        level = "pass" if result.get("ok") else "fail"
    failures, warnings = _findings(result)
    causes = (failures + warnings)[:3]
    summary = str(result.get("headline") or "")
    # The check's one-line headline starts with the level, which the banner shows already; a
    # failing one repeats the first cause, listed below it anyway.
    if summary.upper().startswith(level.upper() + ":"):
        summary = summary[len(level) + 1:].strip()
    return {"level": level, "word": level.upper(), "headline": HEADLINES[level],
            "summary": "" if level == "fail" else summary,
            "failures": failures, "warnings": warnings, "causes": causes,
            "more": len(failures) + len(warnings) - len(causes)}


def natural_key(name):
    """vm2 before vm10."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", str(name))]


def _vms(report):
    """The report's VMs, Azure first then AWS, each side in natural order (vm2 before vm10)."""
    vms = [vm for vm in report.get("vms") or [] if isinstance(vm, dict) and vm.get("name")]
    return sorted(vms, key=lambda vm: (CLOUD_ORDER.get(vm.get("cloud"), 1), natural_key(vm["name"])))


def _clouds(vms):
    return {vm["name"]: vm.get("cloud") for vm in vms}


def measurement_index(report):
    return {(m.get("src"), m.get("dst"), m.get("path"), m.get("tool")): m
            for m in report.get("measurements") or []}


def _tool(report):
    """ping when the report has ping measurements (plain echo RTT), else mtr."""
    tools = {m.get("tool") for m in report.get("measurements") or []}
    return next((tool for tool in TOOLS if tool in tools), "ping")


def _state(m):
    """ok, loss (some lost), lost (all lost), error, missing."""
    if m is None:
        return "missing"
    if m.get("error") and not m.get("received"):
        return "error"
    if not m.get("received"):
        return "lost"
    return "loss" if _number(m.get("loss_pct")) else "ok"


def _pairs(vms):
    return [(src["name"], dst["name"]) for src in vms for dst in vms if src["name"] != dst["name"]]


def _private_growth(report):
    """ESP bytes (in + out) each tunnel carried during the private probes, None if unknown."""
    phase = ((report.get("counters") or {}).get("private_phase") or {}).get("tunnels") or {}
    grown = {}
    for name, growth in phase.items():
        values = [_number((growth or {}).get(key)) for key in ("bytes_in", "bytes_out")]
        grown[name] = None if None in values else sum(values)
    return grown


def _tunnels(report):
    grown = _private_growth(report)
    tunnels = []
    for t in report.get("tunnels") or []:
        status = str(t.get("status") or "unknown").lower()
        carried = grown.get(t.get("name"))
        tunnels.append(dict(t, state=status if status in TUNNEL_STATES else "unknown",
                            status=status, carried=carried, active=bool(carried)))
    return tunnels


# --- the summary line of chips ----------------------------------------------------------------

def _chip(label, value, level):
    return {"label": label, "value": value, "level": level}


def _path_counts(report, vms, path):
    """(paths ok, of them those with a loss that did not repeat, paths) for the summary chip."""
    index, tool = measurement_index(report), _tool(report)
    # The verdict's own rule (findings.probe_state): a loss that did not repeat is a warning,
    # not a failed path, so the chip agrees with the headline.
    states = [probe_state(m) if m else "failed" for m in
              (index.get((src, dst, path, tool)) for src, dst in _pairs(vms))]
    once = states.count("transient")
    return states.count("ok") + once, once, len(states)


def summary_chips(report, tunnels):
    vms = _vms(report)
    clouds = [vm.get("cloud") for vm in vms]
    chips = [_chip("VMs", "%d (%d Azure, %d AWS)" % (len(vms), clouds.count("azure"),
                                                     clouds.count("aws")), "info")]
    chips.append(_tunnels_chip(tunnels))
    for path in PATHS:
        chips.append(_paths_chip(report, vms, path))
    mtu = [c for c in report.get("mtu_checks") or [] if isinstance(c, dict)]
    if mtu:
        good = sum(1 for c in mtu if c.get("ok"))
        chips.append(_chip("MTU checks", "%d of %d pass" % (good, len(mtu)),
                           "ok" if good == len(mtu) else "bad"))
    tunnel_rate = next((t for t in throughput_rows(report) if t["path"] == "private"), None)
    if tunnel_rate:
        chips.append(_chip("throughput in the tunnel", tunnel_rate["text"],
                           "bad" if tunnel_rate["error"] else "info"))
    return chips


def _tunnels_chip(tunnels):
    states = [t["state"] for t in tunnels]
    up, unknown = states.count("up"), states.count("unknown")
    value = "%d of %d" % (up, len(states)) + (" (%d unknown)" % unknown if unknown else "")
    if states and up == len(states):
        level = "ok"
    elif "down" in states:
        level = "warn" if up else "bad"
    else:
        level = "none" if states else "bad"
    return _chip("tunnels up", value, level)


def _paths_chip(report, vms, path):
    good, once, total = _path_counts(report, vms, path)
    label = "%s paths ok" % path
    if not report.get("measurements"):
        return _chip(label, "not measured", "none")
    if good == total:
        level = "warn" if once else "ok"
    else:
        level = "bad" if path == "private" else "warn"
    value = "%d of %d" % (good, total) + (" (%d lost once, not again)" % once if once else "")
    return _chip(label, value, level)


# --- topology (SVG coordinates) ---------------------------------------------------------------

VM_W, VM_H, GAP, PAD, HEAD = 176, 52, 12, 18, 46
GW_W, TUNNEL_STEP, GW_HEAD = 168, 56, 46
MIDDLE = 250


def _vm_health(report, vms):
    """bad for a VM that is a failure's object or whose every probe failed; else ok/unknown."""
    if not report.get("measurements"):
        return {vm["name"]: "unknown" for vm in vms}
    index, tool = measurement_index(report), _tool(report)
    objects = {f["object"] for f in verdict_view(report)["failures"]}
    health = {}
    for vm in vms:
        states = [_state(index.get((vm["name"], dst["name"], "private", tool)))
                  for dst in vms if dst["name"] != vm["name"]]
        dead = bool(states) and all(s in ("lost", "error", "missing") for s in states)
        ssh = ((vm.get("access") or {}).get("ssh") or "ok").lower()
        unreachable = ssh not in ("ok", "not tried")
        health[vm["name"]] = "bad" if dead or unreachable or vm["name"] in objects else "ok"
    return health


def _columns(count):
    return 1 if count <= 6 else 2


def _vm_boxes(vms, x0, y0, health):
    cols = _columns(len(vms))
    boxes = []
    for i, vm in enumerate(vms):
        col, row = i % cols, i // cols
        boxes.append({"x": x0 + col * (VM_W + GAP), "y": y0 + row * (VM_H + GAP), "w": VM_W,
                      "h": VM_H, "name": str(vm["name"]), "private_ip": str(vm.get("private_ip") or ""),
                      "public_ip": str(vm.get("public_ip") or "no public IP"),
                      "health": health.get(vm["name"], "unknown")})
    return boxes


def _grid_size(count):
    cols = _columns(count)
    rows = max(1, -(-count // cols))
    return cols * (VM_W + GAP) - GAP, rows * (VM_H + GAP) - GAP


def topology(report, tunnels, network):
    vms = _vms(report)
    health = _vm_health(report, vms)
    left = [vm for vm in vms if vm.get("cloud") != "aws"]
    right = [vm for vm in vms if vm.get("cloud") == "aws"]
    gw_h = GW_HEAD + TUNNEL_STEP * max(1, len(tunnels))
    (lw, lh), (rw, rh) = _grid_size(len(left)), _grid_size(len(right))
    box_h = HEAD + max(lh, rh, gw_h) + PAD
    left_w = PAD + lw + 2 * GAP + GW_W + PAD
    right_x = left_w + MIDDLE
    right_w = PAD + GW_W + 2 * GAP + rw + PAD
    gw_y = HEAD + (box_h - HEAD - PAD - gw_h) / 2
    azure_gw = {"x": left_w - PAD - GW_W, "y": gw_y, "w": GW_W, "h": gw_h,
                "title": "Azure VPN gateway", "ip": network.get("azure_gateway_ip") or ""}
    vgw = {"x": right_x + PAD, "y": gw_y, "w": GW_W, "h": gw_h, "title": "AWS VPN gateway",
           "ip": "virtual private gateway"}
    return {
        "width": right_x + right_w, "height": box_h + 8,
        "clouds": [
            {"x": 0, "y": 0, "w": left_w, "h": box_h, "cloud": "azure", "title": CLOUD_TITLES["azure"],
             "cidr": network.get("azure_vnet_cidr") or ""},
            {"x": right_x, "y": 0, "w": right_w, "h": box_h, "cloud": "aws",
             "title": CLOUD_TITLES["aws"], "cidr": network.get("aws_vpc_cidr") or ""}],
        "gateways": [azure_gw, vgw],
        "vms": (_vm_boxes(left, PAD, HEAD + (box_h - HEAD - PAD - lh) / 2, health)
                + _vm_boxes(right, vgw["x"] + GW_W + 2 * GAP, HEAD + (box_h - HEAD - PAD - rh) / 2,
                            health)),
        "tunnels": _tunnel_lines(tunnels, azure_gw, vgw),
        "internet": {"x": left_w + MIDDLE / 2, "y": 22},
    }


def _tunnel_lines(tunnels, azure_gw, vgw):
    lines = []
    for i, t in enumerate(tunnels):
        y = azure_gw["y"] + GW_HEAD + TUNNEL_STEP * i + TUNNEL_STEP / 2
        x1, x2 = azure_gw["x"] + azure_gw["w"], vgw["x"]
        role = {"down": "down: no traffic", "unknown": "state unknown"}.get(
            t["state"], "carries the traffic (%s)" % fmt_bytes(t["carried"]) if t["active"]
            else "standby")
        lines.append({"x1": x1, "x2": x2, "y": y, "mid_x": (x1 + x2) / 2, "name": str(t.get("name")),
                      "state": t["state"], "status": t["status"], "active": t["active"],
                      "outside_ip": str(t.get("outside_ip") or "n/a"), "role": role,
                      "detail": str(t.get("detail") or ""),
                      "label": "%s %s" % (t.get("name"), t["state"].upper())})
    return lines


# --- RTT heat map -----------------------------------------------------------------------------

HEAT_LABEL_W, HEAT_HEAD, HEAT_GAP = 70, 66, 60


def _cell_size(count):
    return max(28, min(64, 400 // max(count, 1)))


def _rtt_range(report, tool):
    values = [_number(m.get("rtt_avg_ms")) for m in report.get("measurements") or []
              if m.get("tool") == tool and m.get("received")]
    values = [v for v in values if v is not None and v > 0]
    if not values:
        return None, None
    low, high = min(values), max(values)
    return (low, high) if high > low * 1.01 else (low / 2, low * 2)


def _heat_cell(m, low, high, self_cell):
    if self_cell:
        return {"fill": "#eeeeee", "text": "-", "state": "self", "title": "same VM"}
    state = _state(m)
    if state in ("missing", "error", "lost"):
        fill = {"missing": "#f4f4f4", "error": "#333333", "lost": "#333333"}[state]
        text = {"missing": "n/a", "error": "error", "lost": "lost"}[state]
        return {"fill": fill, "text": text, "state": state,
                "title": (m or {}).get("error") or text}
    fill = heat_colour(heat_share(_number(m.get("rtt_avg_ms")), low, high))
    text = fmt_ms(m.get("rtt_avg_ms"))
    title = "%s ms avg, %s loss" % (text, fmt_pct(m.get("loss_pct")))
    return {"fill": fill, "text": text, "state": state, "title": title}


HEAT_SUBTITLES = {"private": "between the clouds: through the tunnel",
                  "public": "over the internet, never the tunnel"}


def _heat_matrix(report, path, x0, tool, size):
    """One path's matrix: a cell per (row VM, column VM), its row and column labels."""
    names = [vm["name"] for vm in _vms(report)]
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


def heatmap(report, tool=None):
    count = len(_vms(report))
    tool = tool or _tool(report)
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
            "swatches": [{"x": width + 40, "fill": "#333333", "text": "all lost / error"},
                         {"x": width + 180, "fill": "#ffffff", "text": "some loss (red frame)"},
                         {"x": width + 350, "fill": "#f4f4f4", "text": "not measured"}]}


# --- loss and RTT per pair (bar chart) --------------------------------------------------------

CHART_W, RTT_X, RTT_END, VALUE_X, LOSS_X, LOSS_W, CHART_HEAD = 980, 190, 620, 632, 800, 110, 34


def _pair_row(index, tool, src, dst, clouds):
    paths = {path: index.get((src, dst, path, tool)) for path in PATHS}
    losses = [_number((m or {}).get("loss_pct")) for m in paths.values()]
    worst = max([100.0 if m is None or _state(m) in ("error", "missing") else (loss or 0.0)
                 for m, loss in zip(paths.values(), losses)])
    private = _number((paths["private"] or {}).get("rtt_avg_ms")) or 0.0
    return {"src": src, "dst": dst, "cross": clouds.get(src) != clouds.get(dst), "paths": paths,
            "badness": (worst, private)}


def pair_rows(report, max_pairs=24):
    """Rows of the chart: every ordered pair, or the worst ``max_pairs`` of a big lab."""
    vms = _vms(report)
    index, tool, clouds = measurement_index(report), _tool(report), _clouds(vms)
    rows = [_pair_row(index, tool, src, dst, clouds) for src, dst in _pairs(vms)]
    if len(rows) <= max_pairs:
        return rows, 0
    worst = sorted(rows, key=lambda r: r["badness"], reverse=True)[:max_pairs]
    return worst, len(rows) - len(worst)


def _scale(value, high, x0, x1):
    return x0 + (x1 - x0) * min(max(value, 0.0), high) / high


def _rtt_bar(m, path, y, high):
    state = _state(m)
    item = {"path": path, "y": y, "h": 10, "state": state, "x": RTT_X, "w": 0.0, "whisker": None,
            "text_x": VALUE_X, "loss_w": 0.0, "loss_text": "n/a", "loss_text_x": LOSS_X + 4}
    if state in ("ok", "loss"):
        avg = _number(m.get("rtt_avg_ms")) or 0.0
        low, top = _number(m.get("rtt_min_ms")), _number(m.get("rtt_max_ms"))
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
    loss = 100.0 if state in ("lost", "error") else _number((m or {}).get("loss_pct"))
    if loss is not None:
        item["loss_w"] = LOSS_W * loss / 100
        item["loss_text"] = fmt_pct(loss)
        item["loss_text_x"] = LOSS_X + item["loss_w"] + 6
    return item


def pair_chart(report, max_pairs=24):
    rows, hidden = pair_rows(report, max_pairs)
    # Scaled to the averages: one slow echo should not squash every bar (its whisker is cut).
    averages = [_number((m or {}).get("rtt_avg_ms")) for row in rows for m in row["paths"].values()]
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
            "tool": _tool(report), "bottom": bottom, "rtt_x": RTT_X, "value_x": VALUE_X,
            "loss_x": LOSS_X,
            "rtt_ticks": [{"x": _scale(v, high, RTT_X, RTT_END), "text": fmt_ms(v)}
                          for v in ticks(high)],
            "loss_ticks": [{"x": LOSS_X + LOSS_W * v / 100, "text": "%d%%" % v}
                           for v in (0, 50, 100)]}


# --- ESP counters per tunnel and phase --------------------------------------------------------

COUNTER_X, COUNTER_END, COUNTER_ROW, COUNTER_GROUP = 250, 760, 22, 26


def _phases(report):
    counters = report.get("counters") or {}
    known = [p for p in PHASE_LABELS if p in counters]
    return known + sorted(p for p in counters if p not in PHASE_LABELS and isinstance(counters[p], dict))


def phase_label(phase):
    return PHASE_LABELS.get(phase, str(phase).replace("_phase", "").replace("_", " "))


def _growth(report, phase, name):
    growth = (((report.get("counters") or {}).get(phase) or {}).get("tunnels") or {}).get(name) or {}
    return _number(growth.get("bytes_in")), _number(growth.get("bytes_out"))


def counter_chart(report):
    tunnels, phases = report.get("tunnels") or [], _phases(report)
    values = [v for t in tunnels for p in phases for v in _growth(report, p, t.get("name"))]
    # Bars stacked in + out: room for the sum and its label.
    high = nice_ceiling(max([v for v in values if v is not None] or [0]) * 2.6)
    groups, y = [], 8
    for t in tunnels:
        group = {"name": str(t.get("name")), "outside_ip": str(t.get("outside_ip") or "n/a"),
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
    grown_in, grown_out = _growth(report, phase, name)
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


def _largest(check):
    """The largest Don't-Fragment packet that got through; older reports tried one size only."""
    return _number(check.get("largest"))


def _mss(report, network, checks):
    for value in [network.get("tcp_mss"), report.get("mss_clamp")] + [c.get("mss_clamp") for c in checks]:
        if _number(value):
            return int(_number(value))
    return None


def _mtu_entry(checks, label, dst_ip=None):
    """One chart row for one check or a group of them; a group shows its weakest path."""
    largest = [v for v in (_largest(c) for c in checks) if v is not None]
    good = sum(1 for c in checks if c.get("ok"))
    return {"label": label, "dst_ip": dst_ip or "", "ok": good == len(checks),
            "size": max([_number(c.get("size")) or 0 for c in checks]) or None,
            "largest": min(largest) if largest else None,
            "count": len(checks), "good": good}


def mtu_entries(report, max_rows=12):
    """Every check, or for a big lab the failed ones and one row per direction for the rest."""
    checks = [c for c in report.get("mtu_checks") or [] if isinstance(c, dict)]
    if len(checks) <= max_rows:
        return [_mtu_entry([c], "%s -> %s" % (c.get("src"), c.get("dst")), c.get("dst_ip"))
                for c in checks]
    clouds = _clouds(_vms(report))
    failed = [c for c in checks if not c.get("ok")][:max_rows]
    entries = [_mtu_entry([c], "%s -> %s" % (c.get("src"), c.get("dst")), c.get("dst_ip"))
               for c in failed]
    groups = {}
    for c in checks:
        if c not in failed:
            key = (clouds.get(c.get("src")) or "?", clouds.get(c.get("dst")) or "?")
            groups.setdefault(key, []).append(c)
    for (src, dst), members in sorted(groups.items()):
        entries.append(_mtu_entry(members, "%s -> %s VMs" % (src, dst), "%d paths" % len(members)))
    return entries


def mtu_view(report, network):
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

def throughput_rows(report):
    rows = []
    for entry in report.get("throughput") or []:
        if not isinstance(entry, dict):
            continue
        rate, error = _number(entry.get("mbps")), _str_or_none(entry.get("error"))
        path = entry.get("path") or "private"
        retrans = entry.get("retransmits")
        text = "error: %s" % error if error else fmt_mbps(rate)
        if retrans is not None and not error:
            text += ", %s retransmits" % retrans
        seconds, omitted = _number(entry.get("seconds")), _number(entry.get("omitted_s"))
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


def throughput_chart(report):
    rows = throughput_rows(report)
    high = nice_ceiling(max([r["mbps"] for r in rows if r["mbps"]] or [1.0]))
    for i, row in enumerate(rows):
        row.update(y=30 + 28 * i, label_y=30 + 28 * i + 15, x=MTU_X,
                   w=_scale(row["mbps"] or 0.0, high, MTU_X, MTU_END) - MTU_X)
        row["text_x"] = MTU_X + row["w"] + 6
    return {"rows": rows, "width": CHART_W, "height": 30 + 28 * len(rows) + 26, "x": MTU_X,
            "end": MTU_END, "bottom": 30 + 28 * len(rows),
            "ticks": [{"x": _scale(v, high, MTU_X, MTU_END), "text": "%g" % v} for v in ticks(high)]}


# --- failover and tables ----------------------------------------------------------------------

def _plain(value):
    if isinstance(value, float):
        return "%g" % value
    if isinstance(value, (list, tuple)):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return ", ".join("%s %s" % (k, _plain(v)) for k, v in sorted(value.items()))
    return "n/a" if value is None else str(value)


def failover_items(report):
    failover = report.get("failover")
    if not isinstance(failover, dict) or not failover:
        return []
    return [{"label": str(key).replace("_", " "), "value": _plain(value)}
            for key, value in sorted(failover.items())]


def _rtt_cell(m):
    state = _state(m)
    if state in ("missing", "error", "lost"):
        return {"missing": "n/a", "error": "error", "lost": "lost"}[state]
    text = fmt_ms(m.get("rtt_avg_ms"))
    return text + (" (%s loss)" % fmt_pct(m["loss_pct"]) if state == "loss" else "")


def rtt_tables(report):
    names = [vm["name"] for vm in _vms(report)]
    index = measurement_index(report)
    tools = [tool for tool in TOOLS if any(m.get("tool") == tool for m in report.get("measurements") or [])]
    return [{"tool": tool, "header": ["from \\ to"] + names,
             "rows": [[src] + ["-" if src == dst else " / ".join(
                 _rtt_cell(index.get((src, dst, path, tool))) for path in PATHS) for dst in names]
                 for src in names]} for tool in tools]


def _hop_text(hop):
    if _number(hop.get("avg_ms")) is None:
        return str(hop.get("host"))
    return "%s %s ms" % (hop.get("host"), fmt_ms(hop["avg_ms"]))


def hop_items(report):
    items = []
    for m in report.get("measurements") or []:
        if m.get("tool") != "mtr" or m.get("path") != "private":
            continue
        route = ("error: %s" % m["error"] if m.get("error")
                 else " > ".join(_hop_text(hop) for hop in m.get("hops") or []) or "no hop answered")
        items.append("%s -> %s (%s): %s" % (m.get("src"), m.get("dst"), m.get("dst_ip"), route))
    return items


def tunnel_rows(report, tunnels):
    phases = _phases(report)
    rows = []
    for t in tunnels:
        growth = []
        for phase in phases:
            grown = _growth(report, phase, t.get("name"))
            growth.append(" / ".join("n/a" if v is None else "+" + fmt_bytes(v) for v in grown))
        rows.append([t.get("name"), t.get("outside_ip"), t["status"], fmt_bytes(t.get("bytes_in")),
                     fmt_bytes(t.get("bytes_out"))] + growth + [t.get("detail") or ""])
    header = ["tunnel", "outside IP", "status", "ESP bytes in", "ESP bytes out"] + [
        "%s (in / out)" % phase_label(p) for p in phases] + ["detail"]
    return {"header": header, "rows": [[_plain(v) for v in row] for row in rows]}


def vm_rows(report):
    return {"header": ["VM", "cloud", "private IP", "public IP"],
            "rows": [[_plain(vm.get(k)) for k in ("name", "cloud", "private_ip", "public_ip")]
                     for vm in _vms(report)]}


def _tried(tried):
    """[[1400, true], [1401, false]] as "1400 ok, 1401 dropped"."""
    steps = [pair for pair in tried or [] if isinstance(pair, (list, tuple)) and len(pair) == 2]
    return ", ".join("%s %s" % (size, "ok" if passed else "dropped") for size, passed in steps) or "n/a"


def mtu_rows(report):
    rows = []
    for c in report.get("mtu_checks") or []:
        largest = _largest(c)
        rows.append([c.get("src"), "%s (%s)" % (c.get("dst"), c.get("dst_ip")), c.get("size"),
                     "n/a" if largest is None else "%d" % largest, _tried(c.get("tried")),
                     "ok" if c.get("ok") else "FAIL"])
    return {"header": ["from", "to", "must carry (bytes)", "largest DF (bytes)", "sizes tried",
                       "result"],
            "rows": [[_plain(v) for v in row] for row in rows]}


def throughput_table(report):
    return {"header": ["from", "to", "path", "Mbit/s", "retransmits", "measured over", "error"],
            "rows": [[r["src"], r["dst"], r["path"], "n/a" if r["mbps"] is None else "%.1f" % r["mbps"],
                      _plain(r["retransmits"]), r["over"] or "", r["error"] or ""]
                     for r in throughput_rows(report)]}


# --- everything at once -----------------------------------------------------------------------

def _skipped(report):
    """Why the VMs were not probed, None when they were."""
    probes = report.get("probes")
    if isinstance(probes, dict) and probes.get("run") is False:
        return str(probes.get("reason") or "probes off")
    return None


def _rounded(value):
    """Coordinates to 0.1 px, so the page stays small and the same report renders the same."""
    if isinstance(value, float):
        return round(value, 1)
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_rounded(item) for item in value]
    return value


def build_view(report, network=None, max_pairs=24):
    """The whole view model of one report; ``network`` adds what the plan knows (CIDRs, MSS)."""
    return _rounded(_view(report or {}, network, max_pairs))


def _view(report, network, max_pairs):
    known = report.get("networks") or {}
    network = dict({k: v for k, v in (network or {}).items() if v},
                   **{"%s_cidr" % {"azure": "azure_vnet", "aws": "aws_vpc"}[cloud]: known[cloud]
                      for cloud in ("azure", "aws") if known.get(cloud)})
    tunnels = _tunnels(report)
    verdict = verdict_view(report)
    return {
        "lab": str(report.get("lab") or "unnamed"),
        "target": str(report.get("target") or "unknown"),
        "generated_at": str(report.get("generated_at") or "n/a"),
        "verdict": verdict,
        "title": "VPN lab %s (%s): %s" % (report.get("lab"), report.get("target"), verdict["word"]),
        "chips": summary_chips(report, tunnels),
        "measured": bool(report.get("measurements")),
        "measurement_count": len(report.get("measurements") or []),
        "topology": topology(report, tunnels, network),
        "heatmap": heatmap(report),
        "pairs": pair_chart(report, max_pairs),
        "counters": counter_chart(report),
        "mtu": mtu_view(report, network),
        "throughput": throughput_chart(report),
        "failover": failover_items(report),
        "tables": {"vms": vm_rows(report), "tunnels": tunnel_rows(report, tunnels),
                   "rtt": rtt_tables(report), "mtu": mtu_rows(report),
                   "throughput": throughput_table(report)},
        "hops": hop_items(report),
        "skipped": _skipped(report),
        "notes": [str(note) for note in report.get("notes") or []],
    }

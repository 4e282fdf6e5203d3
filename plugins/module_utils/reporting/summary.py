# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The top of the page: the verdict's banner (level, headline, the first causes) and the line of
summary chips (VMs, tunnels, paths, MTU, throughput). The path chips count by the verdict's own
rule (findings.probe_state), so they never contradict the headline."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting.constants import LEVELS, PATHS
from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting.fields import (
    measurement_index, ordered_vms, shown_tool, vm_pairs,
)
from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting.findings import probe_state
from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting.formatting import text_or_none
from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting.tables import throughput_rows


HEADLINES = {
    "pass": "The VMs reach each other's private addresses through the tunnels.",
    "degraded": "Nothing failed, but the lab is not whole: a part is down or could not be checked.",
    "fail": "The VPN does not carry the lab's private traffic as it should.",
}


def verdict_line(item: Any) -> Dict[str, Optional[str]]:
    """A verdict line as the page shows it: text, cause, evidence, object, severity (strings or
    None). (findings.finding builds a finding; this reads one, or an older report's plain line.)

    ``verdict.findings`` holds them structured (object, problem, cause, evidence); the
    ``failures``/``warnings`` lines (and older reports) are plain strings.
    """
    if isinstance(item, dict):
        problem, obj = text_or_none(item.get("problem")), text_or_none(item.get("object"))
        text = ("%s: %s" % (obj, problem) if obj and problem
                else problem or item.get("text") or item.get("message") or "")
        return {"text": str(text), "cause": text_or_none(item.get("cause")),
                "evidence": text_or_none(item.get("evidence")), "object": obj,
                "severity": text_or_none(item.get("severity"))}
    return {"text": str(item), "cause": None, "evidence": None, "object": None, "severity": None}


def _findings(result):
    """(failures, warnings) of a verdict; the degraded findings lead the warnings."""
    structured = [verdict_line(f) for f in result.get("findings") or [] if isinstance(f, dict)]
    if structured:
        failures = [f for f in structured if f["severity"] == "failure"]
        warnings = sorted((f for f in structured if f["severity"] != "failure"),
                          key=lambda f: f["severity"] != "degraded")
        return failures, warnings
    return ([dict(verdict_line(f), severity="failure") for f in result.get("failures") or []],
            [dict(verdict_line(w), severity="warning") for w in result.get("warnings") or []])


def verdict_view(report: Dict[str, Any]) -> Dict[str, Any]:
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


# --- the summary line of chips ----------------------------------------------------------------

def _chip(label, value, level):
    return {"label": label, "value": value, "level": level}


def _path_counts(report, vms, path):
    """(paths ok, of them those with a loss that did not repeat, paths) for the summary chip."""
    index, tool = measurement_index(report), shown_tool(report)
    # The verdict's own rule (findings.probe_state): a loss that did not repeat is a warning,
    # not a failed path, so the chip agrees with the headline.
    states = [probe_state(m) if m else "failed" for m in
              (index.get((src, dst, path, tool)) for src, dst in vm_pairs(vms))]
    once = states.count("transient")
    return states.count("ok") + once, once, len(states)


def summary_chips(report: Dict[str, Any], tunnels: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    vms = ordered_vms(report)
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

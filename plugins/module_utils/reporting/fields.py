# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The report's fields as every part of the view reads them: the VMs in drawing order, the
measurement of a pair and its state, the tunnels with what they carried, the counter phases, an
MTU check's largest packet. Every field may be missing (an older report, probes skipped on an
emulated cloud)."""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Tuple, Union

from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting.constants import (
    COUNTER_KEYS, PHASE_LABELS, SHOWN_TOOLS, TUNNEL_STATES,
)
from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting.formatting import number


# Azure's VMs are drawn on the left, AWS's on the right; a VM of neither cloud in between.
CLOUD_ORDER: Dict[Optional[str], int] = {"azure": 0, "aws": 2}


def natural_key(name: Any) -> List[Union[int, str]]:
    """vm2 before vm10."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", str(name))]


def ordered_vms(report: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The report's VMs, Azure first then AWS, each side in natural order (vm2 before vm10)."""
    vms = [vm for vm in report.get("vms") or [] if isinstance(vm, dict) and vm.get("name")]
    return sorted(vms, key=lambda vm: (CLOUD_ORDER.get(vm.get("cloud"), 1), natural_key(vm["name"])))


def clouds_by_vm(vms: List[Dict[str, Any]]) -> Dict[Any, Any]:
    """{VM name: its cloud}."""
    return {vm["name"]: vm.get("cloud") for vm in vms}


def measurement_index(report: Dict[str, Any]) -> Dict[Tuple[Any, Any, Any, Any], Dict[str, Any]]:
    """{(src, dst, path, tool): measurement}."""
    return {(m.get("src"), m.get("dst"), m.get("path"), m.get("tool")): m
            for m in report.get("measurements") or []}


def shown_tool(report: Dict[str, Any]) -> str:
    """ping when the report has ping measurements (plain echo RTT), else mtr."""
    tools = {m.get("tool") for m in report.get("measurements") or []}
    return next((tool for tool in SHOWN_TOOLS if tool in tools), SHOWN_TOOLS[0])


def measurement_state(m: Optional[Dict[str, Any]]) -> str:
    """ok, loss (some lost), lost (all lost), error, missing."""
    if m is None:
        return "missing"
    if m.get("error") and not m.get("received"):
        return "error"
    if not m.get("received"):
        return "lost"
    return "loss" if number(m.get("loss_pct")) else "ok"


def vm_pairs(vms: List[Dict[str, Any]]) -> List[Tuple[str, str]]:
    """Every ordered pair of distinct VMs, (src, dst), in the VMs' order."""
    return [(src["name"], dst["name"]) for src in vms for dst in vms if src["name"] != dst["name"]]


def _private_growth(report):
    """ESP bytes (in + out) each tunnel carried during the private probes, None if unknown."""
    phase = ((report.get("counters") or {}).get("private_phase") or {}).get("tunnels") or {}
    grown = {}
    for name, growth in phase.items():
        values = [number((growth or {}).get(key)) for key in COUNTER_KEYS]
        grown[name] = None if None in values else sum(values)
    return grown


def view_tunnels(report: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The tunnel records with their ``state`` (one of TUNNEL_STATES), lower-case ``status``,
    the bytes they ``carried`` during the private probes and whether that made them ``active``."""
    grown = _private_growth(report)
    tunnels = []
    for t in report.get("tunnels") or []:
        status = str(t.get("status") or "unknown").lower()
        carried = grown.get(t.get("name"))
        tunnels.append(dict(t, state=status if status in TUNNEL_STATES else "unknown",
                            status=status, carried=carried, active=bool(carried)))
    return tunnels


def counter_phases(report: Dict[str, Any]) -> List[str]:
    """The report's counter phases: the known ones in PHASE_LABELS' order, then any other."""
    counters = report.get("counters") or {}
    known = [p for p in PHASE_LABELS if p in counters]
    return known + sorted(p for p in counters if p not in PHASE_LABELS and isinstance(counters[p], dict))


def phase_label(phase: str) -> str:
    """A counter phase as the pages name it."""
    return PHASE_LABELS.get(phase, str(phase).replace("_phase", "").replace("_", " "))


def tunnel_growth(report: Dict[str, Any], phase: str, name: Any) -> Tuple[Optional[float], Optional[float]]:
    """(bytes in, bytes out) a tunnel's counters grew in a phase, None where unknown."""
    growth = (((report.get("counters") or {}).get(phase) or {}).get("tunnels") or {}).get(name) or {}
    return number(growth.get("bytes_in")), number(growth.get("bytes_out"))


def largest_df(check: Dict[str, Any]) -> Optional[float]:
    """The largest Don't-Fragment packet that got through; older reports tried one size only."""
    return number(check.get("largest"))

# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab_report module's parameters, and the report's files: report.json always, and pages
(report.html, report.md) rendered from the report's view model when the action plugin, which
runs on the controller, gives their templates. One home for both, so the module (docs, direct
use) and the action (the check's one step) cannot drift apart."""

from __future__ import annotations

import json
import os
from typing import Any, Dict, List

from ansible_collections.multicloud.vpnlab.plugins.module_utils.files import write_atomic
from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting.model import (
    build_report, from_probe_runs, tool_results_from_runs,
)
from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting.constants import TOOLS

ARGUMENT_SPEC = dict(
    lab=dict(type="str", required=True),
    target=dict(type="str", required=True),
    vms=dict(type="list", elements="dict", required=True),
    measurements=dict(type="list", elements="dict", default=[]),
    runs=dict(type="list", elements="dict", default=[]),
    throughput=dict(type="list", elements="dict"),
    networks=dict(type="dict", default={}),
    mss_clamp=dict(type="int"),
    require_all_tunnels=dict(type="bool", default=False),
    failover=dict(type="dict"),
    counter_min_growth_bytes=dict(type="int", default=1),
    counter_settle_seconds=dict(type="int", default=0),
    counter_waited_seconds=dict(type="int", default=0),
    evidence=dict(type="dict", required=True),
    require_public=dict(type="bool", default=True),
    mtu_checks=dict(type="list", elements="dict", default=[]),
    mtu=dict(type="int", default=1400),
    tools=dict(type="list", elements="str", choices=list(TOOLS), default=list(TOOLS)),
    probes=dict(type="bool", default=True),
    probes_reason=dict(type="str"),
    state_dir=dict(type="path", required=True),
    pages=dict(type="list", elements="str", choices=["report.html", "report.md"], default=[]),
    page_network=dict(type="dict", default={}),
    routing=dict(type="dict"),
)


def report_from(params: Dict[str, Any]) -> Dict[str, Any]:
    """The report (the content of report.json) from the module's parameters."""
    p = params
    measurements, mtu_checks, access = from_probe_runs(p["runs"])
    return build_report(p["lab"], p["target"], p["vms"], p["evidence"],
                        p["measurements"] + measurements, require_public=p["require_public"],
                        tools=p["tools"], mtu_checks=p["mtu_checks"] + mtu_checks, mtu=p["mtu"],
                        probes=p["probes"], probes_reason=p["probes_reason"], access=access,
                        networks=p["networks"], mss_clamp=p["mss_clamp"],
                        throughput=p["throughput"], failover=p["failover"],
                        require_all_tunnels=p["require_all_tunnels"],
                        counter_min_growth_bytes=p["counter_min_growth_bytes"],
                        counter_settle_seconds=p["counter_settle_seconds"],
                        counter_waited_seconds=p["counter_waited_seconds"],
                        tool_results=tool_results_from_runs(p["runs"]), routing=p.get("routing"))


def report_json(report: Dict[str, Any]) -> str:
    return json.dumps(report, indent=2, sort_keys=True) + "\n"


def write_files(state_dir: str, contents: Dict[str, str], check_mode: bool = False) -> List[str]:
    """Write {file name: text} into the state directory (each replaced in one step); returns
    their paths, sorted. Reports hold no secrets: readable, to be shared."""
    files = [os.path.join(state_dir, name) for name in sorted(contents)]
    if not check_mode:
        os.makedirs(state_dir, mode=0o700, exist_ok=True)
        for name in sorted(contents):
            write_atomic(os.path.join(state_dir, name), contents[name], mode=0o644)
    return files

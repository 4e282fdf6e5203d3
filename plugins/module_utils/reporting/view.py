# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The view model of ``report.json`` for the role's templates (report.html.j2, report.md.j2), all
parts at once.

Pure functions, no Ansible import. What is clumsy in Jinja2 lives in this package: number formats
(formatting.py), colour scales (colours.py), the topology layout (topology.py), SVG coordinates
of the charts (charts.py), the tables (tables.py), the banner and chips (summary.py). The
templates only place what this returns and escape every value. Every field of the report may be
missing (an older report, probes skipped on an emulated cloud, no throughput or failover
measured): the view then says "not measured"."""

from __future__ import annotations

from typing import Any, Dict, Optional

from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting.charts import (
    counter_chart, heatmap, mtu_view, pair_chart, throughput_chart,
)
from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting.fields import view_tunnels
from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting.formatting import rounded
from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting.summary import summary_chips, verdict_view
from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting.routing import routing_table
from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting.tables import (
    failover_items, hop_items, mtu_rows, rtt_tables, throughput_table, tool_tables, tunnel_rows,
    vm_rows,
)
from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting.topology import topology


def skipped(report: Dict[str, Any]) -> Optional[str]:
    """Why the VMs were not probed, None when they were."""
    probes = report.get("probes")
    if isinstance(probes, dict) and probes.get("run") is False:
        return str(probes.get("reason") or "probes off")
    return None


def build_view(report: Optional[Dict[str, Any]], network: Optional[Dict[str, Any]] = None,
               max_pairs: int = 24) -> Dict[str, Any]:
    """The whole view model of one report; ``network`` adds what the plan knows (CIDRs, MSS)."""
    return rounded(_view(report or {}, network, max_pairs))


def _view(report, network, max_pairs):
    known = report.get("networks") or {}
    network = dict({k: v for k, v in (network or {}).items() if v},
                   **{"%s_cidr" % {"azure": "azure_vnet", "aws": "aws_vpc"}[cloud]: known[cloud]
                      for cloud in ("azure", "aws") if known.get(cloud)})
    tunnels = view_tunnels(report)
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
                   "throughput": throughput_table(report), "tools": tool_tables(report),
                   "routing": routing_table(report)},
        "hops": hop_items(report),
        "skipped": skipped(report),
        "notes": [str(note) for note in report.get("notes") or []],
    }

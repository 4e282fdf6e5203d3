# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The report's vocabulary, one place for the model (model.py, findings.py) and the view (the
other modules of this package): verdict levels, tunnel states, path kinds, the tools and their
order, the counter phases, the clouds' names. Changing one here changes report.json and the
pages together; a module of the package that spelled one again would let them drift apart
(tests/unit/plugins/module_utils/reporting/test_package.py fails on a copy)."""

from __future__ import annotations

# The measurement registry defines what a check measures; the report only reads its names.
# TOOLS: the tools whose results are report.json's measurements[] (the registry's loss tools).
from ansible_collections.multicloud.vpnlab.plugins.module_utils.measurements import (
    LOSS_TOOLS as TOOLS, PATHS, view_order,
)

__all__ = ["CLOUD_NAMES", "COUNTER_KEYS", "LEVELS", "NETWORK_TITLES", "PATHS", "PHASE_LABELS",
           "SHOWN_TOOLS", "TCP_IP_HEADERS", "TOOLS", "TUNNEL_STATES"]

# The verdict's levels, best first: report.json's verdict.level and the page's banner.
LEVELS = ("pass", "degraded", "fail")
# A tunnel record's status; anything else an evidence source says is "unknown".
TUNNEL_STATES = ("up", "down", "unknown")
# A tunnel's ESP byte counters (as the Azure side sees them: in from AWS, out to AWS).
COUNTER_KEYS = ("bytes_in", "bytes_out")
# The phases of report.json's `counters` (the growth during each probe phase) as the pages name
# them, in the order they are drawn.
PHASE_LABELS = {"private_phase": "private probes", "public_phase": "public probes",
                "throughput_phase": "throughput"}
# IPv4 + TCP headers: a clamped MSS of N gives IP packets of N + 40 bytes.
TCP_IP_HEADERS = 40

# A cloud named in a sentence ("check the route ... on the Azure side").
CLOUD_NAMES = {"azure": "Azure", "aws": "AWS"}
# The title of a cloud's network in the topology drawing.
NETWORK_TITLES = {"azure": "Azure VNet", "aws": "AWS VPC"}

# The loss tools as the pages show them, in the registry's view order: ping first (its plain
# echo RTT is what the heat map, the pair chart and the summary chips draw), then mtr.
# report.json lists them in the registry's order (TOOLS). The pages print the tool's name.
SHOWN_TOOLS = tuple(name for name in view_order() if name in TOOLS)

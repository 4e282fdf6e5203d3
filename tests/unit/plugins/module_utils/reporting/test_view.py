# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The whole view model: any report, however incomplete, gives every part; coordinates rounded.

Reports are real local labs' report.json (report_fixtures.py) and small changes of them."""

from __future__ import annotations

import json

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting import view

from report_fixtures import LAB12, LAB3, lab3


@pytest.mark.parametrize("report", [
    {}, {"lab": "x"}, {"lab": "x", "vms": LAB3["vms"], "verdict": {"ok": False}},
    lab3(counters=None, mtu_checks=None, tunnels=None, measurements=None),
    lab3(measurements=[], probes={"run": False, "reason": "emulated cloud"}),
    LAB12,
], ids=["empty", "lab only", "no data", "nulls", "probes skipped", "12 VMs"])
def test_any_report_gives_a_whole_view(report):
    result = view.build_view(report)
    assert set(result) >= {"verdict", "chips", "topology", "heatmap", "pairs", "counters", "mtu",
                           "throughput", "failover", "tables", "hops"}
    json.dumps(result)  # plain data, as templates and Ansible want


def test_skipped_probes_and_notes():
    report = lab3(measurements=[], probes={"run": False, "reason": "emulated cloud"},
                  notes=["path MTU not checked"])
    result = view.build_view(report)
    assert result["skipped"] == "emulated cloud" and result["notes"] == ["path MTU not checked"]
    chips = {c["label"]: c for c in result["chips"]}
    assert (chips["private paths ok"]["value"], chips["private paths ok"]["level"]) == (
        "not measured", "none")
    assert view.build_view(LAB3)["skipped"] is None


def test_coordinates_are_rounded():
    def floats(value):
        if isinstance(value, float):
            yield value
        elif isinstance(value, dict):
            for item in value.values():
                yield from floats(item)
        elif isinstance(value, list):
            for item in value:
                yield from floats(item)
    assert all(round(v, 1) == v for v in floats(view.build_view(LAB12)))

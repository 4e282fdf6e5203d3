# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The results of the tools that are not loss tools (tracepath, ...) reach report.json and the
pages through the measurement registry alone: the probe module's ``tool_results`` of each run
become report.json's ``tool_results``, and the pages draw one table per tool with the registry's
label and one-line summary. A page without such results is unchanged (no heading, no table)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ansible_collections.multicloud.vpnlab.plugins.action.lab_report import render_pages
from ansible_collections.multicloud.vpnlab.plugins.module_utils import measurements
from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting import tables
from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting.files import ARGUMENT_SPEC, report_from
from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting.model import tool_results_from_runs

ROOT = Path(__file__).resolve().parents[5]
TEMPLATES = {page: str(ROOT / "roles/connectivity_check/templates" / (page + ".j2"))
             for page in ("report.html", "report.md")}

# As the probe module returns them (its RETURN sample's shape): one reached private path, one
# public path whose hops stayed silent, one run that failed.
REACHED = {"src": "vm1", "dst": "vm3", "dst_ip": "10.2.1.10", "path": "private", "tool": "tracepath",
           "reached": True, "hop_count": 4, "back": 4, "pmtu": 1400, "too_many_hops": False,
           "icmp_error": None, "error": None,
           "hops": [{"hop": 1, "host": "10.1.1.1", "rtt_ms": 0.08, "pmtu": None, "icmp_error": None,
                     "asymm": None}]}
SILENT = dict(REACHED, dst_ip="203.0.113.12", path="public", reached=False, hop_count=None,
              back=None, too_many_hops=True,
              hops=[{"hop": n, "host": None, "rtt_ms": None, "pmtu": None, "icmp_error": None,
                     "asymm": None} for n in range(1, 11)])
FAILED = dict(REACHED, src="vm3", dst="vm1", dst_ip="10.1.1.10", error="tracepath exited with 2")


def run(vm, private=(), public=()):
    return {"vm": vm, "private": {"measurements": [], "tool_results": {"tracepath": list(private)}},
            "public": {"measurements": [], "tool_results": {"tracepath": list(public)}}}


@pytest.mark.parametrize("runs, expected", [
    (None, {}),
    ([], {}),
    # A run without tool_results (an older probe, a skipped VM, an unreachable one).
    ([{"vm": "vm1", "private": {"skipped": True}, "public": {"unreachable": True, "msg": "x"}}], {}),
    ([run("vm1", [REACHED], [SILENT])], {"tracepath": [REACHED, SILENT]}),
    ([run("vm1", [REACHED]), run("vm3", [FAILED])], {"tracepath": [REACHED, FAILED]}),
])
def test_tool_results_are_gathered_from_both_phases_of_every_run(runs, expected):
    assert tool_results_from_runs(runs) == expected


def params(runs):
    """lab_report's parameters as Ansible would validate them, with these probe runs."""
    values = {name: spec.get("default") for name, spec in ARGUMENT_SPEC.items()}
    values.update(lab="vpntest", target="local", vms=[], evidence={}, runs=runs, state_dir="/nonexistent",
                  measurements=[], mtu_checks=[], networks={}, tools=["mtr", "ping"], throughput=None)
    return values


def test_report_json_holds_them_sorted_and_always_has_the_key():
    report = report_from(params([run("vm3", [FAILED]), run("vm1", [REACHED], [SILENT])]))
    assert report["tool_results"] == {"tracepath": [REACHED, SILENT, FAILED]}
    assert report_from(params([]))["tool_results"] == {}


def test_one_table_per_tool_with_the_registrys_label_and_summary():
    report = {"tool_results": {"tracepath": [REACHED, SILENT, FAILED], "later": [], "newtool": [FAILED]}}
    found = tables.tool_tables(report)
    assert [t["tool"] for t in found] == ["tracepath", "newtool"]  # registry order, empty ones left out
    trace = found[0]
    assert trace["label"] == measurements.view()["tracepath"]["label"]
    assert trace["header"] == ["from", "to", "path", "result"]
    assert trace["rows"] == [
        ["vm1", "vm3", "private", measurements.summary("tracepath", REACHED)],
        ["vm1", "vm3", "public", measurements.summary("tracepath", SILENT)],
        ["vm3", "vm1", "private", "error: tracepath exited with 2"],
    ]
    assert trace["rows"][0][3] == "tracepath: reached in 4 hops, path MTU 1400"
    # A tool the registry does not know keeps its name and shows only its error.
    assert found[1]["label"] == "newtool" and found[1]["rows"][0][3] == "error: tracepath exited with 2"


def test_the_pages_draw_the_table_and_are_unchanged_without_results():
    plain = report_from(params([]))
    traced = report_from(params([run("vm1", [REACHED], [SILENT])]))
    label = measurements.view()["tracepath"]["label"]
    without, with_ = render_pages(plain, TEMPLATES, {}), render_pages(traced, TEMPLATES, {})
    for page in TEMPLATES:
        assert label not in without[page]
        assert "reached in 4 hops, path MTU 1400" in with_[page]
    assert "## %s" % label in with_["report.md"]
    assert "<h3>%s</h3>" % label in with_["report.html"]
    # The table is all the results add: without them the same report renders as before.
    assert render_pages(dict(traced, tool_results={}), TEMPLATES, {}) == without

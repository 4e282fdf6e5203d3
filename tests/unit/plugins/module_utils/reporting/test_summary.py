# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The verdict banner and the summary chips, which must agree with the verdict.

Reports are real local labs' report.json (report_fixtures.py) and small changes of them, and the
model's injected faults (test_model.py)."""

from __future__ import annotations

import re

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting import fields, summary
from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting.findings import unreachable

from report_fixtures import lab3
from test_model import COUNTER_RULES, FAULTS, report


@pytest.mark.parametrize("item, expected", [
    ("tunnel tunnel1 is down", {"text": "tunnel tunnel1 is down", "cause": None, "evidence": None,
                                "object": None, "severity": None}),
    ({"severity": "failure", "object": "vm2", "problem": "SSH unreachable",
      "cause": "connection refused on 10.1.1.20:22 through the operator", "evidence": None,
      "text": "vm2: SSH unreachable: connection refused on 10.1.1.20:22 through the operator"},
     {"text": "vm2: SSH unreachable", "cause": "connection refused on 10.1.1.20:22 through the operator",
      "evidence": None, "object": "vm2", "severity": "failure"}),
    ({"text": "t", "evidence": 3}, {"text": "t", "cause": None, "evidence": "3", "object": None,
                                    "severity": None}),
])
def test_findings_are_strings_or_dicts(item, expected):
    assert summary.verdict_line(item) == expected


def test_structured_findings_lead_with_failures_then_degraded():
    found = [{"severity": "warning", "object": "vm1 -> vm2 public", "problem": "lost once"},
             {"severity": "degraded", "object": "tunnel1", "problem": "down, redundancy lost"},
             {"severity": "failure", "object": "vm3", "problem": "SSH unreachable"}]
    result = summary.verdict_view({"verdict": {"ok": False, "level": "fail", "findings": found,
                                               "failures": ["ignored: findings win"],
                                               "headline": "FAIL: 1 failure(s), first: vm3"}})
    assert [c["text"] for c in result["causes"]] == [
        "vm3: SSH unreachable", "tunnel1: down, redundancy lost", "vm1 -> vm2 public: lost once"]
    assert result["summary"] == ""  # a failing headline repeats the first cause
    degraded = summary.verdict_view({"verdict": {"level": "degraded", "headline": "DEGRADED: tunnel1 down"}})
    assert degraded["summary"] == "tunnel1 down"


@pytest.mark.parametrize("verdict, level, causes, more", [
    ({"ok": True, "level": "pass", "failures": [], "warnings": []}, "pass", [], 0),
    ({"ok": True, "failures": [], "warnings": ["w"]}, "pass", ["w"], 0),  # before levels existed
    ({"ok": False, "failures": ["a", "b"], "warnings": ["w1", "w2"]}, "fail", ["a", "b", "w1"], 1),
    ({"ok": True, "level": "degraded", "failures": [], "warnings": ["t1 down"]}, "degraded",
     ["t1 down"], 0),
    ({"ok": False, "level": "bogus"}, "fail", [], 0),
    ({}, "fail", [], 0),
])
def test_verdict_banner(verdict, level, causes, more):
    result = summary.verdict_view({"verdict": verdict})
    assert {c["severity"] for c in result["failures"]} <= {"failure"}
    assert {c["severity"] for c in result["warnings"]} <= {"warning"}
    assert result["level"] == level and result["word"] == level.upper()
    assert result["headline"] == summary.HEADLINES[level]
    assert [c["text"] for c in result["causes"]] == causes and result["more"] == more


@pytest.mark.parametrize("states, value, level", [
    (["up", "up"], "2 of 2", "ok"),
    (["up", "down"], "1 of 2", "warn"),
    (["down", "down"], "0 of 2", "bad"),
    (["unknown", "unknown"], "0 of 2 (2 unknown)", "none"),
    (["up", "unknown"], "1 of 2 (1 unknown)", "none"),
    ([], "0 of 0", "bad"),
])
def test_tunnels_chip(states, value, level):
    chip = summary._tunnels_chip([{"state": state} for state in states])
    assert (chip["value"], chip["level"]) == (value, level)


def test_the_path_chips_agree_with_the_verdict_on_a_loss_that_did_not_repeat():
    # Four private paths lost an echo, then nothing when measured again: a warning in the verdict
    # ("without a failure"), so the chip counts them as ok and says so, in amber, not red.
    report = lab3()
    tool = fields.shown_tool(report)
    changed = 0
    for m in report["measurements"]:
        if m["path"] == "private" and m["tool"] == tool and changed < 4:
            m.update(received=m["sent"] - 1, loss_pct=100.0 / m["sent"],
                     remeasured={"sent": m["sent"], "received": m["sent"], "loss_pct": 0.0, "error": None})
            changed += 1
    chips = {c["label"]: c for c in summary.summary_chips(report, [])}
    assert chips["private paths ok"]["value"] == "6 of 6 (4 lost once, not again)"
    assert chips["private paths ok"]["level"] == "warn"
    # A loss that repeated is a failed path: red, and not counted.
    first = next(m for m in report["measurements"] if m["path"] == "private" and m["tool"] == tool)
    first["remeasured"].update(received=first["sent"] - 2, loss_pct=20.0)
    chips = {c["label"]: c for c in summary.summary_chips(report, [])}
    assert chips["private paths ok"]["value"] == "5 of 6 (3 lost once, not again)"
    assert chips["private paths ok"]["level"] == "bad"


# Every injected fault of the model's tables (test_model.py): the path chips count as failed
# exactly the paths the verdict calls failed (a loss that did not repeat is not one), plus the
# paths from a VM the check could not probe (the verdict names that VM, not each path).
VERDICT_CASES = [(case[0], case[1]) for case in FAULTS + COUNTER_RULES]


@pytest.mark.parametrize("name, arguments", VERDICT_CASES, ids=[case[0] for case in VERDICT_CASES])
def test_the_path_chips_count_the_paths_the_verdict_fails(name, arguments):
    result = report(**arguments)
    chips = {c["label"]: c for c in summary.summary_chips(result, [])}
    names = [vm["name"] for vm in result["vms"]]
    total = len(names) * (len(names) - 1)
    for path in ("private", "public"):
        failed = {(s, d) for s in unreachable(result) for d in names if d != s}
        for f in result["verdict"]["findings"]:
            pair = re.match(r"%s path (\S+) -> (\S+) " % path, f["object"])
            if pair and not (f["cause"] or "").startswith("a transient loss"):
                failed.add(pair.groups())
        value = chips["%s paths ok" % path]["value"]
        assert value.split(" (")[0] == "%d of %d" % (total - len(failed), total), (path, value, sorted(failed))
        assert chips["%s paths ok" % path]["level"] in (("ok", "warn") if not failed else ("bad",) if path == "private" else ("warn",))

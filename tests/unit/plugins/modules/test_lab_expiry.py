# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The expiry tag across runs, as the plan and lab_host roles run the modules: lab_plan reads what
the state directory records, lab_state records the plan's expiry when it creates (or accepts)
the directory. A re-run on a later day gives the same tags; a changed vpnlab_expiry_days sets a
new date from that day, recorded in its turn."""

from __future__ import annotations

import datetime
import json

import pytest

from ansible_collections.multicloud.vpnlab.plugins.modules import lab_plan, lab_state

DAY1 = datetime.date(2026, 11, 25)


@pytest.fixture
def plan_on(monkeypatch, tmp_path, run_module):
    """plan_on(day, **variables) -> the plan lab_plan makes that day."""
    def run(day, **variables):
        monkeypatch.setattr(lab_plan, "today", lambda: day)
        result = run_module(lab_plan, {"host_networks": [], "state_root": str(tmp_path),
                                       "variables": {"vpnlab_" + k: v for k, v in variables.items()}})
        assert "failed" not in result, result
        return result["plan"]
    return run


@pytest.fixture
def build(plan_on, run_module):
    """build(day, **variables) -> (plan, lab_state's result): the plan role, then lab_host's."""
    def run(day, **variables):
        plan = plan_on(day, **variables)
        state = run_module(lab_state, {"path": plan["state_dir"], "lab": plan["lab"], "expiry": plan["expiry"]})
        assert "failed" not in state, state
        return plan, state
    return run


def test_a_rerun_on_a_later_day_keeps_the_tags(build, tmp_path):
    first, created = build(DAY1)
    assert first["tags"]["expires"] == "2026-12-02" and first["expiry"]["source"] == "new"
    assert created["changed"] is True
    later, state = build(DAY1 + datetime.timedelta(days=5))
    assert later["tags"] == first["tags"] and later["expiry"]["source"] == "recorded"
    assert state["changed"] is False
    marker = json.loads((tmp_path / "vpntest" / ".vpnlab-lab").read_text())
    assert (marker["expires"], marker["expiry_days"]) == ("2026-12-02", 7)


def test_changed_expiry_days_set_a_new_date_from_that_day(build):
    build(DAY1)
    longer, state = build(DAY1 + datetime.timedelta(days=5), expiry_days=14)
    assert longer["tags"]["expires"] == "2026-12-14" and longer["expiry"]["source"] == "changed"
    assert state["changed"] is True
    again, state = build(DAY1 + datetime.timedelta(days=8), expiry_days=14)
    assert again["tags"]["expires"] == "2026-12-14" and state["changed"] is False


def test_another_labs_directory_gives_no_recorded_expiry(plan_on, tmp_path):
    (tmp_path / "vpntest").mkdir()
    (tmp_path / "vpntest" / ".vpnlab-lab").write_text(json.dumps(
        {"lab": "other", "managed_by": "multicloud.vpnlab", "expires": "2020-01-01", "expiry_days": 7}))
    plan = plan_on(DAY1)
    assert (plan["tags"]["expires"], plan["expiry"]["source"]) == ("2026-12-02", "new")


def test_a_plan_without_a_state_directory_yet_is_fresh(plan_on):
    assert plan_on(DAY1 + datetime.timedelta(days=1))["tags"]["expires"] == "2026-12-03"

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The report's fields as the view reads them: VM order, measurement states.

Reports are real local labs' report.json (report_fixtures.py) and small changes of them."""

from __future__ import annotations

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting import fields

from report_fixtures import LAB12


def test_vms_are_ordered_by_cloud_then_naturally():
    names = [vm["name"] for vm in fields.ordered_vms(LAB12)]
    assert names == ["vm%d" % i for i in range(1, 13)]
    mixed = {"vms": [{"name": "b", "cloud": "aws"}, {"name": "vm10", "cloud": "azure"},
                     {"name": "vm9", "cloud": "azure"}, {"name": "x", "cloud": "elsewhere"}, {}]}
    assert [vm["name"] for vm in fields.ordered_vms(mixed)] == ["vm9", "vm10", "x", "b"]


@pytest.mark.parametrize("measurement, state", [
    (None, "missing"),
    ({"received": 10, "loss_pct": 0.0}, "ok"),
    ({"received": 7, "loss_pct": 30.0}, "loss"),
    ({"received": 0, "loss_pct": 100.0}, "lost"),
    ({"received": 0, "loss_pct": 100.0, "error": "mtr timed out"}, "error"),
])
def test_measurement_states(measurement, state):
    assert fields.measurement_state(measurement) == state

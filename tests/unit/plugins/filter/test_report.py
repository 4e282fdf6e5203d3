# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The report filters: report_view (the pages' view model, module_utils/reporting/view.py) and
counters_settled (module_utils/reporting/model.py), with their argument checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.multicloud.vpnlab.plugins.filter.report import (
    FilterModule, counters_settled, report_view,
)

FIXTURES = Path(__file__).resolve().parents[1] / "module_utils" / "fixtures"
LAB3 = json.loads((FIXTURES / "report_local_3vms.json").read_text())


def test_filter():
    assert FilterModule().filters() == {"report_view": report_view, "counters_settled": counters_settled}
    assert report_view(LAB3, {"tcp_mss": 1350})["mtu"]["mss"] == 1350
    with pytest.raises(AnsibleFilterError, match="expects the report as a dict"):
        report_view([LAB3])
    with pytest.raises(AnsibleFilterError, match="network must be a dict"):
        report_view(LAB3, "10.1.0.0/16")


def test_counters_settled_filter():
    before = [{"name": "tunnel1", "status": "up", "bytes_in": 0, "bytes_out": 0}]
    grown = [dict(before[0], bytes_in=840)]
    assert counters_settled({"before": before, "mid": grown}, "840") is True
    assert counters_settled({"before": before, "mid": grown}, 841) is False
    with pytest.raises(AnsibleFilterError, match="expects the evidence by phase as a dict"):
        counters_settled([before])
    # The VMs' private probes: none of the other cloud's answered, so the wait ends at once.
    vms = [{"name": "vm1", "cloud": "azure"}, {"name": "vm3", "cloud": "aws"}]
    unanswered = [{"measurements": [{"src": "vm1", "dst": "vm3", "path": "private", "sent": 10, "received": 0}]}]
    assert counters_settled({"before": before, "mid": before}, 1, unanswered, vms) is True
    assert counters_settled({"before": before, "mid": before}, 1, [], vms) is True
    answered = [{"measurements": [dict(unanswered[0]["measurements"][0], received=10)]}]
    assert counters_settled({"before": before, "mid": before}, 1, answered, vms) is False
    with pytest.raises(AnsibleFilterError, match="expects private_results as a list"):
        counters_settled({"before": before, "mid": before}, 1, {"vm1": {}}, vms)

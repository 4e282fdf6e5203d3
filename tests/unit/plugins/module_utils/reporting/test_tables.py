# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The tables: throughput rows, failover, tunnels, RTT and hops.

Reports are real local labs' report.json (report_fixtures.py) and small changes of them."""

from __future__ import annotations

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting import tables, view

from report_fixtures import lab3


@pytest.mark.parametrize("entry, mbps, text", [
    ({"src": "vm1", "dst": "vm3", "path": "private", "mbps": 812.4, "retransmits": 12}, 812.4,
     "812 Mbit/s, 12 retransmits"),
    ({"src": "vm1", "dst": "vm3", "path": "public", "mbps": 2500, "retransmits": None}, 2500.0,
     "2500 Mbit/s"),
    ({"src": "vm1", "dst": "vm3", "error": "iperf3: connection refused"}, None,
     "error: iperf3: connection refused"),
    # How long it measured, and what it left out, is stated (a 1 s figure is not a 10 s one).
    ({"src": "vm1", "dst": "vm3", "path": "private", "mbps": 133.4, "retransmits": 16, "seconds": 1.0,
      "omitted_s": 0}, 133.4, "133 Mbit/s, 16 retransmits over 1 s"),
    ({"src": "vm1", "dst": "vm3", "path": "private", "mbps": 95, "retransmits": 3, "seconds": 3.0004,
      "omitted_s": 1}, 95.0, "95.0 Mbit/s, 3 retransmits over 3 s after 1 s left out"),
    ({"src": "vm1", "dst": "vm3", "error": "refused", "seconds": 1.0}, None, "error: refused"),
])
def test_throughput_rows(entry, mbps, text):
    (row,) = tables.throughput_rows({"throughput": [entry, "junk"]})
    assert row["mbps"] == (pytest.approx(mbps) if mbps else None) and row["text"] == text


def test_failover_items_and_tables():
    report = lab3(failover={"outage_s": 8.4, "tunnel_cut": "tunnel2", "windows": [8.4, 9.1]})
    result = view.build_view(report)
    assert result["failover"] == [{"label": "outage s", "value": "8.4"},
                                  {"label": "tunnel cut", "value": "tunnel2"},
                                  {"label": "windows", "value": "8.4, 9.1"}]
    tunnels = result["tables"]["tunnels"]
    assert tunnels["header"][-3:] == ["private probes (in / out)", "public probes (in / out)",
                                      "detail"]
    assert tunnels["rows"][1][:3] == ["tunnel2", "203.0.113.11", "up"]
    assert [t["tool"] for t in result["tables"]["rtt"]] == ["ping", "mtr"]
    assert result["hops"][1].startswith("vm1 -> vm3 (10.2.1.10): 10.1.1.1 ")

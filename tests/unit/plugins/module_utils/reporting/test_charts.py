# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The charts: axes, heat map, pair chart, ESP counters, path MTU.

Reports are real local labs' report.json (report_fixtures.py) and small changes of them."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting import charts, formatting, tables

from report_fixtures import LAB12, LAB3, lab3, luminance


@pytest.mark.parametrize("value, ceiling", [
    (0, 1.0), (None, 1.0), (0.7, 1.0), (1.0, 1.0), (1.3, 2.0), (2.2, 2.5), (3.1, 5.0), (7, 10.0),
    (26, 50.0), (101, 200.0), (528576 * 2.6, 2000000.0),
])
def test_nice_ceiling(value, ceiling):
    assert charts.nice_ceiling(value) == pytest.approx(ceiling)


@pytest.mark.parametrize("high, steps", [
    (250.0, [0, 50, 100, 150, 200, 250]), (2.0, [0, 0.5, 1.0, 1.5, 2.0]),
    (100.0, [0, 20, 40, 60, 80, 100]), (2.5, [0, 0.5, 1.0, 1.5, 2.0, 2.5]),
    (5.0, [0, 1, 2, 3, 4, 5]), (1e6, [0, 2e5, 4e5, 6e5, 8e5, 1e6]),
])
def test_ticks_fall_on_round_numbers(high, steps):
    assert charts.ticks(high) == pytest.approx(steps)


def test_heat_map_cells():
    drawing = charts.heatmap(LAB3)
    private, public = drawing["matrices"]
    assert drawing["tool"] == "ping" and len(private["cells"]) == len(public["cells"]) == 9
    cells = {(c["src"], c["dst"]): c for c in private["cells"]}
    assert cells["vm1", "vm1"]["state"] == "self"
    ping = {(m["src"], m["dst"]): m["rtt_avg_ms"] for m in LAB3["measurements"]
            if m["tool"] == "ping" and m["path"] == "private"}
    slow, fast = max(ping, key=ping.get), min(ping, key=ping.get)
    assert luminance(cells[slow]["fill"]) < luminance(cells[fast]["fill"])
    assert cells[slow]["text"] == formatting.fmt_ms(ping[slow])
    # no cell of one matrix overlaps the other
    assert max(c["x"] + c["size"] for c in private["cells"]) < min(c["x"] for c in public["cells"])


def test_heat_map_marks_lost_and_missing_paths():
    report = lab3()
    report["measurements"] = [m for m in report["measurements"]
                              if not (m["src"] == "vm3" and m["dst"] == "vm1")]
    for m in report["measurements"]:
        if m["src"] == "vm1" and m["dst"] == "vm3" and m["path"] == "private":
            m.update(received=0, loss_pct=100.0, rtt_avg_ms=None)
    cells = {(c["src"], c["dst"]): c for c in charts.heatmap(report)["matrices"][0]["cells"]}
    assert (cells["vm1", "vm3"]["state"], cells["vm1", "vm3"]["text"]) == ("lost", "lost")
    assert (cells["vm3", "vm1"]["state"], cells["vm3", "vm1"]["text"]) == ("missing", "n/a")
    assert charts.heatmap(lab3(measurements=[]))["measured"] is False


def test_pair_chart_draws_every_pair_of_a_small_lab_in_order():
    chart = charts.pair_chart(LAB3)
    assert [r["label"] for r in chart["rows"]] == ["vm1 -> vm2", "vm1 -> vm3", "vm2 -> vm1",
                                                   "vm2 -> vm3", "vm3 -> vm1", "vm3 -> vm2"]
    assert [r["cross"] for r in chart["rows"]] == [False, True, False, True, True, True]
    assert chart["hidden"] == 0
    widths = [b["w"] for r in chart["rows"] for b in r["bars"]]
    assert all(0 < w <= charts.RTT_END - charts.RTT_X for w in widths)


def test_pair_chart_of_a_big_lab_shows_the_worst_first():
    report = copy.deepcopy(LAB12)
    for m in report["measurements"]:
        if (m["src"], m["dst"], m["path"]) == ("vm2", "vm1", "public"):
            m.update(received=9, loss_pct=10.0)
    chart = charts.pair_chart(report, max_pairs=5)
    assert chart["hidden"] == 132 - 5 and len(chart["rows"]) == 5
    assert chart["rows"][0]["label"] == "vm2 -> vm1"
    public = chart["rows"][0]["bars"][1]
    assert (public["loss_text"], public["loss_w"]) == ("10%", charts.LOSS_W / 10)


def test_counter_chart():
    chart = charts.counter_chart(LAB3)
    rows = {(g["name"], r["phase"]): r for g in chart["groups"] for r in g["rows"]}
    assert set(rows) == {(t, p) for t in ("tunnel1", "tunnel2") for p in ("private_phase",
                                                                          "public_phase")}
    active = rows["tunnel2", "private_phase"]
    grown = LAB3["counters"]["private_phase"]["tunnels"]["tunnel2"]
    assert active["moved"] and active["in_w"] > 0
    assert active["text"] == "in %s, out %s" % (formatting.fmt_bytes(grown["bytes_in"]),
                                                formatting.fmt_bytes(grown["bytes_out"]))
    assert not rows["tunnel2", "public_phase"]["moved"] and rows["tunnel1", "public_phase"]["in_w"] == 0
    unknown = lab3()
    unknown["counters"]["public_phase"]["tunnels"]["tunnel1"]["bytes_in"] = None
    rows = {(g["name"], r["phase"]): r for g in charts.counter_chart(unknown)["groups"] for r in g["rows"]}
    assert rows["tunnel1", "public_phase"]["text"] == "n/a (counter not reported)"
    assert charts.counter_chart({"tunnels": LAB3["tunnels"]})["measured"] is False


def test_mtu_rows_of_a_small_lab_and_the_mss_marker():
    result = charts.mtu_view(LAB3, {"tcp_mss": "1350"})
    assert (result["mss"], result["mss_packet"]) == (1350, 1390)
    assert [r["text"] for r in result["rows"]] == [
        "largest DF packet %d bytes" % c["largest"] for c in LAB3["mtu_checks"]]
    assert result["rows"][0]["x"] < result["mss_x"] < result["rows"][0]["x"] + result["rows"][0]["w"]
    changed = lab3()
    changed["mtu_checks"][1].update(ok=False, largest=None, tried=[[1400, False], [576, False]])
    changed["mtu_checks"][2].update(largest=1372, tried=[[1400, False], [1372, True], [1373, False]])
    for key in ("largest", "tried"):  # a report of before the largest-size search
        changed["mtu_checks"][3].pop(key)
    rows = charts.mtu_view(changed, {})["rows"]
    assert rows[1]["text"] == "1400-byte DF packets DROPPED" and rows[1]["w"] == 0
    assert rows[2]["text"] == "largest DF packet 1372 bytes" and rows[2]["w"] < rows[0]["w"]
    assert rows[3]["text"] == "1400-byte DF packets pass" and rows[3]["w"] == rows[0]["w"]
    table = tables.mtu_rows(changed)["rows"]
    assert table[1][3:] == ["n/a", "1400 dropped, 576 dropped", "FAIL"]
    assert table[2][3:] == ["1372", "1400 dropped, 1372 ok, 1373 dropped", "ok"]
    assert table[3][3:] == ["n/a", "n/a", "ok"]


def test_mtu_rows_of_a_big_lab_are_grouped_by_direction_but_failures_stand_alone():
    report = copy.deepcopy(LAB12)
    report["mtu_checks"][0].update(ok=False, received=0)
    entries = charts.mtu_entries(report)
    first = report["mtu_checks"][0]
    assert entries[0]["label"] == "%s -> %s" % (first["src"], first["dst"]) and not entries[0]["ok"]
    groups = {e["label"]: e for e in entries[1:]}
    assert set(groups) == {"azure -> azure VMs", "azure -> aws VMs", "aws -> azure VMs",
                           "aws -> aws VMs"}
    assert sum(e["count"] for e in entries) == len(report["mtu_checks"])
    assert all(e["ok"] for e in groups.values())

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The report's view model: formats, colour scale, layout, chart selection, missing fields.

Reports are real local labs' report.json (fixtures/report_local_3vms.json, _12vms.json) and
small changes of them.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.multicloud.vpnlab.plugins.filter.report import (
    FilterModule, counters_settled, report_view,
)
from ansible_collections.multicloud.vpnlab.plugins.module_utils import report_view as view

FIXTURES = Path(__file__).parent / "fixtures"
LAB3 = json.loads((FIXTURES / "report_local_3vms.json").read_text())
LAB12 = json.loads((FIXTURES / "report_local_12vms.json").read_text())


def lab3(**changes):
    report = copy.deepcopy(LAB3)
    report.update(changes)
    return report


def luminance(colour):
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.299 * red + 0.587 * green + 0.114 * blue


@pytest.mark.parametrize("function, value, text", [
    (view.fmt_ms, None, "n/a"), (view.fmt_ms, 0.0912, "0.09"), (view.fmt_ms, 1.024, "1.02"),
    (view.fmt_ms, 23.46, "23.5"), (view.fmt_ms, 120.4, "120"), (view.fmt_ms, "0.5", "0.50"),
    (view.fmt_ms, "x", "n/a"), (view.fmt_ms, True, "n/a"),
    (view.fmt_bytes, 0, "0 B"), (view.fmt_bytes, 812, "812 B"), (view.fmt_bytes, 29216, "29.2 kB"),
    (view.fmt_bytes, 1500000, "1.5 MB"), (view.fmt_bytes, 3.2e9, "3.2 GB"), (view.fmt_bytes, None, "n/a"),
    (view.fmt_pct, 0, "0%"), (view.fmt_pct, 10.0, "10%"), (view.fmt_pct, 12.5, "12.5%"),
    (view.fmt_pct, None, "n/a"),
    (view.fmt_mbps, 812.44, "812 Mbit/s"), (view.fmt_mbps, 12.34, "12.3 Mbit/s"),
    (view.fmt_mbps, None, "n/a"),
])
def test_formats(function, value, text):
    assert function(value) == text


@pytest.mark.parametrize("value, ceiling", [
    (0, 1.0), (None, 1.0), (0.7, 1.0), (1.0, 1.0), (1.3, 2.0), (2.2, 2.5), (3.1, 5.0), (7, 10.0),
    (26, 50.0), (101, 200.0), (528576 * 2.6, 2000000.0),
])
def test_nice_ceiling(value, ceiling):
    assert view.nice_ceiling(value) == pytest.approx(ceiling)


@pytest.mark.parametrize("high, steps", [
    (250.0, [0, 50, 100, 150, 200, 250]), (2.0, [0, 0.5, 1.0, 1.5, 2.0]),
    (100.0, [0, 20, 40, 60, 80, 100]), (2.5, [0, 0.5, 1.0, 1.5, 2.0, 2.5]),
    (5.0, [0, 1, 2, 3, 4, 5]), (1e6, [0, 2e5, 4e5, 6e5, 8e5, 1e6]),
])
def test_ticks_fall_on_round_numbers(high, steps):
    assert view.ticks(high) == pytest.approx(steps)


@pytest.mark.parametrize("value, low, high, share", [
    (1.0, 1.0, 100.0, 0.0), (100.0, 1.0, 100.0, 1.0), (10.0, 1.0, 100.0, 0.5),
    (0.5, 1.0, 100.0, 0.0), (500.0, 1.0, 100.0, 1.0), (None, 1.0, 100.0, 0.0),
    (5.0, 2.0, 2.0, 0.0),
])
def test_heat_share_is_logarithmic_and_clamped(value, low, high, share):
    assert view.heat_share(value, low, high) == pytest.approx(share)


def test_heat_colours_darken_with_the_rtt_and_text_stays_readable():
    colours = [view.heat_colour(i / 10) for i in range(11)]
    assert colours[0] == view.HEAT_STOPS[0] and colours[-1] == view.HEAT_STOPS[-1]
    assert all(luminance(a) > luminance(b) for a, b in zip(colours, colours[1:]))
    assert view.text_colour(colours[0]) == "#000000"
    assert view.text_colour(colours[-1]) == "#ffffff"


def test_vms_are_ordered_by_cloud_then_naturally():
    names = [vm["name"] for vm in view._vms(LAB12)]
    assert names == ["vm%d" % i for i in range(1, 13)]
    mixed = {"vms": [{"name": "b", "cloud": "aws"}, {"name": "vm10", "cloud": "azure"},
                     {"name": "vm9", "cloud": "azure"}, {"name": "x", "cloud": "elsewhere"}, {}]}
    assert [vm["name"] for vm in view._vms(mixed)] == ["vm9", "vm10", "x", "b"]


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
    assert view.finding(item) == expected


def test_structured_findings_lead_with_failures_then_degraded():
    found = [{"severity": "warning", "object": "vm1 -> vm2 public", "problem": "lost once"},
             {"severity": "degraded", "object": "tunnel1", "problem": "down, redundancy lost"},
             {"severity": "failure", "object": "vm3", "problem": "SSH unreachable"}]
    result = view.verdict_view({"verdict": {"ok": False, "level": "fail", "findings": found,
                                            "failures": ["ignored: findings win"],
                                            "headline": "FAIL: 1 failure(s), first: vm3"}})
    assert [c["text"] for c in result["causes"]] == [
        "vm3: SSH unreachable", "tunnel1: down, redundancy lost", "vm1 -> vm2 public: lost once"]
    assert result["summary"] == ""  # a failing headline repeats the first cause
    degraded = view.verdict_view({"verdict": {"level": "degraded", "headline": "DEGRADED: tunnel1 down"}})
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
    result = view.verdict_view({"verdict": verdict})
    assert {c["severity"] for c in result["failures"]} <= {"failure"}
    assert {c["severity"] for c in result["warnings"]} <= {"warning"}
    assert result["level"] == level and result["word"] == level.upper()
    assert result["headline"] == view.HEADLINES[level]
    assert [c["text"] for c in result["causes"]] == causes and result["more"] == more


@pytest.mark.parametrize("measurement, state", [
    (None, "missing"),
    ({"received": 10, "loss_pct": 0.0}, "ok"),
    ({"received": 7, "loss_pct": 30.0}, "loss"),
    ({"received": 0, "loss_pct": 100.0}, "lost"),
    ({"received": 0, "loss_pct": 100.0, "error": "mtr timed out"}, "error"),
])
def test_measurement_states(measurement, state):
    assert view._state(measurement) == state


def inside(box, outer):
    return (outer["x"] <= box["x"] and box["x"] + box["w"] <= outer["x"] + outer["w"]
            and outer["y"] <= box["y"] and box["y"] + box["h"] <= outer["y"] + outer["h"])


def overlap(a, b):
    return not (a["x"] + a["w"] <= b["x"] or b["x"] + b["w"] <= a["x"]
                or a["y"] + a["h"] <= b["y"] or b["y"] + b["h"] <= a["y"])


def many_vms(count_azure, count_aws):
    vms = [{"name": "az%d" % i, "cloud": "azure", "private_ip": "10.1.1.%d" % (10 + i)}
           for i in range(count_azure)]
    return vms + [{"name": "aw%d" % i, "cloud": "aws", "private_ip": "10.2.1.%d" % (10 + i)}
                  for i in range(count_aws)]


@pytest.mark.parametrize("report", [LAB3, LAB12, {"vms": many_vms(9, 1), "tunnels": LAB3["tunnels"]},
                                    {"vms": many_vms(0, 0)}],
                         ids=["3 VMs", "12 VMs", "9 + 1 VMs", "no VM"])
def test_topology_places_every_vm_in_its_cloud_without_overlap(report):
    drawing = view.topology(report, view._tunnels(report), {"azure_vnet_cidr": "10.1.0.0/16"})
    clouds = {c["cloud"]: c for c in drawing["clouds"]}
    boxes = drawing["vms"] + drawing["gateways"]
    assert len(drawing["vms"]) == len(report["vms"])
    for vm, box in zip(view._vms(report), drawing["vms"]):
        assert box["name"] == vm["name"] and inside(box, clouds[vm["cloud"]])
    assert not any(overlap(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    assert all(inside(c, {"x": 0, "y": 0, "w": drawing["width"], "h": drawing["height"]})
               for c in drawing["clouds"])
    assert clouds["azure"]["cidr"] == "10.1.0.0/16" and clouds["aws"]["cidr"] == ""


@pytest.mark.parametrize("networks, plan, cidrs", [
    ({"azure": "10.1.0.0/16", "aws": "10.2.0.0/16"}, {}, ["10.1.0.0/16", "10.2.0.0/16"]),
    ({}, {"azure_vnet_cidr": "10.5.0.0/16", "aws_vpc_cidr": "10.6.0.0/16"}, ["10.5.0.0/16", "10.6.0.0/16"]),
    ({"azure": "10.1.0.0/16"}, {"azure_vnet_cidr": "10.5.0.0/16", "aws_vpc_cidr": "10.6.0.0/16"},
     ["10.1.0.0/16", "10.6.0.0/16"]),  # the report says what was checked
    (None, None, ["", ""]),
])
def test_cloud_boxes_name_the_networks(networks, plan, cidrs):
    drawing = view.build_view(lab3(networks=networks), plan)["topology"]
    assert [c["cidr"] for c in drawing["clouds"]] == cidrs


def test_tunnels_show_state_and_which_one_carries_the_traffic():
    report = lab3()
    report["tunnels"][0].update(status="DOWN", detail="no answer (DPD)")
    report["tunnels"][1]["status"] = "connecting"
    lines = view.topology(report, view._tunnels(report), {})["tunnels"]
    assert [(l["name"], l["state"], l["role"]) for l in lines] == [
        ("tunnel1", "down", "down: no traffic"), ("tunnel2", "unknown", "state unknown")]
    assert lines[0]["detail"] == "no answer (DPD)" and lines[0]["y"] < lines[1]["y"]
    healthy = view.topology(LAB3, view._tunnels(LAB3), {})["tunnels"]
    grown = LAB3["counters"]["private_phase"]["tunnels"]["tunnel2"]
    assert [l["role"] for l in healthy] == ["standby", "carries the traffic (%s)" % view.fmt_bytes(
        grown["bytes_in"] + grown["bytes_out"])]


def test_a_vm_nobody_reaches_is_marked():
    report = lab3()
    for m in report["measurements"]:
        if m["src"] == "vm2":
            m.update(received=0, loss_pct=100.0)
    health = {box["name"]: box["health"] for box in view.topology(report, [], {})["vms"]}
    assert health == {"vm1": "ok", "vm2": "bad", "vm3": "ok"}
    unreachable = lab3()
    unreachable["vms"][2]["access"] = {"ssh": "unreachable", "error": "connection refused"}
    health = {box["name"]: box["health"] for box in view.topology(unreachable, [], {})["vms"]}
    assert health == {"vm1": "ok", "vm2": "ok", "vm3": "bad"}
    assert {b["health"] for b in view.topology(lab3(measurements=[]), [], {})["vms"]} == {"unknown"}


def test_heat_map_cells():
    drawing = view.heatmap(LAB3)
    private, public = drawing["matrices"]
    assert drawing["tool"] == "ping" and len(private["cells"]) == len(public["cells"]) == 9
    cells = {(c["src"], c["dst"]): c for c in private["cells"]}
    assert cells["vm1", "vm1"]["state"] == "self"
    ping = {(m["src"], m["dst"]): m["rtt_avg_ms"] for m in LAB3["measurements"]
            if m["tool"] == "ping" and m["path"] == "private"}
    slow, fast = max(ping, key=ping.get), min(ping, key=ping.get)
    assert luminance(cells[slow]["fill"]) < luminance(cells[fast]["fill"])
    assert cells[slow]["text"] == view.fmt_ms(ping[slow])
    # no cell of one matrix overlaps the other
    assert max(c["x"] + c["size"] for c in private["cells"]) < min(c["x"] for c in public["cells"])


def test_heat_map_marks_lost_and_missing_paths():
    report = lab3()
    report["measurements"] = [m for m in report["measurements"]
                              if not (m["src"] == "vm3" and m["dst"] == "vm1")]
    for m in report["measurements"]:
        if m["src"] == "vm1" and m["dst"] == "vm3" and m["path"] == "private":
            m.update(received=0, loss_pct=100.0, rtt_avg_ms=None)
    cells = {(c["src"], c["dst"]): c for c in view.heatmap(report)["matrices"][0]["cells"]}
    assert (cells["vm1", "vm3"]["state"], cells["vm1", "vm3"]["text"]) == ("lost", "lost")
    assert (cells["vm3", "vm1"]["state"], cells["vm3", "vm1"]["text"]) == ("missing", "n/a")
    assert view.heatmap(lab3(measurements=[]))["measured"] is False


def test_pair_chart_draws_every_pair_of_a_small_lab_in_order():
    chart = view.pair_chart(LAB3)
    assert [r["label"] for r in chart["rows"]] == ["vm1 -> vm2", "vm1 -> vm3", "vm2 -> vm1",
                                                   "vm2 -> vm3", "vm3 -> vm1", "vm3 -> vm2"]
    assert [r["cross"] for r in chart["rows"]] == [False, True, False, True, True, True]
    assert chart["hidden"] == 0
    widths = [b["w"] for r in chart["rows"] for b in r["bars"]]
    assert all(0 < w <= view.RTT_END - view.RTT_X for w in widths)


def test_pair_chart_of_a_big_lab_shows_the_worst_first():
    report = copy.deepcopy(LAB12)
    for m in report["measurements"]:
        if (m["src"], m["dst"], m["path"]) == ("vm2", "vm1", "public"):
            m.update(received=9, loss_pct=10.0)
    chart = view.pair_chart(report, max_pairs=5)
    assert chart["hidden"] == 132 - 5 and len(chart["rows"]) == 5
    assert chart["rows"][0]["label"] == "vm2 -> vm1"
    public = chart["rows"][0]["bars"][1]
    assert (public["loss_text"], public["loss_w"]) == ("10%", view.LOSS_W / 10)


def test_counter_chart():
    chart = view.counter_chart(LAB3)
    rows = {(g["name"], r["phase"]): r for g in chart["groups"] for r in g["rows"]}
    assert set(rows) == {(t, p) for t in ("tunnel1", "tunnel2") for p in ("private_phase",
                                                                          "public_phase")}
    active = rows["tunnel2", "private_phase"]
    grown = LAB3["counters"]["private_phase"]["tunnels"]["tunnel2"]
    assert active["moved"] and active["in_w"] > 0
    assert active["text"] == "in %s, out %s" % (view.fmt_bytes(grown["bytes_in"]),
                                                view.fmt_bytes(grown["bytes_out"]))
    assert not rows["tunnel2", "public_phase"]["moved"] and rows["tunnel1", "public_phase"]["in_w"] == 0
    unknown = lab3()
    unknown["counters"]["public_phase"]["tunnels"]["tunnel1"]["bytes_in"] = None
    rows = {(g["name"], r["phase"]): r for g in view.counter_chart(unknown)["groups"] for r in g["rows"]}
    assert rows["tunnel1", "public_phase"]["text"] == "n/a (counter not reported)"
    assert view.counter_chart({"tunnels": LAB3["tunnels"]})["measured"] is False


def test_mtu_rows_of_a_small_lab_and_the_mss_marker():
    result = view.mtu_view(LAB3, {"tcp_mss": "1350"})
    assert (result["mss"], result["mss_packet"]) == (1350, 1390)
    assert [r["text"] for r in result["rows"]] == [
        "largest DF packet %d bytes" % c["largest"] for c in LAB3["mtu_checks"]]
    assert result["rows"][0]["x"] < result["mss_x"] < result["rows"][0]["x"] + result["rows"][0]["w"]
    changed = lab3()
    changed["mtu_checks"][1].update(ok=False, largest=None, tried=[[1400, False], [576, False]])
    changed["mtu_checks"][2].update(largest=1372, tried=[[1400, False], [1372, True], [1373, False]])
    for key in ("largest", "tried"):  # a report of before the largest-size search
        changed["mtu_checks"][3].pop(key)
    rows = view.mtu_view(changed, {})["rows"]
    assert rows[1]["text"] == "1400-byte DF packets DROPPED" and rows[1]["w"] == 0
    assert rows[2]["text"] == "largest DF packet 1372 bytes" and rows[2]["w"] < rows[0]["w"]
    assert rows[3]["text"] == "1400-byte DF packets pass" and rows[3]["w"] == rows[0]["w"]
    table = view.mtu_rows(changed)["rows"]
    assert table[1][3:] == ["n/a", "1400 dropped, 576 dropped", "FAIL"]
    assert table[2][3:] == ["1372", "1400 dropped, 1372 ok, 1373 dropped", "ok"]
    assert table[3][3:] == ["n/a", "n/a", "ok"]


def test_mtu_rows_of_a_big_lab_are_grouped_by_direction_but_failures_stand_alone():
    report = copy.deepcopy(LAB12)
    report["mtu_checks"][0].update(ok=False, received=0)
    entries = view.mtu_entries(report)
    first = report["mtu_checks"][0]
    assert entries[0]["label"] == "%s -> %s" % (first["src"], first["dst"]) and not entries[0]["ok"]
    groups = {e["label"]: e for e in entries[1:]}
    assert set(groups) == {"azure -> azure VMs", "azure -> aws VMs", "aws -> azure VMs",
                           "aws -> aws VMs"}
    assert sum(e["count"] for e in entries) == len(report["mtu_checks"])
    assert all(e["ok"] for e in groups.values())


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
    (row,) = view.throughput_rows({"throughput": [entry, "junk"]})
    assert row["mbps"] == (pytest.approx(mbps) if mbps else None) and row["text"] == text


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


@pytest.mark.parametrize("states, value, level", [
    (["up", "up"], "2 of 2", "ok"),
    (["up", "down"], "1 of 2", "warn"),
    (["down", "down"], "0 of 2", "bad"),
    (["unknown", "unknown"], "0 of 2 (2 unknown)", "none"),
    (["up", "unknown"], "1 of 2 (1 unknown)", "none"),
    ([], "0 of 0", "bad"),
])
def test_tunnels_chip(states, value, level):
    chip = view._tunnels_chip([{"state": state} for state in states])
    assert (chip["value"], chip["level"]) == (value, level)


def test_skipped_probes_and_notes():
    report = lab3(measurements=[], probes={"run": False, "reason": "emulated cloud"},
                  notes=["path MTU not checked"])
    result = view.build_view(report)
    assert result["skipped"] == "emulated cloud" and result["notes"] == ["path MTU not checked"]
    chips = {c["label"]: c for c in result["chips"]}
    assert (chips["private paths ok"]["value"], chips["private paths ok"]["level"]) == (
        "not measured", "none")
    assert view.build_view(LAB3)["skipped"] is None


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


def test_the_path_chips_agree_with_the_verdict_on_a_loss_that_did_not_repeat():
    # Four private paths lost an echo, then nothing when measured again: a warning in the verdict
    # ("without a failure"), so the chip counts them as ok and says so, in amber, not red.
    report = lab3()
    tool = view._tool(report)
    changed = 0
    for m in report["measurements"]:
        if m["path"] == "private" and m["tool"] == tool and changed < 4:
            m.update(received=m["sent"] - 1, loss_pct=100.0 / m["sent"],
                     remeasured={"sent": m["sent"], "received": m["sent"], "loss_pct": 0.0, "error": None})
            changed += 1
    chips = {c["label"]: c for c in view.summary_chips(report, [])}
    assert chips["private paths ok"]["value"] == "6 of 6 (4 lost once, not again)"
    assert chips["private paths ok"]["level"] == "warn"
    # A loss that repeated is a failed path: red, and not counted.
    first = next(m for m in report["measurements"] if m["path"] == "private" and m["tool"] == tool)
    first["remeasured"].update(received=first["sent"] - 2, loss_pct=20.0)
    chips = {c["label"]: c for c in view.summary_chips(report, [])}
    assert chips["private paths ok"]["value"] == "5 of 6 (3 lost once, not again)"
    assert chips["private paths ok"]["level"] == "bad"

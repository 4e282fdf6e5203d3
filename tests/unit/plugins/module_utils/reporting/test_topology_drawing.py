# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The topology drawing (reporting/topology.py): every VM in its cloud, nothing overlapping, tunnels and
broken VMs marked. (Named apart from _local/test_topology.py: pytest imports test files by basename.)

Reports are real local labs' report.json (report_fixtures.py) and small changes of them."""

from __future__ import annotations

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting import fields, formatting, topology, view

from report_fixtures import LAB12, LAB3, lab3


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
    drawing = topology.topology(report, fields.view_tunnels(report), {"azure_vnet_cidr": "10.1.0.0/16"})
    clouds = {c["cloud"]: c for c in drawing["clouds"]}
    boxes = drawing["vms"] + drawing["gateways"]
    assert len(drawing["vms"]) == len(report["vms"])
    for vm, box in zip(fields.ordered_vms(report), drawing["vms"]):
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
    lines = topology.topology(report, fields.view_tunnels(report), {})["tunnels"]
    assert [(l["name"], l["state"], l["role"]) for l in lines] == [
        ("tunnel1", "down", "down: no traffic"), ("tunnel2", "unknown", "state unknown")]
    assert lines[0]["detail"] == "no answer (DPD)" and lines[0]["y"] < lines[1]["y"]
    healthy = topology.topology(LAB3, fields.view_tunnels(LAB3), {})["tunnels"]
    grown = LAB3["counters"]["private_phase"]["tunnels"]["tunnel2"]
    assert [l["role"] for l in healthy] == ["standby", "carries the traffic (%s)" % formatting.fmt_bytes(
        grown["bytes_in"] + grown["bytes_out"])]


def test_a_vm_nobody_reaches_is_marked():
    report = lab3()
    for m in report["measurements"]:
        if m["src"] == "vm2":
            m.update(received=0, loss_pct=100.0)
    health = {box["name"]: box["health"] for box in topology.topology(report, [], {})["vms"]}
    assert health == {"vm1": "ok", "vm2": "bad", "vm3": "ok"}
    unreachable = lab3()
    unreachable["vms"][2]["access"] = {"ssh": "unreachable", "error": "connection refused"}
    health = {box["name"]: box["health"] for box in topology.topology(unreachable, [], {})["vms"]}
    assert health == {"vm1": "ok", "vm2": "ok", "vm3": "bad"}
    assert {b["health"] for b in topology.topology(lab3(measurements=[]), [], {})["vms"]} == {"unknown"}

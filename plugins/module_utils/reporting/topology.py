# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The topology drawing: both clouds' networks side by side, their VMs (marked when broken), the
two VPN gateways and a line per tunnel, as SVG coordinates for the page."""

from __future__ import annotations

from typing import Any, Dict, List

from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting.constants import NETWORK_TITLES
from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting.fields import (
    measurement_index, measurement_state, ordered_vms, shown_tool,
)
from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting.formatting import fmt_bytes
from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting.summary import verdict_view


VM_W, VM_H, GAP, PAD, HEAD = 176, 52, 12, 18, 46
GW_W, TUNNEL_STEP, GW_HEAD = 168, 56, 46
MIDDLE = 250


def _vm_health(report, vms):
    """bad for a VM that is a failure's object or whose every probe failed; else ok/unknown."""
    if not report.get("measurements"):
        return {vm["name"]: "unknown" for vm in vms}
    index, tool = measurement_index(report), shown_tool(report)
    objects = {f["object"] for f in verdict_view(report)["failures"]}
    health = {}
    for vm in vms:
        states = [measurement_state(index.get((vm["name"], dst["name"], "private", tool)))
                  for dst in vms if dst["name"] != vm["name"]]
        dead = bool(states) and all(s in ("lost", "error", "missing") for s in states)
        ssh = ((vm.get("access") or {}).get("ssh") or "ok").lower()
        unreachable = ssh not in ("ok", "not tried")
        health[vm["name"]] = "bad" if dead or unreachable or vm["name"] in objects else "ok"
    return health


def _columns(count):
    return 1 if count <= 6 else 2


def _vm_boxes(vms, x0, y0, health):
    cols = _columns(len(vms))
    boxes = []
    for i, vm in enumerate(vms):
        col, row = i % cols, i // cols
        boxes.append({"x": x0 + col * (VM_W + GAP), "y": y0 + row * (VM_H + GAP), "w": VM_W,
                      "h": VM_H, "name": str(vm["name"]), "private_ip": str(vm.get("private_ip") or ""),
                      "public_ip": str(vm.get("public_ip") or "no public IP"),
                      "health": health.get(vm["name"], "unknown")})
    return boxes


def _grid_size(count):
    cols = _columns(count)
    rows = max(1, -(-count // cols))
    return cols * (VM_W + GAP) - GAP, rows * (VM_H + GAP) - GAP


def topology(report: Dict[str, Any], tunnels: List[Dict[str, Any]], network: Dict[str, Any]) -> Dict[str, Any]:
    vms = ordered_vms(report)
    health = _vm_health(report, vms)
    left = [vm for vm in vms if vm.get("cloud") != "aws"]
    right = [vm for vm in vms if vm.get("cloud") == "aws"]
    gw_h = GW_HEAD + TUNNEL_STEP * max(1, len(tunnels))
    (lw, lh), (rw, rh) = _grid_size(len(left)), _grid_size(len(right))
    box_h = HEAD + max(lh, rh, gw_h) + PAD
    left_w = PAD + lw + 2 * GAP + GW_W + PAD
    right_x = left_w + MIDDLE
    right_w = PAD + GW_W + 2 * GAP + rw + PAD
    gw_y = HEAD + (box_h - HEAD - PAD - gw_h) / 2
    azure_gw = {"x": left_w - PAD - GW_W, "y": gw_y, "w": GW_W, "h": gw_h,
                "title": "Azure VPN gateway", "ip": network.get("azure_gateway_ip") or ""}
    vgw = {"x": right_x + PAD, "y": gw_y, "w": GW_W, "h": gw_h, "title": "AWS VPN gateway",
           "ip": "virtual private gateway"}
    return {
        "width": right_x + right_w, "height": box_h + 8,
        "clouds": [
            {"x": 0, "y": 0, "w": left_w, "h": box_h, "cloud": "azure", "title": NETWORK_TITLES["azure"],
             "cidr": network.get("azure_vnet_cidr") or ""},
            {"x": right_x, "y": 0, "w": right_w, "h": box_h, "cloud": "aws",
             "title": NETWORK_TITLES["aws"], "cidr": network.get("aws_vpc_cidr") or ""}],
        "gateways": [azure_gw, vgw],
        "vms": (_vm_boxes(left, PAD, HEAD + (box_h - HEAD - PAD - lh) / 2, health)
                + _vm_boxes(right, vgw["x"] + GW_W + 2 * GAP, HEAD + (box_h - HEAD - PAD - rh) / 2,
                            health)),
        "tunnels": _tunnel_lines(tunnels, azure_gw, vgw),
        "internet": {"x": left_w + MIDDLE / 2, "y": 22},
    }


def _tunnel_lines(tunnels, azure_gw, vgw):
    lines = []
    for i, t in enumerate(tunnels):
        y = azure_gw["y"] + GW_HEAD + TUNNEL_STEP * i + TUNNEL_STEP / 2
        x1, x2 = azure_gw["x"] + azure_gw["w"], vgw["x"]
        role = {"down": "down: no traffic", "unknown": "state unknown"}.get(
            t["state"], "carries the traffic (%s)" % fmt_bytes(t["carried"]) if t["active"]
            else "standby")
        lines.append({"x1": x1, "x2": x2, "y": y, "mid_x": (x1 + x2) / 2, "name": str(t.get("name")),
                      "state": t["state"], "status": t["status"], "active": t["active"],
                      "outside_ip": str(t.get("outside_ip") or "n/a"), "role": role,
                      "detail": str(t.get("detail") or ""),
                      "label": "%s %s" % (t.get("name"), t["state"].upper())})
    return lines

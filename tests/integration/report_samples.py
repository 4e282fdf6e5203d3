# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reports to render: real local labs' report.json (3 VMs healthy and with the active tunnel cut,
12 VMs from an older check) and variants of them.

The variants change a real report the way a fault would (a path lost, probes skipped on an
emulated cloud) so the pages are tried on every state a learner may meet.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "unit" / "plugins" / "module_utils" / "fixtures"
PLAN = {"azure": {"vnet_cidr": "10.1.0.0/16"}, "aws": {"vpc_cidr": "10.2.0.0/16"},
        "crypto": {"tcp_mss": 1350}, "local": {"public_ips": {"azure_gateway": "198.51.100.10"}}}


def real(vms=3):
    """report.json of a healthy local lab of 3 or 12 VMs, as the check wrote it."""
    return json.loads((FIXTURES / ("report_local_%dvms.json" % vms)).read_text())


def degraded():
    """The traffic-carrying tunnel cut (its outside address dropped IKE and ESP in the VGW's
    namespace) on the same lab: the other tunnel carries the traffic. Failover is not measured
    by the check; the entry shows how a report that has one is drawn."""
    report = json.loads((FIXTURES / "report_local_3vms_degraded.json").read_text())
    report["failover"] = {"tunnel_cut": "tunnel2", "outage_s": 8.4, "dpd_timeout_s": 9}
    return report


def finding(severity, obj, problem, cause=None, evidence=None):
    """A verdict finding in report.json's shape."""
    text = "%s: %s" % (obj, problem) + (": " + cause if cause else "") + (
        " (%s)" % evidence if evidence else "")
    return {"severity": severity, "object": obj, "problem": problem, "cause": cause,
            "evidence": evidence, "text": text}


def failing():
    """vm3 cannot be reached privately: its pings and mtr are lost, the DF pings too."""
    report = real()
    for m in report["measurements"]:
        if m["dst"] == "vm3" and m["path"] == "private":
            m.update(received=0, loss_pct=100.0, rtt_min_ms=None, rtt_avg_ms=None,
                     rtt_max_ms=None)
    for check in report["mtu_checks"]:
        if check["dst"] == "vm3":
            check.update(received=0, ok=False, error="ping exited with 1")
    found = [finding("failure", "private path vm1->vm3", "lost 10/10 and the ESP counters did "
                     "not move", "traffic is not entering the tunnel (check the route to "
                     "10.2.0.0/16 on the Azure side)", "to AWS +0 B"),
             finding("failure", "private path vm2->vm3", "lost 10/10 twice"),
             finding("warning", "vm1 -> vm2 public", "1 of 10 lost once, not repeated")]
    report["verdict"] = {"ok": False, "level": "fail", "findings": found,
                         "failures": [f["text"] for f in found[:2]], "warnings": [found[2]["text"]],
                         "headline": "FAIL: 2 failure(s), first: " + found[0]["text"]}
    return report


def skipped():
    """The cloud target on emulators: nothing probed, the tunnels' state unknown."""
    report = real()
    report.update(measurements=[], mtu_checks=[], throughput=[],
                  probes={"run": False, "reason": "emulated cloud"},
                  notes=["nothing was measured: the VMs were not probed (emulated cloud)"])
    for tunnel in report["tunnels"]:
        tunnel.update(status="unknown", bytes_in=None, bytes_out=None, detail="no telemetry")
    for phase in report["counters"].values():
        phase.update(bytes_in=None, bytes_out=None,
                     tunnels={name: {"bytes_in": None, "bytes_out": None} for name in phase["tunnels"]})
    # An older report's verdict: plain lines, no findings, no headline.
    report["verdict"] = {"ok": True, "level": "degraded", "failures": [], "warnings": [
        "nothing was measured, so nothing is proven: the VMs were not probed (emulated cloud)"]}
    return report


def minimal():
    """The smallest report a view must survive: no counters, no checks, no tunnels."""
    report = real()
    return {"lab": report["lab"], "target": "local", "vms": report["vms"],
            "verdict": {"ok": False, "failures": ["no tunnels reported"], "warnings": []}}


MARK = "<q>x&y"


def hostile():
    """Every free-text field carries markup, which the page must show as text."""
    report = degraded()
    report["lab"] = MARK
    report["vms"][0]["name"] = MARK
    for m in report["measurements"]:
        for key in ("src", "dst"):
            if m[key] == "vm1":
                m[key] = MARK
        for hop in m.get("hops") or []:
            hop["host"] = MARK
    report["tunnels"][0].update(name=MARK, detail=MARK)
    report["verdict"]["findings"].append(finding("warning", MARK, MARK, MARK, MARK))
    report["verdict"]["headline"] = "DEGRADED: " + MARK
    report["notes"] = [MARK]
    report["failover"][MARK] = MARK
    return report


SAMPLES = {"healthy": real, "twelve": lambda: real(12), "degraded": degraded, "failing": failing,
           "skipped": skipped, "minimal": minimal, "hostile": hostile}


def sample(name):
    return copy.deepcopy(SAMPLES[name]())

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab_report module in this process: registered probe results in, report.json out."""

from __future__ import annotations

import json

from ansible_collections.multicloud.vpnlab.plugins.modules import lab_report

VMS = [{"name": "vm1", "cloud": "azure", "private_ip": "10.1.1.10", "public_ip": "198.51.100.11"},
       {"name": "vm3", "cloud": "aws", "private_ip": "10.2.1.10", "public_ip": "203.0.113.12"}]
UP = [{"name": "tunnel1", "outside_ip": "203.0.113.10", "status": "up", "bytes_in": 0,
       "bytes_out": 0, "source": "test", "detail": "fine"}]
GROWN = [dict(UP[0], bytes_in=840, bytes_out=840)]


def ping(src, dst, dst_ip, path, received=10):
    return {"src": src, "dst": dst, "dst_ip": dst_ip, "path": path, "tool": "ping", "sent": 10,
            "received": received, "loss_pct": 100.0 - 10 * received, "rtt_min_ms": 1.0,
            "rtt_avg_ms": 1.1, "rtt_max_ms": 1.3, "hops": None, "error": None, "remeasured": None}


def args(tmp_path, runs, **extra):
    result = {"lab": "t", "target": "local", "vms": VMS, "runs": runs, "tools": ["ping"],
              "evidence": {"before": UP, "mid": GROWN, "after": GROWN}, "mtu": 0,
              "networks": {"azure": "10.1.0.0/16", "aws": "10.2.0.0/16"},
              "state_dir": str(tmp_path / "state")}
    result.update(extra)
    return result


RUN_VM1 = {"vm": "vm1",
           "private": {"changed": False, "measurements": [ping("vm1", "vm3", "10.2.1.10", "private")],
                       "mtu_checks": []},
           "public": {"changed": False, "measurements": [ping("vm1", "vm3", "203.0.113.12", "public")],
                      "mtu_checks": []}}
REFUSED = "Failed to connect to the host via ssh: nc: connect to 203.0.113.12 port 22 (tcp) failed: Connection refused"
RUN_VM3 = {"vm": "vm3", "private": {"unreachable": True, "msg": REFUSED, "changed": False},
           "public": {"skipped": True, "changed": False}}


def test_an_unreachable_vm_is_named_and_report_json_written(run_module, tmp_path):
    result = run_module(lab_report, args(tmp_path, [RUN_VM1, RUN_VM3], require_all_tunnels=True))
    assert result["changed"] is True
    verdict = result["verdict"]
    assert verdict["level"] == "fail"
    assert verdict["failures"] == [
        "vm3: SSH unreachable (connection refused on 203.0.113.12:22 through the operator): sshd "
        "is not running on the VM, or a firewall on it rejects port 22 (nc: connect to "
        "203.0.113.12 port 22 (tcp) failed: Connection refused)"]
    written = json.loads((tmp_path / "state" / "report.json").read_text())
    assert written == result["report"]
    assert [vm["access"]["ssh"] for vm in written["vms"]] == ["ok", "unreachable"]
    assert written["notes"] == ["path MTU not checked: the check was turned off (size 0)",
                                "throughput not measured: turned off"]


def test_check_mode_writes_nothing(run_module, tmp_path):
    result = run_module(lab_report, args(tmp_path, [RUN_VM1], vms=VMS[:1]), check_mode=True)
    assert result["changed"] is False and result["verdict"]["level"] == "pass"
    assert not (tmp_path / "state").exists()


def test_lagging_counters_that_never_grew_are_a_warning_with_the_wait(run_module, tmp_path):
    run_vm3 = {"vm": "vm3",
               "private": {"changed": False, "measurements": [ping("vm3", "vm1", "10.1.1.10", "private")],
                           "mtu_checks": []},
               "public": {"changed": False, "measurements": [ping("vm3", "vm1", "198.51.100.11", "public")],
                          "mtu_checks": []}}
    still = {"before": UP, "mid": UP, "after": UP}
    lagging = run_module(lab_report, args(tmp_path, [RUN_VM1, run_vm3], evidence=still, target="cloud",
                                          counter_settle_seconds=60, counter_waited_seconds=60))
    assert lagging["verdict"]["level"] == "pass"
    assert [w.split(":")[1].strip() for w in lagging["verdict"]["warnings"]] == [
        "the ESP byte counters had not grown after 60 s"]
    assert (lagging["report"]["counters"]["settle_s"], lagging["report"]["counters"]["waited_s"]) == (60, 60)
    live = run_module(lab_report, args(tmp_path, [RUN_VM1, run_vm3], evidence=still))
    assert live["verdict"]["level"] == "fail"

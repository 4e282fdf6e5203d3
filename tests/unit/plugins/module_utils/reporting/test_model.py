# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Report data and verdict: levels, the loss rules, and a table of injected faults, each of which
must give its own cause line. (The views are tested where they are rendered.)"""

from __future__ import annotations

import copy
import json

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting.model import (
    build_report, counters_settled, expected_measurements, from_probe_runs, tunnel_deltas,
)

VMS = [
    {"name": "vm1", "cloud": "azure", "private_ip": "10.1.1.10", "public_ip": "198.51.100.11"},
    {"name": "vm2", "cloud": "azure", "private_ip": "10.1.1.20", "public_ip": "198.51.100.12"},
    {"name": "vm3", "cloud": "aws", "private_ip": "10.2.1.10", "public_ip": "203.0.113.12"},
]
IPS = {vm["name"]: vm for vm in VMS}
NETWORKS = {"azure": "10.1.0.0/16", "aws": "10.2.0.0/16"}
OK_ACCESS = {vm["name"]: {"ssh": "ok", "error": None} for vm in VMS}


def tunnel(name, b_in, b_out, status="up", detail="IKE SA established, CHILD SA installed"):
    return {"name": name, "outside_ip": {"tunnel1": "203.0.113.10"}.get(name, "203.0.113.11"),
            "status": status, "bytes_in": b_in, "bytes_out": b_out, "source": "test",
            "detail": detail}


def tunnels(t1=(0, 0), t2=(0, 0), status1="up", detail1="IKE SA established, CHILD SA installed"):
    """Both tunnels with (bytes_in, bytes_out) each; tunnel2 carries the traffic by default."""
    return [tunnel("tunnel1", t1[0], t1[1], status1, detail1), tunnel("tunnel2", t2[0], t2[1])]


# A healthy run: the private probes move tunnel2's counters both ways, the public ones do not.
BEFORE, MID, AFTER = tunnels(t2=(1000, 1000)), tunnels(t2=(9000, 9400)), tunnels(t2=(9000, 9400))


def rtt(src, dst, path):
    """Predictable round-trip times, distinct per pair: vm1 -> vm3 private is 1.13 ms."""
    cross = IPS[src]["cloud"] != IPS[dst]["cloud"]
    return round((1.0 if cross else 0.1) + (0.5 if path == "public" else 0.0)
                 + int(src[-1]) / 10 + int(dst[-1]) / 100, 3)


def measurement(src, dst, path, tool):
    avg = rtt(src, dst, path) + (0.01 if tool == "mtr" else 0.0)
    hops = None
    if tool == "mtr":
        hops = [{"hop": 1, "host": "10.1.1.1", "loss_pct": 0.0, "avg_ms": 0.08},
                {"hop": 2, "host": "???", "loss_pct": 100.0, "avg_ms": None},
                {"hop": 3, "host": IPS[dst]["%s_ip" % path], "loss_pct": 0.0, "avg_ms": avg}]
    return {"src": src, "dst": dst, "dst_ip": IPS[dst]["%s_ip" % path], "path": path,
            "tool": tool, "sent": 10, "received": 10, "loss_pct": 0.0, "rtt_min_ms": avg - 0.01,
            "rtt_avg_ms": avg, "rtt_max_ms": avg + 0.05, "hops": hops, "error": None,
            "remeasured": None}


GOOD = [measurement(*key) for key in expected_measurements(VMS)]
MTU_GOOD = [{"src": src, "dst": dst, "dst_ip": IPS[dst]["private_ip"], "size": 1400,
             "largest": 1400, "ok": True, "tried": [[1400, True], [1401, False]], "error": None}
            for src, dst in (("vm1", "vm3"), ("vm2", "vm3"), ("vm3", "vm1"), ("vm3", "vm2"))]
THROUGHPUT_GOOD = [
    {"src": "vm1", "dst": "vm3", "dst_ip": "10.2.1.10", "path": "private", "mbps": 310.5,
     "sender_mbps": 312.0, "retransmits": 4, "seconds": 3.0, "error": None},
    {"src": "vm1", "dst": "vm3", "dst_ip": "203.0.113.12", "path": "public", "mbps": 2100.0,
     "sender_mbps": 2110.0, "retransmits": 0, "seconds": 3.0, "error": None}]


def report(measurements=None, before=None, mid=None, after=None, **options):
    arguments = dict(access=OK_ACCESS, networks=NETWORKS, mss_clamp=1350, mtu_checks=MTU_GOOD,
                     throughput=THROUGHPUT_GOOD)
    arguments.update(options)
    evidence = {"before": BEFORE if before is None else before, "mid": MID if mid is None else mid,
                "after": AFTER if after is None else after}
    return build_report("vpntest", "local", VMS, evidence,
                        GOOD if measurements is None else measurements,
                        generated_at="2026-11-25T21:00:00+00:00", **arguments)


def lose(measurements, keys, received=0, again=0, error=None):
    """The measurements with those of `keys` ((src, dst, path) or (src, dst, path, tool)) losing
    packets: `received` of 10 the first time, `again` of 10 when measured again (None: not)."""
    result = copy.deepcopy(measurements)
    for m in result:
        if (m["src"], m["dst"], m["path"]) in keys or (m["src"], m["dst"], m["path"], m["tool"]) in keys:
            m.update(received=received, loss_pct=100.0 - 10 * received, error=error)
            m["remeasured"] = None if again is None else {
                "sent": 10, "received": again, "loss_pct": 100.0 - 10 * again,
                "rtt_min_ms": None, "rtt_avg_ms": None, "rtt_max_ms": None, "error": error}
    return result


def without(measurements, src):
    return [m for m in measurements if m["src"] != src]


def findings(result, severity=None):
    return [f for f in result["verdict"]["findings"] if severity in (None, f["severity"])]


def test_all_good():
    result = report()
    assert set(result) == {"lab", "target", "generated_at", "vms", "networks", "tunnels",
                           "evidence", "counters", "measurements", "mtu_checks", "throughput",
                           "failover", "tool_results", "tools", "probes", "notes", "routing", "verdict"}
    assert result["routing"] is None  # static routing
    verdict = result["verdict"]
    assert (verdict["ok"], verdict["level"], verdict["failures"], verdict["warnings"],
            verdict["findings"]) == (True, "pass", [], [], [])
    assert verdict["headline"] == "PASS: 24 measurements, no loss that repeated, tunnels up/up"
    assert len(result["measurements"]) == 24
    assert result["tunnels"] == AFTER and result["evidence"]["before"] == BEFORE
    assert [vm["access"] for vm in result["vms"]] == [{"ssh": "ok", "error": None}] * 3
    assert result["counters"]["private_phase"]["bytes_in"] == 8000
    assert result["counters"]["private_phase"]["bytes_out"] == 8400
    assert result["counters"]["public_phase"]["bytes_in"] == 0
    assert [c["mss_clamp"] for c in result["mtu_checks"]] == [1350] * 4
    assert [t["path"] for t in result["throughput"]] == ["private", "public"]
    assert result["failover"] is None and result["probes"] == {"run": True, "reason": None}
    assert result["notes"] == []
    json.dumps(result)


# --- one injected fault, one cause -------------------------------------------------------------

AZURE_ROUTE_GONE = lose(GOOD, {("vm1", "vm3", "private"), ("vm2", "vm3", "private"),
                               ("vm3", "vm1", "private"), ("vm3", "vm2", "private")})
# As measured on a local lab with the VNet's route to the VPC deleted: the Azure VMs' echoes
# went to the internet, whose router said so; only mtr's expired probes crossed to AWS.
NET_UNREACHABLE = "From 198.51.100.1: Destination Net Unreachable"
for _m in AZURE_ROUTE_GONE:
    if _m["src"] != "vm3" and _m["dst"] == "vm3" and _m["path"] == "private" and _m["tool"] == "ping":
        _m["icmp_error"] = NET_UNREACHABLE
ROUTE_GONE_MID = tunnels(t2=(5000, 1368))
REFUSED = ("Failed to connect to the host via ssh: nc: connect to 198.51.100.12 port 22 (tcp) "
           "failed: Connection refused\r\nConnection closed by UNKNOWN port 65535")
TIMED_OUT = "Failed to connect to the host via ssh: Connection timed out during banner exchange"
PROXY_CLOSED = ('Task failed: Data could not be sent to remote host "198.51.100.12". Make sure this '
                'host can be reached over ssh: kex_exchange_identification: Connection closed by '
                'remote host\r\nConnection closed by UNKNOWN port 65535')
IKE_DEAD = ("IKE not established, no answer from 203.0.113.10 (IKE SA connecting: "
            "retransmitting, or restarted after DPD declared the peer dead)")

FAULTS = [
    # name, report arguments, level, object of the finding, its severity, its full line
    ("ssh refused",
     dict(measurements=without(GOOD, "vm2"),
          access=dict(OK_ACCESS, vm2={"ssh": "unreachable", "error": REFUSED})),
     "fail", "vm2", "failure",
     "vm2: SSH unreachable (connection refused on 198.51.100.12:22 through the operator): sshd "
     "is not running on the VM, or a firewall on it rejects port 22 (nc: connect to "
     "198.51.100.12 port 22 (tcp) failed: Connection refused Connection closed by UNKNOWN port "
     "65535)"),
    # What ansible-core 2.19 registers when the operator's nc finds the port closed.
    ("ssh closed through the proxy",
     dict(measurements=without(GOOD, "vm2"),
          access=dict(OK_ACCESS, vm2={"ssh": "unreachable", "error": PROXY_CLOSED})),
     "fail", "vm2", "failure",
     "vm2: SSH unreachable (connection to 198.51.100.12:22 through the operator closed before SSH "
     "answered): sshd is not running on the VM (connection refused), or a firewall on it "
     "rejects port 22 (kex_exchange_identification: Connection closed by remote host Connection "
     "closed by UNKNOWN port 65535)"),
    ("ssh timeout",
     dict(measurements=without(GOOD, "vm3"),
          access=dict(OK_ACCESS, vm3={"ssh": "unreachable", "error": TIMED_OUT})),
     "fail", "vm3", "failure",
     "vm3: SSH unreachable (no answer on 203.0.113.12:22 through the operator): the VM is down, "
     "or its security group / NSG drops SSH from the admin addresses (Connection timed out "
     "during banner exchange)"),
    ("vm down",
     dict(measurements=lose(without(GOOD, "vm2"), {("vm1", "vm2", "private"), ("vm3", "vm2", "private"),
                                                   ("vm1", "vm2", "public"), ("vm3", "vm2", "public")}),
          access=dict(OK_ACCESS, vm2={"ssh": "unreachable", "error": TIMED_OUT})),
     "fail", "private path vm3 -> vm2 (10.1.1.20)", "failure",
     "private path vm3 -> vm2 (10.1.1.20): mtr lost 10/10, then 10/10 when measured again; ping "
     "lost 10/10, then 10/10 when measured again: vm2 does not answer SSH either: the VM itself "
     "seems down (Connection timed out during banner exchange)"),
    ("azure route gone, requests",
     dict(measurements=AZURE_ROUTE_GONE, mid=ROUTE_GONE_MID, after=ROUTE_GONE_MID),
     "fail", "private path vm1 -> vm3 (10.2.1.10)", "failure",
     "private path vm1 -> vm3 (10.2.1.10): mtr lost 10/10, then 10/10 when measured again; ping "
     "lost 10/10, then 10/10 when measured again: traffic is not entering the tunnel (check the "
     "route to 10.2.0.0/16 on the Azure side: the VNet's route through the VPN gateway: the "
     "local network gateways' address prefixes, or a user route on the subnet) (the ESP "
     "counters did not move to AWS; ESP bytes to AWS +368, from AWS +4000 during the private "
     "probes; a router answered: From 198.51.100.1: Destination Net Unreachable)"),
    ("azure route gone, replies",
     dict(measurements=AZURE_ROUTE_GONE, mid=ROUTE_GONE_MID, after=ROUTE_GONE_MID),
     "fail", "private path vm3 -> vm1 (10.1.1.10)", "failure",
     "private path vm3 -> vm1 (10.1.1.10): mtr lost 10/10, then 10/10 when measured again; ping "
     "lost 10/10, then 10/10 when measured again: requests go through the tunnel but no reply "
     "comes back through it (check the route to 10.2.0.0/16 on the Azure side: the VNet's route "
     "through the VPN gateway: the local network gateways' address prefixes, or a user route on "
     "the subnet; and that vm1 answers; or ESP is lost between the gateways) (ESP bytes from AWS "
     "+4000, to AWS +368 during the private probes)"),
    ("aws route gone",
     dict(measurements=AZURE_ROUTE_GONE, mid=tunnels(t2=(1000, 5000))),
     "fail", "private path vm3 -> vm1 (10.1.1.10)", "failure",
     "private path vm3 -> vm1 (10.1.1.10): mtr lost 10/10, then 10/10 when measured again; ping "
     "lost 10/10, then 10/10 when measured again: traffic is not entering the tunnel (check the "
     "route to 10.1.0.0/16 on the AWS side: the subnet's route table: a route to the virtual "
     "private gateway, or route propagation) (the ESP counters did not move from AWS; ESP bytes "
     "from AWS +0, to AWS +4000 during the private probes)"),
    ("private loss, counters moving",
     dict(measurements=lose(GOOD, {("vm1", "vm3", "private", "ping")}, received=7, again=8)),
     "fail", "private path vm1 -> vm3 (10.2.1.10)", "failure",
     "private path vm1 -> vm3 (10.2.1.10): ping lost 3/10, then 2/10 when measured again: packets "
     "were lost although the tunnel carries traffic in both directions: loss inside the tunnel "
     "or at its ends (a busy gateway, the userspace ESP under load) (ESP bytes to AWS +8400, "
     "from AWS +8000 during the private probes)"),
    ("private path dead, counters moving",
     dict(measurements=lose(GOOD, {("vm2", "vm3", "private")})),
     "fail", "private path vm2 -> vm3 (10.2.1.10)", "failure",
     "private path vm2 -> vm3 (10.2.1.10): mtr lost 10/10, then 10/10 when measured again; ping "
     "lost 10/10, then 10/10 when measured again: the tunnel carries traffic, but not this "
     "path's: check vm3's address, its route back and the security rules in front of it (ESP "
     "bytes to AWS +8400, from AWS +8000 during the private probes)"),
    ("private loss inside azure",
     dict(measurements=lose(GOOD, {("vm1", "vm2", "private")})),
     "fail", "private path vm1 -> vm2 (10.1.1.20)", "failure",
     "private path vm1 -> vm2 (10.1.1.20): mtr lost 10/10, then 10/10 when measured again; ping "
     "lost 10/10, then 10/10 when measured again: the path stays inside Azure: check that vm2 is "
     "up and that its subnet's security rules allow ICMP from vm1"),
    ("tunnel IKE dead",
     dict(after=tunnels(t2=(9000, 9400), status1="down", detail1=IKE_DEAD)),
     "degraded", "tunnel1 (203.0.113.10)", "degraded",
     "tunnel1 (203.0.113.10): down, redundancy lost (tunnel2 carries the traffic): " + IKE_DEAD
     + " (test)"),
    ("tunnel IKE dead, all tunnels required",
     dict(after=tunnels(t2=(9000, 9400), status1="down", detail1=IKE_DEAD),
          require_all_tunnels=True),
     "fail", "tunnel1 (203.0.113.10)", "failure",
     "tunnel1 (203.0.113.10): down, redundancy lost (tunnel2 carries the traffic): " + IKE_DEAD
     + " (test)"),
    ("tunnel state unknown",
     dict(after=tunnels(t2=(9000, 9400), status1="unknown", detail1="no telemetry")),
     "degraded", "tunnel1 (203.0.113.10)", "degraded",
     "tunnel1 (203.0.113.10): state unknown: no telemetry (test)"),
    ("public path loss",
     dict(measurements=lose(GOOD, {("vm2", "vm3", "public")})),
     "fail", "public path vm2 -> vm3 (203.0.113.12)", "failure",
     "public path vm2 -> vm3 (203.0.113.12): mtr lost 10/10, then 10/10 when measured again; "
     "ping lost 10/10, then 10/10 when measured again: vm3 answers on its private address, so its "
     "public address or the rules in front of it drop the traffic: check its public IP / 1:1 NAT "
     "and that its security group / NSG allows ICMP from 198.51.100.12 (private path vm2 -> vm3: "
     "no loss)"),
    ("public path loss, public not required",
     dict(measurements=lose(GOOD, {("vm2", "vm3", "public")}), require_public=False),
     "pass", "public path vm2 -> vm3 (203.0.113.12)", "warning",
     "public path vm2 -> vm3 (203.0.113.12): mtr lost 10/10, then 10/10 when measured again; "
     "ping lost 10/10, then 10/10 when measured again: vm3 answers on its private address, so its "
     "public address or the rules in front of it drop the traffic: check its public IP / 1:1 NAT "
     "and that its security group / NSG allows ICMP from 198.51.100.12 (private path vm2 -> vm3: "
     "no loss)"),
    ("public traffic through the tunnel",
     dict(after=tunnels(t2=(9084, 9484))),
     "fail", "tunnels", "failure",
     "tunnels: public traffic went through the tunnel: a route or the traffic selectors send "
     "public addresses into the tunnel (the local network gateways' prefixes and the VPN's static "
     "routes must hold only the private networks) (ESP byte counters +168 bytes during the public "
     "probes, tolerance 0)"),
    ("private traffic beside the tunnel",
     dict(before=MID, mid=MID),
     "fail", "tunnels", "failure",
     "tunnels: no private traffic went through the tunnels: the private paths to the other cloud "
     "answered, so their traffic took another way (check the routes: it must go through the VPN "
     "gateways) (ESP byte counters +0 during the private probes)"),
    ("mtu too small",
     dict(mtu_checks=[dict(MTU_GOOD[0], largest=1380, ok=False)] + MTU_GOOD[1:]),
     "fail", "path MTU vm1 -> vm3 (10.2.1.10)", "failure",
     "path MTU vm1 -> vm3 (10.2.1.10): 1380 bytes, below the 1400 the tunnel must carry: packets "
     "above 1380 bytes with Don't Fragment are dropped on the way (the MTU of the tunnel or of a "
     "gateway is too small) (largest DF packet that passed: 1380 bytes)"),
    ("mss clamp too big",
     dict(mss_clamp=1380),
     "pass", "path MTU vm1 -> vm3 (10.2.1.10)", "warning",
     "path MTU vm1 -> vm3 (10.2.1.10): TCP segments of the clamped MSS 1380 make 1420-byte "
     "packets, more than the 1400 the path carries: lower the MSS clamp to 1360"),
    ("transient loss",
     dict(measurements=lose(GOOD, {("vm3", "vm1", "private", "ping")}, received=9, again=10)),
     "pass", "private path vm3 -> vm1 (10.1.1.10)", "warning",
     "private path vm3 -> vm1 (10.1.1.10): ping lost 1/10, then 0/10 when measured again: a "
     "transient loss, not repeated when measured again: not a failure (the check's own load, or "
     "a busy gateway)"),
    ("missing measurement",
     dict(measurements=[m for m in GOOD if (m["src"], m["dst"], m["path"], m["tool"])
                        != ("vm2", "vm1", "public", "mtr")]),
     "fail", "vm2 -> vm1 public (mtr)", "failure",
     "vm2 -> vm1 public (mtr): missing measurement: the probe returned no result for it"),
    ("throughput refused",
     dict(throughput=[dict(THROUGHPUT_GOOD[0], mbps=None, error="iperf3: unable to connect to "
                           "server: Connection refused")] + THROUGHPUT_GOOD[1:]),
     "pass", "throughput vm1 -> vm3 private (10.2.1.10)", "warning",
     "throughput vm1 -> vm3 private (10.2.1.10): not measured: no iperf3 server answered on "
     "10.2.1.10: check that iperf3 runs there and that its security group / NSG allows TCP 5201 "
     "from vm1 (iperf3: unable to connect to server: Connection refused)"),
]


@pytest.mark.parametrize("name, arguments, level, obj, severity, line", FAULTS,
                         ids=[case[0] for case in FAULTS])
def test_each_fault_names_the_object_and_its_cause(name, arguments, level, obj, severity, line):
    result = report(**arguments)
    assert result["verdict"]["level"] == level
    assert result["verdict"]["ok"] is (level != "fail")
    mine = [f for f in findings(result) if f["object"] == obj]
    assert [(f["severity"], f["text"]) for f in mine] == [(severity, line)], findings(result)
    listed = result["verdict"]["failures" if severity == "failure" else "warnings"]
    assert line in listed


def test_every_fault_has_its_own_cause():
    causes = {}
    for name, arguments, dummy, obj, dummy2, dummy3 in FAULTS:
        cause = next(f["cause"] for f in findings(report(**arguments)) if f["object"] == obj)
        causes.setdefault(cause, []).append(name)
    shared = {cause: names for cause, names in causes.items() if len(names) > 1}
    # The same fault seen with another option (required or not) keeps its cause.
    assert shared == {
        causes_of("tunnel IKE dead"): ["tunnel IKE dead", "tunnel IKE dead, all tunnels required"],
        causes_of("public path loss"): ["public path loss", "public path loss, public not required"],
    }


def causes_of(name):
    case = next(c for c in FAULTS if c[0] == name)
    return next(f["cause"] for f in findings(report(**case[1])) if f["object"] == case[3])


def test_an_unreachable_vm_is_one_failure_not_a_missing_measurement_each():
    result = report(measurements=without(GOOD, "vm2"),
                    access=dict(OK_ACCESS, vm2={"ssh": "unreachable", "error": REFUSED}))
    assert len(result["verdict"]["failures"]) == 1


def test_a_vm_whose_probe_failed_is_named_with_the_error():
    result = report(measurements=without(GOOD, "vm1"),
                    access=dict(OK_ACCESS, vm1={"ssh": "probe failed",
                                                "error": "mtr is not installed on this host"}))
    assert result["verdict"]["failures"] == [
        "vm1: the probe could not run: see its error; the VM is reachable by SSH (mtr is not "
        "installed on this host)"]


def test_one_tunnel_down_is_degraded_and_the_headline_says_which_and_that_redundancy_is_lost():
    result = report(after=tunnels(t2=(9000, 9400), status1="down", detail1=IKE_DEAD))
    assert result["verdict"]["failures"] == []
    assert result["verdict"]["headline"] == (
        "DEGRADED: tunnel1 (203.0.113.10) down, redundancy lost: tunnel2 carries all traffic; 24 "
        "measurements without a failure")


def test_both_tunnels_down_fail_and_every_tunnel_path_says_no_tunnel_is_up():
    down = tunnels(status1="down", detail1=IKE_DEAD)
    down[1].update(status="down", detail="no IKE SA")
    result = report(AZURE_ROUTE_GONE, before=down, mid=down, after=down)
    assert result["verdict"]["level"] == "fail"
    assert result["verdict"]["headline"].startswith("FAIL: 6 failure(s), first: tunnel1 (203.0.113.10): down")
    tunnel_paths = [f for f in findings(result) if f["object"].startswith("private path")]
    assert len(tunnel_paths) == 4
    assert {f["cause"] for f in tunnel_paths} == {"no tunnel is up (see the tunnels)"}
    assert [f["problem"] for f in findings(result) if f["object"].startswith("tunnel")] == [
        "down, and no other tunnel is up"] * 2


def test_no_tunnels_reported_fails():
    result = report(before=[], mid=[], after=[])
    assert result["verdict"]["failures"][0] == ("tunnels: none reported: the evidence source "
                                                "returned no tunnel: is the VPN connection there?")


def test_counters_unknown_warn_without_failing():
    unknown = [dict(t, bytes_in=None, bytes_out=None) for t in AFTER]
    result = report(before=unknown, mid=unknown, after=unknown)
    assert result["verdict"]["level"] == "pass"
    assert result["verdict"]["warnings"] == [
        "tunnels: ESP byte counters unavailable: cannot prove that private traffic went through "
        "the tunnels",
        "tunnels: ESP byte counters unavailable: cannot prove that public traffic stayed out of "
        "the tunnels"]


def test_loss_with_unknown_counters_says_it_cannot_tell():
    unknown = [dict(t, bytes_in=None, bytes_out=None) for t in AFTER]
    result = report(lose(GOOD, {("vm1", "vm3", "private")}), before=unknown, mid=unknown,
                    after=unknown)
    cause = next(f["cause"] for f in findings(result, "failure"))
    assert cause == ("cannot tell whether the traffic entered the tunnel: the tunnels' ESP "
                     "counters are unknown")


@pytest.mark.parametrize("received, again, state", [
    (10, None, None),             # no loss: nothing to say
    (9, 10, "warning"),           # lost once, not again: transient
    (9, 9, "failure"),            # lost both times
    (9, None, "failure"),         # lost and not measured again (remeasure 0)
    (0, 10, "warning"),
])
def test_loss_rules(received, again, state):
    result = report(lose(GOOD, {("vm1", "vm3", "private", "ping")}, received=received,
                         again=again) if received < 10 else GOOD)
    assert [f["severity"] for f in findings(result)] == ([state] if state else [])


def test_errors_count_as_loss_both_times():
    result = report(lose(GOOD, {("vm3", "vm2", "private", "mtr")}, error="mtr timed out"))
    assert result["verdict"]["failures"][0].startswith(
        "private path vm3 -> vm2 (10.1.1.20): mtr error: mtr timed out, then error: mtr timed out "
        "when measured again: ")


# --- what the check measured: tools, probes off -------------------------------------------------

def test_ping_only_expects_no_mtr_and_still_checks_the_mtu():
    pings = [m for m in GOOD if m["tool"] == "ping"]
    result = report(pings, tools=["ping"])
    assert result["verdict"]["level"] == "pass" and result["verdict"]["findings"] == []
    assert result["tools"] == ["ping"] and result["notes"] == []
    # With every tool asked for, the same measurements miss 12.
    assert len(report(pings)["verdict"]["failures"]) == 12


def test_mtr_only_says_why_the_mtu_was_not_checked():
    mtrs = [m for m in GOOD if m["tool"] == "mtr"]
    result = report(mtrs, tools=["mtr"], mtu_checks=[])
    assert result["verdict"]["level"] == "pass"
    assert result["notes"] == ["path MTU not checked: it is measured with ping, which is not "
                               "among the tools (mtr)"]
    assert report(mtu=0)["notes"] == ["path MTU not checked: the check was turned off (size 0)"]
    assert report(throughput=None)["notes"] == ["throughput not measured: turned off"]


@pytest.mark.parametrize("after, level, failures", [
    (AFTER, "degraded", []),
    (tunnels(status1="down", detail1="no answer") + [], "degraded", []),
])
def test_without_probes_nothing_is_proven_and_the_level_is_never_pass(after, level, failures):
    result = report([], before=BEFORE, mid=BEFORE, after=after, probes=False, mtu_checks=[],
                    throughput=[], probes_reason="the AWS API is an emulator", access={})
    assert result["verdict"]["level"] == level
    assert result["verdict"]["failures"] == failures
    assert result["verdict"]["warnings"][-1] == (
        "check: nothing was measured, so nothing is proven: the VMs were not probed (the AWS API "
        "is an emulator)")
    assert result["probes"] == {"run": False, "reason": "the AWS API is an emulator"}
    assert result["notes"] == ["nothing was measured: the VMs were not probed (the AWS API is an "
                               "emulator)"]
    assert [vm["access"]["ssh"] for vm in result["vms"]] == ["not tried"] * 3


def test_without_probes_all_tunnels_down_fails():
    down = tunnels(status1="down")
    down[1]["status"] = "down"
    result = report([], after=down, probes=False, access={})
    assert result["verdict"]["level"] == "fail"


@pytest.mark.parametrize("status", ["unknown", "UNKNOWN", None, "rekeying"])
def test_a_tunnel_state_the_source_cannot_name_is_unknown(status):
    result = report(after=tunnels(t2=(9000, 9400), status1=status, detail1=None))
    assert result["tunnels"][0]["status"] == "unknown"
    assert result["verdict"]["level"] == "degraded"
    assert result["verdict"]["warnings"] == ["tunnel1 (203.0.113.10): state unknown: no detail "
                                             "from test (test)"]


def test_failover_is_kept_when_measured():
    assert report(failover={"outage_s": 7.4})["failover"] == {"outage_s": 7.4}


DELTA_CASES = [
    # before, after, expected per-tunnel growth, expected totals (in, out)
    ("growth", tunnels(t1=(100, 140), t2=(5, 5)), tunnels(t1=(300, 340), t2=(5, 5)),
     {"tunnel1": {"bytes_in": 200, "bytes_out": 200}, "tunnel2": {"bytes_in": 0, "bytes_out": 0}},
     (200, 200)),
    # a rekey restarts the counters: what is there now is the growth since the rekey
    ("rekey", tunnels(t1=(5000, 5040)), tunnels(t1=(300, 340)),
     {"tunnel1": {"bytes_in": 300, "bytes_out": 340}, "tunnel2": {"bytes_in": 0, "bytes_out": 0}},
     (300, 340)),
    ("new tunnel", tunnels(t1=(100, 140))[:1], tunnels(t1=(100, 140), t2=(70, 70)),
     {"tunnel1": {"bytes_in": 0, "bytes_out": 0}, "tunnel2": {"bytes_in": 70, "bytes_out": 70}},
     (70, 70)),
    ("unknown", tunnels(t1=(100, 140)), tunnels(t1=(None, None), t2=(10, 10)),
     {"tunnel1": {"bytes_in": None, "bytes_out": None},
      "tunnel2": {"bytes_in": 10, "bytes_out": 10}},
     (None, None)),
    ("strings", [dict(t, bytes_in=str(t["bytes_in"])) for t in tunnels(t1=(100, 100))],
     tunnels(t1=(150, 100)),
     {"tunnel1": {"bytes_in": 50, "bytes_out": 0}, "tunnel2": {"bytes_in": 0, "bytes_out": 0}},
     (50, 0)),
    ("none", [], [], {}, (0, 0)),
    # The BGP design: a tunnel's session traffic (control_bytes_*) is left out of its growth.
    ("bgp keepalives only", [dict(t, control_bytes_in=1230, control_bytes_out=1230) for t in tunnels(t1=(5000, 6000))],
     [dict(t, control_bytes_in=1353, control_bytes_out=1353) for t in tunnels(t1=(5123, 6123))],
     {"tunnel1": {"bytes_in": 0, "bytes_out": 0}, "tunnel2": {"bytes_in": 0, "bytes_out": 0}}, (0, 0)),
    ("bgp and a probe", [dict(t, control_bytes_in=1230, control_bytes_out=1230) for t in tunnels(t1=(5000, 6000))],
     [dict(t, control_bytes_in=1353, control_bytes_out=1353) for t in tunnels(t1=(5207, 6207))],
     {"tunnel1": {"bytes_in": 84, "bytes_out": 84}, "tunnel2": {"bytes_in": 0, "bytes_out": 0}}, (84, 84)),
    # More counted for the session than the tunnel carried: no growth, never less than none.
    ("bgp over-counted", [dict(t, control_bytes_in=0, control_bytes_out=0) for t in tunnels(t1=(5000, 6000))],
     [dict(t, control_bytes_in=500, control_bytes_out=0) for t in tunnels(t1=(5100, 6000))],
     {"tunnel1": {"bytes_in": 0, "bytes_out": 0}, "tunnel2": {"bytes_in": 0, "bytes_out": 0}}, (0, 0)),
]


@pytest.mark.parametrize("name, before, after, per_tunnel, totals", DELTA_CASES,
                         ids=[case[0] for case in DELTA_CASES])
def test_tunnel_deltas(name, before, after, per_tunnel, totals):
    deltas = tunnel_deltas(before, after)
    assert deltas["tunnels"] == per_tunnel
    assert (deltas["bytes_in"], deltas["bytes_out"]) == totals


def test_expected_measurements_every_ordered_pair():
    expected = expected_measurements(VMS)
    assert len(expected) == len(set(expected)) == 24
    assert all(src != dst for src, dst, _path, _tool in expected)
    assert ("vm3", "vm1", "public", "mtr") in expected
    assert expected_measurements(["a", "b"], tools=("ping",), paths=("private",)) == [
        ("a", "b", "private", "ping"), ("b", "a", "private", "ping")]


# --- from what Ansible registered to the report's inputs --------------------------------------

def test_from_probe_runs():
    ok = {"measurements": GOOD[:2], "mtu_checks": MTU_GOOD[:1], "changed": False}
    public = {"measurements": GOOD[2:3], "mtu_checks": [], "changed": False}
    runs = [
        {"vm": "vm1", "private": ok, "public": public},
        {"vm": "vm2", "private": {"unreachable": True, "msg": REFUSED, "changed": False},
         "public": {"changed": False, "skipped": True, "skip_reason": "Conditional result was False"}},
        {"vm": "vm3", "private": {"failed": False, "msg": "mtr is not installed on this host",
                                  "failed_when_result": False}, "public": None},
        {"vm": "vm4", "private": {"skipped": True}, "public": {"skipped": True}},
    ]
    measurements, mtu_checks, access = from_probe_runs(runs)
    assert measurements == GOOD[:3] and mtu_checks == MTU_GOOD[:1]
    assert access == {"vm1": {"ssh": "ok", "error": None},
                      "vm2": {"ssh": "unreachable", "error": REFUSED},
                      "vm3": {"ssh": "probe failed", "error": "mtr is not installed on this host"},
                      "vm4": {"ssh": "not tried", "error": None}}


def test_a_broken_path_is_one_finding_not_also_its_mtu_and_throughput():
    unreachable = "iperf3: unable to connect to server: Network is unreachable"
    result = report(AZURE_ROUTE_GONE, mid=ROUTE_GONE_MID, after=ROUTE_GONE_MID,
                    mtu_checks=[dict(c, largest=None, ok=False) for c in MTU_GOOD],
                    throughput=[dict(THROUGHPUT_GOOD[0], mbps=None, error=unreachable),
                                THROUGHPUT_GOOD[1]])
    objects = [f["object"] for f in findings(result)]
    assert not [o for o in objects if o.startswith("path MTU")]
    assert [f["text"] for f in findings(result, "warning")] == [
        "throughput vm1 -> vm3 private (10.2.1.10): not measured: the path itself is broken (see "
        "its loss) (%s)" % unreachable]
    assert len(findings(result, "failure")) == 4


# --- lagging counters: what growth counts, and waiting for it ---------------------------------

LAG = dict(counter_settle_seconds=60, counter_waited_seconds=60)
# The cloud's counters had not caught up when the check looked: the private probes' bytes show
# only after the public probes (or not at all while the check runs).
STILL = dict(before=BEFORE, mid=BEFORE, after=BEFORE)
LATE = dict(before=BEFORE, mid=BEFORE, after=MID)
LAG_WARNING = (
    "tunnels: the ESP byte counters had not grown after 60 s: cloud counters lag (Azure's "
    "connection byte counters and AWS's telemetry refresh every few minutes); the private paths "
    "to the other cloud answered, so this is a warning, not a failure: nothing proves yet that "
    "their traffic went through the tunnels (ESP byte counters +0 during the private probes and "
    "60 s after them)")
NO_PRIVATE = ("tunnels: no private traffic went through the tunnels: the private paths to the "
              "other cloud answered, so their traffic took another way (check the routes: it must "
              "go through the VPN gateways) (ESP byte counters +0 during the private probes%s)")
PUBLIC_LATE = (
    "tunnels: the ESP byte counters grew during the public probes: cloud counters lag, so these "
    "may be the private probes' bytes counted late: cannot tell whether public traffic went "
    "through the tunnel (ESP byte counters +%d bytes during the public probes, tolerance 0)")
# A cloud that counted part of the private probes' bytes in time, and the rest later.
PARTLY = dict(before=BEFORE, mid=MID, after=tunnels(t2=(12000, 12400)))
PUBLIC_THROUGH = (
    "tunnels: public traffic went through the tunnel: a route or the traffic selectors send "
    "public addresses into the tunnel (the local network gateways' prefixes and the VPN's static "
    "routes must hold only the private networks) (ESP byte counters +16400 bytes during the "
    "public probes, tolerance 0)")
VM1_VM3_LOST = lose(GOOD, {("vm1", "vm3", "private")})

COUNTER_RULES = [
    # name, report arguments, level, the counters' findings (severity, line)
    ("live counters grew", {}, "pass", []),
    ("live counters still: failure at once (local target)", STILL, "fail",
     [("failure", NO_PRIVATE % "")]),
    ("live counters late: the public probes are blamed", LATE, "fail",
     [("failure", NO_PRIVATE % ""), ("failure", PUBLIC_THROUGH)]),
    ("lagging counters grew while the check waited", dict(LAG), "pass", []),
    ("lagging counters had not caught up: a warning", dict(STILL, **LAG), "pass",
     [("warning", LAG_WARNING)]),
    ("lagging counters caught up during the public probes: cannot tell", dict(LATE, **LAG),
     "pass", [("warning", LAG_WARNING), ("warning", PUBLIC_LATE % 16400)]),
    ("lagging counters counted part in time, the rest during the public probes: cannot tell",
     dict(PARTLY, **LAG), "pass", [("warning", PUBLIC_LATE % 6000)]),
    ("live counters that grow during the public probes: public traffic went through the tunnel",
     PARTLY, "fail", [("failure", PUBLIC_THROUGH.replace("16400", "6000"))]),
    ("lagging counters, a private probe failed: still a failure",
     dict(STILL, measurements=VM1_VM3_LOST, **LAG), "fail",
     [("failure", NO_PRIVATE % " and 60 s after them")]),
    ("growth below what counts (live)", dict(counter_min_growth_bytes=20000), "fail",
     [("failure", "tunnels: no private traffic went through the tunnels: the private paths to "
       "the other cloud answered, so their traffic took another way (check the routes: it must "
       "go through the VPN gateways) (ESP byte counters +16400 during the private probes, less "
       "than the 20000 bytes that count as growth)")]),
    ("growth that counts", dict(counter_min_growth_bytes=16400), "pass", []),
]


@pytest.mark.parametrize("name, arguments, level, lines", COUNTER_RULES,
                         ids=[case[0] for case in COUNTER_RULES])
def test_counter_rules(name, arguments, level, lines):
    result = report(**arguments)
    assert result["verdict"]["level"] == level, result["verdict"]["headline"]
    assert [(f["severity"], f["text"]) for f in findings(result) if f["object"] == "tunnels"] == lines


def test_the_report_says_how_long_the_check_waited_and_what_counts():
    counters = report(counter_min_growth_bytes=100, **LAG)["counters"]
    assert (counters["min_growth_bytes"], counters["settle_s"], counters["waited_s"]) == (100, 60, 60)
    counters = report()["counters"]
    assert (counters["min_growth_bytes"], counters["settle_s"], counters["waited_s"]) == (1, 0, 0)


SETTLED = [
    # name, evidence so far, min growth, whether to stop waiting
    ("grew", {"before": BEFORE, "mid": MID}, 1, True),
    ("still", {"before": BEFORE, "mid": BEFORE}, 1, False),
    ("grew, less than counts", {"before": BEFORE, "mid": MID}, 16401, False),
    ("grew exactly what counts", {"before": BEFORE, "mid": MID}, 16400, True),
    # waiting cannot make a counter known
    ("unknown", {"before": BEFORE, "mid": [dict(t, bytes_in=None) for t in MID]}, 1, True),
    ("no mid yet", {"before": BEFORE}, 1, False),
]


@pytest.mark.parametrize("name, evidence, min_growth, settled", SETTLED,
                         ids=[case[0] for case in SETTLED])
def test_counters_settled(name, evidence, min_growth, settled):
    assert counters_settled(evidence, min_growth) is settled


def private(src, dst, received, again=None):
    """One registered private probe result of `src` with one ping to `dst` (10 sent)."""
    m = {"src": src, "dst": dst, "path": "private", "tool": "ping", "sent": 10, "received": received,
         "remeasured": None if again is None else {"sent": 10, "received": again}}
    return {"measurements": [m]}


STILL = {"before": BEFORE, "mid": BEFORE}
ANSWERED = [
    # name, the VMs' registered private probes, whether to stop waiting for counters that did not grow
    ("a reply crossed the tunnel: wait", [private("vm1", "vm3", 10)], False),
    ("one reply of ten crossed: wait", [private("vm1", "vm3", 1)], False),
    ("nothing crossed, a reply when measured again: wait", [private("vm3", "vm1", 0, again=4)], False),
    ("nothing crossed: stop", [private("vm1", "vm3", 0), private("vm3", "vm2", 0)], True),
    ("nothing crossed, the same cloud answered: stop", [private("vm1", "vm3", 0), private("vm1", "vm2", 10)], True),
    ("a VM unreachable, one skipped, nothing crossed: stop",
     [{"unreachable": True, "msg": "ssh: timeout"}, {"skipped": True}, None, private("vm3", "vm1", 0)], True),
    ("no probe results: stop", [], True),
    ("public replies do not count: stop",
     [{"measurements": [dict(private("vm1", "vm3", 10)["measurements"][0], path="public")]}], True),
]


@pytest.mark.parametrize("name, results, settled", ANSWERED, ids=[case[0] for case in ANSWERED])
def test_no_wait_for_counters_when_nothing_crossed_the_tunnels(name, results, settled):
    assert counters_settled(STILL, 1, results, VMS) is settled
    # Counters that grew end the wait whatever the probes say; without the probes' results the
    # counters alone decide.
    assert counters_settled({"before": BEFORE, "mid": MID}, 1, results, VMS) is True
    assert counters_settled(STILL, 1) is False


def test_when_nothing_crossed_the_counters_could_not_change_the_verdict():
    """Why the check may stop waiting: with every private probe to the other cloud unanswered,
    the report's counter findings are the same whether the counters grew or not."""
    runs = [{"vm": "vm1", "private": private("vm1", "vm3", 0)}, {"vm": "vm3", "private": private("vm3", "vm1", 0)}]
    measurements = from_probe_runs(runs)[0]
    same = []
    for mid in (BEFORE, MID):
        result = build_report("lab", "cloud", VMS, {"before": BEFORE, "mid": mid, "after": mid}, measurements,
                              counter_settle_seconds=60, counter_waited_seconds=0)
        same.append(sorted((f["severity"], f["object"], f["text"]) for f in result["verdict"]["findings"]
                           if f["object"] == "tunnels"))
    assert same[0] == same[1]


def test_a_tunnels_control_traffic_is_kept_in_the_evidence_only_when_counted():
    evidence = {phase: [dict(t, control_bytes_in=10, control_bytes_out=20) for t in tunnels(t1=(100, 100))]
                for phase in ("before", "mid", "after")}
    kept = build_report("lab", "local", [], evidence, [])["evidence"]["after"][0]
    assert (kept["control_bytes_in"], kept["control_bytes_out"]) == (10, 20)
    plain = build_report("lab", "local", [], {"after": tunnels(t1=(1, 1))}, [])["evidence"]["after"][0]
    assert "control_bytes_in" not in plain

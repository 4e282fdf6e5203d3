# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Drives one rehearsal the way a learner would, with the Makefile's own commands, and records
what each step gave (return codes, durations, verdicts, what changed) in WORKDIR/result.json:

    python driver.py WORKDIR whole|plan|bgp|outage-static|outage-bgp

whole: build (make rehearse), three drifts through the clouds' APIs each followed by a check
(make rehearse-shell), one repair (make rehearse: a re-run over a lab where all but the drifted
objects are as built), failover (a cut tunnel, a check, the repair, a check), the reaper's list
on a day after the lab's expiry, make rehearse-down twice, what is left. plan: another address
plan and VM count, built and torn down. bgp: the BGP design (vpnlab_routing=bgp) built, a wrong
peer ASN through Azure's API and its check, the repair, failover, make rehearse-down twice. The
failover of whole and bgp measures the outage: the longest silence of a 0.1 s ping between an
AWS VM and an Azure VM over their private addresses, from before the cut until the check after
it. outage-static, outage-bgp: build, failover, down (the benchmark's). Every output is kept in
WORKDIR for whoever reads a failure.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from ansible_run import changed_tasks  # noqa: E402  pylint: disable=wrong-import-position

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
DPD_TIMEOUT = 45          # the Azure connection's (vpnlab_dpd_timeout_seconds default)
TELEMETRY_LAG = 10        # the realizer's reporting interval (tests/rehearsal/session.py)
PLANS = {
    "whole": {"vpnlab_name": "rehit"},
    "bgp": {"vpnlab_name": "rehbgp", "vpnlab_routing": "bgp"},
    "outage-static": {"vpnlab_name": "rhostatic"},
    "outage-bgp": {"vpnlab_name": "rhobgp", "vpnlab_routing": "bgp"},
    "plan": {"vpnlab_name": "rehplan", "vpnlab_azure_vnet_cidr": "10.31.0.0/16",
             "vpnlab_azure_subnet_cidr": "10.31.4.0/24", "vpnlab_azure_gateway_subnet_cidr": "10.31.255.0/27",
             "vpnlab_aws_vpc_cidr": "10.32.0.0/16", "vpnlab_aws_subnet_cidr": "10.32.8.0/24",
             "vpnlab_vms": [{"name": "web", "cloud": "azure", "private_ip": "10.31.4.10"},
                            {"name": "app", "cloud": "aws", "private_ip": "10.32.8.10"},
                            {"name": "db", "cloud": "aws", "private_ip": "10.32.8.20"}]},
}


# Run in the rehearsal's controller: AWS's telemetry of the lab's VPN connection, by outside IP.
TELEMETRY = """
import boto3, json
vpn = boto3.client("ec2").describe_vpn_connections()["VpnConnections"]
print(json.dumps({t["OutsideIpAddress"]: t["Status"] for c in vpn if c["State"] != "deleted" for t in c.get("VgwTelemetry", [])}))
"""


class Run:
    def __init__(self, workdir, inputs):
        self.dir = Path(workdir)
        self.home = self.dir / "home"
        self.lab = inputs["vpnlab_name"]
        self.args = "-e '%s'" % json.dumps(inputs)
        self.env = dict(os.environ, VPNLAB_HOME=str(self.home), ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0",
                        PATH="%s:%s" % (BIN, os.environ.get("PATH", "")))
        self.steps, self.outputs = [], []

    def make(self, name, target, **variables):
        argv = ["make", "--no-print-directory", target, "ARGS=%s" % self.args]
        argv += ["%s=%s" % kv for kv in variables.items()]
        started = time.monotonic()
        proc = subprocess.run(argv, cwd=ROOT, env=self.env, capture_output=True, text=True, check=False)
        output = proc.stdout + proc.stderr
        (self.dir / ("%02d-%s.log" % (len(self.steps), name))).write_text(output)
        self.outputs.append(output)
        step = {"name": name, "rc": proc.returncode, "seconds": round(time.monotonic() - started, 1),
                "changed": changed_tasks(output), "verdict": verdict_line(output)}
        step["report"] = self.report()
        self.steps.append(step)
        return step

    def shell(self, name, command):
        return self.make(name, "rehearse-shell", CMD=command)

    def check(self, name, quick=False):
        # A check after a drift, a cut or a repair: no re-measurement, no throughput and no path
        # MTU search (whose DF pings wait out every loss on a broken path), only to keep make test
        # short; ping and mtr still measure every ordered pair, and the tunnel evidence is read.
        # The build and the re-run check with everything on.
        extra = (" -e connectivity_check_remeasure=0 -e connectivity_check_throughput=false"
                 " -e connectivity_check_mtu=0") if quick else ""
        return self.shell(name, ".venv/bin/ansible-playbook playbooks/check.yml %s%s" % (self.args, extra))

    def evidence(self):
        """The tunnels as the clouds' APIs say now: {outside IP: AWS telemetry status}."""
        proc = subprocess.run([sys.executable, "-m", "tests.rehearsal", "run", "--lab", self.lab, "--",
                               sys.executable, "-c", TELEMETRY], cwd=ROOT, env=self.env, capture_output=True,
                              text=True, check=False)
        try:
            return json.loads(proc.stdout)
        except ValueError:
            return {}

    def report(self):
        try:
            return json.loads((self.home / self.lab / "report.json").read_text())
        except (OSError, ValueError):
            return None

    def record(self):
        try:
            return json.loads((self.home / self.lab / "rehearsal.json").read_text())
        except (OSError, ValueError):
            return None


def verdict_line(output):
    found = re.findall(r"(?:PASS|DEGRADED|FAIL): [^'\"\n]*", output)
    return found[-1] if found else None


def carrying_tunnel(report):
    """The tunnel whose counters grew most in the private phase (the one traffic takes)."""
    tunnels = ((report or {}).get("counters") or {}).get("private_phase", {}).get("tunnels") or {}
    return max(tunnels, key=lambda t: (tunnels[t].get("bytes_in") or 0) + (tunnels[t].get("bytes_out") or 0))


def leftovers(lab, record):
    names = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=False).stdout
    pids = list(((record or {}).get("pids") or {}).values())
    return {"netns": [n.split()[0] for n in names.splitlines() if n.startswith("vpnrh-%s." % lab)],
            "pids": [p for p in pids if running(p)]}


def running(pid):
    """A live process (a zombie waiting for its parent to reap it is not)."""
    try:
        with open("/proc/%d/stat" % pid, encoding="utf-8") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


def keys_of(run):
    """The tunnels' keys as the lab keeps them (one file per AWS VPN connection)."""
    keys = []
    for path in sorted((run.home / run.lab / "cloud").glob("aws-*psks.json")):
        try:
            keys += [k for k in json.loads(path.read_text())["pre_shared_keys"].values() if k]
        except (OSError, ValueError, KeyError):
            pass
    return keys


class Ping:
    """A 0.1 s ping from inside a VM's namespace (as the host sees it: the test's observer, not a
    user of the lab) to another VM's private address; its longest silence between replies.

    Its output goes to the file `log`, not to a pipe: ten lines a second fill a pipe that nobody
    reads in about 80 s, and ping would then block on its writes and stop replying to itself
    while the check after the cut runs (a slow check on a loaded machine read as no recovery)."""

    def __init__(self, netns, address, log):
        self.log = log
        with open(log, "w", encoding="utf-8") as out:
            self.proc = subprocess.Popen(  # pylint: disable=consider-using-with
                ["ip", "netns", "exec", netns, "ping", "-n", "-D", "-i", "0.1", address],
                stdout=out, stderr=subprocess.STDOUT)
        self.started = time.time()

    def stop(self):
        ended = time.time()  # before ping's own shutdown, which a loaded machine delays
        self.proc.terminate()
        self.proc.wait(timeout=10)
        out = self.log.read_text(errors="replace")  # kept for whoever reads a failure
        stamps = [float(m) for m in re.findall(r"^\[(\d+\.\d+)\] \d+ bytes from", out, re.M)]
        if not stamps:
            return {"replies": 0, "longest_silence_s": None, "restored": False}
        gaps = [b - a for a, b in zip([self.started] + stamps, stamps + [ended])]
        # The silence after the last reply counts only if traffic never came back.
        restored = ended - stamps[-1] < 2.0  # 20 echoes' time: a reply came at the end
        inner = gaps[:-1] if restored else gaps
        return {"replies": len(stamps), "longest_silence_s": round(max(inner), 2), "restored": restored,
                "window_s": round(ended - self.started, 1), "started": round(self.started, 2),
                "last_reply": stamps[-1], "ended": round(ended, 2),
                # every silence over a second: (its start, its length), on the clock of `started`
                "silences": [(round(a, 2), round(b - a, 2))
                             for a, b in zip([self.started] + stamps, stamps + [ended]) if b - a > 1]}


def vm_netns(lab, report, cloud):
    """[(namespace, private IP)] of the report's VMs of `cloud`, each found by its private IP."""
    names = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=False).stdout.split()
    prefix = "vpnrh-%s.%s." % (lab, "aws" if cloud == "aws" else "az")
    held = {}
    for name in names:
        if name.startswith(prefix):
            addresses = subprocess.run(["ip", "-n", name, "-4", "-o", "addr", "show", "dev", "eth0"],
                                       capture_output=True, text=True, check=False).stdout
            held.update({address.split("/")[0]: name for address in re.findall(r"inet (\S+)", addresses)})
    found = []
    for vm in report["vms"]:
        if vm["cloud"] == cloud:
            if vm["private_ip"] not in held:
                raise RuntimeError("no namespace holds %s's %s" % (cloud, vm["private_ip"]))
            found.append((held[vm["private_ip"]], vm["private_ip"]))
    return found


def every_pair_answers(sources, targets):
    """One ping from each source namespace to each target address, all answered."""
    return all(subprocess.run(["ip", "netns", "exec", netns, "ping", "-n", "-c", "1", "-W", "1", address],
                              capture_output=True, check=False).returncode == 0
               for netns, _address in sources for _netns, address in targets)


def charon_sas(run):
    """(IKE SA name, IKE SA) of every gateway's charon in the rehearsal, read over its VICI socket
    (the test's observer: the rehearsal's own sockets, never the lab's)."""
    import socket  # pylint: disable=import-outside-toplevel
    import vici  # pylint: disable=import-outside-toplevel
    for path in Path((run.record() or {}).get("run_dir") or "/nonexistent").glob("*/charon.vici"):
        with socket.socket(socket.AF_UNIX) as sock:
            try:
                sock.connect(str(path))
            except OSError:
                continue  # a charon that is (re)starting
            for entry in vici.Session(sock).list_sas():
                yield from entry.items()


def ike_up_with(run, outside):
    """Whether a gateway on either side still holds an established IKE SA with the tunnel's AWS
    outside address (before both sides' DPD have given up on a cut tunnel)."""
    return any(ike.get("state") == b"ESTABLISHED" and outside.encode() in (ike.get("local-host"), ike.get("remote-host"))
               for _name, ike in charon_sas(run))


def aws_data_bytes(run):
    """{outside IP: bytes} of the AWS side's data CHILD SAs, read from the VGW's charon (the
    test's observer: the rehearsal's own VICI socket, never the lab's)."""
    found = {}
    for name, ike in charon_sas(run):
        if not name.startswith("vpn-"):
            continue  # an Azure gateway's
        for child in (ike.get("child-sas") or {}).values():
            if child["name"].decode() == name:
                outside = ike["local-host"].decode()
                found[outside] = found.get(outside, 0) + int(child["bytes-in"]) + int(child["bytes-out"])
    return found


def failover(run, result):
    """Cut the tunnel that carries the traffic, with a 0.1 s ping running from an AWS VM to an
    Azure VM; wait for AWS's telemetry to show it, for both sides' DPD to give up on it and for
    every AWS VM to reach every Azure VM; check; repair; check until PASS. The tunnel
    is the one whose data CHILD SA the ping's packets grow on the VGW (the check's counters of
    the last report when none does)."""
    report = run.steps[-1]["report"]
    aws_vms, azure_vms = vm_netns(run.lab, report, "aws"), vm_netns(run.lab, report, "azure")
    source, target = aws_vms[0][0], azure_vms[0][1]
    ping = Ping(source, target, run.dir / "failover-ping.log")
    before = aws_data_bytes(run)
    time.sleep(3)
    after = aws_data_bytes(run)
    grown = {ip: after[ip] - before.get(ip, 0) for ip in after}
    names = {t["outside_ip"]: t["name"] for t in report["tunnels"]}
    if grown and max(grown.values()) > 0:
        outside = max(grown, key=grown.get)
        active = names[outside]
    else:
        active = carrying_tunnel(report)
        outside = next(ip for ip, name in names.items() if name == active)
    result["failover"] = {"tunnel": active, "outside_ip": outside, "grown": grown}
    subprocess.run([sys.executable, "-m", "tests.rehearsal", "cut", "--lab", run.lab, "--tunnel", outside],
                   cwd=ROOT, env=run.env, check=True, capture_output=True)
    cut_at = time.monotonic()
    result["failover"]["cut_at"] = round(time.time(), 2)
    while time.monotonic() - cut_at < 3 * (DPD_TIMEOUT + TELEMETRY_LAG):
        if run.evidence().get(outside) == "DOWN":
            break
        time.sleep(1)
    result["failover"]["telemetry_down_after_s"] = round(time.monotonic() - cut_at, 1)
    # Then until the failover is over: both sides' DPD have given up on the cut tunnel (the Azure
    # side's, 45 s, is the last event of a failover: with BGP the sessions' hold time moved the
    # traffic before it) and every AWS VM reaches every Azure VM (the VNet spreads the VMs'
    # flows over both gateway instances; one pair answering proves only its own path). The
    # check after the cut judges the lab after its failover, not during it.
    while time.monotonic() - cut_at < 3 * (DPD_TIMEOUT + TELEMETRY_LAG):
        if not ike_up_with(run, outside):
            break
        time.sleep(1)
    result["failover"]["dpd_done_after_s"] = round(time.monotonic() - cut_at, 1)
    while time.monotonic() - cut_at < 3 * (DPD_TIMEOUT + TELEMETRY_LAG):
        if every_pair_answers(aws_vms, azure_vms):
            break
        time.sleep(0.5)
    result["failover"]["traffic_back_after_s"] = round(time.monotonic() - cut_at, 1)
    result["failover"]["check_started"] = round(time.time(), 2)
    run.check("check-after-cut", quick=True)
    result["failover"]["check_done_after_s"] = round(time.monotonic() - cut_at, 1)
    result["failover"]["outage"] = ping.stop()
    subprocess.run([sys.executable, "-m", "tests.rehearsal", "repair", "--lab", run.lab],
                   cwd=ROOT, env=run.env, check=True, capture_output=True)
    for attempt in range(4):
        time.sleep(TELEMETRY_LAG + 5)
        step = run.check("check-after-repair-%d" % attempt, quick=True)
        if step["report"] and step["report"]["verdict"]["level"] == "pass":
            break


def finish(run, result, record):
    run.make("down", "rehearse-down")
    run.make("down-again", "rehearse-down")
    result["left"] = leftovers(run.lab, record)
    result["left_in_home"] = sorted(str(p.relative_to(run.home)) for p in run.home.rglob("*"))


def key_leaks(run, result, keys):
    texts = run.outputs + [p.read_text(errors="replace") for p in run.dir.rglob("*.log")]
    result["key_leaks"] = [i for i, key in enumerate(keys) if any(key in text for text in texts)]
    result["keys_checked"] = len(keys)


def whole(run, result):
    run.make("build", "rehearse")
    keys = keys_of(run)
    for drill in ("nsg-icmp", "azure-key", "tunnel-integrity"):
        run.shell("drill-" + drill, "python -m tests.rehearsal.drills %s --lab %s" % (drill, run.lab))
        time.sleep(TELEMETRY_LAG + 2)
        run.check("check-after-" + drill, quick=True)
    run.make("repair", "rehearse")
    failover(run, result)
    # The reaper over the built lab: listed, with both clouds' resources, and expired on a day
    # after its expires tag (listed only: the teardown below is make rehearse-down's).
    run.shell("reaper-list", ".venv/bin/ansible-playbook playbooks/reaper.yml -e reaper_today=2099-01-01")
    record = run.record()
    result["state_files"] = sorted(str(p.relative_to(run.home)) for p in run.home.rglob("*")
                                   if "rehearsal" not in p.parts and p.is_file())
    finish(run, result, record)
    key_leaks(run, result, keys)


def bgp(run, result):
    run.make("build", "rehearse")
    keys = keys_of(run)
    run.shell("drill-bgp-peer-asn", "python -m tests.rehearsal.drills bgp-peer-asn --lab %s" % run.lab)
    # The changed connection's session goes down within BGP's hold time, then the evidence's lag.
    time.sleep(30 + TELEMETRY_LAG + 5)
    run.check("check-after-bgp-peer-asn", quick=True)
    run.make("repair", "rehearse")
    failover(run, result)
    finish(run, result, run.record())
    key_leaks(run, result, keys)


def outage(run, result):
    """Build, failover (the outage measured), down: tests/bench/bench_rehearsal_failover.py."""
    run.make("build", "rehearse")
    failover(run, result)
    finish(run, result, run.record())


def plan(run, result):
    run.make("build", "rehearse")
    record = run.record()
    run.make("down", "rehearse-down")
    result["left"] = leftovers(run.lab, record)


def main(workdir, kind):
    run = Run(workdir, PLANS[kind])
    result = {"lab": run.lab}
    try:
        {"whole": whole, "plan": plan, "bgp": bgp, "outage-static": outage, "outage-bgp": outage}[kind](run, result)
    finally:
        if run.record() is not None:
            run.make("cleanup", "rehearse-down")
        result["steps"] = run.steps
        (Path(workdir) / "result.json").write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark of the cloud target's schedule: build time / gateway delay D (goal <= 1.10 at D=120).

    .venv/bin/python tests/bench/bench_cloud_schedule.py [--delay 120]   (or: make bench)
    BENCH_TIMELINE=1 ... also prints every task of the build play with its start and end

A real Azure VPN gateway takes 30-45 minutes; everything else (the AWS side, the VMs, the local
network gateways) is meant to be built while it is created, so the whole build should take
little more than the gateway. This runs the cloud target's site.yml build with AWS on moto and
Azure on the Azure test double, whose gateway takes D seconds, in a network namespace with only
loopback (tests/moto/in_netns.sh, tests/azure_double/isolated.py), and prints D, the build's
wall time (from starting ansible-playbook to the end of the build play) and their ratio, with
where the rest went: before the gateway was started, and after it was ready. Tears the lab
down afterwards. Asserts nothing about time; the figures are for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
INPUTS = {
    "vpnlab_name": "cloudbench", "vpnlab_target": "cloud", "vpnlab_aws_endpoint_url": "http://127.0.0.1:5000",
    "vpnlab_admin_cidrs": ["198.18.7.0/24"],
    # Nothing may connect to an address moto or the double hands out.
    "vpnlab_azure_emulated": True,
    "connectivity_check_fail_on_verdict": False,
    "azure_gateway_poll_seconds": 1, "azure_gateway_expected_minutes": 2, "teardown_azure_poll_seconds": 1,
}


def when(iso):
    return datetime.datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def playbook(name, env, inputs):
    began = time.time()
    proc = subprocess.run([str(BIN / "ansible-playbook"), "playbooks/" + name, "-e", json.dumps(inputs)],
                          cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.exit("%s failed (rc %d):\n%s\n%s" % (name, proc.returncode, proc.stdout[-4000:], proc.stderr[-2000:]))
    return began, json.loads(proc.stdout)


def critical(play, low, high):
    """The slowest tasks run between ``low`` and ``high`` (epoch seconds), as `name (s)`."""
    spans = {}
    for task in play["tasks"]:
        duration = task["task"]["duration"]
        if "end" not in duration:
            continue
        start, end = when(duration["start"]), when(duration["end"])
        overlap = min(end, high) - max(start, low)
        if overlap > 0.05:
            name = task["task"]["name"].split(" : ")[-1]
            spans[name] = spans.get(name, 0) + overlap
    slowest = sorted(spans.items(), key=lambda item: -item[1])[:6]
    return ", ".join("%s (%.1f)" % (name[:48], seconds) for name, seconds in slowest)


def timeline(play, began, started, delay):
    """Every task of the build play: its start and end from ansible-playbook's start, seconds."""
    print("  timeline (s from start; gateway PUT at %.1f, ready at %.1f):" % (started - began, started + delay - began))
    for task in play["tasks"]:
        duration = task["task"]["duration"]
        if "end" not in duration:
            continue
        start, end = when(duration["start"]) - began, when(duration["end"]) - began
        print("    %6.1f %6.1f %5.1f  %s" % (start, end, end - start, task["task"]["name"].split(" : ")[-1][:70]))


def inner(delay):
    """Inside the namespace, next to moto and the double: build, measure, tear down."""
    double = os.environ["VPNLAB_AZURE_DOUBLE"]
    env = dict(os.environ, VPNLAB_HOME=tempfile.mkdtemp(prefix="vpnlab-cloudbench-"),
               ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), PATH="%s:%s" % (BIN, os.environ.get("PATH", "")),
               ANSIBLE_STDOUT_CALLBACK="ansible.builtin.json", ANSIBLE_LOAD_CALLBACK_PLUGINS="1")
    began, result = playbook("site.yml", env, INPUTS)
    build_end = when(result["plays"][0]["play"]["duration"]["end"])
    with open(os.path.join(double, "requests.jsonl"), encoding="utf-8") as handle:
        log = [json.loads(line) for line in handle]
    started = next(r["time"] for r in log if r["method"] == "PUT" and "/virtualNetworkGateways/" in r["path"])
    total = build_end - began
    print("D = %d s (gateway delay in the Azure test double)" % delay)
    print("total = %.1f s (cloud build: ansible-playbook start to the end of the build play)" % total)
    print("ratio = %.2f (total / D; goal <= 1.10)" % (total / delay))
    print("  before the gateway was started: %.1f s; after it was ready: %.1f s"
          % (started - began, build_end - (started + delay)))
    for label, low, high in (("before", began, started), ("after", started + delay, build_end)):
        print("  %s: %s" % (label, critical(result["plays"][0], low, high)))
    if os.environ.get("BENCH_TIMELINE"):
        timeline(result["plays"][0], began, started, delay)
    playbook("teardown.yml", env, INPUTS)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay", type=int, default=120, help="the double's gateway delay D, seconds")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        inner(args.delay)
        return 0
    state = tempfile.mkdtemp(prefix="vpnlab-cloudbench-double-")
    cmd = [str(ROOT / "tests" / "moto" / "in_netns.sh"), sys.executable, "-m", "tests.azure_double.isolated",
           "--state-dir", state, "--gateway-delay", str(args.delay), "--", sys.executable, __file__,
           "--inner", "--delay", str(args.delay)]
    return subprocess.call(cmd, cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main())

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark of the local lab: cold build, idempotent re-run, check alone, teardown (seconds),
next to the raw baseline of the same topology measured in the same rounds (raw_baseline.py:
plain ip/charon/sshd, no Ansible), and their ratios (issue 15's goals: check <= 2.5x the raw
check, build <= 4x raw up+check, re-run <= 2.7x raw up+check, teardown <= 6x raw down).

    .venv/bin/python tests/bench/bench_local_lab.py [--rounds 3] [-e var=value]   (or: make bench)

Runs the real playbooks as root on this host, on a lab of its own (name `bench`, state in a
temporary VPNLAB_HOME), so a lab built with `make lab` is not touched. Packages must already be
installed (`make lab` once). Prints one line per round and the median; asserts nothing about
time (tests assert behaviour, the figures are for docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import raw_baseline  # tests/bench, on the path when run as a script

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
STEPS = (("build", "site.yml"), ("rerun", "site.yml"), ("check", "check.yml"),
         ("teardown", "teardown.yml"))
RECAP = re.compile(r"^(\S+)\s+: ok=\d+\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)


def run(playbook, env, name, check_rc=True, extra=()):
    began = time.monotonic()
    options = [arg for value in extra for arg in ("-e", value)]
    proc = subprocess.run([str(BIN / "ansible-playbook"), "playbooks/" + playbook,
                           "-e", "vpnlab_name=" + name, *options], cwd=ROOT, env=env, check=False,
                          capture_output=True, text=True)
    elapsed = time.monotonic() - began
    recap = RECAP.findall(proc.stdout)
    if proc.returncode != 0 and check_rc:
        sys.exit("%s failed (rc %d):\n%s" % (playbook, proc.returncode, proc.stdout[-3000:]))
    changed = sum(int(entry[1]) for entry in recap)
    return elapsed, changed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--name", default="bench", help="lab name (default: bench)")
    parser.add_argument("-e", dest="extra", action="append", default=[],
                        help="extra variables for every playbook, e.g. -e connectivity_check_throughput=false")
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="vpnlab-bench-")
    env = dict(os.environ, VPNLAB_HOME=home, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               PATH="%s:%s" % (BIN, os.environ.get("PATH", "")))
    run("teardown.yml", env, args.name)
    figures = {name: [] for name, dummy in STEPS}
    print("round  " + "  ".join("%-16s" % name for name, dummy in STEPS))
    try:
        for round_no in range(1, args.rounds + 1):
            line = []
            for name, playbook in STEPS:
                elapsed, changed = run(playbook, env, args.name, extra=args.extra)
                figures[name].append(elapsed)
                line.append("%6.1f s (ch %2d)" % (elapsed, changed))
            raw = raw_baseline.measure()
            for name, value in raw.items():
                figures.setdefault("raw_" + name, []).append(value)
            line.append("raw up %.2f check %.2f down %.2f" % (raw["up"], raw["check"], raw["down"]))
            print("%5d  %s" % (round_no, "  ".join(line)), flush=True)
    finally:
        run("teardown.yml", env, args.name, check_rc=False)
        shutil.rmtree(home, ignore_errors=True)
    medians = {name: round(statistics.median(values), 2) for name, values in figures.items()}
    print("median " + "  ".join("%6.1f s         " % medians[name] for name, dummy in STEPS))
    raw_up_check = medians["raw_up"] + medians["raw_check"]
    ratios = {"check": medians["check"] / medians["raw_check"], "build": medians["build"] / raw_up_check,
              "rerun": medians["rerun"] / raw_up_check, "teardown": medians["teardown"] / medians["raw_down"]}
    goals = {"check": 2.5, "build": 4.0, "rerun": 2.7, "teardown": 6.0}
    print("raw baseline (same rounds): up %.2f s, check %.2f s, down %.2f s"
          % (medians["raw_up"], medians["raw_check"], medians["raw_down"]))
    for name in ("build", "rerun", "check", "teardown"):
        print("  %-9s %5.1fx the raw %-13s (goal <= %.1fx)" % (
            name, ratios[name], {"check": "check", "teardown": "down"}.get(name, "up+check"), goals[name]))
    print(json.dumps({"benchmark": "local_lab", "rounds": args.rounds, "extra_vars": args.extra, "median_s": medians,
                      "ratios": {k: round(v, 1) for k, v in ratios.items()}, "cpus": os.cpu_count()}))


if __name__ == "__main__":
    main()

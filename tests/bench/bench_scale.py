# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Scale benchmark: build time, check time and verdicts of local labs of 3, 6 and 12 VMs.

    .venv/bin/python tests/bench/bench_scale.py [--vms 3 6 12] [--checks 10]   (or: make bench)

For each size, builds a lab of its own (name `scale<N>`, `--prefix` to change it; state in a temporary VPNLAB_HOME) with
half the VMs in each cloud (3: the default vm1, vm2 / vm3), runs `check.yml` `--checks` times
in a row on the healthy lab, prints the build time, each check's time and level, and tears the
lab down. Goal: every check of a healthy lab passes, and the check time grows less than linearly
with the number of ordered VM pairs (it probes them all at once). Asserts nothing about time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def vms(count):
    """`count` VMs, half in each cloud (the default lab for 3)."""
    if count == 3:
        return None
    half = count // 2
    azure = [{"name": "az%d" % i, "cloud": "azure", "private_ip": "10.1.1.%d" % (10 + i)}
             for i in range(1, count - half + 1)]
    aws = [{"name": "aw%d" % i, "cloud": "aws", "private_ip": "10.2.1.%d" % (10 + i)}
           for i in range(1, half + 1)]
    return azure + aws


def run(playbook, env, lab, machines, check_rc=True):
    extra = {"vpnlab_name": lab}
    if machines:
        extra["vpnlab_vms"] = machines
    began = time.monotonic()
    proc = subprocess.run([str(BIN / "ansible-playbook"), "playbooks/" + playbook,
                           "-e", json.dumps(extra)], cwd=ROOT, env=env, check=False,
                          capture_output=True, text=True)
    elapsed = round(time.monotonic() - began, 1)
    if proc.returncode != 0 and check_rc:
        sys.exit("%s failed (rc %d):\n%s" % (playbook, proc.returncode, proc.stdout[-3000:]))
    return elapsed, proc


def verdict(home, lab):
    report = json.loads((Path(home) / lab / "report.json").read_text())
    return report["verdict"], len(report["measurements"])


def size(count, checks, env, home, prefix):
    lab, machines = "%s%d" % (prefix, count), vms(count)
    pairs = count * (count - 1)
    times, levels = [], []
    try:
        build, dummy = run("site.yml", env, lab, machines)
        for number in range(1, checks + 1):
            elapsed, dummy = run("check.yml", env, lab, machines, check_rc=False)
            result, measurements = verdict(home, lab)
            times.append(elapsed)
            levels.append(result["level"])
            print("  %2d VMs check %2d: %5.1f s  %-8s %d measurements%s" % (
                count, number, elapsed, result["level"], measurements,
                "".join("\n      " + line for line in (result["failures"] + result["warnings"])[:5])),
                flush=True)
    finally:
        run("teardown.yml", env, lab, machines, check_rc=False)
    median = statistics.median(times)
    return {"vms": count, "pairs": pairs, "build_s": build, "check_median_s": median,
            "check_s_per_pair": round(median / pairs, 3), "checks": len(levels),
            "pass": levels.count("pass"), "degraded": levels.count("degraded"),
            "fail": levels.count("fail")}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vms", type=int, nargs="+", default=[3, 6, 12])
    parser.add_argument("--checks", type=int, default=10)
    parser.add_argument("--prefix", default="scale", help="lab names: <prefix><N> (default scale)")
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="vpnlab-scale-")
    env = dict(os.environ, VPNLAB_HOME=home, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               PATH="%s:%s" % (BIN, os.environ.get("PATH", "")))
    rows = []
    try:
        for count in args.vms:
            rows.append(size(count, args.checks, env, home, args.prefix))
            row = rows[-1]
            print("%2d VMs (%3d pairs): build %5.1f s, check %5.1f s median (%.3f s per pair), "
                  "%d/%d pass, %d degraded, %d fail" % (
                      count, row["pairs"], row["build_s"], row["check_median_s"],
                      row["check_s_per_pair"], row["pass"], row["checks"], row["degraded"],
                      row["fail"]), flush=True)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    print(json.dumps({"benchmark": "scale", "sizes": rows, "cpus": os.cpu_count()}))


if __name__ == "__main__":
    main()

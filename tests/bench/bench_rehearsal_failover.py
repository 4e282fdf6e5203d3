# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: the outage of a cut tunnel in the rehearsal, static design next to BGP design, in
the same run. Prints figures, asserts nothing.

For each design the rehearsal driver (tests/integration/rehearsal/driver.py, kinds
outage-static and outage-bgp) builds the lab with make rehearse, pings an Azure VM's private
address from an AWS VM every 0.1 s, cuts the tunnel that carries the traffic in the rehearsal's
internet, waits for AWS's telemetry to show it and runs the check, then repairs and tears down.
The outage is the longest silence of that ping. About 6 minutes per design on 2 cores.

    .venv/bin/python tests/bench/bench_rehearsal_failover.py [--designs static bgp]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DRIVER = ROOT / "tests" / "integration" / "rehearsal" / "driver.py"


def run(design):
    work = Path(tempfile.mkdtemp(prefix="bench-rh-%s-" % design))
    proc = subprocess.run([sys.executable, str(DRIVER), str(work), "outage-" + design], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    try:
        result = json.loads((work / "result.json").read_text())
    except (OSError, ValueError):
        return {"design": design, "error": (proc.stdout + proc.stderr)[-500:], "work": str(work)}
    steps = {s["name"]: s for s in result["steps"]}
    failover = result.get("failover") or {}
    outage = failover.get("outage") or {}
    return {"design": design, "build": steps.get("build", {}).get("verdict"),
            "tunnel": failover.get("tunnel"), "outage_s": outage.get("longest_silence_s"),
            "restored": outage.get("restored"), "telemetry_down_after_s": failover.get("telemetry_down_after_s"),
            "check_after_cut": steps.get("check-after-cut", {}).get("verdict"), "work": str(work)}


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--designs", nargs="+", default=["static", "bgp"], choices=["static", "bgp"])
    args = parser.parse_args(argv)
    rows = [run(design) for design in args.designs]
    header = ("design", "cut tunnel", "outage s", "restored", "telemetry DOWN s", "check after the cut")
    print("%-7s %-14s %10s %9s %16s  %s" % header)
    for row in rows:
        if "error" in row:
            print("%-7s failed: %s" % (row["design"], row["error"]))
            continue
        print("%-7s %-14s %10s %9s %16s  %s" % (row["design"], row["tunnel"], row["outage_s"], row["restored"],
                                                row["telemetry_down_after_s"], (row["check_after_cut"] or "")[:70]))
    print(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark of the cloud target's AWS half on moto: prints figures, asserts nothing.

In a loopback-only network namespace with a fresh moto (tests/moto/in_netns.sh): a dry run
(--check) of a new lab, the build, a re-run, the teardown and a second teardown, each timed, with
the changed count of each run and what EC2 holds after it (resources tagged with the lab and not
deleted). moto answers in milliseconds, so the times are Ansible's own cost; real AWS adds
minutes (a VPN connection takes about five to become available).

    .venv/bin/python tests/bench/bench_aws_moto.py
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
LAB = "awsbench"
INPUTS = {"vpnlab_name": LAB, "vpnlab_target": "cloud", "vpnlab_azure_gateway_public_ip": "198.51.100.10",
          "vpnlab_admin_cidrs": ["198.18.7.0/24"]}
RUNS = [("dry run (--check), new lab", "extensions/molecule/aws_moto/converge.yml", ["--check"]),
        ("build", "extensions/molecule/aws_moto/converge.yml", []),
        ("re-run", "extensions/molecule/aws_moto/converge.yml", []),
        ("teardown", "playbooks/teardown.yml", []),
        ("second teardown", "playbooks/teardown.yml", [])]
INNER = r"""
import json, os, subprocess, sys, time
sys.path.insert(0, os.path.join(os.environ["ROOT"], "tests", "moto"))
from dump_ec2 import dump
out, runs = sys.argv[1], json.loads(sys.argv[2])
results = [{"label": "initial", "ec2": dump(os.environ["VPNLAB_MOTO_URL"])}]
for label, playbook, extra in runs:
    start = time.monotonic()
    proc = subprocess.run([os.path.join(os.environ["BIN"], "ansible-playbook"), playbook, *extra,
                           "-e", "@" + os.path.join(out, "lab.json"), "-e", "vpnlab_aws_endpoint_url=" + os.environ["VPNLAB_MOTO_URL"]],
                          capture_output=True, text=True, check=False)
    seconds = time.monotonic() - start
    results.append({"label": label, "rc": proc.returncode, "seconds": seconds, "output": proc.stdout[-4000:] + proc.stderr[-2000:],
                    "ec2": dump(os.environ["VPNLAB_MOTO_URL"])})
json.dump(results, open(os.path.join(out, "results.json"), "w"))
"""


def lab_resources(ec2):
    return sorted("%s %s" % (kind, item["id"]) for kind, items in ec2.items() if kind != "ingress" for item in items
                  if item.get("tags", {}).get("vpnlab") == LAB and item["state"] not in ("deleted", "terminated"))


def changed(output):
    found = re.search(r"localhost\s*: ok=\d+\s+changed=(\d+)", output)
    return int(found.group(1)) if found else None


def main():
    with tempfile.TemporaryDirectory(prefix="vpnlab-bench-aws-") as out:
        Path(out, "lab.json").write_text(json.dumps(INPUTS))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ANSIBLE_", "VPNLAB_"))}
        env.update(ROOT=str(ROOT), BIN=str(BIN), VPNLAB_HOME=str(Path(out, "home")), ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
                   ANSIBLE_NOCOLOR="1", PATH="%s:%s" % (BIN, os.environ["PATH"]), VPNLAB_MOTO_LOG=str(Path(out, "moto.log")))
        start = time.monotonic()
        proc = subprocess.run([str(ROOT / "tests" / "moto" / "in_netns.sh"), str(BIN / "python"), "-c", INNER, out,
                               json.dumps(RUNS)], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
        total = time.monotonic() - start
        if proc.returncode != 0:
            print(proc.stdout[-3000:], proc.stderr[-3000:])
            return 1
        initial, *results = json.loads(Path(out, "results.json").read_text())
        print("AWS half of the cloud target on moto 5.2.5 (loopback-only namespace), lab %s" % LAB)
        print("%-28s %4s %9s %8s  %s" % ("run", "rc", "seconds", "changed", "lab resources in EC2 afterwards"))
        for result in results:
            left = lab_resources(result["ec2"])
            print("%-28s %4d %9.1f %8s  %s" % (result["label"], result["rc"], result["seconds"], changed(result["output"]),
                                               len(left) if left else "none"))
            if result["rc"]:
                print(result["output"])
        print("dry run left EC2 exactly as it was: %s" % (results[0]["ec2"] == initial["ec2"]))
        print("whole sequence, with moto's start: %.1f s" % total)
    return 0


if __name__ == "__main__":
    sys.exit(main())

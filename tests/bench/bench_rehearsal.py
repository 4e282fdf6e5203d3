# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark of the rehearsal (make rehearse): prints figures, asserts nothing.

The Makefile's own commands, each timed, in a throw-away VPNLAB_HOME: bring the rehearsal up
(doubles, realizer), build with site.yml (which ends with the check), the check alone in
make rehearse-shell, a re-run, make rehearse-down. The Azure gateway takes the rehearsal's
default delay (tests/rehearsal/session.py); the figure the rehearsal aims at is build plus
check, including bringing it up, at most 90 s.

    .venv/bin/python tests/bench/bench_rehearsal.py [--name benchrh] [--args "-e ..."]
"""

from __future__ import annotations

import argparse
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


def timed(argv, env):
    start = time.monotonic()
    proc = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    out = proc.stdout + proc.stderr
    verdict = re.findall(r"(?:PASS|DEGRADED|FAIL): [^'\"\n]{0,60}", out)
    changed = re.findall(r"localhost\s+: ok=\d+\s+changed=(\d+)", out)
    return {"seconds": round(time.monotonic() - start, 1), "rc": proc.returncode,
            "verdict": verdict[-1] if verdict else "", "changed": changed[-1] if changed else ""}


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--name", default="benchrh")
    parser.add_argument("--args", default="")
    opts = parser.parse_args(argv)
    home = tempfile.mkdtemp(prefix="vpnlab-bench-rehearsal-")
    args = ("-e vpnlab_name=%s %s" % (opts.name, opts.args)).strip()
    env = dict(os.environ, VPNLAB_HOME=home, ANSIBLE_NOCOLOR="1", PATH="%s:%s" % (BIN, os.environ["PATH"]))
    cli = [sys.executable, "-m", "tests.rehearsal"]
    rows = [("rehearsal up (namespaces, doubles, realizer)", timed(cli + ["up", "--args", args], env))]
    build = timed(cli + ["run", "--args", args, "--", str(BIN / "ansible-playbook"), "playbooks/site.yml"]
                  + args.split(), env)
    rows.append(("build, site.yml (ends with the check)", build))
    playbook = cli + ["run", "--args", args, "--", str(BIN / "ansible-playbook")]
    rows.append(("check alone, check.yml", timed(playbook + ["playbooks/check.yml"] + args.split(), env)))
    rows.append(("re-run, site.yml", timed(playbook + ["playbooks/site.yml"] + args.split(), env)))
    rows.append(("make rehearse-down equivalent", timed(cli + ["down", "--args", args], env)))
    print("%-48s %8s %4s %8s  %s" % ("step", "seconds", "rc", "changed", "verdict"))
    for label, row in rows:
        print("%-48s %8.1f %4d %8s  %s" % (label, row["seconds"], row["rc"], row["changed"], row["verdict"]))
    print("up + build (with its check): %.1f s (goal 90 s)" % (rows[0][1]["seconds"] + rows[1][1]["seconds"]))
    print(json.dumps(dict(rows)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rehearsal with another address plan and VM count (ARGS): other CIDRs on both sides, one
Azure VM and two AWS VMs, built to PASS with every pair measured, then torn down.

Not part of make test, which runs one rehearsal (test_rehearsal.py) to stay within CI's time:
run it with VPNLAB_TEST_EXTRA=1 .venv/bin/pytest -q tests/integration/test_rehearsal_plan.py"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not os.environ.get("VPNLAB_TEST_EXTRA"),
                                reason="a second rehearsal: VPNLAB_TEST_EXTRA=1 runs it (not in make test)")
ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).resolve().parent / "rehearsal" / "driver.py"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    work = tmp_path_factory.mktemp("rehearsal-plan")
    proc = subprocess.run([sys.executable, str(DRIVER), str(work), "plan"], cwd=ROOT, capture_output=True,
                          text=True, timeout=2400, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    result = json.loads((work / "result.json").read_text())
    result["steps"] = {s["name"]: s for s in result["steps"]}
    return result


def test_another_plan_passes_with_every_pair_measured(run):
    build = run["steps"]["build"]
    assert build["rc"] == 0 and build["verdict"].startswith("PASS"), build["verdict"]
    report = build["report"]
    assert {vm["name"]: vm["private_ip"] for vm in report["vms"]} == {
        "web": "10.31.4.10", "app": "10.32.8.10", "db": "10.32.8.20"}
    pairs = {(m["src"], m["dst"], m["path"]) for m in report["measurements"]}
    assert len(pairs) == 3 * 2 * 2
    assert all(m["loss_pct"] == 0 for m in report["measurements"])


def test_and_leaves_nothing(run):
    assert run["steps"]["down"]["rc"] == 0
    assert run["left"] == {"netns": [], "pids": []}

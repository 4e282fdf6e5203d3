# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Nothing can leave a rehearsal: its controller (where Ansible and the doubles run) and its
internet reach no address outside it and the host gains no interface or route (a rehearsal with
clouds in it is probed the same way by test_rehearsal.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rehearsal import isolation  # noqa: E402  pylint: disable=wrong-import-position

ROOT = Path(__file__).resolve().parents[2]
LAB = "rehiso"


@pytest.fixture(scope="module")
def rehearsal(tmp_path_factory):
    env = dict(os.environ, VPNLAB_HOME=str(tmp_path_factory.mktemp("rehiso")))
    before = isolation.host_view()
    cli = [sys.executable, "-m", "tests.rehearsal"]
    up = subprocess.run(cli + ["up", "--lab", LAB], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
                        check=False)
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        yield {"before": before, "during": isolation.host_view(), "probes": isolation.probe(LAB),
               "namespaces": isolation.namespaces(LAB)}
    finally:
        subprocess.run(cli + ["down", "--lab", LAB], cwd=ROOT, env=env, capture_output=True, timeout=600, check=False)


def test_the_controller_and_the_internet_exist(rehearsal):
    assert rehearsal["namespaces"] == ["vpnrh-%s.ctl" % LAB, "vpnrh-%s.inet" % LAB]


def test_no_namespace_reaches_anything_outside(rehearsal):
    for name, outcomes in rehearsal["probes"].items():
        assert "error" not in outcomes, (name, outcomes)
        for address, outcome in outcomes.items():
            assert outcome != "connected", (name, address)
            # Refused at once by the internet's unreachable route, never a silent timeout.
            assert "unreachable" in outcome.lower() or "No route" in outcome, (name, address, outcome)


def test_the_host_gains_no_interface_or_route(rehearsal):
    assert rehearsal["during"] == rehearsal["before"]


def test_the_controller_reaches_its_own_internet(rehearsal):
    ctl = "vpnrh-%s.ctl" % LAB
    ping = subprocess.run(["ip", "netns", "exec", ctl, "ping", "-c", "1", "-W", "2", "100.64.0.1"],
                          capture_output=True, text=True, check=False)
    assert ping.returncode == 0, ping.stdout

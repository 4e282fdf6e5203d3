# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One run per lab, on a real local lab (`hblk`): while a build runs, a second build of the lab
refuses naming the build's pid, a teardown waits for it; in the end one lab that passed, then
nothing left (no namespace, no charon or sshd, no lock, no holder)."""

from __future__ import annotations

import json
import os
import time

import pytest

from lab_procs import lab_netns, lock_holders, playbook, processes_using

LAB = "hblk"
LOCK = "/run/vpnlab/%s.lock" % LAB

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the local lab needs root")


def lock_record(timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(LOCK) as handle:
                return json.loads(handle.read())
        except (OSError, ValueError):
            time.sleep(0.5)
    raise AssertionError("the build never took its lock %s" % LOCK)


def test_a_build_holds_its_lab_until_it_ends(tmp_path_factory):
    if lab_netns(LAB) or os.path.exists(LOCK):
        pytest.skip("a lab %s exists or runs already" % LAB)
    # A short home: pytest's per-test paths can be too long for the gateways' Unix sockets (the
    # plan refuses those; tests/unit/plugins/module_utils/test_plan.py).
    home = tmp_path_factory.mktemp("hblk") / "home"
    build = playbook("site.yml", home, LAB, background=True)
    teardown = None
    try:
        record = lock_record()
        assert record["playbook_pid"] == build.pid and record["lab"] == LAB
        rc, second = playbook("site.yml", home, LAB, "-e", "lab_lock_timeout_seconds=2")
        assert rc != 0
        assert "lab %s is in use by another run: ansible-playbook pid %d" % (LAB, build.pid) \
            in " ".join(second.split())
        assert "Traceback" not in second and "TASK [multicloud.vpnlab.lab_host" not in second
        # Another lab is not held up by this one (it only plans and takes its own lock here).
        rc_other, other = playbook("check.yml", home, LAB + "x", "-e",
                                   "lab_lock_timeout_seconds=0")
        assert "in use by another run" not in other, other[-2000:]
        teardown = playbook("teardown.yml", home, LAB, background=True)
        out, dummy = build.communicate(timeout=900)
        assert build.returncode == 0, out[-4000:]
        assert teardown.poll() is None  # still waiting for the build
        down, dummy = teardown.communicate(timeout=900)
        assert teardown.returncode == 0, down[-4000:]
        assert "waited" in down and "for another run" in down
    finally:
        for proc in (build, teardown):
            if proc and proc.poll() is None:
                proc.kill()
                proc.wait()
    report = json.loads((home / LAB / "report.json").read_text())
    assert report["verdict"]["level"] == "pass", report["verdict"]
    assert lab_netns(LAB) == [] and processes_using(home) == []
    holders, lock_left = lock_holders(LAB, gone=record["holder_pid"])
    assert not lock_left and record["holder_pid"] not in holders

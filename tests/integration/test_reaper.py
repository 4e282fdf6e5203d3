# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""playbooks/reaper.yml on the AWS and Azure test doubles, inside a rehearsal (no route out): two
labs' worth of tagged resources in both clouds, one past its expiry and one not. The reaper lists
both and names the expired one; with reaper_delete it tears the expired lab down through the
lab's own teardown and leaves the other alone; with -e vpnlab_name it stops before deleting,
since extra variables would make the plan name another lab."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
LAB = "reap"
CLOUDS = "tests/integration/reaper/clouds.py"


def left(output):
    return json.loads(output[output.index("{"):output.rindex("}") + 1])


@pytest.fixture(scope="module")
def rehearsal(tmp_path_factory):
    env = dict(os.environ, VPNLAB_HOME=str(tmp_path_factory.mktemp("reap")), ANSIBLE_NOCOLOR="1")
    cli = [sys.executable, "-m", "tests.rehearsal"]

    def run(*argv):
        proc = subprocess.run(cli + ["run", "--lab", LAB, "--", *argv], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=900, check=False)
        # The play's output wraps long lines: the assertions read it with single spaces.
        return proc.returncode, " ".join((proc.stdout + proc.stderr).split())

    def reaper(*extra):
        return run(str(BIN / "ansible-playbook"), "playbooks/reaper.yml", "-e", "vpnlab_target=cloud", *extra)

    up = subprocess.run(cli + ["up", "--lab", LAB], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
                        check=False)
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        assert run(sys.executable, CLOUDS, "seed")[0] == 0
        steps = {"list": reaper(), "wrong-name": reaper("-e", "reaper_delete=true", "-e", "vpnlab_name=oldlab2")}
        steps["left-after-wrong-name"] = left(run(sys.executable, CLOUDS, "list")[1])
        steps["delete"] = reaper("-e", "reaper_delete=true")
        steps["left"] = left(run(sys.executable, CLOUDS, "list")[1])
        yield steps
    finally:
        subprocess.run(cli + ["down", "--lab", LAB], cwd=ROOT, env=env, capture_output=True, timeout=600, check=False)


def test_the_reaper_lists_every_lab_and_names_the_expired_one(rehearsal):
    rc, out = rehearsal["list"]
    assert rc == 0, out[-3000:]
    assert "newlab: expires 2099-01-01; 2 resource(s) in aws and azure; owner student" in out
    assert "oldlab: EXPIRED (expires 2026-11-01" in out
    assert "Tear the expired lab down" not in out


def test_a_name_given_with_e_stops_the_reaper_before_it_deletes(rehearsal):
    rc, out = rehearsal["wrong-name"]
    assert rc != 0 and "not the expired lab oldlab" in out and "Nothing of it was deleted" in out
    assert "Traceback" not in out
    assert rehearsal["left-after-wrong-name"] == {
        "oldlab": ["aws vpc", "azure resource_group rg-euwe-dev-student-oldlab"],
        "newlab": ["aws vpc", "azure resource_group rg-euwe-dev-student-newlab"]}


def test_the_expired_lab_is_torn_down_and_the_other_left_alone(rehearsal):
    rc, out = rehearsal["delete"]
    assert rc == 0, out[-3000:]
    assert "No AWS resource of lab oldlab is left (1 deleted)" in out
    assert "No Azure resource of lab oldlab is left (resource group rg-euwe-dev-student-oldlab deleted)" in out
    assert rehearsal["left"] == {"oldlab": [], "newlab": ["aws vpc", "azure resource_group rg-euwe-dev-student-newlab"]}

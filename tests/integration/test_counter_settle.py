# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The connectivity check's wait for lagging tunnel counters (roles/connectivity_check/tasks/
settle.yml), run by ansible-playbook on a fake evidence source whose counters grow at a given
read: it stops at the read that shows them, or reads until the settle time is over; when no
private probe to the other cloud got a reply it does not wait at all."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from ansible_run import BIN, ROOT, ansible_env

PLAYBOOK = ROOT / "tests" / "integration" / "counter_settle" / "settle.yml"


def settle(grow_at, settle_seconds, poll_seconds=1, answered=True):
    cmd = [str(BIN / "ansible-playbook"), str(PLAYBOOK), "-e", "counter_grow_at=%d" % grow_at,
           "-e", "counter_answered=%d" % int(answered),
           "-e", "connectivity_check_counter_settle_seconds=%d" % settle_seconds,
           "-e", "connectivity_check_counter_poll_seconds=%d" % poll_seconds]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=120, check=False,
                          env=ansible_env())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(re.search(r"SETTLE (\{.*\})", proc.stdout).group(1))


@pytest.mark.parametrize("grow_at, settle_seconds, expected", [
    # the counters show the probes at the first or third read again: no more reads after it
    (1, 4, {"reads": 1, "waited": 1, "settled": True, "mid": 8400}),
    (3, 4, {"reads": 3, "waited": 3, "settled": True, "mid": 8400}),
    # never within the settle time: every poll reads once, and the report gets the whole wait
    (0, 3, {"reads": 3, "waited": 3, "settled": False, "mid": 0}),
])
def test_the_wait_stops_when_the_counters_grow_or_the_time_is_over(grow_at, settle_seconds, expected):
    assert settle(grow_at, settle_seconds) == expected


def test_no_wait_when_no_private_probe_to_the_other_cloud_was_answered():
    assert settle(0, 3, answered=False) == {"reads": 0, "waited": 0, "settled": True, "mid": 0}

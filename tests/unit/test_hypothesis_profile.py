# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The property tests are reproducible (issue 13): by default (CI) every run draws the same
examples and says so; the exploring profile prints its seed, and that seed replays the run."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from hypothesis import settings

CONFTEST = Path(__file__).resolve().parent / "conftest.py"
PROBE = """
import os
from hypothesis import given, settings, strategies as st

@settings(max_examples=25)
@given(st.integers())
def test_draws(number):
    with open(os.environ["DRAWN"], "a") as out:
        out.write("%d\\n" % number)
"""


def test_the_default_profile_is_derandomized_without_a_database():
    if os.environ.get("HYPOTHESIS_PROFILE"):
        return  # someone chose another profile on purpose
    assert settings.get_current_profile_name() == "ci"
    assert settings.default.derandomize is True and settings.default.database is None
    assert settings.default.print_blob is True


def probe(tmp_path, name, *args):
    """Run a one-test property file under the unit tests' conftest; (output, examples drawn)."""
    (tmp_path / "conftest.py").write_text(
        "import runpy\nglobals().update((k, v) for k, v in runpy.run_path(%r).items() "
        "if not k.startswith('__'))\n" % str(CONFTEST))
    (tmp_path / "test_probe.py").write_text(PROBE)
    drawn = tmp_path / ("%s.txt" % name)
    env = {k: v for k, v in os.environ.items() if k != "HYPOTHESIS_PROFILE"}
    env["DRAWN"] = str(drawn)
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir",
                           str(tmp_path), str(tmp_path / "test_probe.py"), *args],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout, drawn.read_text().split()


def test_ci_runs_draw_the_same_examples_and_say_so(tmp_path):
    out, first = probe(tmp_path, "first")
    dummy, second = probe(tmp_path, "second")
    assert first == second and len(first) > 1
    assert "hypothesis: profile ci, derandomized" in out


def test_an_exploring_run_prints_its_seed_and_the_seed_replays_it(tmp_path):
    out, explored = probe(tmp_path, "explored", "--hypothesis-profile=explore")
    seed = re.search(r"hypothesis: profile explore, seed (\d+) \(the same examples again: "
                     r"--hypothesis-profile=explore --hypothesis-seed=(\d+)\)", out)
    assert seed and seed.group(1) == seed.group(2), out
    dummy, replayed = probe(tmp_path, "replayed", "--hypothesis-profile=explore",
                            "--hypothesis-seed=" + seed.group(1))
    assert replayed == explored

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every molecule scenario loads and passes its syntax check with no CRITICAL line in the output:
a green `make test` must not print one (molecule logs one when the `default` scenario is missing)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
EXTENSIONS = ROOT / "extensions"
SCENARIOS = sorted(p.parent.name for p in (EXTENSIONS / "molecule").glob("*/molecule.yml") if p.parent.name != "default")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_there_is_a_scenario():
    assert "local" in SCENARIOS


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_scenario_syntax_without_critical_lines(scenario):
    env = dict(os.environ, PATH="%s:%s" % (BIN, os.environ.get("PATH", "")), ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               NO_COLOR="1")
    proc = subprocess.run([str(BIN / "molecule"), "syntax", "-s", scenario], cwd=EXTENSIONS, env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    out = ANSI.sub("", proc.stdout + proc.stderr)
    assert proc.returncode == 0, out
    assert "CRITICAL" not in out, out
    assert re.search(r"^%s\b.*syntax: Executed: Successful$" % re.escape(scenario), out, re.M), out

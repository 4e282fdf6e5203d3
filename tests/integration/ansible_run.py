# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Paths and environment for running the collection's real Ansible from integration tests.

Imported by name (``from ansible_run import ...``): a test importing ``conftest`` would get
whichever conftest.py pytest loaded first (tests/integration/azure has its own)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def ansible_env(**extra):
    env = dict(os.environ)
    env.update(PATH="%s:%s" % (BIN, env.get("PATH", "")), ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")
    env.update(extra)
    return env


def changed_tasks(output):
    """The tasks of a default-callback play output that reported a change: ['TASK name', ...]."""
    task, changed = None, []
    for line in output.splitlines():
        if line.startswith("TASK ["):
            task = line[len("TASK ["):line.rfind("]")]
        elif line.startswith("changed: ") and task not in changed:
            changed.append(task)
    return changed

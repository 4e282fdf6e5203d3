# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures to run the collection's real modules and playbooks through the venv's Ansible."""

from __future__ import annotations

import json
import subprocess

import pytest

from ansible_run import BIN, ROOT, ansible_env


@pytest.fixture
def run_module():
    """Run `ansible localhost -m MODULE -a JSON`; return (rc, parsed result, raw output)."""
    def run(module, args, *options):
        cmd = [str(BIN / "ansible"), "localhost", "-m", module, *(["-a", json.dumps(args)] if args else []), *options]
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=120, check=False,
                              env=ansible_env(ANSIBLE_LOAD_CALLBACK_PLUGINS="1",
                                              ANSIBLE_STDOUT_CALLBACK="ansible.builtin.json"))
        try:
            result = json.loads(proc.stdout)["plays"][0]["tasks"][0]["hosts"]["localhost"]
        except (ValueError, KeyError, IndexError):
            result = None
        return proc.returncode, result, proc.stdout + proc.stderr
    return run

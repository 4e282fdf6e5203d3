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


# The files that build whole labs first: `make integration` hands files to its workers in
# collection order (--no-loadscope-reorder), and the rehearsal alone takes most of the run, so
# it must not start after the short files. The rest keep their order.
SLOW_FIRST = ("test_rehearsal.py", "test_rehearsal_bgp.py", "test_check_faults.py", "test_local_lab_secrets.py",
              "test_aws_moto_lab.py", "test_cloud_whole_run_bgp.py", "test_state_dir.py", "test_rehearsal_isolation.py")


def pytest_collection_modifyitems(items):
    rank = {name: index for index, name in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(SLOW_FIRST)))


@pytest.fixture
def tmp_path(tmp_path_factory):
    """A short temporary directory for every test: a local lab's state root must leave room for
    its gateways' Unix sockets (107 bytes, the plan refuses more), and pytest's own per-test
    paths are named after the test (up to 30 characters more)."""
    return tmp_path_factory.mktemp("t")

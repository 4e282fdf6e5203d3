# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a few tasks as a real ansible-playbook inside the double's network namespace; reset the
double; SDK clients that see it as the tasks do."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent


def fingerprint(secret):
    """How the double's request log shows a secret."""
    return "<redacted sha256:%s>" % hashlib.sha256(secret.encode()).hexdigest()[:16]


class Play:
    """Result of one run: rc, the raw output, and each task's result by task name."""

    def __init__(self, proc):
        self.rc, self.output = proc.returncode, proc.stdout + proc.stderr
        self.tasks = {}
        try:
            data = json.loads(proc.stdout)
        except ValueError:
            return
        for play in data.get("plays", []):
            for task in play["tasks"]:
                self.tasks[task["task"]["name"]] = task["hosts"].get("localhost", {})
        self.stats = data.get("stats", {}).get("localhost", {})

    def __getitem__(self, name):
        return self.tasks[name]


def play(iso, tasks, extra_vars=None, verbosity=0, check=False, json_output=True, env=None):
    """Run ``tasks`` (a list of task dicts) on localhost; returns a Play."""
    book = [{"hosts": "localhost", "connection": "local", "gather_facts": False,
             "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}"}, "tasks": tasks}]
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as handle:
        yaml.safe_dump(book, handle)
    cmd = [str(BIN / "ansible-playbook"), handle.name]
    if extra_vars:
        cmd += ["-e", json.dumps(extra_vars)]
    if verbosity:
        cmd.append("-" + "v" * verbosity)
    if check:
        cmd.append("--check")
    extra = dict(PATH="%s:%s" % (BIN, os.environ.get("PATH", "")), ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
                 ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0", ANSIBLE_DIFF_ALWAYS="1")
    if json_output:
        extra.update(ANSIBLE_STDOUT_CALLBACK="ansible.builtin.json", ANSIBLE_LOAD_CALLBACK_PLUGINS="1")
    extra.update(env or {})
    try:
        proc = iso.run(cmd, env=iso.env(**extra), capture_output=True, text=True, timeout=600)
    finally:
        os.unlink(handle.name)
    return Play(proc)


def reset(double):
    """Empty the double (resources and request log) and give it short delays."""
    double.control("reset", {})
    double.control("config", {"gateway_delay": 0.5, "connection_delay": 0.3, "operation_delay": 0.1})
    return double


@contextlib.contextmanager
def sdk_clients(double):
    """SDK clients (resource, network, compute) as the calling thread sees Azure: through the
    double's proxy, from inside the namespace (the thread is moved into it until the end)."""
    from azure.identity import ClientSecretCredential
    from azure.mgmt.compute import ComputeManagementClient
    from azure.mgmt.network import NetworkManagementClient
    from azure.mgmt.resource import ResourceManagementClient

    env = double.info["env"]
    with double.inside():
        cred = ClientSecretCredential(env["AZURE_TENANT"], env["AZURE_CLIENT_ID"], env["AZURE_SECRET"])
        sub = env["AZURE_SUBSCRIPTION_ID"]
        yield {"resource": ResourceManagementClient(cred, sub), "network": NetworkManagementClient(cred, sub),
               "compute": ComputeManagementClient(cred, sub), "double": double, "env": env}

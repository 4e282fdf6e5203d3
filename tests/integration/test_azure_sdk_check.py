# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cloud target stops before anything is created when the Azure SDK is missing, and says how
to install it (the local target never installs it)."""

from __future__ import annotations

import subprocess
import sys

from ansible_run import BIN, ROOT, ansible_env

PLAY = """
- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - ansible.builtin.include_role:
        name: multicloud.vpnlab.azure_gateway
        tasks_from: azure_sdk
"""


def run(tmp_path, python=None):
    book = tmp_path / "sdk.yml"
    book.write_text(PLAY)
    cmd = [str(BIN / "ansible-playbook"), str(book)] + (["-e", "azure_gateway_sdk_python=%s" % python] if python else [])
    return subprocess.run(cmd, cwd=ROOT, env=ansible_env(), capture_output=True, text=True, timeout=120, check=False)


def test_a_python_without_the_sdk_is_refused_with_the_way_to_install_it(tmp_path):
    bare = tmp_path / "bare"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(bare)], check=True)
    proc = run(tmp_path, bare / "bin" / "python")
    assert proc.returncode != 0
    text = " ".join(proc.stdout.split())
    assert "missing: azure.mgmt.network azure.mgmt.compute" in text
    assert "make cloud-deps" in text


def test_the_venv_with_the_sdk_passes(tmp_path):
    proc = run(tmp_path)
    assert proc.returncode == 0, proc.stdout

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The local modules through the real `ansible` CLI: in the controller's process by default (no
module process is started), as a module when asked to run as an async job, with the same result
(plugins/plugin_utils/in_process.py). Dry runs only: nothing is created."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess

import pytest

from ansible_run import BIN, ROOT, ansible_env

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("ip"),
                                reason="needs root and iproute2")


def adhoc(module, args, *options):
    proc = subprocess.run([str(BIN / "ansible"), "localhost", "-m", module, "-a", args, "--check", "-vvv",
                           *options], capture_output=True, text=True, cwd=ROOT, timeout=120, check=False,
                          env=ansible_env())
    return proc.returncode, proc.stdout + proc.stderr


@pytest.mark.parametrize("module, args", [
    ("multicloud.vpnlab.local_netns", '{"namespaces": [{"name": "vpnlab-ip%s"}]}'),
    ("multicloud.vpnlab.local_teardown",
     '{"lab": "ip%s", "netns_prefix": "vpnlab-ip%s.", "state_dir": "/nonexistent/vpnlab-ip"}'),
])
def test_in_the_controller_by_default_and_as_a_module_when_async(module, args):
    name = secrets.token_hex(3)
    args = args.replace("%s", name)
    rc, here = adhoc(module, args)
    assert rc == 0, here[-2000:]
    short = module.rsplit(".", 1)[-1]
    assert "AnsiballZ_%s" % short not in here       # no module process
    rc, job = adhoc(module, args, "-B", "60", "-P", "1")
    assert rc == 0, job[-2000:]
    assert "AnsiballZ_%s" % short in job            # the module, run as an async job
    if short == "local_netns":
        assert "vpnlab-ip%s: create namespace" % name in here
        assert "vpnlab-ip%s: create namespace" % name in job
    assert not [ns for ns in subprocess.run(["ip", "netns", "list"], capture_output=True, text=True,
                                            check=True).stdout.split() if name in ns]

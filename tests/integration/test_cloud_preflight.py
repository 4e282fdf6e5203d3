# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A cloud build on real accounts (no emulator endpoint), run in a network namespace with only
loopback so that nothing could reach a cloud anyway: without credentials every missing
prerequisite is named at once; with them, the estimated cost is printed and, without
vpnlab_accept_cost, the build stops. Either way: rc != 0, no traceback, no state directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from moto_netns import netns_available

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ARGS = ["-e", "vpnlab_target=cloud", "-e", "vpnlab_name=pfl", "-e", '{"vpnlab_admin_cidrs": ["198.51.100.7/32"]}']
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "AKIAEXAMPLEEXAMPLE00", "AWS_SECRET_ACCESS_KEY": "x" * 40,
               "AZURE_CLIENT_ID": "00000000-0000-0000-0000-000000000001", "AZURE_SECRET": "s",
               "AZURE_TENANT": "00000000-0000-0000-0000-000000000002",
               "AZURE_SUBSCRIPTION_ID": "00000000-0000-0000-0000-000000000003"}


def build(tmp_path, **env):
    if not netns_available():
        pytest.skip("needs root and unshare --net")
    home = tmp_path / "home"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "AZURE_"))}
    clean.update(HOME=str(tmp_path), VPNLAB_HOME=str(home), ANSIBLE_NOCOLOR="1", AWS_EC2_METADATA_DISABLED="true",
                 **env)
    proc = subprocess.run(["unshare", "--net", "--", str(BIN / "ansible-playbook"), "playbooks/site.yml", *ARGS],
                          cwd=ROOT, env=clean, capture_output=True, text=True, timeout=300, check=False,
                          stdin=subprocess.DEVNULL)
    return proc.returncode, " ".join((proc.stdout + proc.stderr).split()), home


def test_without_credentials_every_missing_prerequisite_is_named_at_once(tmp_path):
    rc, out, home = build(tmp_path)
    assert rc != 0 and "Traceback" not in out
    assert "3 cloud prerequisite(s) missing, nothing was created" in out
    for what in ("AWS: no credentials found", "Azure: no credentials found", "Azure: no subscription chosen"):
        assert what in out
    assert not home.exists()


def test_the_cost_is_printed_and_the_build_stops_without_acceptance(tmp_path):
    rc, out, home = build(tmp_path, **CREDENTIALS)
    assert rc != 0 and "Traceback" not in out
    assert "Estimated cost of this lab while it exists" in out and "VPN gateway VpnGw1AZ" in out
    assert "Not built: the lab costs about USD 0.4" in out and "-e vpnlab_accept_cost=true" in out
    assert "Nothing was created" in out
    assert not home.exists()

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Azure SDK (azure.azcollection's requirements, about 2 GB) is installed for the cloud target
and by `make test`, never by `make lab` for the local target (dry runs of make, nothing runs)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MESSAGE = "installing the Azure SDK for the cloud target"


def dry_run(*args):
    if shutil.which("make") is None:
        pytest.fail("make is not installed")
    # -B: as if nothing were installed yet, so every step that would run is printed.
    proc = subprocess.run(["make", "-n", "-B", *args], cwd=ROOT, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.parametrize("args, installs", [
    (("lab",), False),
    (("lab", "ARGS=-e vpnlab_name=lab2"), False),
    (("lab", "ARGS=-e vpnlab_target=cloud -e vpnlab_admin_cidrs=198.18.7.1/32"), True),
    (("test",), True),
    (("cloud-deps",), True),
])
def test_who_installs_the_azure_sdk(args, installs):
    out = dry_run(*args)
    assert (MESSAGE in out) is installs
    assert ("ansible_collections/azure/azcollection/requirements.txt" in out) is installs

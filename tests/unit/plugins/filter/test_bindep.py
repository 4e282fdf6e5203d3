# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""bindep.txt, the one list of Debian packages: the filter the lab_host role uses and the Makefile
(scripts/bindep.py) read it through one reader, module_utils/bindep.py (its rules: test_bindep.py there)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.multicloud.vpnlab.plugins.filter.lab import FilterModule, bindep_packages
from ansible_collections.multicloud.vpnlab.plugins.module_utils import bindep

ROOT = Path(__file__).resolve().parents[4]


def test_a_refused_line_is_a_filter_error(monkeypatch, tmp_path):
    """The rules and refusals are module_utils/bindep.py's (its tests); the filter names the line."""
    bad = tmp_path / "bindep.txt"
    bad.write_text("ok\npkg [!platform:rpm]\n")
    monkeypatch.setattr(bindep, "BINDEP_TXT", str(bad))
    with pytest.raises(AnsibleFilterError, match=re.escape("bindep.txt line 2: negated selectors are not supported")):
        bindep_packages("lab")
    monkeypatch.setattr(bindep, "BINDEP_TXT", str(tmp_path / "missing.txt"))
    with pytest.raises(AnsibleFilterError, match="cannot read the collection's bindep.txt"):
        bindep_packages(["lab"])


def test_the_lab_host_role_gets_the_packages_it_checks_for():
    packages = FilterModule().filters()["bindep_packages"]("lab")
    # The role's required paths come from these packages (roles/lab_host/vars/main.yml).
    assert {"strongswan-charon", "libcharon-extra-plugins", "openssh-server", "openssh-client", "netcat-openbsd",
            "nftables", "mtr-tiny", "iputils-ping", "iproute2"} <= set(packages)
    assert "shellcheck" not in packages and "python3-venv" not in packages


@pytest.mark.skipif(not shutil.which("make"), reason="needs make")
@pytest.mark.parametrize("profiles", [["lab"], ["make", "lab"], ["make", "lab", "test"], ["test"], []])
def test_the_makefile_reads_the_same_packages(profiles):
    proc = subprocess.run(["make", "-s", "--no-print-directory", "bindep", "PROFILES=%s" % " ".join(profiles)],
                          cwd=ROOT, capture_output=True, text=True, check=True, timeout=60)
    assert proc.stdout.split() == bindep_packages(profiles)
    assert proc.stdout.split()  # openssh-client is in every profile


@pytest.mark.parametrize("profiles", [["make", "lab"], ["lab", "test"], ["rehearse"]])
def test_the_makefiles_script_runs_without_the_venv(profiles):
    """scripts/bindep.py with `python3 -I -S` (no site-packages: no Ansible, no venv), as on a
    fresh Debian before .venv/ exists; a refused line exits 1 naming it."""
    python = shutil.which("python3") or sys.executable
    proc = subprocess.run([python, "-I", "-S", str(ROOT / "scripts" / "bindep.py")] + profiles,
                          capture_output=True, text=True, check=True, timeout=60)
    assert proc.stdout.split() == bindep_packages(profiles)
    rpm = subprocess.run([python, "-I", "-S", str(ROOT / "scripts" / "bindep.py"), "--platform", "rpm"],
                         capture_output=True, text=True, check=True, timeout=60)
    assert rpm.stdout.split() == ["openssh-clients"]

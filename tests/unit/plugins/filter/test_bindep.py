# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""bindep.txt, the one list of Debian packages: the filter the lab_host role uses reads it as the
Makefile does, and as bindep would for the lines the file uses."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.multicloud.vpnlab.plugins.filter.lab import FilterModule, bindep_packages, parse_bindep

ROOT = Path(__file__).resolve().parents[4]

TEXT = """\
# comment
always [platform:dpkg]
bare
lab-only [platform:dpkg lab]   # trailing comment
test-only [test platform:dpkg]
lab-or-test [platform:dpkg lab test]
rpm-only [platform:rpm]
rpm-lab [platform:rpm lab]

either [platform:rpm platform:dpkg]
"""

CASES = [
    ("no-profile", [], "dpkg", ["always", "bare", "either"]),
    ("lab", ["lab"], "dpkg", ["always", "bare", "lab-only", "lab-or-test", "either"]),
    ("test", ["test"], "dpkg", ["always", "bare", "test-only", "lab-or-test", "either"]),
    ("lab-and-test", ["lab", "test"], "dpkg", ["always", "bare", "lab-only", "test-only", "lab-or-test", "either"]),
    ("unknown-profile", ["compile"], "dpkg", ["always", "bare", "either"]),
    ("rpm-lab", ["lab"], "rpm", ["bare", "rpm-only", "rpm-lab", "either"]),
]


@pytest.mark.parametrize("profiles,platform,expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bindep_rules(profiles, platform, expected):
    assert parse_bindep(TEXT, profiles, platform) == expected


@pytest.mark.parametrize("line,problem", [
    ("pkg [!platform:rpm]", "negated selectors are not supported"),
    ("pkg [platform:dpkg !test]", "negated selectors are not supported"),
    ("pkg >=1.0 [platform:dpkg]", "only `name [selectors]` is supported"),
    ("pkg [platform:dpkg", "only `name [selectors]` is supported"),
])
def test_unsupported_lines_are_refused_with_their_number(line, problem):
    with pytest.raises(AnsibleFilterError, match=re.escape("bindep.txt line 2: %s" % problem)):
        parse_bindep("ok\n" + line + "\n", ["lab"])


def test_the_lab_host_role_gets_the_packages_it_checks_for():
    packages = FilterModule().filters()["bindep_packages"]("lab")
    # The role's required paths come from these packages (roles/lab_host/vars/main.yml).
    assert {"strongswan-charon", "libcharon-extra-plugins", "openssh-server", "openssh-client", "netcat-openbsd",
            "nftables", "mtr-tiny", "iputils-ping", "iproute2"} <= set(packages)
    assert "shellcheck" not in packages and "python3-venv" not in packages


@pytest.mark.skipif(not shutil.which("make") or not shutil.which("awk"), reason="needs make and awk")
@pytest.mark.parametrize("profiles", [["lab"], ["make", "lab"], ["make", "lab", "test"], ["test"], []])
def test_the_makefile_reads_the_same_packages(profiles):
    proc = subprocess.run(["make", "-s", "--no-print-directory", "bindep", "PROFILES=%s" % " ".join(profiles)],
                          cwd=ROOT, capture_output=True, text=True, check=True, timeout=60)
    assert proc.stdout.split() == bindep_packages(profiles)
    assert proc.stdout.split()  # openssh-client is in every profile

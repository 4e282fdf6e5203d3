# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""module_utils/bindep.py, the one reader of bindep.txt: bindep's rules for the lines the file uses,
and the lines it refuses rather than misread."""

from __future__ import annotations

import re

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils import bindep

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
    ("tuple-of-profiles", ("test",), "dpkg", ["always", "bare", "test-only", "lab-or-test", "either"]),
]


@pytest.mark.parametrize("profiles,platform,expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bindep_rules(profiles, platform, expected):
    assert bindep.packages(TEXT, profiles, platform) == expected


REFUSED = [
    ("pkg [!platform:rpm]", "negated selectors are not supported"),
    ("pkg [platform:dpkg !test]", "negated selectors are not supported"),
    ("pkg >=1.0 [platform:dpkg]", "only `name [selectors]` is supported"),
    ("pkg [platform:dpkg", "only `name [selectors]` is supported"),
]


@pytest.mark.parametrize("line,problem", REFUSED, ids=[r[0] for r in REFUSED])
def test_unsupported_lines_are_refused_with_their_number(line, problem):
    with pytest.raises(ValueError, match=re.escape("bindep.txt line 2: %s" % problem)):
        bindep.packages("ok\n" + line + "\n", ["lab"])


def test_read_takes_the_collections_file_or_another(tmp_path):
    assert bindep.read(["lab"])[0] == "openssh-client"  # the collection's bindep.txt
    other = tmp_path / "bindep.txt"
    other.write_text(TEXT)
    assert bindep.read([], "rpm", str(other)) == ["bare", "rpm-only", "either"]
    with pytest.raises(OSError):
        bindep.read([], path=str(tmp_path / "missing.txt"))

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Changelog fragments in the conventions antsibull-changelog's lint does not check: an entry
names what it changes (``component - what``) and ends with a full stop, and new modules and
plugins are not announced (antsibull-changelog lists them from their ``version_added``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

FRAGMENTS = sorted((Path(__file__).resolve().parents[2] / "changelogs" / "fragments").glob("*.yml"))
TEXT_SECTIONS = {"major_changes", "minor_changes", "breaking_changes", "deprecated_features", "removed_features",
                 "security_fixes", "bugfixes", "known_issues", "trivial"}
ANNOUNCES_A_PLUGIN = re.compile(r"\bnew (module|modules|plugin|inventory plugin|lookup|lookup plugin|role|roles)\b", re.I)


def entries(path):
    data = yaml.safe_load(path.read_text()) or {}
    return [(section, entry) for section, items in data.items() if section in TEXT_SECTIONS for entry in items]


@pytest.mark.parametrize("path", FRAGMENTS, ids=[p.name for p in FRAGMENTS])
def test_entries_follow_the_conventions(path):
    for section, entry in entries(path):
        assert " - " in entry.split("(")[0] or section == "trivial", "%s: name the component: %r" % (section, entry)
        assert entry.rstrip().endswith("."), "%s: end with a full stop: %r" % (section, entry)
        assert not ANNOUNCES_A_PLUGIN.search(entry), (
            "%s: new modules, plugins and roles come from version_added or an `add plugin.*`/`add object.*` "
            "section, not from an entry: %r" % (section, entry))

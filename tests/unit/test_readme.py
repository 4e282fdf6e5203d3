# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The README starts where its readers start, and what points into it still finds its target.

- the first screen (40 lines) shows the two commands and the installed-collection path; the
  cloud quick start begins within the first 120 lines;
- the section the cloud preflight names in its fixes exists, and its steps 1 and 2 are the SDKs
  and the credentials;
- every relative link of the README and of ``docs/*.md`` reaches a file, and every ``#anchor``
  a heading of the file it points into (GitHub's anchors).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils import preflight

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
LINES = README.read_text().splitlines()
LINK = re.compile(r"\]\(([^)\s]+)\)")


def heading_line(title):
    return next(i for i, line in enumerate(LINES, 1) if re.sub(r"^#+ ", "", line) == title
                and line.startswith("#"))


def anchor(heading):
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(path):
    return {anchor(re.sub(r"^#+ ", "", line)) for line in path.read_text().splitlines()
            if re.match(r"#{1,6} ", line)}


def test_first_screen_has_the_two_commands_and_the_installed_collection():
    screen = "\n".join(LINES[:40])
    for text in ("make lab", "make test", "ansible-galaxy collection install multicloud.vpnlab",
                 "ansible-playbook multicloud.vpnlab.site", "docs/installed-collection.md"):
        assert text in screen, text


def test_cloud_quick_start_within_120_lines():
    assert heading_line("Cloud quick start (real accounts)") <= 120


def test_the_section_the_preflight_names_exists_with_its_steps():
    title = re.search(r'section "([^"]+)"', preflight.README).group(1)
    start = heading_line(title)
    section = "\n".join(LINES[start:next((i for i in range(start, len(LINES))
                                          if LINES[i].startswith("## ")), len(LINES))])
    step1 = re.search(r"^1\. (.*?)^2\. ", section, re.S | re.M).group(1)
    step2 = re.search(r"^2\. (.*?)^3\. ", section, re.S | re.M).group(1)
    assert "SDK" in step1 and "make cloud-deps" in step1
    assert "Credentials" in step2 and "AWS_PROFILE" in step2 and "AZURE_SUBSCRIPTION_ID" in step2


DOCS = [README] + sorted((ROOT / "docs").glob("*.md"))


@pytest.mark.parametrize("doc", DOCS, ids=[str(d.relative_to(ROOT)) for d in DOCS])
def test_relative_links_and_anchors_resolve(doc):
    broken = []
    for target in LINK.findall(doc.read_text()):
        if re.match(r"[a-z]+:", target):
            continue
        path, dummy, fragment = target.partition("#")
        dest = (doc.parent / path).resolve() if path else doc
        if not dest.exists():
            broken.append(target)
        elif fragment and dest.suffix == ".md" and fragment not in anchors(dest):
            broken.append(target)
    assert broken == []

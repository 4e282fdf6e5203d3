# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one reader of the collection's bindep.txt, its list of system packages.

Two readers use it: the ``bindep_packages`` filter (the ``lab_host`` role's packages) and the
Makefile, through ``scripts/bindep.py``, which the system ``python3`` runs before ``.venv/``
exists (as root on a fresh Debian). So this file is pure standard library, imports nothing of
Ansible or of the collection, and runs on the Python of any supported controller.

It follows bindep's rules for the subset of the format the file uses, ``name [selectors]``: a
line without a profile is in every profile, a line with profiles is in when one of them is asked
for; a line with ``platform:`` selectors is in only on one of those platforms. Negated selectors
and version constraints are refused (ValueError naming the line), so a line this reader would
misread never installs the wrong list. tests/unit/test_packaging.py checks it against the
``bindep`` tool itself.
"""

from __future__ import annotations

import os

# bindep.txt ships at the collection's root (beside galaxy.yml); this file is plugins/module_utils/.
BINDEP_TXT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bindep.txt")


def packages(text: str, profiles: list[str] | tuple[str, ...], platform: str = "dpkg") -> list[str]:
    """Package names of bindep-format `text` for `profiles` on `platform`, in the file's order."""
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, selectors = (line.split(None, 1) + [""])[:2]
        if selectors and not (selectors.startswith("[") and selectors.endswith("]")):
            raise ValueError("bindep.txt line %d: only `name [selectors]` is supported: %r" % (number, line))
        words = selectors[1:-1].split()
        if any(s.startswith("!") for s in words):
            raise ValueError("bindep.txt line %d: negated selectors are not supported: %r" % (number, line))
        platforms = [s.split(":", 1)[1] for s in words if s.startswith("platform:")]
        wanted = [s for s in words if not s.startswith("platform:")]
        if platforms and platform not in platforms:
            continue
        if wanted and not set(wanted) & set(profiles):
            continue
        found.append(name)
    return found


def read(profiles: list[str] | tuple[str, ...], platform: str = "dpkg", path: str | None = None) -> list[str]:
    """The packages of the bindep.txt at `path` (default: the collection's) for `profiles` on `platform`.

    OSError when the file cannot be read, ValueError for a line outside the supported subset.
    """
    with open(path or BINDEP_TXT, encoding="utf-8") as handle:
        return packages(handle.read(), profiles, platform)

# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What makes a thing the lab's own: the one definition of the ownership tags.

Teardown's safety rests on it: every cloud resource of a lab carries ``vpnlab=<lab>`` and
``managed_by=multicloud.vpnlab``, the state directory's marker names the same manager, and
nothing without them is ever deleted. Both clouds, the state directory, the plan, the reaper
and teardown read these names from here (tests/unit/test_one_place_per_fact.py keeps it so).
"""

from __future__ import annotations

from typing import Any, Mapping

LAB_TAG = "vpnlab"
MANAGED_BY_TAG = "managed_by"
MANAGER = "multicloud.vpnlab"
MANAGED_BY = (MANAGED_BY_TAG, MANAGER)


def lab_tags(lab: str) -> dict[str, str]:
    """The two tags that make a resource lab `lab`'s."""
    return {LAB_TAG: lab, MANAGED_BY_TAG: MANAGER}


def owned(tags: Mapping[str, Any] | None, lab: str | None = None) -> bool:
    """Whether `tags` (a dict) say the resource is a lab's: lab `lab`'s, or any lab's when None."""
    tags = tags or {}
    if tags.get(MANAGED_BY_TAG) != MANAGER:
        return False
    return bool(tags.get(LAB_TAG)) if lab is None else tags.get(LAB_TAG) == lab

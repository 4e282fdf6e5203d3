# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab's Azure resources, found by tag.

A resource (or resource group) is the lab's when it carries both ``vpnlab=<lab>`` and
``managed_by=multicloud.vpnlab``; teardown deletes only a resource group that does, and the leak
check lists whatever still does. ``lab_resources`` takes ARM's resource listings (SDK
``as_dict()`` forms). Pure.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional

from ansible_collections.multicloud.vpnlab.plugins.module_utils.ownership import LAB_TAG as TAG_KEY, MANAGED_BY


def tag_filter(lab: str) -> str:
    """ARM ``$filter`` for the first tag (ARM filters on one tag; the second is checked here)."""
    return "tagName eq '%s' and tagValue eq '%s'" % (TAG_KEY, lab.replace("'", "''"))


def is_labs(resource: Optional[Mapping[str, Any]], lab: str) -> bool:
    tags = (resource or {}).get("tags") or {}
    return tags.get(TAG_KEY) == lab and tags.get(MANAGED_BY[0]) == MANAGED_BY[1]


def lab_resources(groups: Iterable[Mapping[str, Any]], resources: Iterable[Mapping[str, Any]],
                  lab: str) -> list[dict[str, Any]]:
    """What carries the lab's tags, as ``{kind, id, name, type, location}`` records."""
    found = [_entry("resource_group", g) for g in groups if is_labs(g, lab)]
    found += [_entry("resource", r) for r in resources if is_labs(r, lab)]
    return sorted(found, key=lambda r: r["id"].lower())


def _entry(kind, resource):
    return {"kind": kind, "id": resource.get("id"), "name": resource.get("name"),
            "type": resource.get("type") or "Microsoft.Resources/resourceGroups",
            "location": resource.get("location")}


def group_verdict(group: Optional[Mapping[str, Any]], lab: str) -> tuple[bool, str]:
    """Whether teardown may delete ``group`` (an as_dict() or None): (ok, reason)."""
    if group is None:
        return False, "absent"
    if is_labs(group, lab):
        return True, "the lab's"
    tags = group.get("tags") or {}
    return False, ("resource group %s exists but is not lab %s's (tags %s=%r, %s=%r): not deleted"
                   % (group.get("name"), lab, TAG_KEY, tags.get(TAG_KEY), MANAGED_BY[0],
                      tags.get(MANAGED_BY[0])))

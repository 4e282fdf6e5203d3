# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The reaper's view of the clouds: which labs exist, by their tags, and which are past expiry.

Every cloud resource of a lab carries ``vpnlab=<lab>``, ``managed_by=multicloud.vpnlab`` and
``expires=<ISO date>`` (fixed when the lab was created), plus ``owner`` and ``environment``.
``labs`` groups what the clouds list by the ``vpnlab`` tag. A lab is expired when the day is
after its ``expires`` date (the date is the lab's last day), taking the earliest date among its
resources; a lab without a readable date is listed and never reaped. Only resources carrying
``managed_by=multicloud.vpnlab`` are considered at all: nothing else is ever a lab.
"""

from __future__ import annotations

import datetime
from typing import Any, Iterable, Mapping, Sequence

from ansible_collections.multicloud.vpnlab.plugins.module_utils.ownership import LAB_TAG, MANAGED_BY


def _date(text):
    try:
        return datetime.date.fromisoformat(str(text))
    except ValueError:
        return None


def labs(resources: Iterable[Mapping[str, Any]], today: str) -> list[dict[str, Any]]:
    """``[{lab, expires, expired, clouds, resources, owner, environment, azure_region, problem}]``.

    ``resources``: ``[{cloud, kind, id, tags, location}]`` from both clouds (``location``: an
    Azure resource group's region); ``today``: an ISO date.
    """
    today = _date(today)
    if today is None:
        raise ValueError("today must be an ISO date (YYYY-MM-DD)")
    found: dict[str, dict[str, Any]] = {}
    for resource in resources:
        tags = resource.get("tags") or {}
        if tags.get(MANAGED_BY[0]) != MANAGED_BY[1] or not tags.get(LAB_TAG):
            continue
        lab = found.setdefault(tags[LAB_TAG], {"lab": tags[LAB_TAG], "dates": set(), "bad": set(),
                                               "clouds": set(), "resources": [], "owner": None,
                                               "environment": None, "azure_region": None})
        lab["clouds"].add(resource["cloud"])
        lab["resources"].append("%s %s %s" % (resource["cloud"], resource["kind"], resource["id"]))
        date = _date(tags.get("expires"))
        if date:
            lab["dates"].add(date)
        else:
            lab["bad"].add(str(tags.get("expires")))
        lab["owner"] = lab["owner"] or tags.get("owner")
        lab["environment"] = lab["environment"] or tags.get("environment")
        if resource["cloud"] == "azure" and resource.get("location"):
            lab["azure_region"] = lab["azure_region"] or resource["location"]
    result = []
    for name in sorted(found):
        lab = found.pop(name)
        expires = min(lab.pop("dates")) if lab["dates"] else None
        bad = lab.pop("bad")
        lab.update(expires=expires.isoformat() if expires else None,
                   expired=bool(expires and today > expires), clouds=sorted(lab["clouds"]),
                   resources=sorted(lab["resources"]), problem=None)
        if expires is None:
            lab["problem"] = "no readable expires tag (%s): never reaped" % ", ".join(sorted(bad))
        result.append(lab)
    return result


def summary(found: Sequence[Mapping[str, Any]], today: str) -> list[str]:
    """The lines the reaper prints: one per lab."""
    if not found:
        return ["No lab of multicloud.vpnlab in these accounts (by the tag managed_by=multicloud.vpnlab)."]
    lines = []
    for lab in found:
        state = ("EXPIRED (expires %s, today %s)" % (lab["expires"], today) if lab["expired"]
                 else lab["problem"] or "expires %s" % lab["expires"])
        lines.append("%s: %s; %d resource(s) in %s; owner %s" % (
            lab["lab"], state, len(lab["resources"]), " and ".join(lab["clouds"]), lab["owner"] or "-"))
    return lines

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The reaper groups the clouds' resources by lab and says which labs are past their expiry."""

from __future__ import annotations

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils import reaper


def tags(lab, expires="2026-12-01", **more):
    return dict({"vpnlab": lab, "managed_by": "multicloud.vpnlab", "expires": expires, "owner": "ann",
                 "environment": "dev"}, **more)


def aws(lab, kind="vpc", rid="vpc-1", **kw):
    return {"cloud": "aws", "kind": kind, "id": rid, "tags": tags(lab, **kw)}


def azure(lab, **kw):
    return {"cloud": "azure", "kind": "resource_group", "id": "rg-" + lab, "tags": tags(lab, **kw),
            "location": "westeurope"}


@pytest.mark.parametrize("resources, today, expected", [
    # The expiry date is the lab's last day.
    ([aws("a")], "2026-12-01", [("a", "2026-12-01", False)]),
    ([aws("a")], "2026-12-02", [("a", "2026-12-01", True)]),
    # The earliest date among the lab's resources counts.
    ([aws("a", expires="2026-12-09"), azure("a", expires="2026-11-30")], "2026-12-01", [("a", "2026-11-30", True)]),
    # Two labs, one expired, one not, sorted by name.
    ([aws("b", expires="2027-01-01"), azure("a")], "2026-12-05", [("a", "2026-12-01", True), ("b", "2027-01-01", False)]),
    # No readable date: listed, never expired.
    ([aws("c", expires="soon")], "2030-01-01", [("c", None, False)]),
    ([aws("c", expires=None)], "2030-01-01", [("c", None, False)]),
])
def test_labs_and_their_expiry(resources, today, expected):
    found = reaper.labs(resources, today)
    assert [(lab["lab"], lab["expires"], lab["expired"]) for lab in found] == expected


@pytest.mark.parametrize("foreign", [
    {"cloud": "aws", "kind": "vpc", "id": "vpc-9", "tags": {"vpnlab": "x", "expires": "2000-01-01"}},
    {"cloud": "aws", "kind": "vpc", "id": "vpc-9",
     "tags": {"vpnlab": "x", "managed_by": "someone-else", "expires": "2000-01-01"}},
    {"cloud": "azure", "kind": "resource_group", "id": "rg-9",
     "tags": {"managed_by": "multicloud.vpnlab", "expires": "2000-01-01"}},
    {"cloud": "azure", "kind": "resource_group", "id": "rg-9", "tags": None},
])
def test_only_the_collections_resources_are_labs(foreign):
    assert reaper.labs([foreign], "2026-12-02") == []


def test_a_lab_record_says_where_it_is_and_whose_it_is():
    lab = reaper.labs([aws("a", rid="vpc-1"), aws("a", kind="customer_gateway", rid="cgw-2"), azure("a")],
                      "2026-12-02")[0]
    assert lab["clouds"] == ["aws", "azure"] and lab["owner"] == "ann" and lab["environment"] == "dev"
    assert lab["azure_region"] == "westeurope"
    assert lab["resources"] == ["aws customer_gateway cgw-2", "aws vpc vpc-1", "azure resource_group rg-a"]
    assert lab["problem"] is None


def test_the_summary_names_each_lab_and_its_state():
    found = reaper.labs([aws("a"), aws("b", expires="2027-01-01"), aws("c", expires="x")], "2026-12-02")
    assert reaper.summary(found, "2026-12-02") == [
        "a: EXPIRED (expires 2026-12-01, today 2026-12-02); 1 resource(s) in aws; owner ann",
        "b: expires 2027-01-01; 1 resource(s) in aws; owner ann",
        "c: no readable expires tag (x): never reaped; 1 resource(s) in aws; owner ann",
    ]
    assert reaper.summary([], "2026-12-02")[0].startswith("No lab of multicloud.vpnlab")


def test_today_must_be_a_date():
    with pytest.raises(ValueError):
        reaper.labs([], "tomorrow")

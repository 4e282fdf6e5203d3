# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Several resources of one kind in one module run: every entry checked before the first is
handled, then handled in order, each entry's given fields over the module's options."""

from __future__ import annotations

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.entries import entry_options, run_entries

PARAMS = {"resource_group": "rg", "name": None, "shared_key": None, "tags": {"a": "1"}, "entries": None}


class Refused(Exception):
    pass


def recorder(changed=()):
    calls = []

    def check(opts):
        calls.append(("check", opts["name"]))
        if not opts.get("shared_key"):
            raise Refused(opts["name"])

    def handle(opts):
        calls.append(("handle", opts["name"], opts["shared_key"], opts["resource_group"]))
        hit = opts["name"] in changed
        return {"changed": hit, "changed_fields": ["shared_key"] if hit else [], "thing": {"id": "/x/" + opts["name"]},
                "diff": {"before": {}, "after": {"name": opts["name"]}}}
    return calls, check, handle


@pytest.mark.parametrize("entry,expected", [
    ({"name": "a", "shared_key": "k"}, dict(PARAMS, name="a", shared_key="k")),
    # A field the entry does not give (None) keeps the module's option.
    ({"name": "a", "shared_key": None, "tags": None}, dict(PARAMS, name="a")),
    ({"name": "a", "resource_group": "other"}, dict(PARAMS, name="a", resource_group="other")),
], ids=["given", "not-given-keeps", "replaces"])
def test_entry_options(entry, expected):
    assert entry_options(PARAMS, entry) == expected


def test_without_entries_the_module_options_are_handled_once():
    calls, check, handle = recorder(changed=("single",))
    result = run_entries(dict(PARAMS, name="single", shared_key="k"), "entries", "thing", check, handle)
    assert calls == [("check", "single"), ("handle", "single", "k", "rg")]
    assert result["changed"] is True and "entries" not in result and result["thing"] == {"id": "/x/single"}


@pytest.mark.parametrize("changed,expected_changed", [((), False), (("b",), True)], ids=["none", "one"])
def test_entries_are_checked_first_then_handled_in_order(changed, expected_changed):
    calls, check, handle = recorder(changed=changed)
    entries = [{"name": "a", "shared_key": "ka"}, {"name": "b", "shared_key": "kb", "resource_group": "rg2"}]
    result = run_entries(dict(PARAMS, entries=entries), "entries", "thing", check, handle)
    assert calls == [("check", "a"), ("check", "b"), ("handle", "a", "ka", "rg"), ("handle", "b", "kb", "rg2")]
    assert result["changed"] is expected_changed
    assert result["entries"] == [
        {"name": "a", "changed": False, "changed_fields": [], "thing": {"id": "/x/a"}},
        {"name": "b", "changed": "b" in changed, "changed_fields": ["shared_key"] if "b" in changed else [],
         "thing": {"id": "/x/b"}}]
    assert [d["after"]["name"] for d in result["diff"]] == ["a", "b"]


def test_an_incomplete_entry_stops_the_run_before_anything_is_handled():
    calls, check, handle = recorder()
    entries = [{"name": "a", "shared_key": "ka"}, {"name": "b"}]
    with pytest.raises(Refused, match="b"):
        run_entries(dict(PARAMS, entries=entries), "entries", "thing", check, handle)
    assert [call for call in calls if call[0] == "handle"] == []

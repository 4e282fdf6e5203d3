# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Several resources of one kind in one module run (each Azure module run spends about 1.5 s of
CPU importing the SDK): a list option whose entries replace the module's options of the same
name. Every entry is checked before the first is written; then they are handled one after the
other, in their order (a gateway's connections must be: Azure runs one operation at a time on
it). The result has one record per entry under the list option's name, and one diff each."""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Mapping


def entry_options(params: Mapping[str, Any], entry: Mapping[str, Any]) -> Dict[str, Any]:
    """The module's options for one entry: the entry's given fields over the module's."""
    return dict(params, **{field: value for field, value in entry.items() if value is not None})


def run_entries(params: Mapping[str, Any], option: str, result_key: str,
                check: Callable[[Dict[str, Any]], None],
                handle: Callable[[Dict[str, Any]], Dict[str, Any]]) -> Dict[str, Any]:
    """Without ``params[option]``: ``handle(params)`` once (after ``check``). With it: every
    entry's options checked (``check`` fails the module), then handled one after the other; the
    result is ``changed``, ``<option>`` (name, changed, changed_fields and ``result_key`` of
    each) and ``diff`` (a list, one per entry)."""
    if params[option] is None:
        check(dict(params))
        return handle(dict(params))
    wanted: List[Dict[str, Any]] = [entry_options(params, entry) for entry in params[option]]
    for opts in wanted:
        check(opts)
    done = [dict(handle(opts), name=opts["name"]) for opts in wanted]
    fields = ("name", "changed", "changed_fields", result_key)
    return {"changed": any(result["changed"] for result in done),
            option: [{key: result[key] for key in fields} for result in done],
            "diff": [result["diff"] for result in done]}

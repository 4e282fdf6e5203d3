# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The tunnels' pre-shared keys: chosen once, kept in a 0600 file of the lab's state directory.

A key the user gives wins; else the one stored by an earlier run; else the one AWS already has
for that tunnel (a connection built before the file existed); else a new random one. Keeping
them in the state directory makes re-runs stable and lets the Azure side read them on
emulators, which drop the tunnel options (moto answers with a fixed key of its own).
"""

from __future__ import annotations

import json
from typing import Callable, Mapping, Sequence

from ansible_collections.multicloud.vpnlab.plugins.module_utils.files import read_text, update
from ansible_collections.multicloud.vpnlab.plugins.module_utils.psk import generate_psk


def read_store(path: str | None) -> dict[str, str]:
    """{tunnel name: key} from the store, {} when it is missing or unreadable."""
    text = read_text(path) if path else None
    try:
        data = json.loads(text) if text else {}
    except ValueError:
        return {}
    keys = data.get("pre_shared_keys") if isinstance(data, dict) else None
    return {k: v for k, v in (keys or {}).items() if isinstance(v, str) and v}


def choose(names: Sequence[str], given: Sequence[str | None], stored: Mapping[str, str], current: Mapping[str, str | None],
           generate: Callable[[], str] = generate_psk) -> dict[str, str]:
    """One key per tunnel name, by the precedence above."""
    chosen = {}
    for i, name in enumerate(names):
        for candidate in ((given[i] if i < len(given) else None), stored.get(name), current.get(name)):
            if candidate:
                chosen[name] = candidate
                break
        else:
            chosen[name] = generate()
    return chosen


def store_text(keys: Mapping[str, str]) -> str:
    return json.dumps({"pre_shared_keys": keys}, indent=2, sort_keys=True) + "\n"


def write_store(path: str, keys: Mapping[str, str], check_mode: bool = False) -> bool:
    """Write the store (0600) unless it holds these keys; returns whether it changed."""
    return update(path, store_text(keys), check_mode=check_mode, mode=0o600)

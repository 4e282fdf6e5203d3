# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The hand-off record: what one step of a cloud build learns and a later step needs.

The plan (plan.py) holds everything known before anything is built. A few facts are found
out only while the lab is built, and a later step needs them; they live in one record, the
file `handoff.json` in the lab's state directory, written and read through the lab_state
module (its `handoff` option merges a writer's keys, its `handoff` result is the whole record).
The local target needs no record: its addresses are in the plan (`plan["local"]`).

The record's schema, one row per key (SCHEMA): its type, the step that writes it (the only one
allowed to) and the steps that read it. The steps are the cloud objects the roles build:

================================  ============  ========  =================================
key                               type          writer    readers
================================  ============  ========  =================================
azure_gateway_public_ip           str           gateway   vpn (the AWS customer gateway)
azure_gateway_public_ips          list of str   gateway   vpn (BGP: a customer gateway each)
azure_gateway_job                 str           gateway   gateway (its wait, before tunnels)
azure_gateway_started             float         gateway   gateway (its wait's timeout)
routing                           str           gateway   gateway (the design built before)
aws_vpn_connection_id             str           vpn       tunnels (the connection to read)
aws_vpn_connection_ids            list of str   vpn       tunnels (BGP: the two to read)
aws_vm_public_ips                 list of str   vms       vms (the security rules)
azure_vm_public_ips               list of str   vms       vms (the security rules)
================================  ============  ========  =================================

An empty value ('' , 0.0, []) means "not known" (a dry run of a new lab, a step not run); a
key never written reads as its empty value (`read`). Which role is which step:
docs/architecture.md ("Where facts live").
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Mapping, NamedTuple, Tuple

# The record's file in the state directory (statedir.KNOWN_ENTRIES names it, so teardown
# removes it with the directory).
FILE = "handoff.json"


class Key(NamedTuple):
    """One key of the record: its type's name, its empty value, who writes and who reads it."""

    type: str
    writer: str
    readers: Tuple[str, ...]
    description: str


SCHEMA: Dict[str, Key] = {
    "azure_gateway_public_ip": Key("str", "gateway", ("vpn",),
                                   "the Azure VPN gateway's public IPv4 address (Static, known at once)"),
    "azure_gateway_public_ips": Key("list", "gateway", ("vpn",),
                                    "the BGP design's Azure gateway instances' public IPv4 addresses, in "
                                    "instance order"),
    "azure_gateway_job": Key("str", "gateway", ("gateway",),
                             "the async job id of the VPN gateway's creation (this run's)"),
    "azure_gateway_started": Key("float", "gateway", ("gateway",),
                                 "when the gateway's creation started, seconds since the epoch (UTC)"),
    "routing": Key("str", "gateway", ("gateway",),
                   "the routing design the clouds were built with (static or bgp): the two share no "
                   "VPN object, so a build of the other design on them is refused"),
    "aws_vpn_connection_id": Key("str", "vpn", ("tunnels",),
                                 "the AWS VPN connection the Azure side reads its tunnels from"),
    "aws_vpn_connection_ids": Key("list", "vpn", ("tunnels",),
                                  "the BGP design's AWS VPN connections, one per Azure gateway instance"),
    "aws_vm_public_ips": Key("list", "vms", ("vms",),
                             "the AWS VMs' public IPv4 addresses"),
    "azure_vm_public_ips": Key("list", "vms", ("vms",),
                               "the Azure VMs' public IPv4 addresses"),
}
WRITERS: Tuple[str, ...] = tuple(sorted({key.writer for key in SCHEMA.values()}))
EMPTY: Dict[str, Any] = {"str": "", "float": 0.0, "list": []}


class HandoffError(ValueError):
    """A write the schema refuses; the message names the key and why."""


def _type_problem(name: str, value: Any) -> str | None:
    kind = SCHEMA[name].type
    if kind == "str":
        ok = isinstance(value, str)
    elif kind == "float":
        # JSON has one number type: an int is a float here, a bool (an int in Python) is not.
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    else:
        ok = isinstance(value, list) and all(isinstance(item, str) for item in value)
    if ok:
        return None
    wanted = "a list of strings" if kind == "list" else "a " + kind
    return "%s=%r: must be %s" % (name, value, wanted)


def problems(writer: str, changes: Mapping[str, Any]) -> List[str]:
    """Every reason the record refuses `writer`'s `changes`, one message each, key by key."""
    if writer not in WRITERS:
        return ["writer=%r: must be one of %s" % (writer, ", ".join(WRITERS))]
    found = []
    for name in sorted(changes):
        if name not in SCHEMA:
            found.append("%s: not a key of the hand-off record (%s)" % (name, ", ".join(sorted(SCHEMA))))
        elif SCHEMA[name].writer != writer:
            found.append("%s: written by %s, not by %s" % (name, SCHEMA[name].writer, writer))
        else:
            problem = _type_problem(name, changes[name])
            if problem:
                found.append(problem)
    return found


def read(text: str | None) -> Dict[str, Any]:
    """The whole record from the file's text (None: no file yet): every key of the schema, a
    missing one as its empty value (HandoffError when it is not a JSON object). A key the schema does not know is dropped, so an older or
    damaged file cannot hand a step something nobody documented; a value of the wrong type
    reads as empty, so a reader never gets one."""
    try:
        stored = json.loads(text) if text else {}
    except ValueError as exc:
        raise HandoffError("%s is not JSON (%s): remove it, the next build writes it again" % (FILE, exc)) from None
    if not isinstance(stored, dict):
        raise HandoffError("%s holds %s, not the record (a JSON object)" % (FILE, type(stored).__name__))
    record = {}
    for name, key in SCHEMA.items():
        value = stored.get(name, EMPTY[key.type])
        record[name] = EMPTY[key.type] if _type_problem(name, value) else value
    return record


def merge(record: Mapping[str, Any], writer: str, changes: Mapping[str, Any]) -> Dict[str, Any]:
    """`record` with `writer`'s `changes`; HandoffError naming every refused key (unknown, not
    the writer's, or of the wrong type), the record unchanged."""
    found = problems(writer, changes)
    if found:
        raise HandoffError("; ".join(found))
    merged = dict(record)
    merged.update((name, float(value) if SCHEMA[name].type == "float" else value) for name, value in changes.items())
    return merged


def dump(record: Mapping[str, Any]) -> str:
    """The file's text: the record's keys in the schema's order, one per line."""
    return json.dumps({name: record[name] for name in SCHEMA if name in record}, indent=2) + "\n"

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The hand-off record's schema, merge and reader (module_utils/handoff.py)."""

from __future__ import annotations

import json

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils import handoff
from ansible_collections.multicloud.vpnlab.plugins.module_utils.handoff import (
    EMPTY, SCHEMA, WRITERS, HandoffError, dump, merge, problems, read,
)
from ansible_collections.multicloud.vpnlab.plugins.module_utils.statedir import is_known

EMPTY_RECORD = {name: EMPTY[key.type] for name, key in SCHEMA.items()}


def test_every_key_has_a_known_type_a_writer_and_readers():
    for name, key in SCHEMA.items():
        assert key.type in EMPTY, name
        assert key.writer in WRITERS and key.readers, name
        assert set(key.readers) <= {"gateway", "vpn", "tunnels", "vms"}, name


def test_the_docstring_table_lists_the_schema():
    rows = [line.split() for line in handoff.__doc__.splitlines() if line.split()[:1] and line.split()[0] in SCHEMA]
    assert [row[0] for row in rows] == list(SCHEMA)
    for row in rows:
        key = SCHEMA[row[0]]
        kind = " ".join(row[1:4]) if key.type == "list" else row[1]
        writer = row[4] if key.type == "list" else row[2]
        assert kind == ("list of str" if key.type == "list" else key.type) and writer == key.writer, row


def test_teardown_removes_the_file_with_the_state_directory():
    assert is_known(handoff.FILE, "file")


@pytest.mark.parametrize("text, expected", [
    (None, EMPTY_RECORD),
    ("", EMPTY_RECORD),
    ('{"aws_vpn_connection_id": "vpn-1"}', dict(EMPTY_RECORD, aws_vpn_connection_id="vpn-1")),
    # A key nobody documented is dropped; a value of the wrong type reads as empty.
    ('{"surprise": 1, "aws_vpn_connection_id": 7}', EMPTY_RECORD),
    ('{"aws_vm_public_ips": ["3.1.2.3", 4]}', EMPTY_RECORD),
    ('{"azure_gateway_started": 12}', dict(EMPTY_RECORD, azure_gateway_started=12)),
    ('{"azure_gateway_started": true}', EMPTY_RECORD),
], ids=["no-file", "empty-file", "one-key", "unknown-and-wrong", "list-of-mixed", "int-is-a-number", "bool-is-not"])
def test_read(text, expected):
    assert read(text) == expected


@pytest.mark.parametrize("text, message", [
    ("{not json", "handoff.json is not JSON"),
    ("[1, 2]", "handoff.json holds list, not the record"),
], ids=["not-json", "not-an-object"])
def test_read_refuses_a_damaged_file(text, message):
    with pytest.raises(HandoffError, match=message):
        read(text)


@pytest.mark.parametrize("writer, changes, expected", [
    ("gateway", {"azure_gateway_public_ip": "20.50.1.2", "azure_gateway_job": "j1.2", "azure_gateway_started": 17},
     dict(EMPTY_RECORD, azure_gateway_public_ip="20.50.1.2", azure_gateway_job="j1.2", azure_gateway_started=17.0)),
    ("vpn", {"aws_vpn_connection_id": "vpn-1"}, dict(EMPTY_RECORD, aws_vpn_connection_id="vpn-1")),
    ("vms", {"aws_vm_public_ips": ["3.1.2.3"]}, dict(EMPTY_RECORD, aws_vm_public_ips=["3.1.2.3"])),
    ("vms", {}, EMPTY_RECORD),
], ids=["gateway", "vpn", "vms", "nothing"])
def test_merge_sets_the_writers_keys(writer, changes, expected):
    merged = merge(EMPTY_RECORD, writer, changes)
    assert merged == expected
    assert isinstance(merged["azure_gateway_started"], float)


def test_merge_keeps_the_other_writers_keys():
    record = merge(EMPTY_RECORD, "vpn", {"aws_vpn_connection_id": "vpn-1"})
    assert merge(record, "vms", {"azure_vm_public_ips": ["20.1.1.1"]})["aws_vpn_connection_id"] == "vpn-1"


@pytest.mark.parametrize("writer, changes, messages", [
    ("vpn", {"azure_gateway_public_ip": "20.50.1.2"}, ["azure_gateway_public_ip: written by gateway, not by vpn"]),
    ("vpn", {"connection": "vpn-1"}, ["connection: not a key of the hand-off record"]),
    ("vpn", {"aws_vpn_connection_id": 5}, ["aws_vpn_connection_id=5: must be a str"]),
    ("vms", {"aws_vm_public_ips": "3.1.2.3"}, ["aws_vm_public_ips='3.1.2.3': must be a list of strings"]),
    ("gateway", {"azure_gateway_started": "soon"}, ["azure_gateway_started='soon': must be a float"]),
    ("gateway", {"azure_gateway_started": False}, ["azure_gateway_started=False: must be a float"]),
    ("tunnels", {"aws_vpn_connection_id": "vpn-1"}, ["writer='tunnels': must be one of gateway, vms, vpn"]),
    ("vms", {"zz": 1, "aws_vm_public_ips": [1]},
     ["aws_vm_public_ips=[1]: must be a list of strings", "zz: not a key of the hand-off record"]),
], ids=["not-its-key", "unknown-key", "wrong-str", "wrong-list", "wrong-float", "bool-float", "not-a-writer", "every-problem"])
def test_merge_refuses_naming_the_key(writer, changes, messages):
    found = problems(writer, changes)
    assert len(found) == len(messages)
    for problem, message in zip(found, messages):
        assert problem.startswith(message), problem
    with pytest.raises(HandoffError) as raised:
        merge(EMPTY_RECORD, writer, changes)
    assert all(message in str(raised.value) for message in messages)


def test_dump_reads_back():
    record = merge(EMPTY_RECORD, "vms", {"aws_vm_public_ips": ["3.1.2.3"]})
    assert read(dump(record)) == record
    assert list(json.loads(dump(record))) == list(SCHEMA)

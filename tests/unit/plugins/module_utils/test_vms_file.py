# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""vms.json's one schema: what the writer (local_vms, the cloud role's filter) writes is what the
reader (the inventory plugin, the lab_hosts lookup through it) accepts, and nothing else."""

from __future__ import annotations

import json

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils.vms_file import (
    SCHEMA_FIELD, SCHEMA_VERSION, VMS_FILE, document, parse)

VM1 = {"name": "vm1", "cloud": "azure", "resource_name": "vpntest-vm1", "private_ip": "10.1.1.10",
       "public_ip": "198.51.100.11"}
VM3 = {"name": "vm3", "cloud": "aws", "resource_name": "vpntest-vm3", "private_ip": "10.2.1.10",
       "public_ip": "203.0.113.12", "connection": {"ansible_host": "203.0.113.12", "ansible_user": "ubuntu"}}
SECTIONS = {"aws": {"region": "eu-west-1", "endpoint_url": "", "emulated": False},
            "azure": {"resource_group": "vpntest-rg", "emulated": True}}


def test_the_file_and_its_version():
    assert (VMS_FILE, SCHEMA_FIELD, SCHEMA_VERSION) == ("vms.json", "vms_schema_version", 1)


@pytest.mark.parametrize("lab, target, state_dir, vms, sections", [
    ("vpntest", "local", "/st/vpntest", [VM1, VM3], None),
    ("lab-2", "cloud", "/home/u/.vpnlab/lab-2", [], SECTIONS),
    ("lab-2", "cloud", "/home/u/.vpnlab/lab-2", [VM3], {"aws": SECTIONS["aws"]}),
])
def test_what_the_writer_writes_the_reader_reads(lab, target, state_dir, vms, sections):
    text = document(lab, target, state_dir, vms, sections)
    expected = dict({SCHEMA_FIELD: SCHEMA_VERSION, "lab": lab, "target": target, "state_dir": state_dir, "vms": vms},
                    **(sections or {}))
    assert json.loads(text) == expected
    assert parse(text) == expected
    assert text.startswith('{\n  "') and text.endswith("}\n")
    # Stable text for the same data (the writers compare files to decide `changed`).
    reordered = [dict(reversed(list(vm.items()))) for vm in vms]
    assert document(lab, target, state_dir, reordered, sections) == text


def test_the_text_exactly():
    assert document("vpntest", "local", "/st/vpntest", [VM1]) == (
        '{\n'
        '  "lab": "vpntest",\n'
        '  "state_dir": "/st/vpntest",\n'
        '  "target": "local",\n'
        '  "vms": [\n'
        '    {\n'
        '      "cloud": "azure",\n'
        '      "name": "vm1",\n'
        '      "private_ip": "10.1.1.10",\n'
        '      "public_ip": "198.51.100.11",\n'
        '      "resource_name": "vpntest-vm1"\n'
        '    }\n'
        '  ],\n'
        '  "vms_schema_version": 1\n'
        '}\n')


BAD_RECORDS = [
    ([{"name": "vm1", "cloud": "azure"}], "vms\\[0\\] needs non-empty strings 'name', 'cloud' and 'resource_name'"),
    ([VM1, dict(VM1, name="")], "vms\\[1\\] needs non-empty strings"),
    ([dict(VM1, cloud=3)], "vms\\[0\\] needs non-empty strings"),
    (["vm1"], "vms\\[0\\] needs non-empty strings"),
    ([dict(VM1, connection=[])], "vms\\[0\\].connection must be an object"),
]


@pytest.mark.parametrize("vms, message", BAD_RECORDS)
def test_the_writer_refuses_what_the_reader_would(vms, message):
    with pytest.raises(ValueError, match=message):
        document("vpntest", "local", "/st/vpntest", vms)
    with pytest.raises(ValueError, match=message):
        parse(json.dumps({"lab": "vpntest", "vms": vms}))


@pytest.mark.parametrize("sections", [{"vms": {}}, {"lab": {}}, {SCHEMA_FIELD: {}}, {"aws": "eu-west-1"}])
def test_a_section_is_an_object_and_never_a_field(sections):
    with pytest.raises(ValueError, match="section"):
        document("vpntest", "cloud", "/st/vpntest", [], sections)


@pytest.mark.parametrize("text, message", [
    ("{not json", "Expecting property name"),
    ("[]", "expected a JSON object with a list 'vms'"),
    ('{"lab": "vpntest"}', "expected a JSON object with a list 'vms'"),
    ('{"lab": "vpntest", "vms": {}}', "expected a JSON object with a list 'vms'"),
    ('{"vms_schema_version": 2, "vms": []}', "vms_schema_version 2 is not one this collection reads \\(1 to 1\\)"),
    ('{"vms_schema_version": 0, "vms": []}', "vms_schema_version 0 is not one"),
    ('{"vms_schema_version": "1", "vms": []}', "vms_schema_version '1' is not one"),
    ('{"vms_schema_version": true, "vms": []}', "vms_schema_version True is not one"),
])
def test_the_reader_refuses(text, message):
    with pytest.raises(ValueError, match=message):
        parse(text)


@pytest.mark.parametrize("doc", [
    # Written before the schema had a version: version 1.
    {"lab": "vpntest", "target": "local", "state_dir": "/st/vpntest", "vms": [VM1]},
    {SCHEMA_FIELD: 1, "lab": "vpntest", "vms": []},
])
def test_the_reader_accepts_this_version_and_older_files(doc):
    assert parse(json.dumps(doc)) == doc

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vms_document filter: the cloud role's vms.json, by vms.json's one writer."""

from __future__ import annotations

import json

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.multicloud.vpnlab.plugins.filter.vms_file import FilterModule, vms_document
from ansible_collections.multicloud.vpnlab.plugins.module_utils.vms_file import document, parse

PLAN = {"lab": "vpntest", "target": "cloud", "state_dir": "/st/vpntest", "aws": {"region": "eu-west-1"}}
VM3 = {"name": "vm3", "cloud": "aws", "resource_name": "vpntest-vm3", "private_ip": "10.2.1.10"}


def test_the_filter_is_registered():
    assert set(FilterModule().filters()) == {"vms_document"}


@pytest.mark.parametrize("vms, sections", [
    ([VM3], {"aws": {"region": "eu-west-1", "emulated": True}}),
    ([], None),
    (None, {}),
])
def test_vms_document_is_the_writers_text(vms, sections):
    text = vms_document(PLAN, vms, sections)
    assert text == document("vpntest", "cloud", "/st/vpntest", vms or [], sections)
    assert parse(text)["vms"] == (vms or [])
    assert json.loads(text)["target"] == "cloud"


@pytest.mark.parametrize("call, match", [
    (lambda: vms_document([], []), "must be the lab plan"),
    (lambda: vms_document({"lab": "vpntest"}, []), "not a lab plan"),
    (lambda: vms_document(PLAN, [{"name": "vm3", "cloud": "aws"}]), "needs non-empty strings"),
    (lambda: vms_document(PLAN, [], {"vms": {}}), "section 'vms'"),
])
def test_bad_input_is_a_filter_error(call, match):
    with pytest.raises(AnsibleFilterError, match=match):
        call()

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""lab_state's hand-off record: a writer merges its keys into handoff.json and gets the whole
record back; check mode returns the record as it would be and writes nothing; a refused key is
named; teardown removes the file with the state directory. The schema: module_utils/handoff.py
(tests/unit/plugins/module_utils/test_handoff.py)."""

from __future__ import annotations

import json
import os
import stat

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils.handoff import EMPTY, FILE, SCHEMA
from ansible_collections.multicloud.vpnlab.plugins.modules import lab_state

LAB = "handoff"
EMPTY_RECORD = {name: EMPTY[key.type] for name, key in SCHEMA.items()}


@pytest.fixture
def state(tmp_path):
    root = tmp_path / "root"
    root.mkdir(mode=0o700)
    return root / LAB


def call(run_module, directory, check_mode=False, **args):
    return run_module(lab_state, dict({"path": str(directory), "lab": LAB}, **args), check_mode=check_mode)


def test_a_writer_merges_its_keys_and_gets_the_whole_record(run_module, state):
    first = call(run_module, state, writer="vpn", handoff={"aws_vpn_connection_id": "vpn-1"})
    assert first["changed"] is True and first["handoff"] == dict(EMPTY_RECORD, aws_vpn_connection_id="vpn-1")
    second = call(run_module, state, writer="vms", handoff={"aws_vm_public_ips": ["3.1.2.3"]})
    assert second["handoff"] == dict(EMPTY_RECORD, aws_vpn_connection_id="vpn-1", aws_vm_public_ips=["3.1.2.3"])
    stored = state / FILE
    assert json.loads(stored.read_text()) == second["handoff"]
    assert stat.S_IMODE(os.lstat(str(stored)).st_mode) == 0o600


def test_the_same_keys_again_change_nothing(run_module, state):
    call(run_module, state, writer="vpn", handoff={"aws_vpn_connection_id": "vpn-1"})
    again = call(run_module, state, writer="vpn", handoff={"aws_vpn_connection_id": "vpn-1"})
    assert again["changed"] is False


@pytest.mark.parametrize("args", [{"handoff": {}}, {"handoff": {}, "writer": "gateway"}], ids=["no-writer", "writer"])
def test_an_empty_handoff_only_reads(run_module, state, args):
    call(run_module, state, writer="gateway", handoff={"azure_gateway_public_ip": "20.50.1.2"})
    before = (state / FILE).read_text()
    read = call(run_module, state, **args)
    assert read["changed"] is False and read["handoff"]["azure_gateway_public_ip"] == "20.50.1.2"
    assert (state / FILE).read_text() == before


def test_without_handoff_the_record_is_neither_read_nor_returned(run_module, state):
    result = call(run_module, state)
    assert "handoff" not in result and not (state / FILE).exists()


def test_check_mode_returns_the_merged_record_and_writes_nothing(run_module, state):
    """A dry run of a new lab: no state directory yet, so nothing to read; nothing is created."""
    result = call(run_module, state, check_mode=True, writer="gateway",
                  handoff={"azure_gateway_job": "j1.2", "azure_gateway_started": 17.5})
    assert result["changed"] is True
    assert result["handoff"] == dict(EMPTY_RECORD, azure_gateway_job="j1.2", azure_gateway_started=17.5)
    assert not state.exists()
    call(run_module, state, writer="vpn", handoff={"aws_vpn_connection_id": "vpn-1"})
    before = (state / FILE).read_text()
    dry = call(run_module, state, check_mode=True, writer="vpn", handoff={"aws_vpn_connection_id": "vpn-2"})
    assert dry["changed"] is True and dry["handoff"]["aws_vpn_connection_id"] == "vpn-2"
    assert (state / FILE).read_text() == before


@pytest.mark.parametrize("args, message", [
    ({"writer": "vpn", "handoff": {"azure_gateway_public_ip": "20.50.1.2"}},
     "azure_gateway_public_ip: written by gateway, not by vpn"),
    ({"writer": "vpn", "handoff": {"vpn_id": "vpn-1"}}, "vpn_id: not a key of the hand-off record"),
    ({"writer": "vms", "handoff": {"azure_vm_public_ips": "20.1.1.1"}},
     "azure_vm_public_ips='20.1.1.1': must be a list of strings"),
    ({"handoff": {"aws_vpn_connection_id": "vpn-1"}}, "handoff: sets keys, so writer is required"),
    ({"state": "absent", "handoff": {}}, "handoff: only with state=present"),
], ids=["not-its-key", "unknown", "wrong-type", "no-writer", "absent"])
def test_a_refused_write_names_the_key_and_writes_nothing(run_module, state, args, message):
    call(run_module, state, writer="vpn", handoff={"aws_vpn_connection_id": "vpn-1"})
    before = (state / FILE).read_text()
    result = call(run_module, state, **args)
    assert result.get("failed") is True and message in result["msg"], result
    assert "exception" not in result
    assert (state / FILE).read_text() == before


def test_a_damaged_record_is_refused_naming_the_file(run_module, state):
    call(run_module, state)
    (state / FILE).write_text("{oops")
    os.chmod(str(state / FILE), 0o600)
    result = call(run_module, state, handoff={})
    assert result.get("failed") is True and "handoff.json is not JSON" in result["msg"]


def test_a_record_others_can_write_is_refused(run_module, state):
    call(run_module, state, writer="vpn", handoff={"aws_vpn_connection_id": "vpn-1"})
    os.chmod(str(state / FILE), 0o666)
    result = call(run_module, state, handoff={})
    assert result.get("failed") is True and "handoff.json is writable by others" in result["msg"], result


def test_teardown_removes_the_record(run_module, state):
    call(run_module, state, writer="vpn", handoff={"aws_vpn_connection_id": "vpn-1"})
    result = call(run_module, state, state="absent")
    assert FILE in result["removed"] and not state.exists()

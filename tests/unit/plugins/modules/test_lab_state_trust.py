# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""lab_state refuses a state directory that is not the lab's own, or a state root others can
change: failed, the reason, no traceback, nothing changed. The rule: module_utils/statedir.py
(tests/unit/plugins/module_utils/test_statedir_trust.py) and module_utils/stateroot.py."""

from __future__ import annotations

import os
import stat

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils.statedir import MARKER, marker_text
from ansible_collections.multicloud.vpnlab.plugins.modules import lab_state

LAB = "sdtrust"


def snapshot(root):
    found = {}
    for dirpath, dirnames, filenames in os.walk(str(root)):
        for name in [""] + dirnames + filenames:
            path = os.path.join(dirpath, name)
            st = os.lstat(path)
            with open(path, "rb") if stat.S_ISREG(st.st_mode) else open(os.devnull, "rb") as handle:
                found[os.path.relpath(path, str(root))] = (st.st_mode, st.st_uid, handle.read())
    return found


def test_lab_state_module_refuses_a_forged_open_dir(tmp_path, run_module):
    state = tmp_path / "state" / LAB
    state.mkdir(parents=True)
    (state / MARKER).write_text(marker_text(LAB))
    os.chmod(str(state), 0o777)
    before = snapshot(tmp_path)
    result = run_module(lab_state, {"path": str(state), "lab": LAB})
    assert result.get("failed") is True, result
    assert "it is writable by others (mode 0777)" in result["msg"]
    assert "exception" not in result
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("root_mode", [0o777, 0o775])
def test_lab_state_refuses_a_state_root_others_can_change(tmp_path, run_module, root_mode):
    root = tmp_path / "root"
    root.mkdir()
    os.chmod(str(root), root_mode)
    result = run_module(lab_state, {"path": str(root / LAB), "lab": LAB})
    assert result.get("failed") is True, result
    assert "Refusing the state root" in result["msg"] and str(root) in result["msg"]
    assert os.listdir(str(root)) == [] and "exception" not in result


def test_lab_state_makes_the_wanted_directories_with_the_state_dir(tmp_path, run_module):
    """directories: made after the state directory (0700), named in created; a re-run changes
    nothing; one outside the state directory is refused with nothing made."""
    state = tmp_path / "root" / LAB
    args = {"path": str(state), "lab": LAB, "directories": [str(state / "vms" / "vm1")]}
    result = run_module(lab_state, args)
    assert result["changed"] is True and not result.get("failed"), result
    assert result["created"][-2:] == [str(state / "vms") + "/", str(state / "vms" / "vm1") + "/"]
    assert os.stat(str(state / "vms" / "vm1")).st_mode & 0o777 == 0o700
    assert run_module(lab_state, args)["changed"] is False
    refused = run_module(lab_state, dict(args, directories=[str(tmp_path / "elsewhere")]))
    assert refused.get("failed") is True and "is not inside the state directory" in refused["msg"]
    assert not (tmp_path / "elsewhere").exists()

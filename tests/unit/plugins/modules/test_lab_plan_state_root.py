# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The state root through lab_plan: refused before any plan (the plan role runs first), with the
path and the reason, no traceback, nothing made. The rule itself: test_state_root.py."""

from __future__ import annotations

import os
import stat

import pytest

from ansible_collections.multicloud.vpnlab.plugins.modules import lab_plan


@pytest.mark.parametrize("root,reason", [
    ("/", "is the root directory"),
    ("/etc", "is a system directory"),
    ("/tmp/hA-x\n;id", "holds a control character"),
    ("/tmp/../etc", "is not normalised"),
])
def test_lab_plan_refuses_a_bad_state_root(run_module, root, reason):
    result = run_module(lab_plan, {"host_networks": [], "state_root": root})
    assert result.get("failed") is True, result
    assert reason in result["msg"] and repr(root) in result["msg"]
    assert "exception" not in result and "plan" not in result


def test_lab_plan_refuses_a_world_writable_vpnlab_home(run_module, monkeypatch, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    os.chmod(str(home), 0o777)
    monkeypatch.setenv("VPNLAB_HOME", str(home))
    result = run_module(lab_plan, {"host_networks": []})
    assert result.get("failed") is True, result
    assert "%s is writable by others (mode 0777)" % home in result["msg"]
    assert stat.S_IMODE(os.stat(str(home)).st_mode) == 0o777 and os.listdir(str(home)) == []


def test_lab_plan_accepts_a_private_vpnlab_home_and_says_where(run_module, monkeypatch, tmp_path):
    home = tmp_path / "my labs"
    monkeypatch.setenv("VPNLAB_HOME", str(home) + "/")
    result = run_module(lab_plan, {"host_networks": []})
    assert "failed" not in result, result
    assert result["plan"]["state_dir"] == str(home / "vpntest")
    assert not home.exists()  # the plan creates nothing

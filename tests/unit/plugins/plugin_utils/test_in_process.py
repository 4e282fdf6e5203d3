# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The local modules' code in the controller's process (plugins/plugin_utils/in_process.py): the
arguments validated as AnsibleModule validates them, exit_json/fail_json, run_command, no_log
values removed, and when the module runs as a module instead."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ansible_collections.multicloud.vpnlab.plugins.plugin_utils import in_process
from ansible_collections.multicloud.vpnlab.plugins.plugin_utils.in_process import (
    ControllerModule, Exited, InProcessAction, run_module,
)

SPEC = dict(
    argument_spec=dict(
        name=dict(type="str", required=True),
        count=dict(type="int", default=2),
        secret=dict(type="str", no_log=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    ),
    required_if=[("state", "absent", ["secret"])],
    supports_check_mode=True,
)


def echo(module):
    """A module's code: returns what it was given, and a warning."""
    module.warn("warned about %s" % module.params["name"])
    module.exit_json(changed=not module.check_mode, params=module.params, diff_mode=module._diff)


def fails_with_secret(module):
    module.fail_json(msg="refused %s" % module.params["secret"], detail=module.params["secret"])


def catches_everything(module):
    try:
        module.fail_json(msg="stopped here")
    except Exception:  # the module's own handler must not swallow the end of the module
        module.exit_json(changed=True, msg="went on")


def never_ends(module):
    module.params["name"].upper()


def adds_a_secret(module):
    module.no_log_values.add("hunter2")
    module.exit_json(msg="the key is hunter2")


@pytest.mark.parametrize("args, check_mode, expected", [
    ({"name": "a"}, False,
     {"changed": True, "params": {"name": "a", "count": 2, "secret": None, "state": "present"}}),
    ({"name": "a", "count": "5"}, True,
     {"changed": False, "params": {"name": "a", "count": 5, "secret": None, "state": "present"}}),
])
def test_a_module_ends_with_its_result_and_warnings(args, check_mode, expected):
    result = run_module(SPEC, echo, args, check_mode=check_mode, diff=True, name="echo")
    assert result["changed"] == expected["changed"]
    assert result["params"] == expected["params"]
    assert result["diff_mode"] is True
    assert result["warnings"] == ["warned about a"]
    assert "failed" not in result


@pytest.mark.parametrize("args, message", [
    ({}, "echo: missing required arguments: name"),
    ({"name": "a", "count": "many"},
     "echo: argument 'count' is of type str and we were unable to convert to int: \"'many'\" cannot be converted to an int"),
    ({"name": "a", "state": "gone"}, "echo: value of state must be one of: present, absent, got: gone"),
    ({"name": "a", "state": "absent"}, "echo: state is absent but all of the following are missing: secret"),
    ({"name": "a", "colour": "red"}, "echo: colour. Supported parameters include: count, name, secret, state."),
])
def test_bad_arguments_fail_before_the_module_runs(args, message):
    ran = []
    result = run_module(SPEC, ran.append, args, name="echo")
    assert result["failed"] is True
    assert result["msg"] == message
    assert ran == []


@pytest.mark.parametrize("code, expected", [
    # AnsibleModule's mask: a value equal to a no_log value is replaced, inside text by asterisks.
    (fails_with_secret, {"failed": True, "msg": "refused ********", "detail": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"}),
    (adds_a_secret, {"msg": "the key is ********", "changed": False}),
    (catches_everything, {"failed": True, "msg": "stopped here"}),
    (never_ends, {"failed": True, "msg": "echo ended without a result"}),
])
def test_failures_and_secrets(code, expected):
    result = run_module(SPEC, code, {"name": "a", "secret": "s3cr3t-value", "state": "absent"}, name="echo")
    assert result == expected


def test_check_mode_without_support_is_skipped():
    spec = dict(SPEC, supports_check_mode=False)
    ran = []
    assert run_module(spec, ran.append, {"name": "a"}, check_mode=True, name="echo") == {
        "skipped": True, "msg": "echo does not support check mode"}
    assert ran == []


@pytest.mark.parametrize("argv, data, check_rc, expected", [
    (["sh", "-c", "echo out; echo err >&2; exit 3"], None, False, (3, "out\n", "err\n")),
    (["cat"], "line", False, (0, "line\n", "")),          # a newline appended, as AnsibleModule does
    (["sh", "-c", "cat; echo"], None, False, (0, "\n", "")),  # stdin closed: cat ends at once
    (["sh", "-c", "echo $LC_ALL"], None, False, (0, "C\n", "")),
    (["true"], None, True, (0, "", "")),
])
def test_run_command(argv, data, check_rc, expected):
    assert ControllerModule({}).run_command(argv, check_rc=check_rc, data=data) == expected


@pytest.mark.parametrize("argv, msg, rc", [
    (["sh", "-c", "echo no >&2; exit 4"], "no", 4),
    (["/nonexistent/vpnlab-command"], "No such file or directory", 2),
])
def test_run_command_failures_end_the_module(argv, msg, rc):
    with pytest.raises(Exited) as done:
        ControllerModule({}).run_command(argv, check_rc=True)
    assert done.value.result["failed"] is True
    assert msg in done.value.result["msg"]
    assert done.value.result["rc"] == rc


def action(transport, become, async_val=0):
    plugin = InProcessAction.__new__(InProcessAction)
    plugin._connection = SimpleNamespace(transport=transport)
    plugin._play_context = SimpleNamespace(become=become)
    plugin._task = SimpleNamespace(async_val=async_val)
    return plugin


@pytest.mark.parametrize("transport, become, async_val, expected", [
    ("local", False, 0, True),
    ("ansible.builtin.local", False, 0, True),
    ("local", True, 0, False),       # become: the module, as the user it becomes
    ("ssh", False, 0, False),        # another host: the module, there
    ("ansible.builtin.ssh", False, 0, False),
    ("local", False, 60, False),     # an async job: the module, in the background
])
def test_in_the_controller_only_over_the_local_connection_without_become(transport, become, async_val, expected):
    assert action(transport, become, async_val).in_controller() is expected


def test_the_local_modules_have_their_action():
    """Every local-target module has an action plugin over its own code and spec."""
    import importlib
    for name in ("host_guard", "local_bgp", "local_gateway", "local_netns", "local_teardown",
                 "local_vms", "local_vpn_connection"):
        plugin = importlib.import_module("ansible_collections.multicloud.vpnlab.plugins.action." + name)
        code = importlib.import_module("ansible_collections.multicloud.vpnlab.plugins.modules." + name)
        assert plugin.ActionModule.MODULE == "multicloud.vpnlab." + name
        assert plugin.ActionModule.CODE is code
        assert issubclass(plugin.ActionModule, in_process.InProcessAction)
        assert code.module_spec()["supports_check_mode"] is True

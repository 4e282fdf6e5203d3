# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The local target's modules in the controller's process.

The local lab runs on the controller, as the controller's user (root), over the local
connection: a module run there is the same code in a process of its own, and that process
(Python, AnsiballZ, ``ansible.module_utils.basic``) costs about 0.45 s on a 2-core machine before
the module does anything. A build runs about ten of them, a re-run as many, a teardown one.

`InProcessAction` is the action plugin of such a module: it validates the task's arguments
against the module's own spec (``module_spec()``), and runs the module's own code (``run(module)``)
with `ControllerModule`, which does what those modules use of AnsibleModule (params, check mode,
diff, run_command, exit_json, fail_json, warn, no_log_values). Anywhere else (another connection,
become, or async) the module runs as a module, as before: the task's result is the same either way.
"""

from __future__ import annotations

import os
import subprocess
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.plugins.action import ActionBase
from ansible.utils.vars import merge_hash

# AnsibleModule's keyword arguments that ArgumentSpecValidator takes too.
VALIDATOR_KEYWORDS = ("mutually_exclusive", "required_together", "required_one_of", "required_if",
                      "required_by")
LOCAL_CONNECTIONS = ("local", "ansible.builtin.local")


class Exited(BaseException):
    """exit_json or fail_json: ends the module's code as the SystemExit of AnsibleModule does (a
    BaseException, so the module's own ``except Exception`` does not catch it)."""

    def __init__(self, result: Dict[str, Any]) -> None:
        super().__init__(result.get("msg", ""))
        self.result = result


class ControllerModule:
    """What the local target's modules use of AnsibleModule, in the controller's process."""

    def __init__(self, params: Dict[str, Any], check_mode: bool = False, diff: bool = False,
                 no_log_values: Optional[set] = None) -> None:
        self.params = params
        self.check_mode = check_mode
        self._diff = diff
        self.no_log_values = set(no_log_values or ())
        self.warnings: List[str] = []

    def run_command(self, args: Sequence[str], check_rc: bool = False, data: Optional[str] = None,
                    binary_data: bool = False) -> Tuple[int, str, str]:
        """AnsibleModule.run_command for an argv list: (rc, stdout, stderr) as text, with the C
        locale, no shell, stdin closed unless `data` is given (a newline appended unless
        `binary_data`). A command that cannot start, or fails with `check_rc`, fails the module."""
        if data is not None and not binary_data:
            data += "\n"
        env = dict(os.environ, LANG="C", LC_ALL="C", LC_MESSAGES="C")
        try:
            done = subprocess.run(list(args), input=data, capture_output=True, text=True,
                                  errors="surrogateescape", env=env, check=False,
                                  stdin=subprocess.DEVNULL if data is None else None)
        except OSError as exc:
            self.fail_json(msg=str(exc), rc=exc.errno, stdout="", stderr="", cmd=" ".join(args))
        if check_rc and done.returncode != 0:
            self.fail_json(msg=done.stderr.strip() or "non-zero return code", rc=done.returncode,
                           stdout=done.stdout, stderr=done.stderr, cmd=" ".join(args))
        return done.returncode, done.stdout, done.stderr

    def warn(self, warning: str) -> None:
        self.warnings.append(warning)

    def exit_json(self, **result: Any) -> None:
        raise Exited(dict(result))

    def fail_json(self, msg: str, **result: Any) -> None:
        raise Exited(dict(result, failed=True, msg=msg))


def run_module(spec: Mapping[str, Any], run: Callable[[Any], None], args: Mapping[str, Any],
               check_mode: bool = False, diff: bool = False, name: str = "module") -> Dict[str, Any]:
    """The result of `run` (a module's code, ended by exit_json or fail_json) for task `args`
    validated against `spec` (AnsibleModule's keyword arguments), with the no_log values removed
    as AnsibleModule removes them."""
    validator = ArgumentSpecValidator(
        spec["argument_spec"], **{k: spec[k] for k in VALIDATOR_KEYWORDS if k in spec})
    validated = validator.validate(dict(args))
    no_log = set(getattr(validated, "_no_log_values", ()))
    if validated.error_messages:
        return {"failed": True, "msg": remove_values(
            "%s: %s" % (name, "; ".join(validated.error_messages)), no_log)}
    if check_mode and not spec.get("supports_check_mode"):
        return {"skipped": True, "msg": "%s does not support check mode" % name}
    module = ControllerModule(validated.validated_parameters, check_mode, diff, no_log)
    try:
        run(module)
        result: Dict[str, Any] = {"failed": True, "msg": "%s ended without a result" % name}
    except Exited as done:
        result = done.result
    if not result.get("failed"):
        result.setdefault("changed", False)
    result = remove_values(result, module.no_log_values)
    if module.warnings:
        result["warnings"] = remove_values(module.warnings, module.no_log_values)
    return result


class InProcessAction(ActionBase):
    """Action plugin of a local-target module: its code in the controller's process over the
    local connection without become; the module itself anywhere else. Subclasses set MODULE
    (the module's fully qualified name) and CODE (its Python module, with module_spec() and
    run(module))."""

    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_async = True  # by the module (in_controller)
    MODULE = ""
    CODE: Any = None

    def in_controller(self) -> bool:
        """Over the local connection, without become and not as an async job (which only a
        module process can be)."""
        return (self._connection.transport in LOCAL_CONNECTIONS
                and not self._play_context.become
                and not self._task.async_val)

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        if not self.in_controller():  # as ansible.builtin.normal runs a module
            wrap_async = bool(self._task.async_val) and not self._connection.has_native_async
            result = merge_hash(result, self._execute_module(
                module_name=self.MODULE, module_args=self._task.args, task_vars=task_vars,
                wrap_async=wrap_async))
            if not wrap_async:
                self._remove_tmp_path(self._connection._shell.tmpdir)
            return result
        result.update(run_module(self.CODE.module_spec(), self.CODE.run, self._task.args,
                                 check_mode=bool(self._task.check_mode), diff=bool(self._task.diff),
                                 name=self.MODULE.rsplit(".", 1)[-1]))
        return result

# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab_state action: the state directory and the hand-off record, in the controller's process.

The state directory is the controller's (every play that touches it runs on localhost, as the
controller's user), so no module process is needed: a module run fewer each time a build, a
teardown or a cloud role hands a fact on. The work and the options are the module's
(plugins/modules/lab_state.py: argument_spec, state_result, warnings_of)."""

from __future__ import annotations

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase
from ansible_collections.multicloud.vpnlab.plugins.modules import lab_state as module


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(module.argument_spec())

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        validated = ArgumentSpecValidator(module.argument_spec()).validate(self._task.args)
        if validated.error_messages:
            result.update(failed=True, msg="lab_state: %s" % "; ".join(validated.error_messages))
            return result
        try:
            done = module.state_result(validated.validated_parameters, bool(self._task.check_mode))
        except module.Refused as exc:
            result.update(failed=True, msg=str(exc))
            return result
        result.update(done)
        warnings = module.warnings_of(done)
        if warnings:
            result["warnings"] = warnings
        return result

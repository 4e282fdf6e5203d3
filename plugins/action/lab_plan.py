# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab_plan action: validates the inputs and derives the plan in the controller's process.

The plan is the controller's (every play that needs it runs on localhost), so it needs no module
process: this saves one module run (about 0.8 s here) in every playbook. The work and the options
are the module's (plugins/modules/lab_plan.py: argument_spec, plan_result, secrets_of); only the
masking differs: a module's output is masked by AnsibleModule, this result by remove_values with
the same secret forms (a PSK never reaches the output, in the plan or in a message)."""

from __future__ import annotations

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.plugins.action import ActionBase
from ansible_collections.multicloud.vpnlab.plugins.module_utils import inputs
from ansible_collections.multicloud.vpnlab.plugins.modules import lab_plan as module


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(module.argument_spec())

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        validated = ArgumentSpecValidator(module.argument_spec()).validate(self._task.args)
        params = validated.validated_parameters
        try:
            secrets = module.secrets_of(params)
        except (TypeError, ValueError, AttributeError):  # the validator names what is wrong
            secrets = set()
        # As the module shows its options at -vvv, the secrets (values or keys) masked.
        result["invocation"] = {"module_args": inputs.masked(params, secrets)}
        if validated.error_messages:
            result.update(failed=True, msg="lab_plan: %s" % "; ".join(validated.error_messages))
        else:
            try:
                result.update(module.plan_result(params))
            except module.Refused as exc:
                result.update(exc.extra, failed=True, msg=exc.msg)
        return remove_values(result, inputs.mask_forms(secrets))

# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab_lock action: the lab's lock taken in the controller's process (Ansible's worker for
the task), which saves a module run in every playbook. The work is the module's
(module_utils/lock.py's take): the worker is a fork of ansible-playbook with its command line,
so the run is found from the worker itself instead of from the module's parent, and the
holder is forked from the worker (a session of its own, every descriptor but the lock's
closed), as the module forks it."""

from __future__ import annotations

import os

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase
from ansible_collections.multicloud.vpnlab.plugins.module_utils.lock import LockError, take
from ansible_collections.multicloud.vpnlab.plugins.modules import lab_lock as module


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(module.ARGUMENT_SPEC)

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        validated = ArgumentSpecValidator(module.ARGUMENT_SPEC).validate(self._task.args)
        params = validated.validated_parameters
        if validated.error_messages:
            result.update(failed=True, msg="lab_lock: %s" % "; ".join(validated.error_messages))
            return result
        refused = module.refusal(params)
        if refused:
            result.update(failed=True, msg=refused)
            return result
        try:
            taken = take(params["lab"], params["timeout"], self_pid=os.getpid())
        except LockError as exc:
            result.update(failed=True, msg=str(exc))
            return result
        # A lock held for the run changes nothing of the lab: a re-run stays changed=0.
        result.update(taken, changed=False)
        return result

# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The tunnel_options action: a VPN connection given as data is read in the controller's process.

Reading the tunnels of O(vpn_connection) is pure parsing (module_utils/_aws/tunnels.py), so it
needs no module process: that saves a module run in every build and re-run. A connection given
by O(vpn_connection_id) is described by the module itself (boto3, the AWS options and
module_defaults), as before. The options are the module's; the AWS connection options are
accepted and, as by the module, unused with O(vpn_connection). The result holds the PSKs, as the
module's does: its tasks set no_log."""

from __future__ import annotations

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase
from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws.tunnels import (
    TunnelOptionsError, vpn_connection_facts,
)

MODULE = "multicloud.vpnlab.tunnel_options"
OPTIONS = {"vpn_connection": {"type": "dict"}, "vpn_connection_id": {"type": "str"}}


def spec(args):
    """The options to validate `args` against: the AWS connection options only when some are
    given (the cloud target's call); importing amazon.aws's spec loads botocore, about as long as
    the module run this plugin saves, so the local target's call does without it."""
    if set(args) <= set(OPTIONS):
        return dict(OPTIONS)
    from ansible_collections.amazon.aws.plugins.module_utils.modules import aws_argument_spec
    return dict(aws_argument_spec(), **OPTIONS)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        if self._task.args.get("vpn_connection") is None:  # fetched by its ID: the module's work
            result.update(self._execute_module(module_name=MODULE, module_args=self._task.args,
                                               task_vars=task_vars))
            return result
        validated = ArgumentSpecValidator(
            spec(self._task.args), mutually_exclusive=[["vpn_connection", "vpn_connection_id"]]).validate(self._task.args)
        if validated.error_messages:
            result.update(failed=True, msg="tunnel_options: %s" % "; ".join(validated.error_messages))
            return result
        try:
            result.update(vpn_connection_facts(validated.validated_parameters["vpn_connection"]))
        except TunnelOptionsError as exc:  # PSK-free by contract
            result.update(failed=True, msg="Cannot read the tunnels: %s" % exc)
            return result
        result["changed"] = False
        return result

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run one of the collection's AWS modules in-process against a botocore Stubber.

The module is the real one (AnsibleAWSModule, its argument spec, its retries); only the EC2
client it asks for is a real botocore client with a Stubber attached, so every request is checked
against the AWS model and, with ``expected_params``, against exactly what the test expects. A call
the test did not stub fails the test (Stubber raises), so "no modify" is proven, not assumed.
"""

from __future__ import annotations

import importlib
from unittest import mock

import botocore.session
from botocore.stub import Stubber

from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper

REGION = "eu-central-1"
CREDENTIALS = {"access_key": "AKIAVPNLABSTUB000000", "secret_key": "vpnlab-stub-secret", "region": REGION}


class ModuleExit(Exception):
    """exit_json or fail_json was called; ``result`` is what the module returned."""

    def __init__(self, result, failed):
        super().__init__(result.get("msg", ""))
        self.result = result
        self.failed = failed


def _exit(self, **kwargs):
    raise ModuleExit(kwargs, failed=False)


def _fail(self, msg=None, **kwargs):
    raise ModuleExit(dict(kwargs, msg=msg, failed=True), failed=True)


def ec2_client():
    session = botocore.session.get_session()
    return session.create_client("ec2", region_name=REGION, aws_access_key_id="AKIAVPNLABSTUB000000",
                                 aws_secret_access_key="vpnlab-stub-secret")


def run(module_name, args, stub, check_mode=False, diff=False):
    """Run multicloud.vpnlab.<module_name> with `args`; `stub(stubber)` queues the expected calls.

    Returns (result, warnings, stubber); fails the test if a queued call was not made.
    """
    client = ec2_client()
    stubber = Stubber(client)
    stub(stubber)
    with stubber:
        result, warnings = run_with_client(module_name, args, client, check_mode, diff)
    stubber.assert_no_pending_responses()
    return result, warnings, stubber


def run_with_client(module_name, args, client, check_mode=False, diff=False):
    """Run the module with `client` as its EC2 client (a stubbed one, or moto's in-process)."""
    module = importlib.import_module("ansible_collections.multicloud.vpnlab.plugins.modules." + module_name)
    warnings = []

    def fake_client(self, service, retry_decorator=None, **kwargs):
        assert service == "ec2"
        return RetryingBotoClientWrapper(client, retry_decorator) if retry_decorator else client

    module_args = dict(CREDENTIALS, **args)
    module_args.update(_ansible_check_mode=check_mode, _ansible_diff=diff)
    with patch_module_args(module_args), \
            mock.patch.object(AnsibleAWSModule, "client", fake_client), \
            mock.patch.object(AnsibleAWSModule, "warn", lambda self, msg: warnings.append(msg)), \
            mock.patch.object(basic.AnsibleModule, "exit_json", _exit), \
            mock.patch.object(basic.AnsibleModule, "fail_json", _fail):
        try:
            module.main()
        except ModuleExit as done:
            return done.result, warnings
    raise AssertionError("the module returned without exit_json/fail_json")

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A local module gives the same result as a module (its main(), AnsibleModule) and in the
controller's process (its action plugin's way, plugins/plugin_utils/in_process.py). Only calls that
change nothing: dry runs (check mode) and refusals."""

from __future__ import annotations

import pytest

from ansible_collections.multicloud.vpnlab.plugins.modules import (
    host_guard, local_gateway, local_netns, local_teardown, local_vms,
)
from ansible_collections.multicloud.vpnlab.plugins.plugin_utils.in_process import run_module as in_process

ABSENT = "vpnlab-unit-parity-none"

CASES = [
    # A dry run of a namespace that does not exist: what would be made.
    (local_netns, {"namespaces": [{"name": ABSENT, "sysctls": {"net.ipv4.ip_forward": "1"},
                                   "routes": [{"dst": "10.99.0.0/16", "gateway": "10.98.0.1"}]}]}, True),
    # A refusal: the VMs would accept no key.
    (local_vms, {"lab": "parity", "state_dir": "/nonexistent/vpnlab-parity", "vms": [],
                 "authorized_key": "  "}, False),
    # A refusal before anything: tunnels without traffic selectors.
    (local_gateway, {"netns": ABSENT, "directory": "/nonexistent/vpnlab-parity", "side": "azure",
                     "tunnels": [{"name": "t1", "outside_ip_address": "192.0.2.1",
                                  "cgw_outside_address": "192.0.2.2", "pre_shared_key": "k3y-secret",
                                  "ike_versions": ["ikev2"], "phase1": {}, "phase2": {}}]}, False),
    # A dry run of the teardown of a lab that does not exist.
    (local_teardown, {"lab": "parity", "netns_prefix": ABSENT + ".", "state_dir": "/nonexistent/vpnlab-parity"}, True),
    # A bad option: refused by the argument spec either way.
    (host_guard, {"lab": "parity", "state": "present"}, True),
]


@pytest.mark.parametrize("code, args, check_mode", CASES, ids=lambda v: getattr(v, "__name__", None))
def test_the_same_result_as_a_module_and_in_the_controller(run_module, code, args, check_mode):
    as_module = run_module(code, args, check_mode=check_mode)
    here = in_process(code.module_spec(), code.run, args, check_mode=check_mode)
    as_module.pop("exception", None)
    as_module.pop("invocation", None)
    here.pop("exception", None)
    if "failed" in as_module and code is host_guard:  # AnsibleModule names the module differently
        assert "routes" in as_module["msg"] and "routes" in here["msg"]
        return
    assert here == as_module
    assert "k3y-secret" not in repr(here)

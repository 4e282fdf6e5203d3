# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""lab_plan in this process, through ansible-core's own result path (no_log masking included):
inputs as options or as one dict of vpnlab_* variables, PSKs masked in the result and the log,
and where the state directory goes (option, then VPNLAB_HOME, then ~/.vpnlab)."""

from __future__ import annotations

import json
import os

import pytest

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.testing import patch_module_args

from ansible_collections.multicloud.vpnlab.plugins.modules import lab_plan

PSK = "Secret.Tunnel_Key1"
BAD_PSK = "0Secret.Tunnel_Key2"


@pytest.fixture
def run(monkeypatch):
    """run(args) -> (result as the controller gets it, messages the module logged)."""
    results, logged = [], []
    monkeypatch.setattr(AnsibleModule, "_record_module_result", lambda self, o: results.append(o))
    monkeypatch.setattr(AnsibleModule, "log", lambda self, msg, log_args=None: logged.append(
        "%s %r" % (msg, log_args)))

    def call(args):
        args = dict({"host_networks": []}, **args)
        with patch_module_args(args), pytest.raises(SystemExit):
            lab_plan.main()
        return json.loads(json.dumps(results[-1])), logged

    return call


def test_defaults_as_options(run):
    result, dummy = run({})
    assert "failed" not in result, result
    assert result["plan"]["lab"] == "vpntest" and len(result["plan"]["vms"]) == 3


def test_variables_are_read_as_their_types_and_win_over_options(run):
    result, dummy = run({"name": "fromoption", "variables": {
        "vpnlab_name": "lab2", "vpnlab_expiry_days": "3", "vpnlab_allow_open_admin": "yes",
        "vpnlab_admin_cidrs": '["0.0.0.0/0"]', "vpnlab_plan": {"lab": "stale"}}})
    assert "failed" not in result, result
    assert result["plan"]["lab"] == "lab2"
    assert result["plan"]["admin_cidrs"] == ["0.0.0.0/0"]


def test_bad_variables_are_named_all_at_once_without_a_traceback(run):
    result, dummy = run({"variables": {
        "vpnlab_aws_vpc_cird": "10.9.0.0/16", "vpnlab_expiry_days": "soon",
        "vpnlab_vms": [{"name": "vm1", "cloud": "azure", "private_ip": "10.1.1.10",
                        "public_ip": "203.0.113.5"}, None, ["vm3"]]}})
    assert result["failed"] is True and "exception" not in result
    assert [p.split(":")[0].split("=")[0] for p in result["problems"]] == [
        "vpnlab_aws_vpc_cird", "vpnlab_expiry_days", "vpnlab_vms[0].public_ip", "vpnlab_vms[1]",
        "vpnlab_vms[2]", "vpnlab_vms"]
    assert "did you mean vpnlab_aws_vpc_cidr?" in result["msg"]


def test_variables_must_carry_the_prefix(run):
    result, dummy = run({"variables": {"name": "lab2", "vpnlab_name": "lab3"}})
    assert result["failed"] is True
    assert result["msg"] == "variables: names must start with vpnlab_: name"


@pytest.mark.parametrize("psks", [[PSK, ""], "%s," % PSK, json.dumps([PSK])])
def test_a_valid_psk_is_masked_and_nothing_else_is(run, psks):
    result, logged = run({"variables": {"vpnlab_tunnel_psks": psks, "vpnlab_name": "lab2"}})
    assert "failed" not in result, result
    assert PSK not in json.dumps(result) and PSK not in "".join(logged)
    # Only the secrets are masked: the plan itself is intact.
    assert result["plan"]["lab"] == "lab2" and result["plan"]["tunnels"][0]["psk_source"] == "user"
    assert result["invocation"]["module_args"]["variables"]["vpnlab_name"] == "lab2"


@pytest.mark.parametrize("psks", [[BAD_PSK], {"t1": BAD_PSK}, "[%s" % BAD_PSK, BAD_PSK])
def test_a_bad_psk_is_masked_in_the_failure_and_the_log(run, psks):
    result, logged = run({"variables": {"vpnlab_tunnel_psks": psks}})
    assert result["failed"] is True
    assert BAD_PSK not in json.dumps(result) and BAD_PSK not in "".join(logged)
    assert any(p.startswith("vpnlab_tunnel_psks") for p in result["problems"])


def test_the_psk_option_is_masked_too(run):
    result, logged = run({"tunnel_psks": [PSK]})
    assert "failed" not in result
    assert PSK not in json.dumps(result) and PSK not in "".join(logged)


@pytest.mark.parametrize("option,env,expected", [
    ("/opt/labs", "/srv/vpnlab", "/opt/labs/vpntest"),
    (None, "/srv/vpnlab", "/srv/vpnlab/vpntest"),
    (None, "", os.path.expanduser("~/.vpnlab/vpntest")),
    (None, None, os.path.expanduser("~/.vpnlab/vpntest")),
])
def test_state_root_option_then_vpnlab_home_then_home(run, monkeypatch, option, env, expected):
    if env is None:
        monkeypatch.delenv("VPNLAB_HOME", raising=False)
    else:
        monkeypatch.setenv("VPNLAB_HOME", env)
    result, dummy = run({"state_root": option} if option else {})
    assert result["plan"]["state_dir"] == expected


VM1 = {"name": "vm1", "cloud": "azure", "private_ip": "10.1.1.10"}
VM3 = {"name": "vm3", "cloud": "aws", "private_ip": "10.2.1.10"}
# A pre-shared key given as a dict key anywhere in the inputs (issue 13): Ansible masks values,
# not keys, so the module masks the keys of what it returns itself.
KEYED = [
    ("vm-key", {"vpnlab_vms": [dict(VM1, **{PSK: "x"}), VM3]}),
    ("key-containing-it", {"vpnlab_vms": [dict(VM1, **{"my-%s-key" % PSK: "x"}), VM3]}),
    ("variable-name", {"vpnlab_" + PSK: 1}),
    ("nested", {"vpnlab_vms": [dict(VM1, name={PSK: [{PSK: PSK}]}), VM3]}),
    ("psks-as-dict", {"vpnlab_tunnel_psks": {PSK: "x"}}),
]


@pytest.mark.parametrize("variables", [k[1] for k in KEYED], ids=[k[0] for k in KEYED])
def test_a_psk_used_as_a_dict_key_is_masked_everywhere(run, variables):
    variables = dict({"vpnlab_tunnel_psks": [PSK]}, **variables)
    result, logged = run({"variables": variables})
    assert result["failed"] is True and "exception" not in result
    assert PSK not in json.dumps(result) and PSK not in "".join(logged)
    # The module's own invocation, masked: the controller prints it at -vvv.
    assert "variables" in result["invocation"]["module_args"]


def test_a_psk_key_is_masked_as_an_option_too(run):
    result, logged = run({"tunnel_psks": [PSK], "vms": [dict(VM1, **{PSK: "x"}), VM3]})
    assert result["failed"] is True
    assert PSK not in json.dumps(result) and PSK not in "".join(logged)
    assert any(p.startswith("vpnlab_vms[0].********=") for p in result["problems"]), result["problems"]

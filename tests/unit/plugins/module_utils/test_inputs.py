# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The inputs table and how values are read as their declared types."""

from __future__ import annotations

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.spec import DPD_DEFAULT_SECONDS as AZURE_DPD_DEFAULT
from ansible_collections.multicloud.vpnlab.plugins.module_utils import inputs
from ansible_collections.multicloud.vpnlab.plugins.module_utils.inputs import (
    BY_NAME, INPUTS, InputError, coerce,
)

COERCED = [
    # (input, given, read as)
    ("expiry_days", 3, 3),
    ("expiry_days", "3", 3),
    ("expiry_days", " 12 ", 12),
    ("expiry_days", "-4", -4),
    ("expiry_days", 5.0, 5),
    ("dpd_timeout_seconds", "45", 45),
    ("allow_open_admin", True, True),
    ("allow_open_admin", "true", True),
    ("allow_open_admin", "True", True),
    ("allow_open_admin", "yes", True),
    ("allow_open_admin", "on", True),
    ("allow_open_admin", "1", True),
    ("allow_open_admin", 1, True),
    ("allow_open_admin", "false", False),
    ("allow_open_admin", "no", False),
    ("allow_open_admin", "off", False),
    ("allow_open_admin", 0, False),
    ("admin_cidrs", ["198.18.7.0/24"], ["198.18.7.0/24"]),
    ("admin_cidrs", '["198.18.7.0/24"]', ["198.18.7.0/24"]),
    ("admin_cidrs", ' ["198.18.7.0/24", "10.9.0.0/16"] ', ["198.18.7.0/24", "10.9.0.0/16"]),
    ("admin_cidrs", "198.18.7.0/24", ["198.18.7.0/24"]),
    ("admin_cidrs", "198.18.7.0/24, 10.9.0.0/16", ["198.18.7.0/24", "10.9.0.0/16"]),
    ("admin_cidrs", "", []),
    ("admin_cidrs", "[]", []),
    ("tunnel_psks", "KeyNumberOne,", ["KeyNumberOne", ""]),
    ("tunnel_inside_cidrs", '["169.254.30.0/30", "169.254.31.0/30"]',
     ["169.254.30.0/30", "169.254.31.0/30"]),
    ("vms", '[{"name": "a", "cloud": "aws", "private_ip": "10.2.1.9"}]',
     [{"name": "a", "cloud": "aws", "private_ip": "10.2.1.9"}]),
    ("vms", [None, 3], [None, 3]),  # the elements are the plan's to check
    ("name", "lab2", "lab2"),
    ("owner", 2024, "2024"),
    ("aws_endpoint_url", "", ""),
    ("name", None, None),
]

REFUSED = [
    # (input, given, fragment of the expected form)
    ("expiry_days", "abc", "whole number, like 7"),
    ("expiry_days", "3.5", "whole number"),
    ("expiry_days", 3.5, "whole number"),
    ("expiry_days", float("inf"), "whole number"),
    ("expiry_days", float("nan"), "whole number"),
    ("expiry_days", True, "not true/false"),
    ("expiry_days", [3], "whole number"),
    ("dpd_timeout_seconds", "45s", "whole number, like %d" % AZURE_DPD_DEFAULT),
    ("allow_open_admin", "maybe", "true or false"),
    ("allow_open_admin", 2, "true or false"),
    ("allow_open_admin", [], "true or false"),
    ("name", True, "must be a string"),
    ("name", ["lab"], "must be a string"),
    ("name", {"a": 1}, "must be a string"),
    ("name", 1.5, "must be a string"),
    ("target", ["local"], "one of local, cloud"),
    ("admin_cidrs", {"cidr": "198.18.7.0/24"}, "must be a list of strings"),
    ("admin_cidrs", 7, "must be a list of strings"),
    ("admin_cidrs", '["198.18.7.0/24"', "not valid JSON"),
    ("admin_cidrs", '["198.18.7.0/24"', """-e '{"vpnlab_admin_cidrs": ["198.18.7.0/24"]}'"""),
    ("admin_cidrs", "[1, 2", "comma-separated text: -e vpnlab_admin_cidrs=198.18.7.0/24"),
    ("vms", "vm1", "must be a list of dicts"),
    ("vms", "vm1", """-e '{"vpnlab_vms": [{"name": "vm1", "cloud": "azure", "private_ip": "10.1.1.10"}]}'"""),
    ("vms", {"name": "vm1"}, "must be a list of dicts"),
    ("vms", '{"name": "vm1"}', "must be a list of dicts"),
    ("vms", "[{]", "not valid JSON"),
    ("tunnel_psks", {"a": "b"}, "must be a list of strings"),
]


@pytest.mark.parametrize("name,given,expected", COERCED,
                         ids=["%s=%r" % c[:2] for c in COERCED])
def test_values_are_read_as_their_type(name, given, expected):
    assert coerce(BY_NAME[name], given) == expected


@pytest.mark.parametrize("name,given,form", REFUSED, ids=["%s=%r" % c[:2] for c in REFUSED])
def test_unreadable_values_name_the_expected_form(name, given, form):
    with pytest.raises(InputError) as err:
        coerce(BY_NAME[name], given)
    assert form in err.value.rule


def test_a_secret_list_that_is_not_json_does_not_show_where_it_broke():
    with pytest.raises(InputError) as err:
        coerce(BY_NAME["tunnel_psks"], '["SecretKey123"')
    assert "SecretKey123" not in err.value.rule and "column" not in err.value.rule
    assert inputs.shown(BY_NAME["tunnel_psks"], '["SecretKey123"') == "<hidden>"


@pytest.mark.parametrize("variable,suggestion", [
    ("aws_vpc_cird", "vpnlab_aws_vpc_cidr"),
    ("admin_cidr", "vpnlab_admin_cidrs"),
    ("tunnel_psk", "vpnlab_tunnel_psks"),
    ("vm", "vpnlab_vms"),
    ("expiry_day", "vpnlab_expiry_days"),
    ("azure_gateway_public_ipv4", "vpnlab_azure_gateway_public_ip"),
])
def test_unknown_variable_names_the_nearest_input(variable, suggestion):
    assert inputs.unknown_variable(variable) == (
        "vpnlab_%s: unknown variable; did you mean %s?" % (variable, suggestion))


def test_unknown_variable_without_a_near_name_says_where_the_names_are():
    message = inputs.unknown_variable("colour_scheme")
    assert message.startswith("vpnlab_colour_scheme: unknown variable; ")
    assert "did you mean" not in message and "lab_plan" in message


def test_variables_lose_their_prefix_outputs_are_dropped_foreign_names_are_kept_apart():
    params, foreign = inputs.from_variables({
        "vpnlab_name": "lab2", "vpnlab_aws_vpc_cird": "10.9.0.0/16", "vpnlab_plan": {"lab": "x"},
        "vpnlab_vm_name": "vm1", "name": "lab3"})
    assert params == {"name": "lab2", "aws_vpc_cird": "10.9.0.0/16"}
    assert foreign == ["name"]


def test_defaults_are_copies():
    first = inputs.defaults()
    first["vms"].append("changed")
    first["tunnel_inside_cidrs"][0] = "changed"
    assert inputs.defaults()["vms"] == inputs.DEFAULT_VMS
    assert "changed" not in inputs.defaults()["tunnel_inside_cidrs"]


def test_argument_spec_is_the_table():
    spec = inputs.argument_spec()
    assert list(spec) == [i.name for i in INPUTS]
    for item in INPUTS:
        option = spec[item.name]
        assert option["type"] == item.type
        assert option.get("default") == item.default
        assert option.get("elements") == item.elements
        assert option.get("choices") == item.choices
        assert option.get("no_log", False) == item.secret
    assert spec["tunnel_psks"]["no_log"] is True
    assert spec["target"]["choices"] == ["local", "cloud"]


def test_table_is_well_formed():
    assert len(BY_NAME) == len(INPUTS)
    for item in INPUTS:
        assert item.type in ("str", "int", "bool", "list"), item
        assert (item.elements is not None) == (item.type == "list"), item
        assert item.targets and set(item.targets) <= {"local", "cloud"}, item
        assert item.description.endswith("."), item
        if item.default is not None:
            assert coerce(item, item.default) == item.default, item
        assert item.name not in inputs.NOT_INPUTS


def test_new_inputs_and_their_defaults():
    assert BY_NAME["aws_endpoint_url"].default == "" and BY_NAME["aws_endpoint_url"].targets == ("cloud",)
    assert BY_NAME["azure_gateway_public_ip"].default == ""
    assert BY_NAME["dpd_timeout_seconds"].default == AZURE_DPD_DEFAULT


@pytest.mark.parametrize("params,expected", [
    ({"tunnel_psks": ["KeyNumberOne", ""]}, {"KeyNumberOne"}),
    ({"tunnel_psks": "KeyNumberOne,KeyNumberTwo"},
     {"KeyNumberOne,KeyNumberTwo", "KeyNumberOne", "KeyNumberTwo"}),
    ({"tunnel_psks": '["KeyNumberOne"]'}, {'["KeyNumberOne"]', "KeyNumberOne"}),
    ({"tunnel_psks": {"k": ["KeyNumberOne", 12345678]}}, {"k", "KeyNumberOne", "12345678"}),
    ({"tunnel_psks": None, "name": "lab2"}, set()),
    ({"name": "lab2"}, set()),
])
def test_secret_strings_are_every_form_of_a_secret_and_nothing_else(params, expected):
    assert inputs.secret_strings(params) == expected

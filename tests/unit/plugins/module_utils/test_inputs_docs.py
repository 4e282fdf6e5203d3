# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Everything that lists the lab inputs agrees with their one declaration (inputs.INPUTS): the
lab_plan module's options (its doc fragment) and argument spec, the plan role's argument specs,
and the vpnlab_* names the collection's roles, playbooks and plugins use."""

from __future__ import annotations

import ast
import importlib.util
import re
from pathlib import Path

import pytest
import yaml

from ansible_collections.multicloud.vpnlab.plugins.module_utils import inputs
from ansible_collections.multicloud.vpnlab.plugins.module_utils.inputs import INPUTS, var
from ansible_collections.multicloud.vpnlab.plugins.modules import lab_plan

ROOT = Path(__file__).resolve().parents[4]
MODULE_ONLY = {"variables", "state_root", "host_networks"}
REGENERATE = "run `.venv/bin/python scripts/inputs_docs.py` after changing inputs.INPUTS"


def load_script():
    spec = importlib.util.spec_from_file_location("inputs_docs", ROOT / "scripts" / "inputs_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def assigned_string(path, name):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return node.value.value
    raise AssertionError("%s has no %s" % (path, name))


def module_options():
    """lab_plan's options as ansible-doc shows them: its own plus the inputs fragment's."""
    doc = yaml.safe_load(lab_plan.DOCUMENTATION)
    assert "multicloud.vpnlab.inputs" in doc["extends_documentation_fragment"]
    fragment = yaml.safe_load(assigned_string(ROOT / "plugins" / "doc_fragments" / "inputs.py",
                                              "DOCUMENTATION"))
    assert not set(doc["options"]) & set(fragment["options"])
    return dict(fragment["options"], **doc["options"])


def role_options():
    specs = yaml.safe_load((ROOT / "roles" / "plan" / "meta" / "argument_specs.yml").read_text())
    return specs["argument_specs"]["main"]["options"]


def test_generated_files_are_up_to_date():
    script = load_script()
    mod = script.load_inputs()
    assert script.FRAGMENT.read_text() == script.fragment_text(mod), REGENERATE
    assert script.ROLE_SPECS.read_text() == script.role_text(mod), REGENERATE


def test_module_documents_every_input_with_its_type_and_default():
    options = module_options()
    assert set(options) == {i.name for i in INPUTS} | MODULE_ONLY
    for item in INPUTS:
        doc = options[item.name]
        assert (doc["type"], doc.get("elements"), doc.get("default"), doc.get("choices")) == (
            item.type, item.elements, item.default, item.choices), (item.name, REGENERATE)


def test_module_argument_spec_matches_its_documentation():
    options, spec = module_options(), lab_plan.argument_spec()
    assert set(spec) == set(options)
    for name, option in spec.items():
        doc = options[name]
        assert (option["type"], option.get("elements"), option.get("default")) == (
            doc["type"], doc.get("elements"), doc.get("default")), name


def test_role_declares_every_input_raw_with_the_table_default_and_type():
    options = role_options()
    assert set(options) == {var(i.name) for i in INPUTS} | {"plan_show"}
    for item in INPUTS:
        spec = options[var(item.name)]
        # raw: the plan reads and checks the values itself, every problem at once.
        assert spec["type"] == "raw", item.name
        assert spec.get("default") == item.default, (item.name, REGENERATE)
        # The role names its options, the variables: O(allow_open_admin) is O(vpnlab_allow_open_admin).
        role_text = re.sub(r"O\(([a-z0-9_]+)", lambda m: "O(%s" % (
            var(m.group(1)) if m.group(1) in inputs.BY_NAME else m.group(1)), item.description)
        assert spec["description"][0] == role_text, (item.name, REGENERATE)
        assert spec["description"][-1].startswith("Type C(%s)" % item.type), item.name
        assert spec.get("no_log", False) == item.secret, item.name
    assert "Type C(list) of C(str); JSON text or comma-separated text" in (
        options["vpnlab_admin_cidrs"]["description"][-1])


def test_the_drift_check_can_fail(tmp_path, monkeypatch):
    script = load_script()
    mod = script.load_inputs()
    stale = tmp_path / "argument_specs.yml"
    stale.write_text(script.role_text(mod).replace("default: vpntest", "default: oldname"))
    monkeypatch.setattr(script, "ROLE_SPECS", stale)
    monkeypatch.setattr(script, "FRAGMENT", tmp_path / "missing.py")
    assert script.main(["--check"]) == 1
    assert "oldname" in stale.read_text()
    assert script.main([]) == 0 and script.main(["--check"]) == 0
    assert "default: vpntest" in stale.read_text()


# vpnlab_* names in code that are neither inputs nor the declared outputs. module_utils names
# nftables tables vpnlab_*; module EXAMPLES use made-up variables. Neither reaches the plan, nor
# does a quoted name on its own (a tag key such as 'vpnlab_vm').
SCANNED = ("roles", "playbooks", "extensions", "plugins/inventory", "plugins/filter",
           "plugins/lookup", "inventory")
NAME_RE = re.compile(r"""(?<!['"])\bvpnlab_([a-z_]+[a-z])\b|\bvpnlab_([a-z_]+[a-z])\b(?!['"])""")


def vpnlab_names():
    found = {}
    for top in SCANNED:
        for path in (ROOT / top).rglob("*"):
            if path.is_file() and path.suffix in (".yml", ".yaml", ".py", ".j2"):
                for match in NAME_RE.finditer(path.read_text()):
                    found.setdefault(match.group(1) or match.group(2), path.relative_to(ROOT))
    return found


def test_every_vpnlab_name_in_use_is_an_input_or_a_declared_output():
    unknown = {name: str(path) for name, path in vpnlab_names().items()
               if name not in inputs.BY_NAME and name not in inputs.NOT_INPUTS}
    assert not unknown, (
        "vpnlab_* names that the plan would report as unknown variables: add them to "
        "inputs.INPUTS (an input) or inputs.NOT_INPUTS (set by the collection): %s" % unknown)


@pytest.mark.parametrize("name", sorted(inputs.NOT_INPUTS))
def test_declared_outputs_are_still_used(name):
    assert name in vpnlab_names(), "vpnlab_%s is no longer used: drop it from NOT_INPUTS" % name


def option_refs(options):
    """Every O(name) in the options' descriptions (antsibull-docs lints them against the options)."""
    refs = set()
    for option in options.values():
        text = option.get("description", [])
        for line in [text] if isinstance(text, str) else text:
            refs.update(re.findall(r"O\(([^)=]+)", line))
    return refs


def test_every_option_a_description_names_exists():
    # The role's options are the vpnlab_* variables: O(allow_open_admin=true) named nothing there.
    assert option_refs(role_options()) <= set(role_options())
    assert option_refs(module_options()) <= set(module_options())

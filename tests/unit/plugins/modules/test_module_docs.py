# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every module takes the attributes' meaning from the shared doc fragment, and the AWS modules'
action group in meta/runtime.yml matches the modules that document it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[4]
MODULES = sorted(p for p in (ROOT / "plugins" / "modules").glob("*.py") if p.name != "__init__.py")
ATTRIBUTES = {"check_mode", "diff_mode", "idempotent"}
AWS_FRAGMENT = "multicloud.vpnlab.attributes.actiongroup_aws"


def documentation(path):
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and [t.id for t in node.targets if isinstance(t, ast.Name)] == ["DOCUMENTATION"]:
            return yaml.safe_load(node.value.value)
    raise AssertionError("%s has no DOCUMENTATION" % path.name)


def aws_group():
    runtime = yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text())
    return {entry for entry in runtime["action_groups"]["aws"] if isinstance(entry, str)}


@pytest.mark.parametrize("path", MODULES, ids=[p.stem for p in MODULES])
def test_attributes_come_from_the_fragment(path):
    doc = documentation(path)
    assert "multicloud.vpnlab.attributes" in doc.get("extends_documentation_fragment", [])
    assert set(doc["attributes"]) == ATTRIBUTES
    for name, attribute in doc["attributes"].items():
        # The meaning lives in plugins/doc_fragments/attributes.py; the module says how it supports it.
        assert set(attribute) <= {"support", "details"}, (name, attribute)
        assert attribute["support"] in ("full", "partial", "none", "N/A")


def test_the_aws_action_group_lists_exactly_the_modules_that_document_it():
    documented = {p.stem for p in MODULES if AWS_FRAGMENT in documentation(p).get("extends_documentation_fragment", [])}
    assert documented == aws_group()
    assert "tunnel_options" in documented


def test_the_aws_group_extends_amazon_aws_and_community_aws():
    runtime = yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text())
    [metadata] = [entry["metadata"] for entry in runtime["action_groups"]["aws"] if isinstance(entry, dict)]
    assert metadata == {"extend_group": ["amazon.aws.aws", "community.aws.aws"]}


AZURE_FRAGMENT = "multicloud.vpnlab.attributes.actiongroup_azure"


def test_the_azure_action_group_lists_exactly_the_modules_that_document_it():
    runtime = yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text())
    group = runtime["action_groups"]["azure"]
    documented = {p.stem for p in MODULES if AZURE_FRAGMENT in documentation(p).get("extends_documentation_fragment", [])}
    assert documented == {entry for entry in group if isinstance(entry, str)}
    assert [entry["metadata"] for entry in group if isinstance(entry, dict)] == [{"extend_group": ["azure.azcollection.all"]}]
    assert all(p.stem.startswith("azure_") for p in MODULES if p.stem in documented)

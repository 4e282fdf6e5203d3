# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The layout is the architecture: shared code never reaches into a target's private package,
targets never reach into each other, and no module_utils file knows a role name."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]
MODULE_UTILS = ROOT / "plugins" / "module_utils"
TARGET_PACKAGES = ("_local", "_aws", "_azure")
ROLES = sorted(p.name for p in (ROOT / "roles").iterdir() if p.is_dir())
# Role names that are also the names of what they build or do (the Azure gateway, the plan, the
# teardown) are only a role's name when spelled with the collection's FQCN.
ALSO_OBJECTS = ("azure_gateway", "plan", "teardown")


def imported_modules(path):
    """Dotted names of every module `path` imports (absolute imports only, as the collection
    uses: ansible_collections.multicloud.vpnlab.plugins.module_utils.X)."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names += [node.module] + ["%s.%s" % (node.module, alias.name) for alias in node.names]
    return names


PREFIX = "ansible_collections.multicloud.vpnlab.plugins.module_utils."
# A cloud's fact sheet (_aws/spec.py, _azure/spec.py): constants and pure rules of that cloud,
# which the plan, the inputs and the local target (it emulates both clouds) read. It is a leaf
# (test_a_spec_module_is_a_leaf), so reading it brings none of the package's behaviour up.
SPECS = ("_aws.spec", "_azure.spec")


def target_packages_used(path):
    used = set()
    for name in imported_modules(path):
        if name.startswith(PREFIX):
            rest = name[len(PREFIX):]
            first = rest.split(".")[0]
            if first in TARGET_PACKAGES and ".".join(rest.split(".")[:2]) not in SPECS:
                used.add(first)
    return used


def shared_files():
    return sorted(p for p in MODULE_UTILS.glob("*.py") if p.name != "__init__.py")


def target_files(package):
    return sorted((MODULE_UTILS / package).glob("*.py"))


@pytest.mark.parametrize("path", shared_files(), ids=lambda p: p.name)
def test_shared_module_imports_no_target_package(path):
    assert target_packages_used(path) == set(), (
        "%s is target-neutral and must not import a target's private package; pass a target "
        "object in instead (see plan.build_plan)" % path.name)


@pytest.mark.parametrize("package", TARGET_PACKAGES)
def test_target_package_imports_no_other_target(package):
    for path in target_files(package):
        others = target_packages_used(path) - {package}
        assert others == set(), "%s/%s imports %s" % (package, path.name, sorted(others))


@pytest.mark.parametrize("spec", SPECS)
def test_a_spec_module_is_a_leaf(spec):
    path = MODULE_UTILS / (spec.replace(".", "/") + ".py")
    collection = {name[len(PREFIX):].split(".")[0] for name in imported_modules(path) if name.startswith(PREFIX)}
    assert collection <= {"ownership"}, "%s imports %s: a spec reads only the standard library and ownership" % (
        spec, sorted(collection))


def test_the_check_can_fail(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.topology "
                   "import INFRA\nimport ansible_collections.multicloud.vpnlab.plugins.module_utils"
                   "._aws.vpn\n")
    assert target_packages_used(bad) == {"_local", "_aws"}
    spec_only = tmp_path / "spec_only.py"
    spec_only.write_text("from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws.spec import DPD_MIN_SECONDS\n"
                         "from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure import plan\n")
    assert target_packages_used(spec_only) == {"_azure"}


@pytest.mark.parametrize("path", sorted(MODULE_UTILS.rglob("*.py")),
                         ids=lambda p: str(p.relative_to(MODULE_UTILS)))
def test_no_module_utils_file_knows_a_role_name(path):
    strings = [node.value for node in ast.walk(ast.parse(path.read_text(), str(path)))
               if isinstance(node, ast.Constant) and isinstance(node.value, str)]
    named = sorted({role for role in ROLES for text in strings
                    if "multicloud.vpnlab." + role in text
                    or (role not in ALSO_OBJECTS and role in text.replace(",", " ").split())})
    assert named == [], "%s names the role(s) %s: roles read the plan, not the other way round" % (
        path.relative_to(MODULE_UTILS), named)


@pytest.mark.parametrize("path", sorted(MODULE_UTILS.rglob("*.py")), ids=lambda p: str(p.relative_to(MODULE_UTILS)))
def test_no_module_utils_file_is_over_500_lines(path):
    """A module past 500 lines does more than one thing: split it (issue 14)."""
    assert len(path.read_text().splitlines()) <= 500

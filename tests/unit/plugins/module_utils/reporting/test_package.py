# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The report package's shape: its vocabulary (levels, tunnel states, paths, tools, ...) is
defined once, in constants.py, which the model and the view import; no module of it is over 500
lines; like all shared code it imports no target's private package."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting import constants

ROOT = Path(__file__).resolve().parents[5]
PACKAGE = ROOT / "plugins" / "module_utils" / "reporting"
MODULES = sorted(PACKAGE.glob("*.py"))
PREFIX = "ansible_collections.multicloud.vpnlab.plugins.module_utils."
# The vocabulary's values: a module that spells one of them again holds a second copy.
VOCABULARY = {name: getattr(constants, name) for name in constants.__all__}


def definitions(source):
    """(line, name, value) of every module-level assignment of a literal tuple, list or dict
    with at least two items (a vocabulary, not a single word)."""
    found = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and isinstance(node.value, (ast.Tuple, ast.List, ast.Dict)):
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                continue
            if len(value) < 2:
                continue
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found.append((node.lineno, target.id, value))
    return found


def copies(path):
    """'file:line NAME' for each definition in `path` of a vocabulary's name or value."""
    found = []
    for line, name, value in definitions(path.read_text()):
        for known, known_value in VOCABULARY.items():
            same = value == known_value or (isinstance(value, (tuple, list)) and isinstance(known_value, (tuple, list))
                                            and list(value) == list(known_value))
            if name == known or same:
                found.append("%s:%d %s (constants.%s)" % (path.name, line, name, known))
    return found


@pytest.mark.parametrize("path", [p for p in MODULES if p.name != "constants.py"], ids=lambda p: p.name)
def test_the_vocabulary_is_defined_once(path):
    assert copies(path) == [], "import it from reporting/constants.py instead"


def test_a_copy_is_found(tmp_path):
    planted = tmp_path / "planted.py"
    planted.write_text('STATES = ("up", "down", "unknown")\nOTHER = (1, 2)\n'
                       'TITLES = {"azure": "Azure VNet", "aws": "AWS VPC"}\nSHOWN_TOOLS = ["mtr", "ping"]\n')
    assert copies(planted) == ["planted.py:1 STATES (constants.TUNNEL_STATES)",
                               "planted.py:3 TITLES (constants.NETWORK_TITLES)",
                               "planted.py:4 SHOWN_TOOLS (constants.SHOWN_TOOLS)",
                               "planted.py:4 SHOWN_TOOLS (constants.TOOLS)"]


def test_the_model_and_the_view_import_the_constants():
    importers = set()
    for path in MODULES:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module == PREFIX + "reporting.constants":
                importers.add(path.stem)
    assert {"model", "findings", "fields", "summary", "topology", "charts", "tables"} <= importers


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_each_module_is_under_500_lines(path):
    assert len(path.read_text().splitlines()) < 500


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_target_package_is_imported(path):
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
        elif isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
    assert [n for n in names if n.startswith(PREFIX + "_")] == []

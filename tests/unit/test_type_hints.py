# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every public function in plugins/module_utils has full type hints (issue 14), so that mypy
(`make lint`, mypy.ini) checks its callers: each parameter and the return are annotated.

Public means a name without a leading underscore, at module level or as a method of a public
class (its __init__ included). mypy alone would pass an unannotated function (it does not check
what it cannot see), hence this test. Every file is held to it: the issue-14 allowlist (mypy.ini's
"to be typed" block) is gone, and mypy.ini may not relax a module of this package again."""

from __future__ import annotations

import ast
import configparser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODULE_UTILS = ROOT / "plugins" / "module_utils"
PACKAGE = "ansible_collections.multicloud.vpnlab.plugins.module_utils"


def relaxed_sections(ini=ROOT / "mypy.ini"):
    """The module patterns of mypy.ini's sections with ignore_errors."""
    parser = configparser.ConfigParser()
    parser.read(ini)
    patterns = []
    for section in parser.sections():
        if section.startswith("mypy-") and parser.getboolean(section, "ignore_errors", fallback=False):
            patterns.extend(p.strip() for p in section[len("mypy-"):].split(","))
    return patterns


def missing_hints(source):
    """The public functions of `source` without full annotations, as 'name (line): what'."""
    found = []

    def visit(body, prefix):
        for node in body:
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                visit(node.body, prefix + node.name + ".")
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if node.name.startswith("_") and not (prefix and node.name == "__init__"):
                    continue
                args = node.args
                params = args.posonlyargs + args.args + args.kwonlyargs
                params += [a for a in (args.vararg, args.kwarg) if a is not None]
                is_method = bool(prefix) and not any(
                    isinstance(d, ast.Name) and d.id == "staticmethod" for d in node.decorator_list)
                if is_method and params and params[0].arg in ("self", "cls"):
                    params = params[1:]
                what = ["parameter %s" % p.arg for p in params if p.annotation is None]
                if node.returns is None:
                    what.append("return")
                if what:
                    found.append("%s%s (line %d): %s" % (prefix, node.name, node.lineno, ", ".join(what)))

    visit(ast.parse(source).body, "")
    return found


def assert_typed(path):
    missing = missing_hints(path.read_text())
    assert not missing, "%s: public functions without full type hints:\n%s" % (path, "\n".join(missing))


FILES = sorted(MODULE_UTILS.rglob("*.py"))


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(MODULE_UTILS)) for p in FILES])
def test_public_functions_have_type_hints(path):
    assert_typed(path)


def test_mypy_relaxes_no_module_of_this_package():
    """mypy ignores the errors of none of our modules: a section with ignore_errors naming one of
    them, or a pattern above the package (``ansible_collections.multicloud.*``), would hide them."""
    ours = [p for p in relaxed_sections() if p.startswith(PACKAGE) or PACKAGE.startswith(p.rstrip(".*"))]
    assert not ours, "mypy.ini relaxes (ignore_errors): %s" % ", ".join(ours)


def test_relaxed_sections_are_read(tmp_path):
    """The check above on a planted mypy.ini: it finds every pattern of a relaxed section."""
    ini = tmp_path / "mypy.ini"
    ini.write_text("[mypy]\nstrict_equality = True\n\n[mypy-%s.plan,%s.reaper]\nignore_errors = True\n\n"
                   "[mypy-pyroute2.*]\nignore_missing_imports = True\n" % (PACKAGE, PACKAGE))
    assert relaxed_sections(ini) == [PACKAGE + ".plan", PACKAGE + ".reaper"]


PLANTED = '''
def typed(a: int, *rest: str, flag: bool = False, **more: object) -> int:
    return a


def untyped(a, b: int):
    return a


def _private(a):
    return a


class Public:
    def __init__(self, x):
        self.x = x

    def method(self) -> int:
        return 1

    @staticmethod
    def helper(self) -> None:
        pass

    def _hidden(self, y):
        return y


class _Private:
    def method(self, z):
        return z
'''


def test_planted_unannotated_functions_are_named():
    assert missing_hints(PLANTED) == [
        "untyped (line 6): parameter a, return",
        "Public.__init__ (line 15): parameter x, return",
        "Public.helper (line 22): parameter self",
    ]


def test_planted_file_fails(tmp_path):
    """The test itself, on a planted file: it fails naming the function."""
    path = tmp_path / "planted.py"
    path.write_text("def unannotated(value):\n    return value\n")
    with pytest.raises(AssertionError, match=r"unannotated \(line 1\): parameter value, return"):
        assert_typed(path)

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One place per fact (docs/architecture.md, "Where facts live"): the literals that define the
ownership tag and the check's iperf3 ports appear once in the collection's code, in their place.
Docs (docstrings, DOCUMENTATION/EXAMPLES/RETURN, comments) may mention them; a second definition,
in Python or in a role's YAML, fails the test naming where it is."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CODE = ("plugins", "roles", "playbooks")
DOC_NAMES = {"DOCUMENTATION", "EXAMPLES", "RETURN"}
# fact: (its place, the literals that define it)
FACTS = {
    "ownership tag": ("plugins/module_utils/ownership.py", ["multicloud.vpnlab"]),
    "iperf3 ports": ("plugins/module_utils/measurements.py", [5201, 5202]),
    "the check tools' packages": ("plugins/module_utils/measurements.py", ["iputils-ping", "mtr-tiny", "iputils-tracepath"]),
    "schema version of vms.json": ("plugins/module_utils/vms_file.py", ["vms_schema_version"]),
}


def _doc_strings(tree):
    """The string constants that are documentation: docstrings and the module doc blocks."""
    docs = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docs.add(id(body[0].value))
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) in DOC_NAMES for t in node.targets):
            docs.add(id(node.value))
    return docs


def python_literals(path, wanted):
    """(line, literal) of each wanted literal in `path`'s code: an equal constant, or a number
    inside a non-doc string (a port in a rule's text)."""
    tree = ast.parse(path.read_text(), str(path))
    docs = _doc_strings(tree)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Constant) or id(node) in docs or isinstance(node.value, bool):
            continue
        for literal in wanted:
            if node.value == literal or (isinstance(literal, int) and isinstance(node.value, str)
                                         and re.search(r"(?<!\d)%d(?!\d)" % literal, node.value)):
                found.append((node.lineno, literal))
    return found


def _scalars(data):
    if isinstance(data, dict):
        for key, value in data.items():
            yield key
            yield from _scalars(value)
    elif isinstance(data, list):
        for value in data:
            yield from _scalars(value)
    else:
        yield data


def yaml_literals(path, wanted):
    """Each wanted literal among the YAML file's values: equal, or inside a string (Jinja
    included), where a comment is not (comments are not loaded)."""
    try:
        documents = list(yaml.safe_load_all(path.read_text()))
    except yaml.YAMLError:
        return []
    # A plugin's documentation file (a filter's DOCUMENTATION/EXAMPLES/RETURN) is docs.
    documents = [d for d in documents if not (isinstance(d, dict) and DOC_NAMES & set(d))]
    found = []
    for value in _scalars(documents):
        for literal in wanted:
            text = str(literal)
            if value == literal or (isinstance(value, str) and re.search(
                    r"(?<![\w.])%s(?![\w.])" % re.escape(text), value) and not _prose(value)):
                found.append(literal)
    return found


def _prose(value):
    """A description in an argument spec or a message: several words, no template and no
    key:value pair (the tag filter's form)."""
    return "{{" not in value and ":" not in value and len(value.split()) > 6


def definitions(root, wanted):
    """{relative path: [literal, ...]} of every definition of the wanted literals under `root`."""
    found = {}
    for top in CODE:
        for path in sorted((root / top).rglob("*")):
            if "__pycache__" in path.parts or not path.is_file():
                continue
            if path.suffix == ".py":
                hits = [literal for dummy, literal in python_literals(path, wanted)]
            elif path.suffix in (".yml", ".yaml") and "meta" not in path.parts:
                hits = yaml_literals(path, wanted)
            else:
                continue
            if hits:
                found[str(path.relative_to(root))] = hits
    return found


@pytest.mark.parametrize("fact", sorted(FACTS))
def test_each_fact_is_defined_once_in_its_place(fact):
    place, literals = FACTS[fact]
    found = definitions(ROOT, literals)
    assert found == {place: literals}, "%s: defined outside %s: %s" % (
        fact, place, {k: v for k, v in found.items() if k != place})


def test_the_table_in_architecture_md_names_each_place():
    table = (ROOT / "docs" / "architecture.md").read_text()
    for fact, (place, dummy) in FACTS.items():
        assert "`%s`" % place.replace("plugins/", "") in table, fact


@pytest.mark.parametrize("planted, fact", [
    ("plugins/module_utils/_aws/extra.py", "ownership tag"),
    ("roles/connectivity_check/vars/extra.yml", "iperf3 ports"),
    ("plugins/module_utils/_local/extra.py", "iperf3 ports"),
])
def test_a_planted_copy_is_found(tmp_path, planted, fact):
    # The tree as it is, plus one copy of the fact somewhere else: the test's scan names it.
    for top in CODE:
        (tmp_path / top).symlink_to(ROOT / top)
    copy_root = tmp_path / "copy"
    copy_root.mkdir()
    for top in CODE:
        (copy_root / top).symlink_to(ROOT / top)
    target = tmp_path / "planted" / planted
    target.parent.mkdir(parents=True)
    place, literals = FACTS[fact]
    if target.suffix == ".py":
        target.write_text('"""Docs may say %s."""\nCOPY = %r\n' % (literals[0], literals[0]))
    else:
        target.write_text("---\nextra_port: %s\n" % literals[0])
    found = definitions(tmp_path / "planted", literals)
    assert found == {planted: [literals[0]]}
    # and the real tree alone has only its place
    assert set(definitions(copy_root, literals)) == {place}

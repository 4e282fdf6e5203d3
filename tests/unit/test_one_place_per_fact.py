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
    "Azure's DPD default and range": ("plugins/module_utils/_azure/spec.py", [9, 3600, 45]),
    "AWS's DPD minimum and default": ("plugins/module_utils/_aws/spec.py", [30]),
    "AWS's reserved inside CIDRs": ("plugins/module_utils/_aws/spec.py", ["169.254.5.0/30", "169.254.169.252/30"]),
    "cloud users": ("plugins/module_utils/_azure/spec.py", ["azureuser"]),
    "AWS VM user": ("plugins/module_utils/_aws/spec.py", ["ubuntu"]),
}
# How a fact's literals are recognised where any copy would be too much (fact: how). "exact":
# only an equal value (ubuntu is also part of the image names). A name such as "dpd": an int
# only where something named after it holds it, since small ints like 30 and 45 are also
# unrelated timeouts: an assignment, a keyword argument, a dict key or a comparison naming it
# in Python, the value of a key naming it in YAML.
MATCH = {
    "Azure's DPD default and range": "dpd",
    "AWS's DPD minimum and default": "dpd",
    "cloud users": "exact",
    "AWS VM user": "exact",
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


def _named_values(tree, name):
    """The subtrees that something named after `name` holds (see MATCH)."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if node.value is not None and any(name in ast.unparse(t).lower() for t in targets):
                yield node.value
        elif isinstance(node, ast.keyword) and node.arg and name in node.arg.lower():
            yield node.value
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values):
                if isinstance(key, ast.Constant) and isinstance(key.value, str) and name in key.value.lower():
                    yield value
        elif isinstance(node, ast.Compare) and name in ast.unparse(node).lower():
            yield node


def python_literals(path, wanted, how=None):
    """(line, literal) of each wanted literal in `path`'s code: an equal constant, or a number
    inside a non-doc string (a port in a rule's text); see MATCH for `how`."""
    tree = ast.parse(path.read_text(), str(path))
    docs = _doc_strings(tree)
    if how not in (None, "exact"):
        nodes = {id(n): n for value in _named_values(tree, how) for n in ast.walk(value)}
        return sorted({(n.lineno, literal) for n in nodes.values() for literal in wanted
                       if isinstance(n, ast.Constant) and not isinstance(n.value, bool)
                       and type(n.value) is type(literal) and n.value == literal})
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Constant) or id(node) in docs or isinstance(node.value, bool):
            continue
        for literal in wanted:
            if node.value == literal or (how is None and isinstance(literal, int) and isinstance(node.value, str)
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


def _named_yaml(data, name):
    """The values of the keys that name `name`, anywhere in `data`."""
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(key, str) and name in key.lower():
                yield value
            else:
                yield from _named_yaml(value, name)
    elif isinstance(data, list):
        for value in data:
            yield from _named_yaml(value, name)


def yaml_literals(path, wanted, how=None):
    """Each wanted literal among the YAML file's values: equal, or inside a string (Jinja
    included), where a comment is not (comments are not loaded); see MATCH for `how`."""
    try:
        documents = list(yaml.safe_load_all(path.read_text()))
    except yaml.YAMLError:
        return []
    # A plugin's documentation file (a filter's DOCUMENTATION/EXAMPLES/RETURN) is docs.
    documents = [d for d in documents if not (isinstance(d, dict) and DOC_NAMES & set(d))]
    if how not in (None, "exact"):
        documents = list(_named_yaml(documents, how))
    found = []
    for value in _scalars(documents):
        for literal in wanted:
            text = str(literal)
            if value == literal or (how != "exact" and isinstance(value, str) and re.search(
                    r"(?<![\w.])%s(?![\w.])" % re.escape(text), value) and not _prose(value)):
                found.append(literal)
    return found


def _prose(value):
    """A description in an argument spec or a message: several words, no template and no
    key:value pair (the tag filter's form)."""
    return "{{" not in value and ":" not in value and len(value.split()) > 6


def definitions(root, wanted, how=None):
    """{relative path: [literal, ...]} of every definition of the wanted literals under `root`."""
    found = {}
    for top in CODE:
        for path in sorted((root / top).rglob("*")):
            if "__pycache__" in path.parts or not path.is_file():
                continue
            if path.suffix == ".py":
                hits = [literal for dummy, literal in python_literals(path, wanted, how)]
            elif path.suffix in (".yml", ".yaml") and "meta" not in path.parts:
                hits = yaml_literals(path, wanted, how)
            else:
                continue
            if hits:
                found[str(path.relative_to(root))] = hits
    return found


@pytest.mark.parametrize("fact", sorted(FACTS))
def test_each_fact_is_defined_once_in_its_place(fact):
    place, literals = FACTS[fact]
    found = definitions(ROOT, literals, MATCH.get(fact))
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
    ("plugins/module_utils/_local/extra.py", "Azure's DPD default and range"),
    ("roles/azure_tunnels/vars/extra.yml", "Azure's DPD default and range"),
    ("plugins/modules/extra.py", "AWS's DPD minimum and default"),
    ("roles/test_vms/vars/extra.yml", "cloud users"),
    ("plugins/module_utils/_aws/extra.py", "AWS VM user"),
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
    how = MATCH.get(fact)
    named = how not in (None, "exact")
    if target.suffix == ".py":
        text = '"""Docs may say %s."""\n%s = %r\n' % (literals[0], "DPD_COPY" if named else "COPY", literals[0])
        # A fact matched by name: the same number under another name is not a copy.
        text += "WAIT_SECONDS = %r\n" % literals[0] if named else ""
    else:
        text = "---\n%s: %s\n" % ("extra_dpd_timeout" if named else "extra_port", literals[0])
        text += "extra_wait: %s\n" % literals[0] if named else ""
    target.write_text(text)
    found = definitions(tmp_path / "planted", literals, how)
    assert found == {planted: [literals[0]]}
    # and the real tree alone has only its place
    assert set(definitions(copy_root, literals, how)) == {place}

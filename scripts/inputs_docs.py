# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write the lab inputs' documentation from their one declaration (plugins/module_utils/inputs.py).

Two files document the ``vpnlab_*`` inputs: the ``multicloud.vpnlab.inputs`` doc fragment (the
options of the ``lab_plan`` module) and the plan role's ``meta/argument_specs.yml``. After a change
to ``inputs.INPUTS``, run from the repository root:

    .venv/bin/python scripts/inputs_docs.py          # rewrite both files
    .venv/bin/python scripts/inputs_docs.py --check  # exit 1 when a file is out of date

tests/unit/plugins/module_utils/test_inputs_docs.py runs the check.

The role declares every input with ``type: raw``: the role's argument validation runs before any
task and would stop at a type error in Ansible's words, hiding the plan's other problems. The
plan (``lab_plan``) reads and validates every value itself, all problems at once; the expected
type is the last line of each description.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
FRAGMENT = ROOT / "plugins" / "doc_fragments" / "inputs.py"
ROLE_SPECS = ROOT / "roles" / "plan" / "meta" / "argument_specs.yml"
INPUTS_FILE = ROOT / "plugins" / "module_utils" / "inputs.py"

FRAGMENT_HEAD = '''# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab inputs as module options, for lab_plan."""

from __future__ import annotations


class ModuleDocFragment:

    # Written by scripts/inputs_docs.py from plugins/module_utils/inputs.py: change the table
    # there and run the script, do not edit this text.
    DOCUMENTATION = r"""
'''
FRAGMENT_TAIL = '"""\n'
ROLE_HEAD = """# The vpnlab_* options are written by scripts/inputs_docs.py from
# plugins/module_utils/inputs.py: change the table there and run the script. They are type raw on
# purpose: the plan (lab_plan) reads and checks every value itself and names all problems at once.
"""
TARGET_NOTE = {("local",): "Local target only.", ("cloud",): "Cloud target only."}


def load_inputs():
    """inputs.py by path: it is pure Python, so no collection loader is needed."""
    namespace = {"__name__": "vpnlab_inputs"}
    exec(compile(INPUTS_FILE.read_text(), str(INPUTS_FILE), "exec"), namespace)  # pylint: disable=exec-used
    return namespace


class IndentedDumper(yaml.SafeDumper):
    """Lists indented under their key, as in the rest of the repository's YAML."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def dump(data):
    return yaml.dump(data, Dumper=IndentedDumper, sort_keys=False, width=100, allow_unicode=True,
                     default_flow_style=False)


def description(item):
    lines = [item.description]
    if item.targets in TARGET_NOTE:
        lines.append(TARGET_NOTE[item.targets])
    return lines


def type_line(item):
    """How the role states an input's type (the role declares them raw)."""
    if item.type == "list":
        what = "C(list) of C(str)" if item.elements == "str" else "C(list) of dicts"
        text = "JSON text or comma-separated text" if item.elements == "str" else "JSON text"
        return "Type %s; %s is read as a list." % (what, text)
    extra = {
        "str": "",
        "int": "; text like V(%s) is read as a number" % item.default,
        "bool": "; V(yes)/V(no), V(on)/V(off) and V(1)/V(0) also count",
    }[item.type]
    choices = "; one of %s" % ", ".join("V(%s)" % c for c in item.choices) if item.choices else ""
    return "Type C(%s)%s%s." % (item.type, choices, extra)


def fragment_options(mod):
    options = {}
    for item in mod["INPUTS"]:
        option = {"description": description(item), "type": item.type}
        for key in ("elements", "choices", "default"):
            if getattr(item, key) is not None:
                option[key] = getattr(item, key)
        options[item.name] = option
    return options


# O(name) in a description is the lab_plan module's option; the role's option is the variable.
OPTION_REF = re.compile(r"O\(([a-z0-9_]+)([=)])")


def role_description(mod, item):
    """The description as the role states it: O() names the role's options, the variables."""
    def variable(match):
        name = match.group(1)
        return "O(%s%s" % (mod["var"](name) if name in mod["BY_NAME"] else name, match.group(2))
    return [OPTION_REF.sub(variable, line) for line in description(item)] + [type_line(item)]


def role_options(mod):
    options = {}
    for item in mod["INPUTS"]:
        option = {"type": "raw", "description": role_description(mod, item)}
        if item.default is not None:
            option["default"] = item.default
        if item.secret:
            option["no_log"] = True
        options[mod["var"](item.name)] = option
    return options


def fragment_text(mod):
    return FRAGMENT_HEAD + dump({"options": fragment_options(mod)}) + FRAGMENT_TAIL


def role_text(mod):
    specs = yaml.safe_load(ROLE_SPECS.read_text())
    main = specs["argument_specs"]["main"]
    own = {k: v for k, v in main["options"].items() if not k.startswith(mod["PREFIX"])}
    main["options"] = dict(own, **role_options(mod))
    return ROLE_HEAD + "---\n" + dump(specs)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="only report files out of date")
    args = parser.parse_args(argv)
    mod = load_inputs()
    stale = []
    for path, text in ((FRAGMENT, fragment_text(mod)), (ROLE_SPECS, role_text(mod))):
        if not path.exists() or path.read_text() != text:
            stale.append(os.path.relpath(path, ROOT))
            if not args.check:
                path.write_text(text)
    verb = "out of date" if args.check else "written"
    for path in stale:
        print("%s %s" % (path, verb))
    return 1 if stale and args.check else 0


if __name__ == "__main__":
    sys.exit(main())

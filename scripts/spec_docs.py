# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write the clouds' DPD numbers into the texts that state them, from the clouds' specs.

The DPD facts live once, in ``plugins/module_utils/_azure/spec.py`` (Azure's range and the lab's
default) and ``plugins/module_utils/_aws/spec.py`` (AWS's minimum, also its default). Module
documentation, READMEs and a role's argument spec repeat the numbers for their readers; TEXTS
below says where, one pattern per sentence. After changing a spec, run from the repository root:

    .venv/bin/python scripts/spec_docs.py          # rewrite the numbers in place
    .venv/bin/python scripts/spec_docs.py --check  # exit 1 naming each text out of date

and ``scripts/inputs_docs.py`` for the inputs' doc fragment and the plan role's argument spec
(``inputs.py`` formats its description from the specs). tests/unit/test_spec_docs.py runs the
check. A sentence reworded so that its pattern no longer matches fails the check too: update
its pattern here with it.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws import spec as aws
from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure import spec as azure

ROOT = Path(__file__).resolve().parents[1]

AZ_LOW, AZ_HIGH = azure.DPD_RANGE_SECONDS
AZ_DEFAULT = azure.DPD_DEFAULT_SECONDS
AWS_MIN, AWS_DEFAULT = aws.DPD_MIN_SECONDS, aws.DPD_DEFAULT_SECONDS

# (file, pattern whose groups are the numbers, the numbers in group order)
TEXTS = (
    ("plugins/modules/azure_vpn_connection.py",
     r"Dead peer detection timeout \(Azure allows (\d+)-(\d+)\)\.\n    type: int\n    default: (\d+)",
     (AZ_LOW, AZ_HIGH, AZ_DEFAULT)),
    ("plugins/modules/azure_vpn_connection.py", r"shared_key: \"\{\{ tunnel1_psk \}\}\"\n    dpd_timeout_seconds: (\d+)",
     (AZ_DEFAULT,)),
    ("plugins/modules/local_gateway.py", r"At least (\d+) \(Azure allows (\d+)-(\d+)\)", (AZ_LOW, AZ_LOW, AZ_HIGH)),
    ("plugins/modules/local_gateway.py", r"Defaults to (\d+) \(Azure's default\)", (AZ_DEFAULT,)),
    ("plugins/modules/local_gateway.py", r"else (\d+) \(AWS's default and minimum\)", (AWS_DEFAULT,)),
    ("plugins/modules/aws_vpn_connection.py", r"DPD timeout of (\d+) s or more", (AWS_MIN,)),
    ("plugins/modules/aws_vpn_connection.py", r"\n      dpd_timeout_seconds: (\d+)\n      dpd_timeout_action: clear",
     (AWS_DEFAULT,)),
    ("plugins/modules/tunnel_options.py", r"a (\d+) s DPD timeout with action", (AWS_DEFAULT,)),
    ("README.md", r"\| `vpnlab_dpd_timeout_seconds` \| (\d+) \| the Azure side's DPD timeout, (\d+)-(\d+) "
     r"\(the AWS side keeps AWS's (\d+)\) \|", (AZ_DEFAULT, AZ_LOW, AZ_HIGH, AWS_DEFAULT)),
    ("README.md", r"`vpnlab_dpd_timeout_seconds`,\n(\d+) s by default; the AWS endpoints (\d+) s\)",
     (AZ_DEFAULT, AWS_DEFAULT)),
    ("README.md", r"\(its DPD timeout is (\d+) s\)", (AWS_DEFAULT,)),
    ("roles/plan/README.md", r"the Azure side's DPD timeout, (\d+)-(\d+), default (\d+); AWS keeps (\d+)\)",
     (AZ_LOW, AZ_HIGH, AZ_DEFAULT, AWS_DEFAULT)),
    ("roles/azure_tunnels/README.md", r"\(`vpnlab_dpd_timeout_seconds`, (\d+) s\)", (AZ_DEFAULT,)),
    ("roles/aws_vpc_vpn/README.md", r"PFS, DPD (\d+) s\)", (AWS_DEFAULT,)),
    ("roles/aws_vpc_vpn/meta/argument_specs.yml", r"PFS, DPD (\d+) s\)", (AWS_DEFAULT,)),
    ("docs/cloud-internals.md", r"with PFS, DPD (\d+) s", (AWS_DEFAULT,)),
)


def _rewrite(text: str, pattern: str, numbers: tuple) -> tuple[str, int]:
    """``text`` with each match's groups set to ``numbers``; and how many matches there were."""
    def put(match):
        out, last = [], match.start()
        for group, number in enumerate(numbers, start=1):
            out += [match.string[last:match.start(group)], str(number)]
            last = match.end(group)
        return "".join(out) + match.string[last:match.end()]
    return re.subn(pattern, put, text)


def drift(root: Path = ROOT) -> list[str]:
    """One line per text that does not state its spec's numbers (or no longer matches)."""
    problems = []
    for path, pattern, numbers in TEXTS:
        text = (root / path).read_text()
        new, count = _rewrite(text, pattern, numbers)
        if count == 0:
            problems.append("%s: no text matches %r (reworded? update scripts/spec_docs.py's TEXTS)" % (path, pattern))
        elif new != text:
            found = [m.groups() for m in re.finditer(pattern, text)]
            problems.append("%s: states %s where the specs say %s: run scripts/spec_docs.py" % (
                path, ", ".join("/".join(g) for g in found), "/".join(map(str, numbers))))
    return problems


def write(root: Path = ROOT) -> list[str]:
    """Rewrite the texts in place; returns the files changed."""
    changed = []
    for path, pattern, numbers in TEXTS:
        text = (root / path).read_text()
        new, dummy = _rewrite(text, pattern, numbers)
        if new != text:
            (root / path).write_text(new)
            changed.append(path)
    return sorted(set(changed))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when a text is out of date")
    args = parser.parse_args()
    if args.check:
        problems = drift()
        for line in problems:
            print(line, file=sys.stderr)
        return 1 if problems else 0
    for path in write():
        print("rewrote", path)
    return 0


if __name__ == "__main__":
    sys.exit(main())

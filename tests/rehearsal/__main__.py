# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rehearsal's command line (the Makefile's rehearse targets call it):

    python -m tests.rehearsal up       [--args "ANSIBLE ARGS"] [--lab LAB]
    python -m tests.rehearsal run      [--args ...] [--lab LAB] -- CMD [ARG...]
    python -m tests.rehearsal shell    [--lab LAB] [-c 'COMMAND']
    python -m tests.rehearsal down     [--args ...] [--lab LAB]
    python -m tests.rehearsal status   [--lab LAB]
    python -m tests.rehearsal cut      --tunnel OUTSIDE_IP [--lab LAB]   (drop a tunnel's packets)
    python -m tests.rehearsal repair   [--lab LAB]                       (undo every cut)

The lab is `--lab`, else the vpnlab_name in `--args` (the ARGS given to make), else the one
rehearsal that is up, else vpntest.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys

from tests.rehearsal import session
from tests.rehearsal.faults import cut, repair

DEFAULT_LAB = "vpntest"


def lab_from_args(args_text):
    """vpnlab_name as ansible-playbook's -e/--extra-vars in `args_text` would set it."""
    return var_from_args(args_text, "vpnlab_name")


def var_from_args(args_text, name):
    """The variable `name` as ansible-playbook's -e/--extra-vars in `args_text` would set it
    (files given with @ are not read)."""
    words = shlex.split(args_text or "")
    found = None
    for i, word in enumerate(words):
        value = None
        if word in ("-e", "--extra-vars") and i + 1 < len(words):
            value = words[i + 1]
        elif word.startswith("--extra-vars="):
            value = word.split("=", 1)[1]
        elif word.startswith("-e") and len(word) > 2:
            value = word[2:]
        if not value or value.startswith("@"):
            continue
        if value.lstrip().startswith("{"):
            try:
                found = json.loads(value).get(name, found)
            except ValueError:
                pass
            continue
        for pair in shlex.split(value):
            if pair.startswith(name + "="):
                found = pair.split("=", 1)[1]
    return found


def choose_lab(opts):
    if opts.lab:
        return opts.lab
    named = lab_from_args(opts.args)
    if named:
        return named
    running = session.up_labs()
    return running[0] if len(running) == 1 else DEFAULT_LAB


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    command = argv[:argv.index("--")] if "--" in argv else argv
    rest = argv[argv.index("--") + 1:] if "--" in argv else []
    parser = argparse.ArgumentParser(prog="python -m tests.rehearsal")
    parser.add_argument("action", choices=["up", "run", "shell", "down", "status", "cut", "repair"])
    parser.add_argument("--lab")
    parser.add_argument("--args", default=os.environ.get("VPNLAB_REHEARSAL_ARGS", ""))
    parser.add_argument("-c", dest="command", default=os.environ.get("VPNLAB_REHEARSAL_CMD", ""))
    parser.add_argument("--tunnel")
    opts = parser.parse_args(command)
    lab = choose_lab(opts)
    try:
        if opts.action == "up":
            record = session.up(lab, opts.args)
            print("vpnlab rehearsal of lab %s is up: controller %s (namespace %s), AWS double %s, Azure double via %s"
                  % (lab, record["controller"]["address"], record["namespaces"]["controller"],
                     record["endpoints"]["aws"], record["endpoints"]["azure_proxy"]))
            return 0
        if opts.action == "run":
            return session.run(lab, rest)
        if opts.action == "shell":
            shell = ["bash", "--norc", "-c", opts.command] if opts.command else ["bash", "--norc", "-i"]
            return session.run(lab, shell, interactive=not opts.command)
        if opts.action == "down":
            was_up = session.running(session.read_record(lab))
            status = session.down(lab, opts.args or None)
            print("vpnlab rehearsal of lab %s: %s" % (lab, "torn down and stopped" if was_up else
                                                      "was not up; nothing of it is left"))
            return status
        if opts.action == "status":
            print(session.describe(lab))
            return 0
        if opts.action == "cut":
            print(cut(lab, opts.tunnel))
            return 0
        print(repair(lab))
        return 0
    except session.RehearsalError as exc:
        print("rehearsal: %s" % exc, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

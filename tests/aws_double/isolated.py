# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a command in a loopback-only network namespace next to the AWS TEST DOUBLE.

    python -m tests.aws_double.isolated [--state-dir DIR] [--modify-seconds S] ... -- CMD [ARG...]

Creates the namespace (``unshare --net``, ``lo`` up) unless the current one already has only
loopback, starts the double in it, runs CMD with the double's client environment
(AWS_ENDPOINT_URL, credentials, AWS_DEFAULT_REGION) plus ``VPNLAB_AWS_DOUBLE=<state dir>``,
stops the double by its PID and exits with CMD's status. The settings are the double's
(``python -m tests.aws_double --help``); lists are comma-separated.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile

from .isolation import client_env, loopback_only, start_double, stop

MARKER = "VPNLAB_AWS_ISOLATED"


def _settings(options):
    """``--name value`` / ``--name=value`` pairs for the double, which checks them itself."""
    settings = {}
    while options:
        option = options.pop(0)
        if not option.startswith("--"):
            sys.exit("isolated: expected --name value, got %r" % option)
        name, equals, value = option[2:].partition("=")
        if not equals:
            if not options:
                sys.exit("isolated: %s needs a value" % option)
            value = options.pop(0)
        settings[name.replace("-", "_")] = value
    return settings


def _reexec_in_namespace(argv):
    """Run this same command again inside a new network namespace with only `lo`."""
    if os.environ.get(MARKER):
        sys.exit("isolated: still not in a loopback-only network namespace; refusing to run")
    inner = [sys.executable, "-m", "tests.aws_double.isolated"] + argv
    shell = 'ip link set lo up && exec "$@"'
    env = dict(os.environ, **{MARKER: "1"})
    return subprocess.call(["unshare", "--net", "--", "sh", "-c", shell, "sh"] + inner, env=env)


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--" not in argv:
        sys.exit("usage: python -m tests.aws_double.isolated [options] -- CMD [ARG...]")
    split = argv.index("--")
    parser = argparse.ArgumentParser(prog="python -m tests.aws_double.isolated")
    parser.add_argument("--state-dir")
    args, options = parser.parse_known_args(argv[:split])
    config = _settings(options)
    if not loopback_only():
        return _reexec_in_namespace(argv)
    state_dir = args.state_dir or tempfile.mkdtemp(prefix="aws-double-")
    try:
        proc, info = start_double(state_dir, config)
    except RuntimeError as exc:
        with open(os.path.join(state_dir, "double.out"), encoding="utf-8", errors="replace") as handle:
            sys.exit("isolated: %s\n%s" % (exc, handle.read()[-2000:]))
    try:
        return subprocess.call(argv[split + 1:], env=dict(client_env(info), VPNLAB_AWS_DOUBLE=state_dir))
    finally:
        stop(proc)


if __name__ == "__main__":
    sys.exit(main())

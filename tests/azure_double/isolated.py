# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a command in a loopback-only network namespace next to the Azure TEST DOUBLE.

    python -m tests.azure_double.isolated [--state-dir DIR] [--gateway-delay S] -- CMD [ARG...]

Creates the namespace (``unshare --net``, ``lo`` up) unless the current one already has only
loopback, starts the double in it, runs CMD with the double's client environment (HTTPS_PROXY,
REQUESTS_CA_BUNDLE, AZURE_*) plus ``VPNLAB_AZURE_DOUBLE=<state dir>``, stops the double by its
PID and exits with CMD's status. Used by the molecule scenarios and the benchmark.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile

from .isolation import loopback_only, start_double, stop
from .server import DEFAULT_CONFIG

MARKER = "VPNLAB_ISOLATED"


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--" not in argv:
        sys.exit("usage: python -m tests.azure_double.isolated [options] -- CMD [ARG...]")
    split = argv.index("--")
    parser = argparse.ArgumentParser(prog="python -m tests.azure_double.isolated")
    parser.add_argument("--state-dir")
    for key, value in DEFAULT_CONFIG.items():
        parser.add_argument("--" + key.replace("_", "-"), type=type(value))
    args = parser.parse_args(argv[:split])
    command = argv[split + 1:]
    if not loopback_only():
        if os.environ.get(MARKER):
            sys.exit("isolated: still not in a loopback-only network namespace; refusing to run")
        # Re-run this same command inside a new network namespace.
        inner = [sys.executable, "-m", "tests.azure_double.isolated"] + argv
        shell = 'ip link set lo up && exec "$@"'
        env = dict(os.environ, **{MARKER: "1"})
        return subprocess.call(["unshare", "--net", "--", "sh", "-c", shell, "sh"] + inner, env=env)
    state_dir = args.state_dir or tempfile.mkdtemp(prefix="azure-double-")
    config = {k: getattr(args, k) for k in DEFAULT_CONFIG if getattr(args, k) is not None}
    proc, info = start_double(state_dir, config)
    try:
        env = dict(os.environ, VPNLAB_AZURE_DOUBLE=state_dir, **info["env"])
        for key in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
            env.pop(key, None)
        return subprocess.call(command, env=env)
    finally:
        stop(proc)


if __name__ == "__main__":
    sys.exit(main())

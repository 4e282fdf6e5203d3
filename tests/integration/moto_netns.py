# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a command beside a moto server, both inside a network namespace with only loopback.

moto hands out public addresses of real networks: in a namespace with nothing but `lo`, no
test can reach one by mistake. Tests call run_with_moto(); this file, run as a script under
`unshare --net`, brings `lo` up, starts moto_server on a free port of 127.0.0.1, runs the
command with MOTO_ENDPOINT=http://127.0.0.1:<port> in its environment, and stops moto by PID.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
READY_TIMEOUT_S = 30


def netns_available():
    """Whether this user can make a network namespace (root, with util-linux's unshare)."""
    if not shutil.which("unshare") or not shutil.which("ip"):
        return False
    return subprocess.run(["unshare", "--net", "true"], capture_output=True, check=False).returncode == 0


def run_with_moto(cmd, env=None, cwd=None, timeout=600):
    """Run `cmd` beside a fresh moto server in a loopback-only namespace; CompletedProcess (text)."""
    if not netns_available():
        pytest.skip("needs root and unshare --net for a loopback-only network namespace")
    return subprocess.run(["unshare", "--net", "--", sys.executable, __file__, *map(str, cmd)],
                          capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout, check=False)


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_listening(port, server):
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("moto_server exited with %s" % server.returncode)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("moto_server did not listen on 127.0.0.1:%d within %d s" % (port, READY_TIMEOUT_S))


def main(argv):
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    port = _free_port()
    server = subprocess.Popen([str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_until_listening(port, server)
        env = dict(os.environ, MOTO_ENDPOINT="http://127.0.0.1:%d" % port)
        return subprocess.run(argv, env=env, check=False).returncode
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

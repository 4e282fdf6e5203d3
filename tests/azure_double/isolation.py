# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A network namespace with only loopback, for everything that talks to the test doubles.

The doubles hand out public addresses of real networks. Inside a namespace whose only interface
is ``lo`` there is no route anywhere else, so a client that tries to reach such an address (or
the real Azure, bypassing the proxy) fails at once instead of sending traffic off the machine.

- ``Isolated``: for pytest. Holds a namespace (``unshare --net`` around a ``sleep``), runs the
  Azure double in it, runs commands in it (``nsenter``) and moves the calling thread into it for
  in-process SDK calls (``inside()``). Every process it starts is stopped by its PID.
- ``loopback_only()``: whether the current namespace has no interface but ``lo``.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLONE_NEWNET = 0x40000000
_LIBC = ctypes.CDLL("libc.so.6", use_errno=True)


def loopback_only():
    """True when this network namespace has no interface except ``lo``."""
    with open("/proc/net/dev", encoding="ascii") as handle:
        names = [line.split(":")[0].strip() for line in handle.readlines()[2:]]
    return names == ["lo"]


def _setns(fd):
    if _LIBC.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, "setns: %s" % os.strerror(err))


def wait_for_file(path, process, timeout=20.0):
    deadline = time.monotonic() + timeout
    while not os.path.exists(path):
        if process.poll() is not None:
            raise RuntimeError("%s exited with %s before writing %s" % (process.args, process.returncode, path))
        if time.monotonic() > deadline:
            raise RuntimeError("timed out waiting for %s" % path)
        time.sleep(0.05)


def start_double(state_dir, config=None, wrap=lambda cmd: cmd):
    """Start the Azure double (in the namespace ``wrap`` puts it in); return (Popen, info)."""
    os.makedirs(state_dir, mode=0o700, exist_ok=True)
    info_path = os.path.join(state_dir, "double.json")
    if os.path.exists(info_path):
        os.unlink(info_path)
    cmd = [sys.executable, "-m", "tests.azure_double", "--state-dir", str(state_dir)]
    for key, value in (config or {}).items():
        cmd += ["--" + key.replace("_", "-"), str(value)]
    log = open(os.path.join(state_dir, "double.out"), "ab")  # pylint: disable=consider-using-with
    proc = subprocess.Popen(wrap(cmd), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    wait_for_file(info_path, proc)
    with open(info_path, encoding="utf-8") as handle:
        return proc, json.load(handle)


def stop(proc):
    if proc is not None and proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Isolated:
    """A loopback-only namespace with the Azure double in it (see the module docstring)."""

    def __init__(self, state_dir, double_config=None):
        self.state_dir = str(state_dir)
        self.double_config = double_config or {}
        self.holder = self.double = self.info = None

    def __enter__(self):
        self.holder = subprocess.Popen(
            ["unshare", "--net", "--", "sh", "-c", "ip link set lo up && echo ready && exec sleep infinity"],
            stdout=subprocess.PIPE)
        if self.holder.stdout.readline().strip() != b"ready":
            self.close()
            raise RuntimeError("could not create a network namespace (unshare --net needs root)")
        self.netns = "/proc/%d/ns/net" % self.holder.pid
        try:
            self.double, self.info = start_double(self.state_dir, self.double_config, self.wrap)
        except Exception:
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        stop(self.double)
        stop(self.holder)

    def wrap(self, cmd):
        return ["nsenter", "--net=" + self.netns, "--"] + list(cmd)

    def env(self, **extra):
        env = dict(os.environ)
        for key in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
            env.pop(key, None)
        env.update(self.info["env"])
        env.update(extra)
        return env

    def run(self, cmd, env=None, **kwargs):
        kwargs.setdefault("cwd", ROOT)
        return subprocess.run(self.wrap(cmd), env=env or self.env(), check=False, **kwargs)

    @contextlib.contextmanager
    def inside(self):
        """Move the calling thread into the namespace (for in-process SDK calls), then back."""
        home = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
        target = os.open(self.netns, os.O_RDONLY)
        saved = {k: os.environ.get(k) for k in self.info["env"]}
        try:
            _setns(target)
            os.environ.update(self.info["env"])
            yield self
        finally:
            _setns(home)
            os.close(home)
            os.close(target)
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value

    def control(self, path, data=None):
        """Call the double's control API (from inside the namespace, where it listens)."""
        with self.inside():
            url = "http://127.0.0.1:%d/_double/%s" % (self.info["port"], path)
            body = None if data is None else json.dumps(data).encode()
            request = urllib.request.Request(url, data=body, method="GET" if data is None else "POST")
            opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
            with opener.open(request, timeout=10) as response:
                return json.load(response)

    def requests(self):
        return self.control("requests")

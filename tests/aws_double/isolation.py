# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AWS TEST DOUBLE in a network namespace with only loopback, for tests.

The double hands out addresses of 203.0.113.0/24; inside a namespace whose only interface is
``lo`` nothing can reach them, nor AWS, so a stray connection fails at once instead of leaving
the machine. The namespace machinery is the Azure double's (tests/azure_double/isolation.py):
``Isolated`` here is that class with this double started in the namespace, its client
environment, and its control API under ``/_aws_double/``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request

from tests.azure_double import isolation as azure_isolation
from tests.azure_double.isolation import ROOT, loopback_only, stop, wait_for_file

__all__ = ["Isolated", "loopback_only", "start_double", "stop"]
# Variables that would send boto3 elsewhere than the double (a profile, a session, a proxy, a
# per-service endpoint such as AWS_ENDPOINT_URL_EC2).
FOREIGN_ENV = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE",
               "HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")


def start_double(state_dir, config=None, wrap=lambda cmd: cmd):
    """Start the AWS double (in the namespace ``wrap`` puts it in); return (Popen, info)."""
    os.makedirs(state_dir, mode=0o700, exist_ok=True)
    info_path = os.path.join(state_dir, "double.json")
    if os.path.exists(info_path):
        os.unlink(info_path)
    cmd = [sys.executable, "-m", "tests.aws_double", "--state-dir", str(state_dir)]
    for key, value in (config or {}).items():
        text = ",".join(value) if isinstance(value, list) else str(value)
        cmd += ["--" + key.replace("_", "-"), text]
    with open(os.path.join(state_dir, "double.out"), "ab") as log:
        # It runs until stop() ends it by its PID.
        proc = subprocess.Popen(wrap(cmd), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)  # pylint: disable=consider-using-with
    try:
        wait_for_file(info_path, proc, timeout=60)
    except RuntimeError:
        stop(proc)
        raise
    with open(info_path, encoding="utf-8") as handle:
        return proc, json.load(handle)


def client_env(info, base=None):
    """`base` (os.environ by default) without FOREIGN_ENV, plus the double's client environment."""
    env = {k: v for k, v in (os.environ if base is None else base).items()
           if k not in FOREIGN_ENV and not k.startswith("AWS_ENDPOINT_URL_")}
    env.update(info["env"])
    return env


class Isolated(azure_isolation.Isolated):
    """A loopback-only namespace with the AWS double in it (run, inside, control, requests)."""

    def __enter__(self):
        self.holder = subprocess.Popen(
            ["unshare", "--net", "--", "sh", "-c", "ip link set lo up && echo ready && exec sleep infinity"],
            stdout=subprocess.PIPE)
        if self.holder.stdout.readline().strip() != b"ready":
            self.close()
            raise RuntimeError("could not create a network namespace (unshare --net needs root)")
        self.netns = "/proc/%d/ns/net" % self.holder.pid  # pylint: disable=attribute-defined-outside-init
        try:
            self.double, self.info = start_double(self.state_dir, self.double_config, self.wrap)
        except Exception:
            self.close()
            raise
        return self

    def env(self, **extra):
        return dict(client_env(self.info), **extra)

    def control(self, path, data=None):
        """Call the control API from inside the namespace; (HTTP status, JSON answer)."""
        with self.inside():
            url = "http://127.0.0.1:%d/_aws_double/%s" % (self.info["port"], path)
            body = None if data is None else json.dumps(data).encode()
            request = urllib.request.Request(url, data=body, method="GET" if data is None else "POST")
            opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
            try:
                with opener.open(request, timeout=10) as response:
                    return response.status, json.load(response)
            except urllib.error.HTTPError as exc:
                return exc.code, json.load(exc)

    def requests(self):
        return self.control("requests")[1]

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run the Azure TEST DOUBLE: ``python -m tests.azure_double --state-dir DIR [--port N]``.

Writes ``DIR/ca.pem`` (the throwaway CA), ``DIR/double.json`` (port, pid and the environment a
client needs: HTTPS_PROXY, REQUESTS_CA_BUNDLE and service-principal variables the double
accepts) and appends every request to ``DIR/requests.jsonl`` (secrets fingerprinted, never in
clear). Binds 127.0.0.1 only; stop it by the pid in double.json (SIGTERM).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys

from .certs import make_tls
from .server import DEFAULT_CONFIG, Double, Server

# The double's own credentials: not secrets, they open nothing but this process.
SUBSCRIPTION = "00000000-0000-4000-8000-00000000d0b1"
TENANT = "00000000-0000-4000-8000-0000000a11ce"
CLIENT_ID = "00000000-0000-4000-8000-00000000c11e"
CLIENT_SECRET = "test-double-client-secret"


def client_env(port, ca_path):
    """Environment for the unmodified Azure clients (AzureRMModuleBase reads AZURE_*)."""
    proxy = "http://127.0.0.1:%d" % port
    return {"HTTPS_PROXY": proxy, "https_proxy": proxy, "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost", "REQUESTS_CA_BUNDLE": ca_path,
            "AZURE_SUBSCRIPTION_ID": SUBSCRIPTION, "AZURE_TENANT": TENANT,
            "AZURE_CLIENT_ID": CLIENT_ID, "AZURE_SECRET": CLIENT_SECRET}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.azure_double",
                                     description="Azure Resource Manager TEST DOUBLE (not Azure)")
    parser.add_argument("--state-dir", required=True)
    parser.add_argument("--port", type=int, default=0)
    for key, value in DEFAULT_CONFIG.items():
        parser.add_argument("--" + key.replace("_", "-"), type=type(value), default=value)
    args = parser.parse_args(argv)
    os.makedirs(args.state_dir, mode=0o700, exist_ok=True)
    config = {k: getattr(args, k) for k in DEFAULT_CONFIG}
    tls, ca_path = make_tls(args.state_dir)
    double = Double(args.state_dir, SUBSCRIPTION, TENANT, CLIENT_ID, CLIENT_SECRET, config)
    open(double.log_path, "w", encoding="utf-8").close()
    server = Server(args.port, double, tls)
    port = server.server_address[1]
    info = {"port": port, "pid": os.getpid(), "ca": ca_path, "log": double.log_path,
            "env": client_env(port, ca_path), "note": "Azure TEST DOUBLE, not Azure"}
    tmp = os.path.join(args.state_dir, "double.json.tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(info, handle, indent=2)
    os.replace(tmp, os.path.join(args.state_dir, "double.json"))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("Azure TEST DOUBLE on 127.0.0.1:%d (pid %d)" % (port, os.getpid()), flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()


if __name__ == "__main__":
    main()

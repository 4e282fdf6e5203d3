# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run the AWS EC2 TEST DOUBLE: ``python -m tests.aws_double --state-dir DIR [--port N] [settings]``.

Writes ``DIR/double.json`` (port, pid, endpoint and the environment a client needs:
AWS_ENDPOINT_URL, credentials the double accepts, AWS_DEFAULT_REGION) and appends every AWS
request to ``DIR/requests.jsonl`` (pre-shared keys fingerprinted, never in clear). Binds
127.0.0.1 only; stop it by the pid in double.json (SIGTERM).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from pathlib import Path

from . import NOTE

AMIS = Path(__file__).resolve().parents[1] / "moto" / "amis.json"
# The double's own credentials: not secrets, they open nothing but this process (moto maps an
# unknown access key to its default account, 123456789012).
ACCESS_KEY_ID = "AKIAVPNLABMOTO000000"
SECRET_ACCESS_KEY = "vpnlab-moto-secret"


def client_env(endpoint, region):
    return {"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": ACCESS_KEY_ID,
            "AWS_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY, "AWS_DEFAULT_REGION": region,
            "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}


def _parser(defaults):
    parser = argparse.ArgumentParser(prog="python -m tests.aws_double", description=NOTE)
    parser.add_argument("--state-dir", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--region", default="eu-central-1")
    for key, value in defaults.items():
        kind = str if isinstance(value, list) else type(value)
        parser.add_argument("--" + key.replace("_", "-"), type=kind, help="default: %s" % (value,))
    return parser


def _write_info(state_dir, info):
    tmp = os.path.join(state_dir, "double.json.tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(info, handle, indent=2)
    os.replace(tmp, os.path.join(state_dir, "double.json"))


def _serve(server):
    """Serve until SIGTERM, then exit at once: finalising moto's modules takes over a second and
    nothing is left to write (the request log is written line by line)."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server.serve_forever(poll_interval=0.2)
    except SystemExit:
        pass
    server.server_close()
    sys.stdout.flush()
    os._exit(0)  # pylint: disable=protected-access


def _moto_environment():
    """What moto reads when it is imported: the project's AMIs (moto has no Ubuntu 24.04) and
    AMI validation, as tests/moto/in_netns.sh sets them for moto_server."""
    os.environ.setdefault("MOTO_AMIS_PATH", str(AMIS))
    os.environ.setdefault("MOTO_ENABLE_AMI_VALIDATION", "true")


def main(argv=None):
    _moto_environment()
    # Imported only now: moto must see the environment above.
    from . import patches  # pylint: disable=import-outside-toplevel
    from .server import Double, serve  # pylint: disable=import-outside-toplevel
    from .settings import DEFAULT_CONFIG  # pylint: disable=import-outside-toplevel

    parser = _parser(DEFAULT_CONFIG)
    args = parser.parse_args(argv)
    os.makedirs(args.state_dir, mode=0o700, exist_ok=True)
    try:
        double = Double(args.state_dir, args.region,
                        {k: getattr(args, k) for k in DEFAULT_CONFIG if getattr(args, k) is not None})
    except ValueError as exc:
        parser.error(str(exc))
    patches.install(double)
    double.prepare()
    server = serve(double, args.port)
    endpoint = "http://127.0.0.1:%d" % server.port
    _write_info(args.state_dir, {"port": server.port, "pid": os.getpid(), "endpoint": endpoint,
                                 "log": double.log_path, "env": client_env(endpoint, args.region), "note": NOTE})
    print("%s on %s (pid %d)" % (NOTE, endpoint, os.getpid()), flush=True)
    _serve(server)


if __name__ == "__main__":
    main()

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TEST DOUBLE: the HTTPS proxy in front of the fake ARM and login hosts, and its request log.

Clients reach it the way they reach Azure, through ``HTTPS_PROXY=http://127.0.0.1:<port>``: a
``CONNECT`` to management.azure.com:443 or login.microsoftonline.com:443 is answered by this
process itself (TLS with a certificate from a throwaway CA), any other host is refused with 403
and logged, so a client that strays fails at once. Plain HTTP on the same port serves the
tests' control API under ``/_double/`` (request log, configuration, connection status).
"""

from __future__ import annotations

import hashlib
import json
import os
import socketserver
import ssl
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from .arm import Arm
from .certs import HOSTS
from .identity import Identity
from .providers import ArmError

SECRET_KEYS = {"sharedkey", "client_secret", "adminpassword", "password", "client_assertion"}
DEFAULT_CONFIG = {
    "gateway_delay": 2.0,          # seconds a VPN gateway takes to create (Azure: 30-45 min)
    "gateway_delete_delay": 1.0,
    "connection_delay": 0.5,       # seconds a connection create/delete takes
    "operation_delay": 0.2,        # every other network/compute write
    "group_delete_delay": 0.5,
    "max_poll_ms": 1000,           # longest Retry-After-Ms the double asks for
    "public_ip_pool": "198.51.100.0/24",
}


def fingerprint(value):
    """What the log keeps of a secret: enough to compare with the expected one, not the secret."""
    return "<redacted sha256:%s>" % hashlib.sha256(str(value).encode("utf-8")).hexdigest()[:16]


def redact(obj, path=""):
    if isinstance(obj, dict):
        return {k: (fingerprint(v) if k.lower() in SECRET_KEYS or
                    (k == "value" and path.lower().endswith("/sharedkey")) else redact(v, path))
                for k, v in obj.items()}
    if isinstance(obj, list):
        return [redact(v, path) for v in obj]
    return obj


class Double:
    """The state shared by the handler threads: ARM, identity, configuration, request log."""

    def __init__(self, state_dir, subscription, tenant, client_id, client_secret, config=None):
        self.config = dict(DEFAULT_CONFIG, **(config or {}))
        self.state_dir = state_dir
        self.arm = Arm(subscription, tenant, self.config)
        self.identity = Identity(tenant, client_id, client_secret)
        self.requests = []
        self.log_lock = threading.Lock()
        self.log_path = os.path.join(state_dir, "requests.jsonl")

    def record(self, entry):
        with self.log_lock:
            entry["seq"] = len(self.requests) + 1
            entry["time"] = round(time.time(), 3)
            self.requests.append(entry)
            with open(self.log_path, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(entry, sort_keys=True) + "\n")

    def reset(self):
        with self.arm.lock, self.log_lock:
            self.arm.resources.clear()
            self.arm.operations.clear()
            self.arm.public_ips.used.clear()
            self.requests.clear()
            open(self.log_path, "w", encoding="utf-8").close()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "vpnlab-azure-test-double/1"
    tunnel_host = None

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    @property
    def double(self):
        return self.server.double

    # --- proxy ------------------------------------------------------------------------------

    def do_CONNECT(self):  # noqa: N802 - http.server's naming
        host, port = (self.path.split(":", 1) + [""])[:2]
        if self.tunnel_host is not None or host.lower() not in HOSTS or port not in ("443", ""):
            self.double.record({"host": host, "method": "CONNECT", "path": self.path, "status": 403,
                                "refused": True})
            self._send(403, {"error": "test double: refusing CONNECT to %s (only %s)"
                             % (self.path, ", ".join(HOSTS))}, close=True)
            return
        self.send_response(200, "Connection established")
        self.end_headers()
        try:
            tls = self.server.tls.wrap_socket(self.connection, server_side=True)
        except (ssl.SSLError, OSError):
            self.close_connection = True
            return
        self.connection = tls
        self.rfile = tls.makefile("rb", -1)
        self.wfile = socketserver._SocketWriter(tls)  # pylint: disable=protected-access
        self.tunnel_host = host.lower()
        self.close_connection = False

    def _dispatch(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.tunnel_host is None:
            self._control(body)
            return
        if (self.headers.get("Host") or "").split(":")[0].lower() != self.tunnel_host:
            self._send(421, {"error": "Host header does not match the CONNECT host"})
            return
        if self.tunnel_host == "login.microsoftonline.com":
            status, headers, payload = self.double.identity.handle(self.command, self.path, body)
            entry = {"form": redact({k: v[-1] for k, v in parse_qs(body.decode("utf-8")).items()})} if body else {}
        else:
            status, headers, payload, entry = self._arm(body)
        url = urlsplit(self.path)
        entry.update(host=self.tunnel_host, method=self.command, path=url.path,
                     query={k: v[-1] for k, v in parse_qs(url.query).items()}, status=status)
        if isinstance(payload, dict) and isinstance(payload.get("error"), dict):
            entry["error"] = payload["error"].get("code")
        self.double.record(entry)
        self._send(status, payload, headers)

    def _arm(self, body):
        entry = {}
        try:
            data = json.loads(body) if body else None
        except ValueError:
            return 400, {}, {"error": {"code": "InvalidRequestContent", "message": "not JSON"}}, entry
        if data is not None:
            entry["body"] = redact(data, urlsplit(self.path).path)
        if not self.double.identity.valid_token(self.headers.get("Authorization")):
            return 401, {"WWW-Authenticate": 'Bearer authorization_uri="https://login.microsoftonline.com/%s", '
                         'error="invalid_token"' % self.double.arm.tenant}, {
                "error": {"code": "InvalidAuthenticationToken",
                          "message": "The access token is missing or invalid (test double)."}}, entry
        try:
            status, headers, payload = self.double.arm.handle(self.command, self.path, data)
        except ArmError as exc:
            status, headers, payload = exc.status, {}, exc.body()
        except Exception as exc:  # pylint: disable=broad-except
            # A fault of the double, not of the client: say so, loudly, in the answer and the log.
            traceback.print_exc()
            status, headers, payload = 500, {}, {"error": {"code": "TestDoubleBug", "message": repr(exc)}}
        return status, headers, payload, entry

    do_GET = do_PUT = do_POST = do_PATCH = do_DELETE = do_HEAD = _dispatch  # noqa: N815

    # --- control API (plain HTTP, tests only) ---------------------------------------------------

    def _control(self, body):
        path = urlsplit(self.path).path
        if self.path.startswith("http://") or not path.startswith("/_double/"):
            self.double.record({"host": urlsplit(self.path).hostname or "", "method": self.command,
                                "path": self.path, "status": 403, "refused": True})
            self._send(403, {"error": "test double: only CONNECT to %s is proxied" % ", ".join(HOSTS)},
                       close=True)
            return
        data = json.loads(body) if body else {}
        double = self.double
        if path == "/_double/health":
            self._send(200, {"ok": True, "pid": os.getpid(), "config": double.config})
        elif path == "/_double/requests":
            with double.log_lock:
                self._send(200, list(double.requests))
        elif path == "/_double/resources":
            self._send(200, double.arm.inventory())
        elif path == "/_double/snapshot":
            self._send(200, double.arm.snapshot())
        elif path == "/_double/reset" and self.command == "POST":
            double.reset()
            self._send(200, {"ok": True})
        elif path == "/_double/config" and self.command == "POST":
            unknown = set(data) - set(DEFAULT_CONFIG)
            if unknown:
                self._send(400, {"error": "unknown settings %s" % sorted(unknown)})
                return
            double.config.update(data)
            self._send(200, double.config)
        elif path == "/_double/connection-status" and self.command == "POST":
            try:
                count = double.arm.set_connection_status(data["name"], data["connectionStatus"],
                                                         int(data.get("ingressBytesTransferred", 0)),
                                                         int(data.get("egressBytesTransferred", 0)))
            except ArmError as exc:
                self._send(exc.status, exc.body())
                return
            self._send(200, {"updated": count})
        elif path == "/_double/bgp" and self.command == "POST":
            try:
                count = double.arm.set_bgp(data["gateway"], data.get("peers") or [], data.get("routes") or [])
            except ArmError as exc:
                self._send(exc.status, exc.body())
                return
            except (KeyError, TypeError) as exc:
                self._send(400, {"error": "give gateway, peers [{neighbor, state, routesReceived}] and routes "
                                          "[{network, sourcePeer, origin}]: %s" % exc})
                return
            self._send(200, {"updated": count})
        else:
            self._send(404, {"error": "no control endpoint %s" % path})

    # --- responses -------------------------------------------------------------------------------

    def _send(self, status, payload, headers=None, close=False):
        data = b"" if payload is None else json.dumps(payload).encode("utf-8")
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("x-ms-request-id", os.urandom(16).hex())
        if data:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", "0" if self.command == "HEAD" else str(len(data)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if data and self.command != "HEAD":
            self.wfile.write(data)


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port, double, tls):
        self.double, self.tls = double, tls
        super().__init__(("127.0.0.1", port), Handler)

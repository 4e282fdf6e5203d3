# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TEST DOUBLE: moto's server application in this process, behind a thin WSGI layer.

The layer answers the control API (``/_aws_double/``, control.py), turns moto's own
``POST /moto-api/reset`` into a reset of the double as a whole, and passes everything else to
moto's ``DomainDispatcherApplication`` one request at a time (moto's models are not written for
concurrent requests, and one at a time also keeps the seeded draws in a fixed order). Each AWS
request is appended to ``requests.jsonl``: service, action, parameters, status, error code, with
pre-shared keys replaced by fingerprints. werkzeug serves it, threaded, on 127.0.0.1 only.
"""

from __future__ import annotations

import io
import json
import os
import random
import re
import threading
import time
from urllib.parse import parse_qsl

from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ec2.models import ec2_backends
from moto.moto_api._internal.models import moto_api_backend
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

from tests.azure_double.server import fingerprint

from . import control, settings
from .addresses import Addresses
from .consistency import FreshIds

CONTROL_PREFIX = "/_aws_double/"
CREDENTIAL_RE = re.compile(r"Credential=[^/]+/[^/]+/([^/]+)/([^/]+)/")
ERROR_CODE_RE = re.compile(rb"<Code>([^<]*)</Code>")
LONG_VALUE = 200


def _shown(key, value):
    """A request parameter as the log keeps it: keys fingerprinted, long values cut."""
    if key.endswith("PreSharedKey"):
        return fingerprint(value)
    if len(value) > LONG_VALUE:
        return "%s... (%d characters)" % (value[:60], len(value))
    return value


def _truncate(path):
    with open(path, "w", encoding="utf-8"):
        pass


def log_entry(environ, body, status, payload):
    params = dict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
    if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    scope = CREDENTIAL_RE.search(environ.get("HTTP_AUTHORIZATION", ""))
    entry = {"action": params.pop("Action", None), "service": scope.group(2) if scope else None,
             "region": scope.group(1) if scope else None, "status": status,
             "params": {k: _shown(k, v) for k, v in params.items() if k != "Version"}}
    if entry["action"] is None:
        entry.update(method=environ.get("REQUEST_METHOD"), path=environ.get("PATH_INFO"))
    code = ERROR_CODE_RE.search(payload) if status >= 400 else None
    if code:
        entry["error"] = code.group(1).decode("utf-8", "replace")
    return entry


class Double:
    """The state the request threads share: settings, draws, fresh ids, addresses, the log."""

    def __init__(self, state_dir, region, config=None):
        self.config = settings.checked(settings.DEFAULT_CONFIG, config or {})
        self.region = region
        self.lock = threading.RLock()
        self.in_request = self.exempt = False
        self.fresh = FreshIds()
        self.addresses = Addresses(self.config["seed"])
        self.rng = random.Random(self.config["seed"])
        self.requests = []
        self.log_path = os.path.join(state_dir, "requests.jsonl")
        _truncate(self.log_path)
        self.moto = DomainDispatcherApplication(create_backend_app)

    def prepare(self):
        """Create the region's backend now, so its default VPC is not born inside a request."""
        return ec2_backends[DEFAULT_ACCOUNT_ID][self.region]

    def reset(self):
        with self.lock:
            moto_api_backend.reset()
            self.fresh.clear()
            self.addresses.reset(self.config["seed"])
            self.rng.seed(self.config["seed"])
            self.requests.clear()
            _truncate(self.log_path)
            self.prepare()

    def configure(self, updates):
        with self.lock:
            self.config = settings.checked(self.config, updates)
            if "seed" in updates:
                self.rng.seed(self.config["seed"])
                self.addresses.rng.seed(self.config["seed"])

    def record(self, entry):
        with self.lock:
            entry.update(seq=len(self.requests) + 1, time=round(time.time(), 3))
            self.requests.append(entry)
            with open(self.log_path, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(entry, sort_keys=True) + "\n")


def _json(start_response, status, payload):
    data = json.dumps(payload).encode("utf-8")
    start_response("%d %s" % (status, "OK" if status < 400 else "Error"),
                   [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


def _read_body(environ):
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


MACHINERY_AGENT = "vpnlab-rehearsal-realizer"


class Application:
    """The WSGI application werkzeug serves (see the module docstring)."""

    def __init__(self, double):
        self.double = double

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith(CONTROL_PREFIX):
            return self._control(environ, start_response, path[len(CONTROL_PREFIX):])
        if path == "/moto-api/reset" and environ.get("REQUEST_METHOD") == "POST":
            self.double.reset()
            return _json(start_response, 200, {"status": "ok"})
        return self._aws(environ, start_response)

    def _control(self, environ, start_response, name):
        try:
            body = _read_body(environ)
            data = json.loads(body) if body else {}
        except ValueError:
            return _json(start_response, 400, {"error": "the body is not JSON"})
        try:
            with self.double.lock:
                status, payload = control.handle(self.double, environ.get("REQUEST_METHOD"), name, data)
        except control.ControlError as exc:
            status, payload = exc.status, {"error": str(exc)}
        return _json(start_response, status, payload)

    def _aws(self, environ, start_response):
        body = _read_body(environ)
        seen = {}

        def capture(status, headers, exc_info=None):
            seen["status"] = int(status.split(" ", 1)[0])
            return start_response(status, headers, exc_info)

        # The rehearsal's realizer reads EC2 as AWS's own machinery would: no eventual-consistency
        # faults for it, and its polling stays out of the request log.
        machinery = MACHINERY_AGENT in environ.get("HTTP_USER_AGENT", "")
        with self.double.lock:
            self.double.in_request, self.double.exempt = True, machinery
            try:
                answer = self.double.moto(environ, capture)
                chunks = list(answer)
                getattr(answer, "close", lambda: None)()
            finally:
                self.double.in_request = self.double.exempt = False
            if not machinery:
                self.double.record(log_entry(environ, body, seen["status"], b"".join(chunks)))
        return chunks


class QuietRequestHandler(MotoRequestHandler):
    def log_request(self, code="-", size="-"):
        """The double keeps its own log (requests.jsonl); werkzeug's line per request is noise."""


def serve(double, port):
    """werkzeug's threaded server on 127.0.0.1 (never another address), not yet serving."""
    return make_server("127.0.0.1", port, Application(double), threaded=True, request_handler=QuietRequestHandler)

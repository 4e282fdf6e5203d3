# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One strongSwan charon per lab gateway namespace, driven over VICI (strongSwan's `vici`).

Each charon needs its own config, its own VICI socket and a private /run (its PID file path is
fixed), hence `unshare -m` with a tmpfs on /run inside `ip netns exec`. The config's path goes
in the environment (STRONGSWAN_CONF), never into a command line or a script.
"""

from __future__ import annotations

import os
import socket
import traceback
from typing import Any, Iterable, Mapping, Sequence

from ansible_collections.multicloud.vpnlab.plugins.module_utils._local import daemon
from ansible_collections.multicloud.vpnlab.plugins.module_utils.files import read_text, update
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.topology import SOCKET_PATH_MAX, VICI_SOCKET
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.swan import (
    gateway_config, sa_detail, sa_status, side_dpd_timeout, strongswan_conf,
)

try:
    import vici
    HAS_VICI = True
    VICI_IMPORT_ERROR = None
except ImportError:
    HAS_VICI = False
    VICI_IMPORT_ERROR = traceback.format_exc()

CHARON = "/usr/lib/ipsec/charon"
# A constant script: charon's path reaches it as a positional parameter, never as code.
START_SCRIPT = 'mount -t tmpfs -o mode=0755 tmpfs /run && exec "$1"'
STREAMED = ("list_sas", "list_conns", "initiate", "terminate")


class CharonError(RuntimeError):
    """charon did not start, did not answer or refused a request."""


def _text(value):
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def decode(data: Any) -> Any:
    """VICI answers carry bytes; turn them into str recursively."""
    if isinstance(data, dict):
        return {_text(k): decode(v) for k, v in data.items()}
    if isinstance(data, list):
        return [decode(v) for v in data]
    return _text(data)


class Charon:
    def __init__(self, directory: str, netns: str) -> None:
        self.directory, self.netns = directory, netns
        self.conf = os.path.join(directory, "strongswan.conf")
        self.socket = os.path.join(directory, VICI_SOCKET)
        self.pid_file = os.path.join(directory, "charon.pid")
        self.log = os.path.join(directory, "charon.log")

    def pid(self) -> int | None:
        pid = daemon.read_pid(self.pid_file)
        return pid if daemon.alive(pid, "charon", self.netns) else None

    def write_conf(self, dpd_timeout: int, install_routes: bool = True) -> bool:
        """Write strongswan.conf; True when it changed."""
        return update(self.conf, strongswan_conf(self.directory, dpd_timeout, install_routes), mode=0o644)

    def start_argv(self) -> list[str]:
        return ["ip", "netns", "exec", self.netns, "unshare", "-m", "sh", "-c", START_SCRIPT,
                "vpnlab-charon", CHARON]

    def start_env(self) -> dict[str, str]:
        return dict(os.environ, STRONGSWAN_CONF=self.conf)

    # charon opens its VICI socket in about a second; on a loaded 2-core machine (a CI run with
    # three test workers and the rehearsal) it once took more than 45 s, so the bound is
    # generous; a charon that exits meanwhile is reported at once, with the end of its log.
    def start(self, timeout: float = 120.0) -> int:
        # A socket that answers belongs to a running charon (not ours by its pid file, or pid()
        # would have said so): removing it would orphan that charon, not replace it.
        if len(self.socket.encode()) > SOCKET_PATH_MAX:
            # charon would bind a truncated name and never be found (the plan refuses such a
            # state directory; this guards a directory given otherwise).
            raise CharonError("the VICI socket path %s is %d bytes, over the %d a Unix socket path "
                              "can have: use a shorter VPNLAB_HOME or lab name"
                              % (self.socket, len(self.socket.encode()), SOCKET_PATH_MAX))
        if self._answers():
            raise CharonError("a charon already answers on %s but %s does not name it; stop it "
                              "first (make destroy)" % (self.socket, self.pid_file))
        if os.path.lexists(self.socket):
            os.unlink(self.socket)  # stale: nothing answers on it
        pid = daemon.spawn(self.start_argv(), self.log, env=self.start_env())
        daemon.write_pid(self.pid_file, pid)
        daemon.wait_for(lambda: self._answers() or daemon.exited(pid), timeout)
        if not self._answers():
            why = ("exited before it opened its VICI socket" if daemon.exited(pid)
                   else "did not open its VICI socket within %gs" % timeout)
            raise CharonError("charon in %s %s; the end of %s:\n%s"
                              % (self.netns, why, self.log, daemon.log_tail(self.log)))
        return pid

    def stop(self) -> None:
        pid = self.pid()
        if pid:
            daemon.stop(pid)
        if os.path.lexists(self.pid_file):
            os.unlink(self.pid_file)
        if os.path.lexists(self.socket) and not self._answers():
            os.unlink(self.socket)

    def _answers(self):
        try:
            self.session().version()
            return True
        except (OSError, CharonError):
            return False

    def session(self) -> Any:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(30)
        try:
            sock.connect(self.socket)
        except OSError:
            sock.close()
            raise
        return vici.Session(sock)

    def call(self, method: str, *args: Any) -> Any:
        """A VICI request, its answer decoded; refusals become CharonError without secrets."""
        try:
            result = getattr(self.session(), method)(*args)
            # Streamed answers fail while they are read, not when they are asked for.
            if method in STREAMED:
                result = list(result)
        except vici.exception.CommandException as exc:
            raise CharonError("charon in %s refused %s: %s" % (self.netns, method, exc)) from None
        return decode(result)

    def load(self, conns: Mapping[str, Any], secrets: Iterable[Mapping[str, Any]]) -> None:
        """Secrets first, then connections: a connection loaded before its PSK can fail its
        first IKE_AUTH and is not retried (seen with 5.9.8)."""
        for item in secrets:
            self.call("load_shared", item)
        for name, body in conns.items():
            self.call("load_conn", {name: body})
        loaded = {name for entry in self.call("list_conns") for name in entry}
        for stale in sorted(loaded - set(conns)):
            self.call("unload_conn", {"name": stale})

    def initiate(self, name: str, timeout_ms: int = -1) -> None:
        """Start a tunnel; by default without waiting for it (-1), its state is polled."""
        self.call("initiate", {"child": name, "ike": name, "timeout": str(timeout_ms)})

    def status(self, conns: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Per connection: name, outside_ip, status (up/down), CHILD SA byte/packet counters,
        and the evidence's `source` and `detail` (why it is in that state)."""
        sas = self.call("list_sas")
        tunnels = []
        for name, body in sorted(conns.items()):
            state, b_in, b_out, p_in, p_out = sa_status(name, sas)
            remote = body["remote_addrs"][0]
            tunnels.append({"name": name, "outside_ip": remote,
                            "local_ip": body["local_addrs"][0], "status": state,
                            "bytes_in": b_in, "bytes_out": b_out,
                            "packets_in": p_in, "packets_out": p_out,
                            "source": self.source(), "detail": sa_detail(name, remote, sas)})
        return tunnels

    def source(self) -> str:
        return "strongSwan in %s (VICI list-sas)" % self.netns

    def loaded_conns(self) -> dict[str, dict[str, Any]]:
        """The connections charon has, in load-conn shape (for status without the tunnels)."""
        conns = {}
        for entry in self.call("list_conns"):
            for name, body in entry.items():
                conns[name] = {"remote_addrs": body.get("remote_addrs") or ["?"],
                               "local_addrs": body.get("local_addrs") or ["?"]}
        return conns


def evidence(charon: Charon, expected: Iterable[Mapping[str, Any]] = ()) -> list[dict[str, Any]]:
    """Tunnel evidence records for the connectivity check, one per expected tunnel (name,
    outside_ip) and per other loaded connection. A gateway that is not running, or a tunnel
    it has not loaded, is reported down with the reason, instead of failing the check."""
    if not charon.pid():
        why = "the VPN gateway's strongSwan is not running in %s" % charon.netns
        return [dict(_empty(t), status="down", source=charon.source(), detail=why)
                for t in expected]
    found: dict[str, Any] = {t["name"]: t for t in charon.status(charon.loaded_conns())}
    records = [found.pop(t["name"], None) or dict(
        _empty(t), status="down", bytes_in=0, bytes_out=0, source=charon.source(),
        detail="the gateway has no connection %s loaded" % t["name"]) for t in expected]
    return records + [found[name] for name in sorted(found)]


def _empty(tunnel):
    return {"name": tunnel["name"], "outside_ip": tunnel.get("outside_ip"),
            "bytes_in": None, "bytes_out": None}


def ensure_running(charon: Charon, check_mode: bool, dpd_timeout: int, install_routes: bool = True) -> bool:
    """Start charon (restart it on a changed config); returns whether anything changed. Without
    ``install_routes`` charon routes nothing (the BGP design: the routes are learned)."""
    if not os.path.exists(os.path.join(daemon.NETNS_DIR, charon.netns)):
        if check_mode:  # a dry run of a new lab: the namespace would exist by now
            return True
        raise CharonError("network namespace %s does not exist" % charon.netns)
    conf_stale = read_text(charon.conf) != strongswan_conf(charon.directory, dpd_timeout, install_routes)
    pid = charon.pid()
    if pid and not conf_stale:
        return False
    if check_mode:
        return True
    if pid:
        charon.stop()
    os.makedirs(os.path.dirname(charon.directory), mode=0o700, exist_ok=True)
    os.makedirs(charon.directory, mode=0o700, exist_ok=True)
    charon.write_conf(dpd_timeout, install_routes)
    charon.start()
    return True


def ensure_tunnels(charon: Charon, tunnels: Sequence[Mapping[str, Any]], side: str, local_ts: str | None,
                   remote_ts: str | None, check_mode: bool, restarted: bool, wait_timeout: float = 30,
                   dpd_timeout: int | None = None,
                   selectors: Mapping[str, Mapping[str, Sequence[str]]] | None = None) -> tuple[bool, dict[str, Any]]:
    """Load the tunnels (when they changed) and, on the initiating Azure side, bring them up.

    Returns (changed, connections by name); raises CharonError when they do not come up.
    """
    conns, secrets, digest = gateway_config(tunnels, side, local_ts, remote_ts, dpd_timeout, selectors)
    if check_mode and not charon.pid():
        return True, conns
    digest_file = os.path.join(charon.directory, "loaded.sha256")
    loaded = set(charon.loaded_conns()) if charon.pid() else set()
    changed = restarted or read_text(digest_file) != digest or loaded != set(conns)
    if changed and not check_mode:
        charon.load(conns, secrets)
        update(digest_file, digest)
    if side != "azure" or check_mode:
        return changed, conns
    for tunnel in charon.status(conns):
        if tunnel["status"] != "up":
            changed = True
            try:
                charon.initiate(tunnel["name"])
            except CharonError:
                pass  # reported below with the state after waiting
    if not daemon.wait_for(lambda: all(t["status"] == "up" for t in charon.status(conns)),
                           wait_timeout, interval=0.2):
        raise CharonError("tunnels not up after %ds: %s; see %s" % (
            wait_timeout, ", ".join("%s %s" % (t["name"], t["status"])
                                    for t in charon.status(conns)), charon.log))
    return changed, conns


def converge_gateway(charon: Charon, tunnels: Sequence[Mapping[str, Any]], side: str, local_ts: str | None,
                     remote_ts: str | None, check_mode: bool, wait_timeout: float = 30,
                     dpd_timeout: int | None = None,
                     selectors: Mapping[str, Mapping[str, Sequence[str]]] | None = None,
                     install_routes: bool = True) -> tuple[bool, list[dict[str, Any]]]:
    """The gateway running with `tunnels` loaded (and up on the Azure side), declaring a silent
    peer dead within `dpd_timeout` seconds (default: side_dpd_timeout).

    Returns (changed, status of each tunnel)."""
    dpd_timeout = side_dpd_timeout(side, tunnels, dpd_timeout)
    changed = ensure_running(charon, check_mode, dpd_timeout, install_routes)
    conns: dict[str, Any] = {}
    if tunnels:
        tunnels_changed, conns = ensure_tunnels(charon, tunnels, side, local_ts, remote_ts,
                                                check_mode, changed, wait_timeout, dpd_timeout, selectors)
        changed = changed or tunnels_changed
    elif charon.pid():
        conns = charon.loaded_conns()
    return changed, (charon.status(conns) if charon.pid() and conns else [])

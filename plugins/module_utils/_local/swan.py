# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""strongSwan configuration of the local gateways, from normalised tunnels (pure).

The Azure side is the initiator (AWS never initiates IKE) with one connection per AWS tunnel;
the AWS side answers on each tunnel's outside address. Both take their algorithms from the
tunnel options, as read by tunnel_options, so the local lab uses what the cloud would.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Iterable, Mapping, Optional, Sequence

from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws.spec import DPD_DEFAULT_SECONDS as AWS_DPD_DEFAULT
from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.spec import (
    DPD_DEFAULT_SECONDS as AZURE_DPD_DEFAULT, DPD_RANGE_SECONDS as AZURE_DPD_RANGE)
from ansible_collections.multicloud.vpnlab.plugins.module_utils import crypto

PLUGINS = ("random nonce openssl pem pkcs1 x509 pubkey kdf sha1 sha2 aes hmac gmp curve25519 "
           "kernel-libipsec kernel-netlink socket-default vici updown")
# A silent peer is declared dead by DPD: a request after `dpd_delay` seconds without inbound
# traffic, then retransmissions after t, t*b, t*b^2, t*b^3 (strongSwan's retransmit_timeout,
# _base and _tries), giving up after t * (1 + b + b^2 + b^3).
RETRANSMIT_BASE = 1.4
RETRANSMIT_TRIES = 3
RETRANSMIT_SPAN = sum(RETRANSMIT_BASE ** n for n in range(RETRANSMIT_TRIES + 1))
RETRANSMIT_FIRST_MAX = 4.0
# Seconds kept in hand for the restart of the dead SA and the switch to the other tunnel.
DPD_MARGIN = 1.0
# The clouds' defaults (their specs): Azure's DPD timeout, AWS's (also its minimum).
DPD_TIMEOUTS = {"azure": AZURE_DPD_DEFAULT, "aws": AWS_DPD_DEFAULT}
# The shortest DPD timeout a gateway honours: Azure's minimum (AWS's is longer).
DPD_SHORTEST = AZURE_DPD_RANGE[0]


# Without routes from charon: install_routes is kernel-netlink's switch, but kernel-libipsec
# routes each outbound policy itself, into charon.routing_table (220); that table is then looked
# up last (its rule after the main table's, which has a default route), so its routes are never
# used and the main table's (BGP's) decide.
ROUTING_TABLE_LAST = 32800
NO_ROUTES = "  install_routes = no\n  routing_table_prio = %d\n" % ROUTING_TABLE_LAST


class SwanConfigError(ValueError):
    """The tunnels ask for something the lab cannot or must not configure."""


def _names(name, values, what, tunnel):
    try:
        return [name(v) for v in values]
    except KeyError as exc:
        raise SwanConfigError("%s: %s %s is not supported by the lab gateways"
                              % (tunnel, what, exc.args[0])) from None


def _groups(values, tunnel):
    strong = [g for g in values if g not in crypto.WEAK_DH]
    if not strong:
        raise SwanConfigError("%s: DH groups %s are all weaker than group 14; allow 14 or "
                              "stronger (15-21)" % (tunnel, values))
    return _names(crypto.strongswan_dh, strong, "DH group", tunnel)


def proposal(phase: Mapping[str, Any], tunnel: str, with_prf: bool) -> list[str]:
    """One strongSwan proposal string from a tunnel's phase1/phase2 algorithms."""
    enc = _names(lambda a: crypto.strongswan_name(crypto.ENCRYPTION, a),
                 phase["encryption_algorithms"], "encryption", tunnel)
    integ = _names(lambda a: crypto.strongswan_name(crypto.INTEGRITY, a),
                   phase["integrity_algorithms"], "integrity", tunnel)
    groups = _groups(phase["dh_group_numbers"], tunnel)
    aead = [e for e in enc if "gcm" in e]
    plain = [e for e in enc if "gcm" not in e]
    proposals = []
    if plain:
        proposals.append("-".join(plain + integ + groups))
    if aead:
        prf = ["prf" + i for i in integ] if with_prf else []
        proposals.append("-".join(aead + prf + groups))
    return proposals


def _check_ikev2(tunnel):
    if "ikev2" not in (tunnel.get("ike_versions") or []):
        raise SwanConfigError("%s: IKEv2 is not allowed (ike_versions %s); the Azure VPN gateway "
                              "needs IKEv2" % (tunnel["name"], tunnel.get("ike_versions")))


def dpd_settings(timeout: float) -> dict[str, float]:
    """DPD delay and retransmission settings that declare a silent peer dead within `timeout`
    seconds of its last packet: a third of it waiting, the rest (less a margin) retransmitting.

    Azure allows 9-3600 s, AWS at least 30 s (_azure/spec.py, _aws/spec.py). Returns dpd_delay (whole seconds),
    retransmit_timeout (seconds) and declared_dead_s, the worst case.
    """
    timeout = float(timeout)
    if timeout < DPD_SHORTEST:
        raise SwanConfigError("DPD timeout %gs is below %d s, the shortest Azure allows" % (timeout, DPD_SHORTEST))
    delay = max(1, int(round(timeout / 3.0)))
    # charon's own first retransmission (4 s) at most: it also paces IKE_SA_INIT at start-up.
    first = round(min(RETRANSMIT_FIRST_MAX, max(0.2, (timeout - delay - DPD_MARGIN)
                                                / RETRANSMIT_SPAN)), 2)
    delay = max(delay, int(timeout - DPD_MARGIN - first * RETRANSMIT_SPAN))
    return {"dpd_delay": delay, "retransmit_timeout": first,
            "declared_dead_s": round(delay + first * RETRANSMIT_SPAN, 1)}


def side_dpd_timeout(side: str, tunnels: Optional[Iterable[Mapping[str, Any]]] = (), given: Optional[float] = None) -> int:
    """The DPD timeout a gateway honours: given, else (AWS side) its tunnels' shortest
    dpd_timeout_seconds, else the cloud's default."""
    if given:
        return int(given)
    found: list[Any] = [t.get("dpd_timeout_seconds") for t in tunnels or () if t.get("dpd_timeout_seconds")]
    return int(min(found)) if side == "aws" and found else DPD_TIMEOUTS[side]


def _selectors(value: Optional[str] | Sequence[str]) -> list[Optional[str]]:
    return [value] if value is None or isinstance(value, str) else list(value)


def connection(tunnel: Mapping[str, Any], side: str, local_ts: Optional[str] | Sequence[str],
               remote_ts: Optional[str] | Sequence[str], dpd_timeout: Optional[float] = None) -> dict[str, Any]:
    """The vici `load-conn` body for one tunnel, seen from `side` (azure or aws). A traffic
    selector is one network or several (the BGP design's: the session's two inside addresses
    and the clouds' prefixes)."""
    _check_ikev2(tunnel)
    name = tunnel["name"]
    cgw, vgw = tunnel["cgw_outside_address"], tunnel["outside_ip_address"]
    if not cgw:
        raise SwanConfigError("%s: the customer gateway's outside address is unknown" % name)
    local_ip, remote_ip = (cgw, vgw) if side == "azure" else (vgw, cgw)
    child = {
        "local_ts": _selectors(local_ts), "remote_ts": _selectors(remote_ts), "mode": "tunnel",
        "esp_proposals": proposal(tunnel["phase2"], name, with_prf=False),
        "rekey_time": "%ds" % tunnel["phase2"]["lifetime_seconds"],
        "start_action": "none",
        # Azure keeps its tunnels up; AWS clears a dead peer's SA (its DpdTimeoutAction).
        "dpd_action": "restart" if side == "azure" else "clear",
        "close_action": "start" if side == "azure" else "none",
    }
    return {
        "version": "2", "local_addrs": [local_ip], "remote_addrs": [remote_ip],
        # The lab's ESP runs in userspace (kernel-libipsec): UDP encapsulation is required.
        "encap": "yes", "mobike": "no",
        "proposals": proposal(tunnel["phase1"], name, with_prf=True),
        "rekey_time": "%ds" % tunnel["phase1"]["lifetime_seconds"],
        "dpd_delay": "%ds" % dpd_settings(dpd_timeout or DPD_TIMEOUTS[side])["dpd_delay"],
        "keyingtries": "0" if side == "azure" else "1",
        "local": {"auth": "psk", "id": local_ip},
        "remote": {"auth": "psk", "id": remote_ip},
        "children": {name: child},
    }


def secret(tunnel: Mapping[str, Any]) -> dict[str, Any]:
    """The vici `load-shared` body for a tunnel's PSK."""
    return {"id": "psk-" + tunnel["name"], "type": "IKE", "data": tunnel["pre_shared_key"],
            "owners": [tunnel["cgw_outside_address"], tunnel["outside_ip_address"]]}


def gateway_config(tunnels: Sequence[Mapping[str, Any]], side: str, local_ts: Optional[str], remote_ts: Optional[str],
                   dpd_timeout: Optional[float] = None,
                   selectors: Optional[Mapping[str, Mapping[str, Sequence[str]]]] = None,
                   ) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]], str]:
    """(connections by name, secrets, digest) for one gateway; the digest covers the secrets
    without storing them, so a re-run can tell whether anything must be reloaded.

    ``selectors`` (the BGP design's, plan.local.bgp.selectors[side]) are keyed by a tunnel's
    inside CIDR, unique across the design's VPN connections: ``{name, local, remote}`` give that
    tunnel its name in the lab (``vpn2-tunnel1``: each AWS connection calls its own tunnels
    tunnel1 and tunnel2) and its selectors, in place of ``local_ts`` and ``remote_ts``."""
    named = []
    for tunnel in tunnels:
        chosen = (selectors or {}).get(tunnel.get("tunnel_inside_cidr") or "")
        named.append((dict(tunnel, name=chosen["name"]) if chosen else tunnel, chosen or {}))
    conns = {t["name"]: connection(t, side, chosen.get("local", local_ts), chosen.get("remote", remote_ts), dpd_timeout)
             for t, chosen in named}
    tunnels = [t for t, chosen in named]
    secrets = [secret(t) for t in tunnels]
    digest = hashlib.sha256(json.dumps([conns, secrets], sort_keys=True).encode()).hexdigest()
    return conns, secrets, digest


def conf_string(value: str) -> str:
    """A strongswan.conf value in double quotes (its lexer's escapes for \\ and \"), so that a
    path with spaces, '#', '{' or '=' is read as one value and nothing else."""
    if any(c in value for c in "\n\r\0"):
        raise SwanConfigError("%r: a line break or NUL cannot be written to strongswan.conf"
                              % value)
    return '"%s"' % value.replace("\\", "\\\\").replace('"', '\\"')


def strongswan_conf(directory: str, dpd_timeout: float = DPD_TIMEOUTS["azure"], install_routes: bool = True) -> str:
    """strongswan.conf of one lab gateway: its own vici socket and log in `directory`.

    Retransmission is derived from the gateway's DPD timeout (dpd_settings), so that a silent
    peer is declared dead within it (charon's default retransmission takes 165 s); the failover
    benchmark measures the outage (tests/bench/bench_failover.py). Without `install_routes`
    charon leaves routing to its caller (the rehearsal routes the clouds' prefixes itself: its
    route-based gateways negotiate 0.0.0.0/0, whose route would swallow IKE itself).
    """
    dpd = dpd_settings(dpd_timeout)
    return (
        "# Written by multicloud.vpnlab: one charon per lab gateway namespace.\n"
        "# DPD timeout %ds: DPD after %ds of silence, dead after %gs at most.\n"
        "charon {\n"
        "  load = %s\n"
        "  install_virtual_ip = no\n"
        "%s"
        "  retransmit_timeout = %g\n"
        "  retransmit_base = %g\n"
        "  retransmit_tries = %d\n"
        "  filelog {\n"
        "    lab {\n"
        "      path = %s\n"
        "      time_format = %%F %%T\n"
        "      default = 1\n"
        "    }\n"
        "  }\n"
        "  syslog {\n"
        "    daemon {\n"
        "      default = -1\n"
        "    }\n"
        "  }\n"
        "  plugins {\n"
        "    vici {\n"
        "      socket = %s\n"
        "    }\n"
        "  }\n"
        "}\n" % (int(dpd_timeout), dpd["dpd_delay"], dpd["declared_dead_s"], PLUGINS,
                 "" if install_routes else NO_ROUTES, dpd["retransmit_timeout"],
                 RETRANSMIT_BASE, RETRANSMIT_TRIES, conf_string(directory + "/charon.log"),
                 conf_string("unix://%s/charon.vici" % directory)))


def sa_status(conn_name: str, sas: Iterable[Mapping[str, Any]]) -> tuple[str, int, int, int, int]:
    """`up` when the connection has an ESTABLISHED IKE SA with an INSTALLED CHILD SA.

    `sas` is list-sas output: a list of {ike_sa_name: {state, child-sas: {..: {state, ...}}}}.
    Returns (status, bytes_in, bytes_out, packets_in, packets_out) summed over its CHILD SAs.
    """
    status, counters = "down", [0, 0, 0, 0]
    for entry in sas:
        for name, ike in entry.items():
            if name != conn_name or ike.get("state") != "ESTABLISHED":
                continue
            for child in (ike.get("child-sas") or {}).values():
                if child.get("state") == "INSTALLED":
                    status = "up"
                for i, key in enumerate(("bytes-in", "bytes-out", "packets-in", "packets-out")):
                    counters[i] += int(child.get(key, 0))
    bytes_in, bytes_out, packets_in, packets_out = counters
    return status, bytes_in, bytes_out, packets_in, packets_out


def sa_detail(conn_name: str, remote_ip: str, sas: Sequence[Mapping[str, Any]]) -> str:
    """Why a connection is in its state, in words a learner can act on (the evidence's `detail`)."""
    states = sorted({ike.get("state") for entry in sas for name, ike in entry.items()
                     if name == conn_name})
    children = sorted({child.get("state") for entry in sas for name, ike in entry.items()
                       if name == conn_name and ike.get("state") == "ESTABLISHED"
                       for child in (ike.get("child-sas") or {}).values()})
    if "ESTABLISHED" in states and "INSTALLED" in children:
        return "IKE SA established, CHILD SA installed"
    if "ESTABLISHED" in states:
        return ("IKE SA established with %s but no CHILD SA installed (%s): the peer refused the "
                "ESP proposal or the traffic selectors" % (remote_ip, ", ".join(children) or "none"))
    if "CONNECTING" in states:
        # With dpd_action=restart a dead peer's IKE SA is re-initiated and stays CONNECTING.
        return ("IKE not established, no answer from %s (IKE SA connecting: retransmitting, or "
                "restarted after DPD declared the peer dead)" % remote_ip)
    if states:
        return "IKE SA %s with %s" % ("/".join(states), remote_ip)
    return ("no IKE SA with %s: the connection is loaded but not established (never initiated, "
            "or deleted after the peer stopped answering)" % remote_ip)

# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Build mtr/ping/iperf3 command lines and parse their output into measurement fields.

Pure functions, stdlib only: this file is shipped to the lab VMs with the ``probe`` module and
runs there on the system Python, and the parsers are unit-tested against captured output. Which
tools exist, their packages, exit codes and ports are facts of the measurement registry
(measurements.py), which builds on these functions.
"""

from __future__ import annotations

import ipaddress
import json
import re
from typing import Any, Callable, Dict, List, Optional

RESULT_KEYS = ("sent", "received", "loss_pct", "rtt_min_ms", "rtt_avg_ms", "rtt_max_ms", "hops",
               "icmp_error")
MEASUREMENT_KEYS = ("src", "dst", "dst_ip", "path", "tool") + RESULT_KEYS + ("error", "remeasured")
# Seconds a probe waits for late replies after its last request.
GRACE_S = 2
MTR_GRACE_S = 0.5

# iputils prints "+N duplicates", "+N corrupted", "+N errors" between "received" and the loss;
# busybox says "N packets received".
PING_STATS_RE = re.compile(
    r"(?P<sent>\d+) packets transmitted, (?P<received>\d+) (?:packets )?received"
    r"(?P<extra>(?:, \+\d+ \w+)*), (?P<loss>[\d.]+)% packet loss")
PING_RTT_RE = re.compile(
    r"(?:rtt|round-trip) min/avg/max(?:/mdev)? = ([\d.]+)/([\d.]+)/([\d.]+)(?:/[\d.]+)? ms")
PING_HEADER_RE = re.compile(r"^--- (\S+) ping statistics ---$", re.MULTILINE)
# One reply (iputils: icmp_seq from 1; busybox: seq from 0), and an ICMP error a router sent.
PING_REPLY_RE = re.compile(r"^\d+ bytes from [^:\s]+:? (?:icmp_)?seq=(\d+) .*?time=([\d.]+) ms",
                           re.MULTILINE)
PING_ERROR_RE = re.compile(r"^From (\S+?):? (?:icmp_)?seq=\d+ (.+?)\s*$", re.MULTILINE)


class ProbeParseError(ValueError):
    """The tool's output is not what the parser knows; the message quotes it."""


def probe_commands(dst_ip: str, tool: str, count: Any, interval: Any) -> List[str]:
    """The argv of one probe, with the tool's bare name as argv[0].

    ``--json`` is itself a report mode in mtr; ``--report`` given *after* it switches back to the
    text report (the last display option wins), so it is left out on purpose.
    """
    addr = address(dst_ip)
    if tool not in ("mtr", "ping"):
        raise ValueError("unknown probe tool %r: this builds mtr and ping" % (tool,))
    if int(count) < 1 or float(interval) <= 0:
        raise ValueError("count must be >= 1 and interval > 0, got %r and %r" % (count, interval))
    every = "%g" % float(interval)
    if tool == "mtr":
        # -G: wait MTR_GRACE_S for late replies after the last probe, not mtr's default 5 s (it
        # waits all of it, even when every reply is in: the probe's longest part after its
        # cycles). Half a second is hundreds of round trips here; a reply later than that is
        # counted lost and the path measured again (remeasure).
        return ["mtr", "--json", "-n", "-G", "%g" % MTR_GRACE_S, "-c", str(int(count)), "-i", every, addr]
    # -w (a deadline), not -W: without a deadline iputils gives up on the last echo after twice
    # the slowest round trip so far (at least the interval), so one reply slowed by load to
    # 100 ms counts as lost; with it, ping waits for every reply until the deadline.
    return ["ping", "-n", "-c", str(int(count)), "-i", every, "-w", str(deadline(count, interval)),
            addr]


def deadline(count: Any, interval: Any) -> int:
    """Whole seconds a ping of `count` echoes may take, late replies included."""
    return int(-(-round(int(count) * float(interval), 6) // 1)) + GRACE_S


# IPv4 and ICMP headers: a ping of payload N sends an IP packet of N + 28 bytes.
PING_OVERHEAD = 28
MTU_ECHOES = 3
# The smallest IPv4 packet every link must carry, and the Ethernet MTU of the VMs' links.
MTU_FLOOR = 68
MTU_CEILING = 1500


def df_ping_command(dst_ip: str, packet_size: Any) -> List[str]:
    """A ping whose IP packets are exactly `packet_size` bytes and may not be fragmented (DF),
    to show that the path through the tunnel carries packets of that size (Azure: 1400)."""
    addr = address(dst_ip)
    if not MTU_FLOOR <= int(packet_size) <= 65535:
        raise ValueError("packet size must be 68-65535 bytes, got %r" % packet_size)
    return ["ping", "-n", "-M", "do", "-s", str(int(packet_size) - PING_OVERHEAD),
            "-c", str(MTU_ECHOES), "-i", "0.2", "-w", str(GRACE_S), addr]


def df_passes(parsed: Dict[str, Any]) -> bool:
    """A DF ping size passes when any echo came back: a packet too big never gets a reply, while
    a single lost echo must not lower the path MTU."""
    return parsed.get("error") is None and parsed["received"] > 0


def mtu_search(passes: Callable[[int], bool], required: Any, ceiling: int = MTU_CEILING) -> Optional[int]:
    """The largest IP packet (bytes) with DF set that `passes(size)`, or None when not even
    68 bytes pass. Tries `required` and `required + 1` first (two pings when the path is
    exactly as configured), then bisects; sizes above `ceiling` are not tried."""
    required = max(MTU_FLOOR, min(int(required), ceiling))
    if passes(required):
        if required == ceiling or not passes(required + 1):
            return required
        low, high = required + 1, ceiling + 1
        if passes(ceiling):
            return ceiling
        high = ceiling
    else:
        low, high = MTU_FLOOR, required
        if not passes(low):
            return None
    while high - low > 1:
        middle = (low + high) // 2
        if passes(middle):
            low = middle
        else:
            high = middle
    return low


def mtu_result(required: Any, largest: Optional[int], tried: Any, error: Optional[str] = None) -> Dict[str, Any]:
    """An MTU check: the largest DF packet that passed, against the size the path must carry."""
    return {"size": int(required), "largest": largest,
            "ok": largest is not None and largest >= int(required),
            "tried": [[size, bool(ok)] for size, ok in tried], "error": error}


def lossy(result: Dict[str, Any]) -> bool:
    """Whether a probe lost packets or failed: such a path is measured a second time."""
    return bool(result.get("error")) or result.get("loss_pct") is None or result["loss_pct"] > 0


# --- throughput (iperf3) -------------------------------------------------------------------

# A one-off server started for a check waits this long for its client, then exits: it starts
# with the public probes, and on the clouds the evidence read after them can take a while.
IPERF3_IDLE_TIMEOUT = 120


def iperf3_command(dst_ip: str, seconds: Any, port: Any, omit: Any = 0) -> List[str]:
    """An iperf3 TCP client run of `seconds` against an iperf3 server on `dst_ip`, as JSON; with
    `omit`, that many seconds more run first and are left out of the figures (TCP slow start)."""
    addr = address(dst_ip)
    if not 1 <= int(seconds) <= 60:
        raise ValueError("iperf3 seconds must be 1-60, got %r" % seconds)
    if not 0 <= int(omit) <= 10:
        raise ValueError("iperf3 omitted seconds must be 0-10, got %r" % omit)
    return (["iperf3", "--client", addr, "--port", str(int(port)), "--time", str(int(seconds))]
            + (["--omit", str(int(omit))] if int(omit) else []) + ["--json", "--connect-timeout", "3000"])


def iperf3_server_command(port: Any, idle_timeout: int = IPERF3_IDLE_TIMEOUT) -> List[str]:
    """A one-off iperf3 server on `port`, detached: it exits after its one client, or after
    `idle_timeout` seconds without one, so a check leaves nothing running."""
    if not 1 <= int(port) <= 65535:
        raise ValueError("iperf3 port must be 1-65535, got %r" % port)
    return ["iperf3", "--server", "--one-off", "--daemon", "--idle-timeout", str(int(idle_timeout)),
            "--port", str(int(port))]


def parse_iperf3(text: str) -> Dict[str, Any]:
    """(Mbit/s received, Mbit/s sent, TCP retransmits, seconds) of `iperf3 --json` output."""
    try:
        data = json.loads(text)
    except (TypeError, ValueError):
        raise ProbeParseError("not iperf3 --json output: %s" % snippet(text)) from None
    if not isinstance(data, dict):
        raise ProbeParseError("not iperf3 --json output: %s" % snippet(text))
    if data.get("error"):
        raise ProbeParseError("iperf3: %s" % data["error"])
    try:
        end = data["end"]
        received, sent = end["sum_received"], end["sum_sent"]
        return {"mbps": round(received["bits_per_second"] / 1e6, 1),
                "sender_mbps": round(sent["bits_per_second"] / 1e6, 1),
                "retransmits": sent.get("retransmits"),
                "seconds": round(received["seconds"], 2),
                "omitted_s": (data.get("start") or {}).get("test_start", {}).get("omit", 0)}
    except (KeyError, TypeError) as exc:
        raise ProbeParseError("iperf3 --json output lacks %s: %s" % (exc, snippet(text))) from None


def address(value: Any) -> str:
    """The address as text, refusing anything else: it ends up on a command line."""
    try:
        return str(ipaddress.ip_address(value))
    except (TypeError, ValueError):
        raise ValueError("%r is not an IP address" % (value,)) from None


def _same_address(left, right):
    try:
        return ipaddress.ip_address(left) == ipaddress.ip_address(right)
    except ValueError:
        return left == right


def snippet(text: Any, limit: int = 200) -> str:
    """The start of a tool's output on one line, quoted, for an error message."""
    text = " ".join(str(text or "").split())
    return repr(text[:limit] + ("..." if len(text) > limit else "")) if text else "empty output"


def _result(sent, received, rtts=None, hops=None, icmp_error=None):
    loss = round(100.0 * (sent - received) / sent, 1) if sent else 100.0
    rtt_min, rtt_avg, rtt_max = rtts if received and rtts else (None, None, None)
    return {"sent": sent, "received": received, "loss_pct": loss, "rtt_min_ms": rtt_min,
            "rtt_avg_ms": rtt_avg, "rtt_max_ms": rtt_max, "hops": hops, "icmp_error": icmp_error}


def failed_result(count: Any, message: str) -> Dict[str, Any]:
    """Result fields of a probe that produced no usable output: all packets count as lost."""
    result = _result(int(count), 0)
    result["error"] = message
    return result


def _mtr_report(text):
    try:
        report = json.loads(text)["report"]
        hubs = report["hubs"]
    except (TypeError, ValueError, KeyError):
        raise ProbeParseError("not mtr --json output: %s" % snippet(text)) from None
    if not isinstance(hubs, list):
        raise ProbeParseError("mtr --json output has no list of hubs: %s" % snippet(text))
    return report, hubs


def _hop(hub):
    """One hop of the path; mtr 0.92-0.93 wrote ``count`` as a string."""
    try:
        loss = round(float(hub["Loss%"]), 1)
        return {"hop": int(hub["count"]), "host": str(hub["host"]), "loss_pct": loss,
                "avg_ms": None if loss >= 100.0 else float(hub["Avg"])}
    except (TypeError, ValueError, KeyError) as exc:
        raise ProbeParseError("mtr hub %r lacks or mangles %s" % (hub, exc)) from None


def parse_mtr_json(text: str, dst_ip: str) -> Dict[str, Any]:
    """Fields of ``mtr --json -n`` output; the destination counts as reached only as last hub."""
    report, hubs = _mtr_report(text)
    hops = [_hop(hub) for hub in hubs]
    last = hubs[-1] if hubs else None
    if last is None or not _same_address(str(last.get("host")), dst_ip):
        # mtr lists the routers that answered, then "???": the target itself never replied.
        sent = last.get("Snt") if last else (report.get("mtr") or {}).get("tests")
        return _result(_int(sent, "Snt/tests"), 0, hops=hops)
    sent = _int(last.get("Snt"), "Snt")
    received = int(round(sent * (1.0 - hops[-1]["loss_pct"] / 100.0)))
    rtts = tuple(_float(last.get(key), key) for key in ("Best", "Avg", "Wrst"))
    return _result(sent, received, rtts, hops)


def _int(value, name):
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ProbeParseError("mtr output has no usable %s: %r" % (name, value)) from None


def _float(value, name):
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ProbeParseError("mtr output has no usable %s: %r" % (name, value)) from None


def parse_ping(text: str, dst_ip: Optional[str] = None, count: Optional[int] = None) -> Dict[str, Any]:
    """Fields of iputils (or busybox) ``ping -n`` output; ``hops`` is None, ping sees none.

    With `count`, the echoes are counted by sequence number: the first `count` sent, those
    answered. With a deadline (-w) iputils keeps sending until `count` replies are in, so its
    own totals would count an extra echo, still on its way when it stopped, as lost.
    ``icmp_error`` is the first error a router sent back ("From 198.51.100.1: Destination Net
    Unreachable"): where the packets went instead.
    """
    stats = PING_STATS_RE.search(text or "")
    if not stats:
        raise ProbeParseError("no ping statistics in output: %s" % snippet(text))
    header = PING_HEADER_RE.search(text)
    if dst_ip and header and not _same_address(header.group(1), dst_ip):
        raise ProbeParseError("ping output is about %s, not %s" % (header.group(1), dst_ip))
    sent, received = int(stats.group("sent")), int(stats.group("received"))
    rtt = PING_RTT_RE.search(text)
    if received and not rtt:
        raise ProbeParseError("ping received %d replies but printed no rtt line: %s"
                              % (received, snippet(text)))
    rtts = tuple(float(value) for value in rtt.groups()) if rtt else None
    error = PING_ERROR_RE.search(text)
    icmp_error = "From %s: %s" % error.groups() if error else None
    totals = _result(sent, received, rtts, icmp_error=icmp_error)
    return (_by_sequence(text, int(count), icmp_error) or totals) if count else totals


def _by_sequence(text, count, icmp_error):
    replies = [(int(seq), float(ms)) for seq, ms in PING_REPLY_RE.findall(text)]
    if not replies and "transmitted, 0 received" not in text:
        return None  # quiet output: only ping's own totals are known
    first = 0 if any(seq == 0 for seq, dummy in replies) else 1
    times = {}
    for seq, ms in replies:
        if first <= seq < first + count:
            times.setdefault(seq, ms)
    values = sorted(times.values())
    rtts = (values[0], round(sum(values) / len(values), 3), values[-1]) if values else None
    return _result(count, len(times), rtts, icmp_error=icmp_error)

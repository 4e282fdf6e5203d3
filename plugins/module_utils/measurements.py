# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The measurement registry: one entry per tool the check runs, the one home of its facts.

An entry says how to run the tool (its argv), how to read what it printed (its parser and the
exit codes that still mean a measurement), which package provides it on the local lab's Debian
host and on the cloud images, the file the local lab's host must have, how the report shows it
(label, colour, order, a one-line summary) and the ports it needs opened. Everything else reads
these entries: the probe module (its tool choices, the generic run), the plan
(``vpnlab_plan.check``: default tools, packages for cloud-init, paths for lab_host), and the
unit tests that hold the static files (bindep.txt, argument specs, module docs) to it.

Adding a tool is one entry here, its parser and their tests; its Debian package goes into
bindep.txt's ``lab`` profile and its name into the static choice lists, which the unit tests
name when they lag (tests/unit/plugins/module_utils/test_measurements.py).

Kinds of entry:
    loss        loss and round-trip times: a ``measurements[]`` record of report.json
                (``probe.RESULT_KEYS``), measured again when it lost packets
    path        what the path is (hops, path MTU): a record under the tool's name in the probe
                module's ``tool_results``
    mtu         the DF-ping search for the largest packet across the tunnel (``mtu_checks``)
    throughput  iperf3 between two VMs (``throughput``)

Pure and stdlib only, like probe.py: this file is shipped to the lab VMs with the probe module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

from ansible_collections.multicloud.vpnlab.plugins.module_utils import probe
from ansible_collections.multicloud.vpnlab.plugins.module_utils.probe import ProbeParseError

Result = Dict[str, Any]
PATHS = ("private", "public")
KINDS = ("loss", "path", "mtu", "throughput")


@dataclass(frozen=True)
class Settings:
    """How one probe run is shaped: packets and their interval (loss tools), the DF packet size
    (mtu), the hop limit (path tools), seconds and port (throughput)."""

    count: int = 10
    interval: float = 0.2
    packet_size: int = 0
    max_hops: int = 10
    seconds: int = 3
    omit: int = 0
    port: int = 0


@dataclass(frozen=True)
class Tool:
    """One measurement tool; see the module docstring for the kinds."""

    name: str
    kind: str
    executable: str
    required_path: str
    debian_package: str
    label: str
    colour: str
    view_order: int
    build: Callable[[str, Settings], List[str]]
    parse: Callable[[str, str, Settings], Result]
    failed: Callable[[Settings, str], Result]
    summarize: Callable[[Mapping[str, Any]], str]
    seconds: Callable[[Settings], float]
    good_returncodes: Tuple[int, ...] = (0,)
    default: bool = True
    paths: Tuple[str, ...] = PATHS
    ports: Mapping[str, int] = field(default_factory=dict)
    # The cloud images' (Ubuntu) package when its name differs from the Debian one.
    image_package: str = ""

    @property
    def cloud_package(self) -> str:
        """The package cloud-init installs on the cloud images."""
        return self.image_package or self.debian_package

    def argv(self, dst_ip: str, settings: Settings) -> List[str]:
        """The command line, with the tool's bare name as argv[0] (the caller puts the path
        it found in its place)."""
        return self.build(dst_ip, settings)

    def interpret(self, dst_ip: str, settings: Settings, returncode: int, stdout: str, stderr: str) -> Result:
        """Result fields (with ``error``) of one finished run, from its exit code and output."""
        if returncode not in self.good_returncodes:
            return self.failed(settings, "%s exited with %s: %s"
                               % (self.executable, returncode, _last_line(stderr or stdout)))
        try:
            result = self.parse(stdout, dst_ip, settings)
        except ProbeParseError as exc:
            return self.failed(settings, "%s: %s" % (self.executable, exc))
        result["error"] = None
        return result

    def summary(self, result: Mapping[str, Any]) -> str:
        """One line of text for a result: what the report shows next to the label."""
        if result.get("error"):
            return "%s: %s" % (self.label, result["error"])
        return "%s: %s" % (self.label, self.summarize(result))


def _last_line(text: Optional[str]) -> str:
    """Tools print the reason they stopped last."""
    lines = [line.strip() for line in str(text or "").splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


# --- ping and mtr: loss and round-trip times ----------------------------------------------------

def _loss_failed(settings: Settings, message: str) -> Result:
    return probe.failed_result(settings.count, message)


def _loss_seconds(settings: Settings) -> float:
    return settings.count * settings.interval


def _loss_summary(result: Mapping[str, Any]) -> str:
    text = "%s of %s received, %s %% lost" % (result.get("received"), result.get("sent"), result.get("loss_pct"))
    if result.get("rtt_avg_ms") is not None:
        text += ", avg %s ms" % result["rtt_avg_ms"]
    return text


def _ping_argv(dst_ip: str, settings: Settings) -> List[str]:
    return probe.probe_commands(dst_ip, "ping", settings.count, settings.interval)


def _ping_parse(text: str, dst_ip: str, settings: Settings) -> Result:
    return probe.parse_ping(text, dst_ip, settings.count)


def _mtr_argv(dst_ip: str, settings: Settings) -> List[str]:
    return probe.probe_commands(dst_ip, "mtr", settings.count, settings.interval)


def _mtr_parse(text: str, dst_ip: str, settings: Settings) -> Result:
    return probe.parse_mtr_json(text, dst_ip)


# --- the path MTU: DF pings of chosen sizes (probe.mtu_search) ------------------------------------

def _df_argv(dst_ip: str, settings: Settings) -> List[str]:
    return probe.df_ping_command(dst_ip, settings.packet_size)


def _df_parse(text: str, dst_ip: str, settings: Settings) -> Result:
    return probe.parse_ping(text, dst_ip, probe.MTU_ECHOES)


def _df_failed(settings: Settings, message: str) -> Result:
    return probe.failed_result(probe.MTU_ECHOES, message)


def _df_seconds(settings: Settings) -> float:
    return float(probe.GRACE_S)


def _mtu_summary(result: Mapping[str, Any]) -> str:
    if result.get("largest") is None:
        return "no DF packet passed (needs %s bytes)" % result.get("size")
    return "largest DF packet %s bytes (needs %s)" % (result["largest"], result.get("size"))


# --- iperf3: TCP throughput ----------------------------------------------------------------------

def _iperf3_argv(dst_ip: str, settings: Settings) -> List[str]:
    return probe.iperf3_command(dst_ip, settings.seconds, settings.port, settings.omit)


def _iperf3_parse(text: str, dst_ip: str, settings: Settings) -> Result:
    return probe.parse_iperf3(text)


def _iperf3_failed(settings: Settings, message: str) -> Result:
    return {"mbps": None, "sender_mbps": None, "retransmits": None, "seconds": None, "omitted_s": None,
            "error": message}


def _iperf3_seconds(settings: Settings) -> float:
    return float(settings.seconds + settings.omit)


def _iperf3_summary(result: Mapping[str, Any]) -> str:
    text = "%s Mbit/s" % result.get("mbps")
    if result.get("retransmits") is not None:
        text += ", %s retransmits" % result["retransmits"]
    return text


# --- tracepath: hops and the path MTU ---------------------------------------------------------

# Seconds tracepath spends on a hop that never answers: measured 3.3 s per silent hop (iputils
# 20221126: three probes of about a second each), a few milliseconds per answering one.
TRACEPATH_SILENT_HOP_S = 3.5
# " 1?: [LOCALHOST]   pmtu 1500", " 2:  10.0.0.1   0.111ms pmtu 1300", " 3:  no reply",
# " 1:  10.0.0.2   0.482ms reached", " 1:  10.0.0.2   0.099ms !N", "... 0.5ms asymm  3".
TRACEPATH_HOP_RE = re.compile(
    r"^\s*(?P<hop>\d+)(?P<local>\?)?:\s+(?:(?P<noreply>no reply)|(?P<host>\S+)"
    r"(?:\s+(?P<ms>[\d.]+)ms)?(?P<rest>.*))$")
TRACEPATH_PMTU_RE = re.compile(r"\bpmtu (\d+)")
TRACEPATH_ASYMM_RE = re.compile(r"\basymm\s+(\d+)")
TRACEPATH_ICMP_RE = re.compile(r"(![A-Z0-9]+)")
TRACEPATH_RESUME_RE = re.compile(r"^\s*Resume: pmtu (\d+)(?: hops (\d+) back (\d+))?\s*$")
TRACEPATH_TOO_MANY_RE = re.compile(r"^\s*Too many hops: pmtu (\d+)\s*$")


def _tracepath_argv(dst_ip: str, settings: Settings) -> List[str]:
    """``tracepath -n -m <hops> <addr>``: numeric, at most `max_hops` hops."""
    addr = probe.address(dst_ip)
    if not 1 <= int(settings.max_hops) <= 255:
        raise ValueError("tracepath hops must be 1-255, got %r" % settings.max_hops)
    return ["tracepath", "-n", "-m", str(int(settings.max_hops)), addr]


def _tracepath_hop(hops: Dict[int, Result], match: "re.Match[str]") -> None:
    """Fold one hop line into `hops` (tracepath prints a line per probe: a hop can repeat)."""
    number = int(match.group("hop"))
    hop = hops.setdefault(number, {"hop": number, "host": None, "rtt_ms": None, "pmtu": None,
                                   "icmp_error": None, "asymm": None})
    if match.group("noreply"):
        return
    rest = match.group("rest") or ""
    if hop["host"] is None:
        hop["host"] = match.group("host")
    if match.group("ms") is not None:
        ms = float(match.group("ms"))
        hop["rtt_ms"] = ms if hop["rtt_ms"] is None else min(hop["rtt_ms"], ms)
    pmtu, asymm, icmp = (TRACEPATH_PMTU_RE.search(rest), TRACEPATH_ASYMM_RE.search(rest),
                         TRACEPATH_ICMP_RE.search(rest))
    if pmtu:
        hop["pmtu"] = int(pmtu.group(1))
    if asymm:
        hop["asymm"] = int(asymm.group(1))
    if icmp:
        hop["icmp_error"] = icmp.group(1)


def parse_tracepath(text: str, dst_ip: str, settings: Settings) -> Result:
    """Fields of ``tracepath -n`` output (iputils).

    ``hops``: one record per hop number (``host`` None when it never answered, its best
    ``rtt_ms``, the ``pmtu`` it reported, an ``icmp_error`` such as ``!N`` or ``!H``);
    ``reached``: the destination answered; ``hop_count``/``back``: the forward and return hop
    counts of the Resume line (when reached); ``pmtu``: the path MTU tracepath settled on;
    ``too_many_hops``: it gave up at `max_hops`; ``icmp_error``: the first unreachable a router
    sent (where the path ends).
    """
    hops: Dict[int, Result] = {}
    local_pmtu = None
    pmtu: Optional[int] = None
    reached, too_many, hop_count, back = False, False, None, None
    known = False
    for line in str(text or "").splitlines():
        resume, too = TRACEPATH_RESUME_RE.match(line), TRACEPATH_TOO_MANY_RE.match(line)
        if resume:
            known, pmtu = True, int(resume.group(1))
            if resume.group(2) is not None:
                hop_count, back = int(resume.group(2)), int(resume.group(3))
            continue
        if too:
            known, too_many, pmtu = True, True, int(too.group(1))
            continue
        match = TRACEPATH_HOP_RE.match(line)
        if not match:
            continue
        known = True
        if match.group("local"):
            local = TRACEPATH_PMTU_RE.search(match.group("rest") or "")
            local_pmtu = int(local.group(1)) if local else local_pmtu
            continue
        _tracepath_hop(hops, match)
        if "reached" in (match.group("rest") or ""):
            reached = True
    if not known:
        raise ProbeParseError("not tracepath output: %s" % probe.snippet(text))
    records = [hops[number] for number in sorted(hops)]
    if pmtu is None:
        pmtu = next((h["pmtu"] for h in reversed(records) if h["pmtu"]), local_pmtu)
    icmp_error = next((h["icmp_error"] for h in records if h["icmp_error"]), None)
    return {"reached": reached, "hop_count": hop_count if reached else None, "back": back,
            "pmtu": pmtu, "too_many_hops": too_many, "icmp_error": icmp_error, "hops": records}


def _tracepath_failed(settings: Settings, message: str) -> Result:
    return {"reached": False, "hop_count": None, "back": None, "pmtu": None, "too_many_hops": False,
            "icmp_error": None, "hops": [], "error": message}


def _tracepath_seconds(settings: Settings) -> float:
    return settings.max_hops * TRACEPATH_SILENT_HOP_S


def _tracepath_summary(result: Mapping[str, Any]) -> str:
    if result.get("reached"):
        text = "reached in %s hops" % (result.get("hop_count") or len(result.get("hops") or []))
    elif result.get("icmp_error"):
        text = "unreachable (%s)" % result["icmp_error"]
    else:
        text = "not reached in %d hops" % len(result.get("hops") or [])
    return text + ", path MTU %s" % result.get("pmtu")


# --- the registry ------------------------------------------------------------------------------

# The check's iperf3 ports, their one home: through the tunnel (the AWS VM's private address) and
# over the internet (its public address); the security rules (peers.py, the local edge) open them.
IPERF3_PORTS = {"private": 5201, "public": 5202}

# ping and the DF pings of the path MTU search come from the same package.
PING_PACKAGE = "iputils-ping"

# In report.json's order (its ``tools`` list and measurements sort by it).
REGISTRY: Tuple[Tool, ...] = (
    Tool(name="mtr", kind="loss", executable="mtr", required_path="/usr/bin/mtr",
         debian_package="mtr-tiny", label="mtr", colour="#1f77b4", view_order=1,
         build=_mtr_argv, parse=_mtr_parse, failed=_loss_failed, summarize=_loss_summary,
         seconds=_loss_seconds),
    # ping exits 1 when no reply came back: that is a measurement (100 % loss), not a failure.
    Tool(name="ping", kind="loss", executable="ping", required_path="/usr/bin/ping",
         debian_package=PING_PACKAGE, label="ping", colour="#2ca02c",
         view_order=0, build=_ping_argv, parse=_ping_parse, failed=_loss_failed,
         summarize=_loss_summary, seconds=_loss_seconds, good_returncodes=(0, 1)),
    # Opt-in: a path whose hops stay silent costs TRACEPATH_SILENT_HOP_S per hop (up to
    # max_hops), where ping and mtr take count x interval. On a local lab the public path to an
    # AWS VM is such a path (its security rules drop the UDP probes: 21 s at 10 hops, the private
    # paths 0.02 s): the check took 45-50 s with tracepath against 27-30 s without.
    Tool(name="tracepath", kind="path", executable="tracepath", required_path="/usr/bin/tracepath",
         debian_package="iputils-tracepath", label="tracepath",
         colour="#9467bd", view_order=2, build=_tracepath_argv, parse=parse_tracepath,
         failed=_tracepath_failed, summarize=_tracepath_summary, seconds=_tracepath_seconds,
         default=False),
    Tool(name="pmtu", kind="mtu", executable="ping", required_path="/usr/bin/ping",
         debian_package=PING_PACKAGE, label="path MTU (DF ping)",
         colour="#ff7f0e", view_order=3, build=_df_argv, parse=_df_parse, failed=_df_failed,
         summarize=_mtu_summary, seconds=_df_seconds, good_returncodes=(0, 1), paths=("private",)),
    Tool(name="iperf3", kind="throughput", executable="iperf3", required_path="/usr/bin/iperf3",
         debian_package="iperf3", label="iperf3 (TCP throughput)",
         colour="#d62728", view_order=4, build=_iperf3_argv, parse=_iperf3_parse, failed=_iperf3_failed,
         summarize=_iperf3_summary, seconds=_iperf3_seconds, ports=IPERF3_PORTS),
)
BY_NAME: Dict[str, Tool] = {tool.name: tool for tool in REGISTRY}


def tool(name: str) -> Tool:
    """The entry of `name`; a ValueError names the known tools."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise ValueError("unknown measurement tool %r, expected one of %s"
                         % (name, ", ".join(BY_NAME))) from None


def of_kind(*kinds: str) -> Tuple[Tool, ...]:
    """The entries of these kinds, in the registry's order."""
    return tuple(entry for entry in REGISTRY if entry.kind in kinds)


# The tools a check may choose (the probe module's and the role's ``tools``), the loss tools
# (report.json's measurements[]) and those a check runs unless told otherwise.
PROBE_TOOLS: Tuple[str, ...] = tuple(entry.name for entry in of_kind("loss", "path"))
LOSS_TOOLS: Tuple[str, ...] = tuple(entry.name for entry in of_kind("loss"))
DEFAULT_TOOLS: Tuple[str, ...] = tuple(entry.name for entry in of_kind("loss", "path") if entry.default)


def _unique(values: List[str]) -> List[str]:
    return list(dict.fromkeys(values))


def view_order() -> List[str]:
    """Every tool's name in the order the report shows them (ping's plain RTT first)."""
    return [entry.name for entry in sorted(REGISTRY, key=lambda entry: entry.view_order)]


def view() -> Dict[str, Dict[str, Any]]:
    """What the report's view needs per tool: label, colour, order, kind."""
    return {entry.name: {"label": entry.label, "colour": entry.colour, "order": entry.view_order,
                         "kind": entry.kind} for entry in REGISTRY}


def summary(name: str, result: Mapping[str, Any]) -> str:
    """One line of text for a result of tool `name` (the report's tooltips and tables)."""
    return tool(name).summary(result)


def plan_check() -> Dict[str, Any]:
    """The plan's ``check`` section (``vpnlab_plan.check``), for the roles: the iperf3 ports,
    the tools a check may choose and runs by default, the loss tools the report expects, the
    cloud images' packages (cloud-init, every tool's: an opt-in needs no new VM), and the local
    host's Debian packages and the files it must have (those of the tools a check runs by default)."""
    return {"iperf3_ports": dict(IPERF3_PORTS),
            "tools": list(DEFAULT_TOOLS),
            "tool_choices": list(PROBE_TOOLS),
            "loss_tools": list(LOSS_TOOLS),
            "packages": _unique([entry.cloud_package for entry in REGISTRY]),
            "debian_packages": _unique([entry.debian_package for entry in REGISTRY]),
            # An opt-in tool is not required of the local host (the probe module names its
            # package when it is chosen and missing); `make lab` installs it (bindep.txt).
            "required_paths": _unique([entry.required_path for entry in REGISTRY if entry.default])}

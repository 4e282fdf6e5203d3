# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The verdict's rules: each finding names the object, the problem, its likely cause and the
evidence for it, so that a learner knows where to look.

Pure functions over a built report (model.py), no Ansible import, target-neutral. A finding is
``{severity, object, problem, cause, evidence, text}``; ``severity`` is ``failure`` (the lab is
broken), ``degraded`` (it works, but less than fully or without proof) or ``warning``.

Loss rules: a probe that lost packets (or failed) is measured a second time, after the others.
A path fails when a probe of it lost packets both times; a loss that the second measurement
does not repeat is a warning (transient, typically one echo under the check's own load). A
public path's failure is a warning when public paths are not required.

Causes of a lost private path across the tunnel come from the tunnels' ESP counters during the
private probes, by direction (the evidence records count as the Azure side sees them: out to
AWS, in from AWS): requests that never moved the counters did not enter the tunnel (a route on
the sending side); requests that moved them without replies coming back point at the other
side's route back; counters moving in both directions put the loss beyond or inside the tunnel.
A direction "moved" when it grew by at least a quarter of the other: some traffic always crosses
a broken direction (a router's ICMP errors, mtr's expired probes), never as much as the probes.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Set, Tuple

from ansible_collections.multicloud.vpnlab.plugins.module_utils.measurements import IPERF3_PORTS
from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting.constants import (
    CLOUD_NAMES, TCP_IP_HEADERS,
)

# Where each cloud keeps the route a learner should check, by the side traffic leaves from.
ROUTE_HINTS = {
    "azure": "the VNet's route through the VPN gateway: the local network gateways' address "
             "prefixes, or a user route on the subnet",
    "aws": "the subnet's route table: a route to the virtual private gateway, or route "
           "propagation",
}
# From the Azure side's view: requests from Azure go out, requests from AWS come in.
REQUEST_COUNTER = {"azure": "bytes_out", "aws": "bytes_in"}
COUNTER_WORDS = {"bytes_out": "to AWS", "bytes_in": "from AWS"}
MOVED_RATIO = 0.25


def finding(severity: str, obj: str, problem: str, cause: Optional[str] = None,
            evidence: Optional[str] = None) -> Dict[str, Any]:
    """One finding; `text` is the one line the verdict lists."""
    text = "%s: %s" % (obj, problem)
    if cause:
        text += ": " + cause
    if evidence:
        text += " (%s)" % evidence
    return {"severity": severity, "object": obj, "problem": problem, "cause": cause,
            "evidence": evidence, "text": text}


# --- SSH and probe runs ------------------------------------------------------------------------

SSH_CAUSES = (
    # fragment of ssh's error, what it means, where to look
    ("connection refused", "connection refused on %s:22 through the operator",
     "sshd is not running on the VM, or a firewall on it rejects port 22"),
    # Through a ProxyCommand (the operator's nc) a refused connection shows as the proxy
    # closing before SSH's banner.
    ("connection closed by remote host", "connection to %s:22 through the operator closed "
     "before SSH answered", "sshd is not running on the VM (connection refused), or a firewall "
     "on it rejects port 22"),
    ("no route to host", "no route to %s from the operator",
     "the VM's public address is not routed (public IP, NAT or the VM's network missing)"),
    ("network is unreachable", "no route to %s from the operator",
     "the VM's public address is not routed (public IP, NAT or the VM's network missing)"),
    ("timed out", "no answer on %s:22 through the operator",
     "the VM is down, or its security group / NSG drops SSH from the admin addresses"),
    ("permission denied", "%s refused the lab's SSH key",
     "the lab's public key is not authorised on the VM"),
    ("host key verification failed", "%s shows another host key",
     "the VM was rebuilt and known_hosts still holds its old key"),
)


def ssh_findings(report: Dict[str, Any]) -> List[Dict[str, Any]]:
    found = []
    for vm in report["vms"]:
        access = vm.get("access") or {}
        if access.get("ssh") == "unreachable":
            found.append(_ssh_finding(vm, access.get("error") or ""))
        elif access.get("ssh") == "probe failed":
            found.append(finding("failure", vm["name"], "the probe could not run",
                                 "see its error; the VM is reachable by SSH",
                                 _short(access.get("error"))))
    return found


def _ssh_finding(vm, error):
    error = ssh_error(error)
    lowered = error.lower()
    for fragment, problem, cause in SSH_CAUSES:
        if fragment in lowered:
            return finding("failure", vm["name"], "SSH unreachable (%s)"
                           % (problem % vm.get("public_ip")), cause, _short(error))
    return finding("failure", vm["name"], "SSH unreachable", "see the SSH error", _short(error))


def ssh_error(text: Any) -> str:
    """What ssh said, without Ansible's wrapping ("Task failed: Data could not be sent ...")."""
    text = " ".join(str(text or "").split())
    for marker in ("reached over ssh: ", "Failed to connect to the host via ssh: "):
        if marker in text:
            text = text.split(marker, 1)[1]
    return text


def _short(text, limit=160):
    text = " ".join(str(text or "").split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def unreachable(report: Dict[str, Any]) -> Set[str]:
    """Names of the VMs the check could not probe from."""
    return {vm["name"] for vm in report["vms"]
            if (vm.get("access") or {}).get("ssh") in ("unreachable", "probe failed")}


# --- tunnels -----------------------------------------------------------------------------------

def carry(names: List[str]) -> str:
    """"a carries", "a and b carry", "a, b and c carry": the tunnels still up, as a subject."""
    if len(names) == 1:
        return "%s carries" % names[0]
    return "%s and %s carry" % (", ".join(names[:-1]), names[-1])


def tunnel_findings(report: Dict[str, Any], require_all_tunnels: bool = False) -> List[Dict[str, Any]]:
    tunnels = report["tunnels"]
    if not tunnels:
        return [finding("failure", "tunnels", "none reported",
                        "the evidence source returned no tunnel: is the VPN connection there?")]
    up = [t["name"] for t in tunnels if t["status"] == "up"]
    found = []
    for t in tunnels:
        if t["status"] == "up":
            continue
        obj = "%s (%s)" % (t["name"], t["outside_ip"])
        detail = t.get("detail") or "no detail from %s" % (t.get("source") or "the source")
        if t["status"] == "unknown":
            found.append(finding("degraded", obj, "state unknown", detail, t.get("source")))
        elif up:
            severity = "failure" if require_all_tunnels else "degraded"
            found.append(finding(severity, obj, "down, redundancy lost (%s the traffic)" % carry(up),
                                 detail, t.get("source")))
        else:
            found.append(finding("failure", obj, "down, and no other tunnel is up", detail,
                                 t.get("source")))
    return found


# --- paths -------------------------------------------------------------------------------------

def _lost(result):
    return bool(result.get("error")) or not result.get("sent") or (
        result.get("received") or 0) < result["sent"]


def probe_state(m: Dict[str, Any]) -> str:
    """`ok`, `transient` (lost once, not when measured again) or `failed`."""
    if not _lost(m):
        return "ok"
    again = m.get("remeasured")
    return "transient" if again and not _lost(again) else "failed"


def _loss_text(m):
    first = ("error: %s" % m["error"]) if m.get("error") else "lost %d/%d" % (
        (m.get("sent") or 0) - (m.get("received") or 0), m.get("sent") or 0)
    again = m.get("remeasured")
    if not again:
        return "%s %s" % (m["tool"], first)
    second = ("error: %s" % again["error"]) if again.get("error") else "%d/%d" % (
        (again.get("sent") or 0) - (again.get("received") or 0), again.get("sent") or 0)
    return "%s %s, then %s when measured again" % (m["tool"], first, second)


def paths(report: Dict[str, Any]) -> Dict[Tuple[Any, Any, Any], List[Dict[str, Any]]]:
    """Measurements grouped by path: {(src, dst, path): [measurement, ...]}."""
    grouped: Dict[Tuple[Any, Any, Any], List[Dict[str, Any]]] = {}
    for m in report["measurements"]:
        grouped.setdefault((m.get("src"), m.get("dst"), m.get("path")), []).append(m)
    return grouped


def path_findings(report: Dict[str, Any], require_public: bool = True) -> List[Dict[str, Any]]:
    vms = {vm["name"]: vm for vm in report["vms"]}
    grouped = paths(report)
    found = []
    for (src, dst, path), group in sorted(grouped.items()):
        states = [probe_state(m) for m in group]
        obj = "%s path %s -> %s (%s)" % (path, src, dst, group[0].get("dst_ip"))
        lossy = [m for m, state in zip(group, states) if state != "ok"]
        losses = "; ".join(_loss_text(m) for m in lossy)
        if "failed" in states:
            failed = [m for m, state in zip(group, states) if state == "failed"]
            cause, evidence = _path_cause(report, vms, grouped, src, dst, path, failed)
            severity = "failure" if path == "private" or require_public else "warning"
            found.append(finding(severity, obj, losses, cause, evidence))
        elif lossy:
            found.append(finding("warning", obj, losses, "a transient loss, not repeated when "
                                 "measured again: not a failure (the check's own load, or a "
                                 "busy gateway)"))
    return found


def _path_cause(report, vms, grouped, src, dst, path, failed):
    dst_vm, src_vm = vms.get(dst, {}), vms.get(src, {})
    if dst in unreachable(report):
        return ("%s does not answer SSH either: the VM itself seems down" % dst,
                _short(ssh_error((dst_vm.get("access") or {}).get("error"))))
    if path == "public":
        return _public_cause(grouped, src, dst, src_vm, dst_vm)
    if src_vm.get("cloud") == dst_vm.get("cloud"):
        return ("the path stays inside %s: check that %s is up and that its subnet's security "
                "rules allow ICMP from %s" % (CLOUD_NAMES.get(src_vm.get("cloud"), "one cloud"),
                                              dst, src), None)
    return _tunnel_cause(report, src_vm, dst_vm, failed)


def _public_cause(grouped, src, dst, src_vm, dst_vm):
    private = grouped.get((src, dst, "private")) or []
    if private and all(probe_state(m) != "failed" for m in private):
        return ("%s answers on its private address, so its public address or the rules in front "
                "of it drop the traffic: check its public IP / 1:1 NAT and that its security "
                "group / NSG allows ICMP from %s" % (dst, src_vm.get("public_ip") or src),
                "private path %s -> %s: no loss" % (src, dst))
    return ("%s answers on neither address: check that it is up" % dst, None)


def _tunnel_cause(report, src_vm, dst_vm, failed):
    if not any(t["status"] == "up" for t in report["tunnels"]):
        return "no tunnel is up (see the tunnels)", None
    growth = report["counters"]["private_phase"]
    request = REQUEST_COUNTER.get(src_vm.get("cloud"), "bytes_out")
    reply = "bytes_in" if request == "bytes_out" else "bytes_out"
    if growth.get(request) is None or growth.get(reply) is None:
        return ("cannot tell whether the traffic entered the tunnel: the tunnels' ESP counters "
                "are unknown", None)
    moved = "ESP bytes %s +%d, %s +%d during the private probes" % (
        COUNTER_WORDS[request], growth[request], COUNTER_WORDS[reply], growth[reply])
    errors = sorted({m["icmp_error"] for m in failed if m.get("icmp_error")})
    if errors:
        moved = "%s; a router answered: %s" % (moved, ", ".join(errors))
    src_cloud, dst_cloud = src_vm.get("cloud"), dst_vm.get("cloud")
    dst_net = (report.get("networks") or {}).get(dst_cloud) or "%s's network" % dst_vm.get("name")
    src_net = (report.get("networks") or {}).get(src_cloud) or "%s's network" % src_vm.get("name")
    if not _moved(growth, request, reply):
        return ("traffic is not entering the tunnel (check the route to %s on the %s side: %s)"
                % (dst_net, CLOUD_NAMES.get(src_cloud, src_cloud), ROUTE_HINTS.get(src_cloud, "")),
                "the ESP counters did not move " + COUNTER_WORDS[request] + "; " + moved)
    if not _moved(growth, reply, request):
        return ("requests go through the tunnel but no reply comes back through it (check the "
                "route to %s on the %s side: %s; and that %s answers; or ESP is lost between the "
                "gateways)"
                % (src_net, CLOUD_NAMES.get(dst_cloud, dst_cloud),
                   ROUTE_HINTS.get(dst_cloud, ""), dst_vm.get("name")), moved)
    if all(not m.get("received") and not (m.get("remeasured") or {}).get("received")
           for m in failed):
        return ("the tunnel carries traffic, but not this path's: check %s's address, its route "
                "back and the security rules in front of it" % dst_vm.get("name"), moved)
    return ("packets were lost although the tunnel carries traffic in both directions: loss "
            "inside the tunnel or at its ends (a busy gateway, the userspace ESP under load)",
            moved)


def _moved(growth, direction, other):
    return growth[direction] > 0 and growth[direction] >= MOVED_RATIO * growth[other]


def path_failed(report: Dict[str, Any], src: Any, dst: Any, path: Any = "private") -> bool:
    return any(probe_state(m) == "failed" for m in paths(report).get((src, dst, path)) or [])


def missing_findings(report: Dict[str, Any], expected: List[Tuple[str, str, str, str]]) -> List[Dict[str, Any]]:
    """Expected measurements that are not there, except from VMs the check could not probe."""
    have = {(m.get("src"), m.get("dst"), m.get("path"), m.get("tool"))
            for m in report["measurements"]}
    skip = unreachable(report)
    return [finding("failure", "%s -> %s %s (%s)" % key, "missing measurement",
                    "the probe returned no result for it")
            for key in expected if key not in have and key[0] not in skip]


# --- counters ----------------------------------------------------------------------------------

def _phase_bytes(report, phase):
    counters = report["counters"][phase]
    values = [counters.get("bytes_in"), counters.get("bytes_out")]
    return None if None in values else sum(values)


def counter_findings(report: Dict[str, Any], tolerance: int = 0) -> List[Dict[str, Any]]:
    """The counters against the paths. Private probes across the tunnel that answered must have
    grown the counters by what counts (``counters.min_growth_bytes``); public probes must not
    have grown them beyond ``tolerance``. Counters that lag (``counters.settle_s`` > 0: the
    check waited for them) and had not grown yet are a warning unless a private probe across the
    tunnel failed; growth in the public phase, whether or not they had grown before, cannot be
    told from the private probes' bytes counted late (a warning)."""
    counters = report["counters"]
    least = counters.get("min_growth_bytes") or 1
    settle = counters.get("settle_s") or 0
    waited = counters.get("waited_s") or settle
    found = []
    private = _phase_bytes(report, "private_phase")
    states = [probe_state(m) for (src, dst, path), group in paths(report).items()
              if path == "private" and _crosses(report, src, dst) for m in group]
    crossed = [s for s in states if s != "failed"]
    lagging = bool(settle) and private is not None and private < least
    if private is None:
        found.append(finding("warning", "tunnels", "ESP byte counters unavailable",
                             "cannot prove that private traffic went through the tunnels"))
    elif private < least and crossed:
        evidence = "ESP byte counters +%d during the private probes%s%s" % (
            private, " and %d s after them" % waited if settle else "",
            ", less than the %d bytes that count as growth" % least if least > 1 else "")
        if lagging and "failed" not in states:
            found.append(finding(
                "warning", "tunnels", "the ESP byte counters had not grown after %d s" % waited,
                "cloud counters lag (Azure's connection byte counters and AWS's telemetry refresh "
                "every few minutes); the private paths to the other cloud answered, so this is a "
                "warning, not a failure: nothing proves yet that their traffic went through the "
                "tunnels", evidence))
        else:
            found.append(finding(
                "failure", "tunnels", "no private traffic went through the tunnels",
                "the private paths to the other cloud answered, so their traffic took another way "
                "(check the routes: it must go through the VPN gateways)", evidence))
    public = _phase_bytes(report, "public_phase")
    if public is None:
        found.append(finding("warning", "tunnels", "ESP byte counters unavailable",
                             "cannot prove that public traffic stayed out of the tunnels"))
    elif public > tolerance:
        evidence = "ESP byte counters +%d bytes during the public probes, tolerance %d" % (
            public, tolerance)
        if settle:
            # A lagging source may count the private probes' bytes (all of them, or the rest of
            # them) only after the public probes began.
            found.append(finding(
                "warning", "tunnels", "the ESP byte counters grew during the public probes",
                "cloud counters lag, so these may be the private probes' bytes counted late: "
                "cannot tell whether public traffic went through the tunnel", evidence))
        else:
            found.append(finding(
                "failure", "tunnels", "public traffic went through the tunnel",
                "a route or the traffic selectors send public addresses into the tunnel (the "
                "local network gateways' prefixes and the VPN's static routes must hold only the "
                "private networks)", evidence))
    return found


def _crosses(report, src, dst):
    clouds = {vm["name"]: vm.get("cloud") for vm in report["vms"]}
    return clouds.get(src) != clouds.get(dst)


def answered_across(measurements: List[Dict[str, Any]], vms: List[Dict[str, Any]]) -> bool:
    """Whether a private probe to the other cloud (one that crosses the tunnels) got any reply,
    at first or when measured again. When none did, the counters cannot change a finding:
    `counter_findings` judges them only against private paths across the tunnel that answered."""
    lab = {"vms": vms}
    for m in measurements:
        if m.get("path") != "private" or not _crosses(lab, m.get("src"), m.get("dst")):
            continue
        if (m.get("received") or 0) > 0 or ((m.get("remeasured") or {}).get("received") or 0) > 0:
            return True
    return False


# --- path MTU and throughput ------------------------------------------------------------------

def mtu_findings(report: Dict[str, Any]) -> List[Dict[str, Any]]:
    found = []
    for c in report.get("mtu_checks") or []:
        obj = "path MTU %s -> %s (%s)" % (c.get("src"), c.get("dst"), c.get("dst_ip"))
        largest, size, mss = c.get("largest"), c.get("size") or 0, c.get("mss_clamp")
        if c.get("error"):
            found.append(finding("failure", obj, "not measured", "the DF pings failed",
                                 c["error"]))
        elif largest is None:
            if not path_failed(report, c.get("src"), c.get("dst")):
                found.append(finding("failure", obj, "not even 68-byte packets with DF get "
                                     "through", "DF packets are dropped although the path "
                                     "answers plain pings"))
        elif not c.get("ok"):
            found.append(finding(
                "failure", obj, "%d bytes, below the %d the tunnel must carry" % (largest, size),
                "packets above %d bytes with Don't Fragment are dropped on the way (the MTU of "
                "the tunnel or of a gateway is too small)" % largest,
                "largest DF packet that passed: %d bytes" % largest))
        elif mss and mss + TCP_IP_HEADERS > largest:
            found.append(finding(
                "warning", obj, "TCP segments of the clamped MSS %d make %d-byte packets, more "
                "than the %d the path carries" % (mss, mss + TCP_IP_HEADERS, largest),
                "lower the MSS clamp to %d" % (largest - TCP_IP_HEADERS)))
    return found


def throughput_findings(report: Dict[str, Any]) -> List[Dict[str, Any]]:
    found = []
    for t in report.get("throughput") or []:
        obj = "throughput %s -> %s %s (%s)" % (
            t.get("src"), t.get("dst"), t.get("path"), t.get("dst_ip"))
        if t.get("error") and path_failed(report, t.get("src"), t.get("dst"), t.get("path")):
            found.append(finding("warning", obj, "not measured", "the path itself is broken "
                                 "(see its loss)", _short(t["error"])))
        elif t.get("error"):
            refused = "refused" in t["error"]
            cause = ("no iperf3 server answered on %s: check that iperf3 runs there and that "
                     "its security group / NSG allows TCP %s from %s"
                     % (t.get("dst_ip"), t.get("port") or IPERF3_PORTS["private"], t.get("src")) if refused
                     else "iperf3 did not complete")
            found.append(finding("warning", obj, "not measured", cause, _short(t["error"])))
        elif not t.get("mbps"):
            found.append(finding("warning", obj, "no data got through", "TCP connected but "
                                 "carried nothing: an MTU or MSS problem on the path?"))
    return found

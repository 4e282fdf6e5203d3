# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The report's routing evidence (``vpnlab_routing: bgp``), pure: what each BGP speaker learned
and over which sessions, the verdict's rule (a healthy BGP lab passes only when each side has
learned the other's prefix) and the pages' table.

``report.json`` ``routing`` (null with static routing)::

    mode            bgp
    speakers[]      name, side (azure|aws), role (router: the VNet's or VPC's, which decides
                    the VMs' way; gateway: a gateway instance or the VGW), expects[] (the other
                    cloud's prefix), expects_via[] (the next hops a router should reach it
                    through: the local target's VNet router, every gateway instance; empty
                    when any will do), learned[] ({prefix, next_hops[]}), missing[]
                    (expected, not learned), missing_via[] (expected next hops the learned
                    prefix does not use), sessions[] ({address, description, state,
                    prefixes_received})

What a speaker reports comes from the target's evidence source (the local target: FRR's JSON,
``_local/frr.py``), read after the probes.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Mapping, Optional

from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting.findings import finding
from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting.formatting import plain

ESTABLISHED = "Established"
SESSION_KEYS = ("address", "description", "state", "prefixes_received")


def routing_record(routing: Optional[Mapping[str, Any]]) -> Optional[Dict[str, Any]]:
    """The report's ``routing`` from the evidence ``{mode, speakers: {name: {side, expects,
    sessions, routes}}}``; None without one (static routing)."""
    if not routing or routing.get("mode") != "bgp":
        return None
    speakers = []
    for name, speaker in sorted((routing.get("speakers") or {}).items()):
        learned = [{"prefix": r.get("prefix"), "next_hops": list(r.get("next_hops") or [])}
                   for r in speaker.get("routes") or [] if r.get("installed", True)]
        prefixes = {r["prefix"] for r in learned}
        expects = list(speaker.get("expects") or [])
        via = list(speaker.get("expects_via") or [])
        missing = [p for p in expects if p not in prefixes]
        speakers.append({"name": name, "side": speaker.get("side"), "role": speaker.get("role") or "gateway",
                         "expects": expects, "expects_via": via, "learned": learned,
                         "missing": missing,
                         # Only of a prefix that is learned: one that is not is already missing.
                         "missing_via": missing_next_hops(learned, expects, via) if expects and not missing else [],
                         "sessions": [{k: s.get(k) for k in SESSION_KEYS} for s in speaker.get("sessions") or []]})
    return {"mode": "bgp", "speakers": speakers}


def missing_next_hops(routes: Iterable[Mapping[str, Any]], expects: Iterable[str], via: Iterable[str]) -> List[str]:
    """The next hops of ``via`` that none of the routes (``{prefix, next_hops}``) to the
    ``expects`` prefixes goes through; [] when ``via`` is empty (any will do)."""
    expects = set(expects)
    hops = {hop for route in routes if route["prefix"] in expects for hop in route["next_hops"]}
    return [hop for hop in via if hop not in hops]


def routing_findings(report: Mapping[str, Any]) -> List[Dict[str, Any]]:
    """A side's router (the VNet's, the VPC's) that has not learned the other cloud's prefix is
    a failure: that side has no route there, whatever the tunnels say. A gateway that has not
    (a lost instance, its sessions down) is degraded while the router still has the route
    through another one. A router that has the route through fewer next hops than it should
    (active-active: one per gateway instance) is degraded: the traffic takes the others. The
    sessions' states are the evidence; sessions still shown established while every tunnel that
    carries them is down (the report's tunnels) have those tunnels as their cause."""
    found = []
    tunnels = {t.get("name"): t.get("status") for t in report.get("tunnels") or ()}
    for speaker in ((report.get("routing") or {}).get("speakers") or []):
        if speaker.get("missing_via"):
            used = sorted({h for r in speaker["learned"] if r["prefix"] in speaker["expects"] for h in r["next_hops"]})
            lost = ", ".join(speaker["missing_via"])
            found.append(finding(
                "degraded", "BGP %s" % speaker["name"],
                "reaches %s through %s only, not through %s" % (", ".join(speaker["expects"]), ", ".join(used), lost),
                "the lab's traffic takes the other gateway instances; check the sessions of the %s at %s"
                % ("instance" if len(speaker["missing_via"]) == 1 else "instances", lost),
                _states(speaker)))
        if not speaker["missing"]:
            continue
        states = _states(speaker)
        # A gateway's sessions that bring routes are named after the tunnels that carry them (its
        # session with its VNet or VPC router only hands them on); without such names, all count.
        carried = [s for s in speaker["sessions"] if s.get("description") in tunnels]
        up = [s for s in carried or speaker["sessions"] if s.get("state") == ESTABLISHED]
        if up and carried and all(tunnels[s.get("description")] == "down" for s in carried):
            # BGP's lag: it keeps a session until its hold timer runs out. The tunnels are the
            # cause, not what the other side announces.
            cause = ("the tunnels that carry its sessions are down (%s); BGP shows a session established "
                     "until its hold timer runs out" % ", ".join(s.get("description") for s in carried))
        elif up:
            cause = "its sessions are up but bring no route: check what the other side announces"
        else:
            cause = ("no BGP session is established: check the ASNs and the peer addresses on both sides, and "
                     "the tunnels that carry the sessions")
        if speaker["role"] != "router":
            cause = "the lab's traffic takes the other gateway's sessions; " + cause
        found.append(finding("failure" if speaker["role"] == "router" else "degraded", "BGP %s" % speaker["name"],
                             "has not learned %s" % ", ".join(speaker["missing"]), cause, states))
    return found


def _states(speaker: Mapping[str, Any]) -> str:
    return ", ".join("%s %s" % (s.get("description") or s.get("address"), s.get("state"))
                     for s in speaker["sessions"]) or "no session"


def routing_table(report: Mapping[str, Any]) -> Optional[Dict[str, Any]]:
    """The pages' table of the routes each speaker learned; None with static routing."""
    routing = report.get("routing")
    if not routing:
        return None
    rows = []
    for speaker in routing["speakers"]:
        learned = "; ".join("%s via %s" % (r["prefix"], ", ".join(r["next_hops"]) or "?") for r in speaker["learned"])
        up = sum(1 for s in speaker["sessions"] if s.get("state") == ESTABLISHED)
        missing = list(speaker["missing"]) + ["via %s" % h for h in speaker.get("missing_via") or ()]
        rows.append([speaker["name"], speaker["side"], learned or "nothing",
                     ", ".join(missing) or "-", "%d of %d" % (up, len(speaker["sessions"]))])
    return {"header": ["speaker", "cloud", "learned (next hops)", "missing", "sessions up"],
            "rows": [[plain(v) for v in row] for row in rows]}

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
                    cloud's prefix), learned[]
                    ({prefix, next_hops[]}), missing[] (expected, not learned), sessions[]
                    ({address, description, state, prefixes_received})

What a speaker reports comes from the target's evidence source (the local target: FRR's JSON,
``_local/frr.py``), read after the probes.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional

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
        speakers.append({"name": name, "side": speaker.get("side"), "role": speaker.get("role") or "gateway",
                         "expects": expects, "learned": learned,
                         "missing": [p for p in expects if p not in prefixes],
                         "sessions": [{k: s.get(k) for k in SESSION_KEYS} for s in speaker.get("sessions") or []]})
    return {"mode": "bgp", "speakers": speakers}


def routing_findings(report: Mapping[str, Any]) -> List[Dict[str, Any]]:
    """A side's router (the VNet's, the VPC's) that has not learned the other cloud's prefix is
    a failure: that side has no route there, whatever the tunnels say. A gateway that has not
    (a lost instance, its sessions down) is degraded while the router still has the route
    through another one. The sessions' states are the evidence."""
    found = []
    for speaker in ((report.get("routing") or {}).get("speakers") or []):
        if not speaker["missing"]:
            continue
        states = ", ".join("%s %s" % (s.get("description") or s.get("address"), s.get("state"))
                           for s in speaker["sessions"]) or "no session"
        up = [s for s in speaker["sessions"] if s.get("state") == ESTABLISHED]
        cause = ("its sessions are up but bring no route: check what the other side announces"
                 if up else "no BGP session is established: check the ASNs and the peer addresses on both "
                 "sides, and the tunnels that carry the sessions")
        if speaker["role"] != "router":
            cause = "the lab's traffic takes the other gateway's sessions; " + cause
        found.append(finding("failure" if speaker["role"] == "router" else "degraded", "BGP %s" % speaker["name"],
                             "has not learned %s" % ", ".join(speaker["missing"]), cause, states))
    return found


def routing_table(report: Mapping[str, Any]) -> Optional[Dict[str, Any]]:
    """The pages' table of the routes each speaker learned; None with static routing."""
    routing = report.get("routing")
    if not routing:
        return None
    rows = []
    for speaker in routing["speakers"]:
        learned = "; ".join("%s via %s" % (r["prefix"], ", ".join(r["next_hops"]) or "?") for r in speaker["learned"])
        up = sum(1 for s in speaker["sessions"] if s.get("state") == ESTABLISHED)
        rows.append([speaker["name"], speaker["side"], learned or "nothing",
                     ", ".join(speaker["missing"]) or "-", "%d of %d" % (up, len(speaker["sessions"]))])
    return {"header": ["speaker", "cloud", "learned (next hops)", "missing", "sessions up"],
            "rows": [[plain(v) for v in row] for row in rows]}

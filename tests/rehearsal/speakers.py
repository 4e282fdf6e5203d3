# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The clouds' BGP speakers: FRR (zebra and bgpd) in the namespaces the design names (an AWS
VGW, each Azure gateway instance, the Azure VNet router), configured from what the clouds'
objects say (design.py) and run with the local target's runner (plugins/module_utils/_local/
bgpd.py, frr.py). A speaker whose configuration changed restarts its bgpd; one the design no
longer has stops. What they report is read back as the clouds' evidence (realizer.py).
"""

from __future__ import annotations

import os
import re

from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.bgpd import BgpdError, Speaker
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.frr import (
    ESTABLISHED, FrrConfigError, learned_routes, sessions, speaker_conf,
)
from tests.rehearsal import addressing as ad

UNSAFE = re.compile(r"[^A-Za-z0-9.-]+")


def hostname(netns):
    """FRR's hostname for the speaker of `netns` (letters, digits and '-', 63 at most)."""
    return re.sub(r"[^A-Za-z0-9-]+", "-", netns)[-63:].strip("-") or "speaker"


def conf_text(netns, spec):
    """frr.conf of one speaker of the design; FrrConfigError when a value is refused."""
    neighbors = [dict(n, description=UNSAFE.sub("-", n["description"])[:80]) if n.get("description") else n
                 for n in spec["neighbors"]]
    return speaker_conf(hostname(netns), spec["asn"], spec["router_id"], neighbors, spec["networks"])


def bgp_view(spec, evidence):
    """One speaker's evidence as the clouds tell it: per peer address {state, routes} (Azure's
    words: Connected or Connecting) and the routes learned from peers of another AS, each
    {network, sourcePeer, origin, asPath}."""
    asns = {n["address"]: n["remote_asn"] for n in spec["neighbors"]}
    peers = {}
    for session in evidence.get("sessions") or []:
        up = session["state"] == ESTABLISHED
        peers[session["address"]] = {"established": up, "state": session["state"],
                                     "routes": session["prefixes_received"] if up else 0}
    routes = []
    for route in evidence.get("routes") or []:
        for hop in route["next_hops"]:
            if hop in asns and asns[hop] != spec["asn"]:
                routes.append({"network": route["prefix"], "sourcePeer": hop, "origin": "EBgp",
                               "asPath": str(asns[hop])})
    return {"peers": peers, "routes": routes}


class Speakers:
    """The rehearsal's running speakers, by namespace; their files under `directory`."""

    def __init__(self, directory, log):
        self.dir, self.log = directory, log
        self.running, self.texts = {}, {}

    def converge(self, specs):
        for netns in sorted(set(self.running) - set(specs)):
            self.log("%s: BGP speaker gone: stop" % netns)
            self.running.pop(netns).stop()
            self.texts.pop(netns, None)
        problems = []
        for netns, spec in sorted(specs.items()):
            try:
                text = conf_text(netns, spec)
            except FrrConfigError as exc:
                problems.append("%s: %s" % (netns, exc))
                continue
            speaker = self.running.get(netns) or Speaker(os.path.join(self.dir, ad.digest(netns)), netns)
            self.running[netns] = speaker
            if self.texts.get(netns) != text or not speaker.pid("bgpd"):
                try:
                    if speaker.ensure(text):
                        self.log("%s: BGP speaker AS %s started with %d neighbor(s)"
                                 % (netns, spec["asn"], len(spec["neighbors"])))
                    self.texts[netns] = text
                except BgpdError as exc:
                    problems.append("%s: %s" % (netns, exc))
        if problems:
            raise BgpdError("; ".join(problems))

    def evidence(self, netns, routes=True):
        """{sessions, routes} of the speaker in `netns` ({} when it does not run or answer);
        without the routes when `routes` is false."""
        speaker = self.running.get(netns)
        if speaker is None or not speaker.pid("bgpd"):
            return {}
        try:
            found = {"sessions": sessions(speaker.query("show bgp summary json"))}
            if routes:
                found["routes"] = learned_routes(speaker.query("show ip route bgp json"))
            return found
        except BgpdError as exc:
            self.log("%s: BGP speaker did not answer: %s" % (netns, exc))
            return {}

    def stop(self):
        for speaker in self.running.values():
            speaker.stop()
        self.running.clear()

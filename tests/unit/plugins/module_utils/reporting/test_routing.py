# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""reporting/routing.py: the BGP design's routing evidence in the report, its verdict rule and
its table; through build_report, so the verdict is the one a check writes."""

from __future__ import annotations

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting.findings import tunnel_findings
from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting.model import build_report
from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting.routing import (
    missing_next_hops, routing_findings, routing_record, routing_table,
)

VNET, VPC = "10.1.0.0/16", "10.2.0.0/16"


def session(description, state="Established", prefixes=1):
    return {"address": "169.254.21.1", "description": description, "state": state, "prefixes_received": prefixes,
            "remote_asn": 64512, "up_seconds": 12}


def route(prefix, *hops):
    return {"prefix": prefix, "next_hops": list(hops), "interfaces": ["ipsec0"], "installed": True}


def speakers(**change):
    """A healthy BGP lab's speakers as the local target's evidence reports them."""
    found = {
        "azure0": {"side": "azure", "role": "gateway", "expects": [VPC], "sessions": [session("vpn1-tunnel1")],
                   "routes": [route(VPC, "169.254.21.1")]},
        "azure1": {"side": "azure", "role": "gateway", "expects": [VPC], "sessions": [session("vpn2-tunnel1")],
                   "routes": [route(VPC, "169.254.21.5")]},
        "vnet": {"side": "azure", "role": "router", "expects": [VPC], "expects_via": ["10.1.0.4", "10.1.0.5"],
                 "sessions": [session("instance0")], "routes": [route(VPC, "10.1.0.4", "10.1.0.5")]},
        "aws": {"side": "aws", "role": "gateway", "expects": [VNET], "sessions": [session("vpn1-tunnel1")],
                "routes": [route(VNET, "169.254.21.2")]},
        "vpc": {"side": "aws", "role": "router", "expects": [VNET], "sessions": [session("vgw")],
                "routes": [route(VNET, "10.2.255.254")]},
    }
    for name, value in change.items():
        found[name] = dict(found[name], **value)
    return {"mode": "bgp", "speakers": found}


def test_static_routing_has_no_routing_section():
    assert routing_record(None) is None and routing_record({"mode": "static"}) is None
    assert routing_table({"routing": None}) is None
    assert routing_findings({"routing": None}) == []


def test_a_healthy_bgp_lab():
    record = routing_record(speakers())
    assert [s["name"] for s in record["speakers"]] == ["aws", "azure0", "azure1", "vnet", "vpc"]
    vnet = record["speakers"][3]
    assert vnet == {"name": "vnet", "side": "azure", "role": "router", "expects": [VPC],
                    "expects_via": ["10.1.0.4", "10.1.0.5"],
                    "learned": [{"prefix": VPC, "next_hops": ["10.1.0.4", "10.1.0.5"]}], "missing": [],
                    "missing_via": [],
                    "sessions": [{"address": "169.254.21.1", "description": "instance0", "state": "Established",
                                  "prefixes_received": 1}]}
    assert routing_findings({"routing": record}) == []
    table = routing_table({"routing": record})
    assert table["header"] == ["speaker", "cloud", "learned (next hops)", "missing", "sessions up"]
    assert table["rows"][3] == ["vnet", "azure", "10.2.0.0/16 via 10.1.0.4, 10.1.0.5", "-", "1 of 1"]


@pytest.mark.parametrize("change, severity, text", [
    # The VPC router learned nothing: the AWS side has no way to the VNet.
    ({"vpc": {"routes": [], "sessions": [session("vgw", "Active", 0)]}}, "failure",
     "BGP vpc: has not learned 10.1.0.0/16: no BGP session is established: check the ASNs and the peer "
     "addresses on both sides, and the tunnels that carry the sessions (vgw Active)"),
    # Sessions up, nothing announced.
    ({"vnet": {"routes": []}}, "failure",
     "BGP vnet: has not learned 10.2.0.0/16: its sessions are up but bring no route: check what the other "
     "side announces (instance0 Established)"),
    # A lost instance: the VNet still has the route through the other one.
    ({"azure1": {"routes": [], "sessions": [session("vpn2-tunnel1", "Connect", 0)]}}, "degraded",
     "BGP azure1: has not learned 10.2.0.0/16: the lab's traffic takes the other gateway's sessions; no BGP "
     "session is established: check the ASNs and the peer addresses on both sides, and the tunnels that carry "
     "the sessions (vpn2-tunnel1 Connect)"),
    # A route that is not installed is not learned.
    ({"vpc": {"routes": [dict(route(VNET, "10.2.255.254"), installed=False)]}}, "failure",
     "BGP vpc: has not learned 10.1.0.0/16"),
    # Active-active with the VNet's route through one instance only: the other carries nothing.
    ({"vnet": {"routes": [route(VPC, "10.1.0.4")]}}, "degraded",
     "BGP vnet: reaches 10.2.0.0/16 through 10.1.0.4 only, not through 10.1.0.5: the lab's traffic takes the "
     "other gateway instances; check the sessions of the instance at 10.1.0.5 (instance0 Established)"),
    # Through neither: not learned at all is the failure, not also a missing next hop.
    ({"vnet": {"routes": [route(VNET, "10.1.0.4")]}}, "failure", "BGP vnet: has not learned 10.2.0.0/16"),
    # A route through an unexpected next hop does not stand in for an expected one.
    ({"vnet": {"routes": [route(VPC, "10.1.0.4", "10.1.0.9")]}}, "degraded",
     "BGP vnet: reaches 10.2.0.0/16 through 10.1.0.4, 10.1.0.9 only, not through 10.1.0.5"),
])
def test_what_is_not_learned(change, severity, text):
    found = routing_findings({"routing": routing_record(speakers(**change))})
    assert [f["severity"] for f in found] == [severity]
    assert found[0]["text"].startswith(text)


def tunnel(name, status):
    return {"name": name, "outside_ip": "203.0.113.8", "status": status, "detail": "d", "source": "s"}


@pytest.mark.parametrize("sessions, tunnels, cause", [
    # Its tunnels are down, BGP has not noticed yet: the tunnels are the cause.
    ([session("vnet"), session("vpn2-tunnel1"), session("vpn2-tunnel2")],
     [tunnel("vpn1-tunnel1", "up"), tunnel("vpn2-tunnel1", "down"), tunnel("vpn2-tunnel2", "down")],
     "the lab's traffic takes the other gateway's sessions; the tunnels that carry its sessions are down "
     "(vpn2-tunnel1, vpn2-tunnel2); BGP shows a session established until its hold timer runs out"),
    # After the hold timer, or a session that never came up (a cloud reports a tunnel down while
    # its BGP session is: a wrong ASN is not the tunnel's fault): the sessions' states speak.
    ([session("vpn2-tunnel1", "Active", 0)], [tunnel("vpn2-tunnel1", "down")],
     "the lab's traffic takes the other gateway's sessions; no BGP session is established: check the ASNs"),
    # Its session with the VNet router hands routes on, it brings none: it does not count as up.
    ([session("vnet"), session("vpn2-tunnel1", "Active", 0), session("vpn2-tunnel2", "Active", 0)],
     [tunnel("vpn2-tunnel1", "down"), tunnel("vpn2-tunnel2", "down")],
     "the lab's traffic takes the other gateway's sessions; no BGP session is established"),
    # One of its tunnels still up: the sessions are where to look.
    ([session("vpn2-tunnel1"), session("vpn2-tunnel2")], [tunnel("vpn2-tunnel1", "down"), tunnel("vpn2-tunnel2", "up")],
     "the lab's traffic takes the other gateway's sessions; its sessions are up but bring no route"),
    # Tunnels the report does not know (the cloud's names differ): the sessions' states speak.
    ([session("vpn2-tunnel1", "Idle", 0)], [tunnel("tunnel1", "down")],
     "the lab's traffic takes the other gateway's sessions; no BGP session is established"),
    ([session("vpn2-tunnel1", "Idle", 0)], [], "the lab's traffic takes the other gateway's sessions; no BGP session"),
])
def test_a_gateway_whose_tunnels_are_down_names_them(sessions, tunnels, cause):
    record = routing_record(speakers(azure1={"routes": [], "sessions": sessions}))
    found = routing_findings({"routing": record, "tunnels": tunnels})
    assert [(f["severity"], f["object"]) for f in found] == [("degraded", "BGP azure1")]
    assert found[0]["cause"].startswith(cause), found[0]["cause"]


@pytest.mark.parametrize("via, learned, missing_via", [
    ([], [route(VPC, "10.1.0.4")], []),                        # no next hops expected: any will do
    (["10.1.0.4"], [route(VPC, "10.1.0.4")], []),
    (["10.1.0.4", "10.1.0.5"], [route(VPC, "10.1.0.5")], ["10.1.0.4"]),
    (["10.1.0.4", "10.1.0.5"], [route(VPC, "10.1.0.4"), route("10.9.0.0/16", "10.1.0.5")], ["10.1.0.5"]),
    (["10.1.0.4", "10.1.0.5"], [], []),                        # missing altogether instead
])
def test_the_next_hops_a_router_misses(via, learned, missing_via):
    record = routing_record(speakers(vnet={"expects_via": via, "routes": learned}))
    vnet = [s for s in record["speakers"] if s["name"] == "vnet"][0]
    assert vnet["missing_via"] == missing_via
    row = routing_table({"routing": record})["rows"][3]
    expected = VPC if not learned else ", ".join("via " + h for h in missing_via) or "-"
    assert row[3] == expected


@pytest.mark.parametrize("routes, via, missing", [
    ([route(VPC, "10.1.0.4", "10.1.0.5")], ["10.1.0.4", "10.1.0.5"], []),
    ([route(VPC, "10.1.0.4")], ["10.1.0.4", "10.1.0.5"], ["10.1.0.5"]),
    ([route(VPC, "10.1.0.4"), route(VNET, "10.1.0.5")], ["10.1.0.4", "10.1.0.5"], ["10.1.0.5"]),
    ([], ["10.1.0.4"], ["10.1.0.4"]),
    ([route(VPC, "10.1.0.4")], [], []),
])
def test_missing_next_hops(routes, via, missing):
    """The one rule the build's wait (_local/bgpd.py) and the report share."""
    assert missing_next_hops(routes, [VPC], via) == missing


def test_the_verdict_of_a_report_with_routing():
    measurements = [{"src": "vm1", "dst": "vm3", "path": "private", "tool": "ping", "sent": 3, "received": 3,
                     "loss_pct": 0}]
    healthy = build_report("lab", "local", [], {}, measurements, routing=speakers())
    assert not [f for f in healthy["verdict"]["findings"] if f["object"].startswith("BGP")]
    broken = build_report("lab", "local", [], {}, measurements,
                          routing=speakers(vnet={"routes": [], "sessions": []}))
    assert broken["verdict"]["level"] == "fail"
    assert any(f.startswith("BGP vnet: has not learned 10.2.0.0/16") for f in broken["verdict"]["failures"])


@pytest.mark.parametrize("up, carriers", [
    (["vpn1-tunnel1"], "vpn1-tunnel1 carries the traffic"),
    (["vpn1-tunnel1", "vpn1-tunnel2"], "vpn1-tunnel1 and vpn1-tunnel2 carry the traffic"),
    (["vpn1-tunnel1", "vpn1-tunnel2", "vpn2-tunnel1"], "vpn1-tunnel1, vpn1-tunnel2 and vpn2-tunnel1 carry the traffic"),
])
def test_a_lost_tunnel_names_the_tunnels_that_carry_the_traffic(up, carriers):
    """The BGP design's four tunnels: the finding names every tunnel still up, in plain English."""
    tunnels = [{"name": n, "outside_ip": "203.0.113.%d" % i, "status": "up" if n in up else "down",
                "detail": "d", "source": "s"}
               for i, n in enumerate(["vpn1-tunnel1", "vpn1-tunnel2", "vpn2-tunnel1", "vpn2-tunnel2"])]
    found = tunnel_findings({"tunnels": tunnels})
    assert len(found) == 4 - len(up)
    assert all("(%s)" % carriers in f["problem"] for f in found)

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AWS side's BGP evidence: four tunnel records from two dynamic VPN connections, and the
VPC's route table (propagated routes) with every session's telemetry as the report's speaker."""

from __future__ import annotations

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws.evidence import (
    PROPAGATED, bgp_speakers, bgp_tunnel_records,
)
from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting.routing import (
    routing_findings, routing_record,
)

VNET = "10.1.0.0/16"
PLANNED = [{"vpn_connection": "lab-vpn%d" % n,
            "sessions": [{"name": "vpn%d-tunnel%d" % (n, t), "inside_cidr": "169.254.2%d.%d/30" % (t, 4 * (n - 1)),
                          "peer_bgp_ip": "169.254.2%d.%d" % (t, 4 * (n - 1) + 2)} for t in (1, 2)]}
           for n in (1, 2)]


def connection(n, statuses, routes=1):
    ips = ["203.0.113.%d%d" % (n, t) for t in (1, 2)]
    return {"VpnConnectionId": "vpn-%d" % n,
            "Options": {"TunnelOptions": [{"OutsideIpAddress": ip, "TunnelInsideCidr": s["inside_cidr"]}
                                          for ip, s in zip(ips, PLANNED[n - 1]["sessions"])]},
            "VgwTelemetry": [{"OutsideIpAddress": ip, "Status": st, "AcceptedRouteCount": routes if st == "UP" else 0,
                              "StatusMessage": "1 BGP ROUTES" if st == "UP" else ""} for ip, st in zip(ips, statuses)]}


def table(*prefixes, origin=PROPAGATED):
    return {"Routes": [{"DestinationCidrBlock": "10.2.0.0/16", "GatewayId": "local", "Origin": "CreateRouteTable"}]
            + [{"DestinationCidrBlock": p, "GatewayId": "vgw-1", "Origin": origin, "State": "active"} for p in prefixes]}


def test_four_records_in_the_plans_order():
    found = {"lab-vpn1": connection(1, ["UP", "DOWN"]), "lab-vpn2": connection(2, ["UP", "UP"])}
    records = bgp_tunnel_records(found, PLANNED)
    assert [(r["name"], r["outside_ip"], r["status"]) for r in records] == [
        ("vpn1-tunnel1", "203.0.113.11", "up"), ("vpn1-tunnel2", "203.0.113.12", "down"),
        ("vpn2-tunnel1", "203.0.113.21", "up"), ("vpn2-tunnel2", "203.0.113.22", "up")]


def test_a_missing_connection_gives_unknown_records_naming_it():
    records = bgp_tunnel_records({"lab-vpn1": connection(1, ["UP", "UP"]), "lab-vpn2": None}, PLANNED)
    assert [r["status"] for r in records] == ["up", "up", "unknown", "unknown"]
    assert records[2]["detail"] == "no VPN connection lab-vpn2 of the lab was found"


CASES = [
    pytest.param(["UP", "UP"], ["UP", "UP"], [table(VNET)], [], 4, id="healthy"),
    pytest.param(["DOWN", "DOWN"], ["UP", "UP"], [table(VNET)], [], 2, id="one connection down: the route stays"),
    pytest.param(["DOWN", "DOWN"], ["DOWN", "DOWN"], [table()], [("failure", "BGP vpc")], 0, id="nothing learned"),
    pytest.param(["UP", "UP"], ["UP", "UP"], [table(VNET, origin="CreateRoute")], [("failure", "BGP vpc")], 4,
                 id="a typed route is not a learned one"),
]


@pytest.mark.parametrize("first, second, tables, expected, established", CASES)
def test_the_vpc_router(first, second, tables, expected, established):
    found = {"lab-vpn1": connection(1, first), "lab-vpn2": connection(2, second)}
    speakers = bgp_speakers(found, PLANNED, tables, [VNET])
    assert list(speakers) == ["vpc"]
    sessions = speakers["vpc"]["sessions"]
    assert [s["description"] for s in sessions] == ["vpn1-tunnel1", "vpn1-tunnel2", "vpn2-tunnel1", "vpn2-tunnel2"]
    assert [s["address"] for s in sessions] == ["169.254.21.2", "169.254.22.2", "169.254.21.6", "169.254.22.6"]
    assert sum(s["state"] == "Established" for s in sessions) == established
    report = {"routing": routing_record({"mode": "bgp", "speakers": speakers})}
    assert sorted((f["severity"], f["object"]) for f in routing_findings(report)) == expected


def test_without_telemetry_the_sessions_are_unknown():
    speakers = bgp_speakers({"lab-vpn1": None, "lab-vpn2": {"VpnConnectionId": "vpn-2"}}, PLANNED, [table(VNET)], [VNET])
    assert {s["state"] for s in speakers["vpc"]["sessions"]} == {"Unknown"}
    assert speakers["vpc"]["routes"] == [{"prefix": VNET, "next_hops": ["vgw-1"]}]

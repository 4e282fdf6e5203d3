# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_aws.vpn and _aws.psks: AWS's value rules, the request/response spelling, pairing, routes."""

from __future__ import annotations

import json
import os
import random

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws import psks, vpn

PSK1, PSK2 = "vpnlab.Tunnel1_k3yA9xQ2wE", "vpnlab.Tunnel2_m7Rb4Zt8pL"
OPTIONS = {"ike_versions": ["ikev2"], "phase1_dh_group_numbers": [14], "dpd_timeout_seconds": 30,
           "startup_action": "add", "phase2_lifetime_seconds": None}


def wanted():
    return vpn.wanted_tunnels([{"tunnel_inside_cidr": "169.254.21.0/30", "pre_shared_key": PSK1},
                               {"tunnel_inside_cidr": "169.254.22.0/30", "pre_shared_key": PSK2}], OPTIONS)


def test_unset_options_are_neither_sent_nor_compared():
    assert "phase2_lifetime_seconds" not in wanted()[0]
    assert vpn.tunnel_request(wanted()[0]) == {
        "TunnelInsideCidr": "169.254.21.0/30", "PreSharedKey": PSK1, "IKEVersions": [{"Value": "ikev2"}],
        "Phase1DHGroupNumbers": [{"Value": 14}], "DPDTimeoutSeconds": 30, "StartupAction": "add"}


RESPONSE = {"OutsideIpAddress": "3.120.1.10", "TunnelInsideCidr": "169.254.21.0/30", "PreSharedKey": PSK1,
            "IkeVersions": [{"Value": "ikev2"}], "Phase1DHGroupNumbers": [{"Value": 14}],
            "DpdTimeoutSeconds": 30, "StartupAction": "add", "Phase2LifetimeSeconds": 3600}

DIFFS = [
    ("same", {}, []),
    ("request-spelling-is-not-read", {"DPDTimeoutSeconds": 30, "IKEVersions": [{"Value": "ikev2"}]}, []),
    ("dpd", {"DpdTimeoutSeconds": 40}, ["dpd_timeout_seconds"]),
    ("ike-order-does-not-matter", {"IkeVersions": [{"Value": "ikev2"}]}, []),
    ("ike", {"IkeVersions": [{"Value": "ikev1"}, {"Value": "ikev2"}]}, ["ike_versions"]),
    ("key-in-secrets-manager", {"PreSharedKey": None}, []),
    ("key", {"PreSharedKey": "vpnlab.other_key"}, ["pre_shared_key"]),
    ("missing-option", {"StartupAction": None}, ["startup_action"]),
]


@pytest.mark.parametrize("change,expected", [d[1:] for d in DIFFS], ids=[d[0] for d in DIFFS])
def test_tunnel_differences_read_the_response_spelling(change, expected):
    current = {k: v for k, v in dict(RESPONSE, **change).items() if v is not None}
    assert vpn.tunnel_differences(wanted()[0], current) == expected


def test_the_request_spelling_would_differ_every_time():
    """The trap the response table avoids: a response has no DPDTimeoutSeconds or IKEVersions."""
    request = vpn.tunnel_request(wanted()[0])
    assert "DPDTimeoutSeconds" in request and "DPDTimeoutSeconds" not in RESPONSE
    assert "IKEVersions" in request and "IKEVersions" not in RESPONSE


def test_pairing_by_inside_cidr_then_order():
    a = {"TunnelInsideCidr": "169.254.22.0/30", "OutsideIpAddress": "b"}
    b = {"TunnelInsideCidr": "169.254.21.0/30", "OutsideIpAddress": "a"}
    assert vpn.pair_tunnels(wanted(), [a, b]) == [(wanted()[0], b), (wanted()[1], a)]
    c = {"TunnelInsideCidr": "169.254.99.0/30", "OutsideIpAddress": "c"}
    assert vpn.pair_tunnels(wanted(), [c, a]) == [(wanted()[0], c), (wanted()[1], a)]


def test_modify_requests_send_only_what_differs():
    current = [dict(RESPONSE), dict(RESPONSE, OutsideIpAddress="3.120.1.11", TunnelInsideCidr="169.254.22.0/30",
                                    PreSharedKey=PSK2, DpdTimeoutSeconds=45)]
    assert vpn.modify_requests("vpn-1", wanted(), current) == [{
        "VpnConnectionId": "vpn-1", "VpnTunnelOutsideIpAddress": "3.120.1.11",
        "TunnelOptions": {"DPDTimeoutSeconds": 30}}]


ROUTES = [
    ("add", ["10.1.0.0/16"], [], True, (["10.1.0.0/16"], [])),
    ("keep", ["10.1.0.0/16"], [("10.1.0.0/16", "available")], True, ([], [])),
    ("pending-counts", ["10.1.0.0/16"], [("10.1.0.0/16", "pending")], True, ([], [])),
    ("deleted-does-not", ["10.1.0.0/16"], [("10.1.0.0/16", "deleted")], True, (["10.1.0.0/16"], [])),
    ("remove", [], [("10.9.0.0/16", "available")], True, ([], ["10.9.0.0/16"])),
    ("no-purge", [], [("10.9.0.0/16", "available")], False, ([], [])),
]


@pytest.mark.parametrize("wanted_routes,have,purge,expected", [r[1:] for r in ROUTES], ids=[r[0] for r in ROUTES])
def test_route_changes(wanted_routes, have, purge, expected):
    connection = {"Routes": [{"DestinationCidrBlock": c, "State": s} for c, s in have]}
    assert vpn.route_changes(wanted_routes, connection, purge) == expected


# A connection AWS is still applying a tunnel modification to is the connection: leaving
# `modifying` out made a re-run find nothing and create a second one.
CONNECTION_STATES = [("pending", True), ("available", True), ("modifying", True), ("deleting", False),
                     ("deleted", False), (None, False)]


@pytest.mark.parametrize("state,live", CONNECTION_STATES, ids=[str(c[0]) for c in CONNECTION_STATES])
def test_live_connections(state, live):
    found = vpn.live_connections([{"VpnConnectionId": "vpn-1", "State": state}])
    assert bool(found) is live


POLLS = [
    # The rehearsal modifies a tunnel in ~4 s: looks after 2 and 5 s, not after 15 s.
    ("short-first", 10, [2, 3, 4.5]),
    ("grows-to-15", 60, [2, 3, 4.5, 6.75, 10.125, 15, 15]),
    ("nothing-fits", 1, []),
    ("exactly", 5, [2, 3]),
]


@pytest.mark.parametrize("timeout,expected", [p[1:] for p in POLLS], ids=[p[0] for p in POLLS])
def test_poll_delays(timeout, expected):
    assert vpn.poll_delays(timeout) == expected


def test_poll_delays_stay_within_the_timeout_and_at_most_15_s():
    delays = vpn.poll_delays(900)
    assert sum(delays) <= 900 and max(delays) == 15 and delays[0] == 2
    assert len(delays) == 63  # looks within 15 min: many early, then every 15 s


RULES = [
    ("ok", {}, []),
    ("inside-size", {"tunnel_inside_cidr": "169.254.21.0/29"}, ["must be a /30 inside 169.254.0.0/16"]),
    ("inside-reserved-last", {"tunnel_inside_cidr": "169.254.169.252/30"}, ["AWS reserves"]),
    ("inside-garbage", {"tunnel_inside_cidr": "nope"}, ["is not an IPv4 network"]),
    ("psk-short", {"pre_shared_key": "short"}, ["<hidden, 5 characters> must be 8-64"]),
    ("psk-empty", {"pre_shared_key": ""}, ["pre_shared_key is empty"]),
    ("ike", {"ike_versions": ["ikev3"]}, ["ike_versions ikev3 not accepted"]),
    ("ike-empty", {"ike_versions": []}, ["ike_versions must be a non-empty list"]),
    ("dpd", {"dpd_timeout_seconds": 29}, ["dpd_timeout_seconds=29 must be 30 or more"]),
    ("dpd-action", {"dpd_timeout_action": "panic"}, ["dpd_timeout_action='panic' must be one of"]),
    # AWS wants Phase 2 strictly shorter than Phase 1: equal lifetimes are refused too.
    ("phase-order", {"phase1_lifetime_seconds": 1000, "phase2_lifetime_seconds": 2000},
     ["phase2_lifetime_seconds=2000 must be less than phase1_lifetime_seconds=1000"]),
    ("phase-equal", {"phase1_lifetime_seconds": 3600, "phase2_lifetime_seconds": 3600},
     ["phase2_lifetime_seconds=3600 must be less than phase1_lifetime_seconds=3600"]),
    ("phase-equal-at-the-floor", {"phase1_lifetime_seconds": 900, "phase2_lifetime_seconds": 900},
     ["phase2_lifetime_seconds=900 must be less than phase1_lifetime_seconds=900"]),
    ("phase2-one-second-shorter", {"phase1_lifetime_seconds": 3601, "phase2_lifetime_seconds": 3600}, []),
    ("phase-defaults", {"phase1_lifetime_seconds": 28800, "phase2_lifetime_seconds": 3600}, []),
    # A key is the whole string: `$` would also accept it with a newline at the end.
    ("psk-trailing-newline", {"pre_shared_key": PSK1 + "\n"}, ["<hidden, 26 characters> must be 8-64"]),
    ("psk-trailing-crlf", {"pre_shared_key": PSK1 + "\r\n"}, ["<hidden, 27 characters> must be 8-64"]),
    ("psk-leading-newline", {"pre_shared_key": "\n" + PSK1}, ["<hidden, 26 characters> must be 8-64"]),
    ("psk-inner-newline", {"pre_shared_key": "vpnlab.\nTunnel1"}, ["<hidden, 15 characters> must be 8-64"]),
    ("psk-64", {"pre_shared_key": "a" * 64}, []),
    ("psk-64-and-newline", {"pre_shared_key": "a" * 64 + "\n"}, ["<hidden, 65 characters> must be 8-64"]),
    ("psk-zero-first", {"pre_shared_key": "0" + PSK1}, ["<hidden, 26 characters> must not start with '0'"]),
    ("phase2-dh-5-is-allowed", {"phase2_dh_group_numbers": [5]}, []),
    ("phase1-dh-5-is-not", {"phase1_dh_group_numbers": [5]}, ["phase1_dh_group_numbers 5 not accepted"]),
]


@pytest.mark.parametrize("change,fragments", [r[1:] for r in RULES], ids=[r[0] for r in RULES])
def test_tunnel_rules(change, fragments):
    problems = vpn.tunnel_problems("tunnel1", dict(wanted()[0], **change))
    assert len(problems) == len(fragments), problems
    for problem, fragment in zip(problems, fragments):
        assert fragment in problem
        assert PSK1 not in problem


def test_every_problem_at_once():
    bad = [dict(wanted()[0], dpd_timeout_seconds=5, pre_shared_key="0abcdefgh"), dict(wanted()[0])]
    with pytest.raises(vpn.VpnSpecError) as err:
        vpn.check_tunnels(bad)
    assert len(err.value.problems) == 3  # DPD, leading zero, same inside CIDR
    assert "0abcdefgh" not in str(err.value)


def test_create_request_shape():
    request = vpn.create_request("cgw-1", "vgw-1", wanted(), {"vpnlab": "x", "Name": "x-vpn"})
    assert request["Options"]["StaticRoutesOnly"] is True
    assert [t["PreSharedKey"] for t in request["Options"]["TunnelOptions"]] == [PSK1, PSK2]
    assert request["TagSpecifications"] == [{"ResourceType": "vpn-connection", "Tags": [
        {"Key": "Name", "Value": "x-vpn"}, {"Key": "vpnlab", "Value": "x"}]}]


def test_diff_and_summary_hide_keys():
    connection = {"VpnConnectionId": "vpn-1", "State": "available",
                  "Options": {"TunnelOptions": [RESPONSE]}, "Routes": [], "Tags": []}
    assert PSK1 not in json.dumps(vpn.describe_for_diff(connection))
    assert PSK1 not in json.dumps(vpn.summary(connection))
    assert vpn.describe_for_diff(connection)["tunnels"][0]["pre_shared_key"] == "<hidden>"


# --- keys -----------------------------------------------------------------------------------

def test_generated_keys_follow_aws_rule():
    rng = random.Random(7)
    for dummy in range(200):
        key = psks.generate_psk(rng)
        assert vpn.psk_problems("t", key) == []


CHOICES = [
    ("given-wins", ["g1", None], {"tunnel1": "s1", "tunnel2": "s2"}, {"tunnel1": "c1"}, {"tunnel1": "g1", "tunnel2": "s2"}),
    ("stored-over-current", [], {"tunnel2": "s2"}, {"tunnel1": "c1", "tunnel2": "c2"}, {"tunnel1": "c1", "tunnel2": "s2"}),
    ("generated-last", [""], {}, {}, {"tunnel1": "new1", "tunnel2": "new2"}),
]


@pytest.mark.parametrize("given,stored,current,expected", [c[1:] for c in CHOICES], ids=[c[0] for c in CHOICES])
def test_key_precedence(given, stored, current, expected):
    made = iter(["new1", "new2"])
    assert psks.choose(["tunnel1", "tunnel2"], given, stored, current, generate=lambda: next(made)) == expected


def test_store_round_trip_is_private(tmp_path):
    path = str(tmp_path / "psks.json")
    assert psks.read_store(path) == {}
    assert psks.write_store(path, {"tunnel1": PSK1}, check_mode=True) is True
    assert not os.path.exists(path)
    assert psks.write_store(path, {"tunnel1": PSK1}) is True
    assert psks.write_store(path, {"tunnel1": PSK1}) is False
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    assert psks.read_store(path) == {"tunnel1": PSK1}
    (tmp_path / "bad.json").write_text("{not json")
    assert psks.read_store(str(tmp_path / "bad.json")) == {}

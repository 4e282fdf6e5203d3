# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""aws_vpn_connection against botocore's Stubber: every tunnel request, exactly as AWS gets it.

moto drops tunnel options and does not implement ModifyVpnTunnelOptions or
CreateVpnConnectionRoute, so these requests are proven here, with ``expected_params``.
Responses are written out literally in AWS's response spelling (DpdTimeoutSeconds, IkeVersions),
not built with the code under test.
"""

from __future__ import annotations

import copy
import datetime
import json
import os
import time

import pytest
from botocore.stub import ANY

from aws_stub import run

PSK1 = "vpnlab.Tunnel1_k3yA9xQ2wE"
PSK2 = "vpnlab.Tunnel2_m7Rb4Zt8pL"
CGW, VGW, VPN = "cgw-0f1e2d3c4b5a69788", "vgw-04d3c2b1a0f9e8d7c", "vpn-0a1b2c3d4e5f60718"
HARDENED = {
    "ike_versions": ["ikev2"],
    "phase1_encryption_algorithms": ["AES256", "AES256-GCM-16"],
    "phase1_integrity_algorithms": ["SHA2-256"],
    "phase1_dh_group_numbers": [14],
    "phase1_lifetime_seconds": 28800,
    "phase2_encryption_algorithms": ["AES256", "AES256-GCM-16"],
    "phase2_integrity_algorithms": ["SHA2-256"],
    "phase2_dh_group_numbers": [14],
    "phase2_lifetime_seconds": 3600,
    "dpd_timeout_seconds": 30,
    "dpd_timeout_action": "clear",
    "startup_action": "add",
}
TAGS = {"Name": "vpntest-vpn", "vpnlab": "vpntest"}
FILTERS = [
    {"Name": "customer-gateway-id", "Values": [CGW]},
    {"Name": "vpn-gateway-id", "Values": [VGW]},
    # `modifying`: AWS is applying a ModifyVpnTunnelOptions; the connection is still there.
    {"Name": "state", "Values": ["pending", "available", "modifying"]},
]


@pytest.fixture
def slept(monkeypatch):
    """The seconds the module (and amazon.aws's retries) slept, without sleeping."""
    seconds = []
    monkeypatch.setattr(time, "sleep", seconds.append)
    return seconds


def args(**extra):
    base = {
        "customer_gateway_id": CGW, "vpn_gateway_id": VGW,
        "tunnels": [{"tunnel_inside_cidr": "169.254.21.0/30", "pre_shared_key": PSK1},
                    {"tunnel_inside_cidr": "169.254.22.0/30", "pre_shared_key": PSK2}],
        "tunnel_options": HARDENED, "static_routes": ["10.1.0.0/16"], "tags": TAGS,
    }
    base.update(extra)
    return base


def request_tunnel(cidr, psk):
    """A tunnel as CreateVpnConnection takes it (request spelling)."""
    return {
        "TunnelInsideCidr": cidr, "PreSharedKey": psk,
        "IKEVersions": [{"Value": "ikev2"}],
        "Phase1EncryptionAlgorithms": [{"Value": "AES256"}, {"Value": "AES256-GCM-16"}],
        "Phase1IntegrityAlgorithms": [{"Value": "SHA2-256"}],
        "Phase1DHGroupNumbers": [{"Value": 14}],
        "Phase1LifetimeSeconds": 28800,
        "Phase2EncryptionAlgorithms": [{"Value": "AES256"}, {"Value": "AES256-GCM-16"}],
        "Phase2IntegrityAlgorithms": [{"Value": "SHA2-256"}],
        "Phase2DHGroupNumbers": [{"Value": 14}],
        "Phase2LifetimeSeconds": 3600,
        "DPDTimeoutSeconds": 30,
        "DPDTimeoutAction": "clear",
        "StartupAction": "add",
    }


def response_tunnel(outside_ip, cidr, psk):
    """A tunnel as DescribeVpnConnections returns it (response spelling, AWS's own order)."""
    return {
        "OutsideIpAddress": outside_ip, "TunnelInsideCidr": cidr, "PreSharedKey": psk,
        "Phase1LifetimeSeconds": 28800, "Phase2LifetimeSeconds": 3600,
        "RekeyMarginTimeSeconds": 270, "RekeyFuzzPercentage": 100, "ReplayWindowSize": 1024,
        "DpdTimeoutSeconds": 30, "DpdTimeoutAction": "clear",
        "Phase1EncryptionAlgorithms": [{"Value": "AES256-GCM-16"}, {"Value": "AES256"}],
        "Phase2EncryptionAlgorithms": [{"Value": "AES256-GCM-16"}, {"Value": "AES256"}],
        "Phase1IntegrityAlgorithms": [{"Value": "SHA2-256"}],
        "Phase2IntegrityAlgorithms": [{"Value": "SHA2-256"}],
        "Phase1DHGroupNumbers": [{"Value": 14}], "Phase2DHGroupNumbers": [{"Value": 14}],
        "IkeVersions": [{"Value": "ikev2"}], "StartupAction": "add",
        "LogOptions": {"CloudWatchLogOptions": {"LogEnabled": False}},
        "EnableTunnelLifecycleControl": False,
    }


def connection(state="available", routes=(("10.1.0.0/16", "available"),), tunnels=None, tags=None):
    found = {
        "VpnConnectionId": VPN, "State": state, "Type": "ipsec.1", "Category": "VPN",
        "CustomerGatewayId": CGW, "VpnGatewayId": VGW,
        "Options": {"StaticRoutesOnly": True, "TunnelInsideIpVersion": "ipv4",
                    "TunnelOptions": tunnels if tunnels is not None else [
                        response_tunnel("3.120.1.11", "169.254.22.0/30", PSK2),
                        response_tunnel("3.120.1.10", "169.254.21.0/30", PSK1)]},
        "Routes": [{"DestinationCidrBlock": c, "Source": "Static", "State": s} for c, s in routes],
        "Tags": [{"Key": k, "Value": v} for k, v in (TAGS if tags is None else tags).items()],
        "VgwTelemetry": [],
    }
    return found


def described(*connections):
    return {"VpnConnections": list(connections)}


def by_filters(stubber, *connections):
    stubber.add_response("describe_vpn_connections", described(*connections), {"Filters": FILTERS})


def by_id(stubber, *connections):
    stubber.add_response("describe_vpn_connections", described(*connections), {"VpnConnectionIds": [VPN]})


def by_any_filters(stubber, *connections):
    """The find, whatever its filters (the tests of what follows the find)."""
    stubber.add_response("describe_vpn_connections", described(*connections), {"Filters": ANY})


def modify(stubber, outside_ip, options, state="modifying"):
    stubber.add_response("modify_vpn_tunnel_options", {"VpnConnection": connection(state=state)}, {
        "VpnConnectionId": VPN, "VpnTunnelOutsideIpAddress": outside_ip, "TunnelOptions": options})


def both_tunnels_dpd(seconds):
    """Both tunnels as AWS has them, with another DPD timeout than the wanted 30 s."""
    return [dict(response_tunnel("3.120.1.10", "169.254.21.0/30", PSK1), DpdTimeoutSeconds=seconds),
            dict(response_tunnel("3.120.1.11", "169.254.22.0/30", PSK2), DpdTimeoutSeconds=seconds)]


def flat(result):
    return json.dumps(result, default=str)


# --- create ---------------------------------------------------------------------------------

def test_create_sends_both_keys_in_order_with_the_hardened_options():
    created = connection(state="pending", routes=())
    del created["Options"]["TunnelOptions"]

    def stub(s):
        by_filters(s)
        s.add_response("create_vpn_connection", {"VpnConnection": created}, {
            "CustomerGatewayId": CGW, "VpnGatewayId": VGW, "Type": "ipsec.1",
            "Options": {"StaticRoutesOnly": True, "TunnelInsideIpVersion": "ipv4", "TunnelOptions": [
                request_tunnel("169.254.21.0/30", PSK1), request_tunnel("169.254.22.0/30", PSK2)]},
            "TagSpecifications": [{"ResourceType": "vpn-connection", "Tags": [
                {"Key": "Name", "Value": "vpntest-vpn"}, {"Key": "vpnlab", "Value": "vpntest"}]}],
        })
        by_id(s, connection(routes=()))  # the waiter: available
        s.add_response("create_vpn_connection_route", {}, {"VpnConnectionId": VPN, "DestinationCidrBlock": "10.1.0.0/16"})
        by_filters(s, connection())

    result, warnings, dummy = run("aws_vpn_connection", args(), stub)
    assert result["changed"] is True and not result.get("failed"), result
    assert result["vpn_connection"]["vpn_connection_id"] == VPN
    assert result["vpn_connection"]["static_routes"] == ["10.1.0.0/16"]
    assert warnings == []
    assert PSK1 not in flat(result) and PSK2 not in flat(result)


def test_generated_keys_are_stored_0600_and_are_the_ones_sent(tmp_path):
    store = tmp_path / "cloud" / "aws-tunnel-psks.json"
    store.parent.mkdir(mode=0o700)
    sent = {}
    created = connection(state="available", routes=())
    del created["Options"]["TunnelOptions"]

    def stub(s):
        by_filters(s)
        s.add_response("create_vpn_connection", {"VpnConnection": created}, {
            "CustomerGatewayId": CGW, "VpnGatewayId": VGW, "Type": "ipsec.1", "Options": ANY,
            "TagSpecifications": ANY})
        by_id(s, created)
        by_filters(s, created)
        s.client.meta.events.register("provide-client-params.ec2.CreateVpnConnection",
                                      lambda params, **kw: sent.update(copy.deepcopy(params)))

    tunnels = [{"tunnel_inside_cidr": "169.254.21.0/30"}, {"tunnel_inside_cidr": "169.254.22.0/30"}]
    result, dummy, dummy2 = run("aws_vpn_connection", args(tunnels=tunnels, static_routes=None,
                                                           pre_shared_key_file=str(store)), stub)
    assert result["changed"] is True, result
    stored = json.loads(store.read_text())["pre_shared_keys"]
    assert oct(os.stat(store).st_mode & 0o777) == "0o600"
    keys = [t["PreSharedKey"] for t in sent["Options"]["TunnelOptions"]]
    assert keys == [stored["tunnel1"], stored["tunnel2"]] and keys[0] != keys[1]
    assert [t["TunnelInsideCidr"] for t in sent["Options"]["TunnelOptions"]] == ["169.254.21.0/30", "169.254.22.0/30"]
    assert all(key not in flat(result) for key in keys)


def test_check_mode_on_a_new_connection_creates_nothing():
    result, dummy, dummy2 = run("aws_vpn_connection", args(), by_filters, check_mode=True, diff=True)
    assert result["changed"] is True, result
    assert result["diff"]["before"] == {}
    assert [t["pre_shared_key"] for t in result["diff"]["after"]["tunnels"]] == ["<hidden>", "<hidden>"]


# --- existing connection --------------------------------------------------------------------

def test_matching_tunnels_are_not_modified():
    """Response spelling (DpdTimeoutSeconds, IkeVersions), other order: nothing to do."""
    def stub(s):
        by_filters(s, connection())
        by_filters(s, connection())

    result, warnings, dummy = run("aws_vpn_connection", args(), stub)
    assert result["changed"] is False, result
    assert result["modified_tunnels"] == [] and warnings == []


def test_a_differing_tunnel_is_modified_once_with_only_what_differs():
    tunnels = [response_tunnel("3.120.1.10", "169.254.21.0/30", PSK1),
               dict(response_tunnel("3.120.1.11", "169.254.22.0/30", PSK2), DpdTimeoutSeconds=40,
                    IkeVersions=[{"Value": "ikev1"}, {"Value": "ikev2"}])]

    def stub(s):
        by_filters(s, connection(tunnels=tunnels))
        s.add_response("modify_vpn_tunnel_options", {"VpnConnection": connection()}, {
            "VpnConnectionId": VPN, "VpnTunnelOutsideIpAddress": "3.120.1.11",
            "TunnelOptions": {"DPDTimeoutSeconds": 30, "IKEVersions": [{"Value": "ikev2"}]}})
        by_id(s, connection())  # the waiter
        by_filters(s, connection())

    result, dummy, dummy2 = run("aws_vpn_connection", args(), stub)
    assert result["changed"] is True, result
    assert result["modified_tunnels"] == [{"outside_ip_address": "3.120.1.11",
                                           "options": ["dpd_timeout_seconds", "ike_versions"]}]


def test_a_stored_key_replaces_a_different_one_on_the_right_tunnel(tmp_path):
    store = tmp_path / "psks.json"
    store.write_text(json.dumps({"pre_shared_keys": {"tunnel1": PSK1, "tunnel2": PSK2}}))
    tunnels = [response_tunnel("3.120.1.10", "169.254.21.0/30", PSK1),
               response_tunnel("3.120.1.11", "169.254.22.0/30", "vpnlab.someone_elses_key")]

    def stub(s):
        by_filters(s, connection(tunnels=tunnels))
        s.add_response("modify_vpn_tunnel_options", {"VpnConnection": connection()}, {
            "VpnConnectionId": VPN, "VpnTunnelOutsideIpAddress": "3.120.1.11",
            "TunnelOptions": {"PreSharedKey": PSK2}})
        by_id(s, connection())
        by_filters(s, connection())

    tunnel_args = [{"tunnel_inside_cidr": "169.254.21.0/30"}, {"tunnel_inside_cidr": "169.254.22.0/30"}]
    result, dummy, dummy2 = run("aws_vpn_connection", args(tunnels=tunnel_args, pre_shared_key_file=str(store)), stub)
    assert result["modified_tunnels"] == [{"outside_ip_address": "3.120.1.11", "options": ["pre_shared_key"]}]
    assert PSK2 not in flat(result)


def test_an_existing_key_is_kept_when_none_is_given_or_stored(tmp_path):
    store = tmp_path / "psks.json"

    def stub(s):
        by_filters(s, connection())
        by_filters(s, connection())

    tunnel_args = [{"tunnel_inside_cidr": "169.254.21.0/30"}, {"tunnel_inside_cidr": "169.254.22.0/30"}]
    result, dummy, dummy2 = run("aws_vpn_connection", args(tunnels=tunnel_args, pre_shared_key_file=str(store)), stub)
    assert result["modified_tunnels"] == [], result
    assert json.loads(store.read_text())["pre_shared_keys"] == {"tunnel1": PSK1, "tunnel2": PSK2}


def test_without_tunnel_options_in_the_answer_nothing_is_modified_and_it_says_so():
    """moto's answer: no Options.TunnelOptions. Comparing would modify blindly every run."""
    bare = connection()
    del bare["Options"]["TunnelOptions"]

    def stub(s):
        by_filters(s, bare)
        by_filters(s, bare)

    result, warnings, dummy = run("aws_vpn_connection", args(), stub)
    assert result["changed"] is False and result["modified_tunnels"] == []
    assert warnings == ["The endpoint describes %s without tunnel options (moto drops them): the tunnels were "
                        "not compared or modified" % VPN]


# --- one tunnel at a time: AWS's `modifying` state -----------------------------------------

def test_two_tunnels_are_modified_one_at_a_time_waiting_for_available_in_between(slept):
    """AWS applies a ModifyVpnTunnelOptions while the connection is `modifying` and refuses a
    second one meanwhile: tunnel 2 is modified only once AWS says `available` again."""
    def stub(s):
        by_any_filters(s, connection(tunnels=both_tunnels_dpd(40)))
        modify(s, "3.120.1.10", {"DPDTimeoutSeconds": 30})
        by_id(s, connection(state="modifying"))
        by_id(s, connection(state="modifying"))
        by_id(s, connection(state="available"))
        modify(s, "3.120.1.11", {"DPDTimeoutSeconds": 30})
        by_id(s, connection(state="modifying"))
        by_id(s, connection(state="available"))
        by_any_filters(s, connection())

    result, dummy, dummy2 = run("aws_vpn_connection", args(), stub)
    assert result["changed"] is True and not result.get("failed"), result
    assert [t["outside_ip_address"] for t in result["modified_tunnels"]] == ["3.120.1.10", "3.120.1.11"]
    # Its own short poll (the offline rehearsal modifies in seconds), not a 15 s waiter delay.
    assert slept[:2] == [2, 3] and slept[2] == 2 and len(slept) == 3, slept


def test_a_connection_being_modified_is_found_and_not_created_again(slept):
    """A re-run right after a modify finds the connection `modifying`: it is the lab's, so it is
    waited for, not replaced by a second VPN connection."""
    def stub(s):
        by_filters(s, connection(state="modifying"))
        by_id(s, connection(state="modifying"))
        by_id(s, connection(state="available"))
        by_filters(s, connection())

    result, dummy, dummy2 = run("aws_vpn_connection", args(), stub)
    assert result["changed"] is False and not result.get("failed"), result
    assert result["vpn_connection"]["vpn_connection_id"] == VPN
    assert slept == [2]


def test_a_connection_being_modified_is_not_created_again_where_the_filter_is_ignored(slept):
    """moto ignores the state filter, so the module filters the answer itself: `modifying` stays."""
    def stub(s):
        by_any_filters(s, connection(state="modifying"))
        by_id(s, connection(state="available"))
        by_any_filters(s, connection())

    result, dummy, dummy2 = run("aws_vpn_connection", args(), stub)
    assert result["changed"] is False and not result.get("failed"), result


def test_check_mode_on_a_connection_being_modified_neither_waits_nor_creates(slept):
    result, dummy, dummy2 = run("aws_vpn_connection", args(), lambda s: by_filters(s, connection(state="modifying")),
                                check_mode=True)
    assert result["changed"] is False and not result.get("failed"), result
    assert slept == []


@pytest.mark.parametrize("code", ["IncorrectState", "InvalidVpnConnection.InvalidState"])
def test_incorrect_state_on_the_second_modify_is_retried(slept, code):
    """AWS said `available` but still refuses the next modify for a moment: retried, not fatal."""
    def stub(s):
        by_any_filters(s, connection(tunnels=both_tunnels_dpd(40)))
        modify(s, "3.120.1.10", {"DPDTimeoutSeconds": 30})
        by_id(s, connection(state="available"))
        s.add_client_error("modify_vpn_tunnel_options", code,
                           "The VPN connection %s is in an incorrect state (modifying)" % VPN,
                           expected_params={"VpnConnectionId": VPN, "VpnTunnelOutsideIpAddress": "3.120.1.11",
                                            "TunnelOptions": {"DPDTimeoutSeconds": 30}})
        modify(s, "3.120.1.11", {"DPDTimeoutSeconds": 30})
        by_id(s, connection(state="available"))
        by_any_filters(s, connection())

    result, dummy, dummy2 = run("aws_vpn_connection", args(), stub)
    assert result["changed"] is True and not result.get("failed"), result
    assert len(result["modified_tunnels"]) == 2


def test_a_modify_that_never_ends_times_out_naming_the_connection(slept):
    def stub(s):
        by_any_filters(s, connection(tunnels=both_tunnels_dpd(40)))
        modify(s, "3.120.1.10", {"DPDTimeoutSeconds": 30})
        for dummy in range(4):  # 10 s: looks at 0, 2, 5 and 9.5 s, then gives up
            by_id(s, connection(state="modifying"))

    result, dummy, dummy2 = run("aws_vpn_connection", args(wait_timeout=10), stub)
    assert result["failed"] is True
    assert "Timed out after 10 s waiting for %s to be available (it is modifying)" % VPN in result["msg"], result
    assert sum(slept) <= 10


# --- fresh gateway ids ----------------------------------------------------------------------

def test_create_right_after_the_gateways_retries_their_fresh_ids_not_found(slept):
    """A customer gateway or VGW created a moment ago can be unknown to CreateVpnConnection."""
    created = connection(state="pending", routes=())
    request = {"CustomerGatewayId": CGW, "VpnGatewayId": VGW, "Type": "ipsec.1", "Options": ANY,
               "TagSpecifications": ANY}

    def stub(s):
        by_any_filters(s)
        s.add_client_error("create_vpn_connection", "InvalidCustomerGatewayID.NotFound",
                           "The customerGateway ID '%s' does not exist" % CGW, expected_params=request)
        s.add_client_error("create_vpn_connection", "InvalidVpnGatewayID.NotFound",
                           "The vpnGateway ID '%s' does not exist" % VGW, expected_params=request)
        s.add_response("create_vpn_connection", {"VpnConnection": created}, request)
        by_id(s, connection(routes=()))
        s.add_response("create_vpn_connection_route", {}, {"VpnConnectionId": VPN, "DestinationCidrBlock": "10.1.0.0/16"})
        by_any_filters(s, connection())

    result, dummy, dummy2 = run("aws_vpn_connection", args(), stub)
    assert result["changed"] is True and not result.get("failed"), result
    assert result["vpn_connection"]["vpn_connection_id"] == VPN
    assert len(slept) == 2


# --- routes and tags ------------------------------------------------------------------------

def test_routes_are_added_and_removed():
    routes = (("10.9.0.0/16", "available"), ("10.1.0.0/16", "deleted"), ("10.8.0.0/16", "deleting"))

    def stub(s):
        by_filters(s, connection(routes=routes))
        s.add_response("create_vpn_connection_route", {}, {"VpnConnectionId": VPN, "DestinationCidrBlock": "10.1.0.0/16"})
        s.add_response("delete_vpn_connection_route", {}, {"VpnConnectionId": VPN, "DestinationCidrBlock": "10.9.0.0/16"})
        by_filters(s, connection())

    result, dummy, dummy2 = run("aws_vpn_connection", args(), stub)
    assert result["changed"] is True and result["modified_tunnels"] == []


def test_routes_are_left_alone_without_static_routes():
    def stub(s):
        by_filters(s, connection(routes=(("10.9.0.0/16", "available"),)))
        by_filters(s, connection(routes=(("10.9.0.0/16", "available"),)))

    result, dummy, dummy2 = run("aws_vpn_connection", args(static_routes=None), stub)
    assert result["changed"] is False


def test_tags_are_brought_to_the_wanted_ones():
    def stub(s):
        by_filters(s, connection(tags={"Name": "vpntest-vpn", "vpnlab": "old", "stale": "x"}))
        s.add_response("delete_tags", {}, {"Resources": [VPN], "Tags": [{"Key": "stale"}]})
        s.add_response("create_tags", {}, {"Resources": [VPN], "Tags": [{"Key": "vpnlab", "Value": "vpntest"}]})
        by_filters(s, connection())

    result, dummy, dummy2 = run("aws_vpn_connection", args(), stub)
    assert result["changed"] is True


# --- AWS's value rules, before any call ------------------------------------------------------

BAD = [
    ("inside-not-link-local", {"tunnels": [{"tunnel_inside_cidr": "10.0.0.0/30", "pre_shared_key": PSK1},
                                           {"tunnel_inside_cidr": "169.254.22.0/30", "pre_shared_key": PSK2}]},
     "tunnel1: tunnel_inside_cidr='10.0.0.0/30' must be a /30 inside 169.254.0.0/16"),
    ("inside-reserved", {"tunnels": [{"tunnel_inside_cidr": "169.254.3.0/30", "pre_shared_key": PSK1},
                                     {"tunnel_inside_cidr": "169.254.22.0/30", "pre_shared_key": PSK2}]},
     "tunnel1: tunnel_inside_cidr='169.254.3.0/30' is one of the /30s AWS reserves"),
    ("psk-alphabet", {"tunnels": [{"tunnel_inside_cidr": "169.254.21.0/30", "pre_shared_key": PSK1},
                                  {"tunnel_inside_cidr": "169.254.22.0/30", "pre_shared_key": "bad-key-with-dash"}]},
     "tunnel2: pre_shared_key <hidden, 17 characters> must be 8-64 characters"),
    ("psk-leading-zero", {"tunnels": [{"tunnel_inside_cidr": "169.254.21.0/30", "pre_shared_key": "0secret.key"},
                                      {"tunnel_inside_cidr": "169.254.22.0/30", "pre_shared_key": PSK2}]},
     "tunnel1: pre_shared_key <hidden, 11 characters> must not start with '0'"),
    ("dpd-too-short", {"tunnel_options": dict(HARDENED, dpd_timeout_seconds=10)},
     "dpd_timeout_seconds=10 must be 30 or more"),
    ("weak-name", {"tunnel_options": dict(HARDENED, phase1_encryption_algorithms=["3DES"])},
     "phase1_encryption_algorithms 3DES not accepted by AWS"),
    ("dh-group", {"tunnel_options": dict(HARDENED, phase1_dh_group_numbers=[5])},
     "phase1_dh_group_numbers 5 not accepted by AWS"),
    ("lifetime", {"tunnel_options": dict(HARDENED, phase2_lifetime_seconds=7200)},
     "phase2_lifetime_seconds=7200 must be a whole number of seconds from 900 to 3600"),
    ("lifetimes-equal", {"tunnel_options": dict(HARDENED, phase1_lifetime_seconds=3600)},
     "tunnel1: phase2_lifetime_seconds=3600 must be less than phase1_lifetime_seconds=3600"),
    ("psk-trailing-newline", {"tunnels": [{"tunnel_inside_cidr": "169.254.21.0/30", "pre_shared_key": PSK1 + "\n"},
                                          {"tunnel_inside_cidr": "169.254.22.0/30", "pre_shared_key": PSK2}]},
     "tunnel1: pre_shared_key <hidden, 26 characters> must be 8-64 characters"),
    ("same-inside", {"tunnels": [{"tunnel_inside_cidr": "169.254.21.0/30", "pre_shared_key": PSK1},
                                 {"tunnel_inside_cidr": "169.254.21.0/30", "pre_shared_key": PSK2}]},
     "tunnel2: tunnel_inside_cidr='169.254.21.0/30' is the same as tunnel1's"),
    ("one-tunnel", {"tunnels": [{"tunnel_inside_cidr": "169.254.21.0/30", "pre_shared_key": PSK1}]},
     "exactly two tunnels, 1 given"),
    ("route", {"static_routes": ["10.1.0.1/16"]}, "static_routes: '10.1.0.1/16' must be an IPv4 network"),
]


@pytest.mark.parametrize("change,message", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_value_rules_are_refused_before_any_call(change, message):
    result, dummy, dummy2 = run("aws_vpn_connection", args(**change), lambda s: None)
    assert result["failed"] is True
    assert message in result["msg"], result["msg"]
    assert PSK1 not in flat(result) and PSK2 not in flat(result) and "bad-key-with-dash" not in flat(result)


# --- absent ---------------------------------------------------------------------------------

def test_absent_deletes_and_waits():
    def stub(s):
        by_filters(s, connection())
        s.add_response("delete_vpn_connection", {}, {"VpnConnectionId": VPN})
        by_id(s, connection(state="deleted"))

    result, dummy, dummy2 = run("aws_vpn_connection", {"state": "absent", "customer_gateway_id": CGW,
                                                       "vpn_gateway_id": VGW}, stub)
    assert result["changed"] is True


def test_absent_when_gone_is_ok():
    result, dummy, dummy2 = run("aws_vpn_connection", {"state": "absent", "customer_gateway_id": CGW,
                                                       "vpn_gateway_id": VGW},
                                lambda s: by_filters(s, connection(state="deleted")))
    assert result["changed"] is False


def test_a_deleted_connection_is_not_reused():
    """A `deleted` connection (moto ignores the state filter) means: create a new one."""
    def stub(s):
        by_filters(s, connection(state="deleted"))

    result, dummy, dummy2 = run("aws_vpn_connection", args(), stub, check_mode=True)
    assert result["changed"] is True and result["vpn_connection"] == {"state": "pending"}


def test_timestamps_in_answers_do_not_break_the_result():
    answer = connection()
    answer["VgwTelemetry"] = [{"OutsideIpAddress": "3.120.1.10", "Status": "UP", "StatusMessage": "",
                               "LastStatusChange": datetime.datetime(2026, 1, 1), "AcceptedRouteCount": 1}]

    def stub(s):
        by_filters(s, answer)
        by_filters(s, answer)

    result, dummy, dummy2 = run("aws_vpn_connection", args(), stub)
    assert result["changed"] is False

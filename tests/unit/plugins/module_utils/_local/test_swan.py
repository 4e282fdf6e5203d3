# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""strongSwan configuration of the lab gateways from normalised tunnels, and SA status."""

from __future__ import annotations

import copy
import datetime

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws.spec import DPD_DEFAULT_SECONDS as AWS_DPD_DEFAULT
from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.spec import DPD_DEFAULT_SECONDS as AZURE_DPD_DEFAULT
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.plan import LocalTarget
from ansible_collections.multicloud.vpnlab.plugins.module_utils.plan import build_plan
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.swan import (
    SwanConfigError, connection, dpd_settings, gateway_config, proposal, sa_detail, sa_status,
    secret, side_dpd_timeout, strongswan_conf,
)
from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws.tunnels import vpn_connection_facts
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.vpnconn import describe_vpn_connection

PSK1 = "Tunnel1.psk_abcdefghijklmnopqrstu"
PSK2 = "Tunnel2.psk_ABCDEFGHIJKLMNOPQRSTU"


def phase(enc=("AES256",), integ=("SHA2-256",), groups=(14,), lifetime=3600):
    return {"encryption_algorithms": list(enc), "integrity_algorithms": list(integ),
            "dh_group_numbers": list(groups), "lifetime_seconds": lifetime}


def tunnel(name="tunnel1", outside="203.0.113.10", cgw="198.51.100.10", psk=PSK1, **change):
    t = {"name": name, "outside_ip_address": outside, "cgw_outside_address": cgw,
         "pre_shared_key": psk, "tunnel_inside_cidr": "169.254.21.0/30",
         "ike_versions": ["ikev2"], "phase1": phase(lifetime=28800), "phase2": phase(),
         "dpd_timeout_seconds": 30, "dpd_timeout_action": "clear"}
    t.update(change)
    return t


# --- proposals -------------------------------------------------------------------------------

@pytest.mark.parametrize("enc, integ, groups, with_prf, expected", [
    (["AES256"], ["SHA2-256"], [14], True, ["aes256-sha256-modp2048"]),
    (["AES256"], ["SHA2-256"], [14], False, ["aes256-sha256-modp2048"]),
    # AEAD: IKE needs a PRF, ESP takes no integrity algorithm at all.
    (["AES256-GCM-16"], ["SHA2-256"], [14], True, ["aes256gcm16-prfsha256-modp2048"]),
    (["AES256-GCM-16"], ["SHA2-256"], [14], False, ["aes256gcm16-modp2048"]),
    (["AES128-GCM-16"], ["SHA2-384"], [20], True, ["aes128gcm16-prfsha384-ecp384"]),
    # Several of each: one proposal for the plain ciphers, one for the AEAD ones.
    (["AES256", "AES128", "AES256-GCM-16"], ["SHA2-256", "SHA2-512"], [14, 19, 21], True,
     ["aes256-aes128-sha256-sha512-modp2048-ecp256-ecp521",
      "aes256gcm16-prfsha256-prfsha512-modp2048-ecp256-ecp521"]),
    (["AES256", "AES256-GCM-16"], ["SHA1", "SHA2-384"], [15, 16], False,
     ["aes256-sha1-sha384-modp3072-modp4096", "aes256gcm16-modp3072-modp4096"]),
    # Weak groups are dropped when a strong one is allowed too.
    (["AES256"], ["SHA2-256"], [14, 2], True, ["aes256-sha256-modp2048"]),
    (["AES256"], ["SHA2-256"], [2, 5, 14, 22, 23, 24, 18], False,
     ["aes256-sha256-modp2048-modp8192"]),
])
def test_proposal(enc, integ, groups, with_prf, expected):
    assert proposal(phase(enc, integ, groups), "tunnel1", with_prf) == expected


@pytest.mark.parametrize("enc, integ, groups, message", [
    (["AES256"], ["SHA2-256"], [2],
     "tunnel2: DH groups [2] are all weaker than group 14; allow 14 or stronger (15-21)"),
    (["AES256"], ["SHA2-256"], [2, 5, 22, 23, 24],
     "tunnel2: DH groups [2, 5, 22, 23, 24] are all weaker than group 14; allow 14 or stronger (15-21)"),
    (["3DES"], ["SHA2-256"], [14], "tunnel2: encryption 3DES is not supported by the lab gateways"),
    (["AES256", "CHACHA20"], ["SHA2-256"], [14],
     "tunnel2: encryption CHACHA20 is not supported by the lab gateways"),
    (["AES256"], ["MD5"], [14], "tunnel2: integrity MD5 is not supported by the lab gateways"),
    (["AES256"], ["SHA2-256"], [31], "tunnel2: DH group 31 is not supported by the lab gateways"),
])
def test_proposal_refuses(enc, integ, groups, message):
    with pytest.raises(SwanConfigError) as err:
        proposal(phase(enc, integ, groups), "tunnel2", True)
    assert str(err.value) == message


# --- connections -----------------------------------------------------------------------------

VNET, VPC = "10.1.0.0/16", "10.2.0.0/16"


@pytest.mark.parametrize("side, local_ts, remote_ts, local_ip, remote_ip, dpd, close, tries, delay", [
    # DPD after a third of the side's default timeout (Azure 45 s: 15 s, AWS 30 s: 10 s).
    ("azure", VNET, VPC, "198.51.100.10", "203.0.113.10", "restart", "start", "0",
     "%ds" % dpd_settings(AZURE_DPD_DEFAULT)["dpd_delay"]),
    ("aws", VPC, VNET, "203.0.113.10", "198.51.100.10", "clear", "none", "1",
     "%ds" % dpd_settings(AWS_DPD_DEFAULT)["dpd_delay"]),
])
def test_connection(side, local_ts, remote_ts, local_ip, remote_ip, dpd, close, tries, delay):
    assert connection(tunnel(), side, local_ts, remote_ts) == {
        "version": "2",
        "local_addrs": [local_ip], "remote_addrs": [remote_ip],
        "encap": "yes", "mobike": "no",
        "proposals": ["aes256-sha256-modp2048"],
        "rekey_time": "28800s",
        "dpd_delay": delay,
        "keyingtries": tries,
        "local": {"auth": "psk", "id": local_ip},
        "remote": {"auth": "psk", "id": remote_ip},
        "children": {"tunnel1": {
            "local_ts": [local_ts], "remote_ts": [remote_ts], "mode": "tunnel",
            "esp_proposals": ["aes256-sha256-modp2048"],
            "rekey_time": "3600s",
            "start_action": "none",
            "dpd_action": dpd,
            "close_action": close,
        }},
    }


def test_connection_gcm_proposals_per_phase():
    t = tunnel(phase1=phase(["AES256-GCM-16"], ["SHA2-256"], [14], 28800),
               phase2=phase(["AES256-GCM-16"], ["SHA2-256"], [14], 3600))
    conn = connection(t, "azure", VNET, VPC)
    assert conn["proposals"] == ["aes256gcm16-prfsha256-modp2048"]
    assert conn["children"]["tunnel1"]["esp_proposals"] == ["aes256gcm16-modp2048"]


@pytest.mark.parametrize("change, message", [
    ({"ike_versions": ["ikev1"]},
     "tunnel1: IKEv2 is not allowed (ike_versions ['ikev1']); the Azure VPN gateway needs IKEv2"),
    ({"ike_versions": []},
     "tunnel1: IKEv2 is not allowed (ike_versions []); the Azure VPN gateway needs IKEv2"),
    ({"ike_versions": None},
     "tunnel1: IKEv2 is not allowed (ike_versions None); the Azure VPN gateway needs IKEv2"),
    ({"cgw_outside_address": None}, "tunnel1: the customer gateway's outside address is unknown"),
    ({"cgw_outside_address": ""}, "tunnel1: the customer gateway's outside address is unknown"),
    ({"phase2": phase(groups=[2])},
     "tunnel1: DH groups [2] are all weaker than group 14; allow 14 or stronger (15-21)"),
])
@pytest.mark.parametrize("side", ["azure", "aws"])
def test_connection_refuses(side, change, message):
    with pytest.raises(SwanConfigError) as err:
        connection(tunnel(**change), side, VNET, VPC)
    assert str(err.value) == message


def test_connection_accepts_aws_default_ike_versions():
    conn = connection(tunnel(ike_versions=["ikev1", "ikev2"]), "azure", VNET, VPC)
    assert conn["version"] == "2"


# --- secrets and the gateway digest --------------------------------------------------------

@pytest.mark.parametrize("t, expected", [
    (tunnel(), {"id": "psk-tunnel1", "type": "IKE", "data": PSK1,
                "owners": ["198.51.100.10", "203.0.113.10"]}),
    (tunnel("tunnel2", "203.0.113.11", psk=PSK2),
     {"id": "psk-tunnel2", "type": "IKE", "data": PSK2, "owners": ["198.51.100.10", "203.0.113.11"]}),
])
def test_secret(t, expected):
    assert secret(t) == expected


TWO = [tunnel(), tunnel("tunnel2", "203.0.113.11", psk=PSK2)]


def test_gateway_config():
    conns, secrets, digest = gateway_config(TWO, "azure", VNET, VPC)
    assert sorted(conns) == ["tunnel1", "tunnel2"]
    assert conns["tunnel2"]["remote_addrs"] == ["203.0.113.11"]
    assert [s["id"] for s in secrets] == ["psk-tunnel1", "psk-tunnel2"]
    assert len(digest) == 64 and int(digest, 16) >= 0
    for psk in (PSK1, PSK2):
        assert psk not in digest


@pytest.mark.parametrize("change, same", [
    (lambda ts: None, True),
    (lambda ts: ts.reverse(), False),
    (lambda ts: ts[0].update(pre_shared_key=PSK1 + "x"), False),
    (lambda ts: ts[1].update(pre_shared_key=PSK1), False),
    (lambda ts: ts[1].update(outside_ip_address="203.0.113.99"), False),
    (lambda ts: ts[0]["phase2"].update(lifetime_seconds=1800), False),
    # Fields strongSwan does not use do not change what is loaded.
    (lambda ts: ts[0].update(dpd_timeout_seconds=40), True),
], ids=["unchanged", "order", "psk1", "psk2", "outside-ip", "lifetime", "unused-field"])
def test_gateway_config_digest(change, same):
    base = gateway_config(copy.deepcopy(TWO), "azure", VNET, VPC)[2]
    tunnels = copy.deepcopy(TWO)
    change(tunnels)
    assert (gateway_config(tunnels, "azure", VNET, VPC)[2] == base) is same


def test_gateway_config_digest_depends_on_side():
    assert gateway_config(TWO, "azure", VNET, VPC)[2] != gateway_config(TWO, "aws", VPC, VNET)[2]


# --- from the emulated AWS connection to both gateways ----------------------------------------

def test_lab_tunnels_configure_both_sides():
    plan = build_plan({}, {"local": LocalTarget([])}, today=datetime.date(2026, 11, 25), state_root="/st")
    tunnels = vpn_connection_facts(describe_vpn_connection(plan, [PSK1, PSK2]))["tunnels"]
    azure, azure_secrets, dummy = gateway_config(tunnels, "azure", VNET, VPC)
    aws, dummy2, dummy3 = gateway_config(tunnels, "aws", VPC, VNET)
    assert [(c["local_addrs"], c["remote_addrs"]) for c in azure.values()] == [
        (["198.51.100.10"], ["203.0.113.10"]), (["198.51.100.10"], ["203.0.113.11"])]
    assert [(c["local_addrs"], c["remote_addrs"]) for c in aws.values()] == [
        (["203.0.113.10"], ["198.51.100.10"]), (["203.0.113.11"], ["198.51.100.10"])]
    assert [c["proposals"] for c in azure.values()] == [["aes256-sha256-modp2048"]] * 2
    assert [s["data"] for s in azure_secrets] == [PSK1, PSK2]


# --- strongswan.conf -------------------------------------------------------------------------

def conf_value(text, key):
    """The value of `key` as strongswan.conf's lexer reads it: a "..." string with \\ escapes."""
    line = [l.strip() for l in text.splitlines() if l.strip().startswith(key + " = ")][0]
    quoted = line[len(key) + 3:]
    assert quoted[0] == quoted[-1] == '"', line
    body, value, i = quoted[1:-1], "", 0
    while i < len(body):
        assert body[i] != '"', "unescaped quote in %s" % line
        if body[i] == "\\":
            i += 1
        value, i = value + body[i], i + 1
    return value


@pytest.mark.parametrize("directory", [
    "/st/vpntest/gateways/azure", "/tmp/x y", "/tmp/hB space/home/lab/gateways/aws",
    '/tmp/a"b\\c', "/tmp/#{ } = ;x"])
def test_strongswan_conf(directory):
    text = strongswan_conf(directory)
    # Quoted: a path with spaces or strongswan.conf's special characters is one value.
    assert conf_value(text, "socket") == "unix://%s/charon.vici" % directory
    assert conf_value(text, "path") == "%s/charon.log" % directory
    load = [line.strip() for line in text.splitlines() if line.strip().startswith("load = ")]
    assert len(load) == 1
    plugins = load[0][len("load = "):].split()
    assert "kernel-libipsec" in plugins and "vici" in plugins and "socket-default" in plugins
    # Userspace ESP must be loaded before kernel-netlink (this kernel has no XFRM: the ESP is
    # strongSwan's kernel-libipsec, README "How the local target emulates the clouds").
    assert plugins.index("kernel-libipsec") < plugins.index("kernel-netlink")
    assert "      time_format = %F %T\n" in text
    assert text.count("{") == text.count("}")
    assert "  retransmit_tries = 3\n" in text
    # Azure's default DPD timeout: DPD after 15 s of silence, retransmissions from 4 s.
    assert "  retransmit_timeout = 4\n" in text and "  retransmit_base = 1.4\n" in text


@pytest.mark.parametrize("timeout, delay, first", [
    (9, 3, 0.7), (10, 3, 0.84), (30, 10, 2.67), (45, 15, 4.0), (3600, 3570, 4.0)])
def test_dpd_settings_declare_a_silent_peer_dead_within_the_timeout(timeout, delay, first):
    dpd = dpd_settings(timeout)
    assert (dpd["dpd_delay"], dpd["retransmit_timeout"]) == (delay, first)
    # DPD request after `delay` s of silence, given up after the retransmissions: in time.
    dead = delay + sum(first * 1.4 ** n for n in range(4))
    assert dpd["declared_dead_s"] == round(dead, 1)
    assert timeout - 2 <= dead <= timeout - 0.9
    text = strongswan_conf("/d", timeout)
    assert "  retransmit_timeout = %g\n" % first in text
    assert "# DPD timeout %ds: DPD after %ds of silence" % (timeout, delay) in text
    assert connection(tunnel(), "azure", VNET, VPC, timeout)["dpd_delay"] == "%ds" % delay


def test_dpd_timeout_below_azures_minimum_is_refused():
    with pytest.raises(SwanConfigError, match="below 9 s"):
        dpd_settings(8)


@pytest.mark.parametrize("side, tunnels, given, expected", [
    ("azure", [], None, AZURE_DPD_DEFAULT),
    ("azure", [tunnel(dpd_timeout_seconds=40)], None, AZURE_DPD_DEFAULT),   # the AWS side's value is not Azure's
    ("azure", [], 9, 9),
    ("aws", [], None, AWS_DPD_DEFAULT),
    ("aws", [tunnel(dpd_timeout_seconds=40), tunnel(dpd_timeout_seconds=35)], None, 35),
    ("aws", [tunnel(dpd_timeout_seconds=40)], 60, 60),
])
def test_side_dpd_timeout(side, tunnels, given, expected):
    assert side_dpd_timeout(side, tunnels, given) == expected


# --- SA status -------------------------------------------------------------------------------

def child(state="INSTALLED", b_in="100", b_out="200", p_in="1", p_out="2", name="tunnel1"):
    return {"name": name, "state": state, "bytes-in": b_in, "bytes-out": b_out,
            "packets-in": p_in, "packets-out": p_out}


def ike(name="tunnel1", state="ESTABLISHED", children=None):
    return {name: {"state": state, "child-sas": children if children is not None else {"tunnel1-1": child()}}}


@pytest.mark.parametrize("sas, expected", [
    ([], ("down", 0, 0, 0, 0)),
    ([ike()], ("up", 100, 200, 1, 2)),
    ([ike(state="CONNECTING", children={})], ("down", 0, 0, 0, 0)),
    # Not established: its CHILD SAs do not count.
    ([ike(state="CONNECTING")], ("down", 0, 0, 0, 0)),
    ([ike(children={})], ("down", 0, 0, 0, 0)),
    ([ike(children={"tunnel1-3": child(state="INSTALLING", b_in="0", b_out="0", p_in="0", p_out="0")})],
     ("down", 0, 0, 0, 0)),
    # Another connection's SAs are ignored.
    ([ike(name="tunnel2")], ("down", 0, 0, 0, 0)),
    ([ike(name="tunnel2", children={"tunnel2-1": child(b_in="7", b_out="8", p_in="9", p_out="10")}),
      ike()], ("up", 100, 200, 1, 2)),
    # Two CHILD SAs (say, around a rekey): counters summed.
    ([ike(children={"tunnel1-1": child(), "tunnel1-2": child(b_in="1000", b_out="2000", p_in="10", p_out="20")})],
     ("up", 1100, 2200, 11, 22)),
    # Counters missing on a fresh CHILD SA count as zero.
    ([ike(children={"tunnel1-1": {"state": "INSTALLED"}})], ("up", 0, 0, 0, 0)),
    # One list-sas entry may hold several IKE SAs.
    ([{"tunnel2": {"state": "ESTABLISHED", "child-sas": {}},
       "tunnel1": {"state": "ESTABLISHED", "child-sas": {"a": child(b_in="5", b_out="6", p_in="7", p_out="8")}}}],
     ("up", 5, 6, 7, 8)),
])
def test_sa_status(sas, expected):
    assert sa_status("tunnel1", sas) == expected


@pytest.mark.parametrize("sas, expected", [
    ([ike()], "IKE SA established, CHILD SA installed"),
    ([ike(children={})], "IKE SA established with 203.0.113.10 but no CHILD SA installed (none): "
                         "the peer refused the ESP proposal or the traffic selectors"),
    ([ike(state="CONNECTING", children={})],
     "IKE not established, no answer from 203.0.113.10 (IKE SA connecting: retransmitting, or "
     "restarted after DPD declared the peer dead)"),
    ([ike(state="DELETING")], "IKE SA DELETING with 203.0.113.10"),
    ([], "no IKE SA with 203.0.113.10: the connection is loaded but not established (never "
         "initiated, or deleted after the peer stopped answering)"),
    # Another connection's SAs say nothing about this one.
    ([ike(name="tunnel2")], "no IKE SA with 203.0.113.10: the connection is loaded but not "
                            "established (never initiated, or deleted after the peer stopped "
                            "answering)"),
    # A dying SA beside a fresh one: the established one wins.
    ([ike(state="DELETING"), ike()], "IKE SA established, CHILD SA installed"),
])
def test_sa_detail(sas, expected):
    assert sa_detail("tunnel1", "203.0.113.10", sas) == expected


@pytest.mark.parametrize("directory", ["/tmp/a\nb", "/tmp/a\rb", "/tmp/a\0b"])
def test_strongswan_conf_refuses_a_line_break_in_a_path(directory):
    with pytest.raises(SwanConfigError, match="strongswan.conf"):
        strongswan_conf(directory)


@pytest.mark.parametrize("local_ts, remote_ts, expected_local, expected_remote", [
    (VNET, VPC, [VNET], [VPC]),
    # The BGP design: the session's inside addresses and the clouds' prefixes, in that order.
    (["169.254.21.2/32", VNET], ["169.254.21.1/32", VPC], ["169.254.21.2/32", VNET], ["169.254.21.1/32", VPC]),
    (("169.254.21.2/32",), ("169.254.21.1/32",), ["169.254.21.2/32"], ["169.254.21.1/32"]),
])
def test_connection_selectors_one_or_several(local_ts, remote_ts, expected_local, expected_remote):
    child = connection(tunnel(), "azure", local_ts, remote_ts)["children"]["tunnel1"]
    assert (child["local_ts"], child["remote_ts"]) == (expected_local, expected_remote)

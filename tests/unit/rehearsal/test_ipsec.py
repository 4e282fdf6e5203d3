# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Each cloud's VPN endpoint as strongSwan configuration, from that cloud's objects only."""

from __future__ import annotations

import pytest

from tests.rehearsal import ipsec

AWS_TUNNEL = {
    "OutsideIpAddress": "203.0.113.1", "TunnelInsideCidr": "169.254.21.0/30", "PreSharedKey": "Key.one_12345",
    "Phase1EncryptionAlgorithms": [{"Value": "AES256"}, {"Value": "AES256-GCM-16"}],
    "Phase1IntegrityAlgorithms": [{"Value": "SHA2-256"}], "Phase1DHGroupNumbers": [{"Value": 14}],
    "Phase2EncryptionAlgorithms": [{"Value": "AES256"}], "Phase2IntegrityAlgorithms": [{"Value": "SHA2-256"}],
    "Phase2DHGroupNumbers": [{"Value": 14}], "Phase1LifetimeSeconds": 28800, "Phase2LifetimeSeconds": 3600,
    "IkeVersions": [{"Value": "ikev2"}], "DpdTimeoutSeconds": 30, "DpdTimeoutAction": "clear",
    "StartupAction": "add",
}
POLICY = {"ikeEncryption": "AES256", "ikeIntegrity": "SHA256", "dhGroup": "DHGroup14",
          "ipsecEncryption": "AES256", "ipsecIntegrity": "SHA256", "pfsGroup": "PFS2048",
          "saLifeTimeSeconds": 3600, "saDataSizeKilobytes": 102400000}


def connection(**props):
    base = {"sharedKey": "Key.one_12345", "ipsecPolicies": [POLICY], "dpdTimeoutSeconds": 45,
            "connectionProtocol": "IKEv2"}
    base.update(props)
    return {"name": "con1", "properties": base}


LNG = {"name": "lng1", "properties": {"gatewayIpAddress": "203.0.113.1",
                                      "localNetworkAddressSpace": {"addressPrefixes": ["10.2.0.0/16"]}}}


@pytest.mark.parametrize("change, key, expected", [
    ({}, "proposals", ["aes256-sha256-modp2048", "aes256gcm16-prfsha256-modp2048"]),
    ({}, "version", "2"),
    ({"IkeVersions": [{"Value": "ikev1"}, {"Value": "ikev2"}]}, "version", "0"),
    ({"Phase1IntegrityAlgorithms": [{"Value": "SHA2-512"}]}, "proposals",
     ["aes256-sha512-modp2048", "aes256gcm16-prfsha512-modp2048"]),
    # Options a tunnel does not set take AWS's defaults (every algorithm AWS allows).
    ({"Phase1EncryptionAlgorithms": None}, "proposals",
     ["aes128-aes256-sha256-modp2048", "aes128gcm16-aes256gcm16-prfsha256-modp2048"]),
    ({}, "remote_addrs", ["198.51.100.10"]),
    ({}, "local_addrs", ["203.0.113.1"]),
])
def test_aws_endpoint_comes_from_the_tunnel_options(change, key, expected):
    tunnel = dict(AWS_TUNNEL, **change)
    body = ipsec.aws_endpoint("t1", tunnel, "198.51.100.10")[0]
    assert body[key] == expected


@pytest.mark.parametrize("change, key, expected", [
    ({}, "esp_proposals", ["aes256-sha256-modp2048"]),
    ({}, "start_action", "none"),
    ({"StartupAction": "start"}, "start_action", "start"),
    ({"DpdTimeoutAction": "restart"}, "dpd_action", "restart"),
    ({"Phase2LifetimeSeconds": 1800}, "rekey_time", "1800s"),
    # AWS always asks for perfect forward secrecy: its phase 2 groups are in every ESP proposal.
    ({"Phase2EncryptionAlgorithms": [{"Value": "AES256-GCM-16"}]}, "esp_proposals", ["aes256gcm16-modp2048"]),
])
def test_aws_child_sa(change, key, expected):
    body = ipsec.aws_endpoint("t1", dict(AWS_TUNNEL, **change), "198.51.100.10")[0]
    assert body["children"]["t1"][key] == expected


def test_aws_secret_is_the_tunnels_key_between_its_two_addresses():
    secret = ipsec.aws_endpoint("t1", AWS_TUNNEL, "198.51.100.10")[1]
    assert secret == {"id": "psk-t1", "type": "IKE", "data": "Key.one_12345", "owners": ["203.0.113.1", "198.51.100.10"]}


def test_aws_unknown_algorithm_is_said_not_guessed():
    with pytest.raises(ipsec.IpsecError, match="phase 1 encryption"):
        ipsec.aws_endpoint("t1", dict(AWS_TUNNEL, Phase1EncryptionAlgorithms=[{"Value": "CHACHA"}]), "198.51.100.10")


@pytest.mark.parametrize("policy, ike, esp", [
    (POLICY, ["aes256-sha256-modp2048"], ["aes256-sha256-modp2048"]),
    (dict(POLICY, pfsGroup="None"), ["aes256-sha256-modp2048"], ["aes256-sha256"]),
    (dict(POLICY, ipsecEncryption="GCMAES256", ipsecIntegrity="GCMAES256"), ["aes256-sha256-modp2048"],
     ["aes256gcm16-modp2048"]),
    (dict(POLICY, ikeEncryption="GCMAES256", ikeIntegrity="GCMAES256"), ["aes256gcm16-prfsha256-modp2048"],
     ["aes256-sha256-modp2048"]),
    (dict(POLICY, dhGroup="ECP384", pfsGroup="ECP384"), ["aes256-sha256-ecp384"], ["aes256-sha256-ecp384"]),
])
def test_azure_endpoint_comes_from_the_ipsec_policy(policy, ike, esp):
    body = ipsec.azure_endpoint("con1", connection(ipsecPolicies=[policy]), LNG, "198.51.100.10")[0]
    assert body["proposals"] == ike
    assert body["children"]["con1"]["esp_proposals"] == esp


def test_azure_endpoint_without_policy_offers_azures_defaults():
    body = ipsec.azure_endpoint("con1", connection(ipsecPolicies=[]), LNG, "198.51.100.10")[0]
    assert body["proposals"] == ipsec.AZURE_DEFAULT_IKE


@pytest.mark.parametrize("props, local_ts, remote_ts", [
    ({}, ["0.0.0.0/0"], ["0.0.0.0/0"]),
    ({"usePolicyBasedTrafficSelectors": True}, ["10.1.0.0/16"], ["10.2.0.0/16"]),
])
def test_azure_traffic_selectors(props, local_ts, remote_ts):
    body = ipsec.azure_endpoint("con1", connection(**props), LNG, "198.51.100.10", ["10.1.0.0/16"])[0]
    child = body["children"]["con1"]
    assert (child["local_ts"], child["remote_ts"]) == (local_ts, remote_ts)


def test_azure_initiates_and_keeps_trying():
    body, secret, routes = ipsec.azure_endpoint("con1", connection(), LNG, "198.51.100.10")
    assert body["children"]["con1"]["start_action"] == "start"
    assert body["keyingtries"] == "0"
    assert body["remote_addrs"] == ["203.0.113.1"]
    assert secret["data"] == "Key.one_12345"
    assert routes == ["10.2.0.0/16"]


def test_a_changed_azure_key_changes_only_the_secret():
    before = ipsec.azure_endpoint("con1", connection(), LNG, "198.51.100.10")[1]
    after = ipsec.azure_endpoint("con1", connection(sharedKey="Other.key_999"), LNG, "198.51.100.10")[1]
    assert before["data"] != after["data"] and before["owners"] == after["owners"]


def test_azure_local_network_gateway_without_address_is_said():
    with pytest.raises(ipsec.IpsecError, match="gatewayIpAddress"):
        ipsec.azure_endpoint("con1", connection(), {"name": "lng", "properties": {}}, "198.51.100.10")

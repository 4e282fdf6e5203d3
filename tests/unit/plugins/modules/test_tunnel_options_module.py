# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tunnel_options in this process: both input shapes, the XML, check mode, failures, moto's EC2 API.

Through the ansible CLI, against a moto server and with module_defaults:
tests/integration/test_tunnel_options_cli.py.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from ansible_collections.multicloud.vpnlab.plugins.modules import tunnel_options

FIXTURES = Path(__file__).resolve().parents[1] / "module_utils" / "fixtures"
CAMEL = json.loads((FIXTURES / "vpn_connection_camel.json").read_text())
SNAKE = json.loads((FIXTURES / "vpn_connection_snake.json").read_text())
XML = (FIXTURES / "customer_gateway_configuration.xml").read_text()
PSKS = ["vpnlab.Tunnel1_k3yA9xQ2wE", "vpnlab.Tunnel2_m7Rb4Zt8pL"]
REGION = "eu-central-1"
CREDENTIALS = {"access_key": "AKIAVPNLABDUMMY00000", "secret_key": "vpnlab-dummy-secret-for-moto", "region": REGION}


def xml_only():
    vpn = copy.deepcopy(CAMEL)
    del vpn["Options"]["TunnelOptions"]
    vpn["CustomerGatewayConfiguration"] = XML
    return vpn


def summary(tunnel):
    return (tunnel["name"], tunnel["outside_ip_address"], tunnel["pre_shared_key"], tunnel["tunnel_inside_cidr"],
            tunnel["ike_versions"], tunnel["phase1"], tunnel["phase2"], tunnel["dpd_timeout_seconds"], tunnel["source"])


PHASE1 = {"encryption_algorithms": ["AES256"], "integrity_algorithms": ["SHA2-256"], "dh_group_numbers": [14], "lifetime_seconds": 28800}
PHASE2 = dict(PHASE1, lifetime_seconds=3600)
FORMATS = [
    ("camel-check-mode", CAMEL, True, ["ikev2"], "tunnel_options"),
    ("snake", SNAKE, False, ["ikev2"], "tunnel_options"),
    ("xml-only", xml_only(), False, ["ikev1", "ikev2"], "customer_gateway_configuration"),
]


@pytest.mark.parametrize("vpn,check_mode,ike,source", [f[1:] for f in FORMATS], ids=[f[0] for f in FORMATS])
def test_each_format_gives_two_tunnels(run_module, vpn, check_mode, ike, source):
    result = run_module(tunnel_options, {"vpn_connection": vpn}, check_mode=check_mode)
    assert "failed" not in result, result.get("msg")
    assert result["changed"] is False
    assert [summary(t) for t in result["tunnels"]] == [
        ("tunnel1", "203.0.113.11", PSKS[0], "169.254.21.0/30", ike, PHASE1, PHASE2, 30, source),
        ("tunnel2", "203.0.113.12", PSKS[1], "169.254.22.0/30", ike, PHASE1, PHASE2, 30, source),
    ]
    assert (result["vpn_connection_id"], result["customer_gateway_id"], result["vpn_gateway_id"], result["static_routes_only"]) == (
        "vpn-0a1b2c3d4e5f60718", "cgw-0f1e2d3c4b5a69788", "vgw-04d3c2b1a0f9e8d7c", True)


MALFORMED = [
    ("no-psk", {"PreSharedKey": None},
     "tunnel2: no pre_shared_key (neither in Options.TunnelOptions nor in the CustomerGatewayConfiguration XML)"),
    ("psk-pasted-as-ip", {"OutsideIpAddress": PSKS[1]}, "tunnel2: outside_ip_address '<hidden>' is not a valid IPv4 address"),
]


@pytest.mark.parametrize("change,message", [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED])
def test_malformed_input_fails_without_a_psk_in_the_message(run_module, change, message):
    vpn = copy.deepcopy(CAMEL)
    vpn["Options"]["TunnelOptions"][1].update(change)
    result = run_module(tunnel_options, {"vpn_connection": vpn})
    assert result["failed"] is True
    assert result["msg"] == "Cannot read the tunnels: " + message
    # The traceback ansible-core would add at -vvv is the one of the exception being handled.
    assert "TunnelOptionsError" in result["exception"]
    assert not any(psk in result["msg"] + result["exception"] for psk in PSKS)


def test_the_two_inputs_are_mutually_exclusive(run_module):
    result = run_module(tunnel_options, {"vpn_connection": CAMEL, "vpn_connection_id": "vpn-0a1b2c3d4e5f60718"})
    assert result["failed"] is True
    assert result["msg"] == "parameters are mutually exclusive: vpn_connection|vpn_connection_id"


def test_one_input_is_required(run_module):
    result = run_module(tunnel_options, {})
    assert result["failed"] is True
    assert result["msg"] == "one of the following is required: vpn_connection, vpn_connection_id"


# ---------------------------------------------------------------------------------------------
# vpn_connection_id against moto's EC2 API, in this process (no server, no socket)
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def moto_vpn():
    """moto's EC2 API with one VPN connection, as boto3 describes it (read-only: shared by the module's tests)."""
    boto3 = pytest.importorskip("boto3")
    moto = pytest.importorskip("moto")
    with pytest.MonkeyPatch.context() as monkeypatch, moto.mock_aws():
        for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL",
                     "AWS_ENDPOINT_URL_EC2", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
            monkeypatch.delenv(name, raising=False)
        ec2 = boto3.client("ec2", region_name=REGION, aws_access_key_id=CREDENTIALS["access_key"],
                           aws_secret_access_key=CREDENTIALS["secret_key"])
        cgw = ec2.create_customer_gateway(BgpAsn=65000, PublicIp="198.51.100.10", Type="ipsec.1")["CustomerGateway"]
        vgw = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]
        created = ec2.create_vpn_connection(CustomerGatewayId=cgw["CustomerGatewayId"], VpnGatewayId=vgw["VpnGatewayId"],
                                            Type="ipsec.1", Options={"StaticRoutesOnly": True})["VpnConnection"]
        [vpn] = ec2.describe_vpn_connections(VpnConnectionIds=[created["VpnConnectionId"]])["VpnConnections"]
        yield vpn


def test_vpn_connection_id_reads_moto(run_module, moto_vpn):
    vpn = moto_vpn
    result = run_module(tunnel_options, dict(CREDENTIALS, vpn_connection_id=vpn["VpnConnectionId"]))
    assert "failed" not in result, result.get("msg")
    xml = vpn["CustomerGatewayConfiguration"]
    assert "TunnelOptions" not in vpn.get("Options", {})
    assert (result["changed"], result["vpn_connection_id"], result["customer_gateway_id"], result["vpn_gateway_id"]) == (
        False, vpn["VpnConnectionId"], vpn["CustomerGatewayId"], vpn["VpnGatewayId"])
    tunnels = result["tunnels"]
    assert [t["name"] for t in tunnels] == ["tunnel1", "tunnel2"]
    assert [t["pre_shared_key"] for t in tunnels] == re.findall(r"<pre_shared_key>\s*(\S+?)\s*</pre_shared_key>", xml)
    assert [t["outside_ip_address"] for t in tunnels] == re.findall(
        r"<vpn_gateway>\s*<tunnel_outside_address>\s*<ip_address>\s*(\S+?)\s*</ip_address>", xml)
    for tunnel in tunnels:
        assert tunnel["source"] == "customer_gateway_configuration"
        assert re.fullmatch(r"169\.254\.\d+\.\d+/30", tunnel["tunnel_inside_cidr"])
        assert tunnel["phase1"]["encryption_algorithms"] and tunnel["phase2"]["dh_group_numbers"]


def test_missing_vpn_connection_id_fails_clearly(run_module, moto_vpn):
    result = run_module(tunnel_options, dict(CREDENTIALS, vpn_connection_id="vpn-0123456789abcdef0"))
    assert result["failed"] is True
    assert result["msg"] == "VPN connection vpn-0123456789abcdef0 not found in region eu-central-1"


def test_the_region_is_where_the_connection_is_looked_for(run_module, moto_vpn):
    result = run_module(tunnel_options, dict(CREDENTIALS, region="eu-west-1", vpn_connection_id=moto_vpn["VpnConnectionId"]))
    assert result["failed"] is True
    assert result["msg"] == "VPN connection %s not found in region eu-west-1" % moto_vpn["VpnConnectionId"]

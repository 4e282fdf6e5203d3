# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AWS EC2 TEST DOUBLE (tests/aws_double: moto extended), driven by boto3 as the collection
drives AWS, from inside a network namespace with only loopback.

These tests pin what the rehearsal relies on: tunnel options kept and returned in AWS's
response shape (generated keys and inside CIDRs included), public addresses from
203.0.113.0/24, AWS's value rules, one tunnel modified at a time (`modifying` hidden from a
state filter), static routes, fresh ids not found once, telemetry and console output set
through the control API, what passes to moto unchanged, and keys kept out of the request log.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import sys
import time
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# pylint: disable=wrong-import-position
from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws.tunnels import vpn_connection_facts  # noqa: E402
from moto_netns import netns_available  # noqa: E402
from tests.aws_double.isolation import Isolated, loopback_only  # noqa: E402

AMI = "ami-07eef52105e8a2059"  # tests/moto/amis.json: the newest Canonical 24.04 image
KEYS = ("vpnlab.Tunnel1_k3yA9xQ2wE", "vpnlab.Tunnel2_m7Rb4Zt8pL")
HARDENED = {"IKEVersions": [{"Value": "ikev2"}], "Phase1EncryptionAlgorithms": [{"Value": "AES256-GCM-16"}],
            "Phase1IntegrityAlgorithms": [{"Value": "SHA2-256"}], "Phase1DHGroupNumbers": [{"Value": 14}],
            "Phase2EncryptionAlgorithms": [{"Value": "AES256-GCM-16"}],
            "Phase2IntegrityAlgorithms": [{"Value": "SHA2-256"}], "Phase2DHGroupNumbers": [{"Value": 14}],
            "Phase1LifetimeSeconds": 28800, "Phase2LifetimeSeconds": 3600, "DPDTimeoutSeconds": 30,
            "DPDTimeoutAction": "restart", "StartupAction": "add"}
SETTINGS = {"pending_seconds": 0, "modify_seconds": 1.0, "busy_error_code": "IncorrectState",
            "consistency_share": 0, "consistency_window_seconds": 10, "consistency_kinds": ["cgw", "vgw", "vpn"],
            "seed": 0}
RESERVED = [ipaddress.ip_network(c) for c in ("169.254.0.0/30", "169.254.1.0/30", "169.254.2.0/30",
                                              "169.254.3.0/30", "169.254.4.0/30", "169.254.5.0/30",
                                              "169.254.169.252/30")]


@pytest.fixture(scope="module")
def double(tmp_path_factory):
    if not netns_available():
        pytest.skip("needs root and unshare --net for a loopback-only network namespace")
    with Isolated(tmp_path_factory.mktemp("aws-double")) as iso:
        yield iso


@pytest.fixture(scope="module")
def session(double):
    """One boto3 session for the module: it loads EC2's large service model once."""
    with double.inside():
        return boto3.session.Session()


@pytest.fixture
def ec2(double, session):
    """An EC2 client as the test's thread sees AWS: the double, from inside the namespace."""
    assert double.control("reset", {}) == (200, {"ok": True})
    assert double.control("config", SETTINGS)[0] == 200
    with double.inside():
        yield session.client("ec2")


def gateways(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]["VpcId"]
    cgw = ec2.create_customer_gateway(Type="ipsec.1", PublicIp="198.51.100.10", BgpAsn=65000)
    vgw = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    ec2.attach_vpn_gateway(VpcId=vpc, VpnGatewayId=vgw)
    return cgw["CustomerGateway"]["CustomerGatewayId"], vgw


def connect(ec2, tunnels, static=True, ids=None):
    cgw, vgw = ids or gateways(ec2)
    options = {"StaticRoutesOnly": static, "TunnelInsideIpVersion": "ipv4", "TunnelOptions": tunnels}
    return ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=cgw, VpnGatewayId=vgw,
                                     Options=options)["VpnConnection"]


def hardened(ec2):
    return connect(ec2, [dict(HARDENED, TunnelInsideCidr="169.254.21.0/30", PreSharedKey=KEYS[0]),
                         dict(HARDENED, TunnelInsideCidr="169.254.22.0/30", PreSharedKey=KEYS[1])])


def describe(ec2, vpn_id):
    return ec2.describe_vpn_connections(VpnConnectionIds=[vpn_id])["VpnConnections"][0]


def live(ec2):
    filters = [{"Name": "state", "Values": ["pending", "available"]}]
    return ec2.describe_vpn_connections(Filters=filters)["VpnConnections"]


def error_of(call, *args, **kwargs):
    with pytest.raises(ClientError) as caught:
        call(*args, **kwargs)
    response = caught.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


@pytest.mark.usefixtures("ec2")
def test_runs_in_a_loopback_only_namespace(double):
    assert loopback_only()
    status, health = double.control("health")
    assert status == 200 and health["note"] == "AWS EC2 TEST DOUBLE (moto extended), not AWS"
    assert double.info["endpoint"].startswith("http://127.0.0.1:")
    assert set(double.info["env"]) >= {"AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                                       "AWS_DEFAULT_REGION"}


def test_tunnel_options_round_trip_in_the_response_shape(ec2):
    given = dict(HARDENED, TunnelInsideCidr="169.254.21.0/30", PreSharedKey=KEYS[0])
    vpn = describe(ec2, connect(ec2, [given, {"IKEVersions": [{"Value": "ikev2"}]}])["VpnConnectionId"])
    first, second = vpn["Options"]["TunnelOptions"]
    assert vpn["Options"]["StaticRoutesOnly"] is True and vpn["State"] == "available"
    assert first["DpdTimeoutSeconds"] == 30 and first["DpdTimeoutAction"] == "restart"
    assert first["IkeVersions"] == [{"Value": "ikev2"}] and "DPDTimeoutSeconds" not in first
    assert first["Phase1EncryptionAlgorithms"] == [{"Value": "AES256-GCM-16"}]
    assert first["Phase2DHGroupNumbers"] == [{"Value": 14}]
    assert (first["TunnelInsideCidr"], first["PreSharedKey"]) == ("169.254.21.0/30", KEYS[0])
    generated = ipaddress.ip_network(second["TunnelInsideCidr"])
    assert generated.prefixlen == 30 and generated.subnet_of(ipaddress.ip_network("169.254.0.0/16"))
    assert generated not in RESERVED and str(generated) != first["TunnelInsideCidr"]
    key = second["PreSharedKey"]
    assert 8 <= len(key) <= 64 and not key.startswith("0") and set(key) <= set(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._")
    assert [t["Status"] for t in vpn["VgwTelemetry"]] == ["DOWN", "DOWN"]


def test_the_collections_parser_reads_the_same_tunnels_from_the_xml(ec2):
    vpn = describe(ec2, hardened(ec2)["VpnConnectionId"])
    from_options = vpn_connection_facts(vpn)["tunnels"]
    xml_only = dict(vpn, Options={"StaticRoutesOnly": True})
    from_xml = vpn_connection_facts(xml_only)["tunnels"]
    fields = ("outside_ip_address", "tunnel_inside_cidr", "pre_shared_key", "cgw_outside_address",
              "vgw_inside_address", "cgw_inside_address")
    assert [{f: t[f] for f in fields} for t in from_xml] == [{f: t[f] for f in fields} for t in from_options]
    assert [t["pre_shared_key"] for t in from_xml] == list(KEYS)
    assert from_xml[0]["cgw_outside_address"] == "198.51.100.10"


def test_public_addresses_come_from_the_documentation_range(ec2):
    ids = gateways(ec2)
    outside = [t["OutsideIpAddress"] for dummy in range(2)
               for t in connect(ec2, [{}, {}], ids=ids)["Options"]["TunnelOptions"]]
    assert len(set(outside)) == 4
    assert all(1 <= int(ipaddress.ip_address(ip)) - int(ipaddress.ip_address("203.0.113.0")) <= 127 for ip in outside)
    vpc = ec2.create_vpc(CidrBlock="10.3.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.3.1.0/24")
    instances = ec2.run_instances(ImageId=AMI, MinCount=3, MaxCount=3, InstanceType="t3.micro",
                                  NetworkInterfaces=[{"DeviceIndex": 0, "AssociatePublicIpAddress": True,
                                                      "SubnetId": subnet["Subnet"]["SubnetId"]}])["Instances"]
    described = ec2.describe_instances(InstanceIds=[i["InstanceId"] for i in instances])["Reservations"]
    public = [i["PublicIpAddress"] for r in described for i in r["Instances"]]
    public.append(ec2.allocate_address(Domain="vpc")["PublicIp"])
    assert len(set(public)) == 4
    assert all(ipaddress.ip_address(ip) in ipaddress.ip_network("203.0.113.128/25") for ip in public)
    assert all(int(ip.rsplit(".", 1)[1]) <= 250 for ip in public)


@pytest.mark.parametrize("tunnel, phrase", [
    ({"Phase1LifetimeSeconds": 3600, "Phase2LifetimeSeconds": 3600}, "must be less than Phase1LifetimeSeconds"),
    ({"Phase1LifetimeSeconds": 800}, "Phase1LifetimeSeconds must be between 900 and 28800"),
    ({"Phase2LifetimeSeconds": 3700}, "Phase2LifetimeSeconds must be between 900 and 3600"),
    ({"PreSharedKey": "0vpnlab.key"}, "must not start with zero"),
    ({"PreSharedKey": "vpn-lab-key"}, "contain only alphanumeric"),
    ({"TunnelInsideCidr": "169.254.5.0/30"}, "is reserved"),
    ({"TunnelInsideCidr": "169.254.20.0/29"}, "must be a /30"),
    ({"TunnelInsideCidr": "10.0.0.0/30"}, "must be a /30"),
    ({"DPDTimeoutSeconds": 29}, "greater than or equal to 30"),
    ({"DPDTimeoutAction": "hold"}, "for DPDTimeoutAction"),
    ({"Phase1EncryptionAlgorithms": [{"Value": "AES512"}]}, "'AES512' for Phase1EncryptionAlgorithms"),
    ({"Phase2DHGroupNumbers": [{"Value": 1}]}, "for Phase2DHGroupNumbers"),
])
def test_aws_value_rules_refuse_before_anything_is_created(ec2, tunnel, phrase):
    code, message, status = error_of(connect, ec2, [tunnel, {}])
    assert (code, status) == ("InvalidParameterValue", 400) and phrase in message
    assert "0vpnlab.key" not in message and "vpn-lab-key" not in message
    assert ec2.describe_vpn_connections()["VpnConnections"] == []


def test_one_tunnel_at_a_time_and_modifying_is_not_live(ec2):
    vpn = hardened(ec2)
    vpn_id, (one, two) = vpn["VpnConnectionId"], [t["OutsideIpAddress"] for t in vpn["Options"]["TunnelOptions"]]
    answer = ec2.modify_vpn_tunnel_options(VpnConnectionId=vpn_id, VpnTunnelOutsideIpAddress=one,
                                           TunnelOptions={"DPDTimeoutSeconds": 40})["VpnConnection"]
    assert answer["State"] == "modifying" and answer["Options"]["TunnelOptions"][0]["DpdTimeoutSeconds"] == 40
    assert answer["VgwTelemetry"][0]["StatusMessage"] == "IPSEC IS DOWN"
    code, message, status = error_of(ec2.modify_vpn_tunnel_options, VpnConnectionId=vpn_id,
                                     VpnTunnelOutsideIpAddress=two, TunnelOptions={"DPDTimeoutSeconds": 40})
    assert (code, status) == ("IncorrectState", 400) and "is in the modifying state" in message
    assert live(ec2) == []
    time.sleep(1.1)
    assert [v["VpnConnectionId"] for v in live(ec2)] == [vpn_id]
    again = ec2.modify_vpn_tunnel_options(VpnConnectionId=vpn_id, VpnTunnelOutsideIpAddress=two,
                                          TunnelOptions={"DPDTimeoutSeconds": 40})["VpnConnection"]
    assert [t["DpdTimeoutSeconds"] for t in again["Options"]["TunnelOptions"]] == [40, 40]


def test_modification_rules_apply_to_the_merged_options(ec2, double):
    vpn = hardened(ec2)
    vpn_id, one = vpn["VpnConnectionId"], vpn["Options"]["TunnelOptions"][0]["OutsideIpAddress"]
    modify = ec2.modify_vpn_tunnel_options
    code, message, dummy = error_of(modify, VpnConnectionId=vpn_id, VpnTunnelOutsideIpAddress=one,
                                    TunnelOptions={"Phase1LifetimeSeconds": 3600})
    assert code == "InvalidParameterValue" and "Phase2LifetimeSeconds (3600) must be less" in message
    assert error_of(modify, VpnConnectionId=vpn_id, VpnTunnelOutsideIpAddress="203.0.113.99",
                    TunnelOptions={"DPDTimeoutSeconds": 40})[0] == "InvalidParameterValue"
    assert error_of(modify, VpnConnectionId=vpn_id, VpnTunnelOutsideIpAddress=one,
                    TunnelOptions={"TunnelInsideCidr": "169.254.22.0/30"})[0] == "InvalidParameterValue"
    assert describe(ec2, vpn_id)["State"] == "available"
    assert double.control("config", {"busy_error_code": "InvalidVpnConnection.InvalidState"})[0] == 200
    modify(VpnConnectionId=vpn_id, VpnTunnelOutsideIpAddress=one, TunnelOptions={"DPDTimeoutSeconds": 40})
    assert error_of(modify, VpnConnectionId=vpn_id, VpnTunnelOutsideIpAddress=one,
                    TunnelOptions={"DPDTimeoutSeconds": 45})[0] == "InvalidVpnConnection.InvalidState"


def test_static_routes(ec2):
    vpn_id = hardened(ec2)["VpnConnectionId"]
    for dummy in range(2):
        ec2.create_vpn_connection_route(VpnConnectionId=vpn_id, DestinationCidrBlock="10.1.0.0/16")
    assert describe(ec2, vpn_id)["Routes"] == [{"DestinationCidrBlock": "10.1.0.0/16", "Source": "Static",
                                                "State": "available"}]
    ec2.delete_vpn_connection_route(VpnConnectionId=vpn_id, DestinationCidrBlock="10.1.0.0/16")
    assert describe(ec2, vpn_id)["Routes"] == []
    assert error_of(ec2.delete_vpn_connection_route, VpnConnectionId=vpn_id,
                    DestinationCidrBlock="10.1.0.0/16")[0] == "InvalidRoute.NotFound"
    assert error_of(ec2.create_vpn_connection_route, VpnConnectionId="vpn-0123456789abcdef0",
                    DestinationCidrBlock="10.1.0.0/16")[0] == "InvalidVpnConnectionID.NotFound"
    dynamic = connect(ec2, [{}, {}], static=False)["VpnConnectionId"]
    assert error_of(ec2.create_vpn_connection_route, VpnConnectionId=dynamic,
                    DestinationCidrBlock="10.1.0.0/16")[0] == "InvalidVpnConnection.InvalidType"


def test_route_propagation_from_an_attached_vgw(ec2):
    """The BGP design's VPC route table learns from the VGW: moto answers HTTP 500, the double
    keeps the setting as AWS does and refuses a VGW that is not attached to the table's VPC."""
    vpc = ec2.create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]["VpcId"]
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    vgw = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]

    def propagating():
        found = ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"][0]
        return [g["GatewayId"] for g in found.get("PropagatingVgws", [])]

    code, message, status = error_of(ec2.enable_vgw_route_propagation, RouteTableId=table, GatewayId=vgw)
    assert (code, status) == ("Gateway.NotAttached", 400) and vgw in message
    ec2.attach_vpn_gateway(VpcId=vpc, VpnGatewayId=vgw)
    for dummy in range(2):
        ec2.enable_vgw_route_propagation(RouteTableId=table, GatewayId=vgw)
    assert propagating() == [vgw]
    assert error_of(ec2.enable_vgw_route_propagation, RouteTableId="rtb-0123456789abcdef0",
                    GatewayId=vgw)[0] == "InvalidRouteTableID.NotFound"
    ec2.disable_vgw_route_propagation(RouteTableId=table, GatewayId=vgw)
    ec2.disable_vgw_route_propagation(RouteTableId=table, GatewayId=vgw)
    assert propagating() == []
    ec2.detach_vpn_gateway(VpcId=vpc, VpnGatewayId=vgw)
    assert error_of(ec2.enable_vgw_route_propagation, RouteTableId=table, GatewayId=vgw)[0] == "Gateway.NotAttached"


def test_a_vgw_propagates_what_a_live_bgp_session_announces(ec2, double):
    """The prefixes a dynamic connection's customer gateway announces (control bgp-routes) are
    routes of the propagating table (Origin EnableVgwRoutePropagation, the VGW as gateway) while
    a tunnel of the connection is UP; a static connection has no session to announce them."""
    cgw, vgw = gateways(ec2)
    vpc = ec2.describe_vpn_gateways(VpnGatewayIds=[vgw])["VpnGateways"][0]["VpcAttachments"][0]["VpcId"]
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.enable_vgw_route_propagation(RouteTableId=table, GatewayId=vgw)
    vpn = connect(ec2, [dict(HARDENED, TunnelInsideCidr="169.254.21.0/30", PreSharedKey=KEYS[0]),
                        dict(HARDENED, TunnelInsideCidr="169.254.22.0/30", PreSharedKey=KEYS[1])],
                  static=False, ids=(cgw, vgw))
    vpn_id = vpn["VpnConnectionId"]
    ips = [t["OutsideIpAddress"] for t in vpn["Options"]["TunnelOptions"]]

    def learned():
        routes = ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"][0]["Routes"]
        return sorted((r["DestinationCidrBlock"], r.get("GatewayId"), r.get("Origin")) for r in routes
                      if r.get("Origin") == "EnableVgwRoutePropagation")

    def tunnels(*statuses):
        return {"vpn_connection_id": vpn_id, "tunnels": [{"outside_ip_address": ip, "status": st}
                                                         for ip, st in zip(ips, statuses)]}
    assert double.control("bgp-routes", {"vpn_connection_id": vpn_id, "prefixes": ["10.1.0.0/16"]})[0] == 200
    assert learned() == []  # both tunnels DOWN: no session
    double.control("telemetry", tunnels("DOWN", "UP"))
    assert learned() == [("10.1.0.0/16", vgw, "EnableVgwRoutePropagation")]
    ec2.disable_vgw_route_propagation(RouteTableId=table, GatewayId=vgw)
    assert learned() == []
    ec2.enable_vgw_route_propagation(RouteTableId=table, GatewayId=vgw)
    double.control("telemetry", tunnels("DOWN", "DOWN"))
    assert learned() == []
    assert double.control("bgp-routes", {"vpn_connection_id": vpn_id, "prefixes": "10.1.0.0/16"})[0] == 400
    static = hardened(ec2)["VpnConnectionId"]
    assert double.control("bgp-routes", {"vpn_connection_id": static, "prefixes": []})[0] == 400


def test_fresh_ids_are_not_found_once(ec2, double):
    assert double.control("config", {"consistency_share": 1.0, "consistency_kinds": ["cgw", "vpc"]})[0] == 200
    cgw = ec2.create_customer_gateway(Type="ipsec.1", PublicIp="198.51.100.10", BgpAsn=65000)
    cgw_id = cgw["CustomerGateway"]["CustomerGatewayId"]
    code, message, status = error_of(ec2.describe_customer_gateways, CustomerGatewayIds=[cgw_id])
    assert (code, status) == ("InvalidCustomerGatewayID.NotFound", 400) and cgw_id in message
    assert ec2.describe_customer_gateways(CustomerGatewayIds=[cgw_id])["CustomerGateways"][0]["State"] == "available"
    vpc_id = ec2.create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]["VpcId"]
    tag = {"Resources": [vpc_id], "Tags": [{"Key": "vpnlab", "Value": "doubletest"}]}
    assert error_of(ec2.create_tags, **tag)[0] == "InvalidVpcID.NotFound"
    ec2.create_tags(**tag)
    vgw = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    ec2.attach_vpn_gateway(VpcId=vpc_id, VpnGatewayId=vgw)  # vgw is not among the kinds chosen here


def test_telemetry_and_console_output_through_the_control_api(ec2, double):
    vpn = hardened(ec2)
    vpn_id, one = vpn["VpnConnectionId"], vpn["Options"]["TunnelOptions"][0]["OutsideIpAddress"]
    up = {"vpn_connection_id": vpn_id, "tunnels": [{"outside_ip_address": one, "status": "UP",
                                                    "status_message": "", "accepted_route_count": 1}]}
    status, view = double.control("telemetry", up)
    assert status == 200 and view["tunnels"][0]["telemetry"]["Status"] == "UP"
    changed = view["tunnels"][0]["telemetry"]["LastStatusChange"]
    assert changed > view["tunnels"][1]["telemetry"]["LastStatusChange"]
    first = describe(ec2, vpn_id)["VgwTelemetry"][0]
    assert (first["Status"], first["AcceptedRouteCount"]) == ("UP", 1)
    up["tunnels"][0]["accepted_route_count"] = 2
    view = double.control("telemetry", up)[1]["tunnels"][0]["telemetry"]
    assert (view["AcceptedRouteCount"], view["LastStatusChange"]) == (2, changed)
    assert double.control("telemetry", dict(up, tunnels=[{"outside_ip_address": one, "status": "up"}]))[0] == 400
    assert double.control("telemetry", dict(up, vpn_connection_id="vpn-0123456789abcdef0"))[0] == 404
    instance = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, InstanceType="t3.micro")["Instances"][0]
    text = "vpnlab cloud-init finished\nssh-ed25519 AAAA host key\n"
    assert double.control("console-output", {"instance_id": instance["InstanceId"], "output": text})[0] == 200
    output = ec2.get_console_output(InstanceId=instance["InstanceId"])["Output"]
    assert output == text  # botocore decodes EC2's base64 (its GetConsoleOutput handler)


def test_what_passes_to_moto_unchanged(ec2, double, session):
    public_key = Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
    ec2.import_key_pair(KeyName="vpnlab-key", PublicKeyMaterial=public_key.encode())
    pairs = ec2.describe_key_pairs(KeyNames=["vpnlab-key"], IncludePublicKey=True)["KeyPairs"]
    assert pairs[0]["PublicKey"].strip() == public_key
    instance = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, InstanceType="t3.micro",
                                 KeyName="vpnlab-key", UserData="#cloud-config\nhostname: vm3\n")["Instances"][0]
    user_data = ec2.describe_instance_attribute(InstanceId=instance["InstanceId"], Attribute="userData")
    assert base64.b64decode(user_data["UserData"]["Value"]).decode() == "#cloud-config\nhostname: vm3\n"
    offerings = ec2.describe_instance_type_offerings(LocationType="region",
                                                     Filters=[{"Name": "instance-type", "Values": ["t3.micro"]}])
    assert offerings["InstanceTypeOfferings"]
    with double.inside():
        assert session.client("sts").get_caller_identity()["Account"] == "123456789012"


def test_pending_then_available(ec2, double):
    assert double.control("config", {"pending_seconds": 0.5})[0] == 200
    vpn_id = hardened(ec2)["VpnConnectionId"]
    assert describe(ec2, vpn_id)["State"] == "pending" and len(live(ec2)) == 1
    time.sleep(0.6)
    assert describe(ec2, vpn_id)["State"] == "available"


def test_keys_stay_out_of_the_request_log_and_the_control_view(ec2, double):
    vpn = describe(ec2, connect(ec2, [dict(HARDENED, PreSharedKey=KEYS[0]), {}])["VpnConnectionId"])
    one = vpn["Options"]["TunnelOptions"][0]["OutsideIpAddress"]
    ec2.modify_vpn_tunnel_options(VpnConnectionId=vpn["VpnConnectionId"], VpnTunnelOutsideIpAddress=one,
                                  TunnelOptions={"PreSharedKey": KEYS[1]})
    keys = list(KEYS) + [vpn["Options"]["TunnelOptions"][1]["PreSharedKey"]]
    log = (Path(double.state_dir) / "requests.jsonl").read_text(encoding="utf-8")
    view = json.dumps(double.control("vpn-connections")[1])
    assert not [k for k in keys if k in log or k in view]
    assert log.count("<redacted sha256:") == 2
    actions = [e["action"] for e in double.requests()]
    assert actions[-2:] == ["DescribeVpnConnections", "ModifyVpnTunnelOptions"]


def test_settings_are_checked(double):
    assert double.control("config", {"no_such_setting": 1})[0] == 400
    assert double.control("config", {"consistency_share": 2})[0] == 400
    assert double.control("config", {"consistency_kinds": ["nat"]})[0] == 400
    assert double.control("nothing-here")[0] == 404

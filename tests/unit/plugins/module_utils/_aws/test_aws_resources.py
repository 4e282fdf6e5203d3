# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_aws.resources, inventory and evidence: teardown by tag (moto in-process, Stubber for the
retries moto never needs), the foreign-name guard, VM records, tunnel evidence."""

from __future__ import annotations

import datetime

import boto3
import botocore.session
import pytest
from botocore.exceptions import WaiterError
from botocore.stub import Stubber
from moto import mock_aws

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry, RetryingBotoClientWrapper
from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws import cgw, evidence, inventory
from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws import resources as res

REGION = "eu-central-1"
LAB = "vpntest"
RETRY = AWSRetry.jittered_backoff(retries=4, delay=1, max_delay=1,
                                  catch_extra_error_codes=["DependencyViolation", "IncorrectState"])


def spec(kind, lab=LAB, managed=True, name=None):
    tags = [{"Key": "vpnlab", "Value": lab}, {"Key": "Name", "Value": name or "%s-%s" % (lab, kind)}]
    if managed:
        tags.append({"Key": "managed_by", "Value": "multicloud.vpnlab"})
    return [{"ResourceType": kind, "Tags": tags}]


@pytest.fixture
def ec2(monkeypatch):
    for key in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield boto3.client("ec2", region_name=REGION)


def wrapped(client):
    return RetryingBotoClientWrapper(client, RETRY)


def build_lab(ec2, lab=LAB, upto=None):
    """The lab's AWS resources as the roles make them; stop after `upto` for a half-built lab."""
    made = {}
    vpc = ec2.create_vpc(CidrBlock="10.2.0.0/16", TagSpecifications=spec("vpc", lab))["Vpc"]["VpcId"]
    made["vpc"] = vpc
    vgw = ec2.create_vpn_gateway(Type="ipsec.1", TagSpecifications=spec("vpn-gateway", lab))["VpnGateway"]["VpnGatewayId"]
    ec2.attach_vpn_gateway(VpcId=vpc, VpnGatewayId=vgw)
    igw = ec2.create_internet_gateway(TagSpecifications=spec("internet-gateway", lab))["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    if upto == "gateways":
        return made
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.2.1.0/24", TagSpecifications=spec("subnet", lab))["Subnet"]["SubnetId"]
    rt = ec2.create_route_table(VpcId=vpc, TagSpecifications=spec("route-table", lab))["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=rt, SubnetId=subnet)
    ec2.create_route(RouteTableId=rt, DestinationCidrBlock="10.1.0.0/16", GatewayId=vgw)
    ec2.create_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    sg = ec2.create_security_group(GroupName="%s-sg" % lab, Description="lab", VpcId=vpc,
                                   TagSpecifications=spec("security-group", lab))["GroupId"]
    cgw = ec2.create_customer_gateway(BgpAsn=65034, PublicIp="198.51.100.10", Type="ipsec.1",
                                      TagSpecifications=spec("customer-gateway", lab))["CustomerGateway"]["CustomerGatewayId"]
    ec2.create_vpn_connection(CustomerGatewayId=cgw, VpnGatewayId=vgw, Type="ipsec.1",
                              TagSpecifications=spec("vpn-connection", lab))
    ec2.create_key_pair(KeyName="%s-key" % lab, TagSpecifications=spec("key-pair", lab))
    ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, InstanceType="t3.micro",
                      NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": subnet, "PrivateIpAddress": "10.2.1.10",
                                          "AssociatePublicIpAddress": True, "Groups": [sg]}],
                      # amazon.aws.ec2_instance tags the root volume too; AWS deletes it with the instance.
                      TagSpecifications=[{"ResourceType": "instance", "Tags": spec("instance", lab, name="%s-vm3" % lab)[0]["Tags"]
                                          + [{"Key": "vpnlab_vm", "Value": "vm3"}]}] + spec("volume", lab))
    return made


def kinds(found):
    return {kind: len(items) for kind, items in found.items() if items}


def test_a_whole_lab_is_found_and_torn_down_in_order(ec2):
    build_lab(ec2)
    found = res.list_lab(ec2, LAB)
    assert kinds(found) == dict.fromkeys(res.ORDER, 1)
    done = res.teardown(wrapped(ec2), found, timeout=30)
    assert [d["kind"] for d in done] == list(res.ORDER)
    assert kinds(res.list_lab(ec2, LAB)) == {}
    assert res.other_tagged(ec2, LAB) == []
    # Safe twice: nothing left to find, nothing to do.
    assert res.teardown(wrapped(ec2), res.list_lab(ec2, LAB), timeout=30) == []


def test_only_the_labs_resources_are_touched(ec2):
    build_lab(ec2)
    build_lab(ec2, lab="other")
    hand_tagged = ec2.create_vpc(CidrBlock="10.9.0.0/16", TagSpecifications=spec("vpc", managed=False))["Vpc"]["VpcId"]
    untagged_cgw = ec2.create_customer_gateway(BgpAsn=65000, PublicIp="198.51.100.99", Type="ipsec.1")
    res.teardown(wrapped(ec2), res.list_lab(ec2, LAB), timeout=30)
    assert kinds(res.list_lab(ec2, "other")) == dict.fromkeys(res.ORDER, 1)
    assert [v["VpcId"] for v in ec2.describe_vpcs(VpcIds=[hand_tagged])["Vpcs"]] == [hand_tagged]
    assert ec2.describe_customer_gateways(CustomerGatewayIds=[untagged_cgw["CustomerGateway"]["CustomerGatewayId"]]
                                          )["CustomerGateways"][0]["State"] == "available"


def test_a_half_built_lab_is_torn_down(ec2):
    build_lab(ec2, upto="gateways")
    found = res.list_lab(ec2, LAB)
    assert kinds(found) == {"vpn_gateway": 1, "internet_gateway": 1, "vpc": 1}
    res.teardown(wrapped(ec2), found, timeout=30)
    assert kinds(res.list_lab(ec2, LAB)) == {}


def test_check_mode_lists_and_deletes_nothing(ec2):
    build_lab(ec2)
    found = res.list_lab(ec2, LAB)
    assert len(res.teardown(wrapped(ec2), found, timeout=30, check_mode=True)) == len(res.ORDER)
    assert kinds(res.list_lab(ec2, LAB)) == dict.fromkeys(res.ORDER, 1)


def test_the_leak_check_names_resources_teardown_cannot_delete(ec2):
    build_lab(ec2)
    volume = ec2.create_volume(AvailabilityZone=REGION + "a", Size=1, TagSpecifications=spec("volume"))["VolumeId"]
    res.teardown(wrapped(ec2), res.list_lab(ec2, LAB), timeout=30)
    assert res.other_tagged(ec2, LAB) == [{"kind": "volume", "id": volume, "name": None, "state": None}]


def test_the_tags_moto_keeps_of_a_deleted_volume_are_no_leak(ec2):
    build_lab(ec2)
    res.teardown(wrapped(ec2), res.list_lab(ec2, LAB), timeout=30)
    stale = ec2.describe_tags(Filters=[{"Name": "resource-type", "Values": ["volume"]}])["Tags"]
    assert stale and ec2.describe_volumes()["Volumes"] == []  # the moto gap this guards against
    assert res.other_tagged(ec2, LAB) == []


def test_names_taken_by_someone_else_are_conflicts(ec2):
    ec2.create_vpc(CidrBlock="10.2.0.0/16", TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "vpntest-vpc"}]}])
    ec2.create_customer_gateway(BgpAsn=65000, PublicIp="198.51.100.10", Type="ipsec.1")
    found = res.conflicts(ec2, LAB, {"vpc": "vpntest-vpc", "instance": ["vpntest-vm3"], "key_pair": "vpntest-key"},
                          customer_gateway_ip="198.51.100.10")
    assert [(c["kind"], c["name"]) for c in found] == [("vpc", "vpntest-vpc"), ("customer_gateway", None)]
    assert "is not tagged vpnlab=vpntest" in found[0]["description"]


def test_the_labs_own_resources_are_no_conflict(ec2):
    build_lab(ec2)
    names = {"vpc": "vpntest-vpc", "subnet": "vpntest-subnet", "security_group": "vpntest-sg",
             "key_pair": "vpntest-key", "instance": ["vpntest-vm3"]}
    assert res.conflicts(ec2, LAB, names, customer_gateway_ip="198.51.100.10") == []


ALIVE = [("vpn_connection", "pending", True), ("vpn_connection", "available", True),
         ("vpn_connection", "modifying", True), ("vpn_connection", "deleting", True),
         ("vpn_connection", "deleted", False), ("customer_gateway", "pending", True),
         ("customer_gateway", "deleted", False), ("instance", "terminated", False)]


@pytest.mark.parametrize("kind,state,alive", ALIVE, ids=["%s-%s" % a[:2] for a in ALIVE])
def test_what_teardown_and_the_leak_check_count_as_alive(kind, state, alive):
    """A connection AWS is modifying is still the lab's: teardown deletes it, the leak check names it."""
    resource = {"State": {"Name": state}} if kind == "instance" else {"State": state}
    assert res.alive(kind, resource) is alive


# A customer gateway a build created and could not tag (the stock module's separate tag call met a
# fresh id NotFound): the lab adopts it, so it is no conflict; one carrying other tags still is.
CGW_IP, CGW_ASN, CGW_NAME = "198.51.100.10", 65034, "vpntest-cgw"
ADOPTION = [
    ("untagged", 65034, [], []),
    ("only-the-labs-name", 65034, [{"Key": "Name", "Value": CGW_NAME}], []),
    ("other-asn", 65000, [], ["customer_gateway"]),
    ("another-name", 65034, [{"Key": "Name", "Value": "corp-cgw"}], ["customer_gateway"]),
    ("name-and-more", 65034, [{"Key": "Name", "Value": CGW_NAME}, {"Key": "team", "Value": "net"}],
     ["customer_gateway", "customer_gateway"]),
]


@pytest.mark.parametrize("asn,tags,flagged", [a[1:] for a in ADOPTION], ids=[a[0] for a in ADOPTION])
def test_a_customer_gateway_the_lab_would_adopt_is_no_conflict(ec2, asn, tags, flagged):
    ec2.create_customer_gateway(BgpAsn=asn, PublicIp=CGW_IP, Type="ipsec.1",
                                **({"TagSpecifications": [{"ResourceType": "customer-gateway", "Tags": tags}]} if tags else {}))
    found = res.conflicts(ec2, LAB, {"customer_gateway": CGW_NAME}, customer_gateway_ip=CGW_IP,
                          adoptable=cgw.adoptable_by(CGW_IP, CGW_ASN, CGW_NAME))
    assert [c["kind"] for c in found] == flagged, found


def test_without_the_asn_an_untagged_customer_gateway_is_still_a_conflict(ec2):
    ec2.create_customer_gateway(BgpAsn=CGW_ASN, PublicIp=CGW_IP, Type="ipsec.1")
    found = res.conflicts(ec2, LAB, {"customer_gateway": CGW_NAME}, customer_gateway_ip=CGW_IP)
    assert [c["kind"] for c in found] == ["customer_gateway"]
    assert "is not tagged vpnlab=vpntest" in found[0]["description"]


# The BGP design: one customer gateway per Azure gateway instance, each on its own address with
# its own name; an untagged one a build left on either address is adopted, not flagged, and one
# of someone else's on either address is a conflict.
BGP_CGWS = [("198.51.100.21", "vpntest-cgw-azure1"), ("198.51.100.22", "vpntest-cgw-azure2")]
BGP_ADOPTION = [
    ("untagged-on-the-second", "198.51.100.22", [], []),
    ("named-as-the-second", "198.51.100.22", [{"Key": "Name", "Value": "vpntest-cgw-azure2"}], []),
    ("named-as-the-first-on-the-second", "198.51.100.22", [{"Key": "Name", "Value": "vpntest-cgw-azure1"}],
     ["customer_gateway", "customer_gateway"]),
    ("someone-elses-on-the-first", "198.51.100.21", [{"Key": "team", "Value": "net"}], ["customer_gateway"]),
]


@pytest.mark.parametrize("address,tags,flagged", [a[1:] for a in BGP_ADOPTION], ids=[a[0] for a in BGP_ADOPTION])
def test_the_bgp_designs_customer_gateways_each_with_its_name(ec2, address, tags, flagged):
    ec2.create_customer_gateway(BgpAsn=65515, PublicIp=address, Type="ipsec.1",
                                **({"TagSpecifications": [{"ResourceType": "customer-gateway", "Tags": tags}]} if tags else {}))
    found = res.conflicts(ec2, LAB, {"customer_gateway": [name for _ip, name in BGP_CGWS]},
                          customer_gateway_ip=[ip for ip, _name in BGP_CGWS],
                          adoptable=cgw.adoptable_by_any(BGP_CGWS, 65515))
    assert [c["kind"] for c in found] == flagged, found


# --- retries: what moto never answers ---------------------------------------------------------

def stubbed():
    client = botocore.session.get_session().create_client(
        "ec2", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="y")
    return client, Stubber(client)


def test_dependency_violations_are_retried_in_order(monkeypatch):
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    client, stub = stubbed()
    stub.add_client_error("delete_subnet", "DependencyViolation", "has dependencies", expected_params={"SubnetId": "subnet-1"})
    stub.add_response("delete_subnet", {}, {"SubnetId": "subnet-1"})
    stub.add_client_error("delete_vpc", "DependencyViolation", "has dependencies", expected_params={"VpcId": "vpc-1"})
    stub.add_response("delete_vpc", {}, {"VpcId": "vpc-1"})
    found = {"vpc": [{"VpcId": "vpc-1"}], "subnet": [{"SubnetId": "subnet-1"}]}
    with stub:
        done = res.teardown(wrapped(client), found, timeout=30)
    stub.assert_no_pending_responses()
    assert [d["id"] for d in done] == ["subnet-1", "vpc-1"]


def test_a_vgw_is_detached_then_deleted_when_detached(monkeypatch):
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    client, stub = stubbed()
    stub.add_response("detach_vpn_gateway", {}, {"VpcId": "vpc-1", "VpnGatewayId": "vgw-1"})
    for state in ("detaching", "detached"):
        stub.add_response("describe_vpn_gateways", {"VpnGateways": [{"VpnGatewayId": "vgw-1", "VpcAttachments": [
            {"VpcId": "vpc-1", "State": state}]}]}, {"VpnGatewayIds": ["vgw-1"]})
    stub.add_client_error("delete_vpn_gateway", "IncorrectState", "still attached", expected_params={"VpnGatewayId": "vgw-1"})
    stub.add_response("delete_vpn_gateway", {}, {"VpnGatewayId": "vgw-1"})
    found = {"vpn_gateway": [{"VpnGatewayId": "vgw-1", "VpcAttachments": [{"VpcId": "vpc-1", "State": "attached"}]}]}
    with stub:
        res.teardown(wrapped(client), found, timeout=30)
    stub.assert_no_pending_responses()


def vgw(*states):
    return {"VpnGatewayId": "vgw-1", "VpcAttachments": [{"VpcId": "vpc-%d" % i, "State": s} for i, s in enumerate(states)]}


STILL_ATTACHED = [
    ("no-attachment-list", [{"VpnGatewayId": "vgw-1"}], False),
    ("empty-attachment-list", [vgw()], False),
    ("only-detached", [vgw("detached", "detached")], False),
    ("detaching", [vgw("detaching")], True),
    ("one-still-attached", [vgw("detached", "attached")], True),
    ("attaching", [vgw("attaching")], True),
    ("no-gateway", [], False),
]


@pytest.mark.parametrize("gateways,attached", [c[1:] for c in STILL_ATTACHED], ids=[c[0] for c in STILL_ATTACHED])
def test_what_counts_as_still_attached(gateways, attached):
    """An empty attachment list is detached: amazon.aws's waiter (pathAll) would never accept it."""
    assert res.still_attached(gateways) is attached


@pytest.mark.parametrize("attachments", [(), ("detached",)], ids=["empty", "only-detached"])
def test_a_vgw_without_a_live_attachment_is_deleted_without_waiting(monkeypatch, attachments):
    """No detach, one look, no waiter: with an empty list the waiter would run into its timeout."""
    monkeypatch.setattr("time.sleep", lambda seconds: pytest.fail("waited"))
    client, stub = stubbed()
    stub.add_response("describe_vpn_gateways", {"VpnGateways": [vgw(*attachments)]}, {"VpnGatewayIds": ["vgw-1"]})
    stub.add_response("delete_vpn_gateway", {}, {"VpnGatewayId": "vgw-1"})
    with stub:
        res.teardown(wrapped(client), {"vpn_gateway": [vgw(*attachments)]}, timeout=30)
    stub.assert_no_pending_responses()


def test_a_vgw_that_stays_detaching_times_out(monkeypatch):
    """The waiter looks timeout // 5 times, then WaiterError (aws_teardown's "Timed out waiting ...")."""
    sleeps = []
    monkeypatch.setattr("time.sleep", sleeps.append)
    client, stub = stubbed()
    stub.add_response("detach_vpn_gateway", {}, {"VpcId": "vpc-0", "VpnGatewayId": "vgw-1"})
    for dummy in range(1 + 3):  # the first look, then the waiter's three attempts
        stub.add_response("describe_vpn_gateways", {"VpnGateways": [vgw("detaching")]}, {"VpnGatewayIds": ["vgw-1"]})
    with stub, pytest.raises(WaiterError, match="vpn_gateway_detached"):
        res.teardown(wrapped(client), {"vpn_gateway": [vgw("attached")]}, timeout=15)
    stub.assert_no_pending_responses()
    assert sleeps == [5, 5]


def test_a_moto_vgw_is_detached_and_deleted(ec2):
    """moto keeps the detached attachment (state `detached`), as AWS does."""
    build_lab(ec2, upto="gateways")
    found = res.list_lab(ec2, LAB)
    res.teardown(wrapped(ec2), {"vpn_gateway": found["vpn_gateway"]}, timeout=30)
    gateway = ec2.describe_vpn_gateways(VpnGatewayIds=[found["vpn_gateway"][0]["VpnGatewayId"]])["VpnGateways"][0]
    assert gateway["State"] == "deleted"


def test_already_gone_is_fine():
    client, stub = stubbed()
    stub.add_client_error("delete_customer_gateway", "InvalidCustomerGatewayID.NotFound", "gone",
                          expected_params={"CustomerGatewayId": "cgw-1"})
    with stub:
        res.teardown(wrapped(client), {"customer_gateway": [{"CustomerGatewayId": "cgw-1"}]}, timeout=30)


def test_other_errors_stop_the_teardown():
    client, stub = stubbed()
    stub.add_client_error("delete_vpc", "UnauthorizedOperation", "no", expected_params={"VpcId": "vpc-1"})
    with stub, pytest.raises(Exception, match="UnauthorizedOperation"):
        res.teardown(wrapped(client), {"vpc": [{"VpcId": "vpc-1"}]}, timeout=30)


# --- inventory records ------------------------------------------------------------------------

def instance(state="running", **tags):
    base = {"vpnlab": LAB, "managed_by": "multicloud.vpnlab", "Name": "vpntest-vm3", "vpnlab_vm": "vm3"}
    base.update(tags)
    return {"InstanceId": "i-1", "State": {"Name": state}, "PrivateIpAddress": "10.2.1.10",
            "PublicIpAddress": "3.120.9.9", "Tags": [{"Key": k, "Value": v} for k, v in base.items() if v is not None]}


def test_vm_records_have_the_hostvars_the_inventory_needs():
    [vm] = inventory.vm_records([instance()], LAB, "/st/vpntest")
    assert {k: vm[k] for k in ("name", "cloud", "private_ip", "public_ip", "resource_name")} == {
        "name": "vm3", "cloud": "aws", "private_ip": "10.2.1.10", "public_ip": "3.120.9.9", "resource_name": "vpntest-vm3"}
    assert vm["connection"]["ansible_host"] == "3.120.9.9"
    assert vm["connection"]["ansible_ssh_private_key_file"] == "/st/vpntest/id_ed25519"
    assert "UserKnownHostsFile=/st/vpntest/known_hosts" in vm["connection"]["ansible_ssh_common_args"]


@pytest.mark.parametrize("item", [instance(state="terminated"), instance(vpnlab="other"), instance(managed_by=None),
                                  instance(vpnlab_vm=None)], ids=["terminated", "other-lab", "not-managed", "not-a-vm"])
def test_vm_records_skip_what_is_not_a_live_lab_vm(item):
    assert inventory.vm_records([item], LAB, "/st") == []


def test_list_vms_on_moto(ec2):
    build_lab(ec2)
    [vm] = inventory.list_vms(ec2, LAB, "/st/vpntest")
    assert (vm["name"], vm["private_ip"], vm["state"]) == ("vm3", "10.2.1.10", "running")
    assert vm["public_ip"]


# --- tunnel evidence --------------------------------------------------------------------------

TUNNELS = [{"name": "tunnel1", "inside_cidr": "169.254.21.0/30"}, {"name": "tunnel2", "inside_cidr": "169.254.22.0/30"}]


def test_telemetry_becomes_tunnel_records_by_inside_cidr():
    connection = {
        "Options": {"TunnelOptions": [{"OutsideIpAddress": "3.1.1.2", "TunnelInsideCidr": "169.254.22.0/30"},
                                      {"OutsideIpAddress": "3.1.1.1", "TunnelInsideCidr": "169.254.21.0/30"}]},
        "VgwTelemetry": [
            {"OutsideIpAddress": "3.1.1.1", "Status": "UP", "StatusMessage": "", "AcceptedRouteCount": 0,
             "LastStatusChange": datetime.datetime(2026, 11, 29, 10, 0, tzinfo=datetime.timezone.utc)},
            {"OutsideIpAddress": "3.1.1.2", "Status": "DOWN", "StatusMessage": "IPSEC IS DOWN"}],
    }
    records = evidence.tunnel_records(connection, TUNNELS)
    assert [(r["name"], r["outside_ip"], r["status"]) for r in records] == [("tunnel1", "3.1.1.1", "up"), ("tunnel2", "3.1.1.2", "down")]
    assert records[0]["detail"] == "status since 2026-11-29T10:00:00+00:00; 0 accepted routes"
    assert records[1]["detail"] == "IPSEC IS DOWN"
    assert all(r["bytes_in"] is None and r["source"] == "aws:VgwTelemetry" for r in records)


def test_no_telemetry_is_unknown_and_says_why():
    records = evidence.tunnel_records({"VpnConnectionId": "vpn-1"}, TUNNELS)
    assert [r["status"] for r in records] == ["unknown", "unknown"]
    assert "moto does not emulate it" in records[0]["detail"]
    assert [r["status"] for r in evidence.tunnel_records(None, TUNNELS)] == ["unknown", "unknown"]

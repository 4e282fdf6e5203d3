# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The data plane from what the clouds' APIs hold: nothing more, nothing less."""

from __future__ import annotations

import base64
import copy

import pytest

from tests.rehearsal import addressing as ad
from tests.rehearsal import design as dp
from tests.unit.rehearsal.test_ipsec import AWS_TUNNEL, POLICY

USER_DATA = "#cloud-config\npackage_update: true\npackages:\n  - mtr-tiny\n  - iputils-ping\n  - iperf3\n"


def aws_region(**change):
    state = {
        "vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.2.0.0/16"}, {"VpcId": "vpc-default", "CidrBlock": "172.31.0.0/16"}],
        "subnets": [{"SubnetId": "subnet-1", "VpcId": "vpc-1", "CidrBlock": "10.2.1.0/24"}],
        "route_tables": [{"RouteTableId": "rtb-1", "VpcId": "vpc-1", "Associations": [{"SubnetId": "subnet-1"}],
                          "Routes": [{"DestinationCidrBlock": "10.2.0.0/16", "GatewayId": "local"},
                                     {"DestinationCidrBlock": "10.1.0.0/16", "GatewayId": "vgw-1"},
                                     {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-1"}]}],
        "internet_gateways": [{"InternetGatewayId": "igw-1", "Attachments": [{"VpcId": "vpc-1"}]}],
        "vpn_gateways": [{"VpnGatewayId": "vgw-1", "State": "available",
                          "VpcAttachments": [{"VpcId": "vpc-1", "State": "attached"}]}],
        "customer_gateways": [{"CustomerGatewayId": "cgw-1", "IpAddress": "198.51.100.10"}],
        "vpn_connections": [{"VpnConnectionId": "vpn-1", "State": "available", "VpnGatewayId": "vgw-1",
                             "CustomerGatewayId": "cgw-1",
                             "Options": {"StaticRoutesOnly": True, "TunnelOptions": [
                                 AWS_TUNNEL, dict(AWS_TUNNEL, OutsideIpAddress="203.0.113.2")]},
                             "Routes": [{"DestinationCidrBlock": "10.1.0.0/16", "State": "available"}]}],
        "security_groups": [{"GroupId": "sg-1", "IpPermissions": [], "IpPermissionsEgress": []}],
        "key_pairs": [{"KeyName": "key-1", "PublicKey": "ssh-ed25519 AAAA lab"}],
        "images": [{"ImageId": "ami-1", "Name": "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-1"}],
        "instances": [{"InstanceId": "i-1", "State": {"Name": "running"}, "VpcId": "vpc-1", "SubnetId": "subnet-1",
                       "PrivateIpAddress": "10.2.1.10", "PublicIpAddress": "203.0.113.128", "KeyName": "key-1",
                       "ImageId": "ami-1", "SecurityGroups": [{"GroupId": "sg-1"}],
                       "UserData": base64.b64encode(USER_DATA.encode()).decode()}],
    }
    state.update(change)
    return state


def plane(regions=None, azure=()):
    return dp.design("lab", {"eu-central-1": aws_region()} if regions is None else regions, list(azure),
                     dp.Allocator())


def routes(p, part, table=254):
    return {(r["dst"], r["via"], r["dev"], r["type"]) for r in p.namespaces[ad.netns("lab", *part)]["routes"]
            if r["table"] == table}


def test_the_controller_and_the_internet_go_nowhere_else():
    p = plane({})
    assert sorted(p.namespaces) == [ad.netns("lab", "ctl"), ad.netns("lab", "inet")]
    assert ("0.0.0.0/0", None, None, "unreachable") in routes(p, ["inet"])
    assert [r for r in p.namespaces[ad.netns("lab", "ctl")]["routes"] if r["dst"] == "0.0.0.0/0"][0]["src"] == ad.CONTROLLER_IP


def test_aws_objects_become_namespaces():
    p = plane()
    names = set(p.namespaces) - {ad.netns("lab", "ctl"), ad.netns("lab", "inet")}
    assert names == {ad.netns("lab", "aws", "vpc-1"), ad.netns("lab", "aws", "vgw-1"), ad.netns("lab", "aws", "i-1")}


def test_the_subnets_route_table_is_its_own_table():
    p = plane()
    table = 1000 + p.alloc.index("table", "rtb-1")
    assert routes(p, ["aws", "vpc-1"], table) == {
        ("10.1.0.0/16", "100.65.0.2", None, "unicast"), ("0.0.0.0/0", ad.INTERNET_GATEWAY, "inet0", "unicast")}


def test_a_route_table_without_a_default_route_sends_the_rest_nowhere():
    region = aws_region()
    region["route_tables"][0]["Routes"] = region["route_tables"][0]["Routes"][:2]
    p = plane({"eu-central-1": region})
    table = 1000 + p.alloc.index("table", "rtb-1")
    assert ("0.0.0.0/0", None, None, "unreachable") in routes(p, ["aws", "vpc-1"], table)


def test_the_vgw_routes_only_the_connections_static_routes_into_the_tunnels():
    assert ("10.1.0.0/16", None, "ipsec0", "unicast") in routes(plane(), ["aws", "vgw-1"])
    region = aws_region()
    region["vpn_connections"][0]["Routes"] = []
    assert not any(r[2] == "ipsec0" for r in routes(plane({"eu-central-1": region}), ["aws", "vgw-1"]))


def test_the_vgw_answers_on_both_tunnel_addresses_with_the_connections_options():
    p = plane()
    gateway = p.gateways[ad.netns("lab", "aws", "vgw-1")]
    assert sorted(gateway["conns"]) == ["vpn-1-t1", "vpn-1-t2"]
    assert gateway["conns"]["vpn-1-t2"]["local_addrs"] == ["203.0.113.2"]
    addresses = p.namespaces[ad.netns("lab", "aws", "vgw-1")]["addresses"]["inet0"]
    assert {"203.0.113.1/32", "203.0.113.2/32"} <= set(addresses)
    assert p.feedback["aws"][0]["tunnels"] == [{"outside_ip_address": "203.0.113.1", "conn": "vpn-1-t1"},
                                               {"outside_ip_address": "203.0.113.2", "conn": "vpn-1-t2"}]


@pytest.mark.parametrize("state", ["deleted", "deleting", "pending"])
def test_a_connection_not_available_has_no_endpoints(state):
    region = aws_region()
    region["vpn_connections"][0]["State"] = state
    assert plane({"eu-central-1": region}).gateways[ad.netns("lab", "aws", "vgw-1")]["conns"] == {}


def test_the_instance_is_the_amis_user_with_the_key_pairs_key_and_the_user_datas_tools():
    vm = plane().vms[ad.netns("lab", "aws", "i-1")]
    assert (vm["user"], vm["keys"], vm["hostname"]) == ("ubuntu", ["ssh-ed25519 AAAA lab"], "ip-10-2-1-10")
    assert vm["tools"] == ["iperf3", "mtr", "mtr-packet"]


def test_user_data_without_mtr_leaves_the_vm_without_it():
    region = aws_region()
    region["instances"][0]["UserData"] = base64.b64encode(b"#cloud-config\npackages:\n  - iperf3\n").decode()
    assert plane({"eu-central-1": region}).vms[ad.netns("lab", "aws", "i-1")]["tools"] == ["iperf3"]


def test_public_addresses_are_nat_at_the_internet_gateway():
    p = plane()
    nft = p.namespaces[ad.netns("lab", "aws", "vpc-1")]["nft"]["igw"]
    assert "dnat to 10.2.1.10" in nft
    assert ("203.0.113.128/32", ad.edge_ip(p.alloc.index("edge", "aws-vpc:vpc-1")), None, "unicast") in routes(p, ["inet"])


def test_without_an_internet_gateway_there_is_no_way_in():
    p = plane({"eu-central-1": aws_region(internet_gateways=[])})
    assert "igw" not in p.namespaces[ad.netns("lab", "aws", "vpc-1")]["nft"]
    assert not any(r[0] == "203.0.113.128/32" for r in routes(p, ["inet"]))


# --- Azure --------------------------------------------------------------------------------

SUB = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network"


def res(kind, name, props, **extra):
    return dict({"id": "%s/%s/%s" % (SUB, kind, name), "name": name, "type": "Microsoft.Network/" + kind,
                 "properties": props}, **extra)


def azure(gateway_state="Succeeded", connection_key="Key.one_12345"):
    subnet = {"id": SUB + "/virtualNetworks/vnet/subnets/internal", "properties": {"addressPrefix": "10.1.1.0/24"}}
    gwsub = {"id": SUB + "/virtualNetworks/vnet/subnets/GatewaySubnet", "properties": {"addressPrefix": "10.1.0.0/27"}}
    return [
        res("virtualNetworks", "vnet", {"addressSpace": {"addressPrefixes": ["10.1.0.0/16"]}, "subnets": [subnet, gwsub]}),
        res("publicIPAddresses", "pip-gw", {"ipAddress": "198.51.100.10"}),
        res("publicIPAddresses", "pip-vm1", {"ipAddress": "198.51.100.11"}),
        res("virtualNetworkGateways", "gw", {"provisioningState": gateway_state, "ipConfigurations": [{"properties": {
            "subnet": {"id": gwsub["id"]}, "publicIPAddress": {"id": SUB + "/publicIPAddresses/pip-gw"}}}]}),
        res("localNetworkGateways", "lng1", {
            "gatewayIpAddress": "203.0.113.1", "localNetworkAddressSpace": {"addressPrefixes": ["10.2.0.0/16"]}}),
        res("connections", "con1", {"provisioningState": "Succeeded", "connectionType": "IPsec",
                                    "virtualNetworkGateway1": {"id": SUB + "/virtualNetworkGateways/gw"},
                                    "localNetworkGateway2": {"id": SUB + "/localNetworkGateways/lng1"},
                                    "sharedKey": connection_key, "ipsecPolicies": [POLICY], "dpdTimeoutSeconds": 45}),
        res("networkInterfaces", "nic1", {"ipConfigurations": [{"properties": {
            "subnet": {"id": subnet["id"]}, "privateIPAddress": "10.1.1.10",
            "publicIPAddress": {"id": SUB + "/publicIPAddresses/pip-vm1"}}}]}),
        {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1", "name": "vm1",
         "type": "Microsoft.Compute/virtualMachines", "properties": {
             "provisioningState": "Succeeded", "networkProfile": {"networkInterfaces": [{"id": SUB + "/networkInterfaces/nic1"}]},
             "osProfile": {"computerName": "vm1", "adminUsername": "azureuser",
                           "customData": base64.b64encode(USER_DATA.encode()).decode(),
                           "linuxConfiguration": {"ssh": {"publicKeys": [{"keyData": "ssh-ed25519 BBBB lab"}]}}}}},
    ]


def test_azure_objects_become_namespaces():
    p = plane({}, azure())
    assert {ad.netns("lab", "az", "vnet"), ad.netns("lab", "az", "gw"), ad.netns("lab", "az", "vm1")} <= set(p.namespaces)
    assert p.vms[ad.netns("lab", "az", "vm1")]["user"] == "azureuser"


def test_the_vnet_sends_the_local_network_gateways_prefixes_to_the_gateway():
    p = plane({}, azure())
    assert ("10.2.0.0/16", "10.1.0.4", None, "unicast") in routes(p, ["az", "vnet"])
    assert ("10.2.0.0/16", None, "ipsec0", "unicast") in routes(p, ["az", "gw"])


def test_a_gateway_still_provisioning_has_no_data_plane():
    p = plane({}, azure(gateway_state="Updating"))
    assert ad.netns("lab", "az", "gw") not in p.namespaces
    assert not any(r[0] == "10.2.0.0/16" for r in routes(p, ["az", "vnet"]))


def test_the_azure_gateway_uses_each_connections_own_key():
    one = plane({}, azure()).gateways[ad.netns("lab", "az", "gw")]["secrets"]
    two = plane({}, azure(connection_key="Other.key_2")).gateways[ad.netns("lab", "az", "gw")]["secrets"]
    assert one[0]["data"] == "Key.one_12345" and two[0]["data"] == "Other.key_2"


def test_the_vm_behind_an_nsg_gets_the_virtual_network_tag_with_the_connected_prefixes():
    resources = azure()
    nsg = res("networkSecurityGroups", "nsg", {"securityRules": [], "defaultSecurityRules": [
        {"name": "AllowVnetInBound", "properties": {"priority": 65000, "direction": "Inbound", "access": "Allow",
                                                    "protocol": "*", "sourceAddressPrefix": "VirtualNetwork"}}]})
    resources[-2]["properties"]["networkSecurityGroup"] = {"id": nsg["id"]}
    p = plane({}, resources + [nsg])
    assert "ip saddr { 10.1.0.0/16, 10.2.0.0/16 } return" in p.namespaces[ad.netns("lab", "az", "vm1")]["nft"]["nsg"]


def test_allocations_are_stable_across_designs():
    alloc = dp.Allocator()
    first = dp.design("lab", {"eu-central-1": aws_region()}, azure(), alloc)
    again = dp.design("lab", {"eu-central-1": aws_region()}, azure(), dp.Allocator(copy.deepcopy(alloc.state)))
    assert first.namespaces == again.namespaces


@pytest.mark.parametrize("text, packages", [
    (USER_DATA, ["mtr-tiny", "iputils-ping", "iperf3"]),
    ("#!/bin/sh\napt-get install -y mtr-tiny\n", []),
    ("#cloud-config\npackages: [iperf3, [mtr-tiny, 0.95-1]]\n", ["iperf3", "mtr-tiny"]),
    ("#cloud-config\npackages: [iperf3\n", []),
    ("", []),
])
def test_cloud_config_packages(text, packages):
    assert dp.cloud_config_packages(text) == packages

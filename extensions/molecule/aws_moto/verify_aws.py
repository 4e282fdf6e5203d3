# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Verify the AWS half of the lab with boto3's describe calls (not with the modules' results).

Usage: verify_aws.py ENDPOINT LAB STATE_DIR
Prints one line per check and exits 1 when any fails. What moto cannot show (tunnel options,
static routes, telemetry) is printed as "moto gap", not checked: the Stubber tests prove it.
"""

from __future__ import annotations

import json
import os
import stat
import sys

import boto3

REGION = "eu-central-1"
ADMIN, VNET, VPC, SUBNET = "198.18.7.0/24", "10.1.0.0/16", "10.2.0.0/16", "10.2.1.0/24"
NEWEST_UBUNTU = "ami-07eef52105e8a2059"  # tests/moto/amis.json
FAILED = []


def check(what, ok, detail=""):
    print("%s %s%s" % ("ok  " if ok else "FAIL", what, (": %s" % detail) if detail and not ok else ""))
    if not ok:
        FAILED.append(what)


def tags(resource):
    return {t["Key"]: t["Value"] for t in resource.get("Tags") or ()}


def lab_filters(lab):
    return [{"Name": "tag:vpnlab", "Values": [lab]}, {"Name": "tag:managed_by", "Values": ["multicloud.vpnlab"]}]


def one(items, what):
    check("one %s" % what, len(items) == 1, "found %d" % len(items))
    return items[0] if items else {}


def verify_network(ec2, lab):
    vpc = one(ec2.describe_vpcs(Filters=lab_filters(lab))["Vpcs"], "VPC")
    vpc_id = vpc.get("VpcId")
    check("VPC CIDR", vpc.get("CidrBlock") == VPC, vpc.get("CidrBlock"))
    check("VPC tags", tags(vpc).get("Name") == "%s-vpc" % lab and tags(vpc).get("owner") and tags(vpc).get("expires"), tags(vpc))
    hostnames = ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute="enableDnsHostnames")["EnableDnsHostnames"]["Value"]
    check("VPC DNS host names on", hostnames is True)
    subnet = one(ec2.describe_subnets(Filters=lab_filters(lab))["Subnets"], "subnet")
    check("subnet in the VPC", (subnet.get("VpcId"), subnet.get("CidrBlock")) == (vpc_id, SUBNET), subnet)
    igw = one(ec2.describe_internet_gateways(Filters=lab_filters(lab))["InternetGateways"], "internet gateway")
    check("internet gateway attached", [a["VpcId"] for a in igw.get("Attachments", [])] == [vpc_id], igw.get("Attachments"))
    vgws = [g for g in ec2.describe_vpn_gateways(Filters=lab_filters(lab))["VpnGateways"] if g["State"] != "deleted"]
    vgw = one(vgws, "VGW")
    attached = [a["VpcId"] for a in vgw.get("VpcAttachments", []) if a["State"] == "attached"]
    check("VGW attached to the VPC", attached == [vpc_id], vgw.get("VpcAttachments"))
    rt = one(ec2.describe_route_tables(Filters=lab_filters(lab))["RouteTables"], "route table")
    routes = {r.get("DestinationCidrBlock"): r.get("GatewayId") for r in rt.get("Routes", [])}
    check("route Azure VNet -> VGW", routes.get(VNET) == vgw.get("VpnGatewayId"), routes)
    check("route 0.0.0.0/0 -> internet gateway", routes.get("0.0.0.0/0") == igw.get("InternetGatewayId"), routes)
    check("route table on the subnet", [a.get("SubnetId") for a in rt.get("Associations", [])] == [subnet.get("SubnetId")])
    verify_security_group(ec2, lab, vpc_id)
    return vgw


def ingress(group):
    return sorted((p["IpProtocol"], p.get("FromPort"), p.get("ToPort"), r["CidrIp"])
                  for p in group.get("IpPermissions", []) for r in p.get("IpRanges", []))


def verify_security_group(ec2, lab, vpc_id):
    groups = {g["GroupName"]: g for g in ec2.describe_security_groups(Filters=lab_filters(lab))["SecurityGroups"]}
    check("two security groups: the lab's and the peer group", sorted(groups) == ["%s-peers-sg" % lab, "%s-sg" % lab],
          sorted(groups))
    sg, peers = groups.get("%s-sg" % lab, {}), groups.get("%s-peers-sg" % lab, {})
    check("security groups in the VPC", (sg.get("VpcId"), peers.get("VpcId")) == (vpc_id, vpc_id))
    rules = ingress(sg)
    expected = sorted([("tcp", 22, 22, ADMIN), ("tcp", 22, 22, VNET), ("icmp", -1, -1, ADMIN), ("icmp", -1, -1, VNET),
                       ("tcp", 5201, 5201, VNET)])
    check("ingress: SSH and ICMP from the admins and the Azure VNet, iperf3 (5201) from the Azure VNet only",
          rules == expected, rules)
    # One AWS VM and no Azure VM here: no VM probes vm3's public address, so nothing is admitted.
    check("peer group: no ingress (no other VM probes vm3's public IP)", ingress(peers) == [], ingress(peers))
    check("peer group tagged", tags(peers).get("Name") == "%s-peers-sg" % lab and tags(peers).get("expires"), tags(peers))
    check("no ingress open to 0.0.0.0/0", all(r[3] != "0.0.0.0/0" for r in rules + ingress(peers)), rules)


def verify_vpn(ec2, lab, vgw):
    cgws = [g for g in ec2.describe_customer_gateways(Filters=lab_filters(lab))["CustomerGateways"] if g["State"] != "deleted"]
    cgw = one(cgws, "customer gateway")
    check("customer gateway on the Azure gateway's IP, ASN 65034",
          (cgw.get("IpAddress"), str(cgw.get("BgpAsn"))) == ("198.51.100.10", "65034"), cgw)
    vpns = [v for v in ec2.describe_vpn_connections(Filters=lab_filters(lab))["VpnConnections"] if v["State"] != "deleted"]
    vpn = one(vpns, "VPN connection")
    check("VPN connection joins the customer gateway and the VGW",
          (vpn.get("CustomerGatewayId"), vpn.get("VpnGatewayId")) == (cgw.get("CustomerGatewayId"), vgw.get("VpnGatewayId")))
    check("VPN connection available", vpn.get("State") == "available", vpn.get("State"))
    check("VPN connection named", tags(vpn).get("Name") == "%s-vpn" % lab, tags(vpn))
    print("moto gap: the VPN connection has %s TunnelOptions, %d static routes and %d telemetry entries "
          "(moto drops them; Stubber tests cover the requests)" % (
              "no" if not (vpn.get("Options") or {}).get("TunnelOptions") else "some", len(vpn.get("Routes") or []),
              len(vpn.get("VgwTelemetry") or [])))


def verify_vms(ec2, lab, state_dir):
    reservations = ec2.describe_instances(Filters=lab_filters(lab) + [{"Name": "instance-state-name", "Values": ["running"]}])
    instance = one([i for r in reservations["Reservations"] for i in r["Instances"]], "running instance")
    check("vm3 on its planned private IP", instance.get("PrivateIpAddress") == "10.2.1.10", instance.get("PrivateIpAddress"))
    check("vm3 has a public IP", bool(instance.get("PublicIpAddress")))
    check("vm3 is a t3.micro", instance.get("InstanceType") == "t3.micro", instance.get("InstanceType"))
    check("vm3 runs the newest Ubuntu 24.04 by Canonical", instance.get("ImageId") == NEWEST_UBUNTU, instance.get("ImageId"))
    check("vm3 tags", (tags(instance).get("Name"), tags(instance).get("vpnlab_vm")) == ("%s-vm3" % lab, "vm3"), tags(instance))
    check("vm3 uses the lab's key pair", instance.get("KeyName") == "%s-key" % lab, instance.get("KeyName"))
    check("vm3 is in both of the lab's security groups",
          sorted(g["GroupName"] for g in instance.get("SecurityGroups", [])) == ["%s-peers-sg" % lab, "%s-sg" % lab],
          instance.get("SecurityGroups"))
    keys = ec2.describe_key_pairs(Filters=lab_filters(lab))["KeyPairs"]
    check("the lab's key pair is tagged", [k["KeyName"] for k in keys] == ["%s-key" % lab], keys)
    with open(os.path.join(state_dir, "vms.json"), encoding="utf-8") as handle:
        listed = json.load(handle)
    check("vms.json lists vm3 with moto's addresses",
          [(v["name"], v["private_ip"], v["public_ip"]) for v in listed["vms"]]
          == [("vm3", "10.2.1.10", instance.get("PublicIpAddress"))], listed["vms"])


def verify_secrets(state_dir):
    path = os.path.join(state_dir, "cloud", "aws-tunnel-psks.json")
    mode = stat.S_IMODE(os.stat(path).st_mode)
    check("tunnel keys stored 0600", mode == 0o600, oct(mode))
    with open(path, encoding="utf-8") as handle:
        keys = json.load(handle)["pre_shared_keys"]
    check("two different tunnel keys", sorted(keys) == ["tunnel1", "tunnel2"] and keys["tunnel1"] != keys["tunnel2"])


def main(endpoint, lab, state_dir):
    ec2 = boto3.client("ec2", region_name=REGION, endpoint_url=endpoint)
    vgw = verify_network(ec2, lab)
    verify_vpn(ec2, lab, vgw)
    verify_vms(ec2, lab, state_dir)
    verify_secrets(state_dir)
    print("%d check(s) failed: %s" % (len(FAILED), ", ".join(FAILED)) if FAILED else "all checks passed")
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))

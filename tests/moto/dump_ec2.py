# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Print, as JSON, every EC2 resource an endpoint holds (ids by kind, with tags and states; an
instance's public IP and security groups, a gateway's BGP ASN too), and every security group rule: what the
integration tests compare before and after a run.

Usage: dump_ec2.py ENDPOINT [REGION]
"""

from __future__ import annotations

import json
import sys

import boto3

CALLS = {
    "vpcs": ("describe_vpcs", "Vpcs", "VpcId"),
    "subnets": ("describe_subnets", "Subnets", "SubnetId"),
    "internet_gateways": ("describe_internet_gateways", "InternetGateways", "InternetGatewayId"),
    "route_tables": ("describe_route_tables", "RouteTables", "RouteTableId"),
    "security_groups": ("describe_security_groups", "SecurityGroups", "GroupId"),
    "vpn_gateways": ("describe_vpn_gateways", "VpnGateways", "VpnGatewayId"),
    "customer_gateways": ("describe_customer_gateways", "CustomerGateways", "CustomerGatewayId"),
    "vpn_connections": ("describe_vpn_connections", "VpnConnections", "VpnConnectionId"),
    "key_pairs": ("describe_key_pairs", "KeyPairs", "KeyPairId"),
}


def state(item):
    value = item.get("State")
    return value.get("Name") if isinstance(value, dict) else value


def asn(item):
    """A gateway's BGP ASN (VGW: AmazonSideAsn; customer gateway: BgpAsn or BgpAsnExtended)."""
    for key in ("AmazonSideAsn", "BgpAsnExtended", "BgpAsn"):
        if item.get(key) is not None:
            return {"asn": str(item[key])}
    return {}


def dump(endpoint, region="eu-central-1"):
    ec2 = boto3.client("ec2", region_name=region, endpoint_url=endpoint)
    found = {}
    for kind, (operation, key, id_key) in CALLS.items():
        found[kind] = sorted((dict({"id": item[id_key], "state": state(item),
                                    "tags": {t["Key"]: t["Value"] for t in item.get("Tags") or ()}}, **asn(item))
                              for item in getattr(ec2, operation)()[key]), key=lambda x: x["id"])
    found["instances"] = sorted(({"id": i["InstanceId"], "state": state(i),
                                  "tags": {t["Key"]: t["Value"] for t in i.get("Tags") or ()},
                                  "public_ip": i.get("PublicIpAddress"),
                                  "groups": sorted(g["GroupName"] for g in i.get("SecurityGroups") or ())}
                                 for r in ec2.describe_instances()["Reservations"] for i in r["Instances"]),
                                key=lambda x: x["id"])
    found["ingress"] = sorted({"%s %s:%s->%s %s" % (g["GroupName"], p["IpProtocol"], p.get("FromPort"), p.get("ToPort"), r["CidrIp"])
                               for g in ec2.describe_security_groups()["SecurityGroups"]
                               for p in g.get("IpPermissions", []) for r in p.get("IpRanges", [])})
    return found


if __name__ == "__main__":
    json.dump(dump(*sys.argv[1:3]), sys.stdout, indent=1, sort_keys=True)

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Print, as JSON, the describe answers the BGP design's AWS test reads (raw, as boto3 returns
them): customer gateways, VPN connections, VGWs, route tables. Usage: dump.py ENDPOINT"""

from __future__ import annotations

import json
import sys

import boto3

CALLS = {"CustomerGateways": "describe_customer_gateways", "VpnConnections": "describe_vpn_connections",
         "VpnGateways": "describe_vpn_gateways", "RouteTables": "describe_route_tables"}


def main():
    ec2 = boto3.client("ec2", endpoint_url=sys.argv[1])
    print(json.dumps({key: getattr(ec2, call)()[key] for key, call in CALLS.items()}, default=str))


if __name__ == "__main__":
    main()

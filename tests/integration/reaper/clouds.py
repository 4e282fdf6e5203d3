# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run inside a rehearsal (python -m tests.rehearsal run): `seed` makes two labs' worth of tagged
resources in both doubles (a VPC in AWS, a resource group in Azure), one lab expired and one not;
`list` prints {lab: [what is left]} as JSON, by the same tags."""

from __future__ import annotations

import json
import os
import sys

import boto3
from azure.identity import ClientSecretCredential
from azure.mgmt.resource import ResourceManagementClient

LABS = {"oldlab": "2026-11-01", "newlab": "2099-01-01"}


def tags(lab, expires):
    return {"vpnlab": lab, "managed_by": "multicloud.vpnlab", "expires": expires, "owner": "student",
            "environment": "dev"}


def azure():
    credential = ClientSecretCredential(os.environ["AZURE_TENANT"], os.environ["AZURE_CLIENT_ID"],
                                        os.environ["AZURE_SECRET"])
    return ResourceManagementClient(credential, os.environ["AZURE_SUBSCRIPTION_ID"])


def seed():
    ec2, rm = boto3.client("ec2"), azure()
    for lab, expires in LABS.items():
        aws_tags = [{"Key": k, "Value": v} for k, v in dict(tags(lab, expires), Name=lab + "-vpc").items()]
        ec2.create_vpc(CidrBlock="10.2.0.0/16", TagSpecifications=[{"ResourceType": "vpc", "Tags": aws_tags}])
        rm.resource_groups.create_or_update("rg-euwe-dev-student-" + lab,
                                            {"location": "westeurope", "tags": tags(lab, expires)})


def listing():
    left = {lab: [] for lab in LABS}
    for vpc in boto3.client("ec2").describe_vpcs()["Vpcs"]:
        lab = {t["Key"]: t["Value"] for t in vpc.get("Tags", [])}.get("vpnlab")
        if lab in left:
            left[lab].append("aws vpc")
    for group in azure().resource_groups.list():
        lab = (group.tags or {}).get("vpnlab")
        if lab in left:
            left[lab].append("azure resource_group " + group.name)
    print(json.dumps(left))


if __name__ == "__main__":
    seed() if sys.argv[1] == "seed" else listing()

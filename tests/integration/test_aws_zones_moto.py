# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AWS subnet's availability zone is checked for the VMs' instance type before anything is
created (aws_vpc_vpn on moto, in a loopback-only namespace): a zone that does not offer it stops
the build naming the zones that do, with nothing created; without a zone, one that offers it is
chosen for the subnet. moto, like AWS, does not offer t3.micro in us-east-1e."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from moto_netns import run_with_moto

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
STEPS = r"""
set -u
out=$1; shift
"$BIN/ansible-playbook" "$ROOT/tests/integration/aws_zones/network.yml" -e "@$out/lab.json" \
    -e "vpnlab_aws_endpoint_url=$MOTO_ENDPOINT" "$@" > "$out/build.log" 2>&1
echo $? > "$out/build.rc"
"$BIN/python" "$ROOT/tests/moto/dump_ec2.py" "$MOTO_ENDPOINT" us-east-1 > "$out/ec2.json"
"$BIN/python" -c "import boto3, json, os; print(json.dumps([[s['AvailabilityZone'], {t['Key']: t['Value'] for t in s.get('Tags') or ()}] \
for s in boto3.client('ec2', region_name='us-east-1', endpoint_url=os.environ['MOTO_ENDPOINT']).describe_subnets()['Subnets']]))" \
    > "$out/subnets.json"
"""


def build(tmp_path, *extra):
    inputs = {"vpnlab_name": "awszone", "vpnlab_target": "cloud", "vpnlab_aws_region": "us-east-1",
              "vpnlab_azure_gateway_public_ip": "198.51.100.10", "vpnlab_admin_cidrs": ["198.18.7.0/24"]}
    (tmp_path / "lab.json").write_text(json.dumps(inputs))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ANSIBLE_", "VPNLAB_"))}
    env.update(BIN=str(BIN), ROOT=str(ROOT), VPNLAB_HOME=str(tmp_path / "home"),
               ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1",
               PATH="%s:%s" % (BIN, os.environ["PATH"]), AWS_ACCESS_KEY_ID="AKIAVPNLABMOTO000000",
               AWS_SECRET_ACCESS_KEY="vpnlab-moto-secret", AWS_DEFAULT_REGION="us-east-1",
               AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
    proc = run_with_moto(["sh", "-c", STEPS, "steps", str(tmp_path), *extra], env=env, cwd=ROOT, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    log = (tmp_path / "build.log").read_text()
    ec2 = json.loads((tmp_path / "ec2.json").read_text())
    ec2["subnet_zones"] = [zone for zone, tags in json.loads((tmp_path / "subnets.json").read_text())
                           if tags.get("vpnlab") == "awszone"]
    return int((tmp_path / "build.rc").read_text()), log, ec2


def test_a_zone_without_the_instance_type_stops_the_build_before_anything_is_created(tmp_path):
    rc, log, ec2 = build(tmp_path, "-e", "aws_vpc_vpn_availability_zone=us-east-1e")
    assert rc != 0, log
    assert ("t3.micro is not offered in us-east-1e; zones that offer it: us-east-1a, us-east-1b, "
            "us-east-1c, us-east-1d, us-east-1f") in " ".join(log.split()), log
    assert not [r for kind in ("vpcs", "subnets", "customer_gateways", "vpn_gateways", "vpn_connections")
                for r in ec2.get(kind, []) if r.get("tags", {}).get("vpnlab") == "awszone"], ec2


def test_without_a_zone_the_subnet_goes_where_the_instance_type_is_offered(tmp_path):
    rc, log, ec2 = build(tmp_path, "-e", "aws_vpc_vpn_instance_type=p4d.24xlarge")
    assert rc == 0, log
    # moto offers p4d.24xlarge in us-east-1a-d only; the first in name order is chosen
    assert ec2["subnet_zones"] == ["us-east-1a"], ec2

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The BGP design's AWS side (issue 16) through the aws_vpc_vpn role, on the AWS EC2 TEST DOUBLE
(moto extended: dynamic VPN connections keep their options, route propagation exists), in a
loopback-only namespace: one customer gateway per Azure gateway instance with the Azure ASN, one
dynamic VPN connection on each with the planned inside /30s, no static route to the Azure VNet
and route propagation on the VPC route table instead; a re-run changes nothing; teardown twice
leaves nothing. The Azure side's hand-off (its two public IPs) is written by the test playbook."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from moto_netns import netns_available  # noqa: E402  pylint: disable=wrong-import-position

AZURE_IPS = ["198.51.100.21", "198.51.100.22"]
STEPS = r"""
set -u
out=$1; shift
pb() { name=$1; shift; "$BIN/ansible-playbook" "$@" -e "@$out/lab.json" -e "vpnlab_aws_endpoint_url=$AWS_ENDPOINT_URL" \
       > "$out/$name.log" 2>&1; echo $? > "$out/$name.rc"; }
dump() { "$BIN/python" "$ROOT/tests/integration/aws_bgp/dump.py" "$AWS_ENDPOINT_URL" > "$out/$1.json"; }
for step in "$@"; do
  case $step in
    dump-*) dump "${step#dump-}" ;;
    build) pb build "$ROOT/tests/integration/aws_bgp/build.yml" ;;
    rebuild) pb rebuild "$ROOT/tests/integration/aws_bgp/build.yml" ;;
    teardown*) pb "$step" "$ROOT/playbooks/teardown.yml" -e '{"teardown_clouds": ["aws"]}' ;;
  esac
done
"""


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    if not netns_available():
        pytest.skip("needs root and unshare --net for a loopback-only network namespace")
    out = tmp_path_factory.mktemp("aws-bgp")
    home = out / "home"
    inputs = {"vpnlab_name": "awsbgp", "vpnlab_target": "cloud", "vpnlab_routing": "bgp",
              "vpnlab_admin_cidrs": ["198.18.7.0/24"], "aws_bgp_azure_ips": AZURE_IPS}
    (out / "lab.json").write_text(json.dumps(inputs))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ANSIBLE_", "VPNLAB_"))}
    env.update(BIN=str(BIN), ROOT=str(ROOT), VPNLAB_HOME=str(home), ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_NOCOLOR="1", PATH="%s:%s" % (BIN, os.environ["PATH"]), PYTHONPATH=str(ROOT),
               AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null",
               MOTO_AMIS_PATH=str(ROOT / "tests" / "moto" / "amis.json"))
    steps = ["build", "dump-built", "rebuild", "teardown", "dump-after", "teardown2"]
    proc = subprocess.run([str(BIN / "python"), "-m", "tests.aws_double.isolated", "--pending-seconds", "0",
                           "--consistency-share", "0", "--", "sh", "-c", STEPS, "steps", str(out), *steps],
                          env=env, cwd=ROOT, capture_output=True, text=True, timeout=1200, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


def rc(out, name):
    return int((out / (name + ".rc")).read_text())


def log(out, name):
    return (out / (name + ".log")).read_text()


def test_two_customer_gateways_two_dynamic_connections_and_route_propagation(lab):
    assert rc(lab, "build") == 0, log(lab, "build")[-4000:]
    ec2 = json.loads((lab / "built.json").read_text())
    cgws = sorted((c["IpAddress"], int(c["BgpAsn"]), c["Tags"]) for c in ec2["CustomerGateways"]
                  if c["State"] == "available")
    assert [(ip, asn) for ip, asn, dummy in cgws] == [(AZURE_IPS[0], 65515), (AZURE_IPS[1], 65515)]
    vpns = [v for v in ec2["VpnConnections"] if v["State"] != "deleted"]
    assert len(vpns) == 2
    by_cgw = {c["CustomerGatewayId"]: c["IpAddress"] for c in ec2["CustomerGateways"]}
    inside = {}
    for vpn in vpns:
        assert vpn["Options"]["StaticRoutesOnly"] is False
        assert vpn.get("Routes", []) == []
        inside[by_cgw[vpn["CustomerGatewayId"]]] = [t["TunnelInsideCidr"] for t in vpn["Options"]["TunnelOptions"]]
    assert inside == {AZURE_IPS[0]: ["169.254.21.0/30", "169.254.22.0/30"],
                      AZURE_IPS[1]: ["169.254.21.4/30", "169.254.22.4/30"]}
    named = {t["RouteTableId"]: {tag["Key"]: tag["Value"] for tag in t.get("Tags", [])}.get("Name") for t in ec2["RouteTables"]}
    (table,) = [t for t in ec2["RouteTables"] if named[t["RouteTableId"]] == "awsbgp-rt"]
    (vgw,) = [g["VpnGatewayId"] for g in ec2["VpnGateways"] if g["State"] == "available"]
    assert [g["GatewayId"] for g in table["PropagatingVgws"]] == [vgw]
    # No route typed to the Azure VNet: the VGW propagates what BGP learns.
    assert [r["DestinationCidrBlock"] for r in table["Routes"] if r.get("GatewayId") == vgw] == []


def test_a_rerun_changes_nothing(lab):
    assert rc(lab, "rebuild") == 0, log(lab, "rebuild")[-4000:]
    recap = [line for line in log(lab, "rebuild").splitlines() if line.startswith("localhost")]
    assert recap and "changed=0" in recap[-1], recap


def test_teardown_twice_leaves_nothing(lab):
    assert rc(lab, "teardown") == 0, log(lab, "teardown")[-4000:]
    assert rc(lab, "teardown2") == 0, log(lab, "teardown2")[-4000:]
    ec2 = json.loads((lab / "after.json").read_text())
    assert [c for c in ec2["CustomerGateways"] if c["State"] != "deleted"] == []
    assert [v for v in ec2["VpnConnections"] if v["State"] != "deleted"] == []
    assert [g for g in ec2["VpnGateways"] if g["State"] != "deleted"] == []

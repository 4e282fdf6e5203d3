# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cloud target's AWS half alone (site.yml with vpnlab_azure_gateway_public_ip standing in for the
Azure gateway) through ansible-playbook on moto, in a loopback-only namespace.

One moto per build; each build runs a short sequence of real playbook runs (moto's state lives
only as long as its server) and writes every output and EC2 dump to files, which the tests then
read. Tests that only read a build share it: one with two AWS VMs and a customer gateway left
untagged (keys, inventory, security groups, the rebuild, adoption, teardown), one with the admin
rule open to the world and other ASNs:

- a dry run (--check) of a new lab creates nothing (EC2 before and after, the state directory);
- the build at -vvv, with one key given and one generated, prints neither key; the keys are kept
  0600; the inventory lists the VM with the address EC2 has now, not a stale one from vms.json;
  the security group opens nothing to 0.0.0.0/0; teardown leaves nothing;
- with vpnlab_allow_open_admin the 0.0.0.0/0 rule is there (the guard above can fail);
- with two AWS VMs, the security groups admit exactly the probes between them (ICMP between
  their private and their public addresses, iperf3 through the tunnel from the Azure VNet), a
  second build changes nothing, and teardown removes both groups;
- a customer gateway an earlier build created and could not tag (only its Name, on the lab's
  address and ASN) is adopted by the build, not refused as foreign, and teardown removes it;
- the VGW and the customer gateway carry the plan's ASNs;
- admin CIDRs wider than the rule and a reserved ASN are refused before any AWS call.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest

from moto_netns import run_with_moto

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
USER_PSK = "UserGiven.Aws_Key_4711"
STEPS = r"""
set -u
out=$1; shift
pb() { name=$1; shift; "$BIN/ansible-playbook" "$@" -e "@$out/lab.json" -e "vpnlab_aws_endpoint_url=$MOTO_ENDPOINT" \
       > "$out/$name.log" 2>&1; echo $? > "$out/$name.rc"; }
dump() { "$BIN/python" "$ROOT/tests/moto/dump_ec2.py" "$MOTO_ENDPOINT" > "$out/$1.json"; }
for step in "$@"; do
  case $step in
    dump-*) dump "${step#dump-}" ;;
    check) pb check "$ROOT/playbooks/site.yml" --check ;;
    build) pb build "$ROOT/playbooks/site.yml" -vvv ;;
    rebuild) pb rebuild "$ROOT/playbooks/site.yml" ;;
    stale) cp "$VPNLAB_HOME/awsit/vms.json" "$out/vms-fresh.json"
           "$BIN/python" -c "import json,sys; p=sys.argv[1]; d=json.load(open(p)); d['vms'][0]['public_ip']='192.0.2.250'; \
d['vms'][0]['connection']['ansible_host']='192.0.2.250'; json.dump(d, open(p, 'w'))" "$VPNLAB_HOME/awsit/vms.json" ;;
    inventory) "$BIN/ansible-inventory" -i "$ROOT/extensions/molecule/aws_moto/inventory/vpnlab.yml" --list \
               > "$out/inventory.json" 2> "$out/inventory.err" ;;
    keys) cp "$VPNLAB_HOME/awsit/cloud/aws-tunnel-psks.json" "$out/keys.json"
          stat -c %a "$VPNLAB_HOME/awsit/cloud/aws-tunnel-psks.json" > "$out/keys.mode" ;;
    teardown) pb teardown "$ROOT/playbooks/teardown.yml" ;;
    untagged-cgw) "$BIN/python" -c "import boto3, json, os; print(json.dumps(boto3.client('ec2', endpoint_url=os.environ['MOTO_ENDPOINT'])\
.create_customer_gateway(BgpAsn=65034, PublicIp='198.51.100.10', Type='ipsec.1', TagSpecifications=[{'ResourceType': \
'customer-gateway', 'Tags': [{'Key': 'Name', 'Value': 'awsit-cgw-azure'}]}])['CustomerGateway']))" > "$out/cgw.json" ;;
  esac
done
"""


def run_steps(tmp_path, *steps, **lab):
    home = tmp_path / "home"
    inputs = {"vpnlab_name": "awsit", "vpnlab_target": "cloud", "vpnlab_azure_gateway_public_ip": "198.51.100.10",
              "vpnlab_admin_cidrs": ["198.18.7.0/24"], "vpnlab_tunnel_psks": [USER_PSK, ""]}
    inputs.update(lab)
    (tmp_path / "lab.json").write_text(json.dumps(inputs))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ANSIBLE_", "VPNLAB_"))}
    env.update(BIN=str(BIN), ROOT=str(ROOT), VPNLAB_HOME=str(home), ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_NOCOLOR="1", PATH="%s:%s" % (BIN, os.environ["PATH"]),
               AWS_ACCESS_KEY_ID="AKIAVPNLABMOTO000000", AWS_SECRET_ACCESS_KEY="vpnlab-moto-secret",
               AWS_DEFAULT_REGION="eu-central-1", AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null",
               MOTO_AMIS_PATH=str(ROOT / "tests" / "moto" / "amis.json"), MOTO_ENABLE_AMI_VALIDATION="true")
    proc = run_with_moto(["sh", "-c", STEPS, "steps", str(tmp_path), *steps], env=env, cwd=ROOT, timeout=1200)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return home / "awsit"


def unwrap(value):
    """ansible-inventory marks inventory strings unsafe ({"__ansible_unsafe": "..."}): plain values."""
    if isinstance(value, dict):
        return value["__ansible_unsafe"] if set(value) == {"__ansible_unsafe"} else {k: unwrap(v) for k, v in value.items()}
    return value


def rc(tmp_path, name):
    return int((tmp_path / ("%s.rc" % name)).read_text())


def log(tmp_path, name):
    return (tmp_path / ("%s.log" % name)).read_text()


def dumped(tmp_path, name):
    return json.loads((tmp_path / ("%s.json" % name)).read_text())


def test_check_mode_on_a_new_lab_creates_nothing(tmp_path):
    state_dir = run_steps(tmp_path, "dump-before", "check", "dump-after")
    assert rc(tmp_path, "check") == 0, log(tmp_path, "check")[-3000:]
    assert dumped(tmp_path, "after") == dumped(tmp_path, "before")
    assert not state_dir.exists()


TWO_AWS_VMS = [{"name": "vm1", "cloud": "azure", "private_ip": "10.1.1.10"},
               {"name": "vm3", "cloud": "aws", "private_ip": "10.2.1.10"},
               {"name": "vm4", "cloud": "aws", "private_ip": "10.2.1.11"}]


@pytest.fixture(scope="module")
def two_vms(tmp_path_factory):
    """One build read by three tests: two AWS VMs, one key given and one generated, a customer
    gateway an earlier build left untagged; built at -vvv, rebuilt, the keys file read, vms.json
    made stale before the inventory reads it, torn down."""
    out = tmp_path_factory.mktemp("two-vms")
    state_dir = run_steps(out, "untagged-cgw", "build", "rebuild", "keys", "dump-built", "stale", "inventory",
                          "teardown", "dump-down", vpnlab_vms=TWO_AWS_VMS)
    return out, state_dir


def test_build_hides_the_keys_lists_the_vm_and_tears_down(two_vms):
    tmp_path, state_dir = two_vms
    out = log(tmp_path, "build")
    assert rc(tmp_path, "build") == 0, out[-3000:]
    keys = json.loads((tmp_path / "keys.json").read_text())["pre_shared_keys"]
    assert keys["tunnel1"] == USER_PSK and keys["tunnel2"] != USER_PSK
    assert (tmp_path / "keys.mode").read_text().strip() == "600"
    for key in keys.values():
        assert key not in out
    assert "censored" in out and "aws_vpn_connection" in out
    # The end of a cloud build says how to tear it down (it is billed until then).
    assert "ansible-playbook playbooks/teardown.yml -e vpnlab_target=cloud -e vpnlab_name=awsit" in " ".join(out.split())
    built = dumped(tmp_path, "built")
    assert not [rule for rule in built["ingress"] if rule.endswith(" 0.0.0.0/0")], built["ingress"]
    assert "awsit-sg tcp:22->22 198.18.7.0/24" in built["ingress"]
    [instance] = [i for i in built["instances"] if i["tags"].get("vpnlab") == "awsit" and i["tags"].get("vpnlab_vm") == "vm3"]
    assert json.loads((tmp_path / "vms-fresh.json").read_text())["vms"][0]["name"] == "vm3"  # the stale one below
    hostvars = unwrap(json.loads((tmp_path / "inventory.json").read_text())["_meta"]["hostvars"]["awsit-vm3"])
    assert hostvars["private_ip"] == "10.2.1.10"
    assert hostvars["public_ip"] not in ("192.0.2.250", None)  # EC2's address, not the stale one
    assert rc(tmp_path, "teardown") == 0, log(tmp_path, "teardown")[-3000:]
    down = dumped(tmp_path, "down")
    left = [(kind, item["id"], item["state"]) for kind, items in down.items() if kind != "ingress" for item in items
            if item.get("tags", {}).get("vpnlab") == "awsit" and item["state"] not in ("deleted", "terminated")]
    assert left == []
    assert instance["id"] in [i["id"] for i in down["instances"] if i["state"] == "terminated"]
    assert not (state_dir / "cloud").exists()


@pytest.fixture(scope="module")
def open_admin_and_asns(tmp_path_factory):
    """One build read by two tests: admin open to the world (allowed) and the plan's ASNs."""
    out = tmp_path_factory.mktemp("open-asns")
    run_steps(out, "build", "dump-built", vpnlab_admin_cidrs=["0.0.0.0/0"], vpnlab_allow_open_admin=True,
              vpnlab_aws_customer_gateway_asn=65100, vpnlab_aws_vpn_gateway_asn=65001)
    assert rc(out, "build") == 0, log(out, "build")[-3000:]
    return dumped(out, "built")


def test_open_admin_only_when_allowed(open_admin_and_asns):
    assert "awsit-sg tcp:22->22 0.0.0.0/0" in open_admin_and_asns["ingress"]


def test_the_gateways_get_the_plans_asns(open_admin_and_asns):
    """The VGW is created with vpnlab_aws_vpn_gateway_asn and the customer gateway with
    vpnlab_aws_customer_gateway_asn. (BgpAsnExtended, which moto ignores, is proven by the
    Stubber tests of aws_customer_gateway.)"""
    built = open_admin_and_asns
    assert [g["asn"] for g in built["vpn_gateways"] if g["tags"].get("vpnlab") == "awsit"] == ["65001"]
    assert [g["asn"] for g in built["customer_gateways"] if g["tags"].get("vpnlab") == "awsit"] == ["65100"]


def test_a_refused_input_creates_nothing_on_the_cloud(tmp_path):
    """Admin CIDRs wider than the rule and a reserved ASN are refused by the plan, before any
    AWS call: rc != 0, every problem named, no traceback, EC2 and the state directory unchanged."""
    state_dir = run_steps(tmp_path, "dump-before", "build", "dump-after",
                          vpnlab_admin_cidrs=["1.0.0.0/8", "3.0.0.0/8"], vpnlab_aws_customer_gateway_asn=7224)
    out = log(tmp_path, "build")
    assert rc(tmp_path, "build") != 0
    assert "vpnlab_admin_cidrs=['1.0.0.0/8', '3.0.0.0/8']: together admit 33,554,432 addresses" in out
    assert "vpnlab_aws_customer_gateway_asn=7224: 7224 is reserved by AWS" in out
    assert "Traceback" not in out
    assert dumped(tmp_path, "after") == dumped(tmp_path, "before")
    assert not state_dir.exists()


def test_a_build_that_fails_halfway_says_how_to_tear_down(tmp_path):
    """A cloud build that stops after it began creating (here: an instance type no zone offers,
    found in the AWS role) says how to remove what it made, then fails."""
    run_steps(tmp_path, "build", test_vms_aws_instance_type="t9.nonexistent")
    out = " ".join(log(tmp_path, "build").split())
    assert rc(tmp_path, "build") != 0 and "Traceback" not in out
    assert "t9.nonexistent" in out
    assert "is billed until it is torn down" in out
    assert "ansible-playbook playbooks/teardown.yml -e vpnlab_target=cloud -e vpnlab_name=awsit" in out
    assert "rescued=1" in out


def test_two_aws_vms_may_probe_each_other_and_a_rebuild_changes_nothing(two_vms):
    tmp_path = two_vms[0]
    assert rc(tmp_path, "build") == 0, log(tmp_path, "build")[-3000:]
    rebuilt = log(tmp_path, "rebuild")
    assert rc(tmp_path, "rebuild") == 0, rebuilt[-3000:]
    assert re.search(r"^localhost\s+: ok=\d+\s+changed=0\s", rebuilt, re.M), rebuilt[-3000:]
    built = dumped(tmp_path, "built")
    instances = [i for i in built["instances"] if i["tags"].get("vpnlab") == "awsit" and i["state"] == "running"]
    assert len(instances) == 2 and all(i["public_ip"] for i in instances)
    assert [i["groups"] for i in instances] == [["awsit-peers-sg", "awsit-sg"]] * 2
    ours = sorted(rule for rule in built["ingress"] if rule.startswith("awsit-"))
    assert ours == sorted(
        ["awsit-sg tcp:22->22 %s" % src for src in ("198.18.7.0/24", "10.1.0.0/16")]
        + ["awsit-sg icmp:-1->-1 %s" % src for src in ("198.18.7.0/24", "10.1.0.0/16", "10.2.1.10/32", "10.2.1.11/32")]
        + ["awsit-sg tcp:5201->5201 10.1.0.0/16"]
        # No Azure VM in an AWS-only lab: no iperf3 client over the internet, no 5202.
        + ["awsit-peers-sg icmp:-1->-1 %s/32" % i["public_ip"] for i in instances])
    assert rc(tmp_path, "teardown") == 0, log(tmp_path, "teardown")[-3000:]
    down = dumped(tmp_path, "down")
    assert [g for g in down["security_groups"] if g["tags"].get("vpnlab") == "awsit"] == []
    assert [rule for rule in down["ingress"] if rule.startswith("awsit-")] == []


def test_a_customer_gateway_left_untagged_is_adopted_and_torn_down(two_vms):
    """What community.aws.ec2_customer_gateway + a failed tag task left (Name only): the build
    adopts it (the foreign-resource check does not stop it) and teardown, by tag, removes it."""
    tmp_path = two_vms[0]
    assert rc(tmp_path, "build") == 0, log(tmp_path, "build")[-3000:]
    left = json.loads((tmp_path / "cgw.json").read_text())["CustomerGatewayId"]
    live = [g for g in dumped(tmp_path, "built")["customer_gateways"] if g["state"] != "deleted"]
    assert [g["id"] for g in live] == [left]
    assert live[0]["tags"]["vpnlab"] == "awsit" and live[0]["tags"]["managed_by"] == "multicloud.vpnlab"
    assert rc(tmp_path, "teardown") == 0, log(tmp_path, "teardown")[-3000:]
    assert [g["state"] for g in dumped(tmp_path, "down")["customer_gateways"] if g["id"] == left] == ["deleted"]

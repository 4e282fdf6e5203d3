# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Driver of the whole cloud-target run, started by test_cloud_whole_run.py inside a network
namespace with only loopback, next to moto (tests/moto/in_netns.sh) and the Azure test double
(tests.azure_double.isolated):

    python whole_run.py WORKDIR

Builds the lab with site.yml (at -vvv; probes off), builds it again (what changed), reads the
lab's security groups from moto, sets the double's connection status, runs check.yml, tears
down twice, and writes WORKDIR/result.json with what the test asserts: return codes, both
reports, the requests the double recorded, what the double still holds, and where (if
anywhere) a pre-shared key appeared in an output. The keys are read from the lab's key file
before teardown and never written anywhere.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from ansible_run import changed_tasks  # noqa: E402  pylint: disable=wrong-import-position

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
LAB = "cloudrun"
INPUTS = {
    "vpnlab_name": LAB, "vpnlab_target": "cloud", "vpnlab_aws_endpoint_url": os.environ.get("VPNLAB_MOTO_URL", ""),
    "vpnlab_admin_cidrs": ["198.18.7.0/24"],
    "vpnlab_azure_emulated": True,
    "connectivity_check_fail_on_verdict": False,
    "azure_gateway_poll_seconds": 1, "azure_gateway_expected_minutes": 1, "teardown_azure_poll_seconds": 1,
}


def control(path, data=None):
    port = json.load(open(os.path.join(os.environ["VPNLAB_AZURE_DOUBLE"], "double.json"), encoding="utf-8"))["port"]
    request = urllib.request.Request("http://127.0.0.1:%d/_double/%s" % (port, path),
                                     data=None if data is None else json.dumps(data).encode(),
                                     method="GET" if data is None else "POST")
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request, timeout=10) as answer:
        return json.load(answer)


def playbook(name, env, outputs, *options):
    proc = subprocess.run([str(BIN / "ansible-playbook"), "playbooks/" + name, "-e", json.dumps(INPUTS), *options],
                          cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    outputs.append(proc.stdout + proc.stderr)
    return proc.returncode


def aws_security(endpoint):
    """The lab's security groups' ingress ("proto from to cidr" by group name) and each lab
    instance's groups and public IP, as EC2 (moto) describes them."""
    import boto3  # pylint: disable=import-outside-toplevel

    ec2 = boto3.client("ec2", region_name="eu-central-1", endpoint_url=endpoint)
    lab = [{"Name": "tag:vpnlab", "Values": [LAB]}]
    groups = {g["GroupName"]: sorted("%s %s %s %s" % (p["IpProtocol"], p.get("FromPort"), p.get("ToPort"), r["CidrIp"])
                                     for p in g.get("IpPermissions", []) for r in p.get("IpRanges", []))
              for g in ec2.describe_security_groups(Filters=lab)["SecurityGroups"]}
    instances = {i["PrivateIpAddress"]: {"public_ip": i.get("PublicIpAddress"),
                                         "groups": sorted(g["GroupName"] for g in i.get("SecurityGroups", []))}
                 for r in ec2.describe_instances(Filters=lab)["Reservations"] for i in r["Instances"]
                 if i["State"]["Name"] == "running"}
    return {"groups": groups, "instances": instances}


def key_evidence(outputs, requests, state, keys):
    """Where (if anywhere) a pre-shared key appears: every play's output, the double's request
    log and the state directory's files outside cloud/ (where the lab keeps the keys); and the
    keys' fingerprints, which the double logs in place of each key."""
    texts = {"output %d" % i: text for i, text in enumerate(outputs)}
    texts["double log"] = json.dumps(requests)
    texts.update({str(p): p.read_text(errors="replace") for p in state.rglob("*") if p.is_file() and "cloud" not in p.parts})
    leaks = ["key %d in %s" % (i, where) for where, text in texts.items() for i, key in enumerate(keys) if key in text]
    return leaks, [hashlib.sha256(k.encode()).hexdigest()[:16] for k in keys]


def main(workdir):
    home = Path(workdir) / "home"
    env = dict(os.environ, VPNLAB_HOME=str(home), ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               PATH="%s:%s" % (BIN, os.environ.get("PATH", "")), ANSIBLE_NOCOLOR="1")
    outputs, result = [], {}
    result["site_rc"] = playbook("site.yml", env, outputs, "-vvv")
    state = home / LAB
    if not (state / "report.json").exists():
        raise SystemExit("site.yml wrote no report (rc %s):\n%s" % (result["site_rc"], outputs[0][-4000:]))
    result["report_built"] = json.loads((state / "report.json").read_text())
    keys = list(json.loads((state / "cloud" / "aws-tunnel-psks.json").read_text())["pre_shared_keys"].values())
    result["vms_json"] = json.loads((state / "vms.json").read_text())
    # The same build again: nothing may change (the security rules that name the VMs' public
    # IPs are computed the same), and what EC2 holds after it.
    result["site2_rc"] = playbook("site.yml", env, outputs)
    result["site2_changed"] = changed_tasks(outputs[-1])
    result["aws_security"] = aws_security(INPUTS["vpnlab_aws_endpoint_url"])
    control("connection-status", {"name": "con-%s-tunnel1" % LAB, "connectionStatus": "Connected",
                                  "ingressBytesTransferred": 4200, "egressBytesTransferred": 8400})
    control("connection-status", {"name": "con-%s-tunnel2" % LAB, "connectionStatus": "NotConnected"})
    result["check_rc"] = playbook("check.yml", env, outputs)
    result["report_checked"] = json.loads((state / "report.json").read_text())
    result["teardown_rcs"] = [playbook("teardown.yml", env, outputs), playbook("teardown.yml", env, outputs)]
    result["teardown_output"] = outputs[-2:]
    result["aws_security_after_teardown"] = aws_security(INPUTS["vpnlab_aws_endpoint_url"])
    result["requests"] = control("requests")
    result["left_in_double"] = control("resources")
    result["key_leaks"], result["key_fingerprints"] = key_evidence(outputs, result["requests"], state, keys)
    result["site_output_tail"] = outputs[0][-3000:]
    (Path(workdir) / "result.json").write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The whole cloud target: site.yml with AWS on moto and Azure on the Azure test double, in one
network namespace with only loopback. Probes are off (nothing may connect to an address an
emulator hands out); the tunnel evidence comes from both: AWS's telemetry (moto has none:
unknown) joined with the Azure connections' status and byte counters, which the test sets in the
double between build and check. A second build changes nothing; the security rules on both
sides admit exactly the check's probes (the VMs' public IPs, the iperf3 ports). Then teardown
twice (no security group left), and no pre-shared key anywhere."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
LAB = "cloudrun"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    work = tmp_path_factory.mktemp("cloudrun")
    cmd = [str(ROOT / "tests" / "moto" / "in_netns.sh"), sys.executable, "-m", "tests.azure_double.isolated",
           "--state-dir", str(work / "double"), "--gateway-delay", "8", "--",
           sys.executable, str(Path(__file__).with_name("whole_run.py")), str(work)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=1500, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return json.loads((work / "result.json").read_text())


def test_the_whole_lab_builds_checks_and_tears_down(run):
    assert run["site_rc"] == 0, run["site_output_tail"]
    assert run["check_rc"] == 0
    assert run["teardown_rcs"] == [0, 0]
    assert "No Azure resource of lab %s is left" % LAB in " ".join(run["teardown_output"][0].split())
    assert "No AWS resource of lab %s is left" % LAB in " ".join(run["teardown_output"][1].split())


def test_the_customer_gateway_is_the_azure_gateways_public_ip(run):
    puts = [r for r in run["requests"] if r["method"] == "PUT"]
    assert [r["path"].split("/")[-1] for r in puts if "/virtualNetworkGateways/" in r["path"]] == ["vpng-%s" % LAB]
    assert len([r for r in puts if "/connections/" in r["path"]]) == 2


def test_the_connections_use_the_keys_the_lab_gave_aws(run):
    sent = [r["body"]["properties"]["sharedKey"] for r in run["requests"]
            if r["method"] == "PUT" and "/connections/" in r["path"]]
    assert sorted(sent) == sorted("<redacted sha256:%s>" % f for f in run["key_fingerprints"])


def test_the_evidence_comes_from_both_doubles(run):
    built = run["report_built"]["tunnels"]
    assert [t["source"] for t in built] == ["aws:VgwTelemetry+azure:connections"] * 2
    assert [t["status"] for t in built] == ["unknown", "unknown"]
    checked = {t["name"]: t for t in run["report_checked"]["tunnels"]}
    assert (checked["tunnel1"]["status"], checked["tunnel1"]["bytes_in"], checked["tunnel1"]["bytes_out"]) == ("up", 4200, 8400)
    assert checked["tunnel2"]["status"] == "down"
    assert run["report_checked"]["probes"]["run"] is False


def test_the_inventory_record_has_both_clouds_vms(run):
    vms = {vm["name"]: vm for vm in run["vms_json"]["vms"]}
    assert sorted(vms) == ["vm1", "vm2", "vm3"]
    assert {vms[n]["cloud"] for n in ("vm1", "vm2")} == {"azure"} and vms["vm3"]["cloud"] == "aws"
    assert vms["vm1"]["connection"]["ansible_user"] == "azureuser"


def test_nothing_is_left_and_no_key_was_shown_anywhere(run):
    assert [r for r in run["left_in_double"] if "/resourceGroups/rg-" in r] == []
    assert [r for r in run["requests"] if r.get("refused")] == []
    assert run["key_leaks"] == []


def test_a_second_build_changes_nothing(run):
    # The cloud path's one re-run of a whole lab where nothing drifted (the rehearsal re-runs
    # only to repair, and asserts that nothing but the drifted objects changes).
    assert run["site2_rc"] == 0
    assert run["site2_changed"] == []


def test_the_aws_rules_admit_the_probes_and_nothing_more(run):
    """Main group: SSH/ICMP from the admins and the Azure VNet, iperf3 through the tunnel (5201)
    from the VNet. Peer group: ICMP and iperf3 over the internet (5202) from the Azure VMs'
    public IPs; vm3, the only AWS VM, does not probe itself."""
    security = run["aws_security"]
    azure = sorted("%s/32" % vm["public_ip"] for vm in run["vms_json"]["vms"] if vm["cloud"] == "azure")
    assert len(azure) == 2 and all(ip != "None/32" for ip in azure)
    assert security["groups"]["%s-sg" % LAB] == sorted(
        ["tcp 22 22 198.18.7.0/24", "tcp 22 22 10.1.0.0/16", "icmp -1 -1 198.18.7.0/24", "icmp -1 -1 10.1.0.0/16",
         "tcp 5201 5201 10.1.0.0/16"])
    assert security["groups"]["%s-peers-sg" % LAB] == sorted(
        ["icmp -1 -1 %s" % ip for ip in azure] + ["tcp 5202 5202 %s" % ip for ip in azure])
    assert security["instances"]["10.2.1.10"]["groups"] == ["%s-peers-sg" % LAB, "%s-sg" % LAB]


def test_the_azure_rules_admit_the_probes_and_nothing_more(run):
    """ICMP from the AWS VM's public IP and from both Azure VMs' (each probes the other), in the
    one NSG request, made before the NICs that name the group."""
    puts = [r for r in run["requests"] if r["method"] == "PUT"]
    nsgs = [r for r in puts if "/networkSecurityGroups/" in r["path"]]
    assert len(nsgs) == 1  # the second build sent nothing
    rules = {r["name"]: r["properties"] for r in nsgs[0]["body"]["properties"]["securityRules"]}
    assert sorted(rules) == ["icmp-from-admins-and-aws", "icmp-from-lab-vms", "ssh-from-admins-and-aws"]
    assert sorted(rules["ssh-from-admins-and-aws"]["sourceAddressPrefixes"]) == ["10.2.0.0/16", "198.18.7.0/24"]
    assert sorted(rules["icmp-from-admins-and-aws"]["sourceAddressPrefixes"]) == ["10.2.0.0/16", "198.18.7.0/24"]
    aws_ip = run["aws_security"]["instances"]["10.2.1.10"]["public_ip"]
    vm_ips = sorted("%s/32" % vm["public_ip"] for vm in run["vms_json"]["vms"])
    assert "%s/32" % aws_ip in vm_ips and len(vm_ips) == 3
    assert sorted(rules["icmp-from-lab-vms"]["sourceAddressPrefixes"]) == vm_ips
    assert rules["icmp-from-lab-vms"]["protocol"] == "Icmp"
    first_nic = next(i for i, r in enumerate(puts) if "/networkInterfaces/" in r["path"])
    assert puts.index(nsgs[0]) < first_nic


def test_teardown_leaves_no_security_group(run):
    assert run["aws_security_after_teardown"]["groups"] == {}

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The whole cloud target: site.yml with AWS on moto and Azure on the Azure test double, in one
network namespace with only loopback. Probes are off (nothing may connect to an address an
emulator hands out); the tunnel evidence comes from both: AWS's telemetry (moto has none:
unknown) joined with the Azure connections' status and byte counters, which the test sets in the
double between build and check. Then teardown twice, and no pre-shared key anywhere."""

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

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The whole cloud target with vpnlab_routing=bgp: site.yml with AWS on the AWS EC2 test double
(moto extended: dynamic VPN connections keep their options, route propagation) and Azure on the
Azure test double, in one loopback-only network namespace. Probes are off (nothing may connect
to an address an emulator hands out). The build makes an active-active BGP gateway, two customer
gateways and two dynamic VPN connections, four local network gateways and BGP connections, and
route propagation; a second build changes nothing. The doubles are then told what a data plane
would say (sessions up, prefixes announced): the check reads four tunnels and the routes each
side learned. With the gateway's second instance lost, it names what was lost. Teardown twice
leaves nothing on either side, and no key appears anywhere."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "tests" / "integration"))
from moto_netns import netns_available  # noqa: E402  pylint: disable=wrong-import-position

LAB = "bgprun"
NAMES = ["vpn1-tunnel1", "vpn1-tunnel2", "vpn2-tunnel1", "vpn2-tunnel2"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    if not netns_available():
        pytest.skip("needs root and unshare --net for a loopback-only network namespace")
    work = tmp_path_factory.mktemp("bgprun")
    cmd = [sys.executable, "-m", "tests.aws_double.isolated", "--state-dir", str(work / "aws"),
           "--pending-seconds", "0", "--consistency-share", "0", "--",
           sys.executable, "-m", "tests.azure_double.isolated", "--state-dir", str(work / "azure"),
           "--gateway-delay", "8", "--",
           sys.executable, str(Path(__file__).with_name("whole_run_bgp.py")), str(work)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=1500, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return json.loads((work / "result.json").read_text())


def speakers(report):
    return {s["name"]: s for s in (report.get("routing") or {}).get("speakers", [])}


def test_the_whole_bgp_lab_builds_checks_and_tears_down(run):
    assert run["site_rc"] == 0, run["site_output_tail"]
    assert (run["check_rc"], run["check_lost_rc"]) == (0, 0), run.get("check_output")
    assert run["teardown_rcs"] == [0, 0]
    assert "No Azure resource of lab %s is left" % LAB in " ".join(run["teardown_output"][0].split())
    assert "No AWS resource of lab %s is left" % LAB in " ".join(run["teardown_output"][1].split())


def test_a_second_build_changes_nothing(run):
    assert run["site2_rc"] == 0
    assert run["site2_changed"] == []


def test_the_azure_gateway_is_active_active_with_bgp(run):
    puts = [r for r in run["requests"] if r["method"] == "PUT"]
    (gateway,) = [r["body"]["properties"] for r in puts if "/virtualNetworkGateways/" in r["path"]]
    assert gateway["activeActive"] is True and gateway["enableBgp"] is True
    assert len(gateway["ipConfigurations"]) == 2
    assert sorted(a for p in gateway["bgpSettings"]["bgpPeeringAddresses"] for a in p["customBgpIpAddresses"]) == [
        "169.254.21.2", "169.254.21.6", "169.254.22.2", "169.254.22.6"]
    connections = [r for r in puts if "/connections/" in r["path"]]
    assert sorted(r["path"].split("/")[-1] for r in connections) == ["con-%s-%s" % (LAB, n) for n in NAMES]
    assert all(r["body"]["properties"]["enableBgp"] for r in connections)
    lngs = [r["body"]["properties"]["bgpSettings"] for r in puts if "/localNetworkGateways/" in r["path"]]
    assert sorted(b["bgpPeeringAddress"] for b in lngs) == ["169.254.21.1", "169.254.21.5", "169.254.22.1", "169.254.22.5"]


def test_aws_has_two_customer_gateways_two_dynamic_connections_and_propagation(run):
    built = run["aws_built"]
    assert sorted(built["customer_gateways"]) == ["%s-cgw-azure1" % LAB, "%s-cgw-azure2" % LAB]
    assert {c["asn"] for c in built["customer_gateways"].values()} == {"65515"}
    assert len({c["ip"] for c in built["customer_gateways"].values()}) == 2
    vpns = built["vpn_connections"]
    assert sorted(vpns) == ["%s-vpn1" % LAB, "%s-vpn2" % LAB]
    assert [v["static"] for v in vpns.values()] == [False, False]
    assert vpns["%s-vpn1" % LAB]["inside"] == ["169.254.21.0/30", "169.254.22.0/30"]
    (table,) = [t for t in built["route_tables"] if t["propagating"]]
    assert not any(r.startswith("10.1.0.0/16") for r in table["routes"])  # learned, not typed


def test_healthy_the_check_reads_four_tunnels_and_the_routes_both_sides_learned(run):
    report = run["report_healthy"]
    assert [(t["name"], t["status"]) for t in report["tunnels"]] == [(n, "up") for n in NAMES]
    assert {t["source"] for t in report["tunnels"]} == {"aws:VgwTelemetry+azure:connections"}
    found = speakers(report)
    assert sorted(found) == ["azure0", "azure1", "vnet", "vpc"]
    assert all(s["missing"] == [] for s in found.values())
    assert [r["prefix"] for r in found["vpc"]["learned"]] == ["10.1.0.0/16"]
    assert [r["prefix"] for r in found["vnet"]["learned"]] == ["10.2.0.0/16"]
    assert sum(s["state"] == "Established" for s in found["vpc"]["sessions"]) == 4
    (table,) = [t for t in run["aws_healthy"]["route_tables"] if t["propagating"]]
    assert any(r.startswith("10.1.0.0/16 vgw-") and r.endswith("EnableVgwRoutePropagation") for r in table["routes"])
    assert not [f for f in report["verdict"]["findings"] if f["object"].startswith("BGP")]


def test_a_lost_instance_is_degraded_and_named(run):
    report = run["report_lost"]
    assert [t["status"] for t in report["tunnels"]] == ["up", "up", "down", "down"]
    found = speakers(report)
    assert found["azure1"]["missing"] == ["10.2.0.0/16"] and found["azure0"]["missing"] == []
    assert found["vnet"]["missing"] == [] and found["vpc"]["missing"] == []
    bgp = [f for f in report["verdict"]["findings"] if f["object"].startswith("BGP")]
    assert [(f["severity"], f["object"]) for f in bgp] == [("degraded", "BGP azure1")]
    assert "vpn2-tunnel1 Connecting" in bgp[0]["text"]


def test_nothing_is_left_and_no_key_was_shown_anywhere(run):
    assert [r for r in run["left_in_double"] if "/resourceGroups/rg-" in r] == []
    after = run["aws_after_teardown"]
    assert after["vpn_connections"] == {} and after["customer_gateways"] == {} and after["route_tables"] == []
    assert run["key_leaks"] == []
    sent = sorted(r["body"]["properties"]["sharedKey"] for r in run["requests"]
                  if r["method"] == "PUT" and "/connections/" in r["path"])
    assert sent == sorted("<redacted sha256:%s>" % f for f in run["key_fingerprints"])

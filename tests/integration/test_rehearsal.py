# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One rehearsal, as a learner would run it (tests/integration/rehearsal/driver.py): the cloud
target on the AWS and Azure test doubles with a real data plane. make rehearse ends with PASS
from the cloud path with probes on; three drifts made through the clouds' APIs each make the
next check name what broke, and one make rehearse repairs them, changing nothing else (the re-run
of a lab where nothing drifted: tests/integration/azure/test_cloud_whole_run.py);
cutting the tunnel that carries the traffic gives DEGRADED from the clouds' evidence, and both
tunnels come back after the repair; make rehearse-down, twice, leaves nothing."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rehearsal import harness  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return harness.drive(tmp_path_factory.mktemp("rehearsal"), "whole")


def findings(step, severity):
    return [f["object"] + ": " + f["text"] for f in step["report"]["verdict"]["findings"] if f["severity"] == severity]


def test_the_build_passes_from_the_cloud_path_with_probes_on(run):
    build = run["steps"]["build"]
    assert build["rc"] == 0 and build["verdict"].startswith("PASS"), build["verdict"]
    report = build["report"]
    assert report["target"] == "cloud" and report["probes"]["run"] is True
    measured = {(m["src"], m["dst"], m["path"], m["tool"]) for m in report["measurements"]}
    names = [vm["name"] for vm in report["vms"]]
    assert measured == {(a, b, path, tool) for a in names for b in names if a != b
                        for path in ("private", "public") for tool in ("mtr", "ping")}
    assert all(m["loss_pct"] == 0 for m in report["measurements"])
    assert [t["source"] for t in report["tunnels"]] == ["aws:VgwTelemetry+azure:connections"] * 2
    assert [t["status"] for t in report["tunnels"]] == ["up", "up"]
    through = [t for t in report["throughput"] if t["path"] == "private"]
    assert through and through[0]["mbps"] > 0


def test_each_drift_is_named_by_the_next_check(run):
    nsg = run["steps"]["check-after-nsg-icmp"]
    assert nsg["report"]["verdict"]["level"] == "fail"
    assert any(line.startswith("public path vm3 -> vm1") for line in findings(nsg, "failure"))
    key = run["steps"]["check-after-azure-key"]
    assert key["report"]["verdict"]["level"] == "fail"
    downs = [t["name"] for t in key["report"]["tunnels"] if t["status"] == "down"]
    assert len(downs) == 1, key["report"]["tunnels"]
    assert any(line.startswith(downs[0]) and "redundancy lost" in line for line in findings(key, "degraded"))
    tunnels = run["steps"]["check-after-tunnel-integrity"]
    assert [t["status"] for t in tunnels["report"]["tunnels"]] == ["down", "down"]
    assert any(line.startswith("tunnel1") for line in findings(tunnels, "failure"))


# The tasks that repair the three drifts: AWS's tunnel options, the NSG's rule, the Azure key.
REPAIRS = [
    "multicloud.vpnlab.aws_vpc_vpn : Create the VPN connection with hardened tunnels (IKEv2, AES-256, SHA-256, DH 14, PFS)",
    "multicloud.vpnlab.azure_tunnels : Create one connection per AWS tunnel, one at a time (IKEv2, the lab's IPsec/IKE"
    " policy, DPD)",
    "multicloud.vpnlab.test_vms : Create the VMs' network security group (SSH and ICMP from the admins and the AWS VPC,"
    " ICMP from the lab VMs)",
]


def test_one_rerun_repairs_every_drift_and_changes_nothing_else(run):
    """The repair is a re-run over a built lab with a live data plane: every object but the three
    drifted ones must come back unchanged (nothing restarted, re-created or rewritten)."""
    repair = run["steps"]["repair"]
    assert repair["rc"] == 0 and repair["verdict"].startswith("PASS"), repair["verdict"]
    assert sorted(repair["changed"]) == sorted(REPAIRS), repair["changed"]


def test_cutting_the_carrying_tunnel_degrades_from_the_clouds_evidence(run):
    # AWS's telemetry shows it within the DPD timeout plus the telemetry's lag (and a margin
    # for a loaded machine), and the next check is DEGRADED naming it.
    assert run["failover"]["telemetry_down_after_s"] <= 2 * (45 + 10)
    cut = run["steps"]["check-after-cut"]
    assert cut["report"]["verdict"]["level"] == "degraded", cut["verdict"]
    down = [t for t in cut["report"]["tunnels"] if t["status"] == "down"]
    assert [t["name"] for t in down] == [run["failover"]["tunnel"]]
    assert "VgwTelemetry" in down[0]["source"]
    assert run["failover"]["tunnel"] in cut["verdict"]


def test_both_tunnels_come_back_after_the_repair(run):
    last = [s for name, s in run["steps"].items() if name.startswith("check-after-repair")][-1]
    assert last["report"]["verdict"]["level"] == "pass"
    assert [t["status"] for t in last["report"]["tunnels"]] == ["up", "up"]


def test_the_reaper_finds_the_lab_in_both_clouds(run):
    reaper = run["steps"]["reaper-list"]
    [log] = Path(run["work"]).glob("*-reaper-list.log")
    out = " ".join(log.read_text().split())
    assert reaper["rc"] == 0, out[-2000:]
    assert "rehit: EXPIRED (expires " in out and "today 2099-01-01" in out and "in aws and azure" in out
    assert "Tear the expired lab down" not in out


def test_rehearse_down_twice_leaves_nothing(run):
    assert run["steps"]["down"]["rc"] == 0 and run["steps"]["down-again"]["rc"] == 0
    assert run["left"] == {"netns": [], "pids": []}
    # The lab's state directory keeps its reports (and its marker while they are there), as
    # after make destroy; nothing of the rehearsal is left.
    assert run["left_in_home"] == ["rehit", "rehit/.vpnlab-lab", "rehit/report.html", "rehit/report.json",
                                   "rehit/report.md"]


def test_nothing_left_the_machine_and_no_key_was_shown(run):
    assert run["host_after"] == run["host_before"]
    assert run["keys_checked"] == 2 and run["key_leaks"] == []

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cloud target in the plan: CloudTarget's parts, and the AWS part's rules and section."""

from __future__ import annotations

import datetime
import json

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws.plan import (
    AwsPart, peer_security_group_rules, security_group_rules)
from ansible_collections.multicloud.vpnlab.plugins.module_utils.peers import PeerError
from ansible_collections.multicloud.vpnlab.plugins.module_utils.plan import PlanError, build_plan
from ansible_collections.multicloud.vpnlab.plugins.module_utils.targets import CloudTarget

TODAY = datetime.date(2026, 11, 25)
CLOUD = {"target": "cloud", "admin_cidrs": ["198.18.7.0/24"], "azure_gateway_public_ip": "198.51.100.10"}


class FakeAzurePart:
    """What the Azure half adds: it provides the gateway's IP (found while building)."""

    name = "azure"
    provides = ("azure_gateway_public_ip",)
    checked = False

    def check(self, chk, p, nets, vms, provided=frozenset()):
        self.checked = provided

    @staticmethod
    def build(plan, p):
        return {"gateway": plan["azure"]["gateway"]}


def plan(parts=None, **params):
    target = CloudTarget(parts if parts is not None else [AwsPart()])
    return build_plan(dict(CLOUD, **params), {"cloud": target}, today=TODAY, state_root="/st")


def problems(parts=None, **params):
    with pytest.raises(PlanError) as err:
        plan(parts, **params)
    return err.value.problems


def test_cloud_plan_has_the_aws_section():
    p = plan()
    aws = p["cloud"]["aws"]
    assert p["cloud"]["parts"] == ["aws"]
    assert aws["customer_gateway_ip"] == "198.51.100.10"
    assert aws["pre_shared_key_file"] == "/st/vpntest/cloud/aws-tunnel-psks.json"
    assert aws["tag_filters"] == {"tag:vpnlab": "vpntest", "tag:managed_by": "multicloud.vpnlab"}
    assert aws["tunnel_options"] == {
        "ike_versions": ["ikev2"],
        "phase1_encryption_algorithms": ["AES256", "AES256-GCM-16"],
        "phase1_integrity_algorithms": ["SHA2-256"],
        "phase1_dh_group_numbers": [14],
        "phase1_lifetime_seconds": 28800,
        "phase2_encryption_algorithms": ["AES256", "AES256-GCM-16"],
        "phase2_integrity_algorithms": ["SHA2-256"],
        "phase2_dh_group_numbers": [14],
        "phase2_lifetime_seconds": 3600,
        "dpd_timeout_seconds": 30,
        "dpd_timeout_action": "clear",
        "startup_action": "add",
    }
    assert "local" not in p


def test_the_plan_holds_no_secret():
    p = plan(tunnel_psks=["vpnlab.Tunnel1_k3yA9xQ2wE", ""])
    assert "vpnlab.Tunnel1_k3yA9xQ2wE" not in json.dumps(p)


def test_admin_cidrs_are_required():
    assert any(x.startswith("vpnlab_admin_cidrs=None: is required for the cloud target")
               for x in problems(admin_cidrs=None))


GATEWAY_IP = [
    ("missing", "", "vpnlab_azure_gateway_public_ip='': is required for the cloud target while the Azure half is not built"),
    ("private", "10.9.0.1", "vpnlab_azure_gateway_public_ip='10.9.0.1': is a private address"),
    ("in-the-lab", "10.2.0.9", "is inside the lab's own network vpnlab_aws_vpc_cidr"),
    ("loopback", "127.0.0.1", "vpnlab_azure_gateway_public_ip='127.0.0.1': cannot be a VPN gateway's public address"),
]


@pytest.mark.parametrize("ip,expected", [g[1:] for g in GATEWAY_IP], ids=[g[0] for g in GATEWAY_IP])
def test_customer_gateway_ip_rules(ip, expected):
    found = problems(azure_gateway_public_ip=ip)
    assert any(expected in x for x in found), found


@pytest.mark.parametrize("ip", ["198.51.100.10", "203.0.113.77", "20.50.1.2"])
def test_public_and_documentation_addresses_are_accepted(ip):
    assert plan(azure_gateway_public_ip=ip)["cloud"]["aws"]["customer_gateway_ip"] == ip


def test_the_azure_part_provides_the_gateway_ip():
    azure = FakeAzurePart()
    p = plan([azure, AwsPart()], azure_gateway_public_ip="")
    assert p["cloud"]["parts"] == ["azure", "aws"]
    assert p["cloud"]["aws"]["customer_gateway_ip"] == ""
    assert p["cloud"]["azure"] == {"gateway": "vpng-vpntest"}
    assert azure.checked == frozenset()  # the AWS part provides nothing


def test_an_endpoint_marks_aws_emulated():
    p = plan(aws_endpoint_url="http://127.0.0.1:5000")
    assert p["aws"]["emulated"] is True and p["aws"]["endpoint_url"] == "http://127.0.0.1:5000"
    assert plan()["aws"]["emulated"] is False


def test_security_group_opens_ssh_icmp_and_iperf3_to_admins_and_the_azure_vnet_only():
    rules = plan()["cloud"]["aws"]["security_group_rules"]
    assert [(r["proto"], r.get("ports"), r["cidr_ip"]) for r in rules] == [
        ("tcp", [22], ["198.18.7.0/24", "10.1.0.0/16"]),
        ("icmp", None, ["198.18.7.0/24", "10.1.0.0/16"]),
        ("tcp", [5201], ["10.1.0.0/16"]),
    ]


TWO_AWS_VMS = [{"name": "vm1", "cloud": "azure", "private_ip": "10.1.1.10"},
               {"name": "vm3", "cloud": "aws", "private_ip": "10.2.1.10"},
               {"name": "vm4", "cloud": "aws", "private_ip": "10.2.1.11"}]


def test_two_aws_vms_may_ping_each_other_privately():
    rules = plan(vms=TWO_AWS_VMS)["cloud"]["aws"]["security_group_rules"]
    icmp = [r for r in rules if r["proto"] == "icmp"]
    assert [r["cidr_ip"] for r in icmp] == [["198.18.7.0/24", "10.1.0.0/16", "10.2.1.10/32", "10.2.1.11/32"]]
    assert [r["cidr_ip"] for r in rules if r["proto"] == "tcp"] == [["198.18.7.0/24", "10.1.0.0/16"], ["10.1.0.0/16"]]


def test_the_peer_security_group_is_named_for_the_lab():
    group = plan()["cloud"]["aws"]["peer_security_group"]
    assert group == {"name": "vpntest-peers-sg",
                     "description": "vpnlab vpntest: ICMP and iperf3 from the public IPs of the lab VMs"}
    assert group["name"] != plan()["aws"]["security_group"]


# (case, public IPs by cloud, ICMP sources, TCP 5202 sources): who probes the AWS VMs' public IPs.
PEERS = [
    ("default lab", {"azure": ["20.1.1.1", "20.1.1.2"], "aws": ["3.3.3.3"]},
     ["20.1.1.1/32", "20.1.1.2/32"], ["20.1.1.1/32", "20.1.1.2/32"]),
    ("two AWS VMs probe each other", {"azure": ["20.1.1.1"], "aws": ["3.3.3.4", "3.3.3.3"]},
     ["3.3.3.3/32", "3.3.3.4/32", "20.1.1.1/32"], ["20.1.1.1/32"]),
    ("AWS only, one VM: nothing", {"aws": ["3.3.3.3"]}, [], []),
    ("AWS only, two VMs: ICMP, no iperf3 client", {"aws": ["3.3.3.3", "3.3.3.4"], "azure": []},
     ["3.3.3.3/32", "3.3.3.4/32"], []),
    ("no AWS VM: no rule", {"azure": ["20.1.1.1"], "aws": []}, [], []),
    ("duplicates and gaps", {"azure": ["20.1.1.1", "20.1.1.1", None, ""], "aws": ["3.3.3.3"]},
     ["20.1.1.1/32"], ["20.1.1.1/32"]),
]


@pytest.mark.parametrize("public_ips,icmp,iperf3", [p[1:] for p in PEERS], ids=[p[0] for p in PEERS])
def test_peer_rules_admit_exactly_the_probing_vms(public_ips, icmp, iperf3):
    rules = peer_security_group_rules(public_ips)
    assert [r["cidr_ip"] for r in rules if r["proto"] == "icmp"] == ([icmp] if icmp else [])
    assert [r["cidr_ip"] for r in rules if r["proto"] == "tcp"] == ([iperf3] if iperf3 else [])
    assert all(r["ports"] == [5202] for r in rules if r["proto"] == "tcp")
    assert all(cidr.endswith("/32") for r in rules for cidr in r["cidr_ip"])
    assert all("'" not in r["rule_desc"] for r in rules)  # AWS refuses apostrophes in descriptions


@pytest.mark.parametrize("bad", ["0.0.0.0", "20.1.1.0/24", "::1", "not-an-ip", "127.0.0.1"])
def test_peer_rules_refuse_what_is_not_one_vm(bad):
    with pytest.raises(PeerError):
        peer_security_group_rules({"azure": [bad], "aws": ["3.3.3.3"]})


def test_peer_rules_refuse_unknown_clouds():
    with pytest.raises(PeerError, match="gcp"):
        peer_security_group_rules({"gcp": ["3.3.3.3"], "aws": ["3.3.3.4"]})


def test_no_rule_is_open_to_the_internet_unless_allowed():
    assert "opens SSH and ICMP to the whole internet" in " ".join(problems(admin_cidrs=["0.0.0.0/0"]))
    opened = plan(admin_cidrs=["0.0.0.0/0"], allow_open_admin=True)["cloud"]["aws"]["security_group_rules"]
    assert [r["proto"] for r in opened if "0.0.0.0/0" in r["cidr_ip"]] == ["tcp", "icmp"]  # SSH and ICMP, not iperf3
    assert [r["ports"] for r in opened if "0.0.0.0/0" in r["cidr_ip"] and r["proto"] == "tcp"] == [[22]]
    for admins in (["198.18.7.0/24"], ["198.18.7.1/32", "192.0.2.0/24"]):
        assert all("0.0.0.0/0" not in r["cidr_ip"] for r in security_group_rules(admins, "10.1.0.0/16"))

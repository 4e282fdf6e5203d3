# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cloud target in the plan: CloudTarget's parts, and the AWS part's rules and section."""

from __future__ import annotations

import datetime
import json

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws.plan import AwsPart, security_group_rules
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


def test_security_group_opens_ssh_and_icmp_to_admins_and_the_azure_vnet_only():
    rules = plan()["cloud"]["aws"]["security_group_rules"]
    assert [(r["proto"], r.get("ports"), r["cidr_ip"]) for r in rules] == [
        ("tcp", [22], ["198.18.7.0/24", "10.1.0.0/16"]),
        ("icmp", None, ["198.18.7.0/24", "10.1.0.0/16"]),
    ]


def test_no_rule_is_open_to_the_internet_unless_allowed():
    assert "opens SSH and ICMP to the whole internet" in " ".join(problems(admin_cidrs=["0.0.0.0/0"]))
    opened = plan(admin_cidrs=["0.0.0.0/0"], allow_open_admin=True)["cloud"]["aws"]["security_group_rules"]
    assert all("0.0.0.0/0" in r["cidr_ip"] for r in opened)
    for admins in (["198.18.7.0/24"], ["198.18.7.1/32", "192.0.2.0/24"]):
        assert all("0.0.0.0/0" not in r["cidr_ip"] for r in security_group_rules(admins, "10.1.0.0/16"))

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every rule of the lab plan, with a valid and an invalid case each."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.plan import LocalTarget
from ansible_collections.multicloud.vpnlab.plugins.module_utils.plan import (
    PlanError, build_plan, reserved_addresses,
)
import ipaddress

TODAY = datetime.date(2026, 11, 25)
HOST = ["127.0.0.1/8", "192.0.2.0/24", "192.0.2.2/24"]
VMS = [
    {"name": "vm1", "cloud": "azure", "private_ip": "10.1.1.10"},
    {"name": "vm2", "cloud": "azure", "private_ip": "10.1.1.20"},
    {"name": "vm3", "cloud": "aws", "private_ip": "10.2.1.10"},
]


def plan(**params):
    return build_plan(params, {"local": LocalTarget(HOST)}, today=TODAY, state_root="/st")


def problems(**params):
    with pytest.raises(PlanError) as err:
        plan(**params)
    return err.value.problems


def vms_with(**change):
    """The default VMs with vm3's fields changed."""
    return VMS[:2] + [dict(VMS[2], **change)]


def test_defaults_are_the_original_lab():
    p = plan()
    assert p["lab"] == "vpntest" and p["target"] == "local"
    assert p["azure"]["vnet_cidr"] == "10.1.0.0/16"
    assert p["azure"]["subnet_cidr"] == "10.1.1.0/24"
    assert p["azure"]["gateway_subnet_cidr"] == "10.1.0.0/27"
    assert p["aws"]["vpc_cidr"] == "10.2.0.0/16"
    assert p["aws"]["subnet_cidr"] == "10.2.1.0/24"
    assert p["aws"]["static_routes"] == ["10.1.0.0/16"]
    assert [(v["name"], v["cloud"], v["private_ip"]) for v in p["vms"]] == [
        ("vm1", "azure", "10.1.1.10"), ("vm2", "azure", "10.1.1.20"), ("vm3", "aws", "10.2.1.10")]
    assert p["azure"]["resource_group"] == "rg-euwe-dev-student-vpntest"
    assert p["tags"]["expires"] == "2026-12-02"
    assert p["tags"]["owner"] == "student"
    assert p["state_dir"] == "/st/vpntest"
    assert [t["name"] for t in p["tunnels"]] == ["tunnel1", "tunnel2"]
    assert [t["psk_source"] for t in p["tunnels"]] == ["generated", "generated"]
    assert p["azure"]["gateway_sku"] == "VpnGw1AZ"


def test_names_follow_owner_env_region():
    p = plan(owner="alice", environment="prod", azure_region="switzerlandnorth", name="lab-2")
    assert p["azure"]["resource_group"] == "rg-chno-prod-alice-lab-2"
    assert p["aws"]["vpn_connection"] == "lab-2-vpn"
    assert p["tunnels"][1]["connection"] == "con-lab-2-tunnel2"


def test_unknown_region_keeps_its_name():
    assert plan(azure_region="newregion9")["azure"]["resource_group"].startswith("rg-newregion9-")


def test_a_second_lab_with_its_own_plan():
    p = plan(name="lab2", azure_vnet_cidr="10.11.0.0/16", azure_subnet_cidr="10.11.1.0/24",
             azure_gateway_subnet_cidr="10.11.0.0/27", aws_vpc_cidr="10.12.0.0/16",
             aws_subnet_cidr="10.12.1.0/24",
             vms=[{"name": "a", "cloud": "azure", "private_ip": "10.11.1.4"},
                  {"name": "b", "cloud": "aws", "private_ip": "10.12.1.254"}])
    assert [v["private_ip"] for v in p["vms"]] == ["10.11.1.4", "10.12.1.254"]


def test_user_psk_is_accepted_and_never_in_the_plan():
    p = plan(tunnel_psks=["Secret.Key_123", ""])
    assert [t["psk_source"] for t in p["tunnels"]] == ["user", "generated"]
    assert "Secret.Key_123" not in repr(p)


def test_admin_cidrs_valid_and_open_with_opt_in():
    assert plan(admin_cidrs=["203.0.113.7/32"])["admin_cidrs"] == ["203.0.113.7/32"]
    assert plan(admin_cidrs=["0.0.0.0/0"], allow_open_admin=True)["admin_cidrs"] == ["0.0.0.0/0"]


def test_cloud_target_needs_admin_cidrs_but_no_host_check():
    p = build_plan({"target": "cloud", "admin_cidrs": ["198.51.100.7/32"],
                    "azure_vnet_cidr": "192.0.2.0/24", "azure_subnet_cidr": "192.0.2.0/25",
                    "azure_gateway_subnet_cidr": "192.0.2.224/27",
                    "vms": [{"name": "a", "cloud": "azure", "private_ip": "192.0.2.10"},
                            {"name": "b", "cloud": "aws", "private_ip": "10.2.1.10"}]},
                   {"local": LocalTarget(HOST), "cloud": PlainTarget()}, today=TODAY)
    assert p["target"] == "cloud"


INVALID = [
    # (id, params, variable named, fragment of the rule)
    ("target", {"target": "gcp"}, "vpnlab_target='gcp'", "must be one of local, cloud"),
    ("name-upper", {"name": "VPN"}, "vpnlab_name='VPN'", "2-16 characters"),
    ("name-long", {"name": "a" * 17}, "vpnlab_name=", "2-16 characters"),
    ("name-dash-end", {"name": "lab-"}, "vpnlab_name='lab-'", "not end with '-'"),
    ("name-space", {"name": "my lab"}, "vpnlab_name='my lab'", "2-16 characters"),
    ("name-digit-start", {"name": "1lab"}, "vpnlab_name='1lab'", "start with a letter"),
    ("owner", {"owner": "Al ice"}, "vpnlab_owner='Al ice'", "1-20 characters"),
    ("environment", {"environment": "Dev-1"}, "vpnlab_environment='Dev-1'", "1-8 characters"),
    ("azure-region", {"azure_region": "West Europe"}, "vpnlab_azure_region=", "westeurope"),
    ("aws-region", {"aws_region": "frankfurt"}, "vpnlab_aws_region='frankfurt'", "eu-central-1"),
    ("expiry", {"expiry_days": 0}, "vpnlab_expiry_days=0", "1 to 365"),
    ("cidr-garbage", {"aws_vpc_cidr": "10.2.0.0/33"}, "vpnlab_aws_vpc_cidr='10.2.0.0/33'",
     "not a valid IPv4 CIDR"),
    ("cidr-no-prefix", {"aws_vpc_cidr": "10.2.0.0"}, "vpnlab_aws_vpc_cidr='10.2.0.0'",
     "CIDR notation"),
    ("cidr-host-bits", {"azure_vnet_cidr": "10.1.0.1/16"}, "vpnlab_azure_vnet_cidr='10.1.0.1/16'",
     "host bits set; the network is 10.1.0.0/16"),
    ("cidr-ipv6", {"aws_vpc_cidr": "fd00::/48"}, "vpnlab_aws_vpc_cidr='fd00::/48'", "IPv4"),
    ("vpc-size", {"aws_vpc_cidr": "10.0.0.0/8", "aws_subnet_cidr": "10.2.1.0/24"},
     "vpnlab_aws_vpc_cidr='10.0.0.0/8'", "between /16 and /28"),
    ("overlap-clouds", {"aws_vpc_cidr": "10.1.0.0/16", "aws_subnet_cidr": "10.1.2.0/24",
                        "vms": vms_with(private_ip="10.1.2.10")},
     "vpnlab_aws_vpc_cidr='10.1.0.0/16'", "overlaps vpnlab_azure_vnet_cidr='10.1.0.0/16'"),
    ("overlap-link-local", {"azure_vnet_cidr": "169.254.0.0/16",
                            "azure_subnet_cidr": "169.254.1.0/24",
                            "azure_gateway_subnet_cidr": "169.254.0.0/27"},
     "vpnlab_azure_vnet_cidr='169.254.0.0/16'", "overlaps 169.254.0.0/16"),
    ("subnet-outside", {"azure_subnet_cidr": "10.3.1.0/24"},
     "vpnlab_azure_subnet_cidr='10.3.1.0/24'", "is not inside vpnlab_azure_vnet_cidr='10.1.0.0/16'"),
    ("aws-subnet-outside", {"aws_subnet_cidr": "10.3.1.0/24"},
     "vpnlab_aws_subnet_cidr='10.3.1.0/24'", "is not inside vpnlab_aws_vpc_cidr"),
    ("gateway-small", {"azure_gateway_subnet_cidr": "10.1.0.0/28"},
     "vpnlab_azure_gateway_subnet_cidr='10.1.0.0/28'", "/27 or larger"),
    ("gateway-overlap", {"azure_gateway_subnet_cidr": "10.1.1.0/27"},
     "vpnlab_azure_gateway_subnet_cidr='10.1.1.0/27'", "overlaps vpnlab_azure_subnet_cidr"),
    ("gateway-outside", {"azure_gateway_subnet_cidr": "10.9.0.0/27"},
     "vpnlab_azure_gateway_subnet_cidr='10.9.0.0/27'", "is not inside vpnlab_azure_vnet_cidr"),
    ("vm-ip-garbage", {"vms": vms_with(private_ip="10.2.1.300")},
     "vpnlab_vms[2].private_ip='10.2.1.300'", "not a valid IPv4 address"),
    ("vm-outside-subnet", {"vms": vms_with(private_ip="10.2.2.10")},
     "vpnlab_vms[2].private_ip='10.2.2.10'", "not inside the aws subnet"),
    ("vm-wrong-cloud-subnet", {"vms": vms_with(private_ip="10.1.1.30")},
     "vpnlab_vms[2].private_ip='10.1.1.30'", "not inside the aws subnet"),
    ("vm-reserved-first", {"vms": vms_with(private_ip="10.2.1.0")},
     "vpnlab_vms[2].private_ip='10.2.1.0'", "reserved by the cloud"),
    ("vm-reserved-third", {"vms": vms_with(private_ip="10.2.1.3")},
     "vpnlab_vms[2].private_ip='10.2.1.3'", "reserved by the cloud"),
    ("vm-reserved-last", {"vms": vms_with(private_ip="10.2.1.255")},
     "vpnlab_vms[2].private_ip='10.2.1.255'", "reserved by the cloud"),
    ("vm-dup-ip", {"vms": VMS[:2] + [dict(VMS[1], name="vm9")] + VMS[2:]},
     "vpnlab_vms[2].private_ip='10.1.1.20'", "used by another VM"),
    ("vm-dup-name", {"vms": VMS + [dict(VMS[2], private_ip="10.2.1.11")]},
     "vpnlab_vms[3].name='vm3'", "unique"),
    ("vm-bad-name", {"vms": vms_with(name="VM_3")}, "vpnlab_vms[2].name='VM_3'", "1-12 characters"),
    ("vm-long-name", {"vms": vms_with(name="a" * 13)}, "vpnlab_vms[2].name=", "1-12 characters"),
    ("vm-reserved-name", {"vms": vms_with(name="vgw")}, "vpnlab_vms[2].name='vgw'",
     "reserved for the local lab's own infrastructure"),
    ("vm-bad-cloud", {"vms": vms_with(cloud="gcp")}, "vpnlab_vms[2].cloud='gcp'",
     "must be one of azure, aws"),
    ("vm-missing-key", {"vms": VMS[:2] + [{"name": "vm3", "cloud": "aws"}]}, "vpnlab_vms[2]=",
     "misses the key private_ip"),
    ("vm-unknown-key", {"vms": vms_with(size="big")}, "vpnlab_vms[2].size='big'", "unknown key"),
    ("vm-not-dict", {"vms": VMS + ["vm4"]}, "vpnlab_vms[3]='vm4'", "must be a dict"),
    ("vms-empty", {"vms": []}, "vpnlab_vms=[]", "non-empty list"),
    ("vms-one-cloud", {"vms": VMS[:2]}, "vpnlab_vms=['vm1', 'vm2']", "at least one VM in aws"),
    ("psk-short", {"tunnel_psks": ["short"]}, "vpnlab_tunnel_psks[0]='<hidden, 5 characters>'",
     "8-64 characters"),
    ("psk-chars", {"tunnel_psks": ["", "has-a-dash-in-it"]},
     "vpnlab_tunnel_psks[1]='<hidden, 16 characters>'", "8-64 characters of A-Z"),
    ("psk-zero", {"tunnel_psks": ["0abcdefgh"]}, "vpnlab_tunnel_psks[0]=", "must not start with '0'"),
    ("psk-long", {"tunnel_psks": ["a" * 65]}, "vpnlab_tunnel_psks[0]='<hidden, 65 characters>'",
     "8-64"),
    ("psk-three", {"tunnel_psks": ["abcdefgh1", "abcdefgh2", "abcdefgh3"]},
     "vpnlab_tunnel_psks='<hidden>'", "at most two"),
    ("admin-open", {"admin_cidrs": ["0.0.0.0/0"]}, "vpnlab_admin_cidrs[0]='0.0.0.0/0'",
     "vpnlab_allow_open_admin=true"),
    ("admin-garbage", {"admin_cidrs": ["my laptop"]}, "vpnlab_admin_cidrs[0]='my laptop'",
     "not a valid IPv4 CIDR"),
    ("admin-overlap-lab", {"admin_cidrs": ["10.2.0.0/24"]}, "vpnlab_admin_cidrs[0]='10.2.0.0/24'",
     "overlaps vpnlab_aws_vpc_cidr"),
    ("admin-link-local", {"admin_cidrs": ["169.254.10.0/24"]},
     "vpnlab_admin_cidrs[0]='169.254.10.0/24'", "overlaps 169.254.0.0/16"),
    ("cloud-no-admin", {"target": "cloud"}, "vpnlab_admin_cidrs=None", "required for the cloud"),
    ("inside-size", {"tunnel_inside_cidrs": ["169.254.21.0/29", "169.254.22.0/30"]},
     "vpnlab_tunnel_inside_cidrs[0]='169.254.21.0/29'", "/30 inside 169.254.0.0/16"),
    ("inside-not-link-local", {"tunnel_inside_cidrs": ["10.0.0.0/30", "169.254.22.0/30"]},
     "vpnlab_tunnel_inside_cidrs[0]='10.0.0.0/30'", "/30 inside 169.254.0.0/16"),
    ("inside-reserved", {"tunnel_inside_cidrs": ["169.254.2.0/30", "169.254.22.0/30"]},
     "vpnlab_tunnel_inside_cidrs[0]='169.254.2.0/30'", "reserved by AWS"),
    ("inside-same", {"tunnel_inside_cidrs": ["169.254.22.0/30", "169.254.22.0/30"]},
     "vpnlab_tunnel_inside_cidrs[1]='169.254.22.0/30'", "must differ"),
    ("inside-count", {"tunnel_inside_cidrs": ["169.254.22.0/30"]},
     "vpnlab_tunnel_inside_cidrs=['169.254.22.0/30']", "two /30"),
    ("local-uplink", {"local_aws_public_cidr": "192.0.2.0/24"},
     "vpnlab_local_aws_public_cidr='192.0.2.0/24'", "overlaps 192.0.2.0/24"),
    ("local-public-overlap", {"local_aws_public_cidr": "198.51.100.128/25"},
     "vpnlab_local_aws_public_cidr='198.51.100.128/25'", "overlaps vpnlab_local_azure_public_cidr"),
    ("local-public-small", {"local_aws_public_cidr": "203.0.113.0/29"},
     "vpnlab_local_aws_public_cidr='203.0.113.0/29'", "too small"),
    ("local-public-private", {"local_aws_public_cidr": "10.2.0.0/24"},
     "vpnlab_local_aws_public_cidr='10.2.0.0/24'", "overlaps vpnlab_aws_vpc_cidr"),
]


@pytest.mark.parametrize("params,variable,rule", [c[1:] for c in INVALID],
                         ids=[c[0] for c in INVALID])
def test_each_rule_is_reported_with_variable_value_and_rule(params, variable, rule):
    found = [p for p in problems(**params) if p.startswith(variable)]
    assert found, problems(**params)
    assert any(rule in p for p in found), found


def test_all_problems_are_reported_at_once():
    found = problems(target="gcp", name="X", aws_vpc_cidr="10.1.0.0/16",
                     tunnel_psks=["0bad"], admin_cidrs=["0.0.0.0/0"])
    variables = {p.split("=")[0] for p in found}
    assert {"vpnlab_target", "vpnlab_name", "vpnlab_aws_vpc_cidr", "vpnlab_tunnel_psks[0]",
            "vpnlab_admin_cidrs[0]"} <= variables
    assert "5 problem(s)" in str(PlanError(found[:5]))


def test_psk_never_in_any_message():
    secret = "0SecretKeyValue"
    with pytest.raises(PlanError) as err:
        plan(tunnel_psks=[secret, "x" * 70])
    assert secret not in str(err.value) and "x" * 70 not in str(err.value)


@pytest.mark.parametrize("host,variable", [
    (["10.1.5.0/24"], "vpnlab_azure_vnet_cidr"),
    (["10.2.0.0/16"], "vpnlab_aws_vpc_cidr"),
    (["10.0.0.0/8"], "vpnlab_azure_vnet_cidr"),
    (["198.51.100.7/32"], "vpnlab_local_azure_public_cidr"),
    (["203.0.113.0/24"], "vpnlab_local_aws_public_cidr"),
])
def test_local_lab_must_not_shadow_host_networks(host, variable):
    with pytest.raises(PlanError) as err:
        build_plan({}, {"local": LocalTarget(host)}, today=TODAY)
    assert any(p.startswith(variable) and "address or route of this host" in p
               for p in err.value.problems), err.value.problems


@pytest.mark.parametrize("host", [["0.0.0.0/0"], ["fd00::/64"], ["172.16.0.0/12"], ["garbage"]])
def test_host_default_route_ipv6_and_unrelated_networks_are_fine(host):
    assert build_plan({}, {"local": LocalTarget(host)}, today=TODAY)["lab"] == "vpntest"


class PlainTarget:
    """A target with no rules and no section of its own."""

    @staticmethod
    def check(chk, p, nets, vms):
        pass

    @staticmethod
    def build(plan, p):
        return None


def test_cloud_target_ignores_host_networks():
    p = build_plan({"target": "cloud", "admin_cidrs": ["198.51.100.7/32"]},
                   {"local": LocalTarget(["10.0.0.0/8"]), "cloud": PlainTarget()}, today=TODAY)
    assert p["admin_cidrs"] == ["198.51.100.7/32"]
    assert "local" not in p


def test_a_target_without_its_code_is_refused_once():
    with pytest.raises(PlanError) as err:
        build_plan({"target": "cloud", "admin_cidrs": ["198.51.100.7/32"]},
                   {"local": LocalTarget([])}, today=TODAY)
    assert err.value.problems == ["vpnlab_target='cloud': is not available in this release of "
                                  "multicloud.vpnlab (available: local)"]


@pytest.mark.parametrize("subnet,expected", [
    ("10.1.1.0/24", ["10.1.1.0", "10.1.1.1", "10.1.1.2", "10.1.1.3", "10.1.1.255"]),
    ("10.2.0.16/28", ["10.2.0.16", "10.2.0.17", "10.2.0.18", "10.2.0.19", "10.2.0.31"]),
])
def test_reserved_addresses(subnet, expected):
    got = reserved_addresses(ipaddress.ip_network(subnet))
    assert sorted(got) == [ipaddress.ip_address(a) for a in expected]

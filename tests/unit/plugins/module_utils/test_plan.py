# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every rule of the lab plan, with a valid and an invalid case each."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws.spec import (
    DPD_DEFAULT_SECONDS as AWS_DPD_DEFAULT, DPD_DELAY_SECONDS as AWS_DPD_DELAY)
from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.spec import DPD_DEFAULT_SECONDS as AZURE_DPD_DEFAULT
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.plan import LocalTarget
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.vpnconn import describe_vpn_connection
from ansible_collections.multicloud.vpnlab.plugins.module_utils.plan import PlanError, build_plan, expiry
from ansible_collections.multicloud.vpnlab.plugins.module_utils.vm_rules import reserved_addresses
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
    ("expiry-text", {"expiry_days": "a week"}, "vpnlab_expiry_days='a week'", "whole number"),
    ("expiry-bool", {"expiry_days": True}, "vpnlab_expiry_days=True", "not true/false"),
    ("expiry-list", {"expiry_days": [7]}, "vpnlab_expiry_days=[7]", "whole number"),
    ("open-admin-text", {"allow_open_admin": "maybe"}, "vpnlab_allow_open_admin='maybe'",
     "true or false"),
    ("name-list", {"name": ["lab"]}, "vpnlab_name=['lab']", "must be a string"),
    ("target-bool", {"target": False}, "vpnlab_target=False", "one of local, cloud"),
    ("misspelt-variable", {"aws_vpc_cird": "10.9.0.0/16"}, "vpnlab_aws_vpc_cird: unknown",
     "did you mean vpnlab_aws_vpc_cidr?"),
    ("unknown-variable", {"colour": "blue"}, "vpnlab_colour: unknown variable", "lab_plan"),
    ("dpd-low", {"dpd_timeout_seconds": 8}, "vpnlab_dpd_timeout_seconds=8", "from 9 to 3600"),
    ("dpd-high", {"dpd_timeout_seconds": "3601"}, "vpnlab_dpd_timeout_seconds=3601",
     "from 9 to 3600 (Azure's limits)"),
    ("dpd-text", {"dpd_timeout_seconds": "45s"}, "vpnlab_dpd_timeout_seconds='45s'",
     "whole number, like %d" % AZURE_DPD_DEFAULT),
    ("endpoint-scheme", {"aws_endpoint_url": "ftp://127.0.0.1:5000"},
     "vpnlab_aws_endpoint_url='ftp://127.0.0.1:5000'", "http:// or https:// URL"),
    ("endpoint-no-host", {"aws_endpoint_url": "http://"}, "vpnlab_aws_endpoint_url='http://'",
     "with a host"),
    ("endpoint-bare", {"aws_endpoint_url": "localhost:5000"},
     "vpnlab_aws_endpoint_url='localhost:5000'", "http:// or https://"),
    ("endpoint-port", {"aws_endpoint_url": "http://127.0.0.1:99999"},
     "vpnlab_aws_endpoint_url='http://127.0.0.1:99999'", "URL"),
    ("endpoint-space", {"aws_endpoint_url": "http://moto :5000"},
     "vpnlab_aws_endpoint_url='http://moto :5000'", "URL"),
    ("endpoint-list", {"aws_endpoint_url": ["http://127.0.0.1:5000"]},
     "vpnlab_aws_endpoint_url=['http://127.0.0.1:5000']", "must be a string"),
    ("gateway-ip-garbage", {"azure_gateway_public_ip": "20.1.2"},
     "vpnlab_azure_gateway_public_ip='20.1.2'", "not a valid IPv4 address"),
    ("gateway-ip-v6", {"azure_gateway_public_ip": "2001:db8::1"},
     "vpnlab_azure_gateway_public_ip='2001:db8::1'", "must be an IPv4 address"),
    ("gateway-ip-cidr", {"azure_gateway_public_ip": "20.1.2.3/32"},
     "vpnlab_azure_gateway_public_ip='20.1.2.3/32'", "not a valid IPv4 address"),
    ("gateway-ip-loopback", {"azure_gateway_public_ip": "127.0.0.1"},
     "vpnlab_azure_gateway_public_ip='127.0.0.1'", "cannot be a VPN gateway's public address"),
    ("gateway-ip-any", {"azure_gateway_public_ip": "0.0.0.0"},
     "vpnlab_azure_gateway_public_ip='0.0.0.0'", "cannot be a VPN gateway's public address"),
    ("gateway-ip-multicast", {"azure_gateway_public_ip": "224.0.0.5"},
     "vpnlab_azure_gateway_public_ip='224.0.0.5'", "cannot be"),
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
    ("vm-missing-cloud", {"vms": VMS[:2] + [{"name": "vm3", "private_ip": "10.2.1.10"}]},
     "vpnlab_vms[2]=", "misses the key cloud"),
    ("vm-missing-name", {"vms": VMS[:2] + [{"cloud": "aws", "private_ip": "10.2.1.10"}]},
     "vpnlab_vms[2]=", "misses the key name"),
    ("vm-missing-all", {"vms": VMS + [{}]}, "vpnlab_vms[3]={}", "misses the keys name, cloud, "
     "private_ip"),
    ("vm-unknown-key", {"vms": vms_with(size="big")}, "vpnlab_vms[2].size='big'", "unknown key"),
    ("vm-public-ip", {"vms": vms_with(public_ip="203.0.113.9")},
     "vpnlab_vms[2].public_ip='203.0.113.9'", "unknown key; a VM has exactly the keys name, cloud "
     "and private_ip"),
    ("vm-misspelt-key", {"vms": VMS[:2] + [{"name": "vm3", "cloud": "aws", "privte_ip": "10.2.1.10"}]},
     "vpnlab_vms[2].privte_ip='10.2.1.10'", "did you mean private_ip?"),
    ("vm-not-dict", {"vms": VMS + ["vm4"]}, "vpnlab_vms[3]='vm4'", "must be a dict"),
    ("vm-list", {"vms": VMS + [["vm4", "aws", "10.2.1.11"]]},
     "vpnlab_vms[3]=['vm4', 'aws', '10.2.1.11']", "must be a dict"),
    ("vm-null", {"vms": VMS + [None]}, "vpnlab_vms[3]=None", "must be a dict"),
    ("vm-number", {"vms": VMS + [4]}, "vpnlab_vms[3]=4", "must be a dict"),
    ("vm-name-null", {"vms": vms_with(name=None)}, "vpnlab_vms[2].name=None", "1-12 characters"),
    ("vm-name-list", {"vms": vms_with(name=["vm3"])}, "vpnlab_vms[2].name=['vm3']", "1-12"),
    ("vm-name-dict", {"vms": VMS + [dict(VMS[2], name={"a": 1}, private_ip="10.2.1.11")]},
     "vpnlab_vms[3].name={'a': 1}", "1-12 characters"),
    ("vm-cloud-null", {"vms": vms_with(cloud=None)}, "vpnlab_vms[2].cloud=None", "one of azure"),
    ("vm-cloud-list", {"vms": vms_with(cloud=["aws"])}, "vpnlab_vms[2].cloud=['aws']",
     "one of azure, aws"),
    ("vm-cloud-dict", {"vms": vms_with(cloud={"aws": 1})}, "vpnlab_vms[2].cloud={'aws': 1}",
     "one of azure, aws"),
    ("vm-ip-int", {"vms": vms_with(private_ip=167903498)}, "vpnlab_vms[2].private_ip=167903498",
     "must be an IPv4 address"),
    ("vm-ip-null", {"vms": vms_with(private_ip=None)}, "vpnlab_vms[2].private_ip=None",
     "must be an IPv4 address"),
    ("vm-ip-bool", {"vms": vms_with(private_ip=True)}, "vpnlab_vms[2].private_ip=True",
     "must be an IPv4 address"),
    ("vm-ip-v6", {"vms": vms_with(private_ip="fd00::1")}, "vpnlab_vms[2].private_ip='fd00::1'",
     "must be an IPv4 address"),
    ("vms-dict", {"vms": VMS[0]}, "vpnlab_vms=", "must be a list of dicts"),
    ("vms-text", {"vms": "vm1"}, "vpnlab_vms='vm1'", """-e '{"vpnlab_vms": [{"""),
    ("vms-bad-json", {"vms": '[{"name": "vm1"'}, "vpnlab_vms=", "not valid JSON"),
    ("vms-empty", {"vms": []}, "vpnlab_vms=[]", "non-empty list"),
    ("vms-one-cloud", {"vms": VMS[:2]}, "vpnlab_vms=['vm1', 'vm2']", "at least one VM in aws"),
    ("psk-short", {"tunnel_psks": ["short"]}, "vpnlab_tunnel_psks[0]='<hidden, 5 characters>'",
     "8-64 characters"),
    ("psk-chars", {"tunnel_psks": ["", "has-a-dash-in-it"]},
     "vpnlab_tunnel_psks[1]='<hidden, 16 characters>'", "8-64 characters of A-Z"),
    ("psk-zero", {"tunnel_psks": ["0abcdefgh"]}, "vpnlab_tunnel_psks[0]=", "must not start with '0'"),
    # Names and keys are whole strings: a `$` anchor would also take them with a final newline.
    ("psk-trailing-newline", {"tunnel_psks": ["Secret.Key_123\n"]},
     "vpnlab_tunnel_psks[0]='<hidden, 15 characters>'", "8-64 characters of A-Z"),
    ("name-trailing-newline", {"name": "vpntest\n"}, "vpnlab_name='vpntest\\n'", "2-16 characters"),
    ("owner-trailing-newline", {"owner": "student\n"}, "vpnlab_owner='student\\n'", "1-20 characters"),
    ("env-trailing-newline", {"environment": "dev\n"}, "vpnlab_environment='dev\\n'", "1-8 characters"),
    ("azure-region-trailing-newline", {"azure_region": "westeurope\n"},
     "vpnlab_azure_region='westeurope\\n'", "Azure region name"),
    ("aws-region-trailing-newline", {"aws_region": "eu-central-1\n"},
     "vpnlab_aws_region='eu-central-1\\n'", "AWS region name"),
    ("vm-name-trailing-newline", {"vms": vms_with(name="vm3\n")}, "vpnlab_vms[2].name='vm3\\n'",
     "1-12 characters"),
    ("psk-long", {"tunnel_psks": ["a" * 65]}, "vpnlab_tunnel_psks[0]='<hidden, 65 characters>'",
     "8-64"),
    ("psk-three", {"tunnel_psks": ["abcdefgh1", "abcdefgh2", "abcdefgh3"]},
     "vpnlab_tunnel_psks='<hidden>'", "at most two"),
    ("psk-three-text", {"tunnel_psks": "abcdefgh1,abcdefgh2,abcdefgh3"},
     "vpnlab_tunnel_psks='<hidden>'", "at most two"),
    ("psk-dict", {"tunnel_psks": {"tunnel1": "abcdefgh1"}}, "vpnlab_tunnel_psks='<hidden>'",
     "must be a list of strings"),
    ("psk-number", {"tunnel_psks": [12345678]}, "vpnlab_tunnel_psks[0]='<hidden>'",
     "8-64 characters"),
    ("admin-dict", {"admin_cidrs": {"home": "198.18.7.0/24"}}, "vpnlab_admin_cidrs=",
     """-e '{"vpnlab_admin_cidrs": ["198.18.7.0/24"]}'"""),
    ("admin-json-garbage", {"admin_cidrs": '["198.18.7.0/24",]'}, "vpnlab_admin_cidrs=",
     "not valid JSON"),
    ("admin-json-element", {"admin_cidrs": '["198.18.7.0/24", 5]'}, "vpnlab_admin_cidrs[1]=5",
     "IPv4 network"),
    ("admin-comma-element", {"admin_cidrs": "198.18.7.0/24,my laptop"},
     "vpnlab_admin_cidrs[1]='my laptop'", "not a valid IPv4 CIDR"),
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


def test_all_at_once_with_a_typo_an_unreadable_value_and_malformed_vms():
    found = problems(aws_vpc_cird="10.9.0.0/16", expiry_days="abc", admin_cidrs='["198.18.7.0/24"]',
                     vms=[dict(VMS[0], public_ip="203.0.113.9"), ["vm2"], None,
                          {"name": "vm3", "private_ip": "10.2.1.10"}])
    expected = ["vpnlab_aws_vpc_cird: unknown variable", "vpnlab_expiry_days='abc': ",
                "vpnlab_vms[0].public_ip='203.0.113.9': unknown key", "vpnlab_vms[1]=['vm2']: ",
                "vpnlab_vms[2]=None: ",
                "vpnlab_vms[3]={'name': 'vm3', 'private_ip': '10.2.1.10'}: misses the key cloud",
                "vpnlab_vms=['vm1', 'vm3']: needs at least one VM in aws"]
    assert len(found) == len(expected), found
    assert all(p.startswith(e) for p, e in zip(found, expected)), found


def test_psk_never_in_any_message():
    secret = "0SecretKeyValue"
    with pytest.raises(PlanError) as err:
        plan(tunnel_psks=[secret, "x" * 70])
    assert secret not in str(err.value) and "x" * 70 not in str(err.value)


@pytest.mark.parametrize("psks", ['["SecretKeyValue1", ', {"SecretKeyValue1": "SecretKeyValue2"},
                                  "SecretKeyValue1,0SecretKeyValue2,SecretKeyValue3", 12345678])
def test_psk_never_in_a_message_about_its_form(psks):
    with pytest.raises(PlanError) as err:
        plan(tunnel_psks=psks)
    assert "SecretKeyValue" not in str(err.value) and "12345678" not in str(err.value)
    assert len(err.value.problems) == 1


def test_text_from_the_command_line_is_read_as_each_inputs_type():
    p = plan(expiry_days="3", allow_open_admin="yes", admin_cidrs='["0.0.0.0/0"]',
             tunnel_inside_cidrs="169.254.30.0/30, 169.254.31.0/30", dpd_timeout_seconds="60",
             vms='[{"name": "a", "cloud": "azure", "private_ip": "10.1.1.4"},'
                 ' {"name": "b", "cloud": "aws", "private_ip": "10.2.1.4"}]')
    assert p["tags"]["expires"] == "2026-11-28"
    assert p["admin_cidrs"] == ["0.0.0.0/0"]
    assert [t["inside_cidr"] for t in p["tunnels"]] == ["169.254.30.0/30", "169.254.31.0/30"]
    assert [v["name"] for v in p["vms"]] == ["a", "b"]
    assert p["crypto"]["azure_dpd_timeout_seconds"] == 60
    assert plan(admin_cidrs="198.18.7.0/24,198.18.8.0/24")["admin_cidrs"] == [
        "198.18.7.0/24", "198.18.8.0/24"]


@pytest.mark.parametrize("params,variable", [
    ({"azure_vnet_cidr": ["10.1.0.0/16"]}, "vpnlab_azure_vnet_cidr"),
    ({"vms": "vm1"}, "vpnlab_vms"),
    ({"tunnel_inside_cidrs": {"a": 1}}, "vpnlab_tunnel_inside_cidrs"),
    ({"local_aws_public_cidr": 7.5}, "vpnlab_local_aws_public_cidr"),
    ({"target": None, "name": ["x"]}, "vpnlab_name"),
])
def test_an_unreadable_value_is_one_problem_not_a_cascade(params, variable):
    found = problems(**params)
    assert len(found) == 1 and found[0].startswith(variable + "="), found


def test_none_means_the_default_and_outputs_are_ignored():
    p = plan(name=None, vms=None, plan={"lab": "old"}, vm_name="vm1", lab="x", group="lab_x")
    assert p["lab"] == "vpntest" and len(p["vms"]) == 3


def test_stand_ins_and_dpd_defaults_in_the_plan():
    p = plan()
    assert (p["aws"]["endpoint_url"], p["aws"]["emulated"]) == ("", False)
    assert p["azure"]["gateway_public_ip"] == ""
    assert (p["crypto"]["dpd_timeout_seconds"], p["crypto"]["dpd_delay_seconds"],
            p["crypto"]["azure_dpd_timeout_seconds"], p["crypto"]["tcp_mss"]) == (
                AWS_DPD_DEFAULT, AWS_DPD_DELAY, AZURE_DPD_DEFAULT, 1350)


@pytest.mark.parametrize("url", ["http://127.0.0.1:5000", "https://localstack.example:4566/",
                                 "http://[::1]:5000"])
def test_an_endpoint_url_marks_aws_as_emulated(url):
    p = plan(aws_endpoint_url=url, azure_gateway_public_ip="20.50.1.2", dpd_timeout_seconds=9)
    assert (p["aws"]["endpoint_url"], p["aws"]["emulated"]) == (url, True)
    assert p["azure"]["gateway_public_ip"] == "20.50.1.2"
    assert (p["crypto"]["azure_dpd_timeout_seconds"], p["crypto"]["dpd_timeout_seconds"]) == (9, 30)


@pytest.mark.parametrize("given,aws,azure,either", [
    ({}, False, False, False),
    ({"aws_endpoint_url": "http://127.0.0.1:5000"}, True, False, True),
    ({"azure_emulated": True}, False, True, True),
    ({"azure_emulated": "yes"}, False, True, True),
    ({"azure_emulated": "false"}, False, False, False),
    ({"aws_endpoint_url": "http://127.0.0.1:5000", "azure_emulated": True}, True, True, True),
])
def test_emulated_clouds_are_marked_for_the_roles(given, aws, azure, either):
    """The roles never connect to an address an emulator hands out: they read these flags."""
    p = plan(**given)
    assert (p["aws"]["emulated"], p["azure"]["emulated"], p["emulated"]) == (aws, azure, either)


def test_plans_do_not_share_their_crypto():
    first = plan()
    first["crypto"]["phase1"]["dh_group"] = 2
    assert plan()["crypto"]["phase1"]["dh_group"] == 14


def test_aws_dpd_of_the_emulated_vpn_connection_comes_from_the_plan():
    p = plan()
    p["crypto"].update(dpd_delay_seconds=5, dpd_timeout_seconds=40)
    xml = describe_vpn_connection(p, ["Psk.one.1234", "Psk.two.1234"])["CustomerGatewayConfiguration"]
    assert xml.count("<delay_interval>5</delay_interval>") == 2
    assert xml.count("<retries>8</retries>") == 2


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


# --- the expiry tag: fixed when the lab is created --------------------------------------------

RECORDED = {"expires": "2026-12-02", "days": 7}
LATER = TODAY + datetime.timedelta(days=9)

EXPIRY = [
    # name, vpnlab_expiry_days, what the state directory records, today, (expires, source)
    ("a fresh lab: today + the days", 7, None, TODAY, ("2026-12-02", "new")),
    ("a re-run a few days later keeps it", 7, RECORDED, TODAY + datetime.timedelta(days=3),
     ("2026-12-02", "recorded")),
    ("a re-run after the date keeps it too", 7, RECORDED, LATER, ("2026-12-02", "recorded")),
    ("other days: a new date, from today", 14, RECORDED, LATER, ("2026-12-18", "changed")),
    ("fewer days: a new date, from today", 1, RECORDED, LATER, ("2026-12-05", "changed")),
    ("a record without its days is kept", 7, {"expires": "2026-12-20"}, LATER,
     ("2026-12-20", "recorded")),
    ("an unreadable record is ignored", 7, {"expires": "soon", "days": 7}, TODAY,
     ("2026-12-02", "new")),
]


@pytest.mark.parametrize("name, days, recorded, today, expected", EXPIRY, ids=[c[0] for c in EXPIRY])
def test_expiry(name, days, recorded, today, expected):
    found = expiry(today, days, recorded)
    assert (found["expires"], found["source"], found["days"]) == expected + (days,)


def test_a_rerun_on_a_later_day_gives_the_same_tags():
    asked = []

    def recorded(state_dir, lab):
        asked.append((state_dir, lab))
        return record

    record = None
    first = build_plan({}, {"local": LocalTarget(HOST)}, today=TODAY, state_root="/st",
                       read_expiry=recorded)
    record = {"expires": first["expiry"]["expires"], "days": first["expiry"]["days"]}
    again = build_plan({}, {"local": LocalTarget(HOST)}, today=LATER, state_root="/st",
                       read_expiry=recorded)
    assert again["tags"] == first["tags"] and again["tags"]["expires"] == "2026-12-02"
    assert (first["expiry"]["source"], again["expiry"]["source"]) == ("new", "recorded")
    assert asked == [("/st/vpntest", "vpntest")] * 2
    # without a reader (or a record), the plan stays what it was: today + the days
    assert build_plan({}, {"local": LocalTarget(HOST)}, today=LATER)["tags"]["expires"] == "2026-12-11"


@pytest.mark.parametrize("root_length, refused", [(60, False), (72, False), (73, True), (120, True)])
def test_a_state_root_too_long_for_the_gateways_sockets_is_refused_first(root_length, refused):
    # <root>/<lab>/gateways/azure/charon.vici: with the lab vpntest that is root + 35 bytes,
    # and a Unix socket path holds 107 (charon would bind a truncated name, never found: CI).
    root = "/" + "r" * (root_length - 1)
    try:
        build_plan({}, {"local": LocalTarget(HOST)}, today=TODAY, state_root=root)
        found = []
    except PlanError as exc:
        found = exc.problems
    assert bool(found) is refused
    if refused:
        (problem,) = found
        assert problem.startswith("vpnlab_name='vpntest': the lab's state directory %s/vpntest is too long" % root)
        assert "over the 107 a Unix socket path can have; use a shorter VPNLAB_HOME (by %d bytes or more)" % (
            root_length + 35 - 107) in problem


def test_the_cloud_target_has_no_socket_limit():
    root = "/" + "r" * 150
    plan = build_plan({"target": "cloud", "admin_cidrs": ["192.0.2.10/32"]},
                      {"local": LocalTarget(HOST), "cloud": PlainTarget()}, today=TODAY, state_root=root)
    assert plan["state_dir"] == root + "/vpntest"


# --- routing: static (the default) or bgp (issue 16: planned, not built yet) -----------------

def test_static_routing_is_the_default_and_keeps_the_original_asns():
    p = plan()
    assert p["routing"] == {"mode": "static"}
    assert (p["aws"]["customer_gateway_asn"], p["aws"]["vpn_gateway_asn"]) == (65034, 64512)
    assert plan(aws_customer_gateway_asn=65100)["aws"]["customer_gateway_asn"] == 65100


def test_bgp_plans_microsofts_four_tunnels_with_the_azure_asn_for_the_customer_gateways():
    p = plan(routing="bgp")
    routing = p["routing"]
    assert routing["mode"] == "bgp" and routing["active_active"] is True and routing["azure_asn"] == 65515
    # Each ASN is published once: the customer gateways' and the AWS side's in the aws section.
    assert "customer_gateway_asn" not in routing and "aws_asn" not in routing
    assert (p["aws"]["customer_gateway_asn"], p["aws"]["vpn_gateway_asn"]) == (65515, 64512)
    assert [(t["inside_cidr"], t["aws_bgp_ip"], t["azure_bgp_ip"]) for t in routing["tunnels"]] == [
        ("169.254.21.0/30", "169.254.21.1", "169.254.21.2"), ("169.254.22.0/30", "169.254.22.1", "169.254.22.2"),
        ("169.254.21.4/30", "169.254.21.5", "169.254.21.6"), ("169.254.22.4/30", "169.254.22.5", "169.254.22.6")]
    assert [i["custom_bgp_ips"] for i in routing["instances"]] == [["169.254.21.2", "169.254.22.2"],
                                                                   ["169.254.21.6", "169.254.22.6"]]


def test_bgp_with_another_address_plan_and_asns():
    cidrs = ["169.254.21.8/30", "169.254.22.8/30", "169.254.21.12/30", "169.254.22.12/30"]
    p = plan(routing="bgp", azure_bgp_asn=65010, aws_vpn_gateway_asn=64600, bgp_inside_cidrs=cidrs,
             azure_vnet_cidr="10.31.0.0/16", azure_subnet_cidr="10.31.1.0/24",
             azure_gateway_subnet_cidr="10.31.0.0/27", aws_vpc_cidr="10.32.0.0/16",
             aws_subnet_cidr="10.32.1.0/24",
             vms=[{"name": "web", "cloud": "azure", "private_ip": "10.31.1.10"},
                  {"name": "db", "cloud": "aws", "private_ip": "10.32.1.10"}])
    assert [t["inside_cidr"] for t in p["routing"]["tunnels"]] == cidrs
    assert (p["routing"]["azure_asn"], p["aws"]["customer_gateway_asn"], p["aws"]["vpn_gateway_asn"]) == (65010, 65010, 64600)
    one = plan(routing="bgp", azure_active_active=False)
    assert len(one["routing"]["tunnels"]) == 2 and len(one["routing"]["instances"]) == 1


@pytest.mark.parametrize("params, expected", [
    # ASN clash: the two sides must differ.
    ({"routing": "bgp", "azure_bgp_asn": 64512},
     ["vpnlab_aws_vpn_gateway_asn=64512: is the Azure gateway's ASN too"]),
    # The customer gateways are Azure's: another explicit ASN is refused.
    ({"routing": "bgp", "aws_customer_gateway_asn": 65034},
     ["vpnlab_aws_customer_gateway_asn=65034: with BGP the AWS customer gateways stand for the Azure gateway"]),
    # Azure's reserved ASNs.
    ({"routing": "bgp", "azure_bgp_asn": 65518}, ["vpnlab_azure_bgp_asn=65518: 65518 is reserved by Azure"]),
    # APIPA outside Azure's range, and one of AWS's reserved /30s.
    ({"routing": "bgp", "bgp_inside_cidrs": ["169.254.21.0/30", "169.254.22.0/30", "169.254.30.0/30",
                                             "169.254.5.0/30"]},
     ["vpnlab_bgp_inside_cidrs[2]='169.254.30.0/30': 169.254.30.0/30 is outside 169.254.21.0-169.254.22.255",
      "vpnlab_bgp_inside_cidrs[3]='169.254.5.0/30': 169.254.5.0/30 is reserved by AWS"]),
    ({"routing": "bgp", "bgp_inside_cidrs": ["169.254.21.0/30"]},
     ["vpnlab_bgp_inside_cidrs=['169.254.21.0/30']: needs 4 /30s, one per tunnel"]),
    # The BGP-only inputs under static routing, and an unknown design.
    ({"azure_active_active": True}, ["vpnlab_azure_active_active=True: an active-active Azure gateway is the BGP design's"]),
    ({"routing": "ospf"}, ["vpnlab_routing='ospf': must be one of static, bgp"]),
])
def test_each_routing_conflict_is_refused_with_its_message(params, expected):
    found = problems(**params)
    assert len(found) == len(expected), found
    for message, start in zip(found, expected):
        assert message.startswith(start), (message, start)

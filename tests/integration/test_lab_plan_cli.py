# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""`ansible localhost -m multicloud.vpnlab.lab_plan` on the defaults and on each kind of bad input."""

from __future__ import annotations

import pytest

VM3 = {"name": "vm3", "cloud": "aws", "private_ip": "10.2.1.10"}
VMS = [{"name": "vm1", "cloud": "azure", "private_ip": "10.1.1.10"},
       {"name": "vm2", "cloud": "azure", "private_ip": "10.1.1.20"}, VM3]

BAD = [
    ("malformed-cidr", {"aws_vpc_cidr": "10.2.0.0/40"}, "vpnlab_aws_vpc_cidr='10.2.0.0/40': is not a valid IPv4 CIDR"),
    ("malformed-ip", {"vms": VMS[:2] + [dict(VM3, private_ip="10.2.1.x")]},
     "vpnlab_vms[2].private_ip='10.2.1.x': is not a valid IPv4 address"),
    ("clouds-overlap", {"aws_vpc_cidr": "10.0.0.0/16", "azure_vnet_cidr": "10.0.0.0/15", "azure_subnet_cidr": "10.1.1.0/24",
                        "azure_gateway_subnet_cidr": "10.1.0.0/27", "aws_subnet_cidr": "10.0.1.0/24",
                        "vms": VMS[:2] + [dict(VM3, private_ip="10.0.1.10")]},
     "vpnlab_aws_vpc_cidr='10.0.0.0/16': overlaps vpnlab_azure_vnet_cidr='10.0.0.0/15'"),
    ("link-local", {"aws_vpc_cidr": "169.254.0.0/16", "aws_subnet_cidr": "169.254.1.0/24",
                    "vms": VMS[:2] + [dict(VM3, private_ip="169.254.1.10")]}, "vpnlab_aws_vpc_cidr='169.254.0.0/16': overlaps 169.254.0.0/16"),
    ("admin-overlap", {"admin_cidrs": ["10.1.1.0/24"]}, "vpnlab_admin_cidrs[0]='10.1.1.0/24': overlaps vpnlab_azure_vnet_cidr"),
    ("subnet-outside", {"aws_subnet_cidr": "10.3.1.0/24"}, "vpnlab_aws_subnet_cidr='10.3.1.0/24': is not inside vpnlab_aws_vpc_cidr"),
    ("gateway-small", {"azure_gateway_subnet_cidr": "10.1.0.0/28"}, "vpnlab_azure_gateway_subnet_cidr='10.1.0.0/28': GatewaySubnet must be /27 or larger"),
    ("gateway-overlap", {"azure_gateway_subnet_cidr": "10.1.1.0/27"}, "vpnlab_azure_gateway_subnet_cidr='10.1.1.0/27': overlaps vpnlab_azure_subnet_cidr"),
    ("vm-outside", {"vms": VMS[:2] + [dict(VM3, private_ip="10.2.9.10")]}, "vpnlab_vms[2].private_ip='10.2.9.10': is not inside the aws subnet"),
    ("vm-reserved", {"vms": VMS[:2] + [dict(VM3, private_ip="10.2.1.1")]}, "vpnlab_vms[2].private_ip='10.2.1.1': is reserved by the cloud"),
    ("vm-dup-ip", {"vms": VMS + [dict(VM3, name="vm4")]}, "vpnlab_vms[3].private_ip='10.2.1.10': is used by another VM"),
    ("vm-dup-name", {"vms": VMS + [dict(VM3, private_ip="10.2.1.11")]}, "vpnlab_vms[3].name='vm3': is used by another VM"),
    ("vm-bad-name", {"vms": VMS[:2] + [dict(VM3, name="Vm_3")]}, "vpnlab_vms[2].name='Vm_3': must be 1-12 characters"),
    ("lab-name", {"name": "My Lab"}, "vpnlab_name='My Lab': must be 2-16 characters"),
    ("psk", {"tunnel_psks": ["0abcdefghij"]}, "vpnlab_tunnel_psks[0]='<hidden, 11 characters>': must not start with '0'"),
    ("admin-open", {"admin_cidrs": ["0.0.0.0/0"]}, "vpnlab_admin_cidrs[0]='0.0.0.0/0': opens SSH and ICMP to the whole internet"),
]


def test_defaults_give_the_original_lab(run_module):
    rc, result, out = run_module("multicloud.vpnlab.lab_plan", {})
    assert rc == 0, out
    plan = result["plan"]
    assert (plan["azure"]["vnet_cidr"], plan["azure"]["subnet_cidr"], plan["azure"]["gateway_subnet_cidr"]) == (
        "10.1.0.0/16", "10.1.1.0/24", "10.1.0.0/27")
    assert (plan["aws"]["vpc_cidr"], plan["aws"]["subnet_cidr"]) == ("10.2.0.0/16", "10.2.1.0/24")
    assert [(v["name"], v["private_ip"]) for v in plan["vms"]] == [("vm1", "10.1.1.10"), ("vm2", "10.1.1.20"), ("vm3", "10.2.1.10")]


def test_target_is_checked_by_the_module(run_module):
    rc, result, out = run_module("multicloud.vpnlab.lab_plan", {"target": "gcp"})
    assert rc != 0 and "value of target must be one of: local, cloud" in out


@pytest.mark.parametrize("args,message", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_input_fails_with_its_own_message(run_module, args, message):
    rc, result, out = run_module("multicloud.vpnlab.lab_plan", args)
    assert rc != 0, out
    assert result["failed"] is True
    assert any(p.startswith(message.split(": ")[0]) and message in p for p in result["problems"]), result["problems"]


def test_psk_is_not_in_the_output_even_at_vvv(run_module):
    secret = "0TopSecretKey1"
    rc, result, out = run_module("multicloud.vpnlab.lab_plan", {"tunnel_psks": [secret]}, "-vvv")
    assert rc != 0
    assert secret not in out

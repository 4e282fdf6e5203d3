# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""`ansible localhost -m multicloud.vpnlab.lab_plan` on the defaults and on each kind of bad input,
and the plan role (playbooks/plan.yml) on the variables users pass with -e: every one reaches the
plan, text is read as each input's type, and bad ones are named all at once with nothing created."""

from __future__ import annotations

import json
import secrets
import subprocess

import pytest

from ansible_run import BIN, ROOT, ansible_env

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
    ("admin-wide", {"admin_cidrs": ["2.0.0.0/7"]}, "vpnlab_admin_cidrs[0]='2.0.0.0/7': admits 33,554,432 addresses (/7)"),
    ("admin-union", {"admin_cidrs": ["1.0.0.0/8", "3.0.0.0/8"]},
     "vpnlab_admin_cidrs=['1.0.0.0/8', '3.0.0.0/8']: together admit 33,554,432 addresses"),
    ("asn-reserved", {"aws_customer_gateway_asn": 9059, "aws_region": "eu-west-1"},
     "vpnlab_aws_customer_gateway_asn=9059: is reserved by AWS in eu-west-1"),
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


def plan_playbook(home, *extra, callback="ansible.builtin.json"):
    """playbooks/plan.yml with VPNLAB_HOME=home; returns (rc, the plan task's result, output)."""
    proc = subprocess.run([str(BIN / "ansible-playbook"), "playbooks/plan.yml", *extra],
                          capture_output=True, text=True, cwd=ROOT, timeout=180, check=False,
                          env=ansible_env(VPNLAB_HOME=str(home), ANSIBLE_LOAD_CALLBACK_PLUGINS="1",
                                          ANSIBLE_STDOUT_CALLBACK=callback))
    output = proc.stdout + proc.stderr
    try:
        tasks = json.loads(proc.stdout)["plays"][0]["tasks"]
        result = next(t["hosts"]["localhost"] for t in tasks
                      if t["task"]["name"].endswith("Validate the lab inputs and derive the plan"))
    except (ValueError, KeyError, IndexError, StopIteration):
        result = None
    return proc.returncode, result, output


def lab_namespaces(lab):
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=False).stdout
    return [line.split()[0] for line in out.splitlines() if line.startswith("vpnlab-%s." % lab)]


@pytest.fixture
def lab():
    return "inp" + secrets.token_hex(3)


def assert_refused_with(rc, result, output, home, lab, expected):
    """Failed, every expected problem named (in any order: the variables come in Ansible's order),
    no traceback, nothing created."""
    assert rc != 0, output
    assert "Traceback" not in output and "MODULE FAILURE" not in output
    assert result and result["failed"] is True, output
    problems = result["problems"]
    assert len(problems) == len(expected), problems
    for start in expected:
        assert len([p for p in problems if p.startswith(start)]) == 1, (start, problems)
    assert not home.exists() and lab_namespaces(lab) == []


def test_role_passes_every_variable_and_reads_a_json_list_given_as_text(tmp_path, lab):
    home = tmp_path / "home"
    rc, result, output = plan_playbook(home, "-e", "vpnlab_name=" + lab, "-e",
                                       'vpnlab_admin_cidrs=["198.18.7.0/24"]', "-e",
                                       "vpnlab_expiry_days=3", "-e", "vpnlab_dpd_timeout_seconds=60")
    assert rc == 0, output
    plan = result["plan"]
    assert plan["lab"] == lab and plan["admin_cidrs"] == ["198.18.7.0/24"]
    assert plan["crypto"]["azure_dpd_timeout_seconds"] == 60
    assert plan["state_dir"] == "%s/%s" % (home, lab)
    assert not home.exists()


def test_role_names_a_misspelt_variable(tmp_path, lab):
    home = tmp_path / "home"
    rc, result, output = plan_playbook(home, "-e", "vpnlab_name=" + lab,
                                       "-e", "vpnlab_aws_vpc_cird=10.9.0.0/16")
    assert_refused_with(rc, result, output, home, lab, [
        "vpnlab_aws_vpc_cird: unknown variable; did you mean vpnlab_aws_vpc_cidr?"])


def test_role_names_every_bad_input_at_once(tmp_path, lab):
    home = tmp_path / "home"
    secret = "0Hidden.Key_" + secrets.token_hex(4)
    variables = {
        "vpnlab_name": lab,
        "vpnlab_tunnel_psks": [secret],
        "vpnlab_vms": [
            {"name": "vm1", "cloud": "azure", "private_ip": "10.1.1.10", "public_ip": "203.0.113.7"},
            {"name": "vm2", "private_ip": "10.1.1.20"},
            None,
            ["vm4", "aws", "10.2.1.11"],
            {"name": ["vm5"], "cloud": "aws", "private_ip": 167903499},
            {"name": "vm3", "cloud": "aws", "private_ip": "10.2.1.10"},
        ],
    }
    rc, result, output = plan_playbook(
        home, "-e", json.dumps(variables), "-e", "vpnlab_aws_vpc_cird=10.9.0.0/16",
        "-e", "vpnlab_expiry_days=soon", "-e", 'vpnlab_admin_cidrs=["198.18.7.0/24"')
    assert_refused_with(rc, result, output, home, lab, [
        "vpnlab_aws_vpc_cird: unknown variable; did you mean vpnlab_aws_vpc_cidr?",
        "vpnlab_expiry_days='soon': must be a whole number",
        "vpnlab_vms[0].public_ip='203.0.113.7': unknown key",
        "vpnlab_vms[1]={'name': 'vm2', 'private_ip': '10.1.1.20'}: misses the key cloud",
        "vpnlab_vms[2]=None: must be a dict",
        "vpnlab_vms[3]=['vm4', 'aws', '10.2.1.11']: must be a dict",
        "vpnlab_vms[4].name=['vm5']: must be 1-12 characters",
        "vpnlab_vms[4].private_ip=167903499: must be an IPv4 address",
        "vpnlab_tunnel_psks[0]='<hidden, ",
        "vpnlab_admin_cidrs='[\"198.18.7.0/24\"': looks like a JSON list but is not valid JSON",
    ])
    assert """pass it as JSON: -e '{"vpnlab_admin_cidrs": ["198.18.7.0/24"]}'""" in result["msg"]
    assert secret not in output


@pytest.mark.parametrize("psks", [["Good.Key_%s" % secrets.token_hex(4), ""],
                                  ["0Bad.Key_%s" % secrets.token_hex(4)]], ids=["valid", "invalid"])
def test_role_never_prints_a_psk_even_at_vvv(tmp_path, lab, psks):
    rc, dummy, output = plan_playbook(tmp_path / "home", "-e", json.dumps(
        {"vpnlab_name": lab, "vpnlab_tunnel_psks": psks}), "-vvv", callback="default")
    assert (rc == 0) == psks[0].startswith("Good"), output
    assert "vpnlab_tunnel_psks" in output and psks[0] not in output


def test_role_never_prints_a_psk_used_as_a_dict_key_even_at_vvv(tmp_path, lab):
    """Ansible masks values, not keys: a PSK given as a VM's key was printed in the module's
    invocation at -vvv (issue 13). Refused, named masked, no traceback, nothing created."""
    home = tmp_path / "home"
    psk = "Keyed.Psk_" + secrets.token_hex(4)
    variables = {"vpnlab_name": lab, "vpnlab_tunnel_psks": [psk, ""],
                 "vpnlab_vms": [dict(VMS[0], **{psk: "x"}), VM3]}
    rc, dummy, output = plan_playbook(home, "-e", json.dumps(variables), "-vvv", callback="default")
    assert rc != 0 and "Traceback" not in output, output
    assert psk not in output
    assert "vpnlab_vms[0].********='x': unknown key" in output
    assert not home.exists() and lab_namespaces(lab) == []


def test_bgp_is_planned_from_the_command_line_and_each_conflict_named(tmp_path, lab):
    """vpnlab_routing=bgp through the plan role: Microsoft's four tunnels and the ASNs; the
    conflicts refused, each with its message, nothing created."""
    home = tmp_path / "home"
    rc, result, output = plan_playbook(home, "-e", "vpnlab_name=" + lab, "-e", "vpnlab_routing=bgp")
    assert rc == 0, output
    routing = result["plan"]["routing"]
    assert routing["mode"] == "bgp" and len(routing["tunnels"]) == 4 and routing["azure_asn"] == 65515
    assert result["plan"]["aws"]["customer_gateway_asn"] == 65515
    assert not home.exists()
    rc, result, output = plan_playbook(
        home, "-e", "vpnlab_name=" + lab, "-e", "vpnlab_routing=bgp", "-e", "vpnlab_azure_bgp_asn=64512",
        "-e", 'vpnlab_bgp_inside_cidrs=["169.254.21.0/30","169.254.22.0/30","169.254.30.0/30","169.254.1.0/30"]')
    assert_refused_with(rc, result, output, home, lab, [
        "vpnlab_aws_vpn_gateway_asn=64512: is the Azure gateway's ASN too",
        "vpnlab_bgp_inside_cidrs[2]='169.254.30.0/30': 169.254.30.0/30 is outside",
        "vpnlab_bgp_inside_cidrs[3]='169.254.1.0/30': 169.254.1.0/30 is reserved by AWS"])

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The real tunnel_options module through the venv's Ansible: both input shapes, the XML, moto, no_log."""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]
BIN = Path(sys.executable).parent
FIXTURES = ROOT / "tests" / "unit" / "plugins" / "module_utils" / "fixtures"
CAMEL = json.loads((FIXTURES / "vpn_connection_camel.json").read_text())
SNAKE = json.loads((FIXTURES / "vpn_connection_snake.json").read_text())
XML = (FIXTURES / "customer_gateway_configuration.xml").read_text()
PSKS = ["vpnlab.Tunnel1_k3yA9xQ2wE", "vpnlab.Tunnel2_m7Rb4Zt8pL"]
MODULE = "multicloud.vpnlab.tunnel_options"
REGION = "eu-central-1"
# Dummy credentials for moto: they must not be substrings of any output, Ansible masks them.
CREDENTIALS = {"access_key": "AKIAVPNLABDUMMY00000", "secret_key": "vpnlab-dummy-secret-for-moto", "region": REGION}


def xml_only():
    vpn = copy.deepcopy(CAMEL)
    del vpn["Options"]["TunnelOptions"]
    vpn["CustomerGatewayConfiguration"] = XML
    return vpn


def ansible_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ANSIBLE_"))}
    env.update(PATH="%s:%s" % (BIN, env.get("PATH", "")), ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")
    env.update(extra)
    return env


def run_module(args, *options):
    """`ansible localhost -m MODULE -a JSON`: (rc, the host's result, all output)."""
    cmd = [str(BIN / "ansible"), "localhost", "-m", MODULE, "-a", json.dumps(args), *options]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=120, check=False,
                          env=ansible_env(ANSIBLE_LOAD_CALLBACK_PLUGINS="1", ANSIBLE_STDOUT_CALLBACK="ansible.builtin.json"))
    try:
        result = json.loads(proc.stdout)["plays"][0]["tasks"][0]["hosts"]["localhost"]
    except (ValueError, KeyError, IndexError):
        result = None
    return proc.returncode, result, proc.stdout + proc.stderr


def summary(tunnel):
    return (tunnel["name"], tunnel["outside_ip_address"], tunnel["pre_shared_key"], tunnel["tunnel_inside_cidr"],
            tunnel["ike_versions"], tunnel["phase1"], tunnel["phase2"], tunnel["dpd_timeout_seconds"], tunnel["source"])


PHASE1 = {"encryption_algorithms": ["AES256"], "integrity_algorithms": ["SHA2-256"], "dh_group_numbers": [14], "lifetime_seconds": 28800}
PHASE2 = dict(PHASE1, lifetime_seconds=3600)
FORMATS = [
    ("camel-check-mode", CAMEL, ["--check"], ["ikev2"], "tunnel_options"),
    ("snake", SNAKE, [], ["ikev2"], "tunnel_options"),
    ("xml-only", xml_only(), [], ["ikev1", "ikev2"], "customer_gateway_configuration"),
]


@pytest.mark.parametrize("vpn,options,ike,source", [f[1:] for f in FORMATS], ids=[f[0] for f in FORMATS])
def test_each_format_gives_two_tunnels(vpn, options, ike, source):
    rc, result, out = run_module({"vpn_connection": vpn}, *options)
    assert rc == 0, out
    assert result["changed"] is False
    assert [summary(t) for t in result["tunnels"]] == [
        ("tunnel1", "203.0.113.11", PSKS[0], "169.254.21.0/30", ike, PHASE1, PHASE2, 30, source),
        ("tunnel2", "203.0.113.12", PSKS[1], "169.254.22.0/30", ike, PHASE1, PHASE2, 30, source),
    ]
    assert (result["vpn_connection_id"], result["customer_gateway_id"], result["vpn_gateway_id"], result["static_routes_only"]) == (
        "vpn-0a1b2c3d4e5f60718", "cgw-0f1e2d3c4b5a69788", "vgw-04d3c2b1a0f9e8d7c", True)


MALFORMED = [
    ("no-psk", {"PreSharedKey": None},
     "tunnel2: no pre_shared_key (neither in Options.TunnelOptions nor in the CustomerGatewayConfiguration XML)"),
    ("psk-pasted-as-ip", {"OutsideIpAddress": PSKS[1]}, "tunnel2: outside_ip_address '<hidden>' is not a valid IPv4 address"),
]


@pytest.mark.parametrize("change,message", [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED])
def test_malformed_input_fails_without_a_psk_in_the_message(change, message):
    vpn = copy.deepcopy(CAMEL)
    vpn["Options"]["TunnelOptions"][1].update(change)
    rc, result, out = run_module({"vpn_connection": vpn})
    assert rc != 0, out
    assert result["failed"] is True
    assert result["msg"] == "Cannot read the tunnels: " + message
    assert not any(psk in result["msg"] + result.get("exception", "") for psk in PSKS)


def test_the_two_inputs_are_mutually_exclusive():
    rc, result, out = run_module({"vpn_connection": CAMEL, "vpn_connection_id": "vpn-0a1b2c3d4e5f60718"})
    assert rc != 0, out
    assert result["msg"] == "parameters are mutually exclusive: vpn_connection|vpn_connection_id"


PLAYBOOK = """
- name: Read the tunnels the way the roles do
  hosts: localhost
  gather_facts: false
  vars_files:
    - vpn.json
  tasks:
    - name: Normalise the VPN connection
      multicloud.vpnlab.tunnel_options:
        vpn_connection: "{{ vpn_connection }}"
      register: vpn_tunnels
      no_log: true

    - name: Use the keys
      ansible.builtin.assert:
        that:
          - vpn_tunnels.tunnels | map(attribute='pre_shared_key') | select('match', '^vpnlab[.]Tunnel') | list | length == 2
      no_log: true

    - name: Show what is not secret
      ansible.builtin.debug:
        msg: "{{ vpn_tunnels.tunnels | map(attribute='outside_ip_address') | join(' ') }}"
"""


def test_no_psk_in_the_output_at_vvv(tmp_path):
    vpn = copy.deepcopy(CAMEL)
    vpn["CustomerGatewayConfiguration"] = XML
    (tmp_path / "vpn.json").write_text(json.dumps({"vpn_connection": vpn}))
    (tmp_path / "site.yml").write_text(PLAYBOOK)
    proc = subprocess.run([str(BIN / "ansible-playbook"), "-vvv", str(tmp_path / "site.yml")], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120, check=False, env=ansible_env())
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "203.0.113.11 203.0.113.12" in out
    assert "censored" in out
    for psk in PSKS:
        assert psk not in out


# ---------------------------------------------------------------------------------------------
# vpn_connection_id against moto
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def moto_vpn():
    """A moto server on a free port of 127.0.0.1 with one VPN connection: (endpoint, connection)."""
    boto3 = pytest.importorskip("boto3")
    server_module = pytest.importorskip("moto.server")
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = "http://%s:%d" % (host, port)
        ec2 = boto3.client("ec2", endpoint_url=endpoint, region_name=REGION, aws_access_key_id=CREDENTIALS["access_key"],
                           aws_secret_access_key=CREDENTIALS["secret_key"])
        cgw = ec2.create_customer_gateway(BgpAsn=65000, PublicIp="198.51.100.10", Type="ipsec.1")["CustomerGateway"]
        vgw = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]
        created = ec2.create_vpn_connection(CustomerGatewayId=cgw["CustomerGatewayId"], VpnGatewayId=vgw["VpnGatewayId"],
                                            Type="ipsec.1", Options={"StaticRoutesOnly": True})["VpnConnection"]
        [vpn] = ec2.describe_vpn_connections(VpnConnectionIds=[created["VpnConnectionId"]])["VpnConnections"]
        yield endpoint, vpn
    finally:
        server.stop()


def test_vpn_connection_id_reads_moto(moto_vpn):
    endpoint, vpn = moto_vpn
    rc, result, out = run_module(dict(CREDENTIALS, vpn_connection_id=vpn["VpnConnectionId"], endpoint_url=endpoint))
    assert rc == 0, out
    xml = vpn["CustomerGatewayConfiguration"]
    assert "TunnelOptions" not in vpn.get("Options", {})
    assert (result["changed"], result["vpn_connection_id"], result["customer_gateway_id"], result["vpn_gateway_id"]) == (
        False, vpn["VpnConnectionId"], vpn["CustomerGatewayId"], vpn["VpnGatewayId"])
    tunnels = result["tunnels"]
    assert [t["name"] for t in tunnels] == ["tunnel1", "tunnel2"]
    assert [t["pre_shared_key"] for t in tunnels] == re.findall(r"<pre_shared_key>\s*(\S+?)\s*</pre_shared_key>", xml)
    assert [t["outside_ip_address"] for t in tunnels] == re.findall(
        r"<vpn_gateway>\s*<tunnel_outside_address>\s*<ip_address>\s*(\S+?)\s*</ip_address>", xml)
    for tunnel in tunnels:
        assert tunnel["source"] == "customer_gateway_configuration"
        assert re.fullmatch(r"169\.254\.\d+\.\d+/30", tunnel["tunnel_inside_cidr"])
        assert tunnel["phase1"]["encryption_algorithms"] and tunnel["phase2"]["dh_group_numbers"]


def test_missing_vpn_connection_id_fails_clearly(moto_vpn):
    endpoint = moto_vpn[0]
    rc, result, out = run_module(dict(CREDENTIALS, vpn_connection_id="vpn-0123456789abcdef0", endpoint_url=endpoint))
    assert rc != 0, out
    assert result["failed"] is True
    assert result["msg"] == "VPN connection vpn-0123456789abcdef0 not found in region eu-central-1"

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tunnel_options through ansible-playbook: no PSK in the output at -vvv, and module_defaults of
group/multicloud.vpnlab.aws (meta/runtime.yml) against a moto server in a loopback-only namespace.
The module's logic is tested in process: tests/unit/plugins/modules/test_tunnel_options_module.py."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

from moto_netns import run_with_moto

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
FIXTURES = ROOT / "tests" / "unit" / "plugins" / "module_utils" / "fixtures"
CAMEL = json.loads((FIXTURES / "vpn_connection_camel.json").read_text())
XML = (FIXTURES / "customer_gateway_configuration.xml").read_text()
PSKS = ["vpnlab.Tunnel1_k3yA9xQ2wE", "vpnlab.Tunnel2_m7Rb4Zt8pL"]


def ansible_env(**extra):
    """The repository's ansible.cfg, and no AWS_* or ANSIBLE_* setting from the caller."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ANSIBLE_"))}
    env.update(PATH="%s:%s" % (BIN, env.get("PATH", "")), ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")
    env.update(extra)
    return env


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


# One play with group/multicloud.vpnlab.aws only: the modules get region, endpoint and credentials
# from it alone (AWS_* variables are removed from the environment). A second play shows what the
# attribute docs say: group/amazon.aws.aws reaches amazon.aws's modules, not this collection's.
DEFAULTS_PLAYBOOK = """
- name: One module_defaults group for this collection's and amazon.aws's AWS modules
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/multicloud.vpnlab.aws: &aws
      endpoint_url: "{{ lookup('ansible.builtin.env', 'MOTO_ENDPOINT') }}"
      region: eu-central-1
      access_key: AKIAVPNLABDUMMY00000
      secret_key: vpnlab-dummy-secret-for-moto
  tasks:
    - name: Create a customer gateway (community.aws)
      community.aws.ec2_customer_gateway:
        name: vpnlab-defaults
        ip_address: 198.51.100.10
        bgp_asn: 65000
      register: cgw

    - name: Create a virtual private gateway (amazon.aws)
      amazon.aws.ec2_vpc_vgw:
        name: vpnlab-defaults
        type: ipsec.1
      register: vgw

    - name: Create a VPN connection (amazon.aws)
      amazon.aws.ec2_vpc_vpn:
        customer_gateway_id: "{{ cgw.gateway.customer_gateway.customer_gateway_id }}"
        vpn_gateway_id: "{{ vgw.vgw.id }}"
        static_only: true
      register: vpn

    - name: Read its tunnels (multicloud.vpnlab)
      multicloud.vpnlab.tunnel_options:
        vpn_connection_id: "{{ vpn.vpn_connection_id }}"
      register: tunnels
      no_log: true

    - name: Show what the module read
      ansible.builtin.debug:
        msg: "{{ tunnels.vpn_connection_id }} {{ tunnels.tunnels | length }} {{ tunnels.tunnels | map(attribute='source') | unique | join(',') }}"

- name: group/amazon.aws.aws alone
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/amazon.aws.aws: *aws
  tasks:
    - name: Reaches amazon.aws's modules
      amazon.aws.ec2_vpc_vpn_info:
        vpn_connection_ids: ["{{ vpn.vpn_connection_id }}"]
      register: vpn_info

    # An unknown ID: reached, the module would say "not found in region"; no key is ever read.
    - name: Does not reach this collection's
      multicloud.vpnlab.tunnel_options:
        vpn_connection_id: vpn-0123456789abcdef0
      register: not_reached
      ignore_errors: true

    - name: Show what happened
      ansible.builtin.debug:
        msg: "{{ vpn_info.vpn_connections | length }} {{ not_reached.failed }}"
"""


def task_results(stdout):
    """{task name: localhost's result} from the json callback's output."""
    plays = json.loads(stdout)["plays"]
    return {task["task"]["name"]: task["hosts"]["localhost"] for play in plays for task in play["tasks"]}


def test_module_defaults_group_reaches_tunnel_options(tmp_path):
    (tmp_path / "defaults.yml").write_text(DEFAULTS_PLAYBOOK)
    proc = run_with_moto([BIN / "ansible-playbook", tmp_path / "defaults.yml"], cwd=tmp_path, env=ansible_env(
        ANSIBLE_LOAD_CALLBACK_PLUGINS="1", ANSIBLE_STDOUT_CALLBACK="ansible.builtin.json"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    results = task_results(proc.stdout)
    vpn_id = results["Create a VPN connection (amazon.aws)"]["vpn_connection_id"]
    assert vpn_id.startswith("vpn-")
    assert results["Read its tunnels (multicloud.vpnlab)"]["censored"]
    assert results["Show what the module read"]["msg"] == "%s 2 customer_gateway_configuration" % vpn_id
    not_reached = results["Does not reach this collection's"]
    assert not_reached["failed"] is True
    assert not_reached["msg"].startswith("The multicloud.vpnlab.tunnel_options module requires a region"), not_reached
    assert results["Show what happened"]["msg"] == "1 True"

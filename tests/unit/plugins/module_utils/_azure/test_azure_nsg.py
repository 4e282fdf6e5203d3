# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Azure VMs' NSG rules: SSH/ICMP from the admins and the AWS VPC, ICMP from the probing VMs."""

from __future__ import annotations

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.nsg import nsg_rules
from ansible_collections.multicloud.vpnlab.plugins.module_utils.peers import PeerError, iperf3_public_sources

ADMINS, VPC = ["198.18.7.0/24"], "10.2.0.0/16"
BASE = [
    ("ssh-from-admins-and-aws", "Tcp", 22, ["198.18.7.0/24", "10.2.0.0/16"], 100),
    ("icmp-from-admins-and-aws", "Icmp", None, ["198.18.7.0/24", "10.2.0.0/16"], 110),
]

# (case, public IPs by cloud, sources of icmp-from-lab-vms or None when the rule is absent)
CASES = [
    ("default lab: the AWS VM and the other Azure VM", {"azure": ["20.1.1.2", "20.1.1.1"], "aws": ["3.3.3.3"]},
     ["3.3.3.3/32", "20.1.1.1/32", "20.1.1.2/32"]),
    ("one Azure VM: only the AWS VMs", {"azure": ["20.1.1.1"], "aws": ["3.3.3.3", "3.3.3.4"]},
     ["3.3.3.3/32", "3.3.3.4/32"]),
    ("Azure only, two VMs (the double's scenario)", {"azure": ["198.51.100.4", "198.51.100.5"]},
     ["198.51.100.4/32", "198.51.100.5/32"]),
    ("Azure only, one VM: no rule", {"azure": ["20.1.1.1"], "aws": []}, None),
    ("no public IP known yet (a dry run): no rule", {"azure": [], "aws": []}, None),
]


def table(rules):
    return [(r["name"], r["protocol"], r.get("destination_port_range"), r["source_address_prefix"], r["priority"])
            for r in rules]


@pytest.mark.parametrize("public_ips,peers", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_nsg_rules(public_ips, peers):
    rules = nsg_rules(ADMINS, VPC, public_ips)
    expected = BASE + ([("icmp-from-lab-vms", "Icmp", None, peers, 120)] if peers else [])
    assert table(rules) == expected
    assert {(r["access"], r["direction"]) for r in rules} == {("Allow", "Inbound")}


def test_no_port_but_ssh_is_opened_on_azure():
    """The Azure VMs serve no iperf3: the check's client is an Azure VM."""
    rules = nsg_rules(ADMINS, VPC, {"azure": ["20.1.1.1", "20.1.1.2"], "aws": ["3.3.3.3"]})
    assert [r["destination_port_range"] for r in rules if "destination_port_range" in r] == [22]
    assert iperf3_public_sources({"azure": ["20.1.1.1"], "aws": ["3.3.3.3"]}, "azure") == []


def test_open_admin_stays_on_ssh_and_icmp_only():
    # Only where the plan allowed it (vpnlab_allow_open_admin): test_admin_cidrs.py.
    rules = nsg_rules(["0.0.0.0/0"], VPC, {"azure": ["20.1.1.1"], "aws": ["3.3.3.3"]}, allow_open=True)
    assert [r["name"] for r in rules if "0.0.0.0/0" in r["source_address_prefix"]] == [
        "ssh-from-admins-and-aws", "icmp-from-admins-and-aws"]


def test_a_range_is_not_a_vm():
    with pytest.raises(PeerError, match="not an IPv4 address"):
        nsg_rules(ADMINS, VPC, {"azure": ["20.1.1.1"], "aws": ["3.3.0.0/16"]})

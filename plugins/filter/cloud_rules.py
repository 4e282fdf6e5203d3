# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters giving the cloud target's security rules that depend on the VMs' public IPs, known
only while the VMs are built: the AWS peer security group's and the Azure NSG's."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws.plan import peer_security_group_rules
from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.nsg import nsg_rules
from ansible_collections.multicloud.vpnlab.plugins.module_utils.peers import PeerError


def _public_ips(value, name):
    if not isinstance(value, dict):
        raise AnsibleFilterError("%s: the public IPs must be a dict {aws: [...], azure: [...]}, got %s"
                                 % (name, type(value).__name__))
    return {cloud: list(ips or []) for cloud, ips in value.items()}


def aws_peer_rules(public_ips):
    """amazon.aws.ec2_security_group `rules` of the AWS VMs' peer security group."""
    try:
        return peer_security_group_rules(_public_ips(public_ips, "aws_peer_rules"))
    except PeerError as exc:
        raise AnsibleFilterError("aws_peer_rules: %s" % exc) from None


def azure_nsg_rules(plan, public_ips):
    """azure.azcollection.azure_rm_securitygroup `rules` of the Azure VMs' NSG, from the lab plan."""
    try:
        return nsg_rules(plan["admin_cidrs"], plan["aws"]["vpc_cidr"], _public_ips(public_ips, "azure_nsg_rules"),
                         allow_open=plan.get("admin_open_allowed") is True)
    except (KeyError, TypeError) as exc:
        raise AnsibleFilterError("azure_nsg_rules: not a lab plan (no %s)" % exc) from None
    except PeerError as exc:
        raise AnsibleFilterError("azure_nsg_rules: %s" % exc) from None


class FilterModule:
    def filters(self):
        return {"aws_peer_rules": aws_peer_rules, "azure_nsg_rules": azure_nsg_rules}

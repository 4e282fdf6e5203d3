# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters that turn report.json into what the report templates draw, and tell the check when
lagging tunnel counters have caught up."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting.model import counters_settled as _settled
from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting.view import build_view


def report_view(report, network=None, max_pairs=24):
    """The view model of a report: verdict banner, SVG coordinates, colours, formatted numbers.

    ``network`` adds what the report does not hold (``azure_vnet_cidr``, ``aws_vpc_cidr``,
    ``azure_gateway_ip``, ``tcp_mss``); ``max_pairs`` bounds the per-pair chart of a big lab.
    """
    if not isinstance(report, dict):
        raise AnsibleFilterError("report_view expects the report as a dict, got %s"
                                 % type(report).__name__)
    if network is not None and not isinstance(network, dict):
        raise AnsibleFilterError("report_view: network must be a dict, got %s" % type(network).__name__)
    return build_view(report, network, int(max_pairs))


def counters_settled(evidence, min_growth_bytes=1, private_results=None, vms=None):
    """Whether the tunnels' counters read so far (``before`` and ``mid``) show the private probes'
    traffic (at least ``min_growth_bytes``), or cannot (unknown, or no private probe to the other
    cloud answered: ``private_results`` are the VMs' registered private probes, ``vms`` the lab's
    VMs with their clouds): the check then stops waiting."""
    if not isinstance(evidence, dict):
        raise AnsibleFilterError("counters_settled expects the evidence by phase as a dict, got %s"
                                 % type(evidence).__name__)
    for name, value in (("private_results", private_results), ("vms", vms)):
        if value is not None and not isinstance(value, (list, tuple)):
            raise AnsibleFilterError("counters_settled expects %s as a list, got %s" % (name, type(value).__name__))
    return _settled(evidence, int(min_growth_bytes), private_results, vms)


class FilterModule:
    def filters(self):
        return {"report_view": report_view, "counters_settled": counters_settled}

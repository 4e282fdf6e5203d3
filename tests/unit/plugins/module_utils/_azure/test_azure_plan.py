# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Azure part of the cloud target's plan, and resource ids."""

from __future__ import annotations

import datetime

from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws.plan import AwsPart
from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.ids import parse, resource_id, same
from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.plan import AzurePart
from ansible_collections.multicloud.vpnlab.plugins.module_utils.plan import build_plan
from ansible_collections.multicloud.vpnlab.plugins.module_utils.targets import CloudTarget

TODAY = datetime.date(2026, 11, 25)


def plan(**inputs):
    params = dict({"target": "cloud", "admin_cidrs": ["198.18.7.0/24"]}, **inputs)
    return build_plan(params, {"cloud": CloudTarget([AzurePart(), AwsPart()])}, today=TODAY)


def test_the_azure_part_provides_the_gateway_ip_so_aws_needs_no_stand_in():
    section = plan()["cloud"]
    assert section["parts"] == ["azure", "aws"]
    azure = section["azure"]
    assert azure["ipsec_policy"]["dh_group"] == "DHGroup14"
    # DPD is published once, in the plan's crypto section (azure_dpd_timeout_seconds).
    assert "dpd_timeout_seconds" not in azure
    assert azure["admin_user"] == "azureuser"
    assert azure["image"]["offer"] == "ubuntu-24_04-lts"
    assert azure["tag_filter"] == "tagName eq 'vpnlab' and tagValue eq 'vpntest'"


def test_the_dpd_timeout_input_reaches_the_azure_part():
    assert plan(dpd_timeout_seconds=60)["crypto"]["azure_dpd_timeout_seconds"] == 60


def test_ids():
    rid = resource_id("sub", "rg", "local_network_gateway", "lgw1")
    assert rid == "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/localNetworkGateways/lgw1"
    assert resource_id("sub", "rg", "connection", rid) == rid
    assert parse(rid) == {"subscription": "sub", "resource_group": "rg",
                          "type": "Microsoft.Network/localNetworkGateways", "name": "lgw1"}
    assert same(rid, rid.upper()) and not same(rid, rid + "x")

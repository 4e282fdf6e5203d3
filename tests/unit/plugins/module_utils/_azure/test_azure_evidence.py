# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Azure connections as the connectivity check's tunnel records."""

from __future__ import annotations

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.evidence import SOURCE, merge, tunnel_records

TUNNELS = [{"name": "tunnel1", "connection": "con1", "local_network_gateway": "lgw1"}]
LGWS = {"lgw1": {"gateway_ip_address": "203.0.113.10"}}


@pytest.mark.parametrize("state, status", [("Connected", "up"), ("NotConnected", "down"), ("Connecting", "down"),
                                           ("Unknown", "unknown"), (None, "unknown"), ("Weird", "unknown")])
def test_status(state, status):
    conn = {"con1": {"connection_status": state, "ingress_bytes_transferred": 5, "egress_bytes_transferred": 7,
                     "provisioning_state": "Succeeded"}}
    (record,) = tunnel_records(TUNNELS, conn, LGWS)
    assert record["status"] == status
    assert (record["bytes_in"], record["bytes_out"], record["outside_ip"], record["source"]) == (5, 7, "203.0.113.10", SOURCE)


def test_missing_connection_is_unknown_with_a_reason():
    (record,) = tunnel_records(TUNNELS, {}, {})
    assert record == {"name": "tunnel1", "outside_ip": None, "status": "unknown", "bytes_in": None,
                      "bytes_out": None, "source": SOURCE, "detail": "no connection con1 in Azure"}


def aws(status, ip="203.0.113.10"):
    return {"name": "tunnel1", "outside_ip": ip, "status": status, "bytes_in": None, "bytes_out": None,
            "source": "aws:VgwTelemetry", "detail": "aws says %s" % status}


def azure(status):
    return {"name": "tunnel1", "outside_ip": "203.0.113.10", "status": status, "bytes_in": 10, "bytes_out": 20,
            "source": SOURCE, "detail": "azure says %s" % status}


@pytest.mark.parametrize("theirs, ours, status", [
    ("up", "up", "up"), ("down", "down", "down"), ("unknown", "up", "up"), ("up", "unknown", "up"),
    ("unknown", "unknown", "unknown"), ("up", "down", "down"), ("down", "up", "down"),
])
def test_merge_status(theirs, ours, status):
    (record,) = merge([aws(theirs)], [azure(ours)])
    assert record["status"] == status
    assert (record["bytes_in"], record["bytes_out"]) == (10, 20)
    assert record["source"] == "aws:VgwTelemetry+azure:connections"
    assert record["detail"] == "aws:VgwTelemetry: aws says %s; azure:connections: azure says %s" % (theirs, ours)


def test_merge_keeps_tunnels_only_one_source_knows():
    other = dict(aws("up"), name="tunnel2")
    merged = merge([other], [azure("down")])
    assert [r["name"] for r in merged] == ["tunnel2", "tunnel1"]
    assert merged[0] == other

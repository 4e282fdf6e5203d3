# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Azure connections as the connectivity check's tunnel records."""

from __future__ import annotations

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.evidence import SOURCE, tunnel_records

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

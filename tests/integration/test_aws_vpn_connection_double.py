# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""aws_vpn_connection against the AWS EC2 TEST DOUBLE (tests/aws_double), which modifies one
tunnel at a time as AWS does: after a ModifyVpnTunnelOptions the connection is `modifying` for
`modify_seconds`, a second modify meanwhile is refused (IncorrectState), and a state filter of
pending/available does not list it. The module runs in process (tests/unit's aws_stub), its EC2
client the double's, from inside a network namespace with only loopback.

What the Stubber tests prove request by request, this proves against a server that keeps state:
the module modifies both tunnels without being refused, and a re-run right after (the connection
still `modifying`) finds the connection instead of creating a second one.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import boto3
import pytest

ROOT = Path(__file__).resolve().parents[2]
for path in (ROOT, ROOT / "tests" / "unit" / "plugins" / "modules"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

# pylint: disable=wrong-import-position
from aws_stub import run_with_client  # noqa: E402
from moto_netns import netns_available  # noqa: E402
from tests.aws_double.isolation import Isolated  # noqa: E402

KEYS = ("vpnlab.Tunnel1_k3yA9xQ2wE", "vpnlab.Tunnel2_m7Rb4Zt8pL")
MODIFY_SECONDS = 3.0
SETTINGS = {"pending_seconds": 0, "modify_seconds": MODIFY_SECONDS, "busy_error_code": "IncorrectState",
            "consistency_share": 0}
HARDENED = {"ike_versions": ["ikev2"], "phase1_encryption_algorithms": ["AES256-GCM-16"],
            "phase1_integrity_algorithms": ["SHA2-256"], "phase1_dh_group_numbers": [14],
            "phase1_lifetime_seconds": 28800, "phase2_encryption_algorithms": ["AES256-GCM-16"],
            "phase2_integrity_algorithms": ["SHA2-256"], "phase2_dh_group_numbers": [14],
            "phase2_lifetime_seconds": 3600, "dpd_timeout_seconds": 30, "dpd_timeout_action": "restart",
            "startup_action": "add"}


@pytest.fixture(scope="module")
def double(tmp_path_factory):
    if not netns_available():
        pytest.skip("needs root and unshare --net for a loopback-only network namespace")
    with Isolated(tmp_path_factory.mktemp("aws-double")) as iso:
        yield iso


@pytest.fixture
def ec2(double):
    assert double.control("reset", {}) == (200, {"ok": True})
    assert double.control("config", SETTINGS)[0] == 200
    with double.inside():
        yield boto3.session.Session().client("ec2")


def gateways(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]["VpcId"]
    cgw = ec2.create_customer_gateway(Type="ipsec.1", PublicIp="198.51.100.10", BgpAsn=65034)
    vgw = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    ec2.attach_vpn_gateway(VpcId=vpc, VpnGatewayId=vgw)
    return cgw["CustomerGateway"]["CustomerGatewayId"], vgw


def args(cgw, vgw, **change):
    options = dict(HARDENED, **change.pop("options", {}))
    return dict({"customer_gateway_id": cgw, "vpn_gateway_id": vgw,
                 "tunnels": [{"tunnel_inside_cidr": "169.254.21.0/30", "pre_shared_key": KEYS[0]},
                             {"tunnel_inside_cidr": "169.254.22.0/30", "pre_shared_key": KEYS[1]}],
                 "tunnel_options": options, "static_routes": ["10.1.0.0/16"],
                 "tags": {"Name": "dbl-vpn", "vpnlab": "dbl"}, "wait_timeout": 60}, **change)


def live_connections(ec2):
    return [c for c in ec2.describe_vpn_connections()["VpnConnections"] if c["State"] not in ("deleting", "deleted")]


def test_both_tunnels_modified_one_at_a_time_and_a_rerun_meanwhile_creates_no_second_connection(double, ec2):
    cgw, vgw = gateways(ec2)
    created, dummy = run_with_client("aws_vpn_connection", args(cgw, vgw), ec2)
    assert created["changed"] is True and not created.get("failed"), created
    vpn_id = created["vpn_connection"]["vpn_connection_id"]

    # Both tunnels differ; without waiting at the end, the connection is left `modifying`.
    started = time.monotonic()
    modified, dummy = run_with_client("aws_vpn_connection", args(cgw, vgw, options={"dpd_timeout_seconds": 40},
                                                                 wait=False), ec2)
    assert modified["changed"] is True and not modified.get("failed"), modified
    assert len(modified["modified_tunnels"]) == 2
    assert time.monotonic() - started >= MODIFY_SECONDS  # tunnel 2 waited for tunnel 1
    modifies = [e for e in double.requests() if e["action"] == "ModifyVpnTunnelOptions"]
    assert [e["status"] for e in modifies] == [200, 200], modifies  # never refused
    assert ec2.describe_vpn_connections(VpnConnectionIds=[vpn_id])["VpnConnections"][0]["State"] == "modifying"

    # The re-run meanwhile finds the connection, waits for it, and finds nothing to change.
    again, dummy = run_with_client("aws_vpn_connection", args(cgw, vgw, options={"dpd_timeout_seconds": 40}), ec2)
    assert again["changed"] is False and not again.get("failed"), again
    assert again["vpn_connection"]["vpn_connection_id"] == vpn_id
    assert [c["VpnConnectionId"] for c in live_connections(ec2)] == [vpn_id]
    tunnels = ec2.describe_vpn_connections(VpnConnectionIds=[vpn_id])["VpnConnections"][0]["Options"]["TunnelOptions"]
    assert [t["DpdTimeoutSeconds"] for t in tunnels] == [40, 40]

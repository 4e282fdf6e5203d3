# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Drift drills: changes made from outside, through the clouds' APIs only, as a colleague with
console access (or a policy) would make them. Run in the rehearsal's shell, where boto3 and the
Azure SDK reach the doubles; the next check must name what broke and the next site.yml repair it:

    make rehearse-shell CMD='python -m tests.rehearsal.drills tunnel-integrity'
    make rehearse-shell CMD='python -m tests.rehearsal.drills azure-key'
    make rehearse-shell CMD='python -m tests.rehearsal.drills nsg-icmp'

tunnel-integrity  both AWS tunnels' phase 1 integrity set to SHA2-512 only, one tunnel at a time
azure-key         the first Azure connection's shared key changed
nsg-icmp          the NSG rule that admits ICMP from the lab VMs' public addresses removed
bgp-peer-asn      (vpnlab_routing=bgp) the first BGP local network gateway's ASN changed, so
                  Azure expects another AS than AWS's: that session never comes up
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import time

LAB_TAG = "vpnlab"


def aws_connection(ec2, lab):
    found = ec2.describe_vpn_connections(Filters=[{"Name": "tag:%s" % LAB_TAG, "Values": [lab]}])["VpnConnections"]
    live = [c for c in found if c["State"] in ("available", "modifying", "pending")]
    if not live:
        sys.exit("no VPN connection of lab %s" % lab)
    return live[0]


def wait_available(ec2, connection_id, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = ec2.describe_vpn_connections(VpnConnectionIds=[connection_id])["VpnConnections"][0]["State"]
        if state == "available":
            return
        time.sleep(1)
    sys.exit("%s not available after %d s" % (connection_id, timeout))


def tunnel_integrity(lab):
    import boto3  # pylint: disable=import-outside-toplevel
    ec2 = boto3.client("ec2")
    connection = aws_connection(ec2, lab)
    for tunnel in connection["Options"]["TunnelOptions"]:
        wait_available(ec2, connection["VpnConnectionId"])
        ec2.modify_vpn_tunnel_options(VpnConnectionId=connection["VpnConnectionId"],
                                      VpnTunnelOutsideIpAddress=tunnel["OutsideIpAddress"],
                                      TunnelOptions={"Phase1IntegrityAlgorithms": [{"Value": "SHA2-512"}]})
        print("%s tunnel %s: phase 1 integrity SHA2-512 only" % (connection["VpnConnectionId"], tunnel["OutsideIpAddress"]))
    wait_available(ec2, connection["VpnConnectionId"])


def azure_clients():
    from azure.identity import ClientSecretCredential  # pylint: disable=import-outside-toplevel
    from azure.mgmt.network import NetworkManagementClient  # pylint: disable=import-outside-toplevel
    from azure.mgmt.resource import ResourceManagementClient  # pylint: disable=import-outside-toplevel
    cred = ClientSecretCredential(os.environ["AZURE_TENANT"], os.environ["AZURE_CLIENT_ID"], os.environ["AZURE_SECRET"])
    sub = os.environ["AZURE_SUBSCRIPTION_ID"]
    return ResourceManagementClient(cred, sub), NetworkManagementClient(cred, sub)


def resource_group(resources, lab):
    for group in resources.resource_groups.list(filter="tagName eq '%s' and tagValue eq '%s'" % (LAB_TAG, lab)):
        return group.name
    sys.exit("no resource group of lab %s" % lab)


def azure_key(lab):
    resources, network = azure_clients()
    group = resource_group(resources, lab)
    connection = sorted(network.virtual_network_gateway_connections.list(group), key=lambda c: c.name)[0]
    network.virtual_network_gateway_connections.begin_set_shared_key(
        group, connection.name, {"value": "Drift" + secrets.token_hex(12)}).result()
    print("connection %s: shared key changed" % connection.name)


def nsg_icmp(lab):
    resources, network = azure_clients()
    group = resource_group(resources, lab)
    for nsg in network.network_security_groups.list(group):
        kept = [r for r in nsg.security_rules or [] if r.name != "icmp-from-lab-vms"]
        if len(kept) < len(nsg.security_rules or []):
            nsg.security_rules = kept
            network.network_security_groups.begin_create_or_update(group, nsg.name, nsg).result()
            print("NSG %s: rule icmp-from-lab-vms removed" % nsg.name)
            return
    sys.exit("no rule icmp-from-lab-vms in lab %s's NSGs" % lab)


def bgp_peer_asn(lab):
    resources, network = azure_clients()
    group = resource_group(resources, lab)
    found = sorted((g for g in network.local_network_gateways.list(group) if g.bgp_settings),
                   key=lambda g: g.name)
    if not found:
        sys.exit("no BGP local network gateway in lab %s (is it vpnlab_routing=bgp?)" % lab)
    gateway = found[0]
    before = gateway.bgp_settings.asn
    gateway.bgp_settings.asn = 64999 if before != 64999 else 64998
    network.local_network_gateways.begin_create_or_update(group, gateway.name, gateway).result()
    print("local network gateway %s: BGP peer ASN %s -> %s" % (gateway.name, before, gateway.bgp_settings.asn))


DRILLS = {"tunnel-integrity": tunnel_integrity, "azure-key": azure_key, "nsg-icmp": nsg_icmp,
          "bgp-peer-asn": bgp_peer_asn}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.rehearsal.drills", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("drill", choices=sorted(DRILLS))
    parser.add_argument("--lab", default=os.environ.get("VPNLAB_REHEARSAL_LAB", "vpntest"))
    args = parser.parse_args(argv)
    DRILLS[args.drill](args.lab)
    return 0


if __name__ == "__main__":
    sys.exit(main())

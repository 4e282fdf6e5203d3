# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The BGP design's Azure objects (issue 16) through the collection's modules, against the Azure
TEST DOUBLE: the active-active VPN gateway with BGP and custom APIPA addresses
(azure_vpn_gateway), the local network gateways with the AWS tunnels' BGP peers
(azure_local_network_gateway's bgp) and the connections with BGP that name each instance's
custom address (azure_vpn_connection's enable_bgp, custom_bgp_ip_addresses). The stock
azure_rm_virtualnetworkgateway's fault is shown first: it cannot build this gateway.

Addresses are Microsoft's guide's: VPN connection 1 tunnels 169.254.21.0/30 and 169.254.22.0/30
(instance 0 speaks from .2 of each), VPN connection 2 169.254.21.4/30 and 169.254.22.4/30
(instance 1 from .6)."""

from __future__ import annotations

import pytest

from playbooks import fingerprint, play

GROUP = "rg-bgp"
LOC = "westeurope"
TAGS = {"vpnlab": "bgptest", "managed_by": "multicloud.vpnlab"}
KEY = "Key.for_vpn1_tunnel1"
INSTANCES = [{"public_ip_address": "pip-gw", "custom_bgp_ip_addresses": ["169.254.21.2", "169.254.22.2"]},
             {"public_ip_address": "pip-gw2", "custom_bgp_ip_addresses": ["169.254.21.6", "169.254.22.6"]}]


@pytest.fixture
def network(clients):
    """RG, VNet with GatewaySubnet, two Standard zonal public IPs: what the gateway needs."""
    net, sub = clients["network"], clients["env"]["AZURE_SUBSCRIPTION_ID"]
    clients["resource"].resource_groups.create_or_update(GROUP, {"location": LOC, "tags": TAGS})
    net.virtual_networks.begin_create_or_update(GROUP, "vnet", {
        "location": LOC, "address_space": {"address_prefixes": ["10.1.0.0/16"]},
        "subnets": [{"name": "GatewaySubnet", "address_prefix": "10.1.0.0/27"}]}).result()
    for name in ("pip-gw", "pip-gw2"):
        net.public_ip_addresses.begin_create_or_update(GROUP, name, {
            "location": LOC, "sku": {"name": "Standard"}, "public_ip_allocation_method": "Static",
            "zones": ["1", "2", "3"]}).result()
    clients["base"] = "/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Network" % (sub, GROUP)
    return clients


def gateway(**extra):
    args = dict(resource_group=GROUP, name="gw", virtual_network="vnet", bgp_asn=65515, instances=INSTANCES, tags=TAGS)
    args.update(extra)
    return {"name": "gw", "multicloud.vpnlab.azure_vpn_gateway": args}


def lgw(name="lgw1", peer="169.254.21.1", asn=64512):
    return {"name": name, "multicloud.vpnlab.azure_local_network_gateway": {
        "resource_group": GROUP, "name": name, "gateway_ip_address": "203.0.113.10",
        "bgp": {"asn": asn, "bgp_peering_address": peer}, "tags": TAGS}}


def connection(addresses=("169.254.21.2", "169.254.21.6"), **extra):
    args = dict(resource_group=GROUP, name="con1", virtual_network_gateway="gw", local_network_gateway="lgw1",
                shared_key=KEY, enable_bgp=True, custom_bgp_ip_addresses=list(addresses), tags=TAGS)
    args.update(extra)
    return {"name": "con", "multicloud.vpnlab.azure_vpn_connection": args, "no_log": False}


def puts(double, suffix, since=0):
    return [r for r in double.requests()[since:] if r["method"] == "PUT" and r["path"].endswith(suffix)]


def test_the_stock_module_cannot_build_this_gateway(network):
    double = network["double"]

    def stock(bgp):
        return {"name": "stock", "azure.azcollection.azure_rm_virtualnetworkgateway": {
            "resource_group": GROUP, "name": "gw", "virtual_network": "vnet", "sku": "VpnGw1AZ", "enable_bgp": True,
            "bgp_settings": bgp, "ip_configurations": [{"name": "default", "public_ip_address_name": "pip-gw"},
                                                       {"name": "activeActive", "public_ip_address_name": "pip-gw2"}]}}
    # No BGP address of any kind: its bgp_settings takes the ASN alone.
    refused = play(double, [stock({"asn": 65515, "bgp_peering_address": "169.254.21.2"})])
    assert refused.rc != 0 and "Supported parameters include: asn" in refused.output
    # Two instances: both configurations are sent on the first public IP, without active-active.
    result = play(double, [stock({"asn": 65515})])
    assert result.rc != 0
    (sent,) = puts(double, "/virtualNetworkGateways/gw")
    props = sent["body"]["properties"]
    assert [c["properties"]["publicIPAddress"]["id"].split("/")[-1] for c in props["ipConfigurations"]] == [
        "pip-gw", "pip-gw"]
    assert "activeActive" not in props and props["bgpSettings"] == {"asn": 65515}
    assert "active-standby gateway has 1 ipConfiguration(s), not 2" in result.output


def test_ours_builds_the_active_active_bgp_gateway_and_a_rerun_changes_nothing(network):
    double = network["double"]
    first = play(double, [gateway()])
    again = play(double, [gateway()])
    assert first.rc == 0, first.output
    assert first["gw"]["changed"] is True and again["gw"]["changed"] is False, again["gw"]
    (sent,) = puts(double, "/virtualNetworkGateways/gw")
    props = sent["body"]["properties"]
    assert props["activeActive"] is True and props["enableBgp"] is True
    assert [c["name"] for c in props["ipConfigurations"]] == ["default", "activeActive"]
    assert [c["properties"]["publicIPAddress"]["id"].split("/")[-1] for c in props["ipConfigurations"]] == [
        "pip-gw", "pip-gw2"]
    assert props["bgpSettings"]["asn"] == 65515
    assert [(e["ipconfigurationId"].split("/")[-1], e["customBgpIpAddresses"])
            for e in props["bgpSettings"]["bgpPeeringAddresses"]] == [
        ("default", ["169.254.21.2", "169.254.22.2"]), ("activeActive", ["169.254.21.6", "169.254.22.6"])]
    shown = again["gw"]["gateway"]
    assert shown["active_active"] is True and shown["bgp_asn"] == 65515
    assert [(i["ip_configuration"], i["custom_bgp_ips"], len(i["default_bgp_ips"]), len(i["tunnel_ips"]))
            for i in shown["instances"]] == [("default", ["169.254.21.2", "169.254.22.2"], 1, 1),
                                             ("activeActive", ["169.254.21.6", "169.254.22.6"], 1, 1)]
    # Each instance has its own default BGP address and its own public IP.
    assert shown["instances"][0]["default_bgp_ips"] != shown["instances"][1]["default_bgp_ips"]
    assert shown["instances"][0]["tunnel_ips"] != shown["instances"][1]["tunnel_ips"]


def test_a_changed_custom_address_is_sent_once(network):
    double = network["double"]
    assert play(double, [gateway()]).rc == 0
    moved = [dict(INSTANCES[0]), dict(INSTANCES[1], custom_bgp_ip_addresses=["169.254.21.6", "169.254.22.10"])]
    changed = play(double, [gateway(instances=moved)])
    again = play(double, [gateway(instances=moved)])
    assert changed["gw"]["changed_fields"] == ["custom_bgp_ip_addresses"], changed.output
    assert again["gw"]["changed"] is False
    assert len(puts(double, "/virtualNetworkGateways/gw")) == 2


def test_bad_gateway_inputs_stop_before_anything_is_sent(network):
    double = network["double"]
    outside = [dict(INSTANCES[0], custom_bgp_ip_addresses=["169.254.30.2"]), INSTANCES[1]]
    same_ip = [INSTANCES[0], dict(INSTANCES[1], public_ip_address="pip-gw")]
    no_bgp = [dict(INSTANCES[0])]
    cases = [(gateway(instances=outside), "169.254.30.2 is not an address Azure accepts"),
             (gateway(instances=same_ip), "two different public IPs"),
             (gateway(instances=no_bgp, bgp_asn=None), "custom BGP addresses need BGP")]
    for task, message in cases:
        result = play(double, [task])
        assert result.rc != 0 and message in result.output, result.output
    assert puts(double, "/virtualNetworkGateways/gw") == []


def test_a_generation_azure_cannot_change_is_refused_with_the_field_named(network):
    double = network["double"]
    assert play(double, [gateway(sku="VpnGw2AZ")]).rc == 0
    result = play(double, [gateway(sku="VpnGw2AZ", generation="Generation2")])
    assert result.rc != 0
    assert "vpn_gateway_generation" in result.output and "delete it first" in result.output
    assert len(puts(double, "/virtualNetworkGateways/gw")) == 1


def test_check_mode_writes_nothing_and_absent_twice(network):
    double = network["double"]
    assert play(double, [gateway()], check=True)["gw"]["changed"] is True
    assert puts(double, "/virtualNetworkGateways/gw") == []
    assert play(double, [gateway()]).rc == 0
    gone = gateway(state="absent")
    assert play(double, [gone])["gw"]["changed"] is True
    assert play(double, [gone])["gw"]["changed"] is False


def test_bgp_connection_names_each_instances_custom_address_and_a_rerun_changes_nothing(network):
    double = network["double"]
    assert play(double, [gateway(), lgw()]).rc == 0
    first = play(double, [connection()])
    again = play(double, [lgw(), connection()])
    assert first.rc == 0, first.output
    assert again["lgw1"]["changed"] is False and again["con"]["changed"] is False, again.output
    (peer,) = puts(double, "/localNetworkGateways/lgw1")
    assert peer["body"]["properties"]["bgpSettings"]["asn"] == 64512
    assert peer["body"]["properties"]["bgpSettings"]["bgpPeeringAddress"] == "169.254.21.1"
    (sent,) = puts(double, "/connections/con1")
    props = sent["body"]["properties"]
    assert props["enableBgp"] is True and props["sharedKey"] == fingerprint(KEY)
    pairs = [(e["ipConfigurationId"].split("/")[-1], e["customBgpIpAddress"]) for e in props["gatewayCustomBgpIpAddresses"]]
    assert pairs == [("default", "169.254.21.2"), ("activeActive", "169.254.21.6")]
    assert KEY not in first.output + again.output


def test_a_connection_refused_for_its_bgp_addresses(network):
    double = network["double"]
    assert play(double, [gateway(), lgw()]).rc == 0
    # Not one of the instance's custom addresses: the module says so, nothing is sent.
    wrong = play(double, [connection(addresses=("169.254.21.2", "169.254.21.10"))])
    assert wrong.rc != 0 and "169.254.21.10 is not a custom BGP address of the gateway's instance activeActive" \
        in wrong.output, wrong.output
    # One address for a gateway of two instances.
    short = play(double, [connection(addresses=("169.254.21.2",))])
    assert short.rc != 0 and "names 2 custom BGP addresses, got 1" in short.output
    # No custom addresses on a gateway that has some: Azure accepts it and speaks from each
    # instance's first address on every connection (Microsoft's AWS-BGP guide), so the module refuses.
    bare = play(double, [connection(addresses=())])
    assert bare.rc != 0 and "without them Azure uses each instance's first address on every connection" in bare.output
    assert puts(double, "/connections/con1") == []
    # BGP on a connection whose local network gateway has none.
    assert play(double, [{"name": "plain", "multicloud.vpnlab.azure_local_network_gateway": {
        "resource_group": GROUP, "name": "lgw2", "gateway_ip_address": "203.0.113.11"}}]).rc == 0
    plain = play(double, [connection(name="con2", local_network_gateway="lgw2")])
    assert plain.rc != 0 and "BgpSettingsNotSpecifiedForLocalNetworkGateway" in plain.output


def test_a_peer_asn_azure_reserves_is_refused(network):
    double = network["double"]
    result = play(double, [lgw(asn=65515)])
    assert result.rc != 0 and "InvalidBgpAsn" in result.output


def test_the_gateways_bgp_peers_and_learned_routes_as_the_checks_speakers(network):
    """azure_vpn_connection_info with gateway: getBgpPeerStatus and getLearnedRoutes through the
    SDK (long-running POSTs), each peer and route placed on its instance by the AWS address it
    comes from; the VNet's own prefix (origin Network) is not a learned route."""
    double = network["double"]
    assert play(double, [gateway(), lgw(), connection(), lgw("lgw2", peer="169.254.21.5"),
                         connection(name="con2", local_network_gateway="lgw2")]).rc == 0
    tunnels = [{"name": "vpn1-tunnel1", "connection": "con1", "local_network_gateway": "lgw1",
                "peer_bgp_ip": "169.254.21.1", "vpn_connection": 0},
               {"name": "vpn2-tunnel1", "connection": "con2", "local_network_gateway": "lgw2",
                "peer_bgp_ip": "169.254.21.5", "vpn_connection": 1}]
    info = {"name": "info", "multicloud.vpnlab.azure_vpn_connection_info": {
        "resource_group": GROUP, "tunnels": tunnels, "gateway": "gw", "expects": ["10.2.0.0/16"]}}
    before = play(double, [info])
    assert before.rc == 0, before.output
    routing = before["info"]["routing"]
    assert sorted(routing) == ["azure0", "azure1", "vnet"]
    # Nothing said by a data plane yet: the peers are listed, no session is up, nothing learned.
    assert [(s["description"], s["state"]) for s in routing["vnet"]["sessions"]] == [
        ("vpn1-tunnel1", "Unknown"), ("vpn2-tunnel1", "Unknown")]
    assert routing["vnet"]["routes"] == []
    said = double.control("bgp", {"gateway": "gw", "peers": [
        {"neighbor": "169.254.21.1", "state": "Connected", "routesReceived": 1},
        {"neighbor": "169.254.21.5", "state": "Connecting", "routesReceived": 0}],
        "routes": [{"network": "10.2.0.0/16", "sourcePeer": "169.254.21.1", "origin": "EBgp"}]})
    assert said == {"updated": 1}
    after = play(double, [info])["info"]["routing"]
    assert after["azure0"]["sessions"] == [{"address": "169.254.21.1", "description": "vpn1-tunnel1",
                                            "state": "Established", "prefixes_received": 1}]
    assert after["azure0"]["routes"] == [{"prefix": "10.2.0.0/16", "next_hops": ["169.254.21.1"]}]
    assert after["azure1"]["sessions"][0]["state"] == "Connecting" and after["azure1"]["routes"] == []
    assert after["vnet"]["routes"] == [{"prefix": "10.2.0.0/16", "next_hops": ["169.254.21.1"]}]
    posts = [r["path"].rsplit("/", 1)[-1] for r in double.requests() if r["method"] == "POST"]
    assert {"getBgpPeerStatus", "getLearnedRoutes"} <= set(posts)

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The BGP design's data plane from the clouds' objects alone: the VGW's speaker from dynamic
VPN connections, the Azure gateway's two instances and their speakers from an active-active BGP
gateway, its connections and local network gateways; each side takes its own objects' values,
so a value that differs between the clouds leaves a session down instead of being fixed here."""

from __future__ import annotations

import copy

import pytest

from tests.rehearsal import addressing as ad
from tests.rehearsal import design as dp
from tests.rehearsal import gateways
from tests.rehearsal import speakers as sp
from tests.unit.rehearsal.test_design import SUB, aws_region, azure, res
from tests.unit.rehearsal.test_ipsec import AWS_TUNNEL

VGW = ad.netns("lab", "aws", "vgw-1")
INSTANCE0, INSTANCE1 = ad.netns("lab", "az", "gw"), ad.netns("lab", "az", "gw", "i1")
VNET = ad.netns("lab", "az", "vnet")


def dynamic_region(inside=("169.254.21.0/30", "169.254.22.0/30"), cgw_asn="65515", vgw_asn=64512):
    region = aws_region()
    region["vpn_gateways"][0]["AmazonSideAsn"] = vgw_asn
    region["customer_gateways"][0]["BgpAsn"] = cgw_asn
    conn = region["vpn_connections"][0]
    conn["Options"] = {"StaticRoutesOnly": False, "TunnelOptions": [
        dict(AWS_TUNNEL, TunnelInsideCidr=inside[0]),
        dict(AWS_TUNNEL, OutsideIpAddress="203.0.113.2", TunnelInsideCidr=inside[1])]}
    conn["Routes"] = []
    region["route_tables"][0]["Routes"][1] = {"DestinationCidrBlock": "10.1.0.0/16", "GatewayId": "vgw-1",
                                              "Origin": "EnableVgwRoutePropagation", "State": "active"}
    return region


def aws_plane(region):
    return dp.design("lab", {"eu-central-1": region}, [], dp.Allocator())


def test_a_dynamic_connection_gives_the_vgw_a_speaker_from_its_tunnels_inside_cidrs():
    p = aws_plane(dynamic_region())
    speaker = p.speakers[VGW]
    assert speaker["asn"] == 64512 and speaker["networks"] == ["10.2.0.0/16"]
    assert [(n["address"], n["remote_asn"], n["source"]) for n in speaker["neighbors"]] == [
        ("169.254.21.2", 65515, "169.254.21.1"), ("169.254.22.2", 65515, "169.254.22.1")]
    assert p.namespaces[VGW]["addresses"]["bgp0"] == ["169.254.21.1/32", "169.254.22.1/32"]
    assert {"ifname": "bgp0", "kind": "bridge"} in p.namespaces[VGW]["links"]
    # Each session's way is its own tunnel: a CHILD SA for its /32 pair next to the tunnel's.
    children = p.gateways[VGW]["conns"]["vpn-1-t2"]["children"]
    assert sorted(children) == ["vpn-1-t2", "vpn-1-t2-bgp"]
    assert (children["vpn-1-t2"]["local_ts"], children["vpn-1-t2"]["remote_ts"]) == (["0.0.0.0/0"], ["0.0.0.0/0"])
    bgp = children["vpn-1-t2-bgp"]
    assert (bgp["local_ts"], bgp["remote_ts"]) == (["169.254.22.1/32"], ["169.254.22.2/32"])
    assert bgp["esp_proposals"] == children["vpn-1-t2"]["esp_proposals"] and bgp["start_action"] == "none"
    peer_routes = [r for r in p.namespaces[VGW]["routes"] if r["dev"] == "ipsec0"]
    assert [(r["dst"], r["src"]) for r in peer_routes] == [
        ("169.254.21.2/32", "169.254.21.1"), ("169.254.22.2/32", "169.254.22.1")]
    # Nothing typed: the VNet's prefix reaches the VGW only by what its speaker learns.
    assert p.gateways[VGW]["tunnel_routes"] == []
    assert [t["bgp_peer"] for t in p.feedback["aws"][0]["tunnels"]] == ["169.254.21.2", "169.254.22.2"]
    assert p.gateways[VGW]["bgp_peers"] == {"vpn-1-t1": {"own": "169.254.21.1", "peer": "169.254.21.2"},
                                            "vpn-1-t2": {"own": "169.254.22.1", "peer": "169.254.22.2"}}


def test_a_propagated_route_sends_the_subnet_to_the_vgw():
    p = aws_plane(dynamic_region())
    table = [r for r in p.namespaces[ad.netns("lab", "aws", "vpc-1")]["routes"] if r["dst"] == "10.1.0.0/16"]
    assert len(table) == 1 and table[0]["via"] and table[0]["table"] > 1000


def test_a_static_connection_has_no_speaker():
    p = aws_plane(aws_region())
    assert p.speakers == {}
    assert "bgp0" not in p.namespaces[VGW]["addresses"]


def test_a_dynamic_tunnel_without_an_inside_cidr_is_not_realized():
    region = dynamic_region()
    del region["vpn_connections"][0]["Options"]["TunnelOptions"][1]["TunnelInsideCidr"]
    p = aws_plane(region)
    assert sorted(p.gateways[VGW]["conns"]) == ["vpn-1-t1"]
    assert any("vpn-1-t2" in problem and "inside CIDR" in problem for problem in p.problems)


def test_the_vgws_speaker_takes_the_asns_of_the_aws_objects():
    p = aws_plane(dynamic_region(cgw_asn="65000", vgw_asn="64999"))
    assert p.speakers[VGW]["asn"] == 64999
    assert {n["remote_asn"] for n in p.speakers[VGW]["neighbors"]} == {65000}


CUSTOM = {"ipconfig0": ["169.254.21.2", "169.254.22.2"], "ipconfig1": ["169.254.21.6", "169.254.22.6"]}


def bgp_azure(peers=(("169.254.21.1", 64512), ("169.254.22.1", 64512)), azure_asn=65515, custom=None,
              active_active=True):
    resources = azure()
    by_name = {r["name"]: r for r in resources}
    gwsub = SUB + "/virtualNetworks/vnet/subnets/GatewaySubnet"
    confs = [{"id": SUB + "/virtualNetworkGateways/gw/ipConfigurations/ipconfig%d" % i, "properties": {
        "subnet": {"id": gwsub}, "publicIPAddress": {"id": SUB + "/publicIPAddresses/pip-gw%d" % i}}} for i in (0, 1)]
    resources.append(res("publicIPAddresses", "pip-gw0", {"ipAddress": "198.51.100.20"}))
    resources.append(res("publicIPAddresses", "pip-gw1", {"ipAddress": "198.51.100.21"}))
    by_name["gw"]["properties"] = {
        "provisioningState": "Succeeded", "activeActive": active_active, "enableBgp": True,
        "ipConfigurations": confs,
        "bgpSettings": {"asn": azure_asn, "bgpPeeringAddresses": [
            {"ipconfigurationId": c["id"], "customBgpIpAddresses": CUSTOM["ipconfig%d" % i]}
            for i, c in enumerate(confs)]}}
    conns = [r for r in resources if r["type"].endswith("connections")]
    lngs = [r for r in resources if r["type"].endswith("localNetworkGateways")]
    for r in conns + lngs:
        resources.remove(r)
    for number, (peer, asn) in enumerate(peers, 1):
        lng = res("localNetworkGateways", "lng%d" % number, {
            "gatewayIpAddress": "203.0.113.%d" % number, "localNetworkAddressSpace": {"addressPrefixes": []},
            "bgpSettings": {"asn": asn, "bgpPeeringAddress": peer}})
        conn = copy.deepcopy(conns[0])
        conn["name"], conn["id"] = "con%d" % number, conn["id"][:-1] + str(number)
        conn["properties"].update(enableBgp=True, localNetworkGateway2={"id": lng["id"]})
        conn["properties"]["gatewayCustomBgpIpAddresses"] = [
            {"ipConfigurationId": c["id"], "customBgpIpAddress": (custom or CUSTOM)["ipconfig%d" % i][number - 1]}
            for i, c in enumerate(confs)]
        resources += [lng, conn]
    return resources


def azure_plane(resources):
    return dp.design("lab", {}, resources, dp.Allocator())


def test_an_active_active_gateway_has_two_instances_each_on_its_own_address():
    p = azure_plane(bgp_azure())
    assert {INSTANCE0, INSTANCE1} <= set(p.gateways)
    for netns, public, private in ((INSTANCE0, "198.51.100.20", "10.1.0.4/27"), (INSTANCE1, "198.51.100.21", "10.1.0.5/27")):
        assert p.namespaces[netns]["addresses"]["vnet0"] == [private]
        assert "%s/32" % public in p.namespaces[netns]["addresses"]["inet0"]
        # Every connection from each instance, as Azure's instances both bring it up.
        assert sorted(p.gateways[netns]["conns"]) == ["con1", "con2"]
        assert {c["local_addrs"][0] for c in p.gateways[netns]["conns"].values()} == {public}
    assert {"ifname": "gws0", "kind": "bridge"} in p.namespaces[VNET]["links"]


def test_each_instance_speaks_from_its_custom_address_per_connection():
    p = azure_plane(bgp_azure())
    zero, one = p.speakers[INSTANCE0], p.speakers[INSTANCE1]
    assert [(n["address"], n["remote_asn"], n["source"]) for n in zero["neighbors"]] == [
        ("169.254.21.1", 64512, "169.254.21.2"), ("169.254.22.1", 64512, "169.254.22.2"),
        ("10.1.0.1", 65515, "10.1.0.4")]
    assert [n["source"] for n in one["neighbors"]] == ["169.254.21.6", "169.254.22.6", "10.1.0.5"]
    assert zero["neighbors"][-1]["learned_only"] and zero["asn"] == 65515 and zero["networks"] == ["10.1.0.0/16"]
    assert p.namespaces[INSTANCE1]["addresses"]["bgp0"] == ["169.254.21.6/32", "169.254.22.6/32"]
    child = p.gateways[INSTANCE0]["conns"]["con2"]["children"]["con2-bgp"]
    assert child["local_ts"] == ["169.254.22.2/32"] and child["remote_ts"] == ["169.254.22.1/32"]
    assert child["start_action"] == "start"
    # The data CHILD SA waits for the session (the gateway starts it once it is established).
    assert p.gateways[INSTANCE0]["conns"]["con2"]["children"]["con2"]["start_action"] == "none"
    vnet = p.speakers[VNET]
    assert [(n["address"], n["remote_asn"]) for n in vnet["neighbors"]] == [("10.1.0.4", 65515), ("10.1.0.5", 65515)]
    # No prefix is typed on the Azure side either.
    assert not any(r["dst"] == "10.2.0.0/16" for r in p.namespaces[VNET]["routes"])


def test_a_connection_without_custom_addresses_takes_the_gateways_first_for_its_instance():
    resources = bgp_azure()
    for r in resources:
        if r["type"].endswith("connections"):
            r["properties"].pop("gatewayCustomBgpIpAddresses")
    p = azure_plane(resources)
    # Azure then speaks from each instance's first custom address on every connection.
    assert {n["source"] for n in p.speakers[INSTANCE1]["neighbors"][:-1]} == {"169.254.21.6"}


def test_each_side_keeps_its_own_values_so_a_wrong_one_leaves_a_session_down():
    # Azure's local network gateway names a peer AWS does not have, and an ASN AWS does not use:
    # the design configures exactly that (the session stays down and the check names it).
    p = azure_plane(bgp_azure(peers=(("169.254.21.9", 64512), ("169.254.22.1", 65001))))
    assert [(n["address"], n["remote_asn"]) for n in p.speakers[INSTANCE0]["neighbors"][:2]] == [
        ("169.254.21.9", 64512), ("169.254.22.1", 65001)]


def test_an_active_standby_gateway_has_one_instance():
    p = azure_plane(bgp_azure(active_active=False))
    assert INSTANCE0 in p.gateways and INSTANCE1 not in p.namespaces
    assert [n["address"] for n in p.speakers[VNET]["neighbors"]] == ["10.1.0.4"]


def test_the_static_gateway_is_unchanged():
    p = azure_plane(azure())
    assert p.speakers == {}
    assert INSTANCE1 not in p.namespaces
    assert sorted(p.gateways[INSTANCE0]["conns"]["con1"]["children"]) == ["con1"]


@pytest.mark.parametrize("sas, found", [
    ([], set()),
    ([{"c1": {"state": "ESTABLISHED", "child-sas": {"c1-5": {"name": "c1", "state": "INSTALLED"},
                                                    "c1-bgp-6": {"name": "c1-bgp", "state": "REKEYING"}}}},
      {"c2": {"state": "CONNECTING", "child-sas": {}}},
      {"c3": {"state": "DELETING", "child-sas": {"c3-1": {"name": "c3", "state": "INSTALLED"}}}}],
     {("c1", "c1")}),
])
def test_the_children_a_gateway_has_installed(sas, found):
    assert gateways.installed_children(sas) == found


@pytest.mark.parametrize("evidence, peers, routes", [
    ({}, {}, []),
    ({"sessions": [{"address": "169.254.21.1", "state": "Established", "prefixes_received": 1},
                   {"address": "169.254.22.1", "state": "Active", "prefixes_received": 0},
                   {"address": "10.1.0.1", "state": "Established", "prefixes_received": 0}],
      "routes": [{"prefix": "10.2.0.0/16", "next_hops": ["169.254.21.1"], "installed": True},
                 {"prefix": "10.9.0.0/16", "next_hops": ["10.1.0.1"], "installed": True}]},
     {"169.254.21.1": {"established": True, "state": "Established", "routes": 1},
      "169.254.22.1": {"established": False, "state": "Active", "routes": 0},
      "10.1.0.1": {"established": True, "state": "Established", "routes": 0}},
     [{"network": "10.2.0.0/16", "sourcePeer": "169.254.21.1", "origin": "EBgp", "asPath": "64512"}]),
])
def test_a_speakers_evidence_as_the_clouds_tell_it(evidence, peers, routes):
    spec = {"asn": 65515, "neighbors": [{"address": "169.254.21.1", "remote_asn": 64512},
                                        {"address": "169.254.22.1", "remote_asn": 64512},
                                        {"address": "10.1.0.1", "remote_asn": 65515}]}
    assert sp.bgp_view(spec, evidence) == {"peers": peers, "routes": routes}


def test_a_speakers_configuration_is_frrs_with_safe_names():
    p = azure_plane(bgp_azure())
    text = sp.conf_text(INSTANCE0, p.speakers[INSTANCE0])
    assert "router bgp 65515" in text and "neighbor 169.254.21.1 remote-as 64512" in text
    assert "neighbor 169.254.21.1 update-source 169.254.21.2" in text
    assert "hostname vpnrh-lab-az-gw" in text

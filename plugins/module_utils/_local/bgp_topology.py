# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The local target's BGP design (``vpnlab_routing: bgp``), pure: what the static topology
(``_local/topology.py``) gains and loses, from the plan's ``routing`` section.

- The Azure gateway's second instance: namespace ``azgw1``, its own public address (.9 of the
  Azure range: .10 is the first instance's, the VMs start at .11) and GatewaySubnet's .5.
- The VGW answers on four tunnel addresses: VPN connection 1's at .10 and .11 of the AWS range
  (as with static routing), VPN connection 2's at .8 and .9 (the VMs start at .12).
- Each tunnel carries one BGP session between its inside addresses, which sit on the gateways'
  loopbacks; the tunnel's traffic selectors are the session's two addresses and the clouds'
  prefixes (kernel-libipsec picks a tunnel by its selectors: see README, Static or BGP).
- Routes are learned, not typed: the VNet router learns the VPC's prefix from both instances
  (internal BGP, as a VNet learns its gateway's routes) and the VPC router learns the VNet's
  from the VGW (internal BGP: the route table's route propagation). The static design's typed
  routes to the other cloud are not made.
- Five speakers (``_local/frr.py`` configures them, ``_local/bgpd.py`` runs them): ``azure0``,
  ``azure1`` (the instances), ``aws`` (the VGW), ``vnet`` (the VNet router), ``vpc`` (the VPC
  router); their files in ``<state_dir>/bgp/<speaker>``.
"""

from __future__ import annotations

import ipaddress
from typing import Any, Mapping, Sequence, Union

from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.frr import tunnel_speakers

# Each gateway instance counts its BGP sessions' packets through the tunnel device (inner IP
# bytes, as charon counts the tunnel's), so the check can leave them out of the tunnel's growth.
COUNTERS_TABLE = "vpnlab_bgp"
# The second instance's namespace, next to INFRA's (topology.py).
SECOND_INSTANCE = "azgw1"
# Names the BGP design adds in the VNet router (GatewaySubnet's bridge, the second instance's
# leg): with the namespace's, no VM may take them.
BGP_INFRA = (SECOND_INSTANCE, "gws", "gw1")
TUNNEL_DEVICE = "ipsec0"


Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]


def bgp_addresses(azure_pub: Network, aws_pub: Network, gw_sub: Network) -> dict[str, Any]:
    """The public and GatewaySubnet addresses of the BGP design's gateways: per Azure instance
    (public, private), and the VGW's four tunnel addresses in the plan's tunnel order."""
    az, aw = azure_pub.network_address, aws_pub.network_address
    return {"instances": [{"public_ip": str(az + 10), "private_ip": str(gw_sub.network_address + 4)},
                          {"public_ip": str(az + 9), "private_ip": str(gw_sub.network_address + 5)}],
            "tunnels": [str(aw + 10), str(aw + 11), str(aw + 8), str(aw + 9)]}


def bgp_section(plan: Mapping[str, Any], ns: Mapping[str, str], addr: Mapping[str, str],
                azure_pub: Network, aws_pub: Network, gw_sub: Network) -> dict[str, Any]:
    """``plan["local"]["bgp"]``: the instances, the tunnels (outside addresses, selectors) and
    the speakers (namespace, directory, ASN, neighbors, what they announce, the inside
    addresses on their loopback and the routes to their tunnel peers through ipsec0)."""
    # The ASNs have their place in the plan's aws section; the speakers take them from there.
    routing = dict(plan["routing"], aws_asn=plan["aws"]["vpn_gateway_asn"],
                   customer_gateway_asn=plan["aws"]["customer_gateway_asn"])
    vnet, vpc = plan["azure"]["vnet_cidr"], plan["aws"]["vpc_cidr"]
    state = plan["state_dir"]
    found = bgp_addresses(azure_pub, aws_pub, gw_sub)
    count = len(routing["instances"])
    instances = []
    for index in range(count):
        netns = ns["azgw"] if index == 0 else ns[SECOND_INSTANCE]
        directory = state + "/gateways/azure" + ("" if index == 0 else str(index))
        instances.append(dict(found["instances"][index], instance=index, netns=netns, directory=directory,
                              speaker="azure%d" % index))
    tunnels = []
    for index, t in enumerate(routing["tunnels"]):
        azure_ip, aws_ip = t["azure_bgp_ip"] + "/32", t["aws_bgp_ip"] + "/32"
        tunnels.append({"name": t["name"], "instance": t["instance"], "connection": t["connection"],
                        "inside_cidr": t["inside_cidr"], "outside_ip_address": found["tunnels"][index],
                        "cgw_outside_address": instances[t["instance"]]["public_ip"],
                        "selectors": {"azure": {"local": [azure_ip, vnet], "remote": [aws_ip, vpc]},
                                      "aws": {"local": [aws_ip, vpc], "remote": [azure_ip, vnet]}}})
    speakers = tunnel_speakers(routing, [vnet], [vpc])
    for index, instance in enumerate(instances):
        speaker = speakers[instance["speaker"]]
        speaker.update(netns=instance["netns"], peer_routes=[
            {"dst": t["aws_bgp_ip"] + "/32", "dev": TUNNEL_DEVICE, "src": t["azure_bgp_ip"]}
            for t in routing["tunnels"] if t["instance"] == index])
        # The instance tells the VNet what it learned (itself as next hop, the VNet's own
        # prefix kept home).
        speaker["neighbors"].append({"address": addr["azure_router_gateway_leg"], "remote_asn": speaker["asn"],
                                     "source": instance["private_ip"], "description": "vnet", "learned_only": True})
    aws = speakers["aws"]
    aws.update(netns=ns["vgw"], peer_routes=[
        {"dst": t["azure_bgp_ip"] + "/32", "dev": TUNNEL_DEVICE, "src": t["aws_bgp_ip"]} for t in routing["tunnels"]])
    aws["neighbors"].append({"address": addr["aws_router_transit"], "remote_asn": aws["asn"],
                             "source": addr["vgw_transit"], "description": "vpc", "learned_only": True})
    speakers["vnet"] = {"netns": ns["azr"], "asn": routing["azure_asn"], "router_id": addr["azure_router_gateway_leg"],
                        "networks": [], "addresses": [], "peer_routes": [],
                        "neighbors": [{"address": i["private_ip"], "remote_asn": routing["azure_asn"],
                                       "source": addr["azure_router_gateway_leg"],
                                       "description": "instance%d" % i["instance"]} for i in instances]}
    speakers["vpc"] = {"netns": ns["awsr"], "asn": routing["aws_asn"], "router_id": addr["aws_router_transit"],
                       "networks": [], "addresses": [], "peer_routes": [],
                       "neighbors": [{"address": addr["vgw_transit"], "remote_asn": routing["aws_asn"],
                                      "source": addr["aws_router_transit"], "description": "vgw"}]}
    for name, speaker in speakers.items():
        speaker["directory"] = "%s/bgp/%s" % (state, name)
        # Its cloud, and what a healthy lab has it learn: the other cloud's prefix.
        speaker["side"] = "azure" if name == "vnet" or name.startswith("azure") else "aws"
        # The VNet and VPC routers decide the VMs' way; a gateway is one of the ways.
        speaker["role"] = "router" if name in ("vnet", "vpc") else "gateway"
        speaker["expects"] = [vpc] if speaker["side"] == "azure" else [vnet]
    # Active-active: the VNet reaches the VPC through every gateway instance, or one is lost.
    speakers["vnet"]["expects_via"] = [i["private_ip"] for i in instances]
    for instance in instances:
        mine = [t for t in routing["tunnels"] if t["instance"] == instance["instance"]]
        instance["counters"] = {t["name"]: {"in": t["name"] + "_in", "out": t["name"] + "_out"} for t in mine}
        instance["counters_table"] = counters_table(mine)
    # What each side's charon takes from the design, by the tunnel's inside CIDR (swan.gateway_config).
    selectors = {side: {t["inside_cidr"]: dict(t["selectors"][side], name=t["name"]) for t in tunnels}
                 for side in ("azure", "aws")}
    return {"instances": instances, "tunnels": tunnels, "speakers": speakers, "selectors": selectors,
            "public_ips": {"azure_gateways": [i["public_ip"] for i in instances],
                           "tunnels": [t["outside_ip_address"] for t in tunnels]}}


def counters_table(tunnels: Sequence[Mapping[str, Any]]) -> str:
    """The nftables table (body) that counts each BGP session's packets through the tunnel
    device of an Azure gateway instance: ``<tunnel>_in`` and ``<tunnel>_out`` (inner IP bytes,
    what charon counts for the tunnel). Every packet between a session's two inside addresses
    is the session's."""
    counters = "".join("counter %s_in {\n}\ncounter %s_out {\n}\n" % (t["name"], t["name"]) for t in tunnels)
    inbound = "".join("  iifname \"%s\" ip saddr %s ip daddr %s counter name \"%s_in\"\n"
                      % (TUNNEL_DEVICE, t["aws_bgp_ip"], t["azure_bgp_ip"], t["name"]) for t in tunnels)
    outbound = "".join("  oifname \"%s\" ip saddr %s ip daddr %s counter name \"%s_out\"\n"
                       % (TUNNEL_DEVICE, t["azure_bgp_ip"], t["aws_bgp_ip"], t["name"]) for t in tunnels)
    return (counters
            + "chain input {\n  type filter hook input priority filter; policy accept;\n" + inbound + "}\n"
            + "chain output {\n  type filter hook output priority filter; policy accept;\n" + outbound + "}\n")


def control_bytes(listing: Mapping[str, Any], names: Mapping[str, Mapping[str, str]]) -> dict[str, dict[str, int]]:
    """``nft -j list counters table ip vpnlab_bgp`` read as each tunnel's session traffic so
    far, ``{control_bytes_in, control_bytes_out}`` by tunnel name (``names``: the instance's
    ``counters``); a counter that is missing gives no entry."""
    found = {}
    for item in (listing or {}).get("nftables", []):
        counter = item.get("counter") if isinstance(item, dict) else None
        if counter and isinstance(counter.get("bytes"), int):
            found[counter.get("name")] = counter["bytes"]
    control = {}
    for tunnel, pair in names.items():
        if pair["in"] in found and pair["out"] in found:
            control[tunnel] = {"control_bytes_in": found[pair["in"]], "control_bytes_out": found[pair["out"]]}
    return control

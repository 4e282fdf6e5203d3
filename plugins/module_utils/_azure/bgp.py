# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The BGP design's Azure objects (issue 16), pure: the active-active VPN gateway with BGP and
custom (APIPA) BGP addresses, what differs from the gateway Azure has, what may be shown of it,
and the per-connection pairing of each gateway instance with its custom BGP address.

Resources are SDK ``as_dict()`` forms (snake case; the SDK calls activeActive ``active``).
azure.azcollection's ``azure_rm_virtualnetworkgateway`` cannot build this gateway: it sends one
public IP for every ipConfiguration, has no active-active, and drops the custom BGP addresses
(it sends ``bgp_settings`` with the ASN alone), hence the module ``azure_vpn_gateway``.

An active-active gateway has two instances, each an ipConfiguration on GatewaySubnet with its
own Standard public IP; each instance lists its custom BGP addresses
(``bgp_settings.bgp_peering_addresses[i].custom_bgp_ip_addresses``), and each connection names,
per instance, which of them it speaks BGP from (``gateway_custom_bgp_ip_addresses``).
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.spec import (
    IP_CONFIGURATION_NAMES, apipa,
)

# Fields Azure will not change on an existing gateway: a different value means delete and
# create again (30-45 minutes each), which the module leaves to the user.
IMMUTABLE = ("gateway_type", "vpn_type", "vpn_gateway_generation")
# What the results show of a gateway.
SHOWN = ("id", "name", "location", "tags", "provisioning_state", "gateway_type", "vpn_type",
         "vpn_gateway_generation", "sku", "active", "enable_bgp", "resource_guid")


class GatewayPlanError(ValueError):
    """The gateway's parameters cannot work; the message says which and why."""


def ip_configuration_id(gateway_id: str, index: int) -> str:
    return "%s/ipConfigurations/%s" % (gateway_id, IP_CONFIGURATION_NAMES[index])


def desired_gateway(gateway_id: str, subnet_id: str, public_ip_ids: Sequence[str], sku: str, generation: str,
                    active_active: bool, asn: int | None, custom_bgp_ips: Sequence[Sequence[str]] = ()) -> dict[str, Any]:
    """The fields the lab sets on a VPN gateway (without location and tags). ``asn`` None means
    no BGP (the ASN's own rules are the plan's: module_utils/bgp.py). ``custom_bgp_ips[i]`` are
    instance i's custom BGP addresses. GatewayPlanError when Azure would refuse the combination."""
    instances = 2 if active_active else 1
    if len(public_ip_ids) != instances:
        raise GatewayPlanError("an %s gateway needs %d public IP%s, got %d" % (
            "active-active" if active_active else "active-standby", instances, "s" if instances > 1 else "",
            len(public_ip_ids)))
    if len({pid.lower() for pid in public_ip_ids}) != len(public_ip_ids):
        raise GatewayPlanError("the two instances of an active-active gateway need two different public IPs")
    if asn is None and any(custom_bgp_ips):
        raise GatewayPlanError("custom BGP addresses need BGP (an ASN)")
    if custom_bgp_ips and len(custom_bgp_ips) != instances:
        raise GatewayPlanError("custom BGP addresses are given per instance: %d lists, got %d" % (
            instances, len(custom_bgp_ips)))
    for addresses in custom_bgp_ips:
        for address in addresses:
            if not apipa(address):
                raise GatewayPlanError("%s is not an address Azure accepts as a custom BGP address "
                                       "(169.254.21.0-169.254.22.255)" % address)
    configs = [{"id": ip_configuration_id(gateway_id, i), "name": IP_CONFIGURATION_NAMES[i],
                "private_ip_allocation_method": "Dynamic",
                "subnet": {"id": subnet_id}, "public_ip_address": {"id": public_ip_ids[i]}}
               for i in range(instances)]
    desired: dict[str, Any] = {
        "gateway_type": "Vpn", "vpn_type": "RouteBased", "vpn_gateway_generation": generation,
        "sku": {"name": sku, "tier": sku}, "active": bool(active_active), "enable_bgp": asn is not None,
        "ip_configurations": configs,
    }
    if asn is not None:
        desired["bgp_settings"] = {"asn": asn, "bgp_peering_addresses": [
            {"ipconfiguration_id": ip_configuration_id(gateway_id, i),
             "custom_bgp_ip_addresses": list(custom_bgp_ips[i]) if custom_bgp_ips else []}
            for i in range(instances)]}
    return desired


def _public_ips(gateway):
    return [((c.get("public_ip_address") or {}).get("id") or "").lower()
            for c in gateway.get("ip_configurations") or []]


def _custom(gateway):
    """{ipConfiguration name (lower case): sorted custom BGP addresses} of a gateway."""
    found = {}
    for entry in (gateway.get("bgp_settings") or {}).get("bgp_peering_addresses") or []:
        name = (entry.get("ipconfiguration_id") or "").rsplit("/", 1)[-1].lower()
        found[name] = sorted(entry.get("custom_bgp_ip_addresses") or [])
    return found


def gateway_differences(desired: Mapping[str, Any], current: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """(fields the module may change, fields Azure will not change) between the lab's gateway
    and Azure's. An unset BGP on both sides compares equal."""
    fixed = [f for f in IMMUTABLE if (desired.get(f) or "").lower() != (current.get(f) or "").lower()]
    changed = []
    if (desired["sku"]["name"] or "").lower() != ((current.get("sku") or {}).get("name") or "").lower():
        changed.append("sku")
    if bool(desired["active"]) != bool(current.get("active")):
        changed.append("active_active")
    if _public_ips(desired) != _public_ips(current):
        changed.append("public_ips")
    if bool(desired["enable_bgp"]) != bool(current.get("enable_bgp")):
        changed.append("enable_bgp")
    if desired["enable_bgp"]:
        if desired["bgp_settings"]["asn"] != (current.get("bgp_settings") or {}).get("asn"):
            changed.append("asn")
        wanted, found = _custom(desired), _custom(current)
        if any(found.get(name, []) != addresses for name, addresses in wanted.items()):
            changed.append("custom_bgp_ip_addresses")
    return changed, fixed


def update_body(current: Mapping[str, Any] | None, desired: Mapping[str, Any], location: str,
                tags: Mapping[str, str] | None) -> dict[str, Any]:
    """The PUT body: the current gateway (unmanaged fields kept) with the lab's fields; the BGP
    settings merged so that Azure's own (peer weight) stay."""
    body = {k: v for k, v in (current or {}).items() if k not in ("etag", "provisioning_state", "resource_guid")}
    bgp = dict((current or {}).get("bgp_settings") or {})
    body.update(desired)
    if "bgp_settings" in desired:
        bgp.pop("bgp_peering_address", None)
        bgp.update(desired["bgp_settings"])
        body["bgp_settings"] = bgp
    body.update(location=location, tags=tags)
    return body


def instances(gateway: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """Each instance of a gateway as Azure describes it: its ipConfiguration, public IP (id),
    default and custom BGP addresses and tunnel address (the instance's public IP, once Azure
    has it)."""
    if not gateway:
        return []
    peering = {(e.get("ipconfiguration_id") or "").lower(): e
               for e in (gateway.get("bgp_settings") or {}).get("bgp_peering_addresses") or []}
    out = []
    for conf in gateway.get("ip_configurations") or []:
        entry = peering.get((conf.get("id") or "").lower(), {})
        out.append({"ip_configuration": conf.get("name"), "ip_configuration_id": conf.get("id"),
                    "public_ip_id": (conf.get("public_ip_address") or {}).get("id"),
                    "default_bgp_ips": entry.get("default_bgp_ip_addresses") or [],
                    "custom_bgp_ips": entry.get("custom_bgp_ip_addresses") or [],
                    "tunnel_ips": entry.get("tunnel_ip_addresses") or []})
    return out


def gateway_view(gateway: Mapping[str, Any] | None) -> dict[str, Any]:
    """What results and diffs show of a gateway: its settings, BGP ASN and instances."""
    if not gateway:
        return {}
    shown = {k: gateway.get(k) for k in SHOWN if k in gateway}
    shown["active_active"] = bool(shown.pop("active", False))
    shown["bgp_asn"] = (gateway.get("bgp_settings") or {}).get("asn") if gateway.get("enable_bgp") else None
    shown["instances"] = instances(gateway)
    return shown


def connection_custom_bgp_ips(gateway: Mapping[str, Any], addresses: Sequence[str]) -> list[dict[str, str]]:
    """A connection's ``gateway_custom_bgp_ip_addresses``: instance i speaks from
    ``addresses[i]``, which must be one of that instance's custom BGP addresses on ``gateway``
    (as Azure has it). GatewayPlanError names a missing or unknown one."""
    found = instances(gateway)
    if len(addresses) != len(found):
        plural = len(found) > 1
        raise GatewayPlanError("the gateway has %d instance%s, so a connection names %d custom BGP address%s, got %d"
                               % (len(found), "s" if plural else "", len(found), "es" if plural else "", len(addresses)))
    pairs = []
    for instance, address in zip(found, addresses):
        if address not in instance["custom_bgp_ips"]:
            raise GatewayPlanError("%s is not a custom BGP address of the gateway's instance %s (it has %s)" % (
                address, instance["ip_configuration"], ", ".join(instance["custom_bgp_ips"]) or "none"))
        pairs.append({"ip_configuration_id": instance["ip_configuration_id"], "custom_bgp_ip_address": address})
    return pairs


def unnamed_custom_bgp_ips_problem(gateway: Mapping[str, Any] | None, enable_bgp: bool,
                                   addresses: Sequence[str]) -> str | None:
    """Why a BGP connection that names no custom addresses is a mistake on ``gateway``, or None.
    Azure accepts it, then speaks from each instance's first custom address on every such
    connection (Microsoft's AWS-BGP guide), so all but one AWS tunnel's session would never come
    up, silently."""
    if not enable_bgp or addresses:
        return None
    lists = [i["custom_bgp_ips"] for i in instances(gateway) if i["custom_bgp_ips"]]
    if not lists:
        return None
    return ("the gateway's instances have custom BGP addresses (%s), so a BGP connection names the one each "
            "instance speaks from (custom_bgp_ip_addresses); without them Azure uses each instance's first "
            "address on every connection" % "; ".join(", ".join(found) for found in lists))


def same_custom_bgp_ips(wanted: Sequence[Mapping[str, str]] | None, found: Sequence[Mapping[str, str]] | None) -> bool:
    """Whether two connections' ``gateway_custom_bgp_ip_addresses`` are the same (ids compare
    without case, order does not matter)."""
    def key(entries):
        return sorted(((e.get("ip_configuration_id") or "").lower(), e.get("custom_bgp_ip_address") or "")
                      for e in entries or [])
    return key(wanted) == key(found)

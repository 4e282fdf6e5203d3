# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Site-to-site connections and local network gateways: what the lab wants, what differs, and
what may be shown.

Resources are SDK ``as_dict()`` forms. A connection's shared key is compared but never shown:
``public_view`` drops it, and a diff says only whether it changes. Everything the lab sets is
sent explicitly (``use_policy_based_traffic_selectors: false`` too), so a re-run compares equal.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.bgp import same_custom_bgp_ips
from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.ids import same
from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.policy import normalise

KEY_UNCHANGED = "(hidden, unchanged)"
KEY_CHANGED = "(hidden, changed)"
# What the lab sets on a connection, with how to compare each field.
CONNECTION_FIELDS = ("connection_type", "connection_protocol", "virtual_network_gateway1",
                     "local_network_gateway2", "routing_weight", "dpd_timeout_seconds",
                     "use_policy_based_traffic_selectors", "enable_bgp", "ipsec_policies",
                     "gateway_custom_bgp_ip_addresses")
# What the results show of a connection (never shared_key).
SHOWN = ("id", "name", "location", "tags", "provisioning_state", "connection_status",
         "ingress_bytes_transferred", "egress_bytes_transferred", "connection_type",
         "connection_protocol", "dpd_timeout_seconds", "use_policy_based_traffic_selectors",
         "enable_bgp", "routing_weight", "ipsec_policies", "virtual_network_gateway1",
         "local_network_gateway2", "gateway_custom_bgp_ip_addresses", "resource_guid", "etag")


def desired_connection(gateway_id: str, local_gateway_id: str, policy: Mapping[str, Any] | None,
                       dpd_timeout_seconds: int, protocol: str = "IKEv2", routing_weight: int = 0,
                       enable_bgp: bool = False,
                       custom_bgp_ips: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """The fields the lab sets (without location, tags and key, which the module adds).
    ``custom_bgp_ips``: which custom BGP address each gateway instance speaks from on this
    connection (_azure/bgp.connection_custom_bgp_ips), or none."""
    return {
        "connection_type": "IPsec",
        "connection_protocol": protocol,
        "virtual_network_gateway1": {"id": gateway_id},
        "local_network_gateway2": {"id": local_gateway_id},
        "routing_weight": routing_weight,
        "dpd_timeout_seconds": dpd_timeout_seconds,
        "use_policy_based_traffic_selectors": False,
        "enable_bgp": bool(enable_bgp),
        "ipsec_policies": [normalise(policy)] if policy else [],
        "gateway_custom_bgp_ip_addresses": list(custom_bgp_ips or []),
    }


def _equal(field, wanted, found):
    if field in ("virtual_network_gateway1", "local_network_gateway2"):
        return same((wanted or {}).get("id"), (found or {}).get("id"))
    if field == "ipsec_policies":
        return [normalise(p) for p in wanted or []] == [normalise(p) for p in found or []]
    if field == "use_policy_based_traffic_selectors" or field == "enable_bgp":
        return bool(wanted) == bool(found)
    if field == "gateway_custom_bgp_ip_addresses":
        return same_custom_bgp_ips(wanted, found)
    return wanted == found


def differences(desired: Mapping[str, Any], current: Mapping[str, Any] | None) -> list[str]:
    """Names of the fields whose current value is not the desired one (shared key aside)."""
    return [f for f in CONNECTION_FIELDS if not _equal(f, desired.get(f), (current or {}).get(f))]


def update_body(current: Mapping[str, Any] | None, desired: Mapping[str, Any], location: str,
                tags: Mapping[str, str] | None, shared_key: str | None) -> dict[str, Any]:
    """The PUT body: the current resource (unmanaged fields kept) with the lab's fields."""
    body = {k: v for k, v in (current or {}).items() if k not in ("etag", "provisioning_state",
                                                                  "resource_guid", "connection_status",
                                                                  "tunnel_connection_status")}
    body.update(desired)
    body.update(location=location, tags=tags, shared_key=shared_key)
    return body


def public_view(connection: Mapping[str, Any] | None, key_changed: bool | None = None) -> dict[str, Any]:
    """What results and diffs may show of a connection: no shared key, only whether it changes."""
    if not connection:
        return {}
    shown = {k: connection.get(k) for k in SHOWN if k in connection}
    if key_changed is not None:
        shown["shared_key"] = KEY_CHANGED if key_changed else KEY_UNCHANGED
    return shown


def desired_local_gateway(gateway_ip_address: str, address_prefixes: Iterable[str],
                          bgp: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The fields the lab sets on a local network gateway; ``bgp`` ({asn, bgp_peering_address}:
    the peer's BGP speaker, an AWS tunnel's inside address) or None for none."""
    return {"gateway_ip_address": gateway_ip_address,
            "local_network_address_space": {"address_prefixes": list(address_prefixes)},
            "bgp_settings": {"asn": bgp["asn"], "bgp_peering_address": bgp["bgp_peering_address"]} if bgp else None}


def _bgp_peer(settings):
    return (settings["asn"], settings.get("bgp_peering_address")) if settings and settings.get("asn") else None


def local_gateway_differences(desired: Mapping[str, Any], current: Mapping[str, Any] | None) -> list[str]:
    """Fields that differ; prefixes compare as a set, exactly (a removed prefix is a change)."""
    current = current or {}
    changed = []
    if desired["gateway_ip_address"] != current.get("gateway_ip_address"):
        changed.append("gateway_ip_address")
    wanted = sorted(desired["local_network_address_space"]["address_prefixes"])
    found = sorted((current.get("local_network_address_space") or {}).get("address_prefixes") or [])
    if wanted != found:
        changed.append("address_prefixes")
    if _bgp_peer(desired.get("bgp_settings")) != _bgp_peer(current.get("bgp_settings")):
        changed.append("bgp_settings")
    return changed


LOCAL_GATEWAY_SHOWN = ("id", "name", "location", "tags", "provisioning_state", "gateway_ip_address",
                       "local_network_address_space", "bgp_settings", "resource_guid", "etag")


def local_gateway_view(gateway: Mapping[str, Any] | None) -> dict[str, Any]:
    return {k: gateway.get(k) for k in LOCAL_GATEWAY_SHOWN if k in (gateway or {})} if gateway else {}

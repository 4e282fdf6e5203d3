# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Azure resource ids: built from names, parsed, compared (ARM ids are case-insensitive)."""

from __future__ import annotations

TYPES = {
    "virtual_network_gateway": "Microsoft.Network/virtualNetworkGateways",
    "local_network_gateway": "Microsoft.Network/localNetworkGateways",
    "connection": "Microsoft.Network/connections",
    "public_ip": "Microsoft.Network/publicIPAddresses",
    "virtual_network": "Microsoft.Network/virtualNetworks",
}


def resource_id(subscription: str, group: str, kind: str, name: str) -> str:
    """The id of resource ``name`` of ``kind`` (a TYPES key); an id passed as name is kept."""
    if name.startswith("/subscriptions/"):
        return name
    return "/subscriptions/%s/resourceGroups/%s/providers/%s/%s" % (subscription, group, TYPES[kind], name)


def parse(rid: str) -> dict[str, str | None]:
    """{subscription, resource_group, type, name} of an id (type without child segments)."""
    parts = rid.strip("/").split("/")
    lower = [p.lower() for p in parts]
    out = {"subscription": parts[1] if len(parts) > 1 else None}
    if "resourcegroups" in lower:
        out["resource_group"] = parts[lower.index("resourcegroups") + 1]
    if "providers" in lower:
        at = lower.index("providers")
        out["type"] = "%s/%s" % (parts[at + 1], parts[at + 2])
        out["name"] = parts[at + 3]
    return out


def same(left: str | None, right: str | None) -> bool:
    return (left or "").lower() == (right or "").lower()

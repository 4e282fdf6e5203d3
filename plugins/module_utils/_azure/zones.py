# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where the Azure VPN gateway's Standard public IP can go: the region's availability zones,
checked before anything is created. Pure.

ARM lists a subscription's locations with their logical zones (Subscriptions - List Locations,
``availabilityZoneMappings``; a region without zones has none). A zonal public IP in a region
without zones fails at Azure (``LocationNotSupportAvailabilityZones``), and zones a region does
not have fail too (``InvalidAvailabilityZone``). Since May 2025 Azure accepts an AZ gateway SKU
(VpnGw1AZ-5AZ) in every region, also one without zones: its public IP is then regional (no
zones) and the gateway has no zone redundancy.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional

SHOWN = 8


def region_zones(locations: Optional[Iterable[Mapping[str, Any]]], region: object) -> tuple[bool, list[str]]:
    """(found, zones): whether ``region`` is among ``locations`` (the SDK's Location.as_dict()
    or ARM's camelCase dicts) and its logical zones, sorted."""
    for loc in locations or ():
        if str(loc.get("name", "")).lower() == str(region).lower():
            mappings = loc.get("availability_zone_mappings") or loc.get("availabilityZoneMappings") or ()
            zones = {str(m.get("logical_zone") or m.get("logicalZone")) for m in mappings}
            return True, sorted(z for z in zones if z not in ("", "None"))
    return False, []


def gateway_ip_zones(region: str, found: bool, zones: list[str], wanted: Optional[Iterable[object]], sku: str = "VpnGw1AZ",
                     subscription: Optional[str] = None, regions: Iterable[object] = ()) -> dict[str, Any]:
    """``{zones, problem, note}`` for the gateway's public IP in ``region``.

    ``wanted`` (azure_gateway_zones) empty takes the region's zones (zone-redundant), or none in
    a region without zones (regional, with a note saying so); given zones must all be the
    region's. ``problem`` names why the region cannot host the planned IP (None when it can).
    """
    # The given zones as text (the parameter may hold numbers).
    chosen = [str(z) for z in wanted or ()]
    if not found:
        known = sorted(str(r) for r in regions)
        listed = ", ".join(known[:SHOWN]) + (" and %d more" % (len(known) - SHOWN) if len(known) > SHOWN else "")
        return {"zones": [], "note": None, "problem": (
            "Azure region %s is not a location of subscription %s, so nothing can be built there "
            "(it lists %s): check vpnlab_azure_region (az account list-locations)"
            % (region, subscription or "(unknown)", listed or "no location"))}
    if not zones:
        if chosen:
            return {"zones": [], "note": None, "problem": (
                "Azure region %s has no availability zones, so a zonal public IP fails there "
                "(LocationNotSupportAvailabilityZones): leave azure_gateway_zones empty for a "
                "regional public IP (Azure accepts the %s gateway in a region without zones since "
                "May 2025, without zone redundancy), or choose a region with zones" % (region, sku))}
        return {"zones": [], "problem": None, "note": (
            "Azure region %s has no availability zones: the gateway's Standard public IP is "
            "regional (no zones) and the %s gateway has no zone redundancy (Azure accepts AZ SKUs "
            "in every region since May 2025)" % (region, sku))}
    missing = [z for z in chosen if z not in zones]
    if missing:
        return {"zones": [], "note": None, "problem": (
            "%s of azure_gateway_zones %s of Azure region %s (its zones: %s)"
            % (("zones " if len(missing) > 1 else "zone ") + ", ".join(missing),
               "are not zones" if len(missing) > 1 else "is not a zone", region, ", ".join(zones)))}
    return {"zones": chosen or list(zones), "problem": None, "note": None}

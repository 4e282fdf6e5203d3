# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The availability zone of the VMs' subnet: one that offers the VMs' instance type, checked
before anything is created.

Not every zone offers every instance type (t3.micro is not offered in us-east-1e, say), and a
subnet in such a zone makes the VM's RunInstances fail (``Unsupported``) after the whole network
and the VPN exist. DescribeInstanceTypeOfferings (LocationType availability-zone, filtered by
instance type) says which zones do. A subnet cannot move: a re-run uses the zone of the lab's
existing subnet. ``choose_zone`` is pure; the other functions take a boto3 EC2 client.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence


def choose_zone(instance_type: str, region: str, offered: Iterable[str] | None, zones: Iterable[str] | None = (),
                wanted: str | None = "", existing: str | None = None) -> dict[str, Any]:
    """``{zone, offered_in, source, problem}``: the subnet's zone, or why there is none.

    ``offered``: the zones that offer ``instance_type``; ``zones``: the region's availability
    zones (local and wavelength zones excluded), to choose from when none is ``wanted``;
    ``existing``: the zone of the lab's subnet when it exists. ``source`` says where the zone
    comes from: ``given`` (``wanted``), ``subnet`` (the existing subnet's) or ``chosen`` (the
    first zone in name order that offers the type, so that every run chooses the same).
    """
    offered = sorted(set(offered or ()))
    candidates = [z for z in sorted(set(zones or ())) if z in offered] if zones else offered
    where = ("zones that offer it: %s" % ", ".join(offered)) if offered else (
        "no availability zone of %s offers it; choose another instance type" % region)
    result: dict[str, Any] = {"zone": None, "offered_in": offered, "source": None, "problem": None}
    if wanted and existing and wanted != existing:
        result["problem"] = ("the lab's subnet already exists in %s, not in %s (a subnet cannot "
                             "move): set aws_vpc_vpn_availability_zone to %s, or tear the lab "
                             "down first" % (existing, wanted, existing))
    elif wanted or existing:
        zone = wanted or existing
        if zone in offered:
            result.update(zone=zone, source="given" if wanted else "subnet")
        else:
            whose = "" if wanted else ", the zone of the lab's existing subnet"
            result["problem"] = "%s is not offered in %s%s; %s" % (instance_type, zone, whose, where)
    elif candidates:
        result.update(zone=candidates[0], source="chosen")
    else:
        result["problem"] = "%s is not offered in any availability zone of %s; %s" % (
            instance_type, region, where if offered else "choose another instance type")
    return result


def offered_zones(client: Any, instance_type: str) -> list[str]:
    """The zones of the client's region that offer ``instance_type``."""
    pages = client.get_paginator("describe_instance_type_offerings").paginate(
        LocationType="availability-zone", Filters=[{"Name": "instance-type", "Values": [instance_type]}])
    return sorted({o["Location"] for page in pages for o in page.get("InstanceTypeOfferings", [])})


def region_zones(client: Any) -> list[str]:
    """The region's availability zones that are available (not local or wavelength zones)."""
    found = client.describe_availability_zones(
        Filters=[{"Name": "state", "Values": ["available"]}]).get("AvailabilityZones", [])
    return sorted(z["ZoneName"] for z in found if z.get("ZoneType", "availability-zone") == "availability-zone")


def subnet_zone(subnets: Sequence[Mapping[str, Any]] | None, name: str | None = None) -> str | None:
    """The zone of the lab's subnet among ``subnets`` (the lab's, as DescribeSubnets gives them):
    the one named ``name`` (its Name tag), else the only one; None when there is none."""
    def named(subnet):
        return {t["Key"]: t["Value"] for t in subnet.get("Tags") or ()}.get("Name")
    mine = [s for s in subnets or () if name and named(s) == name] or (list(subnets or ()) if len(subnets or ()) == 1 else [])
    return mine[0].get("AvailabilityZone") if mine else None

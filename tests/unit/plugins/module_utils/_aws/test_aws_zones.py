# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The VMs' subnet zone: one that offers the instance type, chosen or checked before anything is
created (the pure choice; tests/unit/plugins/modules/test_aws_placement_module.py runs the module on moto)."""

from __future__ import annotations

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws.zones import choose_zone, subnet_zone

ZONES = ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e", "us-east-1f"]
T3 = ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1f"]  # not 1e
LOCAL = ["us-east-1-bos-1a"]

CASES = [
    # name, wanted, existing subnet's zone, offered, (zone, source, problem)
    ("none given: the first zone that offers it", "", None, T3, ("us-east-1a", "chosen", None)),
    ("none given, 1a lacks it: the next", "", None, T3[1:], ("us-east-1b", "chosen", None)),
    ("given and offered", "us-east-1c", None, T3, ("us-east-1c", "given", None)),
    ("given, not offered", "us-east-1e", None, T3,
     (None, None, "t3.micro is not offered in us-east-1e; zones that offer it: us-east-1a, "
      "us-east-1b, us-east-1c, us-east-1d, us-east-1f")),
    ("a zone of another region", "eu-central-1c", None, T3,
     (None, None, "t3.micro is not offered in eu-central-1c; zones that offer it: us-east-1a, "
      "us-east-1b, us-east-1c, us-east-1d, us-east-1f")),
    ("the existing subnet's zone is kept", "", "us-east-1d", T3, ("us-east-1d", "subnet", None)),
    ("the existing subnet's zone lacks it", "", "us-east-1e", T3,
     (None, None, "t3.micro is not offered in us-east-1e, the zone of the lab's existing subnet; "
      "zones that offer it: us-east-1a, us-east-1b, us-east-1c, us-east-1d, us-east-1f")),
    ("given, the subnet is elsewhere", "us-east-1a", "us-east-1d", T3,
     (None, None, "the lab's subnet already exists in us-east-1d, not in us-east-1a (a subnet "
      "cannot move): set aws_vpc_vpn_availability_zone to us-east-1d, or tear the lab down first")),
    ("given, the subnet is there", "us-east-1d", "us-east-1d", T3, ("us-east-1d", "given", None)),
    ("offered nowhere", "", None, [],
     (None, None, "t3.micro is not offered in any availability zone of us-east-1; choose another "
      "instance type")),
    ("given, offered nowhere", "us-east-1a", None, [],
     (None, None, "t3.micro is not offered in us-east-1a; no availability zone of us-east-1 "
      "offers it; choose another instance type")),
    ("offered only in a local zone: not chosen", "", None, LOCAL,
     (None, None, "t3.micro is not offered in any availability zone of us-east-1; zones that "
      "offer it: us-east-1-bos-1a")),
]


@pytest.mark.parametrize("name, wanted, existing, offered, expected", CASES, ids=[c[0] for c in CASES])
def test_choose_zone(name, wanted, existing, offered, expected):
    result = choose_zone("t3.micro", "us-east-1", offered, ZONES, wanted, existing)
    assert (result["zone"], result["source"], result["problem"]) == expected
    assert result["offered_in"] == sorted(offered)


def test_without_the_regions_zones_every_offering_counts():
    assert choose_zone("t3.micro", "us-east-1", ["us-east-1b", "us-east-1a"])["zone"] == "us-east-1a"


def subnet(zone, name=None):
    return {"AvailabilityZone": zone, "Tags": [{"Key": "Name", "Value": name}] if name else []}


@pytest.mark.parametrize("subnets, name, zone", [
    ([], "lab-subnet", None),
    ([subnet("a", "lab-subnet")], "lab-subnet", "a"),
    ([subnet("a", "other"), subnet("b", "lab-subnet")], "lab-subnet", "b"),
    ([subnet("a")], "lab-subnet", "a"),               # the only one of the lab's
    ([subnet("a"), subnet("b")], "lab-subnet", None),  # which one is not clear
])
def test_subnet_zone(subnets, name, zone):
    assert subnet_zone(subnets, name) == zone

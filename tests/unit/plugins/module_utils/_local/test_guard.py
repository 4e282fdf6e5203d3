# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Guard routes: the per-lab metric, which routes to add or remove, and what is refused."""

from __future__ import annotations

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.guard import (
    GUARD_PROTO, LabRoutes, guard_metric, normalise_cidrs, overlapping_host_networks, own_routes,
    routes_after, routes_to_add, routes_to_remove,
)

METRICS = [
    # lab, first 4 bytes of sha256(lab) (from `printf %s LAB | sha256sum`), metric
    ("vpntest", "49373957", 8927),
    ("lab2", "77812e70", 7736),
    ("a", "ca978112", 29610),
    ("a-b", "d44362d6", 39006),
]


@pytest.mark.parametrize("lab,digest,metric", METRICS, ids=[m[0] for m in METRICS])
def test_metric_is_derived_from_the_lab_name(lab, digest, metric):
    assert metric == 3000 + int(digest, 16) % 50000
    assert guard_metric(lab) == metric


def test_metric_stays_in_its_band_and_differs_between_labs():
    metrics = {guard_metric("lab%d" % i) for i in range(200)}
    assert all(3000 <= m < 53000 for m in metrics)
    assert len(metrics) >= 199


NORMALISE = [
    ("canonical", ["10.1.0.0/16", "203.0.113.0/24"], ["10.1.0.0/16", "203.0.113.0/24"]),
    ("host-bits", ["10.1.1.1/16"], ["10.1.0.0/16"]),
    ("duplicates", ["10.1.0.0/16", "10.1.0.0/16", " 10.1.5.0/16"], ["10.1.0.0/16"]),
    ("bare-address", ["198.51.100.7"], ["198.51.100.7/32"]),
    ("ipv6", ["2001:db8::1/32"], ["2001:db8::/32"]),
    ("empty", [], []),
]


@pytest.mark.parametrize("cidrs,expected", [n[1:] for n in NORMALISE], ids=[n[0] for n in NORMALISE])
def test_normalise_cidrs(cidrs, expected):
    assert normalise_cidrs(cidrs) == expected


@pytest.mark.parametrize("bad,message", [
    ("10.1.0.0/33", "is not a valid CIDR"),
    ("banana", "is not a valid CIDR"),
    ("0.0.0.0/0", "would make every address unreachable"),
    ("::/0", "would make every address unreachable"),
])
def test_normalise_cidrs_refuses(bad, message):
    with pytest.raises(ValueError, match=message):
        normalise_cidrs(["10.1.0.0/16", bad])


OVERLAPS = [
    ("disjoint", ["10.1.0.0/16"], ["192.0.2.2/24", "127.0.0.1/8"], []),
    ("uplink", ["192.0.2.0/24"], ["192.0.2.2/24"], [("192.0.2.0/24", "192.0.2.0/24")]),
    ("wider-than-host", ["10.0.0.0/8"], ["10.9.0.0/16"], [("10.0.0.0/8", "10.9.0.0/16")]),
    ("inside-host-route", ["10.9.1.0/24"], ["10.9.0.0/16"], [("10.9.1.0/24", "10.9.0.0/16")]),
    ("other-family", ["fd00::/64"], ["10.0.0.0/8"], []),
    ("ipv6", ["fd00::/8"], ["fd00::2/64"], [("fd00::/8", "fd00::/64")]),
    ("host-default-ignored", ["10.1.0.0/16"], ["0.0.0.0/0"], []),
]


@pytest.mark.parametrize("cidrs,host,expected", [o[1:] for o in OVERLAPS], ids=[o[0] for o in OVERLAPS])
def test_overlapping_host_networks(cidrs, host, expected):
    assert overlapping_host_networks(cidrs, host) == expected


def route(dst, metric, proto=GUARD_PROTO):
    return {"dst": dst, "proto": proto, "metric": metric, "type": 7}


M, OTHER = guard_metric("vpntest"), guard_metric("lab2")
OBSERVED = [
    route("10.1.0.0/16", M), route("10.1.0.0/16", OTHER), route("10.2.0.0/16", OTHER),
    route("10.2.0.0/16", M, proto=4), route("192.0.2.0/24", 0, proto=2),
    route("172.31.0.0/16", M),  # from an older plan of this lab
]

DIFFS = [
    # name, wanted, observed, to add, to remove
    ("nothing-yet", ["10.1.0.0/16", "10.2.0.0/16"], [], ["10.1.0.0/16", "10.2.0.0/16"], []),
    ("partly-there", ["10.1.0.0/16", "10.2.0.0/16"], OBSERVED, ["10.2.0.0/16"],
     ["10.1.0.0/16", "172.31.0.0/16"]),
    ("all-there", ["10.1.0.0/16", "172.31.5.5/16"], OBSERVED, [], ["10.1.0.0/16", "172.31.0.0/16"]),
    ("other-lab-only", ["10.2.0.0/16"], [route("10.2.0.0/16", OTHER)], ["10.2.0.0/16"], []),
    ("wrong-proto-is-not-ours", ["10.2.0.0/16"], [route("10.2.0.0/16", M, proto=4)], ["10.2.0.0/16"], []),
]


@pytest.mark.parametrize("wanted,observed,add,remove", [d[1:] for d in DIFFS], ids=[d[0] for d in DIFFS])
def test_route_diff(wanted, observed, add, remove):
    assert routes_to_add(wanted, observed, M) == add
    assert routes_to_remove(observed, M) == remove


def test_own_routes_sorted_by_address():
    observed = [route("203.0.113.0/24", M), route("10.2.0.0/16", M), route("fd00:1::/64", M),
                route("10.1.0.0/16", M)]
    assert own_routes(observed, M) == ["10.1.0.0/16", "10.2.0.0/16", "203.0.113.0/24", "fd00:1::/64"]


@pytest.mark.parametrize("before,added,removed,after", [
    ([], ["10.2.0.0/16", "10.1.0.0/16"], [], ["10.1.0.0/16", "10.2.0.0/16"]),
    (["10.1.0.0/16"], ["10.2.0.0/16"], [], ["10.1.0.0/16", "10.2.0.0/16"]),
    (["10.1.0.0/16", "10.2.0.0/16"], [], ["10.1.0.0/16", "10.2.0.0/16"], []),
])
def test_routes_after(before, added, removed, after):
    assert routes_after(before, added, removed) == after


class FakeRoutes:
    def __init__(self, routes):
        self.routes = list(routes)
        self.calls = []

    def observe(self):
        return list(self.routes)

    def remove(self, cidr, metric):
        self.calls.append((cidr, metric))
        self.routes = [r for r in self.routes if (r["dst"], r["metric"]) != (cidr, metric)
                       or r["proto"] != GUARD_PROTO]


@pytest.mark.parametrize("check_mode", [False, True])
def test_lab_routes_removes_only_its_own(check_mode):
    driver = FakeRoutes(OBSERVED)
    routes = LabRoutes("vpntest", driver)
    assert routes.remove(check_mode) == ["10.1.0.0/16", "172.31.0.0/16"]
    if check_mode:
        assert driver.calls == [] and routes.remaining() == ["10.1.0.0/16", "172.31.0.0/16"]
    else:
        assert driver.calls == [("10.1.0.0/16", M), ("172.31.0.0/16", M)]
        assert routes.remaining() == []
        assert routes_to_remove(driver.routes, OTHER) == ["10.1.0.0/16", "10.2.0.0/16"]

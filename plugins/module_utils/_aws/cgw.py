# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab's AWS customer gateway: which existing gateway is the lab's, which one it adopts.

Pure logic, no boto3 and no AnsibleModule: the aws_customer_gateway module calls the API with
what these functions build and decide. Three facts shape it:

- a gateway is the lab's by its tags (``vpnlab=<lab>``, ``managed_by=multicloud.vpnlab``), the
  only thing teardown and the leak check go by, so the gateway is created with them
  (``TagSpecifications``), not tagged by a later call that can fail on the fresh id;
- a gateway that a build created but could not tag (the stock module named it, then the tag call
  met AWS's eventual consistency) carries no tags, or only the lab's ``Name``: it is adopted
  (tagged), when it is ``available`` on the lab's address with the lab's BGP ASN;
- AWS answers a CreateCustomerGateway with the type, address and ASN of an existing gateway with
  that gateway, creating nothing and applying none of the request's tags: so a gateway of
  someone else on the same address and ASN stops the build instead.
"""

from __future__ import annotations

import ipaddress
from typing import Any, Callable, Iterable, Mapping, Optional, Tuple

from ansible_collections.multicloud.vpnlab.plugins.module_utils import asn
from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws import resources

Gateway = Mapping[str, Any]

TYPE = "ipsec.1"
# States of a gateway that exists; `deleting`/`deleted` ones are gone for us.
LIVE_STATES = ("pending", "available")
NAME_TAG = "Name"
# AWS's range for a customer gateway's ASN: up to 2147483647 in BgpAsn, above in BgpAsnExtended
# (module_utils/asn.py has AWS's rules, reserved ASNs included).
ASN_RANGE = (1, asn.ASN_MAX)


class CgwError(ValueError):
    """The gateway cannot be created, kept or adopted; the message says why and what to do."""


def lab_tags(lab: str, name: str, tags: Mapping[str, object] | None = None) -> dict[str, str]:
    """Every tag the lab's gateway carries: the given ones, its Name and the lab's identity."""
    wanted = {k: str(v) for k, v in (tags or {}).items()}
    wanted.update({NAME_TAG: name, resources.TAG_KEY: lab, resources.MANAGED_BY[0]: resources.MANAGED_BY[1]})
    return wanted


def spec_problems(lab: str, name: str, ip_address: object, bgp_asn: object, tags: Mapping[str, object] | None = None,
                  region: str | None = None) -> list[str]:
    """What is wrong with the wanted gateway, before any call (every problem at once); the
    reserved ASNs of ``region`` too when it is given."""
    problems = []
    try:
        # Anything at all: ip_address's TypeError and ValueError are the answer.
        address = ipaddress.ip_address(ip_address)  # type: ignore[arg-type]
        if address.version != 4:
            raise ValueError(ip_address)
    except (TypeError, ValueError):
        problems.append("ip_address=%r must be an IPv4 address" % (ip_address,))
    low, high = ASN_RANGE
    if isinstance(bgp_asn, bool) or not isinstance(bgp_asn, int) or not low <= bgp_asn <= high:
        problems.append("bgp_asn=%r must be a whole number from %d to %d" % (bgp_asn, low, high))
    elif asn.customer_gateway_asn_problem(bgp_asn, region):
        problems.append("bgp_asn=%d: %s" % (bgp_asn, asn.customer_gateway_asn_problem(bgp_asn, region)))
    if not name:
        problems.append("name must not be empty")
    given = tags or {}
    for key, value in ((resources.TAG_KEY, lab), resources.MANAGED_BY, (NAME_TAG, name)):
        if key in given and str(given[key]) != value:
            problems.append("tags: %s=%r contradicts the lab's %s=%r" % (key, given[key], key, value))
    return problems


def address_filters(ip_address: str) -> list[dict[str, Any]]:
    """The DescribeCustomerGateways filters for the gateways on the address, whoever's they are
    (moto ignores the state filter: `classify` checks the state again)."""
    return [{"Name": "ip-address", "Values": [ip_address]}, {"Name": "state", "Values": list(LIVE_STATES)}]


def same_asn(gateway: Gateway, bgp_asn: int) -> bool:
    # AWS returns the ASN as a string, in BgpAsnExtended when it is above 2147483647.
    return asn.gateway_asn(gateway) == str(bgp_asn)


def adoptable(gateway: Gateway, ip_address: str, bgp_asn: int, name: str) -> bool:
    """An available gateway on the lab's address and ASN with no tags, or only the lab's Name:
    one a build created and could not tag."""
    tags = resources.tags_of(gateway)
    return (gateway.get("State") == "available" and gateway.get("Type", TYPE) == TYPE
            and gateway.get("IpAddress") == ip_address and same_asn(gateway, bgp_asn)
            and (not tags or tags == {NAME_TAG: name}))


def adoptable_by(ip_address: str, bgp_asn: int, name: str) -> Callable[[Gateway], bool]:
    """The predicate `adoptable` for one lab's gateway (for the foreign-resource check)."""
    return lambda gateway: adoptable(gateway, ip_address, bgp_asn, name)


def adoptable_by_any(planned: Iterable[Tuple[str, str]], bgp_asn: int) -> Callable[[Gateway], bool]:
    """The predicate for a lab with several customer gateways (the BGP design's, one per Azure
    gateway instance): ``planned`` is (address, name) per gateway; a gateway is adoptable when
    it is adoptable as one of them."""
    pairs = [(ip, name) for ip, name in planned if ip]
    return lambda gateway: any(adoptable(gateway, ip, bgp_asn, name) for ip, name in pairs)


def classify(gateways: Iterable[Gateway] | None, lab: str, ip_address: str, bgp_asn: int,
             name: str) -> tuple[list[Gateway], list[Gateway], list[Gateway]]:
    """(the lab's, the adoptable, the others) among the live gateways on the address."""
    live = [g for g in gateways or () if g.get("State") in LIVE_STATES and g.get("IpAddress") == ip_address]
    own = [g for g in live if resources.is_labs(g, lab)]
    adopt = [g for g in live if g not in own and adoptable(g, ip_address, bgp_asn, name)]
    others = [g for g in live if g not in own and g not in adopt]
    return own, adopt, others


def _ids(gateways):
    return ", ".join(g["CustomerGatewayId"] for g in gateways)


def decide(gateways: Iterable[Gateway] | None, lab: str, ip_address: str, bgp_asn: int,
           name: str) -> Tuple[str, Optional[Gateway]]:
    """("keep", gateway), ("adopt", gateway) or ("create", None); CgwError when none is right."""
    own, adopt, others = classify(gateways, lab, ip_address, bgp_asn, name)
    if len(own) > 1:
        raise CgwError("lab %s has %d customer gateways on %s (%s); remove all but one" % (
            lab, len(own), ip_address, _ids(own)))
    if own:
        if not same_asn(own[0], bgp_asn):
            raise CgwError("customer gateway %s of lab %s has BGP ASN %s, not %s, and AWS cannot change a "
                           "customer gateway's ASN: keep the ASN, or tear the lab down first" % (
                               own[0]["CustomerGatewayId"], lab, asn.gateway_asn(own[0]), bgp_asn))
        return "keep", own[0]
    if len(adopt) > 1:
        raise CgwError("%d untagged customer gateways on %s with BGP ASN %s (%s) could be lab %s's; "
                       "remove all but one" % (len(adopt), ip_address, bgp_asn, _ids(adopt), lab))
    if adopt:
        return "adopt", adopt[0]
    clash = [g for g in others if same_asn(g, bgp_asn)]
    if clash:
        raise CgwError("customer gateway %s on %s with BGP ASN %s is not lab %s's (it carries other tags), "
                       "and AWS would answer the lab's create with it: remove it, or use another BGP ASN" % (
                           _ids(clash), ip_address, bgp_asn, lab))
    return "create", None


def create_request(ip_address: str, bgp_asn: int, tags: Mapping[str, object] | None) -> dict[str, Any]:
    """CreateCustomerGateway with every tag at creation: no window without the lab's tags. The
    ASN goes in BgpAsn, or in BgpAsnExtended above 2147483647 (AWS refuses it in BgpAsn)."""
    request: dict[str, Any] = {"Type": TYPE, "IpAddress": ip_address,
                               "TagSpecifications": [{"ResourceType": "customer-gateway", "Tags": tag_list(tags)}]}
    request.update(asn.customer_gateway_asn_fields(bgp_asn))
    return request


def planned(ip_address: str, bgp_asn: int) -> dict[str, Any]:
    """The gateway a create would make, as DescribeCustomerGateways would show it (check mode)."""
    gateway = {"IpAddress": ip_address, "State": "pending"}
    gateway.update({k: str(v) for k, v in asn.customer_gateway_asn_fields(bgp_asn).items()})
    return gateway


def tag_list(tags: Mapping[str, object] | None) -> list[dict[str, str]]:
    return [{"Key": k, "Value": str(v)} for k, v in sorted((tags or {}).items())]


def tag_changes(gateway: Gateway, wanted: Mapping[str, str], purge: bool = True) -> tuple[dict[str, str], list[str]]:
    """(tags to set, keys to remove); AWS's own `aws:` tags are never removed."""
    have = resources.tags_of(gateway)
    to_set = {k: v for k, v in wanted.items() if have.get(k) != v}
    to_unset = sorted(k for k in have if k not in wanted and not k.startswith("aws:")) if purge else []
    return to_set, to_unset


def retagged(gateway: Gateway, wanted: Mapping[str, str], purge: bool = True) -> dict[str, Any]:
    """The gateway as it is once `tag_changes` are applied."""
    to_set, to_unset = tag_changes(gateway, wanted, purge)
    tags = {k: v for k, v in resources.tags_of(gateway).items() if k not in to_unset}
    tags.update(to_set)
    return dict(gateway, Tags=tag_list(tags))


def summary(gateway: Gateway) -> dict[str, Any]:
    """What the module returns about a gateway (its id only once it exists)."""
    found = {"ip_address": gateway.get("IpAddress"), "bgp_asn": asn.gateway_asn(gateway),
             "state": gateway.get("State"), "type": gateway.get("Type", TYPE),
             "tags": resources.tags_of(gateway)}
    if gateway.get("CustomerGatewayId"):
        found["customer_gateway_id"] = gateway["CustomerGatewayId"]
    return found

# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWS's rules for the BGP ASNs of a Site-to-Site VPN: the customer gateway's (the other side,
here the Azure VPN gateway) and the virtual private gateway's (the Amazon side). Pure.

AWS requires a customer gateway ASN even for static routing, and fixes both ASNs at creation.
From AWS's documentation (EC2 API reference, CreateCustomerGateway and CreateVpnGateway; the
Site-to-Site VPN user guide, customer gateway options):

- customer gateway: 1 to 2,147,483,647 is sent as ``BgpAsn``, 2,147,483,648 to 4,294,967,295 as
  ``BgpAsnExtended``; 7224 is reserved (older SDK docs say in us-east-1, the user guide in every
  region: refused everywhere), 9059 in eu-west-1, 10124 in ap-northeast-1, 17943 in
  ap-southeast-1;
- virtual private gateway (``AmazonSideAsn``): a private ASN, 64,512 to 65,534 or
  4,200,000,000 to 4,294,967,294 (default 64512). 7224, Amazon's public ASN, is what gateways
  created before 2018 carry, and cannot be chosen for a new one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

if TYPE_CHECKING:
    from typing import TypeGuard
BGP_ASN_MAX = 2147483647
ASN_MAX = 4294967295
RESERVED_EVERYWHERE = (7224,)
RESERVED_IN_REGION = {9059: ("eu-west-1",), 10124: ("ap-northeast-1",), 17943: ("ap-southeast-1",)}
VGW_RANGES = ((64512, 65534), (4200000000, 4294967294))
AMAZON_PUBLIC_ASN = 7224


def _whole(number: object) -> TypeGuard[int]:
    return isinstance(number, int) and not isinstance(number, bool)


def customer_gateway_asn_problem(number: object, region: str | None = None) -> str | None:
    """Why AWS would refuse ``number`` as a customer gateway's ASN in ``region`` (None: only the
    rules that hold everywhere), or None."""
    if not _whole(number) or not 1 <= number <= ASN_MAX:
        return "must be a whole number from 1 to %d (AWS's range for a customer gateway)" % ASN_MAX
    if number in RESERVED_EVERYWHERE:
        return "%d is reserved by AWS (its own ASN); choose another, like 65034" % number
    if region in RESERVED_IN_REGION.get(number, ()):
        return "is reserved by AWS in %s; choose another, like 65034" % region
    return None


def vpn_gateway_asn_problem(number: object) -> str | None:
    """Why AWS would refuse ``number`` as a virtual private gateway's AmazonSideAsn, or None."""
    if _whole(number) and any(low <= number <= high for low, high in VGW_RANGES):
        return None
    rule = "must be a private ASN from %d to %d or %d to %d (AWS's AmazonSideAsn)" % (
        VGW_RANGES[0] + VGW_RANGES[1])
    if number == AMAZON_PUBLIC_ASN:
        rule += "; 7224 is Amazon's public ASN, which only gateways created before 2018 carry"
    return rule


def customer_gateway_asn_fields(number: int) -> dict[str, int]:
    """The CreateCustomerGateway field that carries ``number``: BgpAsn up to 2,147,483,647,
    BgpAsnExtended above."""
    return {"BgpAsn": number} if number <= BGP_ASN_MAX else {"BgpAsnExtended": number}


def gateway_asn(gateway: Mapping[str, Any]) -> str | None:
    """A described customer gateway's ASN as text, from whichever field AWS filled."""
    value = gateway.get("BgpAsnExtended") or gateway.get("BgpAsn")
    return None if value is None else str(value)

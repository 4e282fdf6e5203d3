# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How an existing VPN gateway differs from the plan, in what azure_rm_virtualnetworkgateway
never changes: its VPN type, its generation, its public IP and its subnet.

azure_rm_virtualnetworkgateway compares only tags, SKU and BGP, so a gateway of the lab's name
that exists with another VPN type, generation or public IP stays as it is and the job reports
success; Azure cannot change a gateway's VPN type or generation in place either. The role stops
on any difference found here, before anything is connected to the gateway."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional

from .ids import same

#: The only VPN type the lab creates (the module's ``route_based``, as Azure spells it).
PLANNED_VPN_TYPE = "RouteBased"


def gateway_drift(have: Optional[Mapping[str, Any]], generation: str, public_ip_id: str,
                  gateway_subnet_id: str) -> List[str]:
    """One phrase per difference between the gateway Azure has and the planned one, e.g.
    ``"generation Generation1 (planned Generation2)"``; empty when they agree or when there is
    no gateway yet (it is being created as planned).

    ``have`` is one gateway of azure_rm_virtualnetworkgateway_info (its ``ip_configurations``
    hold the public IP's and the subnet's ids); ARM ids compare case-insensitively."""
    if not have:
        return []
    found = []
    if have.get("vpn_type") != PLANNED_VPN_TYPE:
        found.append("VPN type %s (planned %s)" % (have.get("vpn_type"), PLANNED_VPN_TYPE))
    if have.get("vpn_gateway_generation") != generation:
        found.append("generation %s (planned %s)" % (have.get("vpn_gateway_generation"), generation))
    config: Dict[str, Any] = (have.get("ip_configurations") or [{}])[0] or {}
    pip = (config.get("public_ip_address") or {}).get("id") or "none"
    if not same(pip, public_ip_id):
        found.append("public IP %s (planned %s)" % (pip, public_ip_id))
    subnet = (config.get("subnet") or {}).get("id") or "none"
    if not same(subnet, gateway_subnet_id):
        found.append("subnet %s (planned %s)" % (subnet, gateway_subnet_id))
    return found

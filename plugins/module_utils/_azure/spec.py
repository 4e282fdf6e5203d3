# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Azure's rules, each written once: the fact sheet of the Azure side.

The connections' dead peer detection (range and default), BGP (the gateway's default ASN, the
ASNs Azure keeps for itself, the only addresses it accepts as custom BGP addresses), the region
names and their short codes, the names the lab gives its Azure resources, and the VMs' admin
user.

A spec module is a leaf: it imports only the standard library, so that the plan, the inputs,
the local target (which emulates Azure) and Azure's own code can all read it
(tests/unit/plugins/module_utils/test_layout.py keeps it so). Changing the DPD default is the
one line below, then ``scripts/spec_docs.py`` and ``scripts/inputs_docs.py`` for the texts
that state it.
"""

from __future__ import annotations

import ipaddress
import re

# --- dead peer detection --------------------------------------------------------------------
# A connection's dpdTimeoutSeconds: Azure allows 9-3600 s; the lab's default.
DPD_RANGE_SECONDS = (9, 3600)
DPD_DEFAULT_SECONDS = 45

# --- BGP (Azure VPN Gateway BGP FAQ) ----------------------------------------------------------
# A VPN gateway's ASN unless given; Azure accepts any other ASN but those below and IANA's.
BGP_DEFAULT_ASN = 65515
# Azure refuses these for a peer (its own public and private ASNs) and, 65515 aside (its
# default), for its gateway too.
BGP_RESERVED_ASNS = (8074, 8075, 12076, 65515, 65517, 65518, 65519, 65520)
# The only addresses Azure accepts as a gateway's custom (APIPA) BGP addresses.
APIPA_FIRST = ipaddress.IPv4Address("169.254.21.0")
APIPA_LAST = ipaddress.IPv4Address("169.254.22.255")
# An active-active gateway has two instances, each with its own ipConfiguration and public IP;
# the second configuration's name is the lab's choice (the portal calls it "activeActive").
IP_CONFIGURATION_NAMES = ("default", "activeActive")


def apipa(address: str) -> bool:
    """Whether Azure accepts ``address`` as a custom BGP address."""
    try:
        found = ipaddress.IPv4Address(address)
    except ValueError:
        return False
    return APIPA_FIRST <= found <= APIPA_LAST


# --- regions --------------------------------------------------------------------------------
REGION_RE = re.compile(r"\A[a-z][a-z0-9]{2,30}\Z")
# Azure's CAF short region codes for the names people read most; others keep their full name.
REGION_SHORT = {
    "westeurope": "euwe", "northeurope": "euno", "germanywestcentral": "dewc",
    "germanynorth": "deno", "switzerlandnorth": "chno", "switzerlandwest": "chwe",
    "francecentral": "frce", "uksouth": "ukso", "ukwest": "ukwe", "swedencentral": "sece",
    "norwayeast": "noea", "eastus": "usea", "eastus2": "use2", "westus": "uswe",
    "westus2": "usw2", "westus3": "usw3", "centralus": "usce", "northcentralus": "usnc",
    "southcentralus": "ussc", "canadacentral": "cace", "brazilsouth": "brso",
    "australiaeast": "auea", "southeastasia": "asse", "eastasia": "asea",
    "japaneast": "jpea", "koreacentral": "krce", "centralindia": "ince",
}


def region_short(region: str) -> str:
    """The region's CAF short code, or the region itself when it has none."""
    return REGION_SHORT.get(region, region)


# --- names ----------------------------------------------------------------------------------

def names(lab: str, region: str, environment: str, owner: str) -> dict[str, str]:
    """The lab's Azure resource names (CAF prefixes; the gateway's subnet must be GatewaySubnet)."""
    return {
        "resource_group": "rg-%s-%s-%s-%s" % (region_short(region), environment, owner, lab),
        "vnet": "vnet-%s" % lab,
        "subnet_internal": "internal",
        "subnet_gateway": "GatewaySubnet",
        "public_ip_gateway": "pip-%s-vpngw" % lab,
        "gateway": "vpng-%s" % lab,
        "nsg": "nsg-%s-internal" % lab,
    }


# --- the lab's VMs --------------------------------------------------------------------------
# The VMs' admin user (the plan publishes it; the test_vms role creates the VMs with it).
ADMIN_USER = "azureuser"

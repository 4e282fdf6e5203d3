# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWS's rules, each written once: the fact sheet of the AWS side.

What AWS accepts for a site-to-site VPN tunnel (inside CIDRs, DPD, algorithm and group values,
lifetimes), how its API spells each tunnel option in requests and in responses, how the lab's
resources are selected by tag, and who logs in to the lab's EC2 VMs.

A spec module is a leaf: it imports only the standard library and the shared ``ownership``
module, so that the plan, the inputs, the local target (which emulates AWS) and AWS's own code
can all read it (tests/unit/plugins/module_utils/test_layout.py keeps it so). The algorithm
*name* translations (AWS, XML, strongSwan, Azure) stay in ``module_utils/crypto.py``; the tag
names in ``module_utils/ownership.py``.
"""

from __future__ import annotations

import ipaddress
import re

from ansible_collections.multicloud.vpnlab.plugins.module_utils.ownership import MANAGED_BY, lab_tags

# --- inside CIDRs ---------------------------------------------------------------------------
# A tunnel's inside CIDR is a /30 of the link-local range (CreateVpnConnection, TunnelInsideCidr).
LINK_LOCAL = ipaddress.IPv4Network("169.254.0.0/16")
INSIDE_PREFIX = 30
# AWS refuses these inside CIDRs.
RESERVED_INSIDE = tuple(ipaddress.IPv4Network(c) for c in (
    "169.254.0.0/30", "169.254.1.0/30", "169.254.2.0/30", "169.254.3.0/30",
    "169.254.4.0/30", "169.254.5.0/30", "169.254.169.252/30"))
RESERVED_INSIDE_TEXT = "169.254.0.0/30 to 169.254.5.0/30 and 169.254.169.252/30"


def inside_cidr_problem(net: ipaddress.IPv4Network) -> str | None:
    """Why AWS refuses ``net`` (a parsed IPv4 network) as a tunnel's inside CIDR, or None."""
    if net.prefixlen != INSIDE_PREFIX or not net.subnet_of(LINK_LOCAL):
        return "must be a /%d inside %s (AWS's rule)" % (INSIDE_PREFIX, LINK_LOCAL)
    if any(net.overlaps(r) for r in RESERVED_INSIDE):
        return "is reserved by AWS (%s are not allowed)" % RESERVED_INSIDE_TEXT
    return None


# --- dead peer detection --------------------------------------------------------------------
# AWS's DPD timeout: its default is also its minimum (DPDTimeoutSeconds >= 30).
DPD_MIN_SECONDS = 30
DPD_DEFAULT_SECONDS = DPD_MIN_SECONDS
# AWS sends a DPD request every 10 s and gives up after three (its XML: interval x retries).
DPD_DELAY_SECONDS = 10
DPD_ACTIONS = ("clear", "none", "restart")
DPD_DEFAULT_ACTION = "clear"

# --- BGP (dynamic routing) ---------------------------------------------------------------------
# The virtual private gateway's BGP timers (its generated customer gateway configurations: hold
# time 30 s, a keepalive every 10 s); a session takes the smaller hold time of the two offers.
BGP_HOLD_SECONDS = 30
BGP_KEEPALIVE_SECONDS = 10

# --- accepted values (CreateVpnConnection, VpnTunnelOptionsSpecification) --------------------
IKE_VERSIONS = ("ikev1", "ikev2")
ENCRYPTION = ("AES128", "AES256", "AES128-GCM-16", "AES256-GCM-16")
INTEGRITY = ("SHA1", "SHA2-256", "SHA2-384", "SHA2-512")
PHASE1_DH = (2, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24)
PHASE2_DH = (2, 5, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24)
STARTUP_ACTIONS = ("add", "start")
PHASE1_LIFETIME = (900, 28800)
PHASE2_LIFETIME = (900, 3600)

# What a tunnel has when the connection's TunnelOptions leave an option out: AWS's defaults.
DEFAULT_OPTIONS = {
    "ike_versions": list(IKE_VERSIONS),
    "phase1_encryption_algorithms": list(ENCRYPTION),
    "phase1_integrity_algorithms": list(INTEGRITY),
    "phase1_dh_group_numbers": list(PHASE1_DH),
    "phase1_lifetime_seconds": PHASE1_LIFETIME[1],
    "phase2_encryption_algorithms": list(ENCRYPTION),
    "phase2_integrity_algorithms": list(INTEGRITY),
    "phase2_dh_group_numbers": list(PHASE2_DH),
    "phase2_lifetime_seconds": PHASE2_LIFETIME[1],
    "dpd_timeout_seconds": DPD_DEFAULT_SECONDS,
    "dpd_timeout_action": DPD_DEFAULT_ACTION,
}

# --- spellings ------------------------------------------------------------------------------
# option: (request key, response key, kind). "values" lists are [{"Value": x}] on both sides.
# Requests say DPDTimeoutSeconds and IKEVersions, responses DpdTimeoutSeconds and IkeVersions.
FIELDS = {
    "tunnel_inside_cidr": ("TunnelInsideCidr", "TunnelInsideCidr", "scalar"),
    "pre_shared_key": ("PreSharedKey", "PreSharedKey", "scalar"),
    "ike_versions": ("IKEVersions", "IkeVersions", "values"),
    "phase1_encryption_algorithms": ("Phase1EncryptionAlgorithms", "Phase1EncryptionAlgorithms", "values"),
    "phase1_integrity_algorithms": ("Phase1IntegrityAlgorithms", "Phase1IntegrityAlgorithms", "values"),
    "phase1_dh_group_numbers": ("Phase1DHGroupNumbers", "Phase1DHGroupNumbers", "values"),
    "phase1_lifetime_seconds": ("Phase1LifetimeSeconds", "Phase1LifetimeSeconds", "scalar"),
    "phase2_encryption_algorithms": ("Phase2EncryptionAlgorithms", "Phase2EncryptionAlgorithms", "values"),
    "phase2_integrity_algorithms": ("Phase2IntegrityAlgorithms", "Phase2IntegrityAlgorithms", "values"),
    "phase2_dh_group_numbers": ("Phase2DHGroupNumbers", "Phase2DHGroupNumbers", "values"),
    "phase2_lifetime_seconds": ("Phase2LifetimeSeconds", "Phase2LifetimeSeconds", "scalar"),
    "dpd_timeout_seconds": ("DPDTimeoutSeconds", "DpdTimeoutSeconds", "scalar"),
    "dpd_timeout_action": ("DPDTimeoutAction", "DpdTimeoutAction", "scalar"),
    "startup_action": ("StartupAction", "StartupAction", "scalar"),
}

# --- regions and names ----------------------------------------------------------------------
REGION_RE = re.compile(r"\A[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]\Z")


def names(lab: str) -> dict[str, str]:
    """The lab's AWS resource names (the Name tag, or the resource's own name)."""
    return {
        "vpc": "%s-vpc" % lab,
        "subnet": "%s-subnet" % lab,
        "internet_gateway": "%s-igw" % lab,
        "route_table": "%s-rt" % lab,
        "security_group": "%s-sg" % lab,
        "vpn_gateway": "%s-vgw" % lab,
        "customer_gateway": "%s-cgw-azure" % lab,
        "vpn_connection": "%s-vpn" % lab,
        "key_pair": "%s-key" % lab,
    }


def bgp_connection_names(lab: str, number: int) -> dict[str, str]:
    """The BGP design's customer gateway and VPN connection number ``number`` (1, 2): one pair
    per Azure gateway instance."""
    return {"customer_gateway": "%s-cgw-azure%d" % (lab, number), "vpn_connection": "%s-vpn%d" % (lab, number)}


# --- tag selection --------------------------------------------------------------------------


def tag_filters(lab: str) -> dict[str, str]:
    """EC2 ``Filters`` as a dict (amazon.aws's form) selecting lab ``lab``'s resources: both
    ownership tags, so a resource someone tagged ``vpnlab=<lab>`` by hand is never selected."""
    return {"tag:" + key: value for key, value in lab_tags(lab).items()}


def filter_list(filters: dict[str, str]) -> list[dict[str, object]]:
    """The same filters in boto3's form, ``[{"Name": ..., "Values": [...]}]``."""
    return [{"Name": name, "Values": [value]} for name, value in filters.items()]


def managed_filters() -> dict[str, str]:
    """Every lab's resources, whatever the lab (the reaper): the manager tag alone."""
    return {"tag:" + MANAGED_BY[0]: MANAGED_BY[1]}


# --- the lab's EC2 VMs ----------------------------------------------------------------------
# The Ubuntu images' login user.
SSH_USER = "ubuntu"

# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one table of IKE/IPsec algorithm names, across the four vocabularies the lab speaks.

AWS names an algorithm one way in ``Options.TunnelOptions`` (``AES256-GCM-16``), another in the
``CustomerGatewayConfiguration`` XML (``aes-256-gcm-16``); strongSwan wants ``aes256gcm16`` and
an Azure IPsec/IKE policy ``GCMAES256``. Every translation goes through AWS's name, the canonical
one here. ``None`` marks a name a vocabulary does not have (Azure has no DH group 15, say).

Pure data and lookups, no Ansible import.
"""

from __future__ import annotations

from typing import Final, Mapping, Optional, Tuple

# A table's row (see below); the tables' types, for the lookups' hints.
Row = Tuple[str, Tuple[str, ...], str, Optional[str], Optional[str]]
Table = Mapping[str, Row]

# AWS name: (XML name, other spellings seen in XML or user input, strongSwan, Azure IKE, Azure IPsec)
ENCRYPTION = {
    "AES128": ("aes-128-cbc", ("aes128", "aes-128", "aes128-cbc"), "aes128", "AES128", "AES128"),
    "AES256": ("aes-256-cbc", ("aes256", "aes-256", "aes256-cbc"), "aes256", "AES256", "AES256"),
    "AES128-GCM-16": ("aes-128-gcm-16", ("aes128-gcm-16", "aes-128-gcm"), "aes128gcm16",
                      "GCMAES128", "GCMAES128"),
    "AES256-GCM-16": ("aes-256-gcm-16", ("aes256-gcm-16", "aes-256-gcm"), "aes256gcm16",
                      "GCMAES256", "GCMAES256"),
}
INTEGRITY = {
    "SHA1": ("sha1", ("sha-1", "hmac-sha1", "hmac-sha1-96"), "sha1", "SHA1", "SHA1"),
    "SHA2-256": ("sha2-256", ("sha256", "sha-256", "hmac-sha256", "hmac-sha2-256",
                              "hmac-sha256-128", "hmac-sha2-256-128"), "sha256", "SHA256", "SHA256"),
    "SHA2-384": ("sha2-384", ("sha384", "hmac-sha384-192", "hmac-sha2-384-192"), "sha384",
                 "SHA384", None),
    "SHA2-512": ("sha2-512", ("sha512", "hmac-sha512-256", "hmac-sha2-512-256"), "sha512",
                 None, None),
}
# DH group number: (strongSwan, Azure IKE dhGroup, Azure IPsec pfsGroup)
DH_GROUPS = {
    2: ("modp1024", "DHGroup2", "PFS2"),
    5: ("modp1536", None, None),
    14: ("modp2048", "DHGroup14", "PFS2048"),
    15: ("modp3072", None, None),
    16: ("modp4096", None, None),
    17: ("modp6144", None, None),
    18: ("modp8192", None, None),
    19: ("ecp256", "ECP256", "ECP256"),
    20: ("ecp384", "ECP384", "ECP384"),
    21: ("ecp521", None, None),
    22: ("modp1024s160", None, None),
    23: ("modp2048s224", None, None),
    24: ("modp2048s256", "DHGroup24", "PFS24"),
}
# Both clouds' common ground: DH group 14 or stronger (the groups below are weaker or suspect).
WEAK_DH = frozenset((2, 5, 22, 23, 24))
IKE_VERSIONS = {"ikev1": "ikev1", "ikev2": "ikev2", "1": "ikev1", "2": "ikev2", "v1": "ikev1",
                "v2": "ikev2"}

# The columns of a row (Final: mypy then knows which column's type a lookup returns).
_XML: Final = 0
_ALIASES: Final = 1
_SWAN: Final = 2
_AZURE_IKE: Final = 3
_AZURE_IPSEC: Final = 4


def _aliases(table):
    """Every spelling (lowercase) -> AWS name."""
    found = {}
    for aws, row in table.items():
        for name in (aws, row[_XML], row[_SWAN]) + row[_ALIASES]:
            found[name.lower()] = aws
    return found


ENCRYPTION_ALIASES = _aliases(ENCRYPTION)
INTEGRITY_ALIASES = _aliases(INTEGRITY)


def xml_name(table: Table, aws: str) -> str:
    return table[aws][_XML]


def strongswan_name(table: Table, aws: str) -> str:
    return table[aws][_SWAN]


def azure_name(table: Table, aws: str, phase: str) -> str | None:
    """Azure's name for an AWS algorithm in `phase` (phase1 = IKE, phase2 = IPsec), or None."""
    row = table[aws]
    return row[_AZURE_IKE] if phase == "phase1" else row[_AZURE_IPSEC]


def strongswan_dh(group: int) -> str:
    return DH_GROUPS[group][0]


def azure_dh(group: int, phase: str) -> str | None:
    """Azure's dhGroup (phase1) or pfsGroup (phase2) for a DH group number, or None."""
    return DH_GROUPS[group][1 if phase == "phase1" else 2]

# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An Azure custom IPsec/IKE policy from the lab's crypto plan, through crypto.py's one table.

Azure takes one algorithm per field, names them its own way (``GCMAES256``, ``DHGroup14``,
``PFS2048``) and fixes the IKE (phase 1) SA lifetime at 28,800 s; only the IPsec (phase 2) SA
lifetime and data size are set. With AES-GCM, the integrity field names the same GCM algorithm.
"""

from __future__ import annotations

from typing import Any, Mapping

from ansible_collections.multicloud.vpnlab.plugins.module_utils import crypto

# Azure's default IPsec SA data size (KB): large enough that only the lifetime rekeys.
SA_DATA_SIZE_KILOBYTES = 102400000
FIELDS = ("ike_encryption", "ike_integrity", "dh_group", "ipsec_encryption", "ipsec_integrity",
          "pfs_group", "sa_life_time_seconds", "sa_data_size_kilobytes")


class PolicyError(ValueError):
    """The crypto plan names something Azure's policy cannot express."""


def _name(table, aws, phase, what):
    azure = crypto.azure_name(table, aws, phase)
    if azure is None:
        raise PolicyError("Azure has no %s %s for %s" % (phase, what, aws))
    return azure


def _dh(group, phase, what):
    azure = crypto.azure_dh(group, phase)
    if azure is None:
        raise PolicyError("Azure has no %s for DH group %s" % (what, group))
    return azure


def _integrity(encryption, integrity_aws, phase):
    if encryption.startswith("GCMAES"):
        return encryption
    return _name(crypto.INTEGRITY, integrity_aws, phase, "integrity")


def ipsec_policy(plan_crypto: Mapping[str, Any]) -> dict[str, Any]:
    """The policy (module option form) for the plan's ``crypto``; PolicyError names a gap."""
    phase1, phase2 = plan_crypto["phase1"], plan_crypto["phase2"]
    if plan_crypto.get("ike_version", 2) != 2:
        raise PolicyError("the lab uses IKEv2 only; Azure custom policies here are IKEv2")
    ike_encryption = _name(crypto.ENCRYPTION, phase1["encryption"], "phase1", "encryption")
    ipsec_encryption = _name(crypto.ENCRYPTION, phase2["encryption"], "phase2", "encryption")
    return {
        "ike_encryption": ike_encryption,
        "ike_integrity": _integrity(ike_encryption, phase1["integrity"], "phase1"),
        "dh_group": _dh(phase1["dh_group"], "phase1", "IKE DH group"),
        "ipsec_encryption": ipsec_encryption,
        "ipsec_integrity": _integrity(ipsec_encryption, phase2["integrity"], "phase2"),
        "pfs_group": _dh(phase2["pfs_group"], "phase2", "PFS group"),
        "sa_life_time_seconds": phase2["lifetime_seconds"],
        "sa_data_size_kilobytes": SA_DATA_SIZE_KILOBYTES,
    }


def normalise(policy: Mapping[str, Any] | None) -> dict[str, Any]:
    """A policy as compared: the eight fields, nothing else (SDK dicts carry no extras today,
    but an API version could add some)."""
    return {key: (policy or {}).get(key) for key in FIELDS}

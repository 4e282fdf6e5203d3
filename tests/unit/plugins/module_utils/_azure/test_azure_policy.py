# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Azure IPsec/IKE policy from the lab's crypto, through crypto.py's one table."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws.plan import tunnel_options
from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.policy import (
    FIELDS, PolicyError, ipsec_policy, normalise,
)
from ansible_collections.multicloud.vpnlab.plugins.module_utils.crypto import azure_dh, azure_name, ENCRYPTION, INTEGRITY
from ansible_collections.multicloud.vpnlab.plugins.module_utils.plan import CRYPTO


def crypto(**changes):
    out = copy.deepcopy(CRYPTO)
    for path, value in changes.items():
        phase, key = path.split("__")
        out[phase][key] = value
    return out


@pytest.mark.parametrize("changes, expected", [
    ({}, {"ike_encryption": "AES256", "ike_integrity": "SHA256", "dh_group": "DHGroup14",
          "ipsec_encryption": "AES256", "ipsec_integrity": "SHA256", "pfs_group": "PFS2048",
          "sa_life_time_seconds": 3600, "sa_data_size_kilobytes": 102400000}),
    ({"phase2__encryption": "AES256-GCM-16"}, {"ipsec_encryption": "GCMAES256", "ipsec_integrity": "GCMAES256"}),
    ({"phase1__encryption": "AES128-GCM-16"}, {"ike_encryption": "GCMAES128", "ike_integrity": "GCMAES128"}),
    ({"phase1__dh_group": 20, "phase2__pfs_group": 19}, {"dh_group": "ECP384", "pfs_group": "ECP256"}),
    ({"phase2__lifetime_seconds": 2700}, {"sa_life_time_seconds": 2700}),
])
def test_policy_from_crypto(changes, expected):
    policy = ipsec_policy(crypto(**changes))
    assert {k: policy[k] for k in expected} == expected
    assert set(policy) == set(FIELDS)


@pytest.mark.parametrize("changes, message", [
    ({"phase1__dh_group": 15}, "no IKE DH group for DH group 15"),
    ({"phase2__pfs_group": 21}, "no PFS group for DH group 21"),
    ({"phase1__integrity": "SHA2-512"}, "no phase1 integrity for SHA2-512"),
    ({"phase2__integrity": "SHA2-384"}, "no phase2 integrity for SHA2-384"),
])
def test_policy_names_what_azure_lacks(changes, message):
    with pytest.raises(PolicyError, match=message):
        ipsec_policy(crypto(**changes))


def test_ikev1_is_refused():
    with pytest.raises(PolicyError):
        ipsec_policy(dict(copy.deepcopy(CRYPTO), ike_version=1))


def test_policy_is_one_of_the_aws_tunnels_choices():
    """Both halves come from the same plan: every Azure choice is among AWS's offers."""
    policy, aws = ipsec_policy(CRYPTO), tunnel_options(dict(copy.deepcopy(CRYPTO), azure_dpd_timeout_seconds=45))
    offered = {
        "ike_encryption": [azure_name(ENCRYPTION, a, "phase1") for a in aws["phase1_encryption_algorithms"]],
        "ike_integrity": [azure_name(INTEGRITY, a, "phase1") for a in aws["phase1_integrity_algorithms"]],
        "dh_group": [azure_dh(g, "phase1") for g in aws["phase1_dh_group_numbers"]],
        "ipsec_encryption": [azure_name(ENCRYPTION, a, "phase2") for a in aws["phase2_encryption_algorithms"]],
        "ipsec_integrity": [azure_name(INTEGRITY, a, "phase2") for a in aws["phase2_integrity_algorithms"]],
        "pfs_group": [azure_dh(g, "phase2") for g in aws["phase2_dh_group_numbers"]],
    }
    for field, choices in offered.items():
        assert policy[field] in choices, field
    assert policy["sa_life_time_seconds"] == aws["phase2_lifetime_seconds"]


def test_normalise_keeps_the_eight_fields():
    assert normalise({"dh_group": "DHGroup14", "extra": 1}) == dict.fromkeys(FIELDS) | {"dh_group": "DHGroup14"}
    assert normalise(None) == dict.fromkeys(FIELDS)

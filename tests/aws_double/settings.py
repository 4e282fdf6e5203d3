# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TEST DOUBLE: the settings that switch AWS's behaviours on, their defaults and their checks.

Given on the command line (``--modify-seconds 4``) or posted to ``/_aws_double/config``
(``{"modify_seconds": 4}``); an unknown name or a bad value is refused, never ignored.
"""

from __future__ import annotations

from .consistency import NOT_FOUND

DEFAULT_CONFIG = {
    "pending_seconds": 0.0,              # a new VPN connection is `pending` this long (AWS: minutes)
    "modify_seconds": 4.0,               # `modifying` after ModifyVpnTunnelOptions (AWS: minutes)
    "busy_error_code": "IncorrectState",  # the answer to a modification while `modifying`
    "consistency_share": 0.0,            # share of fresh ids answered NotFound once (0..1)
    "consistency_window_seconds": 10.0,  # how long an id counts as fresh
    "consistency_kinds": ["cgw", "vgw", "vpn"],  # id prefixes that can be not found yet
    "seed": 0,                           # seeds the NotFound draws and the inside CIDRs chosen
}
# AWS's documentation lists both codes for "not in a state to be changed"; the one it answers to
# a ModifyVpnTunnelOptions during a modification could not be checked offline.
BUSY_ERROR_CODES = ("IncorrectState", "InvalidVpnConnection.InvalidState")


def _number(key, value, low, high=None):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("%s must be a number, not %r" % (key, value))
    if value < low or (high is not None and value > high):
        raise ValueError("%s=%r is outside %s..%s" % (key, value, low, "" if high is None else high))
    return float(value)


def _kinds(value):
    kinds = value.split(",") if isinstance(value, str) else value
    if not isinstance(kinds, list) or not all(isinstance(k, str) for k in kinds):
        raise ValueError("consistency_kinds must be a list of id prefixes")
    unknown = sorted(set(kinds) - set(NOT_FOUND))
    if unknown:
        raise ValueError("consistency_kinds: no NotFound error known for %s (known: %s)"
                         % (", ".join(unknown), ", ".join(sorted(NOT_FOUND))))
    return [k for k in kinds if k]


def _seed(value):
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("seed must be an integer, not %r" % (value,))
    return value


def _busy_code(value):
    if value not in BUSY_ERROR_CODES:
        raise ValueError("busy_error_code must be one of %s" % ", ".join(BUSY_ERROR_CODES))
    return value


CHECKS = {
    "pending_seconds": lambda v: _number("pending_seconds", v, 0),
    "modify_seconds": lambda v: _number("modify_seconds", v, 0),
    "busy_error_code": _busy_code,
    "consistency_share": lambda v: _number("consistency_share", v, 0, 1),
    "consistency_window_seconds": lambda v: _number("consistency_window_seconds", v, 0),
    "consistency_kinds": _kinds,
    "seed": _seed,
}


def checked(current, updates):
    """`current` with `updates` applied; ValueError naming the first unknown or bad setting."""
    if not isinstance(updates, dict):
        raise ValueError("settings must be a JSON object")
    unknown = sorted(set(updates) - set(DEFAULT_CONFIG))
    if unknown:
        raise ValueError("unknown settings %s (known: %s)" % (", ".join(unknown), ", ".join(DEFAULT_CONFIG)))
    return dict(current, **{key: CHECKS[key](value) for key, value in updates.items()})

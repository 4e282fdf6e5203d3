# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pre-shared keys by AWS's rule: 8-64 characters of [A-Za-z0-9._], not starting with '0'.

Both targets follow it: the cloud target hands its keys to AWS, the local target emulates AWS's
VPN connection. Generated keys are 32 characters long, as AWS's own are.
"""

from __future__ import annotations

import random
import re
import secrets
import string

# The whole string: `\Z`, not `$`, which would also accept the key followed by a newline.
PSK_RE = re.compile(r"\A[A-Za-z0-9._]{8,64}\Z")
PSK_ALPHABET_RULE = "must be 8-64 characters of A-Z, a-z, 0-9, '.' and '_'"
PSK_ZERO_RULE = "must not start with '0'"
PSK_ALPHABET = string.ascii_letters + string.digits + "._"
# A letter first: never '0', and no leading '.' or '_' that some tools trim or quote.
PSK_FIRST = string.ascii_letters
PSK_LENGTH = 32


def psk_problem(psk: object) -> str | None:
    """The part of AWS's rule `psk` breaks (a phrase without the key), or None when it meets it.

    The one home of the rule: the plan and the AWS part word their messages around it.
    """
    if not isinstance(psk, str) or not PSK_RE.fullmatch(psk):
        return PSK_ALPHABET_RULE
    if psk.startswith("0"):
        return PSK_ZERO_RULE
    return None


def generate_psk(rng: random.Random | None = None) -> str:
    """A random key that meets AWS's rule."""
    rng = rng or secrets.SystemRandom()
    return rng.choice(PSK_FIRST) + "".join(rng.choice(PSK_ALPHABET) for dummy in range(PSK_LENGTH - 1))

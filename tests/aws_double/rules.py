# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TEST DOUBLE: AWS's value rules for VPN tunnel options, and their two spellings.

botocore checks a request's shape, not AWS's values; moto checks neither. AWS refuses a bad
inside CIDR, key, lifetime or algorithm with ``InvalidParameterValue``, so this double does too,
on the options a tunnel would have after the request (creation, or the merge a modification
makes). The rules are written here from AWS's documentation (CreateVpnConnection,
VpnTunnelOptionsSpecification), not imported from the collection: a double sharing the code it
tests would share its mistakes. The messages paraphrase AWS's and never contain a key.

Requests spell ``DPDTimeoutSeconds``, ``DPDTimeoutAction`` and ``IKEVersions``; responses
(``TunnelOption``) spell ``DpdTimeoutSeconds``, ``DpdTimeoutAction`` and ``IkeVersions``. A tunnel
is kept in the request spelling and shown in the response spelling.
"""

from __future__ import annotations

import ipaddress
import re
import secrets
import string

from moto.ec2.exceptions import EC2ClientError

LINK_LOCAL = ipaddress.ip_network("169.254.0.0/16")
RESERVED_INSIDE = tuple(ipaddress.ip_network(c) for c in (
    "169.254.0.0/30", "169.254.1.0/30", "169.254.2.0/30", "169.254.3.0/30", "169.254.4.0/30",
    "169.254.5.0/30", "169.254.169.252/30"))
PSK_RE = re.compile(r"\A[A-Za-z0-9._]{8,64}\Z")
PSK_ALPHABET = string.ascii_letters + string.digits + "._"
ENCRYPTION = ("AES128", "AES256", "AES128-GCM-16", "AES256-GCM-16")
INTEGRITY = ("SHA1", "SHA2-256", "SHA2-384", "SHA2-512")
LIST_VALUES = {
    "Phase1EncryptionAlgorithms": ENCRYPTION, "Phase2EncryptionAlgorithms": ENCRYPTION,
    "Phase1IntegrityAlgorithms": INTEGRITY, "Phase2IntegrityAlgorithms": INTEGRITY,
    "Phase1DHGroupNumbers": (2, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24),
    "Phase2DHGroupNumbers": (2, 5, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24),
    "IKEVersions": ("ikev1", "ikev2"),
}
CHOICES = {"DPDTimeoutAction": ("clear", "none", "restart"), "StartupAction": ("add", "start")}
# What a tunnel has when an option is not set (a list option: every value LIST_VALUES allows);
# the lifetimes and the rekey margin are checked against each other with these filled in.
DEFAULTS = {"Phase1LifetimeSeconds": 28800, "Phase2LifetimeSeconds": 3600, "RekeyMarginTimeSeconds": 270,
            "RekeyFuzzPercentage": 100, "ReplayWindowSize": 1024, "DPDTimeoutSeconds": 40,
            "DPDTimeoutAction": "clear", "StartupAction": "add"}
RANGES = {"Phase1LifetimeSeconds": (900, 28800), "Phase2LifetimeSeconds": (900, 3600),
          "RekeyFuzzPercentage": (0, 100), "ReplayWindowSize": (64, 2048)}
DPD_MIN = 30
RESPONSE_NAMES = {"DPDTimeoutSeconds": "DpdTimeoutSeconds", "DPDTimeoutAction": "DpdTimeoutAction",
                  "IKEVersions": "IkeVersions"}


def invalid(message):
    return EC2ClientError("InvalidParameterValue", message)


def generate_psk():
    """A key by AWS's rule; 32 characters like AWS's own, never starting with '0'."""
    first = secrets.choice(PSK_ALPHABET.replace("0", ""))
    return first + "".join(secrets.choice(PSK_ALPHABET) for dummy in range(31))


def check_psk(psk):
    if not isinstance(psk, str) or not PSK_RE.match(psk) or psk.startswith("0"):
        raise invalid("The pre-shared key must be 8 to 64 characters long, contain only alphanumeric "
                      "characters, periods (.) and underscores (_), and must not start with zero (0).")


def check_inside_cidr(cidr):
    try:
        net = ipaddress.IPv4Network(cidr)
    except (TypeError, ValueError):
        raise invalid("Invalid value '%s' for TunnelInsideCidr: not an IPv4 CIDR block." % cidr) from None
    if net.prefixlen != 30 or not net.subnet_of(LINK_LOCAL):
        raise invalid("The tunnel inside CIDR %s must be a /30 CIDR block from the 169.254.0.0/16 range." % cidr)
    if net in RESERVED_INSIDE:
        raise invalid("The tunnel inside CIDR %s is reserved and cannot be used." % cidr)


def _check_lists(spec):
    for key, allowed in LIST_VALUES.items():
        values = [item.get("Value") for item in spec.get(key) or ()]
        bad = [v for v in values if v not in allowed]
        if key in spec and (bad or not values):
            raise invalid("Invalid value '%s' for %s. Valid values: %s." % (
                ", ".join(map(str, bad)), key, ", ".join(map(str, allowed))))


def _check_numbers(spec):
    merged = dict(DEFAULTS, **spec)
    for key, (low, high) in RANGES.items():
        if not low <= merged[key] <= high:
            raise invalid("%s must be between %d and %d." % (key, low, high))
    phase1, phase2 = merged["Phase1LifetimeSeconds"], merged["Phase2LifetimeSeconds"]
    if phase2 >= phase1:
        raise invalid("Phase2LifetimeSeconds (%d) must be less than Phase1LifetimeSeconds (%d)." % (phase2, phase1))
    if not 60 <= merged["RekeyMarginTimeSeconds"] <= phase2 // 2:
        raise invalid("RekeyMarginTimeSeconds must be between 60 and half of Phase2LifetimeSeconds (%d)." % phase2)
    if merged["DPDTimeoutSeconds"] < DPD_MIN:
        raise invalid("DPDTimeoutSeconds must be greater than or equal to %d." % DPD_MIN)
    for key, allowed in CHOICES.items():
        if merged[key] not in allowed:
            raise invalid("Invalid value '%s' for %s. Valid values: %s." % (merged[key], key, ", ".join(allowed)))


def check_tunnel(spec):
    """Raise AWS's InvalidParameterValue for the first rule the tunnel's options break."""
    if spec.get("TunnelInsideIpv6Cidr"):
        raise invalid("TunnelInsideIpv6Cidr requires TunnelInsideIpVersion ipv6, which only transit "
                      "gateway VPN connections support.")
    if "PreSharedKey" in spec:
        check_psk(spec["PreSharedKey"])
    if "TunnelInsideCidr" in spec:
        check_inside_cidr(spec["TunnelInsideCidr"])
    _check_lists(spec)
    _check_numbers(spec)


def response_tunnel(outside_ip, spec):
    """One ``TunnelOption`` as DescribeVpnConnections returns it: what was set, AWS's names."""
    shown = {"OutsideIpAddress": outside_ip}
    shown.update((RESPONSE_NAMES.get(key, key), value) for key, value in spec.items())
    shown.setdefault("LogOptions", {"CloudWatchLogOptions": {"LogEnabled": False}})
    shown.setdefault("EnableTunnelLifecycleControl", False)
    return shown

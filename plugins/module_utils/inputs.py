# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab inputs: every ``vpnlab_*`` variable, declared once.

``INPUTS`` is the one table of the lab-wide variables (name without the ``vpnlab_`` prefix,
type, default, description, whether it is a secret, which targets read it). The plan's defaults,
the ``lab_plan`` module's argument spec, its documentation (the ``multicloud.vpnlab.inputs`` doc
fragment) and the plan role's ``meta/argument_specs.yml`` come from it; the last two are written
by ``scripts/inputs_docs.py`` and a unit test fails when they drift. Adding an input is one line
here (then run that script), plus its rule in ``plan.py`` if it needs more than its type.

``coerce`` turns what users pass into the declared type the way they expect from Ansible: values
from ``-e key=value`` arrive as strings, so ``"3"`` is 3, ``"yes"`` is true, and a list may be
given as JSON text or as comma-separated text. Pure, no Ansible import.
"""

from __future__ import annotations

import collections
import copy
import difflib
import json
import math
import re
from typing import Any, Iterable, Mapping, Optional

# The clouds' fact sheets (leaf modules, see test_layout): the DPD input's default and limits.
from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws.spec import DPD_DEFAULT_SECONDS as AWS_DPD_DEFAULT
from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.spec import (
    DPD_DEFAULT_SECONDS as AZURE_DPD_DEFAULT, DPD_RANGE_SECONDS as AZURE_DPD_RANGE)
# The routing designs and the BGP design's defaults.
from ansible_collections.multicloud.vpnlab.plugins.module_utils.bgp import (
    AZURE_DEFAULT_ASN, DEFAULT_INSIDE_CIDRS, ROUTINGS, STATIC_CUSTOMER_GATEWAY_ASN)

PREFIX = "vpnlab_"
BOTH = ("local", "cloud")
LOCAL = ("local",)
CLOUD = ("cloud",)

Input = collections.namedtuple(
    "Input", "name type default description secret targets elements choices example")


def _input(name, type_, default, description, secret=False, targets=BOTH, elements=None,
           choices=None, example=None):
    return Input(name, type_, default, description, secret, targets, elements, choices, example)


DEFAULT_VMS = [
    {"name": "vm1", "cloud": "azure", "private_ip": "10.1.1.10"},
    {"name": "vm2", "cloud": "azure", "private_ip": "10.1.1.20"},
    {"name": "vm3", "cloud": "aws", "private_ip": "10.2.1.10"},
]

# One line per input (descriptions use Ansible's doc markup: C(), V(), O()).
INPUTS = (
    _input("name", "str", "vpntest", "Lab name, part of every resource and namespace name "
           "(2-16 of V(a-z), V(0-9), V(-)); labs with different names can exist side by side."),
    _input("target", "str", "local", "Where the lab is built: V(local) (one host, network "
           "namespaces) or V(cloud) (Azure and AWS).", choices=["local", "cloud"]),
    _input("owner", "str", "student", "Owner tag, part of the Azure resource group name."),
    _input("environment", "str", "dev", "Environment tag, part of the Azure resource group name."),
    _input("azure_region", "str", "westeurope", "Azure region."),
    _input("aws_region", "str", "eu-central-1", "AWS region."),
    _input("azure_vnet_cidr", "str", "10.1.0.0/16", "Azure VNet address space."),
    _input("azure_subnet_cidr", "str", "10.1.1.0/24", "Azure subnet C(internal) for the VMs."),
    _input("azure_gateway_subnet_cidr", "str", "10.1.0.0/27",
           "Azure C(GatewaySubnet), /27 or larger."),
    _input("aws_vpc_cidr", "str", "10.2.0.0/16", "AWS VPC CIDR."),
    _input("aws_subnet_cidr", "str", "10.2.1.0/24", "AWS subnet for the VMs."),
    # Elements stay raw so that the plan names each malformed VM itself, all at once.
    _input("vms", "list", DEFAULT_VMS, "The test VMs, each a dict with exactly C(name), C(cloud) "
           "(V(azure) or V(aws)) and C(private_ip).", elements="raw"),
    _input("admin_cidrs", "list", None, "IPv4 CIDRs allowed to reach the VMs by SSH and ICMP "
           "(the cloud security groups and NSG admit exactly these); required for the cloud "
           "target. None may be shorter than /8, and together (overlaps merged) they may cover "
           "at most 2^24 addresses, one /8, unless O(allow_open_admin=true). IPv6 CIDRs are "
           "refused: the lab's VMs have no IPv6 address.", elements="str",
           example=["198.18.7.0/24"]),
    _input("allow_open_admin", "bool", False, "Explicit opt-in to admin CIDRs wider than the "
           "rule of O(admin_cidrs): CIDRs shorter than /8 (V(0.0.0.0/0) included) or more than "
           "2^24 addresses in all."),
    _input("accept_cost", "bool", False, "Cloud target on real clouds: the build prints the "
           "lab's estimated cost per hour and stops before creating anything unless this is "
           "V(true) or the user types V(yes) at the prompt. Emulated clouds (moto, the Azure test "
           "double, the rehearsal) cost nothing and never ask."),
    _input("tunnel_psks", "list", None, "Pre-shared keys of the two AWS tunnels (8-64 of "
           "V([A-Za-z0-9._]), not starting with V(0)); empty ones are generated. Never printed, "
           "not even in error messages.", secret=True, elements="str", example=["KEY1", "KEY2"]),
    _input("tunnel_inside_cidrs", "list", ["169.254.21.0/30", "169.254.22.0/30"],
           "The two tunnels' inside /30 networks in V(169.254.0.0/16).", elements="str"),
    _input("expiry_days", "int", 7, "Days until the C(expires) tag date (1-365), from the day "
           "the lab is created: the date is recorded in its state directory and kept on later "
           "runs; a different value on a later run sets a new date, that day + the new days."),
    _input("dpd_timeout_seconds", "int", AZURE_DPD_DEFAULT, "Dead peer detection timeout of the Azure "
           "side's connections (Azure allows %d-%d, default %d); the AWS side keeps AWS's %d."
           % (AZURE_DPD_RANGE + (AZURE_DPD_DEFAULT, AWS_DPD_DEFAULT))),
    _input("aws_customer_gateway_asn", "int", None, "BGP ASN of the AWS customer gateway, which "
           "stands for the Azure VPN gateway; AWS requires one even for static routing and cannot "
           "change it later. Unset, it is V(%d) with static routing and the Azure gateway's ASN "
           "(O(azure_bgp_asn)) with V(bgp), where another value is refused. 1-4294967295 (above "
           "2147483647 it is sent as C(BgpAsnExtended)), not 7224, nor 9059 in eu-west-1, 10124 in "
           "ap-northeast-1 or 17943 in ap-southeast-1 (reserved by AWS), and not "
           "O(aws_vpn_gateway_asn). The local target checks it but does not use it (static "
           "routing)." % STATIC_CUSTOMER_GATEWAY_ASN, targets=CLOUD),
    _input("aws_vpn_gateway_asn", "int", 64512, "BGP ASN of the Amazon side, the virtual private "
           "gateway's C(AmazonSideAsn), fixed when it is created: a private ASN, 64512-65534 or "
           "4200000000-4294967294 (AWS's default is 64512). The local target checks it but does "
           "not use it.", targets=CLOUD),
    _input("routing", "str", "static", "How the two clouds learn each other's networks: V(static) "
           "(the original guide's design: one Azure gateway instance, two AWS tunnels, static "
           "routes) or V(bgp) (Microsoft's design for AWS: an active-active Azure gateway, four "
           "tunnels, BGP over APIPA addresses). The local target builds both, V(bgp) with BGP "
           "speakers (FRR) over the four tunnels. The cloud target plans V(bgp) (C(make plan) "
           "shows its tunnels, addresses and ASNs, every conflict refused) but builds only "
           "V(static): a cloud build with V(bgp) stops before anything is created.", choices=list(ROUTINGS)),
    _input("azure_active_active", "bool", None, "Active-active Azure VPN gateway (two instances, "
           "two public addresses, two AWS VPN connections); unset, it is V(true) with "
           "O(routing=bgp). The static design has one instance: V(true) with it is refused."),
    _input("azure_bgp_asn", "int", AZURE_DEFAULT_ASN, "BGP ASN of the Azure VPN gateway with "
           "O(routing=bgp) (Azure's default %d): 1-4294967295, not one Azure reserves (8074, "
           "8075, 12076, 65517-65520) nor one IANA reserves, and not O(aws_vpn_gateway_asn)."
           % AZURE_DEFAULT_ASN),
    _input("bgp_inside_cidrs", "list", None, "With O(routing=bgp), the tunnels' inside /30s, one "
           "per tunnel (four active-active, two otherwise), within 169.254.21.0-169.254.22.255 "
           "(the only APIPA range Azure accepts for custom BGP addresses) and none that AWS "
           "reserves; unset, Microsoft's guide's %s. AWS takes each /30's first host, Azure the "
           "second." % ", ".join(DEFAULT_INSIDE_CIDRS), elements="str",
           example=list(DEFAULT_INSIDE_CIDRS)),
    _input("aws_endpoint_url", "str", "", "AWS API endpoint of an emulator such as moto or "
           "LocalStack (an V(http://) or V(https://) URL); empty means the real AWS. When set, "
           "the plan marks the AWS side as emulated.", targets=CLOUD),
    _input("azure_gateway_public_ip", "str", "", "IPv4 address that stands in for the Azure VPN "
           "gateway's public IP while only the AWS half is built; empty when Azure is built.",
           targets=CLOUD),
    _input("azure_emulated", "bool", False, "The Azure API is a test double (such as the "
           "collection's tests/azure_double, reached through E(HTTPS_PROXY)): nothing connects "
           "to the addresses it hands out (no SSH wait, no probes).", targets=CLOUD),
    _input("local_azure_public_cidr", "str", "198.51.100.0/24",
           "The \"public\" range of the emulated Azure side.", targets=LOCAL),
    _input("local_aws_public_cidr", "str", "203.0.113.0/24",
           "The \"public\" range of the emulated AWS side.", targets=LOCAL),
)
BY_NAME = {i.name: i for i in INPUTS}

# vpnlab_* variables the collection sets itself, not inputs: the plan fact, the lab inventory's
# host variables and the check play's group name. Passed to the plan, they are ignored.
NOT_INPUTS = frozenset(("plan", "lab", "vm_name", "state_dir", "label", "group"))

# How users spell booleans in Ansible (YAML 1.1 and key=value).
TRUE = frozenset(("true", "yes", "on", "y", "t", "1"))
FALSE = frozenset(("false", "no", "off", "n", "f", "0"))
INT_RE = re.compile(r"^\s*[-+]?[0-9]+\s*$")


class InputError(ValueError):
    """A value that cannot be read as its input's type; ``rule`` says which form is expected."""

    def __init__(self, rule: str) -> None:
        self.rule = rule
        super().__init__(rule)


def var(name: str) -> str:
    """The user-facing variable name of an input."""
    return PREFIX + name


def defaults() -> dict[str, Any]:
    """Every input's default, by name (copies: a caller may change them)."""
    return {i.name: copy.deepcopy(i.default) for i in INPUTS}


def argument_spec() -> dict[str, dict[str, Any]]:
    """The options of the ``lab_plan`` module, one per input (Ansible's argument_spec form)."""
    spec = {}
    for item in INPUTS:
        option: dict[str, Any] = {"type": item.type}
        for key in ("elements", "choices", "default"):
            if getattr(item, key) is not None:
                option[key] = copy.deepcopy(getattr(item, key))
        if item.secret:
            option["no_log"] = True
        spec[item.name] = option
    return spec


def suggest(name: str, known: Iterable[str]) -> Optional[str]:
    """The known name closest to a misspelled one, or None."""
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return close[0] if close else None


def unknown_variable(name: str) -> str:
    """The problem for a ``vpnlab_*`` name that is no input (``name`` without the prefix)."""
    near = suggest(name, BY_NAME)
    hint = ("did you mean %s?" % var(near) if near else "the lab's variables are the options "
            "of `ansible-doc multicloud.vpnlab.lab_plan` with the prefix %s" % PREFIX)
    return "%s: unknown variable; %s" % (var(name), hint)


def from_variables(variables: Mapping[object, Any]) -> tuple[dict[str, Any], list[object]]:
    """Split ``{vpnlab_name: value}`` into plan params (prefix dropped) and the names that do not
    start with the prefix. Outputs (``NOT_INPUTS``) are dropped; unknown names are kept for
    the plan to report."""
    params: dict[str, Any] = {}
    foreign: list[object] = []
    for key, value in variables.items():
        if not isinstance(key, str) or not key.startswith(PREFIX):
            foreign.append(key)
        elif key[len(PREFIX):] not in NOT_INPUTS:
            params[key[len(PREFIX):]] = value
    return params, foreign


def shown(item: Input, value: object) -> object:
    """The value as a problem may show it: a secret only as ``<hidden>``."""
    return "<hidden>" if item.secret else value


def coerce(item: Input, value: object) -> Any:
    """``value`` read as ``item``'s type; raises InputError naming the expected form. None is
    returned as None (the caller takes the default)."""
    if value is None:
        return None
    return _COERCE[item.type](item, value)


def _str(item, value):
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise InputError("must be a string%s" % _choices(item))


def _choices(item):
    return ", one of %s" % ", ".join(item.choices) if item.choices else ""


def _int(item, value):
    if isinstance(value, bool):
        raise InputError("must be a whole number, like %s, not true/false" % item.default)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, str) and INT_RE.match(value):
        return int(value)
    raise InputError("must be a whole number, like %s" % item.default)


def _bool(item, value):
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in TRUE | FALSE:
        return value.strip().lower() in TRUE
    raise InputError("must be true or false (also yes/no, on/off, 1/0)")


def _list(item, value):
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            return _json_list(item, text)
        if item.elements == "str":
            return [part.strip() for part in text.split(",")] if text else []
    raise InputError("must be a list%s; %s" % (_of(item), how_to_pass(item)))


def _json_list(item, text):
    try:
        parsed = json.loads(text)
    except ValueError as exc:
        # The parser's message quotes no input, but a secret's position is still its shape.
        detail = "" if item.secret else " (%s)" % exc
        raise InputError("looks like a JSON list but is not valid JSON%s; %s"
                         % (detail, how_to_pass(item)))
    if not isinstance(parsed, list):
        raise InputError("must be a list%s; %s" % (_of(item), how_to_pass(item)))
    return parsed


def _of(item):
    return " of strings" if item.elements == "str" else " of dicts"


def how_to_pass(item: Input) -> str:
    """How to pass a list on the command line: JSON in -e (or, for strings, comma-separated)."""
    example = item.example if item.example is not None else item.default
    if item.elements == "raw":
        example = example[:1]
    text = "pass it as JSON: -e '%s'" % json.dumps({var(item.name): example})
    if item.elements == "str":
        text += " (or as comma-separated text: -e %s=%s)" % (var(item.name), ",".join(example))
    return text


_COERCE = {"str": _str, "int": _int, "bool": _bool, "list": _list}


def secret_strings(params: Mapping[str, Any]) -> set[str]:
    """Every string a secret input's value holds, as given and as read (for no_log masking)."""
    found: set[str] = set()
    for item in INPUTS:
        if item.secret and params.get(item.name) is not None:
            value = params[item.name]
            found.update(_leaves(value))
            try:
                found.update(_leaves(coerce(item, value)))
            except InputError:
                pass
    return found


def _leaves(value):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _leaves(key)
            yield from _leaves(inner)
    elif isinstance(value, (list, tuple)):
        for inner in value:
            yield from _leaves(inner)
    elif isinstance(value, str):
        if value:
            yield value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        yield str(value)


MASK = "********"


def mask_forms(secrets: Iterable[str]) -> set[str]:
    """The secrets as messages may spell them: as given, and inside a repr() or JSON string (a
    secret with a quote or a backslash is escaped there), for Ansible's no_log_values."""
    forms: set[str] = set()
    for secret in secrets:
        if secret:
            forms.update((secret, repr(secret)[1:-1], json.dumps(secret)[1:-1]))
    return {form for form in forms if form}


def masked(value: Any, secrets: Iterable[str]) -> Any:
    """``value`` with every secret masked wherever it appears: in strings and in dict keys, at
    any depth. Ansible's no_log masks values only, so a key equal to (or holding) a pre-shared
    key would be printed in clear; a masked key gets a number when two would collide."""
    forms = sorted(mask_forms(secrets), key=len, reverse=True)
    return _masked(value, forms)


def _masked(value, forms):
    if isinstance(value, dict):
        result = {}
        for key, inner in value.items():
            new_key = _mask_text(key, forms) if isinstance(key, str) else (
                MASK if not isinstance(key, bool) and str(key) in forms else key)
            while new_key in result and new_key != key:
                new_key = "%s#%d" % (new_key, len(result))
            result[new_key] = _masked(inner, forms)
        return result
    if isinstance(value, (list, tuple)):
        return [_masked(inner, forms) for inner in value]
    if isinstance(value, str):
        return _mask_text(value, forms)
    return value


def _mask_text(text, forms):
    for form in forms:
        text = text.replace(form, MASK)
    return text

# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lab plan: validate the lab-wide ``vpnlab_*`` inputs and derive every name and address.

Pure functions, no Ansible import, so that the rules are unit-tested table by table and the
same plan serves the local and the cloud target. What only one target needs (its own rules and
its section of the plan) comes from a target object the caller passes in (``_local.plan`` for
the local target): this module never imports a target package. Each cloud's own rules (region
codes and names, inside CIDRs, DPD limits) come from that cloud's fact sheet, ``_aws/spec.py``
and ``_azure/spec.py``, which both targets share. ``build_plan`` collects *all* problems before
raising, so a user fixes their inputs in one go instead of one error per run.
"""

from __future__ import annotations

import copy
import datetime
import ipaddress
import re
from typing import Any, Callable, Iterable, Mapping, Optional
from urllib.parse import urlsplit

from ansible_collections.multicloud.vpnlab.plugins.module_utils import inputs
# The clouds' fact sheets (leaf modules; test_layout allows them and nothing else of _aws/_azure).
from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws.spec import (
    DPD_DEFAULT_SECONDS as AWS_DPD_TIMEOUT, DPD_DELAY_SECONDS as AWS_DPD_DELAY, LINK_LOCAL,
    REGION_RE as AWS_REGION_RE, inside_cidr_problem, names as aws_names)
from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.spec import (
    DPD_RANGE_SECONDS as AZURE_DPD_RANGE, REGION_RE as AZURE_REGION_RE, names as azure_names, region_short)
from ansible_collections.multicloud.vpnlab.plugins.module_utils.admin import check_admin
from ansible_collections.multicloud.vpnlab.plugins.module_utils.asn import (
    customer_gateway_asn_problem, vpn_gateway_asn_problem)
from ansible_collections.multicloud.vpnlab.plugins.module_utils.bgp import (
    STATIC_CUSTOMER_GATEWAY_ASN, BgpPlanError, routing_plan)
from ansible_collections.multicloud.vpnlab.plugins.module_utils.inputs import var
from ansible_collections.multicloud.vpnlab.plugins.module_utils.ownership import LAB_TAG, MANAGED_BY_TAG, MANAGER
from ansible_collections.multicloud.vpnlab.plugins.module_utils.measurements import plan_check
from ansible_collections.multicloud.vpnlab.plugins.module_utils.psk import psk_problem
from ansible_collections.multicloud.vpnlab.plugins.module_utils.vm_rules import check_vms

TARGETS = ("local", "cloud")

# Ranges neither cloud accepts for a VNet/VPC (Azure lists these; AWS refuses them too).
FORBIDDEN_PRIVATE = tuple(ipaddress.ip_network(str(c)) for c in (
    "0.0.0.0/8", "127.0.0.0/8", LINK_LOCAL, "224.0.0.0/4", "240.0.0.0/4"))
# Whole strings (`\A...\Z` and fullmatch): `$` would also accept a name followed by a newline.
NAME_RE = re.compile(r"\A[a-z][a-z0-9-]{0,14}[a-z0-9]\Z")
OWNER_RE = re.compile(r"\A(?:[a-z0-9][a-z0-9-]{0,18}[a-z0-9]|[a-z0-9])\Z")
ENV_RE = re.compile(r"\A[a-z0-9]{1,8}\Z")


class PlanError(ValueError):
    """The inputs break one or more rules; ``problems`` lists them all."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = list(problems)
        super().__init__("%d problem(s) in the lab inputs:\n- %s" % (
            len(self.problems), "\n- ".join(self.problems)))


class _Checker:
    """Collects problems; each message names the variable, its value and the rule broken.

    A variable whose value could not be read as its type (``bad``) gets that one problem only:
    the rules that would trip over its stand-in value stay silent about it."""

    def __init__(self):
        self.problems = []
        self.bad = set()

    def add(self, key, value, rule):
        if re.split(r"[\[.]", key, maxsplit=1)[0] not in self.bad:
            self.problems.append("%s=%r: %s" % (var(key), value, rule))

    def network(self, key, value):
        """Parse an IPv4 CIDR; record a problem and return None when it is not one."""
        if not isinstance(value, str) or not value:
            self.add(key, value, "must be an IPv4 network in CIDR notation, like 10.1.0.0/16")
            return None
        try:
            net = ipaddress.ip_network(value, strict=False)
        except ValueError:
            self.add(key, value, "is not a valid IPv4 CIDR (like 10.1.0.0/16)")
            return None
        if net.version != 4 or "/" not in value:
            self.add(key, value, "must be an IPv4 network in CIDR notation, like 10.1.0.0/16")
            return None
        if str(net) != value.strip():
            self.add(key, value, "has host bits set; the network is %s" % net)
            return None
        return net

    def address(self, key, value):
        if not isinstance(value, str):
            self.add(key, value, "must be an IPv4 address, like 10.1.1.10")
            return None
        try:
            addr = ipaddress.ip_address(value)
        except ValueError:
            self.add(key, value, "is not a valid IPv4 address")
            return None
        if addr.version != 4:
            self.add(key, value, "must be an IPv4 address")
            return None
        return addr


def _inputs(chk, params):
    """The inputs read as their types over the defaults; unknown names and unreadable values
    become problems (an unreadable value is replaced by None, see _Checker)."""
    merged = inputs.defaults()
    # Unknown names first: a misspelt variable often explains the problems that follow.
    for key, value in sorted(params.items(), key=lambda kv: kv[0] in inputs.BY_NAME):
        item = inputs.BY_NAME.get(key)
        if item is None:
            if key not in inputs.NOT_INPUTS:
                chk.problems.append(inputs.unknown_variable(str(key)))
            continue
        try:
            value = inputs.coerce(item, value)
        except inputs.InputError as exc:
            chk.add(key, inputs.shown(item, value), exc.rule)
            chk.bad.add(key)
            merged[key] = None
            continue
        if value is not None:
            merged[key] = value
    return merged


def _check_identity(chk, p):
    if p["target"] not in TARGETS:
        chk.add("target", p["target"], "must be one of %s" % ", ".join(TARGETS))
    if not isinstance(p["name"], str) or not NAME_RE.fullmatch(p["name"]) or "--" in p["name"]:
        chk.add("name", p["name"], "must be 2-16 characters of a-z, 0-9 and '-', start with a "
                "letter and not end with '-' (it becomes part of Azure and AWS resource names and "
                "of network namespace names)")
    if not isinstance(p["owner"], str) or not OWNER_RE.fullmatch(p["owner"]):
        chk.add("owner", p["owner"], "must be 1-20 characters of a-z, 0-9 and '-' (it goes into "
                "the resource group name and the owner tag)")
    if not isinstance(p["environment"], str) or not ENV_RE.fullmatch(p["environment"]):
        chk.add("environment", p["environment"], "must be 1-8 characters of a-z and 0-9, like dev")
    if not isinstance(p["azure_region"], str) or not AZURE_REGION_RE.fullmatch(p["azure_region"]):
        chk.add("azure_region", p["azure_region"], "must be an Azure region name like westeurope")
    if not isinstance(p["aws_region"], str) or not AWS_REGION_RE.fullmatch(p["aws_region"]):
        chk.add("aws_region", p["aws_region"], "must be an AWS region name like eu-central-1")
    _check_range(chk, p, "expiry_days", (1, 365), "days")
    _check_range(chk, p, "dpd_timeout_seconds", AZURE_DPD_RANGE, "seconds", " (Azure's limits)")


def _check_range(chk, p, key, limits, unit, why=""):
    value, (low, high) = p[key], limits
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        chk.add(key, value, "must be a whole number of %s from %d to %d%s" % (unit, low, high, why))


def _check_stand_ins(chk, p):
    """The emulator endpoint and the stand-in gateway address of a half-built lab."""
    url = p["aws_endpoint_url"]
    if url and not _http_url(url):
        chk.add("aws_endpoint_url", url, "must be an http:// or https:// URL with a host, like "
                "http://127.0.0.1:5000 (empty means the real AWS)")
    ip = p["azure_gateway_public_ip"]
    if ip:
        addr = chk.address("azure_gateway_public_ip", ip)
        if addr is not None and (addr.is_unspecified or addr.is_loopback or addr.is_multicast
                                 or addr.is_link_local or addr.is_reserved):
            chk.add("azure_gateway_public_ip", ip, "cannot be a VPN gateway's public address "
                    "(unspecified, loopback, multicast, link-local or reserved)")


def _http_url(url):
    if not isinstance(url, str) or any(c.isspace() for c in url):
        return False
    try:
        parts = urlsplit(url)
        # .port raises ValueError for a port that is not a number from 0 to 65535.
        return parts.scheme in ("http", "https") and bool(parts.hostname) and (parts.port or 0) >= 0
    except ValueError:
        return False


def _check_size(chk, key, net, smallest, largest, why):
    if net is not None and not largest <= net.prefixlen <= smallest:
        chk.add(key, str(net), "must be between /%d and /%d (%s)" % (largest, smallest, why))


def _check_networks(chk, p):
    """Parse and check the private address plan; returns the parsed networks by key."""
    keys = ("azure_vnet_cidr", "azure_subnet_cidr", "azure_gateway_subnet_cidr",
            "aws_vpc_cidr", "aws_subnet_cidr")
    nets = {k: chk.network(k, p[k]) for k in keys}
    _check_size(chk, "azure_vnet_cidr", nets["azure_vnet_cidr"], 29, 8, "Azure VNet limits")
    _check_size(chk, "azure_subnet_cidr", nets["azure_subnet_cidr"], 29, 8, "Azure subnet limits")
    _check_size(chk, "aws_vpc_cidr", nets["aws_vpc_cidr"], 28, 16, "AWS VPC limits")
    _check_size(chk, "aws_subnet_cidr", nets["aws_subnet_cidr"], 28, 16, "AWS subnet limits")
    gw = nets["azure_gateway_subnet_cidr"]
    if gw is not None and gw.prefixlen > 27:
        chk.add("azure_gateway_subnet_cidr", str(gw), "GatewaySubnet must be /27 or larger "
                "(Azure VPN gateways need at least 32 addresses)")
    for key in ("azure_vnet_cidr", "aws_vpc_cidr"):
        net = nets[key]
        for bad in FORBIDDEN_PRIVATE:
            if net is not None and net.overlaps(bad):
                why = ("AWS uses for the tunnel inside addresses and both clouds reserve"
                       if bad == LINK_LOCAL else "is not usable for a cloud network")
                chk.add(key, str(net), "overlaps %s, which %s" % (bad, why))
    _within(chk, nets, "azure_subnet_cidr", "azure_vnet_cidr")
    _within(chk, nets, "azure_gateway_subnet_cidr", "azure_vnet_cidr")
    _within(chk, nets, "aws_subnet_cidr", "aws_vpc_cidr")
    az, aws = nets["azure_vnet_cidr"], nets["aws_vpc_cidr"]
    if az is not None and aws is not None and az.overlaps(aws):
        chk.add("aws_vpc_cidr", str(aws), "overlaps vpnlab_azure_vnet_cidr=%r: the two clouds' "
                "networks must be disjoint to be routed over the VPN" % str(az))
    sub = nets["azure_subnet_cidr"]
    if gw is not None and sub is not None and gw.overlaps(sub):
        chk.add("azure_gateway_subnet_cidr", str(gw), "overlaps vpnlab_azure_subnet_cidr=%r: "
                "GatewaySubnet must be a subnet of its own" % str(sub))
    return nets


def _within(chk, nets, inner_key, outer_key):
    inner, outer = nets[inner_key], nets[outer_key]
    if inner is not None and outer is not None and not inner.subnet_of(outer):
        chk.add(inner_key, str(inner), "is not inside %s=%r" % (var(outer_key), str(outer)))


def _check_psks(chk, psks):
    """Never echo a PSK: messages show its position and length only."""
    if psks is None:
        return
    if not isinstance(psks, list) or len(psks) > 2:
        chk.add("tunnel_psks", "<hidden>", "must be a list of at most two pre-shared keys "
                "(one per AWS tunnel; leave one empty to have it generated)")
        return
    for i, psk in enumerate(psks):
        if psk in (None, ""):
            continue
        hidden = "<hidden, %d characters>" % len(psk) if isinstance(psk, str) else "<hidden>"
        problem = psk_problem(psk)
        if problem:
            chk.add("tunnel_psks[%d]" % i, hidden, problem + " (AWS's rule for pre-shared keys)")


def _check_asns(chk, p):
    """The AWS side's BGP ASNs (module_utils/asn.py has AWS's rules); the customer gateway's
    reserved ASNs depend on the region."""
    cgw, vgw = p["aws_customer_gateway_asn"], p["aws_vpn_gateway_asn"]
    region = p["aws_region"] if isinstance(p["aws_region"], str) else None
    cgw_problem = customer_gateway_asn_problem(cgw, region)
    if cgw_problem:
        chk.add("aws_customer_gateway_asn", cgw, cgw_problem)
    vgw_problem = vpn_gateway_asn_problem(vgw)
    if vgw_problem:
        chk.add("aws_vpn_gateway_asn", vgw, vgw_problem)
    elif not cgw_problem and cgw == vgw:
        chk.add("aws_customer_gateway_asn", cgw, "equals vpnlab_aws_vpn_gateway_asn: the two ends "
                "of the VPN need different ASNs (AWS's default for the VGW is 64512)")


def _check_routing(chk: Any, p: dict[str, Any]) -> Optional[dict[str, Any]]:
    """The routing design (module_utils/bgp.py has both clouds' BGP rules): the plan's
    ``routing`` section, or None with each conflict added. Resolves the customer gateway's ASN
    (unset: 65034 with static routing, the Azure gateway's with bgp) into ``p``; with bgp its
    and the AWS side's ASN rules are bgp.py's, so _check_asns is not needed."""
    region = p["aws_region"] if isinstance(p["aws_region"], str) else None
    try:
        section = routing_plan(p["routing"], p["azure_active_active"], p["azure_bgp_asn"],
                               p["aws_vpn_gateway_asn"], p["aws_customer_gateway_asn"],
                               p["bgp_inside_cidrs"], region)
    except BgpPlanError as exc:
        for problem in exc.problems:
            key = problem["input"][len(inputs.PREFIX):]
            name, dummy, index = key.partition("[")
            value = p.get(name)
            if index and isinstance(value, list):
                number = int(index.rstrip("]"))
                value = value[number] if number < len(value) else None
            chk.add(key, value, problem["message"])
        section = None
    if p["routing"] != "bgp":
        if p["aws_customer_gateway_asn"] is None:
            p["aws_customer_gateway_asn"] = STATIC_CUSTOMER_GATEWAY_ASN
        _check_asns(chk, p)
    elif section is not None:
        p["aws_customer_gateway_asn"] = section["customer_gateway_asn"]
    if section is None:
        return None
    # The ASNs each have their place in the plan's aws section (and azure_asn here).
    return {key: value for key, value in section.items() if key not in ("customer_gateway_asn", "aws_asn")}


def _check_inside(chk, p):
    cidrs = p["tunnel_inside_cidrs"]
    if not isinstance(cidrs, list) or len(cidrs) != 2:
        chk.add("tunnel_inside_cidrs", cidrs, "must be a list of two /30 networks in "
                "169.254.0.0/16, one per AWS tunnel")
        return []
    nets = []
    for i, cidr in enumerate(cidrs):
        key = "tunnel_inside_cidrs[%d]" % i
        net = chk.network(key, cidr)
        if net is None:
            continue
        problem = inside_cidr_problem(net)
        if problem:
            chk.add(key, cidr, problem)
        elif net in nets:
            chk.add(key, cidr, "is used by the other tunnel: inside CIDRs must differ")
        nets.append(net)
    return nets


def _names(p):
    return {"azure": azure_names(p["name"], p["azure_region"], p["environment"], p["owner"]),
            "aws": aws_names(p["name"])}


def expiry(today: datetime.date, days: int, recorded: Optional[Mapping[str, Any]] = None) -> dict[str, Any]:
    """The lab's expiry: ``{expires (ISO date), days, source}``.

    The date is fixed when the lab is created (``source`` V(new): ``today`` + ``days``) and
    recorded in its state directory; a later run gets that record (``recorded``: ``{expires,
    days}``) and keeps its date (``source`` V(recorded)), even past it, so that the resources'
    tags do not change (Azure's gateway module would PUT the whole gateway for a new tag). A
    different ``days`` than recorded is the user's explicit change: a new date, ``today`` + the
    new days (``source`` V(changed)), recorded in its turn. A record whose date cannot be read is
    ignored. Pure: the caller reads the record and says what day it is.
    """
    recorded = recorded if isinstance(recorded, dict) else {}
    try:
        kept = datetime.date.fromisoformat(str(recorded.get("expires")))
    except ValueError:
        kept = None
    if kept is not None and recorded.get("days") in (None, days):
        return {"expires": kept.isoformat(), "days": days, "source": "recorded"}
    source = "new" if kept is None else "changed"
    return {"expires": (today + datetime.timedelta(days=days)).isoformat(), "days": days,
            "source": source}


def _tags(p, lab_expiry):
    return {
        LAB_TAG: p["name"],
        "owner": p["owner"],
        "environment": p["environment"],
        "expires": lab_expiry["expires"],
        MANAGED_BY_TAG: MANAGER,
    }


CRYPTO = {
    "ike_version": 2,
    "phase1": {"encryption": "AES256", "integrity": "SHA2-256", "dh_group": 14,
               "lifetime_seconds": 28800},
    "phase2": {"encryption": "AES256", "integrity": "SHA2-256", "pfs_group": 14,
               "lifetime_seconds": 3600},
    # AWS's side (its default and minimum, _aws/spec.py). Azure's side has its own timeout, the
    # input vpnlab_dpd_timeout_seconds (azure_dpd_timeout_seconds).
    "dpd_delay_seconds": AWS_DPD_DELAY,
    "dpd_timeout_seconds": AWS_DPD_TIMEOUT,
    "tcp_mss": 1350,
}


def _tunnels(p, inside_nets, names):
    psks = p["tunnel_psks"] or []
    tunnels = []
    for i, net in enumerate(inside_nets, start=1):
        given = len(psks) >= i and psks[i - 1] not in (None, "")
        tunnels.append({
            "name": "tunnel%d" % i,
            "index": i,
            "inside_cidr": str(net),
            "psk_source": "user" if given else "generated",
            "local_network_gateway": "lgw-%s-tunnel%d" % (p["name"], i),
            "connection": "con-%s-tunnel%d" % (p["name"], i),
        })
    return tunnels


def build_plan(params: Mapping[str, Any], targets: Mapping[str, Any], today: Optional[datetime.date] = None,
               state_root: str = "~/.vpnlab",
               read_expiry: Optional[Callable[[str, str], Optional[Mapping[str, Any]]]] = None) -> dict[str, Any]:
    """Validate ``params`` (plan inputs without the ``vpnlab_`` prefix, as declared in
    inputs.INPUTS, any JSON value each; strings are read as their input's type) and return the
    plan. An unknown name is a problem naming the nearest input.

    ``targets`` maps a target name to its object: ``check(checker, inputs, nets, vms)`` adds the
    target's own problems, ``build(plan, inputs)`` returns the plan's section named after the
    target (``plan["local"]``), or None. ``today`` is the day of a fresh lab's expiry, and
    ``read_expiry(state_dir, lab)`` returns what the lab's state directory records of it
    (``{expires, days}``, or None), see ``expiry``. Raises PlanError listing every problem.
    """
    chk = _Checker()
    p = _inputs(chk, params)
    _check_identity(chk, p)
    nets = _check_networks(chk, p)
    vms = check_vms(chk, p, nets)
    _check_psks(chk, p["tunnel_psks"])
    _check_stand_ins(chk, p)
    admin = check_admin(chk, p, nets)
    inside = _check_inside(chk, p)
    routing = _check_routing(chk, p)
    target = targets.get(p["target"]) if isinstance(p["target"], str) else None
    if target is None and p["target"] in TARGETS:
        chk.add("target", p["target"], "is not available in this release of multicloud.vpnlab "
                "(available: %s)" % ", ".join(sorted(targets)))
    state_dir = "%s/%s" % (state_root.rstrip("/"), p["name"])
    if target is not None:
        target.check(chk, p, nets, vms)
        # A target whose files have limits of their own (the local lab's Unix sockets).
        check_state_dir = getattr(target, "check_state_dir", None)
        if check_state_dir is not None and isinstance(p["name"], str):
            check_state_dir(chk, state_dir)
    if chk.problems:
        raise PlanError(chk.problems)
    recorded = read_expiry(state_dir, p["name"]) if read_expiry else None
    lab_expiry = expiry(today or datetime.date.today(), p["expiry_days"], recorded)
    plan = _assemble(p, nets, vms, admin, inside, lab_expiry, state_dir)
    plan["routing"] = routing
    # No problem means a known target (_check_identity) that `targets` has (the check above).
    if target is None:
        raise AssertionError("no target object for %r" % p["target"])
    section = target.build(plan, p)
    if section is not None:
        plan[p["target"]] = section
    return plan


def _assemble(p, nets, vms, admin, inside, lab_expiry, state_dir):
    names = _names(p)
    plan = {
        "lab": p["name"],
        "target": p["target"],
        "owner": p["owner"],
        "environment": p["environment"],
        "state_dir": state_dir,
        "tags": _tags(p, lab_expiry),
        # What the check runs that security rules must let through (its iperf3 servers' ports).
        "check": plan_check(),
        # What lab_state records in the state directory, so that the date stays the same.
        "expiry": lab_expiry,
        "azure": dict(names["azure"], region=p["azure_region"],
                      region_short=region_short(p["azure_region"]),
                      vnet_cidr=str(nets["azure_vnet_cidr"]),
                      subnet_cidr=str(nets["azure_subnet_cidr"]),
                      gateway_subnet_cidr=str(nets["azure_gateway_subnet_cidr"]),
                      gateway_sku="VpnGw1AZ",
                      gateway_public_ip=p["azure_gateway_public_ip"],
                      emulated=bool(p["azure_emulated"])),
        "aws": dict(names["aws"], region=p["aws_region"], vpc_cidr=str(nets["aws_vpc_cidr"]),
                    subnet_cidr=str(nets["aws_subnet_cidr"]),
                    static_routes=[str(nets["azure_vnet_cidr"])],
                    # Fixed by AWS at creation; the local target does not use them (static routes).
                    customer_gateway_asn=p["aws_customer_gateway_asn"],
                    vpn_gateway_asn=p["aws_vpn_gateway_asn"],
                    endpoint_url=p["aws_endpoint_url"],
                    # An emulator's addresses are never connected to (see the safety rules).
                    emulated=bool(p["aws_endpoint_url"])),
        # Either cloud API is an emulator: no connection to any address the lab hands out.
        "emulated": bool(p["aws_endpoint_url"]) or bool(p["azure_emulated"]),
        "tunnels": _tunnels(p, inside, names),
        "crypto": dict(copy.deepcopy(CRYPTO),
                       azure_dpd_timeout_seconds=p["dpd_timeout_seconds"]),
        "admin_cidrs": [str(n) for n in admin],
        # The security rules check admin_cidrs again with the same rule (peers.admin_sources).
        "admin_open_allowed": bool(p["allow_open_admin"]),
        "cost_accepted": bool(p["accept_cost"]),
        "vms": [dict(vm, resource_name="%s-%s" % (p["name"], vm["name"])) for vm in vms],
    }
    return plan

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Security groups (AWS) and network security groups (Azure) as nftables rules on a VM (pure).

A rule the cloud would lack is missing here too: what the cloud's API holds is all there is.
AWS security groups are stateful allow-lists (ingress and egress); a source security group
stands for the private addresses of the instances in it. Azure NSGs are ordered by priority,
allow or deny, with the default rules last (AllowVnetInBound, ..., DenyAllInBound); the
VirtualNetwork tag covers the VNet's address space and the prefixes its VPN gateway connects
(the local network gateways' address space), Internet everything else.
"""

from __future__ import annotations

AZURE_LOAD_BALANCER = "168.63.129.16/32"
PROTOCOLS = {"tcp": "tcp", "udp": "udp", "icmp": "icmp", "6": "tcp", "17": "udp", "1": "icmp"}


def _set(values):
    values = sorted(set(values))
    return values[0] if len(values) == 1 else "{ %s }" % ", ".join(values)


def _ports(proto, low, high):
    if proto not in ("tcp", "udp") or low in (None, -1) or (low == 0 and high == 65535):
        return ""
    return " %s dport %s" % (proto, low if low == high else "%d-%d" % (low, high))


def _aws_match(perm, direction, members):
    """nft match text of one IpPermission, or None when it has no source/destination."""
    proto = str(perm.get("IpProtocol", "-1")).lower()
    cidrs = [r["CidrIp"] for r in perm.get("IpRanges") or []]
    for pair in perm.get("UserIdGroupPairs") or []:
        cidrs += ["%s/32" % ip for ip in members.get(pair.get("GroupId"), [])]
    if not cidrs:
        return None
    field = "saddr" if direction == "in" else "daddr"
    match = "ip %s %s" % (field, _set(cidrs))
    if proto in ("-1", "all"):
        return match
    name = PROTOCOLS.get(proto)
    if name is None:
        return "%s meta l4proto %s" % (match, proto)
    if name == "icmp":
        icmp_type = perm.get("FromPort")
        return match + (" icmp type %d" % icmp_type if icmp_type not in (None, -1) else " meta l4proto icmp")
    return match + " meta l4proto %s%s" % (name, _ports(name, perm.get("FromPort"), perm.get("ToPort")))


def aws_rules(groups, members):
    """The nft table body of an instance in `groups` (DescribeSecurityGroups entries);
    `members` maps a group id to the private IPs of the instances in it."""
    ingress, egress = [], []
    for group in groups:
        for perm in group.get("IpPermissions") or []:
            match = _aws_match(perm, "in", members)
            if match:
                ingress.append("%s accept comment \"%s\"" % (match, group["GroupId"]))
        for perm in group.get("IpPermissionsEgress") or []:
            match = _aws_match(perm, "out", members)
            if match:
                egress.append("%s accept comment \"%s\"" % (match, group["GroupId"]))
    return _filter_body(ingress, egress)


def _filter_body(ingress, egress, before=()):
    lines = ["chain input {", "  type filter hook input priority 0; policy drop;",
             "  ct state established,related accept", "  iif lo accept"]
    lines += ["  " + line for line in list(before) + list(ingress)]
    lines += ["}", "chain output {", "  type filter hook output priority 0; policy drop;",
              "  ct state established,related accept", "  oif lo accept"]
    lines += ["  " + line for line in egress]
    lines += ["}"]
    return "\n".join(lines)


def _azure_prefixes(props, which, tags):
    values = list(props.get(which + "AddressPrefixes") or [])
    single = props.get(which + "AddressPrefix")
    if single:
        values.append(single)
    out, negate = [], False
    for value in values:
        if value in ("*", "Any", "0.0.0.0/0"):
            return None, False
        if value == "VirtualNetwork":
            out += tags["VirtualNetwork"]
        elif value == "Internet":
            negate = True
        elif value == "AzureLoadBalancer":
            out.append(AZURE_LOAD_BALANCER)
        else:
            out.append(value)
    if negate and not out:
        return tags["VirtualNetwork"], True
    return out, False


def _azure_ports(props, proto):
    ranges = list(props.get("destinationPortRanges") or [])
    if props.get("destinationPortRange"):
        ranges.append(props["destinationPortRange"])
    if proto not in ("tcp", "udp") or not ranges or "*" in ranges:
        return ""
    return " %s dport { %s }" % (proto, ", ".join(ranges))


def _azure_rule(props, direction, tags):
    """nft text of one NSG rule seen from the VM (None: a rule matching nothing)."""
    near, far = ("destination", "source") if direction == "in" else ("source", "destination")
    prefixes, negate = _azure_prefixes(props, far, tags)
    if prefixes == []:
        return None
    field = "saddr" if direction == "in" else "daddr"
    match = "" if prefixes is None else "ip %s %s%s " % (field, "!= " if negate else "", _set(prefixes))
    mine, mine_negate = _azure_prefixes(props, near, tags)
    if mine:
        match += "ip %s %s%s " % ("daddr" if direction == "in" else "saddr", "!= " if mine_negate else "", _set(mine))
    proto = str(props.get("protocol", "*")).lower()
    if proto in ("tcp", "udp", "icmp"):
        match += "meta l4proto %s" % proto + _azure_ports(props, proto) + " "
    elif proto in ("esp", "ah"):
        match += "meta l4proto %s " % proto
    verdict = "return" if props.get("access") == "Allow" else "drop"
    return "%s%s" % (match, verdict)


def azure_chain(nsg, direction, tags):
    """The rules of one NSG for one direction, by priority, default rules last."""
    wanted = "Inbound" if direction == "in" else "Outbound"
    rules = [r.get("properties", {}) for r in (nsg["properties"].get("securityRules") or [])
             + (nsg["properties"].get("defaultSecurityRules") or [])]
    rules = sorted((r for r in rules if r.get("direction") == wanted), key=lambda r: r.get("priority", 65535))
    lines = []
    for props in rules:
        line = _azure_rule(props, direction, tags)
        if line:
            lines.append("%s comment \"%s\"" % (line, props.get("description") or props.get("priority")))
    return lines


def azure_rules(nsgs, tags):
    """The nft table body of a VM behind `nsgs` (subnet NSG then NIC NSG, each must allow)."""
    chains, jumps_in, jumps_out = [], [], []
    for index, nsg in enumerate(nsgs):
        for direction, jumps in (("in", jumps_in), ("out", jumps_out)):
            name = "nsg%d_%s" % (index, direction)
            chains += ["chain %s {" % name] + ["  " + line for line in azure_chain(nsg, direction, tags)] + ["}"]
            jumps.append("jump %s" % name)
    body = _filter_body(jumps_in + ["accept"], jumps_out + ["accept"])
    return "\n".join(chains + [body])


def nat_rules(edge_if, pairs, private_nets):
    """An internet edge's 1:1 NAT (AWS internet gateway, Azure public IPs): `pairs` is
    [(public, private)]. Private addresses without a public one do not reach the internet."""
    pre = ["iifname \"%s\" ip daddr %s dnat to %s" % (edge_if, pub, priv) for pub, priv in pairs]
    post = ["oifname \"%s\" ip saddr %s snat to %s" % (edge_if, priv, pub) for pub, priv in pairs]
    allowed = [pair[1] for pair in pairs]
    fwd = []
    if allowed:
        fwd.append("oifname \"%s\" ip saddr %s accept" % (edge_if, _set(allowed)))
    if private_nets:
        fwd.append("oifname \"%s\" ip saddr %s drop" % (edge_if, _set(private_nets)))
    lines = ["chain nat_pre {", "  type nat hook prerouting priority dstnat; policy accept;"]
    lines += ["  " + line for line in pre] + ["}", "chain nat_post {",
                                              "  type nat hook postrouting priority srcnat; policy accept;"]
    lines += ["  " + line for line in post] + ["}", "chain filter_forward {",
                                               "  type filter hook forward priority 0; policy accept;"]
    lines += ["  " + line for line in fwd] + ["}"]
    return "\n".join(lines)


def mss_clamp(ifname, mss):
    """TCP MSS clamping on the tunnel device, as the clouds' VPN gateways do."""
    return "\n".join([
        "chain filter_forward {", "  type filter hook forward priority 0; policy accept;",
        "  oifname \"%s\" tcp flags syn tcp option maxseg size set %d" % (ifname, mss),
        "  iifname \"%s\" tcp flags syn tcp option maxseg size set %d" % (ifname, mss), "}"])

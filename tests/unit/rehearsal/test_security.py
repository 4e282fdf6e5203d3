# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Security groups and NSGs as nftables rules: what the cloud's API holds is all there is."""

from __future__ import annotations

import pytest

from tests.rehearsal import security

TAGS = {"VirtualNetwork": ["10.1.0.0/16", "10.2.0.0/16"]}


def group(*perms, egress=()):
    return {"GroupId": "sg-1", "IpPermissions": list(perms), "IpPermissionsEgress": list(egress)}


@pytest.mark.parametrize("perm, expected", [
    ({"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "198.18.0.10/32"}]},
     'ip saddr 198.18.0.10/32 meta l4proto tcp tcp dport 22 accept comment "sg-1"'),
    ({"IpProtocol": "tcp", "FromPort": 5201, "ToPort": 5202, "IpRanges": [{"CidrIp": "10.1.0.0/16"}]},
     'ip saddr 10.1.0.0/16 meta l4proto tcp tcp dport 5201-5202 accept comment "sg-1"'),
    ({"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1, "IpRanges": [{"CidrIp": "a/32"}, {"CidrIp": "b/32"}]},
     'ip saddr { a/32, b/32 } meta l4proto icmp accept comment "sg-1"'),
    ({"IpProtocol": "icmp", "FromPort": 8, "ToPort": -1, "IpRanges": [{"CidrIp": "a/32"}]},
     'ip saddr a/32 icmp type 8 accept comment "sg-1"'),
    ({"IpProtocol": "-1", "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}, 'ip saddr 10.0.0.0/8 accept comment "sg-1"'),
    # A source security group stands for the private addresses of the instances in it.
    ({"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": "sg-2"}]}, 'ip saddr 10.2.1.11/32 accept comment "sg-1"'),
])
def test_aws_ingress(perm, expected):
    body = security.aws_rules([group(perm)], {"sg-2": ["10.2.1.11"]})
    assert expected in body.splitlines()[4].strip() or expected in body


def test_aws_group_without_rules_lets_nothing_in_but_replies():
    body = security.aws_rules([group()], {})
    lines = [line.strip() for line in body.splitlines()]
    assert "type filter hook input priority 0; policy drop;" in lines
    assert lines[lines.index("chain input {") + 2:lines.index("chain input {") + 4] == [
        "ct state established,related accept", "iif lo accept"]
    assert not any("accept comment" in line for line in lines)


def test_aws_rule_without_source_matches_nothing():
    assert "sg-1" not in security.aws_rules([group({"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22})], {})


def rule(name, priority, access="Allow", protocol="*", source="*", port="*", direction="Inbound"):
    props = {"priority": priority, "access": access, "protocol": protocol, "direction": direction,
             "destinationPortRange": port, "description": name}
    props["sourceAddressPrefixes" if isinstance(source, list) else "sourceAddressPrefix"] = source
    return {"name": name, "properties": props}


DEFAULTS = [rule("AllowVnetInBound", 65000, source="VirtualNetwork"),
            rule("AllowAzureLoadBalancerInBound", 65001, source="AzureLoadBalancer"),
            rule("DenyAllInBound", 65500, access="Deny")]


def nsg(*rules):
    return {"properties": {"securityRules": list(rules), "defaultSecurityRules": DEFAULTS}}


def test_nsg_rules_in_priority_order_then_the_default_rules():
    lines = security.azure_chain(nsg(rule("b", 200, protocol="Icmp", source=["203.0.113.128/32"]),
                                     rule("a", 100, protocol="Tcp", source=["198.18.0.10/32"], port="22")), "in", TAGS)
    assert lines == [
        'ip saddr 198.18.0.10/32 meta l4proto tcp tcp dport { 22 } return comment "a"',
        'ip saddr 203.0.113.128/32 meta l4proto icmp return comment "b"',
        'ip saddr { 10.1.0.0/16, 10.2.0.0/16 } return comment "AllowVnetInBound"',
        'ip saddr 168.63.129.16/32 return comment "AllowAzureLoadBalancerInBound"',
        'drop comment "DenyAllInBound"',
    ]


def test_nsg_internet_tag_is_everything_outside_the_virtual_network():
    lines = security.azure_chain(nsg(rule("web", 100, protocol="Tcp", source="Internet", port="443")), "in", TAGS)
    assert lines[0] == 'ip saddr != { 10.1.0.0/16, 10.2.0.0/16 } meta l4proto tcp tcp dport { 443 } return comment "web"'


def test_a_removed_nsg_rule_is_missing_and_the_default_deny_applies():
    """The public ICMP from another cloud's VM is not in VirtualNetwork: without its rule, the
    default DenyAllInBound drops it."""
    lines = security.azure_chain(nsg(), "in", TAGS)
    assert not any("203.0.113.128" in line for line in lines) and lines[-1].startswith("drop")


def test_vm_behind_two_nsgs_needs_both():
    body = security.azure_rules([nsg(), nsg()], TAGS)
    assert "jump nsg0_in" in body and "jump nsg1_in" in body


def test_nat_maps_each_public_address_and_keeps_the_rest_inside():
    body = security.nat_rules("inet0", [("203.0.113.128", "10.2.1.10")], ["10.2.0.0/16"])
    assert 'iifname "inet0" ip daddr 203.0.113.128 dnat to 10.2.1.10' in body
    assert 'oifname "inet0" ip saddr 10.2.1.10 snat to 203.0.113.128' in body
    assert 'oifname "inet0" ip saddr 10.2.0.0/16 drop' in body

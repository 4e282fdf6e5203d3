# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab's AWS resources, found by tag: listing, teardown in dependency order, foreign names.

A resource is the lab's when it carries both ``vpnlab=<lab>`` and ``managed_by=multicloud.vpnlab``;
nothing else is ever deleted. The functions take a boto3 EC2 client: listing uses plain calls
(the inventory plugin passes a bare client), deleting passes ``aws_retry=True``, which amazon.aws's
retrying client wrapper turns into retries on DependencyViolation and IncorrectState (a subnet
whose network interfaces are still going, a customer gateway whose VPN connection is deleting).
No Ansible import at load time (teardown imports amazon.aws's VGW waiter when it needs it).
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping, Optional, Sequence

try:
    from botocore.exceptions import ClientError
except ImportError:  # the caller reports the missing library
    ClientError = None

from ansible_collections.multicloud.vpnlab.plugins.module_utils.ownership import LAB_TAG as TAG_KEY, MANAGED_BY
from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws.spec import filter_list, managed_filters, tag_filters

# Teardown order: what depends on something is deleted before it.
ORDER = ("instance", "key_pair", "vpn_connection", "customer_gateway", "vpn_gateway", "route_table",
         "internet_gateway", "subnet", "security_group", "vpc")
# States in which a resource no longer exists (or is on its way out and will not come back).
# Every other state is alive: a VPN connection that is `pending` or `modifying` (a tunnel being
# modified) is listed, torn down (IncorrectState is retried) and named by the leak check.
GONE = {"instance": ("terminated",), "vpn_connection": ("deleted",), "customer_gateway": ("deleted",),
        "vpn_gateway": ("deleted",)}
# kind: (describe operation, result key, id key)
DESCRIBE = {
    "instance": ("describe_instances", "Reservations", "InstanceId"),
    "key_pair": ("describe_key_pairs", "KeyPairs", "KeyPairId"),
    "vpn_connection": ("describe_vpn_connections", "VpnConnections", "VpnConnectionId"),
    "customer_gateway": ("describe_customer_gateways", "CustomerGateways", "CustomerGatewayId"),
    "vpn_gateway": ("describe_vpn_gateways", "VpnGateways", "VpnGatewayId"),
    "route_table": ("describe_route_tables", "RouteTables", "RouteTableId"),
    "internet_gateway": ("describe_internet_gateways", "InternetGateways", "InternetGatewayId"),
    "subnet": ("describe_subnets", "Subnets", "SubnetId"),
    "security_group": ("describe_security_groups", "SecurityGroups", "GroupId"),
    "vpc": ("describe_vpcs", "Vpcs", "VpcId"),
}
# How a resource is found by the name the lab gives it (Name tag, or the resource's own name).
NAME_FILTER = {"security_group": "group-name", "key_pair": "key-name"}
NOT_FOUND_SUFFIX = ".NotFound"


def lab_filters(lab: str) -> list[dict[str, object]]:
    """boto3 ``Filters`` selecting the lab's resources by both tags (_aws/spec.py builds them)."""
    return filter_list(tag_filters(lab))


def tags_of(resource: Mapping[str, Any]) -> dict[str, Any]:
    return {t["Key"]: t["Value"] for t in resource.get("Tags") or ()}


def is_labs(resource: Mapping[str, Any], lab: str) -> bool:
    tags = tags_of(resource)
    return tags.get(TAG_KEY) == lab and tags.get(MANAGED_BY[0]) == MANAGED_BY[1]


def state_of(kind: str, resource: Mapping[str, Any]) -> Any:
    if kind == "instance":
        return (resource.get("State") or {}).get("Name")
    return resource.get("State")


def alive(kind: str, resource: Mapping[str, Any]) -> bool:
    return state_of(kind, resource) not in GONE.get(kind, ())


def record(kind: str, resource: Mapping[str, Any]) -> dict[str, Any]:
    """What the modules return about one resource (no secrets: no key material, no config)."""
    return {"kind": kind, "id": resource[DESCRIBE[kind][2]], "name": tags_of(resource).get("Name", resource.get("KeyName")),
            "state": state_of(kind, resource)}


def describe(client: Any, kind: str, filters: Sequence[Mapping[str, object]]) -> list[Any]:
    """Every resource of `kind` matching `filters`, paginated where the API paginates."""
    operation, key = DESCRIBE[kind][:2]
    if client.can_paginate(operation):
        pages = client.get_paginator(operation).paginate(Filters=filters)
        found = [item for page in pages for item in page.get(key, [])]
    else:
        found = getattr(client, operation)(Filters=filters).get(key, [])
    if kind == "instance":
        found = [i for reservation in found for i in reservation.get("Instances", [])]
    return found


def list_lab(client: Any, lab: str, kinds: Iterable[str] = ORDER) -> dict[str, list[Any]]:
    """The lab's resources that still exist, in teardown order: {kind: [resource, ...]}.

    The tag filter is checked again here: moto, for one, ignores some filters.
    """
    return {kind: [r for r in describe(client, kind, lab_filters(lab)) if is_labs(r, lab) and alive(kind, r)]
            for kind in kinds}


# EC2's resource types (describe_tags) of the kinds above; anything else carrying the lab's tags
# is a resource the teardown does not know how to delete, so the leak check names it.
RESOURCE_TYPES = {"instance": "instance", "key-pair": "key_pair", "vpn-connection": "vpn_connection",
                  "customer-gateway": "customer_gateway", "vpn-gateway": "vpn_gateway",
                  "route-table": "route_table", "internet-gateway": "internet_gateway", "subnet": "subnet",
                  "security-group": "security_group", "vpc": "vpc"}


def _tagged_ids(client, key, value):
    pages = client.get_paginator("describe_tags").paginate(
        Filters=[{"Name": "key", "Values": [key]}, {"Name": "value", "Values": [value]}])
    return {(t["ResourceType"], t["ResourceId"]) for page in pages for t in page.get("Tags", [])}


# Types whose existence is checked before they count as a leak: moto keeps the tags of a deleted
# resource in DescribeTags (an instance's root volume, deleted with the instance, say).
EXISTS = {"volume": ("describe_volumes", "VolumeIds", "Volumes"),
          "network-interface": ("describe_network_interfaces", "NetworkInterfaceIds", "NetworkInterfaces"),
          "elastic-ip": ("describe_addresses", "AllocationIds", "Addresses"),
          "snapshot": ("describe_snapshots", "SnapshotIds", "Snapshots")}


def _exists(client, kind, resource_id):
    if kind not in EXISTS:
        return True
    operation, ids_key, key = EXISTS[kind]
    try:
        return bool(getattr(client, operation)(**{ids_key: [resource_id]}).get(key))
    except Exception as exc:  # pylint: disable=broad-except
        if ClientError is not None and isinstance(exc, ClientError) and _error_code(exc).endswith(NOT_FOUND_SUFFIX):
            return False
        raise


def other_tagged(client: Any, lab: str) -> list[dict[str, Any]]:
    """Records of the EC2 resources of other types that carry both of the lab's tags."""
    both = _tagged_ids(client, TAG_KEY, lab) & _tagged_ids(client, *MANAGED_BY)
    return [{"kind": kind, "id": rid, "name": None, "state": None}
            for kind, rid in sorted(both) if kind not in RESOURCE_TYPES and _exists(client, kind, rid)]


def records(found: Mapping[str, Iterable[Mapping[str, Any]]]) -> list[dict[str, Any]]:
    return [record(kind, r) for kind in ORDER for r in found.get(kind, ())]


# --- teardown ---------------------------------------------------------------------------------

def _error_code(exc):
    return exc.response.get("Error", {}).get("Code", "") if hasattr(exc, "response") else ""


def _gone_ok(call, *args, **kwargs):
    """Run a delete; a resource already gone (someone else's teardown, a re-run) is fine."""
    try:
        call(*args, **kwargs)
        return True
    except Exception as exc:  # pylint: disable=broad-except
        if ClientError is not None and isinstance(exc, ClientError) and _error_code(exc).endswith(NOT_FOUND_SUFFIX):
            return False
        raise


def _wait(client, waiter, timeout, **params):
    delay = 5
    client.get_waiter(waiter).wait(WaiterConfig={"Delay": delay, "MaxAttempts": max(1, timeout // delay)}, **params)


def delete_instances(client: Any, resources: Iterable[Mapping[str, Any]], timeout: int) -> None:
    ids = [r["InstanceId"] for r in resources]
    if ids:
        _gone_ok(client.terminate_instances, InstanceIds=ids, aws_retry=True)
        _wait(client, "instance_terminated", timeout, InstanceIds=ids)


def delete_key_pair(client: Any, resource: Mapping[str, Any], timeout: int) -> None:
    # By name: AWS takes the name or the id, moto only the name (it ignores KeyPairId).
    _gone_ok(client.delete_key_pair, KeyName=resource["KeyName"], aws_retry=True)


def delete_vpn_connection(client: Any, resource: Mapping[str, Any], timeout: int) -> None:
    if _gone_ok(client.delete_vpn_connection, VpnConnectionId=resource["VpnConnectionId"], aws_retry=True):
        _wait(client, "vpn_connection_deleted", timeout, VpnConnectionIds=[resource["VpnConnectionId"]])


def delete_customer_gateway(client: Any, resource: Mapping[str, Any], timeout: int) -> None:
    _gone_ok(client.delete_customer_gateway, CustomerGatewayId=resource["CustomerGatewayId"], aws_retry=True)


def delete_vpn_gateway(client: Any, resource: Mapping[str, Any], timeout: int) -> None:
    gateway = resource["VpnGatewayId"]
    for attachment in resource.get("VpcAttachments") or ():
        if attachment.get("State") in ("attached", "attaching"):
            _gone_ok(client.detach_vpn_gateway, VpcId=attachment["VpcId"], VpnGatewayId=gateway, aws_retry=True)
    _wait_detached(client, gateway, timeout)
    _gone_ok(client.delete_vpn_gateway, VpnGatewayId=gateway, aws_retry=True)


def still_attached(gateways: Iterable[Mapping[str, Any]]) -> bool:
    """Whether any of these VGWs (DescribeVpnGateways' records) has an attachment not yet `detached`."""
    return any(a.get("State") != "detached" for g in gateways for a in g.get("VpcAttachments") or ())


def _wait_detached(client, gateway: str, timeout: int) -> None:
    """A VGW is deleted only once detached (AWS answers IncorrectState meanwhile): amazon.aws's waiter.

    Its one acceptor is botocore's pathAll over ``VpnGateways[].VpcAttachments[].State``, which never
    matches an empty list: a VGW with no attachment left would be waited on until the timeout. So the
    waiter runs only while an attachment is still there and not `detached`. A timeout raises
    botocore's WaiterError (aws_teardown: "Timed out waiting for a lab resource to go").
    """
    if not still_attached(client.describe_vpn_gateways(VpnGatewayIds=[gateway]).get("VpnGateways", [])):
        return
    # Imported here: amazon.aws's waiters module imports Ansible, and listing (the inventory plugin,
    # the reaper) never needs it.
    from ansible_collections.amazon.aws.plugins.module_utils.waiters import get_waiter
    delay = 5
    get_waiter(client, "vpn_gateway_detached").wait(
        VpnGatewayIds=[gateway], WaiterConfig={"Delay": delay, "MaxAttempts": max(1, timeout // delay)})


def delete_route_table(client: Any, resource: Mapping[str, Any], timeout: int) -> None:
    for association in resource.get("Associations") or ():
        if association.get("Main"):
            return  # the VPC's main route table goes with the VPC
        _gone_ok(client.disassociate_route_table, AssociationId=association["RouteTableAssociationId"], aws_retry=True)
    _gone_ok(client.delete_route_table, RouteTableId=resource["RouteTableId"], aws_retry=True)


def delete_internet_gateway(client: Any, resource: Mapping[str, Any], timeout: int) -> None:
    gateway = resource["InternetGatewayId"]
    for attachment in resource.get("Attachments") or ():
        _gone_ok(client.detach_internet_gateway, InternetGatewayId=gateway, VpcId=attachment["VpcId"], aws_retry=True)
    _gone_ok(client.delete_internet_gateway, InternetGatewayId=gateway, aws_retry=True)


def delete_subnet(client: Any, resource: Mapping[str, Any], timeout: int) -> None:
    _gone_ok(client.delete_subnet, SubnetId=resource["SubnetId"], aws_retry=True)


def delete_security_group(client: Any, resource: Mapping[str, Any], timeout: int) -> None:
    _gone_ok(client.delete_security_group, GroupId=resource["GroupId"], aws_retry=True)


def delete_vpc(client: Any, resource: Mapping[str, Any], timeout: int) -> None:
    _gone_ok(client.delete_vpc, VpcId=resource["VpcId"], aws_retry=True)


DELETE = {
    "key_pair": delete_key_pair, "vpn_connection": delete_vpn_connection,
    "customer_gateway": delete_customer_gateway, "vpn_gateway": delete_vpn_gateway,
    "route_table": delete_route_table, "internet_gateway": delete_internet_gateway,
    "subnet": delete_subnet, "security_group": delete_security_group, "vpc": delete_vpc,
}


def teardown(client: Any, found: Mapping[str, Sequence[Mapping[str, Any]]], timeout: int = 900, check_mode: bool = False) -> list[dict[str, Any]]:
    """Delete what `list_lab` found, in ORDER; returns the records of what was (or would be) deleted."""
    done: list[dict[str, Any]] = []
    for kind in ORDER:
        resources = found.get(kind, [])
        if not resources:
            continue
        done += [record(kind, r) for r in resources]
        if check_mode:
            continue
        if kind == "instance":
            delete_instances(client, resources, timeout)
        else:
            for resource in resources:
                DELETE[kind](client, resource, timeout)
    return done


# --- names the lab would take over --------------------------------------------------------------

def name_filters(kind: str, name: str) -> list[dict[str, object]]:
    return [{"Name": NAME_FILTER.get(kind, "tag:Name"), "Values": [name]}]


def has_name(kind: str, resource: Mapping[str, Any], name: str) -> bool:
    """The Name tag checked again (moto ignores a tag:Name filter on customer gateways)."""
    return kind in NAME_FILTER or tags_of(resource).get("Name") == name


def conflicts(client: Any, lab: str, names: Optional[Mapping[str, Any]],
              customer_gateway_ip: Optional[str | list[str]] = None,
              adoptable: Optional[Callable[[Mapping[str, Any]], bool]] = None) -> list[dict[str, Any]]:
    """Resources that carry one of the lab's names but not its tags: the stock modules find
    resources by name (AWS answers a customer gateway's create with an existing one on the same
    address), so the lab would take them over.

    `adoptable(gateway)` tells the customer gateways a build of the lab created and could not tag
    (see _aws/cgw.py): the lab adopts those, so they are no conflict.
    """
    def foreign(kind, resource):
        return (alive(kind, resource) and not is_labs(resource, lab)
                and not (kind == "customer_gateway" and adoptable is not None and adoptable(resource)))

    found: list[dict[str, Any]] = []
    for kind, wanted in sorted((names or {}).items()):
        for name in wanted if isinstance(wanted, list) else [wanted]:
            if kind not in DESCRIBE or not name:
                continue
            for resource in describe(client, kind, name_filters(kind, name)):
                if has_name(kind, resource, name) and foreign(kind, resource):
                    found.append(dict(record(kind, resource), description="%s %s (%s) is not tagged vpnlab=%s" % (
                        kind.replace("_", " "), resource[DESCRIBE[kind][2]], name, lab)))
    # One address (static), or one per Azure gateway instance (the BGP design).
    addresses = customer_gateway_ip if isinstance(customer_gateway_ip, list) else [customer_gateway_ip]
    for address in [a for a in addresses if a]:
        for resource in describe(client, "customer_gateway", [{"Name": "ip-address", "Values": [address]}]):
            if foreign("customer_gateway", resource):
                found.append(dict(record("customer_gateway", resource), description=(
                    "customer gateway %s on %s belongs to someone else (it is not tagged vpnlab=%s, and AWS "
                    "answers a create on the same address and BGP ASN with it)" % (
                        resource["CustomerGatewayId"], address, lab))))
    return found


# --- every lab (the reaper) -------------------------------------------------------------------

def every_lab(client: Any, kinds: Iterable[str] = ORDER) -> list[dict[str, Any]]:
    """Every live EC2 resource of any lab (tag managed_by=multicloud.vpnlab), whatever its lab:
    ``[{cloud, kind, id, tags}]``. The tag is checked again here (moto ignores some filters)."""
    managed = filter_list(managed_filters())
    found: list[dict[str, Any]] = []
    for kind in kinds:
        for resource in describe(client, kind, managed):
            tags = tags_of(resource)
            if tags.get(MANAGED_BY[0]) == MANAGED_BY[1] and alive(kind, resource):
                found.append({"cloud": "aws", "kind": kind, "id": resource[DESCRIBE[kind][2]], "tags": tags})
    return found

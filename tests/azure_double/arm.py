# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TEST DOUBLE of Azure Resource Manager: routing, the resource store and long-running operations.

What it keeps from ARM, because the SDK and the modules depend on it: resource ids are
case-insensitive; every request needs an ``api-version`` (any value is accepted) and a bearer
token from the double's login endpoint; PUT creates (201) or replaces (200) a resource and fills
its read-only fields; network and compute writes are long-running operations answered with
``Azure-AsyncOperation`` (and ``Location`` for deletes) plus ``Retry-After-Ms`` (never
``Retry-After: 0``, which makes azure-core fall back to a 30 s poll); resource group deletes
answer ``Location``; a resource another one refers to cannot be deleted; a gateway busy with an
operation answers ``AnotherOperationInProgress``. What each resource type fills in and checks
is in providers.py.
"""

from __future__ import annotations

import copy
import threading
import time
import uuid
from urllib.parse import parse_qs, urlsplit

from . import providers

MANAGEMENT = "https://management.azure.com"


def ArmError(status, code, message):  # noqa: N802 - reads like the exception it makes
    return providers.ArmError(code, message, status)


class Operation:
    """A long-running operation: done once ``done_at`` has passed, then ``finish`` runs."""

    def __init__(self, kind, resource_id, done_at, finish, locks, location):
        self.id = str(uuid.uuid4())
        self.kind, self.resource_id, self.done_at = kind, resource_id, done_at
        self.finish, self.locks, self.location = finish, locks, location
        self.status = "InProgress"
        self.started = time.time()


class Arm:
    """The in-memory ARM. Every public method runs under one lock (the server is threaded)."""

    def __init__(self, subscription, tenant, config, clock=time.time):
        self.subscription, self.tenant = subscription, tenant
        self.config = config
        self.clock = clock
        self.resources = {}      # lower-case id -> resource dict as ARM returns it
        self.operations = {}     # operation id -> Operation
        self.lock = threading.RLock()
        self.public_ips = providers.AddressPool(config["public_ip_pool"])
        self.bgp = {}            # lower-case gateway id -> {"peers": {neighbor: peer}, "routes": [...]}

    # --- entry point -------------------------------------------------------------------------

    def handle(self, method, path, body):
        """Return (status, headers, JSON body or None) for a request to management.azure.com."""
        url = urlsplit(path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        if not any(k.lower() == "api-version" for k in query):
            raise ArmError(400, "MissingApiVersionParameter",
                           "The api-version query parameter (?api-version=) is required for all "
                           "requests.")
        with self.lock:
            self._advance()
            parts = [p for p in url.path.split("/") if p]
            if len(parts) < 2 or parts[0].lower() != "subscriptions":
                if parts == ["subscriptions"]:
                    return 200, {}, {"value": [self._subscription()]}
                raise ArmError(404, "DoubleNotImplemented", "test double: no route for %s" % url.path)
            if parts[1].lower() != self.subscription.lower():
                raise ArmError(404, "SubscriptionNotFound",
                               "The subscription '%s' could not be found." % parts[1])
            return self._route(method, parts[2:], query, body)

    # --- routing -----------------------------------------------------------------------------

    def _route(self, method, rest, query, body):
        low = [p.lower() for p in rest]
        if not rest:
            return 200, {}, self._subscription()
        if low[0] == "resourcegroups":
            if len(rest) == 1:
                return 200, {}, {"value": self._list_groups(query)}
            if len(rest) == 2:
                return self._group(method, rest[1], body)
            if len(rest) == 3 and low[2] == "resources":
                return 200, {}, {"value": self._list_resources(query, group=rest[1])}
            if len(rest) >= 5 and low[2] == "providers":
                return self._provider(method, rest[1], rest[3:], query, body)
        if low == ["resources"]:
            return 200, {}, {"value": self._list_resources(query)}
        if low == ["locations"] and method == "GET":
            return 200, {}, {"value": providers.locations(self.subscription)}
        if low[0] == "operationresults" and len(rest) == 2:
            return self._operation_result(rest[1])
        if low[0] == "providers" and len(rest) >= 3:
            return self._subscription_provider(method, rest[1:], query)
        raise ArmError(404, "DoubleNotImplemented", "test double: no route for %s" % "/".join(rest))

    def _subscription(self):
        return {"id": "/subscriptions/" + self.subscription, "subscriptionId": self.subscription,
                "tenantId": self.tenant, "displayName": "vpnlab Azure test double (not Azure)",
                "state": "Enabled", "authorizationSource": "RoleBased",
                "subscriptionPolicies": {"locationPlacementId": "Public_2014-09-01",
                                         "quotaId": "PayAsYouGo_2014-09-01",
                                         "spendingLimit": "Off"}}

    def _subscription_provider(self, method, rest, query):
        """/subscriptions/{s}/providers/{ns}/...: operation status, images, list-all."""
        low = [p.lower() for p in rest]
        if len(rest) == 5 and low[1] == "locations" and low[3] in ("operations", "operationresults"):
            return self._operation_status(rest[4], low[3] == "operationresults")
        if len(rest) >= 4 and low[:2] == ["microsoft.compute", "locations"] and low[3] == "publishers":
            return 200, {}, providers.image_lookup(self.subscription, rest[2], rest[4:])
        if len(rest) == 4 and low[:2] == ["microsoft.compute", "locations"] and low[3] == "vmsizes":
            return 200, {}, {"value": providers.VM_SIZES}
        if len(rest) == 2 and method == "GET":
            rtype = "%s/%s" % (rest[0], rest[1])
            return 200, {}, {"value": [self._render(r) for r in self._of_type(rtype)]}
        if len(rest) == 1 and method == "GET":
            return 200, {}, {"namespace": rest[0], "registrationState": "Registered",
                             "resourceTypes": []}
        raise ArmError(404, "DoubleNotImplemented", "test double: no route for providers/%s" % "/".join(rest))

    # --- resource groups ---------------------------------------------------------------------

    def group_id(self, name):
        return "/subscriptions/%s/resourceGroups/%s" % (self.subscription, name)

    def _group(self, method, name, body):
        rid = self.group_id(name)
        current = self.resources.get(rid.lower())
        if method == "HEAD":
            return (204 if current else 404), {}, None
        if method == "GET":
            if not current:
                raise ArmError(404, "ResourceGroupNotFound", "Resource group '%s' could not be found." % name)
            return 200, {}, current
        if method in ("PUT", "PATCH"):
            if current and current["properties"]["provisioningState"] == "Deleting":
                raise ArmError(409, "ResourceGroupBeingDeleted", "The resource group '%s' is in "
                               "deprovisioning state and cannot perform this operation." % name)
            if method == "PATCH" and not current:
                raise ArmError(404, "ResourceGroupNotFound", "Resource group '%s' could not be found." % name)
            if method == "PUT" and not (body or {}).get("location"):
                raise ArmError(400, "LocationRequired", "The location property is required for this definition.")
            group = copy.deepcopy(current) if current else {
                "id": rid, "name": current["name"] if current else name,
                "type": "Microsoft.Resources/resourceGroups",
                "location": providers.location(body["location"]),
                "properties": {"provisioningState": "Succeeded"}}
            if "tags" in (body or {}) or method == "PUT":
                group["tags"] = dict((body or {}).get("tags") or {})
            if not group["tags"]:
                group.pop("tags")
            self.resources[rid.lower()] = group
            return (200 if current else 201), {}, group
        if method == "DELETE":
            if not current:
                return 404, {}, ArmError(404, "ResourceGroupNotFound",
                                         "Resource group '%s' could not be found." % name).body()
            return self._delete_group(current)
        raise ArmError(405, "MethodNotAllowed", "The method %s is not allowed." % method)

    def _delete_group(self, group):
        running = [op for op in self.operations.values()
                   if op.kind == "delete-group" and op.resource_id == group["id"].lower()
                   and op.status == "InProgress"]
        if running:
            op = running[0]
        else:
            group["properties"]["provisioningState"] = "Deleting"
            prefix = group["id"].lower() + "/"

            def finish():
                for rid in [r for r in self.resources if r.startswith(prefix) or r == group["id"].lower()]:
                    self._forget(rid)

            op = self._start("delete-group", group["id"], self.config["group_delete_delay"], finish,
                             locks=(), location=group["location"])
        url = "%s/subscriptions/%s/operationresults/%s?api-version=2021-04-01" % (
            MANAGEMENT, self.subscription, op.id)
        return 202, dict(self._retry(op), Location=url), None

    def _list_groups(self, query):
        groups = [r for r in self.resources.values() if r["type"] == "Microsoft.Resources/resourceGroups"]
        return [g for g in groups if providers.matches_filter(g, query.get("$filter"))]

    def _list_resources(self, query, group=None):
        """Top-level tracked resources (ARM's /resources lists no child resources)."""
        prefix = (self.group_id(group).lower() + "/") if group else None
        if group and self.group_id(group).lower() not in self.resources:
            raise ArmError(404, "ResourceGroupNotFound", "Resource group '%s' could not be found." % group)
        found = []
        for rid, res in sorted(self.resources.items()):
            if res["type"].count("/") != 1 or res["type"] == "Microsoft.Resources/resourceGroups":
                continue
            if prefix and not rid.startswith(prefix):
                continue
            if providers.matches_filter(res, query.get("$filter")):
                found.append({k: res[k] for k in ("id", "name", "type", "location", "tags", "sku",
                                                  "zones", "kind") if k in res})
        return found

    # --- provider resources ------------------------------------------------------------------

    def _provider(self, method, group, rest, query, body):
        """rest = [namespace, type, name, (childtype, childname)*, (action)?]."""
        if self.group_id(group).lower() not in self.resources:
            raise ArmError(404, "ResourceGroupNotFound", "Resource group '%s' could not be found." % group)
        namespace, segments = rest[0], rest[1:]
        types, names = segments[0::2], segments[1::2]
        action = None
        if len(types) > len(names):
            if not names:
                rtype = "%s/%s" % (namespace, types[0])
                prefix = self.group_id(group).lower() + "/providers/" + rtype.lower() + "/"
                found = [self._render(r) for r in self._of_type(rtype) if r["id"].lower().startswith(prefix)]
                return 200, {}, {"value": found}
            action = types.pop()
        rtype = "/".join([namespace] + types)
        spec = providers.spec(rtype)
        if spec is None:
            raise ArmError(404, "DoubleNotImplemented", "test double: resource type %s" % rtype)
        rid = "%s/providers/%s/%s" % (self.group_id(self.resources[self.group_id(group).lower()]["name"]),
                                      namespace, "/".join("%s/%s" % tn for tn in zip(types, names)))
        if action:
            return self._action(method, rid, spec, action, body, query)
        if method == "GET":
            return 200, {}, self._render(self._get(rid), query.get("$expand"))
        if method == "PUT":
            return self._put(rid, spec, body or {}, group)
        if method == "PATCH":
            return self._patch(rid, body or {})
        if method == "DELETE":
            return self._delete(rid, spec)
        raise ArmError(405, "MethodNotAllowed", "The method %s is not allowed." % method)

    def _get(self, rid):
        res = self.resources.get(rid.lower())
        if res is None:
            raise ArmError(404, "ResourceNotFound", "The Resource '%s' under resource group '%s' "
                           "was not found." % (providers.type_and_name(rid), providers.group_of(rid)))
        return res

    def _of_type(self, rtype):
        return [self.resources[rid] for rid in sorted(self.resources)
                if self.resources[rid]["type"].lower() == rtype.lower()]

    def _render(self, res, expand=None):
        return providers.render(self, res, expand)

    def _put(self, rid, spec, body, group):
        current = self.resources.get(rid.lower())
        self._check_not_busy(rid, spec, body)
        if self.resources[self.group_id(group).lower()]["properties"]["provisioningState"] == "Deleting":
            raise ArmError(409, "ResourceGroupBeingDeleted", "The resource group '%s' is in "
                           "deprovisioning state and cannot perform this operation." % group)
        stored = spec.shape(self, rid, body, current)
        self._check_references(rid, stored)
        stored["properties"]["provisioningState"] = spec.busy_state(current)
        self.resources[rid.lower()] = stored
        for child in spec.children_of(self, rid, stored):
            self.resources[child["id"].lower()] = child
        delay = spec.delay(self, current, stored)

        def finish():
            if rid.lower() in self.resources:
                self.resources[rid.lower()]["properties"]["provisioningState"] = "Succeeded"
                spec.on_succeeded(self, self.resources[rid.lower()])

        op = self._start("put", rid, delay, finish, spec.locks(self, stored), stored.get("location"))
        headers = self._async_headers(rid, op)
        return (200 if current else 201), headers, self._render(stored)

    def _patch(self, rid, body):
        res = self._get(rid)
        if set(body) - {"tags"}:
            raise ArmError(400, "DoubleNotImplemented", "test double: PATCH supports tags only")
        res["tags"] = dict(body.get("tags") or {})
        res["etag"] = providers.etag() if "etag" in res else res.get("etag")
        return 200, {}, self._render(res)

    def _delete(self, rid, spec):
        res = self.resources.get(rid.lower())
        if res is None:
            return 204, {}, None
        self._check_not_busy(rid, spec, res)
        users = self.users_of(rid)
        if users:
            raise ArmError(400, spec.in_use_code, "%s %s can not be deleted since it is still "
                           "referenced by: %s." % (spec.label, rid, ", ".join(sorted(users))))
        res["properties"]["provisioningState"] = "Deleting"

        def finish():
            self._forget(rid.lower())

        op = self._start("delete", rid, spec.delete_delay(self, res), finish,
                         spec.locks(self, res), res.get("location"))
        headers = self._async_headers(rid, op)
        headers["Location"] = headers["Azure-AsyncOperation"].replace("/operations/", "/operationResults/")
        return 202, headers, None

    def _action(self, method, rid, spec, action, body, query):
        res = self._get(rid)
        handler = spec.actions.get(action.lower())
        if handler is None:
            raise ArmError(404, "DoubleNotImplemented", "test double: action %s on %s" % (action, rid))
        return handler(self, res, method, body, query)

    def _forget(self, lower_id):
        for rid in [r for r in self.resources if r == lower_id or r.startswith(lower_id + "/")]:
            res = self.resources.pop(rid)
            self.bgp.pop(rid, None)
            ip = res.get("properties", {}).get("ipAddress")
            if ip and res["type"] == "Microsoft.Network/publicIPAddresses":
                self.public_ips.release(ip)

    # --- references ----------------------------------------------------------------------------

    def _check_references(self, rid, stored):
        own = rid.lower()
        for ref in providers.references(stored):
            low = ref.lower()
            if low == own or low.startswith(own + "/"):
                continue
            if not any(candidate in self.resources for candidate in providers.prefixes(low)):
                raise ArmError(400, "InvalidResourceReference", "Resource %s referenced by "
                               "resource %s was not found. Please make sure that the referenced "
                               "resource exists, and that both resources are in the same region."
                               % (ref, rid))

    def users_of(self, rid):
        """Ids of other resources whose properties refer to ``rid`` or its children."""
        own = rid.lower()
        users = set()
        for other_id, other in self.resources.items():
            if other_id == own or other_id.startswith(own + "/") or own.startswith(other_id + "/"):
                continue
            if other.get("type", "").count("/") != 1:
                continue  # child resources are covered by their parent
            for ref in providers.references(other):
                low = ref.lower()
                if low == own or low.startswith(own + "/"):
                    users.add(other["id"])
        return users

    # --- long-running operations ---------------------------------------------------------------

    def _start(self, kind, rid, delay, finish, locks, location):
        op = Operation(kind, rid.lower(), self.clock() + delay, finish, {l.lower() for l in locks},
                       providers.location(location or "westeurope"))
        self.operations[op.id] = op
        if delay <= 0:
            self._advance()
        return op

    def _advance(self):
        now = self.clock()
        for op in list(self.operations.values()):
            if op.status == "InProgress" and op.done_at <= now:
                op.status = "Succeeded"
                op.finish()

    def _check_not_busy(self, rid, spec, body):
        wanted = {rid.lower()} | {l.lower() for l in spec.locks(self, body)}
        for op in self.operations.values():
            if op.status == "InProgress" and (op.locks | {op.resource_id}) & wanted:
                raise ArmError(409, "AnotherOperationInProgress", "Another operation on this or "
                               "dependent resource is in progress. To retry later, put the "
                               "resource again. Operation id: %s (test double)." % op.id)

    def _retry(self, op):
        remaining = max(0.0, op.done_at - self.clock())
        wait_ms = int(min(max(remaining * 1000, 50), self.config["max_poll_ms"]))
        return {"Retry-After-Ms": str(wait_ms)}

    def _async_headers(self, rid, op):
        namespace = rid.split("/providers/")[1].split("/")[0]
        url = "%s/subscriptions/%s/providers/%s/locations/%s/operations/%s?api-version=2024-05-01" % (
            MANAGEMENT, self.subscription, namespace, op.location, op.id)
        return dict(self._retry(op), **{"Azure-AsyncOperation": url})

    def _operation(self, op_id):
        op = self.operations.get(op_id)
        if op is None:
            raise ArmError(404, "OperationNotFound", "The operation '%s' could not be found." % op_id)
        return op

    def _operation_status(self, op_id, as_result):
        op = self._operation(op_id)
        if as_result:
            return (202, self._retry(op), None) if op.status == "InProgress" else (204, {}, None)
        body = {"name": op.id, "status": op.status,
                "startTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(op.started))}
        return 200, (self._retry(op) if op.status == "InProgress" else {}), body

    def _operation_result(self, op_id):
        op = self._operation(op_id)
        if op.status == "InProgress":
            return 202, dict(self._retry(op), Location="%s/subscriptions/%s/operationresults/%s"
                             "?api-version=2021-04-01" % (MANAGEMENT, self.subscription, op.id)), None
        return 200, {}, None

    # --- control API (tests only) --------------------------------------------------------------

    def set_connection_status(self, name, status, ingress, egress):
        with self.lock:
            found = [r for r in self._of_type("Microsoft.Network/connections") if r["name"] == name]
            if not found:
                raise ArmError(404, "ResourceNotFound", "no connection named %s" % name)
            for conn in found:
                conn["properties"].update(connectionStatus=status, ingressBytesTransferred=ingress,
                                          egressBytesTransferred=egress)
            return len(found)

    def set_bgp(self, name, peers, routes):
        """What the gateway's BGP speakers see, as the data plane (or a test) says: its peers'
        status (each {neighbor, state, routesReceived}, by neighbor) and the routes it learned
        (each {network, sourcePeer, origin, asPath}); getBgpPeerStatus and getLearnedRoutes
        answer from it."""
        with self.lock:
            found = [r for r in self._of_type("Microsoft.Network/virtualNetworkGateways") if r["name"] == name]
            if not found:
                raise ArmError(404, "ResourceNotFound", "no virtual network gateway named %s" % name)
            for gateway in found:
                self.bgp[gateway["id"].lower()] = {"peers": {p["neighbor"]: dict(p) for p in peers},
                                                   "routes": [dict(r) for r in routes]}
            return len(found)

    def inventory(self):
        with self.lock:
            self._advance()
            return sorted(r["id"] for r in self.resources.values())

    def snapshot(self):
        """Every resource as ARM holds it, keys and custom data included: what Azure's own
        machinery sees, for the rehearsal's data plane (never sent to an ARM client)."""
        with self.lock:
            self._advance()
            return [providers.render(self, res) for res in self.resources.values()]

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TEST DOUBLE: the resource types the lab uses, with the read-only fields ARM fills in.

Each type fills what ARM returns (ids of child objects, ``etag``, ``resourceGuid``,
``provisioningState``, a Standard Static public IP's address, a VM's ``vmId`` and OS disk) and
checks a few rules that the lab's choices rest on, each marked "double's rule" in its message:
Basic public IPs are retired, Standard ones must be Static, Generation2 gateways need VpnGw2 or
larger, an IPsec policy needs all eight fields, a VM's static private IP must be a usable address
of its subnet. These rules are this file's reading of Microsoft's documentation, not Azure's
validator: the double proves what the collection sends, not that Azure accepts it.
"""

from __future__ import annotations

import copy
import hashlib
import ipaddress
import re
import time
import uuid

FILTER_RE = re.compile(r"\s*(\w+)\s+eq\s+'([^']*)'\s*(?:and|$)", re.IGNORECASE)


class ArmError(Exception):
    """An error answer, in ARM's shape; 400 unless said otherwise."""

    def __init__(self, code, message, status=400):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def body(self):
        return {"error": {"code": self.code, "message": self.message}}


DoubleRuleError = ArmError


# --- helpers ---------------------------------------------------------------------------------

def location(name):
    return re.sub(r"\s+", "", str(name)).lower()


def etag():
    return 'W/"%s"' % uuid.uuid4()


def type_and_name(rid):
    parts = rid.split("/providers/")[-1].split("/")
    return "%s/%s" % ("/".join(parts[0:len(parts):2][:1] + parts[1:len(parts):2]), parts[-1])


def group_of(rid):
    parts = rid.split("/")
    return parts[4] if len(parts) > 4 else ""


def prefixes(rid):
    """``rid`` and each shorter id above it, down to the top-level resource."""
    parts = rid.split("/")
    base = parts.index("providers") + 4 if "providers" in parts else len(parts)
    return ["/".join(parts[:n]) for n in range(len(parts), base - 1, -2)]


def references(obj, top=True):
    """Every resource id ``obj`` refers to (an ``id`` below the top level)."""
    found = []
    if isinstance(obj, dict):
        for key, value in obj.items():
            if key == "id" and not top and isinstance(value, str) and value.startswith("/subscriptions/"):
                found.append(value)
            elif isinstance(value, (dict, list)):
                found += references(value, top=False)
    elif isinstance(obj, list):
        for item in obj:
            found += references(item, top=False)
    return found


def matches_filter(res, expression):
    """ARM's ``$filter`` for the forms the lab uses: tagName/tagValue, resourceType, name."""
    if not expression:
        return True
    terms = dict((k.lower(), v) for k, v in FILTER_RE.findall(expression))
    if not terms or set(terms) - {"tagname", "tagvalue", "resourcetype", "name"}:
        raise DoubleRuleError("InvalidFilterInQueryString", "test double: unsupported $filter %r"
                              % expression)
    tags = {k.lower(): v for k, v in (res.get("tags") or {}).items()}
    if "tagname" in terms:
        if terms["tagname"].lower() not in tags:
            return False
        if "tagvalue" in terms and tags[terms["tagname"].lower()] != terms["tagvalue"]:
            return False
    if "resourcetype" in terms and res["type"].lower() != terms["resourcetype"].lower():
        return False
    return "name" not in terms or res["name"] == terms["name"]


# --- locations and their availability zones ------------------------------------------------------

# The regions the double knows, with their logical availability zones (none: a region without
# zones), as the Subscriptions - List Locations API (api-version 2022-12-01) lists them in
# ``availabilityZoneMappings``. A reading of Microsoft's region list (2025), not Azure's: the
# regions without zones are here so that tests can build in one.
ZONES_1_3 = ("1", "2", "3")
LOCATIONS = {
    "westeurope": ("West Europe", ZONES_1_3), "northeurope": ("North Europe", ZONES_1_3),
    "germanywestcentral": ("Germany West Central", ZONES_1_3),
    "switzerlandnorth": ("Switzerland North", ZONES_1_3), "francecentral": ("France Central", ZONES_1_3),
    "uksouth": ("UK South", ZONES_1_3), "swedencentral": ("Sweden Central", ZONES_1_3),
    "norwayeast": ("Norway East", ZONES_1_3), "eastus": ("East US", ZONES_1_3),
    "eastus2": ("East US 2", ZONES_1_3), "westus2": ("West US 2", ZONES_1_3),
    "westus3": ("West US 3", ZONES_1_3), "centralus": ("Central US", ZONES_1_3),
    "southcentralus": ("South Central US", ZONES_1_3), "canadacentral": ("Canada Central", ZONES_1_3),
    "brazilsouth": ("Brazil South", ZONES_1_3), "australiaeast": ("Australia East", ZONES_1_3),
    "southeastasia": ("Southeast Asia", ZONES_1_3), "eastasia": ("East Asia", ZONES_1_3),
    "japaneast": ("Japan East", ZONES_1_3), "koreacentral": ("Korea Central", ZONES_1_3),
    "centralindia": ("Central India", ZONES_1_3),
    # without availability zones
    "ukwest": ("UK West", ()), "westcentralus": ("West Central US", ()),
}


def location_zones(name):
    """The zones of a location the double knows; None for one it does not (no zone rule then)."""
    known = LOCATIONS.get(location(name))
    return None if known is None else known[1]


def locations(subscription):
    """``GET /subscriptions/{id}/locations``: every region, with its zones when it has any."""
    found = []
    for name, (display, zones) in sorted(LOCATIONS.items()):
        entry = {"id": "/subscriptions/%s/locations/%s" % (subscription, name), "name": name,
                 "displayName": display, "regionalDisplayName": display, "type": "Region",
                 "metadata": {"regionType": "Physical", "regionCategory": "Recommended"}}
        if zones:
            entry["availabilityZoneMappings"] = [
                {"logicalZone": z, "physicalZone": "%s-az%s" % (name, z)} for z in zones]
        found.append(entry)
    return found


class AddressPool:
    """Public addresses the double hands out. Nothing may ever connect to them."""

    def __init__(self, cidr):
        self.hosts = [str(a) for a in list(ipaddress.ip_network(cidr).hosts())[9:]]
        self.used = set()

    def take(self):
        for addr in self.hosts:
            if addr not in self.used:
                self.used.add(addr)
                return addr
        raise DoubleRuleError("PublicIPCountLimitReached", "test double: address pool exhausted")

    def release(self, addr):
        self.used.discard(addr)


def sub_id(parent_id, kind, name):
    return "%s/%s/%s" % (parent_id, kind, name)


# --- resource types ----------------------------------------------------------------------------

class Spec:
    type = ""
    label = "Resource"
    in_use_code = "InUseResourceCannotBeDeleted"
    resource_guid = True
    compute = False
    actions = {}

    def shape(self, arm, rid, body, current):
        if not body.get("location") and not current:
            raise DoubleRuleError("LocationRequired", "The location property is required for this definition.")
        props = copy.deepcopy(body.get("properties") or {})
        old = (current or {}).get("properties", {})
        res = {"id": rid, "name": rid.split("/")[-1], "type": self.type,
               "location": location(body.get("location") or current["location"])}
        if body.get("tags"):
            res["tags"] = dict(body["tags"])
        for key in ("zones", "sku", "plan", "identity"):
            if body.get(key) is not None:
                res[key] = copy.deepcopy(body[key])
        if not self.compute:
            res["etag"] = etag()
        if self.resource_guid:
            props["resourceGuid"] = old.get("resourceGuid") or str(uuid.uuid4())
        res["properties"] = props
        self.fill(arm, res, props, old, current)
        return res

    def fill(self, arm, res, props, old, current):
        """Fill the type's read-only fields and check its rules (in place)."""

    def busy_state(self, current):
        if self.compute:
            return "Updating" if current else "Creating"
        return "Updating"

    def delay(self, arm, current, stored):
        return arm.config["operation_delay"]

    def delete_delay(self, arm, res):
        return arm.config["operation_delay"]

    def locks(self, arm, body):
        return ()

    def children_of(self, arm, rid, stored):
        return []

    def on_succeeded(self, arm, res):
        pass

    def render(self, arm, res, expand):
        return res


def _prefix_list(props):
    return props.get("addressPrefixes") or ([props["addressPrefix"]] if props.get("addressPrefix") else [])


def _network(value, what):
    try:
        return ipaddress.ip_network(value)
    except (TypeError, ValueError):
        raise DoubleRuleError("InvalidAddressPrefixFormat", "%s %r is not a valid CIDR" % (what, value))


class VirtualNetwork(Spec):
    type = "Microsoft.Network/virtualNetworks"
    label = "Virtual network"
    in_use_code = "InUseSubnetCannotBeDeleted"

    def fill(self, arm, res, props, old, current):
        prefixes_ = (props.get("addressSpace") or {}).get("addressPrefixes") or []
        if not prefixes_:
            raise DoubleRuleError("InvalidRequestFormat", "addressSpace.addressPrefixes is required")
        for value in prefixes_:
            _network(value, "VNet address prefix")
        props.setdefault("dhcpOptions", {"dnsServers": []})
        props.setdefault("enableDdosProtection", False)
        props.setdefault("virtualNetworkPeerings", [])
        self._subnets = props.pop("subnets", None)

    def children_of(self, arm, rid, stored):
        if self._subnets is None:
            return []
        children = []
        for sub in self._subnets:
            sid = sub_id(rid, "subnets", sub["name"])
            current = arm.resources.get(sid.lower())
            child = SUBNET.shape(arm, sid, {"properties": sub.get("properties") or {},
                                            "location": stored["location"]}, current, parent=stored)
            child["properties"]["provisioningState"] = "Succeeded"
            children.append(child)
        return children

    def render(self, arm, res, expand):
        out = copy.deepcopy(res)
        prefix = res["id"].lower() + "/subnets/"
        out["properties"]["subnets"] = [SUBNET.render(arm, r, None) for k, r in sorted(arm.resources.items())
                                        if k.startswith(prefix) and "/" not in k[len(prefix):]]
        return out


class Subnet(Spec):
    type = "Microsoft.Network/virtualNetworks/subnets"
    label = "Subnet"
    in_use_code = "InUseSubnetCannotBeDeleted"
    resource_guid = False

    def shape(self, arm, rid, body, current, parent=None):
        parent = parent or arm.resources.get(rid.rsplit("/subnets/", 1)[0].lower())
        if parent is None:
            raise DoubleRuleError("ResourceNotFound", "The virtual network of %s was not found." % rid, 404)
        props = copy.deepcopy(body.get("properties") or {})
        for key in ("ipConfigurations", "provisioningState", "purpose"):
            props.pop(key, None)
        values = _prefix_list(props)
        if not values:
            raise DoubleRuleError("InvalidRequestFormat", "Subnet %s needs an addressPrefix" % rid)
        vnet_nets = [_network(v, "VNet prefix") for v in parent["properties"]["addressSpace"]["addressPrefixes"]]
        for value in values:
            net = _network(value, "Subnet address prefix")
            if not any(net.subnet_of(v) for v in vnet_nets):
                raise DoubleRuleError("NetcfgSubnetRangeOutsideVnet", "Subnet '%s' is not valid "
                                      "because its IP address range is outside the IP address "
                                      "range of virtual network '%s'." % (rid.split("/")[-1], parent["name"]))
        if rid.split("/")[-1] == "GatewaySubnet" and props.get("networkSecurityGroup"):
            raise DoubleRuleError("NetworkSecurityGroupNotCompliantForGatewaySubnet", "Network "
                                  "security groups are not supported on GatewaySubnet (double's rule).")
        props.setdefault("privateEndpointNetworkPolicies", "Disabled")
        props.setdefault("privateLinkServiceNetworkPolicies", "Enabled")
        props.setdefault("delegations", [])
        return {"id": rid, "name": rid.split("/")[-1], "type": self.type, "etag": etag(),
                "properties": props}

    def render(self, arm, res, expand):
        out = copy.deepcopy(res)
        users = []
        for other in arm.resources.values():
            for conf in (other.get("properties") or {}).get("ipConfigurations") or []:
                subnet = ((conf.get("properties") or {}).get("subnet") or {}).get("id", "")
                if subnet.lower() == res["id"].lower():
                    users.append({"id": conf["id"]})
        if users:
            out["properties"]["ipConfigurations"] = users
        return out


class PublicIp(Spec):
    type = "Microsoft.Network/publicIPAddresses"
    label = "Public IP address"
    in_use_code = "PublicIPAddressInUse"

    def fill(self, arm, res, props, old, current):
        sku = (res.get("sku") or {}).get("name", "Basic")
        if sku.lower() == "basic":
            raise DoubleRuleError("BasicSkuPublicIpNotSupported", "Basic SKU public IP addresses "
                                  "were retired on 30 September 2025; create a Standard one "
                                  "(double's rule).")
        res["sku"] = {"name": "Standard", "tier": (res.get("sku") or {}).get("tier", "Regional")}
        method = props.get("publicIPAllocationMethod", "Static")
        if method != "Static":
            raise DoubleRuleError("StandardSkuPublicIPAddressesMustBeStatic", "Standard sku "
                                  "publicIp %s must specify publicIPAllocationMethod as Static."
                                  % res["name"])
        if current and sorted(current.get("zones") or []) != sorted(res.get("zones") or []):
            raise DoubleRuleError("ResourceAvailabilityZonesCannotBeModified", "Zones of public "
                                  "IP %s cannot be changed." % res["name"])
        self._check_zones(res)
        props.pop("ipConfiguration", None)
        props.update(publicIPAllocationMethod="Static",
                     publicIPAddressVersion=props.get("publicIPAddressVersion", "IPv4"),
                     idleTimeoutInMinutes=props.get("idleTimeoutInMinutes", 4),
                     ipTags=props.get("ipTags", []),
                     ddosSettings=props.get("ddosSettings", {"protectionMode": "VirtualNetworkInherited"}),
                     ipAddress=old.get("ipAddress") or arm.public_ips.take())

    @staticmethod
    def _check_zones(res):
        """Azure's answers to zones a location does not have (its codes and messages)."""
        zones, known = res.get("zones") or [], location_zones(res["location"])
        if not zones or known is None:
            return
        if not known:
            raise DoubleRuleError("LocationNotSupportAvailabilityZones", "The resource "
                                  "'Microsoft.Network/publicIPAddresses/%s' does not support "
                                  "availability zones at location '%s'." % (res["name"], res["location"]))
        wrong = [z for z in zones if z not in known]
        if wrong:
            raise DoubleRuleError("InvalidAvailabilityZone", "The zone(s) '%s' for resource "
                                  "'Microsoft.Network/publicIPAddresses/%s' is not supported. The "
                                  "supported zones for location '%s' are '%s'"
                                  % (",".join(wrong), res["name"], res["location"], ",".join(known)))

    def render(self, arm, res, expand):
        out = copy.deepcopy(res)
        for other in arm.resources.values():
            for conf in (other.get("properties") or {}).get("ipConfigurations") or []:
                pip = ((conf.get("properties") or {}).get("publicIPAddress") or {}).get("id", "")
                if pip.lower() == res["id"].lower():
                    out["properties"]["ipConfiguration"] = {"id": conf["id"]}
        return out


# The double's own copy of Azure's BGP rules (VPN Gateway BGP FAQ), kept apart from the
# collection's (_azure/spec.py) so that each checks the other.
BGP_DEFAULT_ASN = 65515
BGP_RESERVED_ASNS = {8074, 8075, 12076, 65515, 65517, 65518, 65519, 65520}
APIPA_RANGE = (ipaddress.ip_address("169.254.21.0"), ipaddress.ip_address("169.254.22.255"))


def _apipa(address):
    try:
        return APIPA_RANGE[0] <= ipaddress.ip_address(address) <= APIPA_RANGE[1]
    except ValueError:
        return False


GENERATION2_SKUS = {"VpnGw2", "VpnGw3", "VpnGw4", "VpnGw5", "VpnGw2AZ", "VpnGw3AZ", "VpnGw4AZ", "VpnGw5AZ"}
RETIRED_SKUS = {"Basic", "Standard", "HighPerformance", "VpnGw1", "VpnGw2", "VpnGw3", "VpnGw4", "VpnGw5"}


class VirtualNetworkGateway(Spec):
    type = "Microsoft.Network/virtualNetworkGateways"
    label = "Virtual network gateway"
    in_use_code = "InUseVirtualNetworkGatewayCannotBeDeleted"
    # getBgpPeerStatus and getLearnedRoutes (set after Connection): Azure answers them as
    # long-running POSTs; the double answers at once with 200.

    def fill(self, arm, res, props, old, current):
        sku = (props.get("sku") or {}).get("name")
        generation = props.get("vpnGatewayGeneration", "Generation1")
        if sku in RETIRED_SKUS and not current:
            raise DoubleRuleError("VpnGatewaySkuNotSupported", "SKU %s can no longer be created; "
                                  "use an AZ SKU such as VpnGw1AZ (double's rule)." % sku)
        if generation == "Generation2" and sku not in GENERATION2_SKUS:
            raise DoubleRuleError("VpnGatewayGenerationNotSupportedForSku", "Generation2 is "
                                  "available for VpnGw2-5 and VpnGw2AZ-5AZ only, not %s (double's "
                                  "rule)." % sku)
        if current:
            for key in ("vpnType", "gatewayType", "vpnGatewayGeneration"):
                if old.get(key) != props.get(key, old.get(key)):
                    raise DoubleRuleError("InvalidRequestFormat", "%s of gateway %s cannot be "
                                          "changed from %s to %s (double's rule)."
                                          % (key, res["name"], old.get(key), props.get(key)))
        configs = props.get("ipConfigurations") or []
        if not configs:
            raise DoubleRuleError("InvalidRequestFormat", "ipConfigurations is required")
        for conf in configs:
            self._check_config(arm, res, conf, sku)
        props.update(gatewayType=props.get("gatewayType", "Vpn"), vpnType=props.get("vpnType", "RouteBased"),
                     vpnGatewayGeneration=generation, activeActive=props.get("activeActive", False),
                     enableBgp=props.get("enableBgp", False), disableIPSecReplayProtection=False,
                     enablePrivateIpAddress=False, enableBgpRouteTranslationForNat=False, natRules=[],
                     virtualNetworkGatewayPolicyGroups=[], allowRemoteVnetTraffic=False,
                     allowVirtualWanTraffic=False)
        props["sku"] = {"name": sku, "tier": (props.get("sku") or {}).get("tier", sku), "capacity": 2}
        active = bool(props["activeActive"])
        if len(configs) != (2 if active else 1):
            raise DoubleRuleError("InvalidRequestFormat", "an %s gateway has %d ipConfiguration(s), not %d "
                                  "(double's rule)." % ("active-active" if active else "active-standby",
                                                        2 if active else 1, len(configs)))
        pip_ids = [c["properties"]["publicIPAddress"]["id"].lower() for c in configs]
        if len(set(pip_ids)) != len(pip_ids):
            raise DoubleRuleError("VirtualNetworkGatewayActiveActiveNeedsTwoPublicIps", "The instances of an "
                                  "active-active gateway need two different public IPs (double's rule).")
        gw_subnet = arm.resources[configs[0]["properties"]["subnet"]["id"].lower()]
        # Azure gives each instance a GatewaySubnet address of its own as its default BGP address.
        hosts = list(_network(_prefix_list(gw_subnet["properties"])[0], "").hosts())
        defaults = [str(hosts[-1 - i]) for i in range(len(configs))]
        public = [arm.resources[c["properties"]["publicIPAddress"]["id"].lower()]["properties"]["ipAddress"]
                  for c in configs]
        asked = props.get("bgpSettings") or {}
        asn = asked.get("asn") or BGP_DEFAULT_ASN
        if props["enableBgp"] and (asn in BGP_RESERVED_ASNS and asn != BGP_DEFAULT_ASN or not 1 <= asn <= 4294967294):
            raise DoubleRuleError("InvalidBgpAsn", "ASN %s is reserved by Azure or out of range (double's "
                                  "rule, after the VPN Gateway BGP FAQ)." % asn)
        custom = {}
        for entry in asked.get("bgpPeeringAddresses") or []:
            conf_id = (entry.get("ipconfigurationId") or "").lower()
            if conf_id not in [c["id"].lower() for c in configs]:
                raise DoubleRuleError("InvalidRequestFormat", "bgpPeeringAddresses names ipConfiguration %s, "
                                      "which the gateway does not have (double's rule)." % entry.get("ipconfigurationId"))
            for address in entry.get("customBgpIpAddresses") or []:
                if not _apipa(address):
                    raise DoubleRuleError("InvalidCustomBgpIpAddress", "Custom BGP address %s is outside "
                                          "169.254.21.0-169.254.22.255, the APIPA range Azure accepts "
                                          "(double's rule)." % address)
            custom[conf_id] = list(entry.get("customBgpIpAddresses") or [])
        if custom and not props["enableBgp"]:
            raise DoubleRuleError("InvalidRequestFormat", "custom BGP addresses need enableBgp (double's rule).")
        props["bgpSettings"] = {"asn": asn, "bgpPeeringAddress": ",".join(defaults), "peerWeight": 0,
                                "bgpPeeringAddresses": [{"ipconfigurationId": c["id"],
                                                         "defaultBgpIpAddresses": [default],
                                                         "customBgpIpAddresses": custom.get(c["id"].lower(), []),
                                                         "tunnelIpAddresses": [ip]}
                                                        for c, default, ip in zip(configs, defaults, public)]}

    def delay(self, arm, current, stored):
        return arm.config["gateway_delay"]

    def delete_delay(self, arm, res):
        return arm.config["gateway_delete_delay"]

    @staticmethod
    def _check_config(arm, res, conf, sku):
        conf["id"] = sub_id(res["id"], "ipConfigurations", conf.get("name") or "default")
        conf["name"] = conf["id"].split("/")[-1]
        conf["etag"] = res["etag"]
        conf["type"] = "Microsoft.Network/virtualNetworkGateways/ipConfigurations"
        cprops = conf.setdefault("properties", {})
        cprops.setdefault("privateIPAllocationMethod", "Dynamic")
        cprops["provisioningState"] = "Succeeded"
        subnet = (cprops.get("subnet") or {}).get("id", "")
        if subnet.split("/")[-1] != "GatewaySubnet":
            raise DoubleRuleError("VirtualNetworkGatewaySubnetNameMustBeGatewaySubnet", "A "
                                  "gateway's ipConfiguration must use the subnet GatewaySubnet.")
        pip = arm.resources.get(((cprops.get("publicIPAddress") or {}).get("id") or "").lower())
        if pip is None:
            raise DoubleRuleError("InvalidResourceReference", "Public IP %s of gateway %s was not "
                                  "found." % ((cprops.get("publicIPAddress") or {}).get("id"), res["name"]))
        # Since May 2025 Azure accepts an AZ SKU in every region; where the region has zones, its
        # public IP must have some.
        if sku.endswith("AZ") and not pip.get("zones") and location_zones(pip["location"]) != ():
            raise DoubleRuleError("VmssVpnGatewayPublicIpsMustHaveZonesConfigured", "An AZ gateway "
                                  "SKU needs a zonal or zone-redundant Standard public IP in a "
                                  "region with availability zones (double's rule).")


IKE_ENCRYPTION = {"DES", "DES3", "AES128", "AES192", "AES256", "GCMAES128", "GCMAES256"}
IKE_INTEGRITY = {"MD5", "SHA1", "SHA256", "SHA384", "GCMAES128", "GCMAES256"}
IPSEC_ENCRYPTION = {"None", "DES", "DES3", "AES128", "AES192", "AES256", "GCMAES128", "GCMAES192", "GCMAES256"}
IPSEC_INTEGRITY = {"MD5", "SHA1", "SHA256", "GCMAES128", "GCMAES192", "GCMAES256"}
DH_GROUPS = {"None", "DHGroup1", "DHGroup2", "DHGroup14", "DHGroup2048", "ECP256", "ECP384", "DHGroup24"}
PFS_GROUPS = {"None", "PFS1", "PFS2", "PFS2048", "ECP256", "ECP384", "PFS24", "PFS14", "PFSMM"}
POLICY_FIELDS = {"saLifeTimeSeconds": None, "saDataSizeKilobytes": None, "ipsecEncryption": IPSEC_ENCRYPTION,
                 "ipsecIntegrity": IPSEC_INTEGRITY, "ikeEncryption": IKE_ENCRYPTION,
                 "ikeIntegrity": IKE_INTEGRITY, "dhGroup": DH_GROUPS, "pfsGroup": PFS_GROUPS}


class LocalNetworkGateway(Spec):
    type = "Microsoft.Network/localNetworkGateways"
    label = "Local network gateway"
    in_use_code = "LocalNetworkGatewayInUse"

    def fill(self, arm, res, props, old, current):
        if not props.get("gatewayIpAddress") and not props.get("fqdn"):
            raise DoubleRuleError("InvalidRequestFormat", "gatewayIpAddress or fqdn is required")
        for value in (props.get("localNetworkAddressSpace") or {}).get("addressPrefixes") or []:
            _network(value, "Local network address prefix")
        props.setdefault("localNetworkAddressSpace", {"addressPrefixes": []})
        bgp = props.get("bgpSettings")
        if bgp:
            asn = bgp.get("asn")
            if not isinstance(asn, int) or not 1 <= asn <= 4294967294 or asn in BGP_RESERVED_ASNS:
                raise DoubleRuleError("InvalidBgpAsn", "The peer's ASN %r is reserved by Azure or out of "
                                      "range (double's rule, after the VPN Gateway BGP FAQ)." % asn)
            try:
                ipaddress.ip_address(bgp.get("bgpPeeringAddress") or "")
            except ValueError:
                raise DoubleRuleError("InvalidRequestFormat", "bgpPeeringAddress %r is not an IP address"
                                      % bgp.get("bgpPeeringAddress")) from None
            bgp.setdefault("peerWeight", 0)


class Connection(Spec):
    type = "Microsoft.Network/connections"
    label = "Connection"
    in_use_code = "InUseConnectionCannotBeDeleted"

    def fill(self, arm, res, props, old, current):
        gateway = (props.get("virtualNetworkGateway1") or {}).get("id")
        if not gateway:
            raise DoubleRuleError("InvalidRequestFormat", "virtualNetworkGateway1 is required")
        if props.get("connectionType") not in ("IPsec", "Vnet2Vnet", "ExpressRoute", "VPNClient"):
            raise DoubleRuleError("InvalidRequestFormat", "connectionType is required")
        if props["connectionType"] == "IPsec" and not (props.get("localNetworkGateway2") or {}).get("id"):
            raise DoubleRuleError("InvalidRequestFormat", "an IPsec connection needs localNetworkGateway2")
        gw = arm.resources.get(gateway.lower())
        if gw is not None and gw["properties"]["provisioningState"] != "Succeeded":
            raise DoubleRuleError("AnotherOperationInProgress", "Another operation on this or "
                                  "dependent resource is in progress (the gateway is %s)."
                                  % gw["properties"]["provisioningState"], 409)
        dpd = props.get("dpdTimeoutSeconds", 45)
        if not isinstance(dpd, int) or not 9 <= dpd <= 3600:
            raise DoubleRuleError("InvalidDpdTimeout", "dpdTimeoutSeconds must be 9-3600, not %r" % dpd)
        for policy in props.get("ipsecPolicies") or []:
            _check_policy(policy)
        self._check_bgp(arm, props, gw)
        if props.get("usePolicyBasedTrafficSelectors") and not props.get("ipsecPolicies"):
            raise DoubleRuleError("PolicyBasedTrafficSelectorsRequireIpsecPolicy", "Policy-based "
                                  "traffic selectors need a custom IPsec policy (double's rule).")
        props.update(connectionProtocol=props.get("connectionProtocol", "IKEv2"),
                     routingWeight=props.get("routingWeight", 0), dpdTimeoutSeconds=dpd,
                     enableBgp=props.get("enableBgp", False),
                     usePolicyBasedTrafficSelectors=props.get("usePolicyBasedTrafficSelectors", False),
                     ipsecPolicies=props.get("ipsecPolicies", []),
                     trafficSelectorPolicies=props.get("trafficSelectorPolicies", []),
                     connectionMode=props.get("connectionMode", "Default"),
                     useLocalAzureIpAddress=props.get("useLocalAzureIpAddress", False),
                     gatewayCustomBgpIpAddresses=props.get("gatewayCustomBgpIpAddresses", []),
                     expressRouteGatewayBypass=False, enablePrivateLinkFastPath=False,
                     ingressNatRules=[], egressNatRules=[],
                     connectionStatus=old.get("connectionStatus", "Unknown"),
                     ingressBytesTransferred=old.get("ingressBytesTransferred", 0),
                     egressBytesTransferred=old.get("egressBytesTransferred", 0))
        # Azure makes up a key when none is given, and returns the key on GET (the reason the
        # collection never returns a connection as read).
        props["sharedKey"] = props.get("sharedKey") or old.get("sharedKey") or uuid.uuid4().hex

    @staticmethod
    def _check_bgp(arm, props, gw):
        """BGP on a connection, as Azure refuses it: BGP on both gateways; custom addresses, if
        any, one per instance, each one of that instance's."""
        custom = props.get("gatewayCustomBgpIpAddresses") or []
        if not props.get("enableBgp"):
            return
        lng = arm.resources.get(((props.get("localNetworkGateway2") or {}).get("id") or "").lower())
        peer = ((lng or {}).get("properties") or {}).get("bgpSettings") or {}
        if gw is not None and not gw["properties"].get("enableBgp"):
            raise DoubleRuleError("BgpNotEnabledOnVirtualNetworkGateway", "BGP is not enabled on gateway %s "
                                  "(double's rule)." % gw["name"])
        if lng is not None and not peer.get("asn"):
            raise DoubleRuleError("BgpSettingsNotSpecifiedForLocalNetworkGateway", "Local network gateway %s "
                                  "has no BGP settings (double's rule)." % lng["name"])
        if gw is None:
            return
        configs = {e["ipconfigurationId"].lower(): e for e in gw["properties"]["bgpSettings"]["bgpPeeringAddresses"]}
        # Azure accepts a connection without custom addresses (each instance then speaks from its
        # first custom address, Microsoft's AWS-BGP guide); with some, one per instance.
        if custom and len(custom) != len(configs):
            raise DoubleRuleError("InvalidGatewayCustomBgpIpAddress", "The connection names %d custom BGP "
                                  "address(es) for the gateway's %d instance(s) (double's rule)."
                                  % (len(custom), len(configs)))
        for entry in custom:
            found = configs.get((entry.get("ipConfigurationId") or "").lower())
            if found is None or entry.get("customBgpIpAddress") not in found["customBgpIpAddresses"]:
                raise DoubleRuleError("InvalidGatewayCustomBgpIpAddress", "%s is not a custom BGP address of "
                                      "ipConfiguration %s of gateway %s (double's rule)." % (
                                          entry.get("customBgpIpAddress"), entry.get("ipConfigurationId"), gw["name"]))

    def locks(self, arm, body):
        gateway = ((body.get("properties") or {}).get("virtualNetworkGateway1") or {}).get("id")
        return (gateway,) if gateway else ()

    def delay(self, arm, current, stored):
        return arm.config["connection_delay"]

    def delete_delay(self, arm, res):
        return arm.config["connection_delay"]


def _check_policy(policy):
    missing = [k for k in POLICY_FIELDS if policy.get(k) in (None, "")]
    if missing:
        raise DoubleRuleError("InvalidRequestFormat", "An IPsec policy needs every field; missing: %s"
                              % ", ".join(missing))
    for key, allowed in POLICY_FIELDS.items():
        if allowed is not None and policy[key] not in allowed:
            raise DoubleRuleError("InvalidRequestFormat", "IPsec policy %s=%r is not one of %s"
                                  % (key, policy[key], ", ".join(sorted(allowed))))
    if not 300 <= int(policy["saLifeTimeSeconds"]) <= 172799:
        raise DoubleRuleError("InvalidRequestFormat", "saLifeTimeSeconds must be 300-172799")
    if int(policy["saDataSizeKilobytes"]) < 1024:
        raise DoubleRuleError("InvalidRequestFormat", "saDataSizeKilobytes must be 1024 or more (0 is not "
                              "'unlimited'; Azure's minimum is 1024 KB)")
    gcm = [policy[k] for k in ("ipsecEncryption", "ipsecIntegrity") if str(policy[k]).startswith("GCMAES")]
    if gcm and (len(gcm) != 2 or gcm[0] != gcm[1]):
        raise DoubleRuleError("InvalidRequestFormat", "With GCMAES, ipsecEncryption and ipsecIntegrity must be "
                              "the same GCMAES algorithm (ipsecEncryption=%s, ipsecIntegrity=%s)"
                              % (policy["ipsecEncryption"], policy["ipsecIntegrity"]))


def _shared_key(arm, res, method, body, query):
    if method == "GET":
        return 200, {}, {"id": res["id"] + "/sharedkey", "value": res["properties"]["sharedKey"]}
    if method == "PUT":
        res["properties"]["sharedKey"] = (body or {}).get("value")
        return 200, {}, {"id": res["id"] + "/sharedkey", "value": res["properties"]["sharedKey"]}
    raise DoubleRuleError("MethodNotAllowed", "GET or PUT", 405)


Connection.actions = {"sharedkey": _shared_key}


def _gateway_peers(arm, gateway):
    """The gateway's BGP peers: the local network gateways' BGP addresses of its BGP
    connections. What a peer's session does is the data plane's (Arm.set_bgp); until it says,
    a peer of a Connected connection is Connecting, any other Unknown."""
    seen = arm.bgp.get(gateway["id"].lower(), {}).get("peers", {})
    peers = []
    for conn in arm._of_type(Connection.type):  # pylint: disable=protected-access
        props = conn["properties"]
        if not props.get("enableBgp") or (props.get("virtualNetworkGateway1") or {}).get("id", "").lower() != gateway["id"].lower():
            continue
        lgw = arm.resources.get((props.get("localNetworkGateway2") or {}).get("id", "").lower())
        neighbor = ((lgw or {}).get("properties", {}).get("bgpSettings") or {}).get("bgpPeeringAddress")
        if not neighbor:
            continue
        found = seen.get(neighbor) or {"state": "Connecting" if props.get("connectionStatus") == "Connected" else "Unknown",
                                       "routesReceived": 0}
        peers.append({"localAddress": _local_address(gateway, neighbor), "neighbor": neighbor,
                      "asn": lgw["properties"]["bgpSettings"].get("asn"), "state": found.get("state"),
                      "connectedDuration": "00:00:00" if found.get("state") != "Connected" else "00:05:00",
                      "routesReceived": int(found.get("routesReceived") or 0), "messagesSent": 0, "messagesReceived": 0})
    return peers


def _local_address(gateway, neighbor):
    """The instance's address a peer talks to: the custom APIPA address in the peer's /30, else
    the first instance's default BGP address."""
    entries = gateway["properties"].get("bgpSettings", {}).get("bgpPeeringAddresses") or []
    for entry in entries if neighbor else ():
        for address in entry.get("customBgpIpAddresses") or []:
            if ipaddress.ip_network(address + "/30", strict=False) == ipaddress.ip_network(neighbor + "/30", strict=False):
                return address
    return next(iter(entries[0].get("defaultBgpIpAddresses") or [None])) if entries else None


def _gateway_action(name):
    def answer(arm, res, method, body, query):
        if method != "POST":
            raise DoubleRuleError("MethodNotAllowed", "POST", 405)
        if not res["properties"].get("enableBgp"):
            return 200, {}, {"value": []}
        if name == "peers":
            return 200, {}, {"value": _gateway_peers(arm, res)}
        learned = [{"localAddress": _local_address(res, r.get("sourcePeer")) if r.get("sourcePeer") else None,
                    "network": r["network"], "nextHop": r.get("sourcePeer"), "sourcePeer": r.get("sourcePeer"),
                    "origin": r.get("origin", "EBgp"), "asPath": r.get("asPath", ""), "weight": 32768}
                   for r in arm.bgp.get(res["id"].lower(), {}).get("routes", [])]
        # The VNet's own prefixes, which every instance originates (origin Network).
        vnet_id = res["properties"]["ipConfigurations"][0]["properties"]["subnet"]["id"].lower().rsplit("/subnets/", 1)[0]
        vnet = arm.resources.get(vnet_id)
        for prefix in _prefix_list(vnet["properties"].get("addressSpace") or {}) if vnet else []:
            learned.append({"localAddress": _local_address(res, ""), "network": prefix, "nextHop": None,
                            "sourcePeer": _local_address(res, ""), "origin": "Network", "asPath": "", "weight": 32768})
        return 200, {}, {"value": learned}
    return answer


VirtualNetworkGateway.actions = {"getbgppeerstatus": _gateway_action("peers"),
                                 "getlearnedroutes": _gateway_action("routes")}


DEFAULT_RULES = (("AllowVnetInBound", 65000, "Inbound", "Allow", "VirtualNetwork", "VirtualNetwork"),
                 ("AllowAzureLoadBalancerInBound", 65001, "Inbound", "Allow", "AzureLoadBalancer", "*"),
                 ("DenyAllInBound", 65500, "Inbound", "Deny", "*", "*"),
                 ("AllowVnetOutBound", 65000, "Outbound", "Allow", "VirtualNetwork", "VirtualNetwork"),
                 ("AllowInternetOutBound", 65001, "Outbound", "Allow", "*", "Internet"),
                 ("DenyAllOutBound", 65500, "Outbound", "Deny", "*", "*"))


class SecurityGroup(Spec):
    type = "Microsoft.Network/networkSecurityGroups"
    label = "Network security group"
    in_use_code = "InUseNetworkSecurityGroupCannotBeDeleted"

    def fill(self, arm, res, props, old, current):
        seen = set()
        for rule in props.get("securityRules") or []:
            rprops = rule.setdefault("properties", {})
            key = (rprops.get("direction"), rprops.get("priority"))
            if not isinstance(rprops.get("priority"), int) or not 100 <= rprops["priority"] <= 4096:
                raise DoubleRuleError("SecurityRuleInvalidPriority", "Rule %s: priority must be "
                                      "100-4096" % rule.get("name"))
            if key in seen:
                raise DoubleRuleError("SecurityRuleConflict", "Rules %s share priority %s" % (rule.get("name"), key))
            seen.add(key)
            for field in ("protocol", "access", "direction"):
                if not rprops.get(field):
                    raise DoubleRuleError("InvalidRequestFormat", "Rule %s needs %s" % (rule.get("name"), field))
            rule.update(id=sub_id(res["id"], "securityRules", rule["name"]), etag=res["etag"],
                        type="Microsoft.Network/networkSecurityGroups/securityRules")
            rprops["provisioningState"] = "Succeeded"
        props.setdefault("securityRules", [])
        props["defaultSecurityRules"] = [
            {"id": sub_id(res["id"], "defaultSecurityRules", name), "name": name, "etag": res["etag"],
             "type": "Microsoft.Network/networkSecurityGroups/defaultSecurityRules",
             "properties": {"provisioningState": "Succeeded", "priority": prio, "direction": direction,
                            "access": access, "protocol": "*", "sourcePortRange": "*",
                            "destinationPortRange": "*", "sourceAddressPrefix": src,
                            "destinationAddressPrefix": dst, "sourceAddressPrefixes": [],
                            "destinationAddressPrefixes": [], "sourcePortRanges": [],
                            "destinationPortRanges": [], "description": name}}
            for name, prio, direction, access, src, dst in DEFAULT_RULES]

    def render(self, arm, res, expand):
        out = copy.deepcopy(res)
        for field, rtype in (("networkInterfaces", "Microsoft.Network/networkInterfaces"),
                             ("subnets", "Microsoft.Network/virtualNetworks/subnets")):
            users = [{"id": r["id"]} for r in arm.resources.values() if r["type"] == rtype and
                     ((r["properties"].get("networkSecurityGroup") or {}).get("id", "").lower()
                      == res["id"].lower())]
            if users:
                out["properties"][field] = users
        return out


class NetworkInterface(Spec):
    type = "Microsoft.Network/networkInterfaces"
    label = "Network interface"
    in_use_code = "NicInUse"

    def fill(self, arm, res, props, old, current):
        configs = props.get("ipConfigurations") or []
        if not configs:
            raise DoubleRuleError("InvalidRequestFormat", "ipConfigurations is required")
        for index, conf in enumerate(configs):
            conf["id"] = sub_id(res["id"], "ipConfigurations", conf.get("name") or "ipconfig1")
            conf["name"] = conf["id"].split("/")[-1]
            conf["etag"] = res["etag"]
            conf["type"] = "Microsoft.Network/networkInterfaces/ipConfigurations"
            cprops = conf.setdefault("properties", {})
            cprops.update(provisioningState="Succeeded", primary=cprops.get("primary", index == 0),
                          privateIPAddressVersion=cprops.get("privateIPAddressVersion", "IPv4"))
            self._address(arm, res, cprops)
        props.update(enableAcceleratedNetworking=props.get("enableAcceleratedNetworking", False),
                     enableIPForwarding=props.get("enableIPForwarding", False),
                     disableTcpStateTracking=False, nicType="Standard", auxiliaryMode="None",
                     vnetEncryptionSupported=False, dnsSettings=props.get("dnsSettings") or
                     {"dnsServers": [], "appliedDnsServers": []})
        props["dnsSettings"].setdefault("internalDomainNameSuffix",
                                        "%s.ax.internal.cloudapp.net" % uuid.uuid4().hex[:16])
        props.pop("virtualMachine", None)
        props.pop("macAddress", None)

    @staticmethod
    def _address(arm, res, cprops):
        subnet = arm.resources.get(((cprops.get("subnet") or {}).get("id") or "").lower())
        if subnet is None:
            raise DoubleRuleError("InvalidResourceReference", "Subnet %s of NIC %s was not found."
                                  % ((cprops.get("subnet") or {}).get("id"), res["name"]))
        net = _network(_prefix_list(subnet["properties"])[0], "")
        taken = {c["properties"].get("privateIPAddress") for r in arm.resources.values()
                 if r["type"] == "Microsoft.Network/networkInterfaces" and r["id"] != res["id"]
                 for c in r["properties"].get("ipConfigurations") or []}
        usable = list(net.hosts())[3:]
        if cprops.get("privateIPAllocationMethod", "Dynamic") == "Static":
            addr = ipaddress.ip_address(cprops.get("privateIPAddress") or "0.0.0.0")
            if addr not in usable:
                raise DoubleRuleError("PrivateIPAddressNotInSubnet" if addr not in net else
                                      "PrivateIPAddressIsReserved", "Private IP %s is not a usable "
                                      "address of subnet %s." % (addr, net))
            if str(addr) in taken:
                raise DoubleRuleError("PrivateIPAddressInUse", "IP configuration of %s uses %s, "
                                      "already in use." % (res["name"], addr))
        else:
            cprops["privateIPAllocationMethod"] = "Dynamic"
            cprops["privateIPAddress"] = next(str(a) for a in usable if str(a) not in taken)

    def render(self, arm, res, expand):
        out = copy.deepcopy(res)
        for vm in arm.resources.values():
            if vm["type"] != "Microsoft.Compute/virtualMachines":
                continue
            nics = vm["properties"]["networkProfile"].get("networkInterfaces") or []
            if any(n["id"].lower() == res["id"].lower() for n in nics):
                out["properties"]["virtualMachine"] = {"id": vm["id"]}
                digest = hashlib.sha256(res["id"].lower().encode()).hexdigest()[:6].upper()
                out["properties"]["macAddress"] = "00-0D-3A-%s-%s-%s" % (digest[0:2], digest[2:4], digest[4:6])
                out["properties"]["primary"] = True
        return out


IMAGES = {
    ("canonical", "ubuntu-24_04-lts", "server"): ("V2", ["24.04.202509090", "24.04.202510010"]),
    ("canonical", "ubuntu-24_04-lts", "server-gen1"): ("V1", ["24.04.202509090", "24.04.202510010"]),
    ("canonical", "ubuntu-24_04-lts", "server-arm64"): ("V2", ["24.04.202510010"]),
}


VM_SIZES = [{"name": name, "numberOfCores": cores, "memoryInMB": memory, "maxDataDiskCount": disks,
             "osDiskSizeInMB": 1047552, "resourceDiskSizeInMB": 0}
            for name, cores, memory, disks in (("Standard_B1s", 1, 1024, 2), ("Standard_B1ms", 1, 2048, 2),
                                               ("Standard_B2s", 2, 4096, 4), ("Standard_B2ats_v2", 2, 1024, 4),
                                               ("Standard_B2s_v2", 2, 8192, 4), ("Standard_D2s_v5", 2, 8192, 4))]


def image_lookup(subscription, loc, rest):
    """publishers/{p}/artifacttypes/vmimage/offers/{o}/skus/{s}/versions[/{v}]."""
    low = [p.lower() for p in rest]
    base = "/Subscriptions/%s/Providers/Microsoft.Compute/Locations/%s/Publishers/%s/ArtifactTypes/VMImage" % (
        subscription, location(loc), rest[0])
    if len(low) == 3 and low[1:] == ["artifacttypes", "vmimage"]:
        return []
    offers = sorted({o for (p, o, _s) in IMAGES if p == low[0]})
    if len(low) == 4:
        return [{"name": o, "location": location(loc), "id": "%s/Offers/%s" % (base, o)} for o in offers]
    skus = sorted({s for (p, o, s) in IMAGES if p == low[0] and o == low[4]})
    if len(low) == 6:
        return [{"name": s, "location": location(loc), "id": "%s/Offers/%s/Skus/%s" % (base, rest[4], s)}
                for s in skus]
    entry = IMAGES.get((low[0], low[4], low[6]))
    if entry is None:
        raise DoubleRuleError("ArtifactNotFound", "Artifact: VMImage was not found (test double "
                              "knows %s)." % ", ".join(":".join(k) for k in IMAGES), 404)
    generation, versions = entry
    vbase = "%s/Offers/%s/Skus/%s/Versions" % (base, rest[4], rest[6])
    if len(low) == 8:
        return [{"name": v, "location": location(loc), "id": "%s/%s" % (vbase, v)} for v in versions]
    if len(low) == 9 and rest[8] in versions:
        return {"name": rest[8], "location": location(loc), "id": "%s/%s" % (vbase, rest[8]),
                "properties": {"hyperVGeneration": generation, "architecture": "x64",
                               "osDiskImage": {"operatingSystem": "Linux", "sizeInGb": 30},
                               "dataDiskImages": [], "automaticOSUpgradeProperties":
                               {"automaticOSUpgradeSupported": True},
                               "imageDeprecationStatus": {"imageState": "Active"}}}
    raise DoubleRuleError("ArtifactNotFound", "Artifact: VMImage was not found.", 404)


def _resolve_image(ref, loc):
    key = tuple(str(ref.get(k, "")).lower() for k in ("publisher", "offer", "sku"))
    entry = IMAGES.get(key)
    if entry is None:
        raise DoubleRuleError("PlatformImageNotFound", "The platform image '%s:%s:%s:%s' is not "
                              "available. Verify that all fields in the storage profile are correct "
                              "(test double knows %s)." % (ref.get("publisher"), ref.get("offer"),
                                                           ref.get("sku"), ref.get("version"),
                                                           ", ".join(":".join(k) for k in IMAGES)), 404)
    version = ref.get("version") or "latest"
    versions = entry[1]
    if version != "latest" and version not in versions:
        raise DoubleRuleError("PlatformImageNotFound", "Image version %s not found" % version, 404)
    return versions[-1] if version == "latest" else version


class VirtualMachine(Spec):
    type = "Microsoft.Compute/virtualMachines"
    label = "Virtual machine"
    in_use_code = "OperationNotAllowed"
    resource_guid = False
    compute = True

    def fill(self, arm, res, props, old, current):
        if not (props.get("hardwareProfile") or {}).get("vmSize"):
            raise DoubleRuleError("InvalidParameter", "hardwareProfile.vmSize is required")
        storage = props.setdefault("storageProfile", {})
        ref = storage.get("imageReference") or {}
        if current:
            storage["imageReference"] = old["storageProfile"]["imageReference"]
            storage["osDisk"] = old["storageProfile"]["osDisk"]
        else:
            ref["exactVersion"] = _resolve_image(ref, res["location"])
            self._os_disk(arm, res, storage)
        storage.setdefault("dataDisks", [])
        storage.setdefault("diskControllerType", "SCSI")
        osp = props.setdefault("osProfile", {})
        if not current and not osp.get("adminUsername"):
            raise DoubleRuleError("InvalidParameter", "osProfile.adminUsername is required")
        osp.pop("adminPassword", None)
        osp.setdefault("computerName", res["name"])
        osp.setdefault("secrets", [])
        osp.setdefault("allowExtensionOperations", True)
        osp.setdefault("requireGuestProvisionSignal", True)
        for nic in (props.get("networkProfile") or {}).get("networkInterfaces") or []:
            self._check_nic(arm, res, nic)
        props["vmId"] = old.get("vmId") or str(uuid.uuid4())
        props["timeCreated"] = old.get("timeCreated") or time.strftime("%Y-%m-%dT%H:%M:%S.0000000+00:00")
        res["properties"] = props

    @staticmethod
    def _os_disk(arm, res, storage):
        disk = storage.setdefault("osDisk", {})
        disk.setdefault("name", "%s_OsDisk_1_%s" % (res["name"], uuid.uuid4().hex))
        disk.update(osType="Linux", createOption=disk.get("createOption", "FromImage"),
                    caching=disk.get("caching", "ReadWrite"), diskSizeGB=disk.get("diskSizeGB", 30),
                    deleteOption=disk.get("deleteOption", "Detach"))
        managed = disk.setdefault("managedDisk", {})
        managed.setdefault("storageAccountType", "Premium_LRS")
        managed["id"] = "%s/providers/Microsoft.Compute/disks/%s" % (res["id"].split("/providers/")[0], disk["name"])
        # The OS disk is a resource of its own and, as in Azure, does not get the VM's tags.
        arm.resources[managed["id"].lower()] = {
            "id": managed["id"], "name": disk["name"], "type": "Microsoft.Compute/disks",
            "location": res["location"], "sku": {"name": managed["storageAccountType"], "tier": "Premium"},
            "managedBy": res["id"], "zones": res.get("zones"),
            "properties": {"osType": "Linux", "diskSizeGB": disk["diskSizeGB"], "diskState": "Attached",
                           "provisioningState": "Succeeded", "uniqueId": str(uuid.uuid4()),
                           "creationData": {"createOption": "FromImage"}}}

    @staticmethod
    def _check_nic(arm, res, nic):
        for vm in arm.resources.values():
            if vm["type"] != "Microsoft.Compute/virtualMachines" or vm["id"] == res["id"]:
                continue
            if any(n["id"].lower() == nic["id"].lower() for n in vm["properties"]["networkProfile"]["networkInterfaces"]):
                raise DoubleRuleError("NicInUse", "Network interface %s is used by VM %s." % (nic["id"], vm["name"]))

    def render(self, arm, res, expand):
        out = copy.deepcopy(res)
        if expand and "instanceview" in expand.lower():
            out["properties"]["instanceView"] = _instance_view(res)
        return out


def _instance_view(res):
    power = res["properties"].get("_power", "running")
    state = res["properties"]["provisioningState"]
    return {"computerName": res["properties"]["osProfile"]["computerName"], "osName": "ubuntu",
            "osVersion": "24.04", "hyperVGeneration": "V2",
            "vmAgent": {"vmAgentVersion": "2.13.1.1",
                        "statuses": [{"code": "ProvisioningState/succeeded", "level": "Info", "displayStatus": "Ready"}]},
            "statuses": [{"code": "ProvisioningState/%s" % state.lower(), "level": "Info",
                          "displayStatus": "Provisioning %s" % state.lower()},
                         {"code": "PowerState/%s" % power, "level": "Info",
                          "displayStatus": "VM %s" % power}]}


def _vm_instance_view(arm, res, method, body, query):
    return 200, {}, _instance_view(res)


def _vm_power(state):
    def act(arm, res, method, body, query):
        res["properties"]["_power"] = state
        return 200, {}, None
    return act


VirtualMachine.actions = {"instanceview": _vm_instance_view, "poweroff": _vm_power("stopped"),
                          "start": _vm_power("running"), "deallocate": _vm_power("deallocated"),
                          "restart": _vm_power("running")}


class Disk(Spec):
    type = "Microsoft.Compute/disks"
    label = "Disk"
    resource_guid = False
    compute = True


SUBNET = Subnet()
SPECS = {s.type.lower(): s for s in (VirtualNetwork(), SUBNET, PublicIp(), VirtualNetworkGateway(),
                                     LocalNetworkGateway(), Connection(), SecurityGroup(),
                                     NetworkInterface(), VirtualMachine(), Disk())}


def spec(rtype):
    return SPECS.get(rtype.lower())


def render(arm, res, expand=None):
    out = SPECS[res["type"].lower()].render(arm, res, expand) if res["type"].lower() in SPECS else copy.deepcopy(res)
    props = out.get("properties")
    if isinstance(props, dict):
        props.pop("_power", None)
    return out

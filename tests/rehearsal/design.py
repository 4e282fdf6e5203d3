# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the data plane must be, from what the clouds' APIs hold (pure).

Input: each cloud's state as its API describes it (``aws``: per region, the EC2 Describe*
answers; ``azure``: the ARM resources as GET returns them). Output: the namespaces with their
links, addresses, routes, policy rules and nftables tables; the VPN gateways (one charon each)
with their connections and secrets; the VMs (sshd, their user, key, hostname, tools). Nothing
comes from the collection's plan or state files: a route, rule or option the clouds' objects
lack is missing here too.

    ctl (the user's laptop: Ansible, the doubles) --+
                                                     inet (bridge, unreachable default)
    AWS:   instances -- VPC router/IGW (NAT, route tables) --+-- VGW (two tunnel addresses)
    Azure: VMs -- VNet router (NAT, system routes) --------+-- VPN gateway (public IP)
"""

from __future__ import annotations

import base64
import ipaddress

import yaml

from tests.rehearsal import addressing as ad
from tests.rehearsal import ipsec, security

LIVE_VPN_STATES = ("available", "modifying")
AMI_USERS = (("ubuntu", "ubuntu"), ("debian", "admin"), ("amzn", "ec2-user"))
# Tools the check needs, by the Ubuntu package that brings them; ping is in the image.
PACKAGE_TOOLS = {"mtr-tiny": ["mtr", "mtr-packet"], "mtr": ["mtr", "mtr-packet"], "iperf3": ["iperf3"]}
AZURE_GATEWAY_HOST = 4       # the first gateway instance's address in GatewaySubnet (.4)
AWS_MSS, AZURE_MSS = 1379, 1350


class Allocator:
    """Stable small numbers for keys (edge addresses, links, route tables), kept across runs
    in `state` (a dict the caller persists)."""

    def __init__(self, state=None):
        self.state = state if state is not None else {}

    def index(self, kind, key):
        table = self.state.setdefault(kind, {})
        if key not in table:
            table[key] = max(table.values(), default=0) + 1
        return table[key]


# No ICMP redirects anywhere: the internet is one bridge, and a redirect would let two edges
# talk past the internet's own forwarding (and past a cut drawn there, see faults.py).
NO_REDIRECTS = {"net.ipv4.conf.all.send_redirects": "0", "net.ipv4.conf.default.send_redirects": "0",
                "net.ipv4.conf.all.accept_redirects": "0", "net.ipv4.conf.default.accept_redirects": "0"}


def empty_ns():
    return {"forwarding": False, "links": [], "addresses": {}, "routes": [], "rules": [], "nft": {},
            "sysctls": dict(NO_REDIRECTS)}


class Plane:
    """The design being built: namespaces, gateways, VMs, and what to report back."""

    def __init__(self, lab, alloc):
        self.lab, self.alloc = lab, alloc
        self.namespaces, self.gateways, self.vms, self.speakers = {}, {}, {}, {}
        self.feedback = {"aws": [], "azure": []}
        self.problems = []

    def ns(self, *parts):
        name = ad.netns(self.lab, *parts)
        return name, self.namespaces.setdefault(name, empty_ns())

    def veth(self, ns_name, ifname, peer_ns, peer_if, peer_master=None):
        self.namespaces[ns_name]["links"].append({"ifname": ifname, "kind": "veth", "peer_netns": peer_ns,
                                                  "peer_ifname": peer_if, "peer_master": peer_master})

    def address(self, ns_name, ifname, cidr):
        self.namespaces[ns_name]["addresses"].setdefault(ifname, []).append(cidr)

    def route(self, ns_name, dst, via=None, dev=None, kind="unicast", table=254, src=None):
        self.namespaces[ns_name]["routes"].append({"dst": dst, "via": via, "dev": dev, "type": kind,
                                                   "table": table, "src": src})

    def edge(self, ns_name, key, public_ips):
        """Link `ns_name` to the internet bridge with its public addresses; returns its ifname."""
        index = self.alloc.index("edge", key)
        inet = ad.netns(self.lab, "inet")
        self.veth(ns_name, "inet0", inet, ad.ifname("p", ns_name), peer_master="br0")
        self.address(ns_name, "inet0", ad.edge_address(index))
        for ip in public_ips:
            self.address(ns_name, "inet0", "%s/32" % ip)
            self.route(inet, "%s/32" % ip, via=ad.edge_ip(index))
        self.route(ns_name, "0.0.0.0/0", via=ad.INTERNET_GATEWAY)
        return "inet0"


def base(plane):
    """The controller and the internet: the controller's address is routed to it."""
    ctl = plane.ns("ctl")[0]
    inet, inet_ns = plane.ns("inet")
    inet_ns["forwarding"] = True
    inet_ns["links"].append({"ifname": "br0", "kind": "bridge"})
    plane.address(inet, "br0", "%s/%d" % (ad.INTERNET_GATEWAY, ad.INTERNET_NET.prefixlen))
    plane.route(inet, "0.0.0.0/0", kind="unreachable")
    plane.veth(ctl, "inet0", inet, "pctl", peer_master="br0")
    plane.address(ctl, "inet0", "%s/%d" % (ad.CONTROLLER_LINK, ad.INTERNET_NET.prefixlen))
    plane.address(ctl, "inet0", ad.CONTROLLER_CIDR)
    # The laptop's traffic leaves from its public address (the one the admin rules name).
    plane.route(ctl, "0.0.0.0/0", via=ad.INTERNET_GATEWAY, dev="inet0", src=ad.CONTROLLER_IP)
    plane.route(inet, ad.CONTROLLER_CIDR, via=ad.CONTROLLER_LINK)
    return plane


# --- AWS ----------------------------------------------------------------------------------

def _tags(obj):
    return {t["Key"]: t["Value"] for t in obj.get("Tags") or []}


def _decode_user_data(value):
    if not value:
        return ""
    try:
        return base64.b64decode(value).decode("utf-8", "replace")
    except (ValueError, TypeError):
        return value


def cloud_config_packages(user_data):
    """The `packages:` of a #cloud-config document (the only part the check's tools need)."""
    if not user_data or not user_data.lstrip().startswith("#cloud-config"):
        return []
    try:
        doc = yaml.safe_load(user_data)
    except yaml.YAMLError:
        return []  # cloud-init would not run it either
    packages = doc.get("packages") if isinstance(doc, dict) else None
    # An entry may be a name or [name, version].
    return [p if isinstance(p, str) else str(p[0]) for p in packages or [] if p]


def tools_of(packages):
    found = set()
    for package in packages:
        found.update(PACKAGE_TOOLS.get(package, []))
    return sorted(found)


def _aws_user(image_name):
    low = (image_name or "").lower()
    return next((user for needle, user in AMI_USERS if needle in low), "ec2-user")


def aws_region(plane, region, st):
    vpcs = {v["VpcId"]: v for v in st.get("vpcs", [])}
    instances = [i for i in st.get("instances", []) if i.get("State", {}).get("Name") in ("pending", "running")]
    vgws = {g["VpnGatewayId"]: g for g in st.get("vpn_gateways", []) if g.get("State") != "deleted"}
    attached = {a["VpcId"]: g for g in vgws.values() for a in g.get("VpcAttachments") or []
                if a.get("State") in ("attached", "attaching")}
    for vpc_id in sorted(vpcs):
        mine = [i for i in instances if i.get("VpcId") == vpc_id]
        if mine or vpc_id in attached:
            _aws_vpc(plane, region, st, vpcs[vpc_id], mine, attached.get(vpc_id))


def _aws_vpc(plane, region, st, vpc, instances, vgw):
    router, rns = plane.ns("aws", vpc["VpcId"])
    rns["forwarding"] = True
    vpc_cidrs = [a["CidrBlock"] for a in vpc.get("CidrBlockAssociationSet") or [{"CidrBlock": vpc["CidrBlock"]}]]
    igw = next((g for g in st.get("internet_gateways", [])
                if any(a.get("VpcId") == vpc["VpcId"] for a in g.get("Attachments") or [])), None)
    publics = [(i["PublicIpAddress"], i["PrivateIpAddress"]) for i in instances if i.get("PublicIpAddress")]
    if igw:
        edge_if = plane.edge(router, "aws-vpc:" + vpc["VpcId"], [pair[0] for pair in publics])
        rns["nft"]["igw"] = security.nat_rules(edge_if, publics, vpc_cidrs)
    gw_side = _aws_vgw(plane, st, vpc, vgw, router, vpc_cidrs) if vgw else None
    subnets = {s["SubnetId"]: s for s in st.get("subnets", []) if s.get("VpcId") == vpc["VpcId"]}
    members = {}
    for inst in instances:
        for group in inst.get("SecurityGroups") or []:
            members.setdefault(group["GroupId"], []).append(inst["PrivateIpAddress"])
    groups = {g["GroupId"]: g for g in st.get("security_groups", [])}
    used = sorted({i["SubnetId"] for i in instances if i.get("SubnetId") in subnets})
    for subnet_id in used:
        _aws_subnet(plane, st, router, subnets[subnet_id], igw, vgw, gw_side)
    for inst in instances:
        if inst.get("SubnetId") in subnets:
            _aws_instance(plane, st, router, subnets[inst["SubnetId"]], inst, groups, members)


def _route_table_of(st, subnet):
    tables = [t for t in st.get("route_tables", []) if t.get("VpcId") == subnet["VpcId"]]
    for table in tables:
        if any(a.get("SubnetId") == subnet["SubnetId"] for a in table.get("Associations") or []):
            return table
    return next((t for t in tables if any(a.get("Main") for a in t.get("Associations") or [])), None)


def _aws_subnet(plane, st, router, subnet, igw, vgw, gw_side):
    bridge = ad.ifname("br", subnet["SubnetId"])
    plane.namespaces[router]["links"].append({"ifname": bridge, "kind": "bridge"})
    plane.address(router, bridge, ad.with_prefix(ad.first_host(subnet["CidrBlock"]), subnet["CidrBlock"]))
    table = _route_table_of(st, subnet)
    if table is None:
        return
    number = 1000 + plane.alloc.index("table", table["RouteTableId"])
    plane.namespaces[router]["rules"].append({"src": subnet["CidrBlock"], "iif": bridge, "table": number,
                                              "priority": 1000})
    for route in table.get("Routes") or []:
        dst, target = route.get("DestinationCidrBlock"), route.get("GatewayId") or ""
        if not dst or target == "local":
            continue
        if route.get("State") == "blackhole":
            plane.route(router, dst, kind="blackhole", table=number)
        elif target.startswith("igw-") and igw and target == igw["InternetGatewayId"]:
            plane.route(router, dst, via=ad.INTERNET_GATEWAY, dev="inet0", table=number)
        elif target.startswith("vgw-") and vgw and target == vgw["VpnGatewayId"] and gw_side:
            plane.route(router, dst, via=gw_side, table=number)
        else:
            # A target the rehearsal does not model (NAT gateway, peering, ENI): nothing gets there.
            plane.route(router, dst, kind="unreachable", table=number)
    if not any(r.get("DestinationCidrBlock") == "0.0.0.0/0" for r in table.get("Routes") or []):
        # What the route table does not route goes nowhere (not on to the router's main table).
        plane.route(router, "0.0.0.0/0", kind="unreachable", table=number)


def _aws_instance(plane, st, router, subnet, inst, groups, members):
    vm, vns = plane.ns("aws", inst["InstanceId"])
    bridge = ad.ifname("br", subnet["SubnetId"])
    plane.veth(vm, "eth0", router, ad.ifname("v", inst["InstanceId"]), peer_master=bridge)
    plane.address(vm, "eth0", ad.with_prefix(inst["PrivateIpAddress"], subnet["CidrBlock"]))
    plane.route(vm, "0.0.0.0/0", via=ad.first_host(subnet["CidrBlock"]), dev="eth0")
    mine = [groups[g["GroupId"]] for g in inst.get("SecurityGroups") or [] if g["GroupId"] in groups]
    vns["nft"]["sg"] = security.aws_rules(mine, members)
    key = next((k.get("PublicKey") for k in st.get("key_pairs", []) if k.get("KeyName") == inst.get("KeyName")), None)
    image = next((i.get("Name") for i in st.get("images", []) if i.get("ImageId") == inst.get("ImageId")), "")
    user_data = _decode_user_data(inst.get("UserData"))
    packages = cloud_config_packages(user_data)
    plane.vms[vm] = {
        "cloud": "aws", "id": inst["InstanceId"], "netns": vm,
        "hostname": "ip-" + inst["PrivateIpAddress"].replace(".", "-"),
        "user": _aws_user(image), "keys": [key] if key else [],
        "packages": packages, "tools": tools_of(packages), "user_data": bool(user_data),
        "key_name": inst.get("KeyName"), "name": _tags(inst).get("Name", inst["InstanceId"]),
    }


def gateway_namespace(plane, *parts):
    """A VPN gateway's namespace. charon's kernel-libipsec puts a default route into its TUN
    device in table 220 for every SA (whose selectors are 0.0.0.0/0 on route-based gateways);
    the main table, where the clouds' routes are, is looked up first so that 220 never is."""
    name, spec = plane.ns(*parts)
    spec["forwarding"] = True
    spec["rules"].append({"src": "0.0.0.0/0", "iif": None, "table": 254, "priority": 100})
    return name, spec


def _aws_vgw(plane, st, vpc, vgw, router, vpc_cidrs):
    """The VGW's namespace and its tunnel endpoints; returns the router's next hop to it."""
    cgws = {c["CustomerGatewayId"]: c for c in st.get("customer_gateways", [])}
    conns = [c for c in st.get("vpn_connections", []) if c.get("VpnGatewayId") == vgw["VpnGatewayId"]
             and c.get("State") in LIVE_VPN_STATES]
    router_side, gw_side = ad.link_pair(plane.alloc.index("link", vgw["VpnGatewayId"]) - 1)
    gw, gns = gateway_namespace(plane, "aws", vgw["VpnGatewayId"])
    plane.veth(router, "vgw0", gw, "vpc0")
    plane.address(router, "vgw0", router_side)
    plane.address(gw, "vpc0", gw_side)
    for cidr in vpc_cidrs:
        plane.route(gw, cidr, via=router_side.split("/")[0])
    outside, conf, secrets, routes, bgp_peers = [], {}, [], [], {}
    # The VGW's BGP speaker (AWS's side of every dynamic connection): its ASN is the VGW's, it
    # announces the VPC's prefixes, and what it learns the VPC's route tables get by propagation.
    speaker = {"netns": gw, "side": "aws", "asn": _asn(vgw.get("AmazonSideAsn")), "neighbors": [],
               "networks": list(vpc_cidrs), "addresses": []}
    for conn in conns:
        cgw = cgws.get(conn.get("CustomerGatewayId"))
        tunnels = ((conn.get("Options") or {}).get("TunnelOptions")) or []
        if cgw is None or not tunnels:
            plane.problems.append("%s: no customer gateway or no tunnel options" % conn["VpnConnectionId"])
            continue
        opts = conn.get("Options") or {}
        local_ts = opts.get("RemoteIpv4NetworkCidr") or ipsec.ANY
        remote_ts = opts.get("LocalIpv4NetworkCidr") or ipsec.ANY
        dynamic = not opts.get("StaticRoutesOnly")
        report = []
        for number, tunnel in enumerate(tunnels, 1):
            name = "%s-t%d" % (conn["VpnConnectionId"], number)
            session = _aws_session(tunnel) if dynamic else None
            try:
                if dynamic and session is None:
                    raise ipsec.IpsecError("a dynamic connection's tunnel without an inside CIDR")
                body, secret = ipsec.aws_endpoint(name, tunnel, cgw["IpAddress"], local_ts, remote_ts, session)
            except ipsec.IpsecError as exc:
                plane.problems.append("%s: %s" % (name, exc))
                continue
            conf[name], outside = body, outside + [tunnel["OutsideIpAddress"]]
            secrets.append(secret)
            entry = {"outside_ip_address": tunnel["OutsideIpAddress"], "conn": name}
            if session:
                own, peer = session
                entry["bgp_peer"] = peer
                bgp_peers[name] = {"peer": peer, "own": own}
                speaker["addresses"].append(own + "/32")
                speaker["neighbors"].append({"address": peer, "remote_asn": _asn(cgw.get("BgpAsn")),
                                             "source": own, "description": name})
                # The session's way to its peer: this tunnel (its own CHILD SA, see add_bgp_child).
                plane.route(gw, peer + "/32", dev="ipsec0", src=own)
            report.append(entry)
        routes += [r["DestinationCidrBlock"] for r in conn.get("Routes") or [] if r.get("State") == "available"]
        plane.feedback["aws"].append({"vpn_connection_id": conn["VpnConnectionId"], "region": None,
                                      "gateway": gw, "tunnels": report,
                                      "static": bool(opts.get("StaticRoutesOnly"))})
    plane.edge(gw, "aws-vgw:" + vgw["VpnGatewayId"], outside)
    if speaker["neighbors"]:
        _speaker(plane, gw, speaker)
    for cidr in sorted(set(routes)):
        # The VGW sends a connection's static routes into its tunnels (charon's TUN device).
        plane.route(gw, cidr, dev="ipsec0")
    gns["nft"]["mss"] = security.mss_clamp("ipsec0", AWS_MSS)
    plane.gateways[gw] = {"netns": gw, "side": "aws", "conns": conf, "secrets": secrets,
                          "tunnel_routes": sorted(set(routes)), "dpd_timeout": _aws_dpd(conns),
                          "bgp_peers": bgp_peers}
    return gw_side.split("/")[0]


def _asn(value):
    """An ASN as the APIs give it (AWS: a string), or None."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _aws_session(tunnel):
    """(the VGW's BGP address, the customer gateway's) of a dynamic connection's tunnel: the
    first and second hosts of its inside /30, as AWS assigns them; None without one."""
    try:
        net = ipaddress.ip_network(tunnel.get("TunnelInsideCidr") or "")
    except ValueError:
        return None
    return str(net.network_address + 1), str(net.network_address + 2)


def _speaker(plane, netns, speaker):
    """A BGP speaker in `netns`: its own addresses on a device of their own (bgp0: a bridge with
    no port, as this kernel may have no dummy devices), its router id the lowest of them (or the
    one given)."""
    if speaker["addresses"]:
        plane.namespaces[netns]["links"].append({"ifname": "bgp0", "kind": "bridge"})
        for cidr in speaker["addresses"]:
            plane.address(netns, "bgp0", cidr)
    if not speaker.get("router_id"):
        speaker["router_id"] = min((c.split("/")[0] for c in speaker["addresses"]), key=ipaddress.ip_address)
    if speaker["asn"] is None:
        plane.problems.append("%s: no BGP ASN" % netns)
        return
    plane.speakers[netns] = speaker


def _aws_dpd(conns):
    found = [int(t.get("DpdTimeoutSeconds") or 30) for c in conns
             for t in ((c.get("Options") or {}).get("TunnelOptions") or [])]
    return max(9, min(found)) if found else 30


def aws(plane, regions):
    for region in sorted(regions):
        before = len(plane.feedback["aws"])
        aws_region(plane, region, regions[region])
        for entry in plane.feedback["aws"][before:]:
            entry["region"] = region


# --- Azure --------------------------------------------------------------------------------

def _by_type(resources):
    found = {}
    for res in resources:
        found.setdefault(res["type"].lower(), {})[res["id"].lower()] = res
    return found


def _ref(obj, key):
    return ((obj or {}).get(key) or {}).get("id", "").lower()


def _subnet_vnet(subnet_id):
    return subnet_id.lower().split("/subnets/")[0]


def azure(plane, resources):
    res = _by_type(resources)
    vnets = res.get("microsoft.network/virtualnetworks", {})
    nics = res.get("microsoft.network/networkinterfaces", {})
    gateways = {gid: g for gid, g in res.get("microsoft.network/virtualnetworkgateways", {}).items()
                if g["properties"].get("provisioningState") == "Succeeded"}
    for vnet_id, vnet in sorted(vnets.items()):
        vnet_nics = {nid: n for nid, n in nics.items()
                     if any(_subnet_vnet(_ref(c["properties"], "subnet")) == vnet_id
                            for c in n["properties"].get("ipConfigurations") or [])}
        vnet_gws = {gid: g for gid, g in gateways.items()
                    if any(_subnet_vnet(_ref(c["properties"], "subnet")) == vnet_id
                           for c in g["properties"].get("ipConfigurations") or [])}
        if vnet_nics or vnet_gws:
            _azure_vnet(plane, res, vnet, vnet_nics, vnet_gws)


def _public_ip(res, pip_id):
    pip = res.get("microsoft.network/publicipaddresses", {}).get(pip_id)
    return (pip or {}).get("properties", {}).get("ipAddress")


def _connections_of(res, gw_id):
    return sorted((c for c in res.get("microsoft.network/connections", {}).values()
                   if _ref(c["properties"], "virtualNetworkGateway1") == gw_id
                   and c["properties"].get("connectionType") == "IPsec"
                   and c["properties"].get("provisioningState") == "Succeeded"), key=lambda c: c["name"])


def _azure_vnet(plane, res, vnet, nics, gws):
    router, rns = plane.ns("az", vnet["name"])
    rns["forwarding"] = True
    space = list((vnet["properties"].get("addressSpace") or {}).get("addressPrefixes") or [])
    publics = []
    for nic in nics.values():
        for conf in nic["properties"].get("ipConfigurations") or []:
            pub = _public_ip(res, _ref(conf["properties"], "publicIPAddress"))
            if pub:
                publics.append((pub, conf["properties"]["privateIPAddress"]))
    edge_if = plane.edge(router, "az-vnet:" + vnet["id"].lower(), [pair[0] for pair in publics])
    rns["nft"]["edge"] = security.nat_rules(edge_if, publics, space)
    connected = []
    for gw_id, gw in sorted(gws.items()):
        connected += _azure_gateway(plane, res, vnet, gw, router, space)
    tags = {"VirtualNetwork": space + connected}
    subnets = {s["id"].lower(): s for s in vnet["properties"].get("subnets") or []}
    for nic_id, nic in sorted(nics.items()):
        _azure_nic(plane, res, router, subnets, nic, tags)


def _azure_gateway(plane, res, vnet, gw, router, space):
    """The VPN gateway's instances (one namespace each: two when active-active) and their
    connections; returns the prefixes the gateway connects by static routes.

    Each instance has its ipConfiguration's public address and GatewaySubnet's .4, .5 (on a
    bridge of the VNet router) and brings up every connection from its own address, as Azure's
    instances do; the remote side answers the instance it knows. With BGP each instance also
    runs a speaker: one session per BGP connection from the instance's custom BGP address (the
    connection's, else the gateway's for that ipConfiguration, else its default address) to the
    local network gateway's peer address, and one to the VNet router, which learns from both
    instances what they learned (as a VNet's routes come from its gateway)."""
    props = gw["properties"]
    confs = props.get("ipConfigurations") or []
    subnet = next((s for s in vnet["properties"].get("subnets") or []
                   if confs and s["id"].lower() == _ref(confs[0]["properties"], "subnet")), None)
    if not props.get("activeActive"):
        confs = confs[:1]
    publics = [_public_ip(res, _ref(c["properties"], "publicIPAddress")) for c in confs]
    if subnet is None or not publics or not all(publics):
        plane.problems.append("%s: no GatewaySubnet or no public IP" % gw["name"])
        return []
    prefix = subnet["properties"].get("addressPrefix") or (subnet["properties"].get("addressPrefixes") or [""])[0]
    net = ipaddress.ip_network(prefix)
    router_ip = str(net.network_address + 1)
    rns = plane.namespaces[router]
    rns["links"].append({"ifname": "gws0", "kind": "bridge"})
    plane.address(router, "gws0", ad.with_prefix(router_ip, prefix))
    bgp = bool(props.get("enableBgp"))
    settings = props.get("bgpSettings") or {}
    peering = {(e.get("ipconfigurationId") or "").lower(): e for e in settings.get("bgpPeeringAddresses") or []}
    lngs = res.get("microsoft.network/localnetworkgateways", {})
    connections = [(c, lngs.get(_ref(c["properties"], "localNetworkGateway2")))
                   for c in _connections_of(res, gw["id"].lower())]
    routes, instances = [], []
    for index, (conf, public) in enumerate(zip(confs, publics)):
        gw_ip = str(net.network_address + AZURE_GATEWAY_HOST + index)
        parts = ("az", gw["name"]) if index == 0 else ("az", gw["name"], "i%d" % index)
        gname, gns = gateway_namespace(plane, *parts)
        plane.veth(gname, "vnet0", router, ad.ifname("g", gw["id"].lower(), index), peer_master="gws0")
        plane.address(gname, "vnet0", ad.with_prefix(gw_ip, prefix))
        for cidr in space:
            plane.route(gname, cidr, via=router_ip)
        custom = list((peering.get(conf.get("id", "").lower()) or {}).get("customBgpIpAddresses") or [])
        speaker = {"netns": gname, "side": "azure", "asn": _asn(settings.get("asn")), "neighbors": [],
                   "networks": list(space), "addresses": [], "router_id": gw_ip}
        conns, secrets, report, bgp_peers = {}, [], [], {}
        for conn, lng in connections:
            if lng is None:
                continue
            session = _azure_session(conn, lng, conf, custom, gw_ip) if bgp else None
            try:
                if bgp and conn["properties"].get("enableBgp") and session is None:
                    raise ipsec.IpsecError("a BGP connection whose local network gateway has no BGP peer address")
                body, secret, prefixes = ipsec.azure_endpoint(conn["name"], conn, lng, public, space, session=session)
            except ipsec.IpsecError as exc:
                plane.problems.append("%s: %s" % (conn["name"], exc))
                continue
            conns[conn["name"]], routes = body, routes + prefixes
            secrets.append(secret)
            entry = {"name": conn["name"], "conn": conn["name"], "id": conn["id"]}
            if session:
                own, peer = session
                entry["bgp_peer"] = peer
                bgp_peers[conn["name"]] = {"peer": peer, "own": own}
                if not any(n["address"] == peer for n in speaker["neighbors"]):
                    if own != gw_ip and own + "/32" not in speaker["addresses"]:
                        speaker["addresses"].append(own + "/32")
                    speaker["neighbors"].append({"address": peer, "remote_asn": _asn(lng["properties"]["bgpSettings"].get("asn")),
                                                 "source": own, "description": conn["name"]})
                    plane.route(gname, peer + "/32", dev="ipsec0", src=own)
            report.append(entry)
        plane.edge(gname, "az-gw:" + gw["id"].lower() + ("" if index == 0 else ":%d" % index), [public])
        gns["nft"]["mss"] = security.mss_clamp("ipsec0", AZURE_MSS)
        dpd = [int(c["properties"].get("dpdTimeoutSeconds") or 45) for c, _lng in connections]
        plane.gateways[gname] = {"netns": gname, "side": "azure", "conns": conns, "secrets": secrets,
                                 "tunnel_routes": [], "dpd_timeout": min(dpd) if dpd else 45,
                                 "bgp_peers": bgp_peers}
        if speaker["neighbors"]:
            speaker["neighbors"].append({"address": router_ip, "remote_asn": speaker["asn"], "source": gw_ip,
                                         "description": "vnet", "learned_only": True})
            _speaker(plane, gname, speaker)
        instances.append({"netns": gname, "address": gw_ip, "connections": report})
    routes = sorted(set(routes))
    for index, instance in enumerate(instances):
        plane.gateways[instance["netns"]]["tunnel_routes"] = routes
        for cidr in routes:
            # A route-based gateway sends the local network gateways' prefixes into its tunnels.
            plane.route(instance["netns"], cidr, dev="ipsec0")
    for cidr in routes:
        plane.route(router, cidr, via=instances[0]["address"])
    talking = [i for i in instances if i["netns"] in plane.speakers]
    if talking:
        # The VNet's routes to the other side: what the instances learned (internal BGP).
        plane.speakers[router] = {"netns": router, "side": "azure", "asn": _asn(settings.get("asn")),
                                  "router_id": router_ip, "networks": [], "addresses": [],
                                  "neighbors": [{"address": i["address"], "remote_asn": _asn(settings.get("asn")),
                                                 "source": router_ip, "description": "instance%d" % n}
                                                for n, i in enumerate(talking)]}
    plane.feedback["azure"].append({"gateway": gw["name"], "bgp": bool(talking),
                                    "instances": [{"netns": i["netns"], "connections": i["connections"]}
                                                  for i in instances]})
    return routes


def _azure_session(conn, lng, conf, custom, default):
    """(the instance's BGP address, the peer's) of a BGP connection, or None."""
    props = conn["properties"]
    peer = ((lng["properties"].get("bgpSettings") or {}).get("bgpPeeringAddress")) if props.get("enableBgp") else None
    if not peer:
        return None
    own = next((e.get("customBgpIpAddress") for e in props.get("gatewayCustomBgpIpAddresses") or []
                if (e.get("ipConfigurationId") or "").lower() == conf.get("id", "").lower()), None)
    return (own or (custom[0] if custom else default)), peer


def _azure_nic(plane, res, router, subnets, nic, tags):
    vm = next((v for v in res.get("microsoft.compute/virtualmachines", {}).values()
               if any(n["id"].lower() == nic["id"].lower()
                      for n in v["properties"].get("networkProfile", {}).get("networkInterfaces") or [])), None)
    if vm is None or vm["properties"].get("provisioningState") != "Succeeded":
        return
    conf = nic["properties"]["ipConfigurations"][0]["properties"]
    subnet = subnets.get(_ref(conf, "subnet"))
    if subnet is None:
        return
    prefix = subnet["properties"].get("addressPrefix") or (subnet["properties"].get("addressPrefixes") or [""])[0]
    bridge = ad.ifname("br", subnet["id"].lower())
    if not any(link["ifname"] == bridge for link in plane.namespaces[router]["links"]):
        plane.namespaces[router]["links"].append({"ifname": bridge, "kind": "bridge"})
        plane.address(router, bridge, ad.with_prefix(ad.first_host(prefix), prefix))
    name, vns = plane.ns("az", vm["name"])
    plane.veth(name, "eth0", router, ad.ifname("v", nic["id"].lower()), peer_master=bridge)
    plane.address(name, "eth0", ad.with_prefix(conf["privateIPAddress"], prefix))
    plane.route(name, "0.0.0.0/0", via=ad.first_host(prefix), dev="eth0")
    nsgs_ = res.get("microsoft.network/networksecuritygroups", {})
    nsgs = [nsgs_[i] for i in (_ref(subnet["properties"], "networkSecurityGroup"),
                               _ref(nic["properties"], "networkSecurityGroup")) if i in nsgs_]
    vns["nft"]["nsg"] = security.azure_rules(nsgs, tags)
    osp = vm["properties"].get("osProfile") or {}
    keys = [k.get("keyData") for k in ((osp.get("linuxConfiguration") or {}).get("ssh") or {}).get("publicKeys") or []]
    user_data = _decode_user_data(osp.get("customData") or vm["properties"].get("userData"))
    packages = cloud_config_packages(user_data)
    plane.vms[name] = {
        "cloud": "azure", "id": vm["id"], "netns": name, "hostname": osp.get("computerName") or vm["name"],
        "user": osp.get("adminUsername") or "azureuser", "keys": [k for k in keys if k],
        "packages": packages, "tools": tools_of(packages), "user_data": bool(user_data),
        "name": vm["name"],
    }


def design(lab, aws_regions, azure_resources, alloc):
    """The whole data plane: Plane (namespaces, gateways, vms, feedback, problems)."""
    plane = base(Plane(lab, alloc))
    aws(plane, aws_regions)
    azure(plane, azure_resources)
    return plane

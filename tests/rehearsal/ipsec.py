# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Each cloud's VPN endpoints as strongSwan (VICI) configuration, from that cloud's objects only.

The AWS side comes from the VPN connection as DescribeVpnConnections returns it (its tunnel
options, outside addresses, keys) and the customer gateway's address; the Azure side from a
connection resource, its local network gateway and the gateway's public address. Neither side
looks at the other cloud or at the collection's plan, so a proposal, key, address or prefix
that differs between the clouds fails IKE or traffic here as it would there. This code is the
rehearsal's own reading of the APIs, written apart from the collection's parsers
(plugins/module_utils/_aws/tunnels.py, _azure/policy.py) so that it does not share their mistakes.

Pure: no VICI, no sockets.
"""

from __future__ import annotations

from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.swan import dpd_settings

# AWS's values for options a tunnel does not set (AWS Site-to-Site VPN "tunnel options").
AWS_DEFAULTS = {
    "Phase1EncryptionAlgorithms": ["AES128", "AES256", "AES128-GCM-16", "AES256-GCM-16"],
    "Phase2EncryptionAlgorithms": ["AES128", "AES256", "AES128-GCM-16", "AES256-GCM-16"],
    "Phase1IntegrityAlgorithms": ["SHA1", "SHA2-256", "SHA2-384", "SHA2-512"],
    "Phase2IntegrityAlgorithms": ["SHA1", "SHA2-256", "SHA2-384", "SHA2-512"],
    "Phase1DHGroupNumbers": [2, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24],
    "Phase2DHGroupNumbers": [2, 5, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24],
    "Phase1LifetimeSeconds": 28800,
    "Phase2LifetimeSeconds": 3600,
    "IkeVersions": ["ikev1", "ikev2"],
    "DpdTimeoutSeconds": 30,
    "DpdTimeoutAction": "clear",
    "StartupAction": "add",
}
AWS_ENCRYPTION = {"AES128": "aes128", "AES256": "aes256", "AES128-GCM-16": "aes128gcm16",
                  "AES256-GCM-16": "aes256gcm16"}
AWS_INTEGRITY = {"SHA1": "sha1", "SHA2-256": "sha256", "SHA2-384": "sha384", "SHA2-512": "sha512"}
DH = {1: "modp768", 2: "modp1024", 5: "modp1536", 14: "modp2048", 15: "modp3072", 16: "modp4096",
      17: "modp6144", 18: "modp8192", 19: "ecp256", 20: "ecp384", 21: "ecp521",
      22: "modp1024s160", 23: "modp2048s224", 24: "modp2048s256"}
# Azure's IPsec/IKE policy vocabulary.
AZURE_ENCRYPTION = {"DES": "des", "DES3": "3des", "AES128": "aes128", "AES192": "aes192",
                    "AES256": "aes256", "GCMAES128": "aes128gcm16", "GCMAES192": "aes192gcm16",
                    "GCMAES256": "aes256gcm16", "None": "null"}
AZURE_INTEGRITY = {"MD5": "md5", "SHA1": "sha1", "SHA256": "sha256", "SHA384": "sha384",
                   "GCMAES128": None, "GCMAES192": None, "GCMAES256": None}
AZURE_DH = {"None": None, "DHGroup1": 1, "DHGroup2": 2, "DHGroup14": 14, "DHGroup2048": 14,
            "ECP256": 19, "ECP384": 20, "DHGroup24": 24}
AZURE_PFS = {"None": None, "PFS1": 1, "PFS2": 2, "PFS14": 14, "PFS2048": 14, "ECP256": 19,
             "ECP384": 20, "PFS24": 24, "PFSMM": 14}
# What an Azure VPN gateway offers without a custom policy (Microsoft's documented default sets,
# shortened to what strongSwan here has).
AZURE_DEFAULT_IKE = ["aes256-aes192-aes128-3des-sha384-sha256-sha1-modp2048s256-ecp384-ecp256-modp2048-modp1024"]
AZURE_DEFAULT_ESP = ["aes256gcm16", "aes256-sha256", "aes256-sha1", "aes128-sha1", "3des-sha1"]
# Azure's IKE SA lifetime is fixed (28,800 s); its IPsec SA lifetime is in the policy.
AZURE_IKE_LIFETIME = 28800
AZURE_DEFAULT_SA_LIFETIME = 27000
ANY = "0.0.0.0/0"
BGP_CHILD = "-bgp"


class IpsecError(ValueError):
    """An object names something the rehearsal's strongSwan cannot do (said in the status)."""


def _values(option):
    return [item["Value"] if isinstance(item, dict) else item for item in option or []]


def _names(table, values, what):
    try:
        return [table[v] for v in values]
    except KeyError as exc:
        raise IpsecError("%s %s is not supported by the rehearsal" % (what, exc.args[0])) from None


def proposals(encryption, integrity, groups, prf):
    """strongSwan proposals: one for the CBC ciphers with their integrity, one for GCM (with
    the integrity algorithms as PRF for IKE), each with every DH group given."""
    plain = [e for e in encryption if "gcm" not in e]
    aead = [e for e in encryption if "gcm" in e]
    found = []
    if plain and integrity:
        found.append("-".join(plain + integrity + groups))
    if aead:
        found.append("-".join(aead + (["prf" + i for i in integrity] if prf else []) + groups))
    if not found:
        raise IpsecError("no usable proposal (encryption %s, integrity %s)" % (encryption, integrity))
    return found


def aws_tunnel_options(tunnel):
    """A tunnel's options with AWS's defaults for those it does not set."""
    merged = dict(AWS_DEFAULTS)
    for key, value in tunnel.items():
        if value not in (None, [], ""):
            merged[key] = _values(value) if isinstance(value, list) else value
    return merged


def _version(versions):
    versions = set(versions)
    if versions == {"ikev2"}:
        return "2"
    if versions == {"ikev1"}:
        return "1"
    return "0"


def _list(selectors):
    return [selectors] if isinstance(selectors, str) else list(selectors)


def aws_endpoint(name, tunnel, cgw_ip, local_ts=ANY, remote_ts=ANY, session=None):
    """(load-conn body, secret) of one AWS tunnel endpoint, from its DescribeVpnConnections
    TunnelOptions entry (response spelling) and the customer gateway's address. The traffic
    selectors are a CIDR or a list of them; ``session`` (the VGW's BGP address, the peer's) adds
    the BGP session's CHILD SA (add_bgp_child)."""
    opt = aws_tunnel_options(tunnel)
    enc1 = _names(AWS_ENCRYPTION, opt["Phase1EncryptionAlgorithms"], "phase 1 encryption")
    int1 = _names(AWS_INTEGRITY, opt["Phase1IntegrityAlgorithms"], "phase 1 integrity")
    dh1 = _names(DH, [int(g) for g in opt["Phase1DHGroupNumbers"]], "phase 1 DH group")
    enc2 = _names(AWS_ENCRYPTION, opt["Phase2EncryptionAlgorithms"], "phase 2 encryption")
    int2 = _names(AWS_INTEGRITY, opt["Phase2IntegrityAlgorithms"], "phase 2 integrity")
    dh2 = _names(DH, [int(g) for g in opt["Phase2DHGroupNumbers"]], "phase 2 DH group")
    outside = tunnel["OutsideIpAddress"]
    dpd = dpd_settings(max(9, int(opt["DpdTimeoutSeconds"])))
    child = {
        "local_ts": _list(local_ts), "remote_ts": _list(remote_ts), "mode": "tunnel",
        # AWS requires perfect forward secrecy: the phase 2 groups are always proposed.
        "esp_proposals": proposals(enc2, int2, dh2, prf=False),
        "rekey_time": "%ds" % int(opt["Phase2LifetimeSeconds"]),
        "start_action": "start" if opt["StartupAction"] == "start" else "none",
        "dpd_action": "restart" if opt["DpdTimeoutAction"] == "restart" else "clear",
        "close_action": "none",
    }
    body = {
        "version": _version(opt["IkeVersions"]), "local_addrs": [outside], "remote_addrs": [cgw_ip],
        "encap": "yes", "mobike": "no",
        "proposals": proposals(enc1, int1, dh1, prf=True),
        "rekey_time": "%ds" % int(opt["Phase1LifetimeSeconds"]),
        "dpd_delay": "%ds" % dpd["dpd_delay"],
        "keyingtries": "1",
        "local": {"auth": "psk", "id": outside},
        "remote": {"auth": "psk", "id": cgw_ip},
        "children": {name: child},
    }
    if session:
        add_bgp_child(body, name, session)
    secret = {"id": "psk-" + name, "type": "IKE", "data": tunnel.get("PreSharedKey") or "",
              "owners": [outside, cgw_ip]}
    return body, secret


def add_bgp_child(body, name, session):
    """A tunnel that carries a BGP session gets a second CHILD SA for the session's two
    addresses (``session``: own, peer), next to the one for everything else. On the clouds each
    tunnel is its own interface (a VTI) and the session's packets take it by their route; here a
    gateway's tunnels share one TUN device and strongSwan's kernel-libipsec picks a tunnel by its
    most specific policy, so the /32 pair keeps each session on its own tunnel. (Within one CHILD
    SA strongSwan would drop a /32 that 0.0.0.0/0 already covers.) The addresses are the cloud
    objects' own: AWS's tunnel inside CIDR, Azure's custom BGP address and its local network
    gateway's peer address; if the two clouds disagree, the session finds no one."""
    child = dict(body["children"][name], local_ts=["%s/32" % session[0]], remote_ts=["%s/32" % session[1]])
    body["children"][name + BGP_CHILD] = child
    return body


def _azure_policy(policy):
    """(IKE proposals, ESP proposals, CHILD SA lifetime, life bytes) of an Azure IPsec policy."""
    enc1 = _names(AZURE_ENCRYPTION, [policy["ikeEncryption"]], "IKE encryption")
    integ = AZURE_INTEGRITY.get(policy["ikeIntegrity"], "?")
    if integ == "?":
        raise IpsecError("IKE integrity %s is not supported by the rehearsal" % policy["ikeIntegrity"])
    dh1 = AZURE_DH.get(policy["dhGroup"])
    ike = proposals(enc1, [integ] if integ else ["sha256"], [DH[dh1]] if dh1 else [], prf=True)
    enc2 = _names(AZURE_ENCRYPTION, [policy["ipsecEncryption"]], "IPsec encryption")
    int2 = AZURE_INTEGRITY.get(policy["ipsecIntegrity"], "?")
    if int2 == "?":
        raise IpsecError("IPsec integrity %s is not supported by the rehearsal" % policy["ipsecIntegrity"])
    pfs = AZURE_PFS.get(policy["pfsGroup"])
    esp = proposals(enc2, [int2] if int2 else [], [DH[pfs]] if pfs else [], prf=False)
    kilobytes = int(policy.get("saDataSizeKilobytes") or 0)
    return ike, esp, int(policy["saLifeTimeSeconds"]), kilobytes * 1024


def azure_endpoint(name, connection, local_gateway, gateway_ip, vnet_prefixes=(), session=None):
    """(load-conn body, secret, routes) of one Azure connection from its properties, its local
    network gateway's properties and the VPN gateway's public address. Routes are the local
    network gateway's prefixes (a route-based gateway sends them into the tunnels).

    ``session``: (the instance's BGP address, the peer's) of a BGP connection: the tunnel also
    carries the session, on a CHILD SA of its own (add_bgp_child)."""
    props, lng = connection["properties"], local_gateway["properties"]
    peer = lng.get("gatewayIpAddress")
    if not peer:
        raise IpsecError("local network gateway %s has no gatewayIpAddress" % local_gateway.get("name"))
    prefixes = list((lng.get("localNetworkAddressSpace") or {}).get("addressPrefixes") or [])
    policies = props.get("ipsecPolicies") or []
    if policies:
        ike, esp, life, life_bytes = _azure_policy(policies[0])
    else:
        ike, esp, life, life_bytes = AZURE_DEFAULT_IKE, AZURE_DEFAULT_ESP, AZURE_DEFAULT_SA_LIFETIME, 0
    policy_based = bool(props.get("usePolicyBasedTrafficSelectors"))
    local_ts = list(vnet_prefixes) if policy_based else [ANY]
    remote_ts = prefixes if policy_based else [ANY]
    dpd = dpd_settings(int(props.get("dpdTimeoutSeconds") or 45))
    child = {"local_ts": local_ts, "remote_ts": remote_ts, "mode": "tunnel", "esp_proposals": esp,
             "rekey_time": "%ds" % life, "start_action": "start", "dpd_action": "restart",
             "close_action": "start"}
    if life_bytes:
        child["rekey_bytes"] = str(life_bytes)
    body = {
        "version": "1" if props.get("connectionProtocol") == "IKEv1" else "2",
        "local_addrs": [gateway_ip], "remote_addrs": [peer], "encap": "yes", "mobike": "no",
        "proposals": ike, "rekey_time": "%ds" % AZURE_IKE_LIFETIME,
        "dpd_delay": "%ds" % dpd["dpd_delay"], "keyingtries": "0",
        "local": {"auth": "psk", "id": gateway_ip}, "remote": {"auth": "psk", "id": peer},
        "children": {name: child},
    }
    if session:
        add_bgp_child(body, name, session)
        # The session's CHILD SA brings the tunnel up; the data one waits for the session
        # (the rehearsal's gateways start it once the session is established).
        child.update(start_action="none", close_action="none")
    secret = {"id": "psk-" + name, "type": "IKE", "data": props.get("sharedKey") or "",
              "owners": [gateway_ip, peer]}
    return body, secret, prefixes

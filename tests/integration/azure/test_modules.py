# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's Azure modules, and the measured faults of the stock azure.azcollection
3.12.0 modules they work around, against the Azure TEST DOUBLE (real ansible-playbook runs in the
double's loopback-only namespace; the double records what would be sent to Azure).

Each fault is shown twice: the stock module doing it, then the collection's way not doing it.
"""

from __future__ import annotations

import pytest

from playbooks import fingerprint, play

from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.spec import DPD_DEFAULT_SECONDS

GROUP = "rg-modules"
LOC = "westeurope"
TAGS = {"vpnlab": "modtest", "managed_by": "multicloud.vpnlab"}
KEY1 = "First.key_for_tunnel_1"
KEY2 = "Second.key_for_tunnel_1"
POLICY = {"ike_encryption": "AES256", "ike_integrity": "SHA256", "dh_group": "DHGroup14",
          "ipsec_encryption": "AES256", "ipsec_integrity": "SHA256", "pfs_group": "PFS2048",
          "sa_life_time_seconds": 3600}


@pytest.fixture
def gateway(clients):
    """RG, VNet with GatewaySubnet, Standard zonal IP, VpnGw1AZ gateway, one local network gateway."""
    net, sub = clients["network"], clients["env"]["AZURE_SUBSCRIPTION_ID"]
    clients["resource"].resource_groups.create_or_update(GROUP, {"location": LOC, "tags": TAGS})
    net.virtual_networks.begin_create_or_update(GROUP, "vnet", {
        "location": LOC, "address_space": {"address_prefixes": ["10.1.0.0/16"]},
        "subnets": [{"name": "GatewaySubnet", "address_prefix": "10.1.0.0/27"}]}).result()
    pip = net.public_ip_addresses.begin_create_or_update(GROUP, "pip-gw", {
        "location": LOC, "sku": {"name": "Standard"}, "public_ip_allocation_method": "Static",
        "zones": ["1", "2", "3"]}).result()
    base = "/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Network" % (sub, GROUP)
    net.virtual_network_gateways.begin_create_or_update(GROUP, "gw", {
        "location": LOC, "gateway_type": "Vpn", "vpn_type": "RouteBased",
        "sku": {"name": "VpnGw1AZ", "tier": "VpnGw1AZ"}, "vpn_gateway_generation": "Generation1",
        "ip_configurations": [{"name": "default", "subnet": {"id": base + "/virtualNetworks/vnet/subnets/GatewaySubnet"},
                               "public_ip_address": {"id": pip.id}}]}).result()
    net.local_network_gateways.begin_create_or_update(GROUP, "lgw1", {
        "location": LOC, "gateway_ip_address": "203.0.113.10",
        "local_network_address_space": {"address_prefixes": ["10.2.0.0/16"]}}).result()
    clients["base"] = base
    return clients


def ours(key=KEY1, **extra):
    args = dict(resource_group=GROUP, name="con1", virtual_network_gateway="gw", local_network_gateway="lgw1",
                shared_key=key, ipsec_policy=POLICY, tags=TAGS)
    args.update(extra)
    return {"name": "ours", "multicloud.vpnlab.azure_vpn_connection": args, "no_log": False}


def stock(key=KEY1, **extra):
    base = "{{ base }}"
    args = dict(resource_group=GROUP, name="con1", connection_type="IPsec", shared_key=key,
                virtual_network_gateway1=base + "/virtualNetworkGateways/gw",
                local_network_gateway2=base + "/localNetworkGateways/lgw1")
    args.update(extra)
    return {"name": "stock", "azure.azcollection.azure_rm_virtualnetworkgatewayconnection": args}


def puts(double, suffix, since=0):
    return [r for r in double.requests()[since:] if r["method"] == "PUT" and r["path"].endswith(suffix)]


def test_stock_connection_drops_policy_based_selectors_and_always_changes(gateway):
    double, base = gateway["double"], {"base": gateway["base"]}
    first = play(double, [stock(use_policy_based_traffic_selectors=True)], base)
    again = play(double, [stock(use_policy_based_traffic_selectors=True)], base)
    assert first.rc == 0 and again.rc == 0, again.output
    assert again["stock"]["changed"] is True
    bodies = [r["body"]["properties"] for r in puts(double, "/connections/con1")]
    assert bodies and all("usePolicyBasedTrafficSelectors" not in b for b in bodies)


def test_ours_sends_every_field_and_a_rerun_changes_nothing(gateway):
    double = gateway["double"]
    first = play(double, [ours()])
    again = play(double, [ours()])
    assert first["ours"]["changed"] is True and again["ours"]["changed"] is False, again.output
    (body,) = [r["body"]["properties"] for r in puts(double, "/connections/con1")]
    assert body["usePolicyBasedTrafficSelectors"] is False
    assert body["dpdTimeoutSeconds"] == DPD_DEFAULT_SECONDS  # the module's default
    assert body["connectionProtocol"] == "IKEv2"
    assert body["ipsecPolicies"] == [{"saLifeTimeSeconds": 3600, "saDataSizeKilobytes": 102400000,
                                      "ipsecEncryption": "AES256", "ipsecIntegrity": "SHA256",
                                      "ikeEncryption": "AES256", "ikeIntegrity": "SHA256",
                                      "dhGroup": "DHGroup14", "pfsGroup": "PFS2048"}]
    assert body["sharedKey"] == fingerprint(KEY1)
    assert first["ours"]["connection"]["connection_status"] == "Unknown"


def test_stock_connection_ignores_a_new_key_and_shows_the_old_one(gateway):
    double, base = gateway["double"], {"base": gateway["base"]}
    assert play(double, [stock(KEY1)], base).rc == 0
    changed = play(double, [stock(KEY2)], base)
    assert changed["stock"]["changed"] is False
    assert len(puts(double, "/connections/con1")) == 1
    assert changed["stock"]["state"]["shared_key"] == KEY1  # in clear: Ansible masks only KEY2


def test_ours_applies_a_new_key_and_never_shows_a_key(gateway):
    double = gateway["double"]
    assert play(double, [ours(KEY1)]).rc == 0
    changed = play(double, [ours(KEY2)], verbosity=3, json_output=False)
    assert changed.rc == 0, changed.output
    assert "(hidden, changed)" in changed.output
    assert KEY1 not in changed.output and KEY2 not in changed.output
    assert [r["body"]["properties"]["sharedKey"] for r in puts(double, "/connections/con1")] == [
        fingerprint(KEY1), fingerprint(KEY2)]
    assert gateway["network"].virtual_network_gateway_connections.get_shared_key(GROUP, "con1").value == KEY2


def several(*entries, **extra):
    args = dict(resource_group=GROUP, virtual_network_gateway="gw", ipsec_policy=POLICY, tags=TAGS,
                connections=list(entries))
    args.update(extra)
    return {"name": "several", "multicloud.vpnlab.azure_vpn_connection": args, "no_log": False}


def test_ours_handles_several_connections_in_one_run_one_after_the_other(gateway):
    double, net = gateway["double"], gateway["network"]
    net.local_network_gateways.begin_create_or_update(GROUP, "lgw2", {
        "location": LOC, "gateway_ip_address": "203.0.113.11"}).result()
    con1 = {"name": "con1", "local_network_gateway": "lgw1", "shared_key": KEY1}
    con2 = {"name": "con2", "local_network_gateway": "lgw2", "shared_key": KEY2}
    first = play(double, [several(con1, con2)], verbosity=3, json_output=False)
    assert first.rc == 0, first.output
    assert KEY1 not in first.output and KEY2 not in first.output
    writes = [r for r in double.requests() if r["method"] == "PUT" and "/connections/" in r["path"]]
    # In the given order, each with its own key and local network gateway, the shared fields on both.
    assert [r["path"].rsplit("/", 1)[-1] for r in writes] == ["con1", "con2"]
    assert [r["body"]["properties"]["sharedKey"] for r in writes] == [fingerprint(KEY1), fingerprint(KEY2)]
    assert [r["body"]["properties"]["localNetworkGateway2"]["id"].rsplit("/", 1)[-1] for r in writes] == ["lgw1", "lgw2"]
    assert all(r["body"]["properties"]["ipsecPolicies"][0]["pfsGroup"] == "PFS2048" for r in writes)
    again = play(double, [several(con1, con2)])
    result = again["several"]
    assert result["changed"] is False, again.output
    assert [(c["name"], c["changed"], c["changed_fields"]) for c in result["connections"]] == [
        ("con1", False, []), ("con2", False, [])]
    assert all(c["connection"]["id"].endswith("/connections/" + c["name"]) for c in result["connections"])
    # Only the connection whose key differs is written.
    before = len(double.requests())
    changed = play(double, [several(con1, dict(con2, shared_key=KEY1))])["several"]
    assert changed["changed"] is True
    assert [(c["name"], c["changed_fields"]) for c in changed["connections"]] == [("con1", []), ("con2", ["shared_key"])]
    assert [r["path"].rsplit("/", 1)[-1] for r in double.requests()[before:] if r["method"] == "PUT"] == ["con2"]


@pytest.mark.parametrize("task, message", [
    # The complete first entry is not written either: every entry is checked first.
    (several({"name": "con1", "local_network_gateway": "lgw1", "shared_key": KEY1},
             {"name": "con2", "local_network_gateway": "lgw1"}),
     "missing for connection con2: shared_key"),
    (dict(several({"name": "con1", "local_network_gateway": "lgw1", "shared_key": KEY1}),
          **{"multicloud.vpnlab.azure_vpn_connection": dict(
              several({"name": "con1", "local_network_gateway": "lgw1", "shared_key": KEY1})
              ["multicloud.vpnlab.azure_vpn_connection"], name="con1")}),
     "mutually exclusive: connections|name"),
], ids=["entry-without-key", "name-and-connections"])
def test_several_connections_refuse_an_incomplete_entry_before_any_write(gateway, task, message):
    double = gateway["double"]
    result = play(double, [task])
    assert result.rc != 0
    assert message in result["several"]["msg"]
    assert [r for r in double.requests() if r["method"] == "PUT" and "/connections/" in r["path"]] == []


def test_check_mode_writes_nothing(gateway):
    double = gateway["double"]
    result = play(double, [ours()], check=True)
    assert result["ours"]["changed"] is True
    assert puts(double, "/connections/con1") == []


def test_stock_info_fails_on_ipsec_policies_ours_reports_status_and_bytes(gateway):
    double = gateway["double"]
    assert play(double, [ours()]).rc == 0
    double.control("connection-status", {"name": "con1", "connectionStatus": "Connected",
                                         "ingressBytesTransferred": 1234, "egressBytesTransferred": 567})
    stock_info = play(double, [{"name": "stock", "azure.azcollection.azure_rm_virtualnetworkgatewayconnection_info":
                                {"resource_group": GROUP, "name": "con1"}}])
    assert stock_info.rc != 0
    info = play(double, [{"name": "info", "multicloud.vpnlab.azure_vpn_connection_info": {
        "resource_group": GROUP,
        "tunnels": [{"name": "tunnel1", "connection": "con1", "local_network_gateway": "lgw1"},
                    {"name": "tunnel2", "connection": "con2", "local_network_gateway": "lgw2"}]}}])
    assert info.rc == 0, info.output
    assert info["info"]["tunnels"] == [
        {"name": "tunnel1", "outside_ip": "203.0.113.10", "status": "up", "bytes_in": 1234, "bytes_out": 567,
         "source": "azure:connections", "detail": "connection con1: Connected, provisioning Succeeded"},
        {"name": "tunnel2", "outside_ip": None, "status": "unknown", "bytes_in": None, "bytes_out": None,
         "source": "azure:connections", "detail": "no connection con2 in Azure"}]
    assert KEY1 not in info.output


def lgw(module, prefixes):
    if module == "stock":
        args = {"resource_group": GROUP, "name": "lgw1", "gateway_ip_address": "203.0.113.10",
                "local_network_address_space": {"address_prefixes": prefixes}}
        return {"name": "lgw", "azure.azcollection.azure_rm_localnetworkgateway": args}
    args = {"resource_group": GROUP, "name": "lgw1", "gateway_ip_address": "203.0.113.10", "address_prefixes": prefixes}
    return {"name": "lgw", "multicloud.vpnlab.azure_local_network_gateway": args}


@pytest.mark.parametrize("module, left", [("stock", ["10.2.0.0/16", "10.3.0.0/16"]), ("ours", ["10.2.0.0/16"])])
def test_a_removed_prefix_is_removed_only_by_ours(gateway, module, left):
    double = gateway["double"]
    assert play(double, [lgw(module, ["10.2.0.0/16", "10.3.0.0/16"])]).rc == 0
    assert play(double, [lgw(module, ["10.2.0.0/16"])]).rc == 0
    found = gateway["network"].local_network_gateways.get(GROUP, "lgw1")
    assert sorted(found.local_network_address_space.address_prefixes) == left


def lgws(*entries, **extra):
    args = dict(resource_group=GROUP, address_prefixes=["10.2.0.0/16"], tags=TAGS, local_network_gateways=list(entries))
    args.update(extra)
    return {"name": "lgws", "multicloud.vpnlab.azure_local_network_gateway": args}


def test_ours_handles_several_local_network_gateways_in_one_run(gateway):
    double, net = gateway["double"], gateway["network"]
    bgp = {"asn": 64512, "bgp_peering_address": "169.254.21.1"}
    task = lgws({"name": "lgw1", "gateway_ip_address": "203.0.113.10"},
                {"name": "lgw2", "gateway_ip_address": "203.0.113.11", "address_prefixes": [], "bgp": bgp})
    since = len(double.requests())
    first = play(double, [task])["lgws"]
    # lgw1 existed with the same IP and prefixes but no tags; lgw2 is new, with BGP and no prefixes.
    assert [(g["name"], g["changed"]) for g in first["local_network_gateways"]] == [("lgw1", True), ("lgw2", True)]
    assert first["local_network_gateways"][0]["changed_fields"] == ["tags"]
    assert [r["path"].rsplit("/", 1)[-1] for r in double.requests()[since:] if r["method"] == "PUT"] == ["lgw1", "lgw2"]
    two = net.local_network_gateways.get(GROUP, "lgw2")
    assert (two.gateway_ip_address, two.bgp_settings.asn, two.bgp_settings.bgp_peering_address) == (
        "203.0.113.11", 64512, "169.254.21.1")
    assert not (two.local_network_address_space and two.local_network_address_space.address_prefixes)
    again = play(double, [task])["lgws"]
    assert again["changed"] is False and [g["changed_fields"] for g in again["local_network_gateways"]] == [[], []]
    since = len(double.requests())
    refused = play(double, [lgws({"name": "lgw4", "gateway_ip_address": "203.0.113.14"}, {"name": "lgw3"})])
    assert refused.rc != 0 and "missing for local network gateway lgw3: gateway_ip_address" in refused["lgws"]["msg"]
    assert [r for r in double.requests()[since:] if r["method"] == "PUT"] == []  # not even lgw4


def gateway_task(**extra):
    args = dict(resource_group=GROUP, name="gw", sku="VpnGw1AZ", virtual_network="vnet",
                ip_configurations=[{"name": "default", "public_ip_address_name": "pip-gw"}])
    args.update(extra)
    return {"name": "gw", "azure.azcollection.azure_rm_virtualnetworkgateway": args}


@pytest.mark.parametrize("change", [{"vpn_type": "policy_based"}, {"vpn_gateway_generation": "Generation2"},
                                    {"ip_configurations": [{"name": "default", "public_ip_address_name": "other"}]}])
def test_stock_gateway_never_sends_a_changed_type_generation_or_ip(gateway, change):
    double = gateway["double"]
    mark = len(double.requests())
    result = play(double, [gateway_task(**change)])
    assert result.rc == 0 and result["gw"]["changed"] is False
    assert puts(double, "/virtualNetworkGateways/gw", since=mark) == []


def test_stock_gateway_looks_the_public_ip_up_in_the_vnets_group(gateway):
    double = gateway["double"]
    vnet = {"name": "vnet", "resource_group": "rg-elsewhere"}
    gateway["resource"].resource_groups.create_or_update("rg-elsewhere", {"location": LOC})
    gateway["network"].virtual_networks.begin_create_or_update("rg-elsewhere", "vnet", {
        "location": LOC, "address_space": {"address_prefixes": ["10.5.0.0/16"]},
        "subnets": [{"name": "GatewaySubnet", "address_prefix": "10.5.0.0/27"}]}).result()
    result = play(double, [gateway_task(name="gw2", virtual_network=vnet)])
    assert result.rc != 0
    (sent,) = puts(double, "/virtualNetworkGateways/gw2")
    pip = sent["body"]["properties"]["ipConfigurations"][0]["properties"]["publicIPAddress"]["id"]
    assert "/resourceGroups/rg-elsewhere/" in pip  # not GROUP, where pip-gw is


def test_ours_retries_while_the_gateway_is_busy(gateway):
    double, net, base = gateway["double"], gateway["network"], gateway["base"]
    # con2's creation must still be running when the play's first PUT of con1 arrives: 8 s was
    # shorter than ansible-playbook's start on a loaded CI machine (the PUT found it done).
    double.control("config", {"connection_delay": 30})
    net.local_network_gateways.begin_create_or_update(GROUP, "lgw2", {
        "location": LOC, "gateway_ip_address": "203.0.113.11"}).result()
    net.virtual_network_gateway_connections.begin_create_or_update(GROUP, "con2", {
        "location": LOC, "connection_type": "IPsec", "shared_key": KEY2,
        "virtual_network_gateway1": {"id": base + "/virtualNetworkGateways/gw"},
        "local_network_gateway2": {"id": base + "/localNetworkGateways/lgw2"}})
    result = play(double, [ours()])
    assert result.rc == 0, result.output
    codes = [r.get("error") for r in double.requests() if r["path"].endswith("/connections/con1") and r["method"] == "PUT"]
    assert codes[0] == "AnotherOperationInProgress" and codes[-1] is None


def test_ours_deletes_and_tolerates_absence(gateway):
    double = gateway["double"]
    assert play(double, [ours()]).rc == 0
    args = {"resource_group": GROUP, "name": "con1", "state": "absent"}
    task = {"name": "gone", "multicloud.vpnlab.azure_vpn_connection": args}
    assert play(double, [task])["gone"]["changed"] is True
    assert play(double, [task])["gone"]["changed"] is False

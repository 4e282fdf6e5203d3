# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Azure TEST DOUBLE itself, driven by the unmodified Azure SDK through its proxy.

These tests pin the behaviour the collection's tests rely on: only the two Azure hosts are
proxied, credentials and tokens are checked, writes are long-running operations with
Retry-After-Ms, read-only fields are filled, the double's rules refuse what Azure refuses, and
secrets reach the request log only as fingerprints. They also show the namespace's safety net:
an address the double hands out cannot be reached from inside it.
"""

from __future__ import annotations

import hashlib
import json
import socket

import pytest
import requests

from tests.azure_double.isolation import loopback_only

GROUP = "rg-double-test"
LOC = "westeurope"
TAGS = {"vpnlab": "doubletest"}


def raw(env, method, path, **kwargs):
    """A request the way the SDK makes it (proxy + CA bundle), for header-level checks."""
    session = requests.Session()
    session.trust_env = True
    return session.request(method, "https://management.azure.com" + path, timeout=10, **kwargs)


def token(env):
    form = {"client_id": env["AZURE_CLIENT_ID"], "client_secret": env["AZURE_SECRET"],
            "grant_type": "client_credentials", "scope": "https://management.azure.com/.default"}
    answer = requests.post("https://login.microsoftonline.com/%s/oauth2/v2.0/token" % env["AZURE_TENANT"],
                           data=form, timeout=10)
    answer.raise_for_status()
    return answer.json()["access_token"]


def network_base(clients, loc=LOC):
    net, res = clients["network"], clients["resource"]
    res.resource_groups.create_or_update(GROUP, {"location": loc, "tags": TAGS})
    net.virtual_networks.begin_create_or_update(GROUP, "vnet", {
        "location": loc, "address_space": {"address_prefixes": ["10.1.0.0/16"]},
        "subnets": [{"name": "internal", "address_prefix": "10.1.1.0/24"},
                    {"name": "GatewaySubnet", "address_prefix": "10.1.0.0/27"}]}).result()
    return net


def gateway(clients, pip_zones=("1", "2", "3"), sku="VpnGw1AZ", generation="Generation1", loc=LOC):
    net = network_base(clients, loc)
    sub = clients["env"]["AZURE_SUBSCRIPTION_ID"]
    pip = net.public_ip_addresses.begin_create_or_update(GROUP, "pip-gw", {
        "location": loc, "sku": {"name": "Standard"}, "public_ip_allocation_method": "Static",
        "zones": list(pip_zones)}).result()
    base = "/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Network" % (sub, GROUP)
    return net.virtual_network_gateways.begin_create_or_update(GROUP, "gw", {
        "location": loc, "gateway_type": "Vpn", "vpn_type": "RouteBased", "sku": {"name": sku, "tier": sku},
        "vpn_gateway_generation": generation,
        "ip_configurations": [{"name": "default", "subnet": {"id": base + "/virtualNetworks/vnet/subnets/GatewaySubnet"},
                               "public_ip_address": {"id": pip.id}}]}), base


def test_runs_in_a_loopback_only_namespace(clients):
    assert loopback_only()


def test_refuses_every_host_but_the_two_azure_ones(clients):
    proxy = clients["env"]["HTTPS_PROXY"]
    with pytest.raises(requests.exceptions.ProxyError):
        requests.get("https://example.com/", timeout=5, proxies={"https": proxy})
    answer = requests.get("http://example.com/", timeout=5, proxies={"http": proxy})
    assert answer.status_code == 403
    refused = [r for r in clients["double"].requests() if r.get("refused")]
    assert [(r["method"], r["host"]) for r in refused] == [("CONNECT", "example.com"), ("GET", "example.com")]


def test_addresses_handed_out_are_unreachable_from_the_namespace(clients):
    net = network_base(clients)
    pip = net.public_ip_addresses.begin_create_or_update(GROUP, "pip", {
        "location": LOC, "sku": {"name": "Standard"}, "public_ip_allocation_method": "Static"}).result()
    with pytest.raises(OSError):
        socket.create_connection((pip.ip_address, 22), timeout=2)


def test_checks_the_client_secret_and_the_bearer_token(clients):
    from azure.core.exceptions import ClientAuthenticationError
    from azure.identity import ClientSecretCredential
    from azure.mgmt.resource import ResourceManagementClient

    env = clients["env"]
    wrong = ClientSecretCredential(env["AZURE_TENANT"], env["AZURE_CLIENT_ID"], "not-the-secret")
    with pytest.raises(ClientAuthenticationError):
        list(ResourceManagementClient(wrong, env["AZURE_SUBSCRIPTION_ID"]).resource_groups.list())
    answer = raw(env, "GET", "/subscriptions/%s/resourcegroups?api-version=2021-04-01" % env["AZURE_SUBSCRIPTION_ID"])
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "InvalidAuthenticationToken"


def test_needs_an_api_version_but_accepts_any(clients):
    env = clients["env"]
    headers = {"Authorization": "Bearer " + token(env)}
    path = "/subscriptions/%s/resourcegroups" % env["AZURE_SUBSCRIPTION_ID"]
    assert raw(env, "GET", path, headers=headers).json()["error"]["code"] == "MissingApiVersionParameter"
    assert raw(env, "GET", path + "?api-version=1999-01-01", headers=headers).status_code == 200


def test_writes_are_long_running_operations_with_retry_after_ms(clients):
    env = clients["env"]
    headers = {"Authorization": "Bearer " + token(env)}
    clients["resource"].resource_groups.create_or_update(GROUP, {"location": LOC})
    path = "/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Network/localNetworkGateways/lgw" % (
        env["AZURE_SUBSCRIPTION_ID"], GROUP)
    answer = raw(env, "PUT", path + "?api-version=2024-05-01", headers=headers,
                 json={"location": LOC, "properties": {"gatewayIpAddress": "203.0.113.10"}})
    assert answer.status_code == 201
    assert "Retry-After" not in answer.headers  # a 0 here makes azure-core wait 30 s
    assert int(answer.headers["Retry-After-Ms"]) > 0
    assert answer.json()["properties"]["provisioningState"] == "Updating"
    status = raw(env, "GET", answer.headers["Azure-AsyncOperation"].split("management.azure.com")[1],
                 headers=headers).json()["status"]
    assert status in ("InProgress", "Succeeded")
    second = raw(env, "PUT", path + "?api-version=2024-05-01", headers=headers,
                 json={"location": LOC, "properties": {"gatewayIpAddress": "203.0.113.10"}})
    assert second.status_code in (200, 409)


def test_fills_read_only_fields(clients):
    poller, _base = gateway(clients)
    gw = poller.result()
    assert gw.provisioning_state == "Succeeded"
    assert gw.resource_guid and gw.etag.startswith('W/"')
    assert gw.ip_configurations[0].id.endswith("/virtualNetworkGateways/gw/ipConfigurations/default")
    assert gw.bgp_settings.asn == 65515
    pip = clients["network"].public_ip_addresses.get(GROUP, "pip-gw")
    assert pip.ip_address.startswith("198.51.100.")
    assert pip.ip_configuration.id == gw.ip_configurations[0].id
    subnet = clients["network"].subnets.get(GROUP, "vnet", "GatewaySubnet")
    assert [c.id for c in subnet.ip_configurations] == [gw.ip_configurations[0].id]


def test_gateway_stays_updating_until_its_delay_has_passed(clients):
    clients["double"].control("config", {"gateway_delay": 30})
    poller, _base = gateway(clients)
    assert clients["network"].virtual_network_gateways.get(GROUP, "gw").provisioning_state == "Updating"
    assert not poller.done()


@pytest.mark.parametrize("change, code", [
    ({"sku": "VpnGw1AZ", "generation": "Generation2"}, "VpnGatewayGenerationNotSupportedForSku"),
    ({"sku": "VpnGw1"}, "VpnGatewaySkuNotSupported"),
    ({"pip_zones": ()}, "VmssVpnGatewayPublicIpsMustHaveZonesConfigured"),
])
def test_gateway_rules(clients, change, code):
    from azure.core.exceptions import HttpResponseError

    with pytest.raises(HttpResponseError) as err:
        gateway(clients, **change)[0].result()
    assert err.value.error.code == code


@pytest.mark.parametrize("body, code", [
    ({"sku": {"name": "Basic"}, "public_ip_allocation_method": "Static"}, "BasicSkuPublicIpNotSupported"),
    ({"public_ip_allocation_method": "Static"}, "BasicSkuPublicIpNotSupported"),
    ({"sku": {"name": "Standard"}, "public_ip_allocation_method": "Dynamic"}, "StandardSkuPublicIPAddressesMustBeStatic"),
])
def test_public_ip_rules(clients, body, code):
    from azure.core.exceptions import HttpResponseError

    clients["resource"].resource_groups.create_or_update(GROUP, {"location": LOC})
    with pytest.raises(HttpResponseError) as err:
        clients["network"].public_ip_addresses.begin_create_or_update(GROUP, "pip", dict(body, location=LOC)).result()
    assert err.value.error.code == code


def connection_body(base, psk, lgw="lgw1"):
    return {"location": LOC, "connection_type": "IPsec", "shared_key": psk,
            "virtual_network_gateway1": {"id": base + "/virtualNetworkGateways/gw"},
            "local_network_gateway2": {"id": base + "/localNetworkGateways/" + lgw},
            "ipsec_policies": [{"sa_life_time_seconds": 3600, "sa_data_size_kilobytes": 102400000,
                                "ipsec_encryption": "AES256", "ipsec_integrity": "SHA256",
                                "ike_encryption": "AES256", "ike_integrity": "SHA256",
                                "dh_group": "DHGroup14", "pfs_group": "PFS2048"}]}


def test_one_connection_at_a_time_and_the_key_only_as_a_fingerprint(clients):
    from azure.core.exceptions import HttpResponseError

    clients["double"].control("config", {"connection_delay": 5})
    poller, base = gateway(clients)
    poller.result()
    net = clients["network"]
    for name in ("lgw1", "lgw2"):
        net.local_network_gateways.begin_create_or_update(GROUP, name, {
            "location": LOC, "gateway_ip_address": "203.0.113.10",
            "local_network_address_space": {"address_prefixes": ["10.2.0.0/16"]}}).result()
    psk = "Key_for.the_double_1"
    first = net.virtual_network_gateway_connections.begin_create_or_update(GROUP, "con1", connection_body(base, psk))
    with pytest.raises(HttpResponseError) as err:
        net.virtual_network_gateway_connections.begin_create_or_update(
            GROUP, "con2", connection_body(base, psk, "lgw2")).result()
    assert err.value.error.code == "AnotherOperationInProgress"
    first.result()
    assert net.virtual_network_gateway_connections.get_shared_key(GROUP, "con1").value == psk
    log = json.dumps(clients["double"].requests())
    assert psk not in log
    assert "<redacted sha256:%s>" % hashlib.sha256(psk.encode()).hexdigest()[:16] in log
    assert clients["env"]["AZURE_SECRET"] not in log


def test_ipsec_policy_needs_every_field(clients):
    from azure.core.exceptions import HttpResponseError

    poller, base = gateway(clients)
    poller.result()
    net = clients["network"]
    net.local_network_gateways.begin_create_or_update(GROUP, "lgw1", {
        "location": LOC, "gateway_ip_address": "203.0.113.10"}).result()
    body = connection_body(base, "Key_for.the_double_1")
    del body["ipsec_policies"][0]["pfs_group"]
    with pytest.raises(HttpResponseError) as err:
        net.virtual_network_gateway_connections.begin_create_or_update(GROUP, "con1", body).result()
    assert "pfsGroup" in err.value.error.message


def test_referenced_resources_cannot_be_deleted_but_the_group_takes_all(clients):
    from azure.core.exceptions import HttpResponseError

    poller, _base = gateway(clients)
    poller.result()
    net, res = clients["network"], clients["resource"]
    with pytest.raises(HttpResponseError) as err:
        net.public_ip_addresses.begin_delete(GROUP, "pip-gw").result()
    assert err.value.error.code == "PublicIPAddressInUse"
    assert [g.name for g in res.resource_groups.list(filter="tagName eq 'vpnlab' and tagValue eq 'doubletest'")] == [GROUP]
    res.resource_groups.begin_delete(GROUP).result()
    assert not res.resource_groups.check_existence(GROUP)
    assert clients["double"].control("resources") == []


def test_lists_resources_by_tag(clients):
    net = network_base(clients)
    net.public_ip_addresses.begin_create_or_update(GROUP, "tagged", {
        "location": LOC, "sku": {"name": "Standard"}, "public_ip_allocation_method": "Static",
        "tags": TAGS}).result()
    net.public_ip_addresses.begin_create_or_update(GROUP, "untagged", {
        "location": LOC, "sku": {"name": "Standard"}, "public_ip_allocation_method": "Static"}).result()
    found = clients["resource"].resources.list(filter="tagName eq 'vpnlab' and tagValue eq 'doubletest'")
    assert [r.name for r in found] == ["tagged"]


def test_vm_gets_its_image_os_disk_and_instance_view(clients):
    net = network_base(clients)
    sub = net.subnets.get(GROUP, "vnet", "internal")
    nic = net.network_interfaces.begin_create_or_update(GROUP, "nic", {
        "location": LOC, "ip_configurations": [{"name": "ipconfig1", "subnet": {"id": sub.id},
                                                "private_ip_allocation_method": "Static",
                                                "private_ip_address": "10.1.1.10"}]}).result()
    compute = clients["compute"]
    vm = compute.virtual_machines.begin_create_or_update(GROUP, "vm", {
        "location": LOC, "hardware_profile": {"vm_size": "Standard_B1s"},
        "storage_profile": {"image_reference": {"publisher": "Canonical", "offer": "ubuntu-24_04-lts",
                                                "sku": "server", "version": "latest"}},
        "os_profile": {"computer_name": "vm", "admin_username": "azureuser",
                       "linux_configuration": {"disable_password_authentication": True}},
        "network_profile": {"network_interfaces": [{"id": nic.id}]}}).result()
    assert vm.storage_profile.image_reference.exact_version == "24.04.202510010"
    assert compute.disks.get(GROUP, vm.storage_profile.os_disk.name).tags is None
    view = compute.virtual_machines.instance_view(GROUP, "vm")
    assert [s.code for s in view.statuses] == ["ProvisioningState/succeeded", "PowerState/running"]
    assert net.network_interfaces.get(GROUP, "nic").virtual_machine.id == vm.id


@pytest.mark.parametrize("address, code", [("10.1.1.2", "PrivateIPAddressIsReserved"),
                                           ("10.1.2.10", "PrivateIPAddressNotInSubnet")])
def test_static_private_ip_must_be_usable(clients, address, code):
    from azure.core.exceptions import HttpResponseError

    net = network_base(clients)
    sub = net.subnets.get(GROUP, "vnet", "internal")
    with pytest.raises(HttpResponseError) as err:
        net.network_interfaces.begin_create_or_update(GROUP, "nic", {
            "location": LOC, "ip_configurations": [{"name": "ipconfig1", "subnet": {"id": sub.id},
                                                    "private_ip_allocation_method": "Static",
                                                    "private_ip_address": address}]}).result()
    assert err.value.error.code == code


def test_unmodelled_image_alias_is_not_found(clients):
    from azure.core.exceptions import ResourceNotFoundError

    with pytest.raises(ResourceNotFoundError):
        clients["compute"].virtual_machine_images.list(LOC, "Canonical", "UbuntuServer", "18.04-LTS")


def test_lists_the_locations_with_their_availability_zones(clients):
    from azure.identity import ClientSecretCredential
    from azure.mgmt.resource.subscriptions import SubscriptionClient

    env = clients["env"]
    cred = ClientSecretCredential(env["AZURE_TENANT"], env["AZURE_CLIENT_ID"], env["AZURE_SECRET"])
    found = {loc.name: sorted(m.logical_zone for m in loc.availability_zone_mappings or ())
             for loc in SubscriptionClient(cred).subscriptions.list_locations(env["AZURE_SUBSCRIPTION_ID"])}
    assert found["westeurope"] == ["1", "2", "3"] and found["ukwest"] == [] and found["westcentralus"] == []


@pytest.mark.parametrize("loc, zones, code", [
    ("ukwest", ["1"], "LocationNotSupportAvailabilityZones"),
    ("westeurope", ["4"], "InvalidAvailabilityZone"),
])
def test_zones_a_location_does_not_have_are_refused(clients, loc, zones, code):
    from azure.core.exceptions import HttpResponseError

    clients["resource"].resource_groups.create_or_update(GROUP, {"location": loc})
    with pytest.raises(HttpResponseError) as err:
        clients["network"].public_ip_addresses.begin_create_or_update(GROUP, "pip", {
            "location": loc, "sku": {"name": "Standard"}, "public_ip_allocation_method": "Static",
            "zones": zones}).result()
    assert err.value.error.code == code


def test_an_az_gateway_takes_a_regional_ip_in_a_region_without_zones(clients):
    poller, dummy = gateway(clients, pip_zones=(), loc="ukwest")
    assert poller.result().sku.name == "VpnGw1AZ"

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Azure roles' cloud tasks on the Azure TEST DOUBLE: the gateway's wait (progress lines,
bounded), the drift check that covers azure_rm_virtualnetworkgateway's blind spots, and the
resource group guard of build and teardown. The whole Azure half (idempotence, recorded requests,
teardown twice) is the molecule scenario extensions/molecule/azure_double."""

from __future__ import annotations

import re

import pytest

from playbooks import fingerprint, play, reset, sdk_clients

LAB = "azroles"
GROUP = "rg-euwe-dev-student-azroles"
INPUTS = {"vpnlab_name": LAB, "vpnlab_target": "cloud", "vpnlab_admin_cidrs": ["198.18.7.0/24"],
          "azure_gateway_poll_seconds": 1, "teardown_azure_poll_seconds": 1}
PLAN = {"name": "plan", "ansible.builtin.include_role": {"name": "multicloud.vpnlab.plan"}}
STATE = {"name": "state", "ansible.builtin.include_role": {"name": "multicloud.vpnlab.lab_host", "tasks_from": "state_dir"}}
GATEWAY = {"name": "gateway", "ansible.builtin.include_role": {"name": "multicloud.vpnlab.azure_gateway"}}
DRIFT = {"name": "drift", "ansible.builtin.include_role": {"name": "multicloud.vpnlab.azure_gateway", "tasks_from": "drift"}}
WAIT = {"name": "wait", "ansible.builtin.include_role": {"name": "multicloud.vpnlab.azure_gateway", "tasks_from": "wait"}}
TEARDOWN = {"name": "teardown", "ansible.builtin.include_role": {"name": "multicloud.vpnlab.teardown"}}
PROGRESS = re.compile(r"VPN gateway vpng-%s (Updating|Succeeded): [0-9.]+ min of about 35 min expected" % LAB)


def runner(double, home):
    """Runs the given tasks after the plan, as the cloud target, in the double's namespace."""
    def run(tasks, **extra):
        return play(double, [PLAN, STATE] + tasks, dict(INPUTS, **extra), json_output=False,
                    env={"VPNLAB_HOME": str(home)})
    run.double = double
    return run


@pytest.fixture
def lab(fresh, tmp_path):
    return runner(fresh, tmp_path / "home")


def writes(double, mark=0):
    return [r for r in double.requests()[mark:] if r["method"] in ("PUT", "PATCH", "DELETE")]


@pytest.fixture(scope="module")
def static_lab(double, tmp_path_factory):
    """One static gateway read by four tests, its steps all run here: built with a 12 s gateway
    delay (the wait's progress, its IP's zones), the BGP design refused over it and the static
    design again, then torn down with progress and torn down again."""
    run = runner(reset(double), tmp_path_factory.mktemp("static") / "home")
    double.control("config", {"gateway_delay": 12})
    steps = {"build": run([GATEWAY, WAIT])}
    with sdk_clients(double) as clients:
        steps["zones"] = clients["network"].public_ip_addresses.get(GROUP, "pip-%s-vpngw" % LAB).zones
    mark = len(double.requests())
    steps["other"] = run([GATEWAY], vpnlab_routing="bgp")
    steps["other_writes"] = writes(double, mark)
    steps["same"] = run([GATEWAY, WAIT])
    double.control("config", {"group_delete_delay": 4})
    steps["down"] = run([TEARDOWN], teardown_clouds=["azure"])
    with sdk_clients(double) as clients:
        steps["group_left"] = clients["resource"].resource_groups.check_existence(GROUP)
    steps["down_again"] = run([TEARDOWN], teardown_clouds=["azure"])
    return steps


def test_the_wait_prints_a_progress_line_per_look_until_the_gateway_is_there(static_lab):
    result = static_lab["build"]
    assert result.rc == 0, result.output
    states = PROGRESS.findall(result.output)
    assert "Updating" in states and states[-1] == "Succeeded" and states.count("Succeeded") == 1
    assert "vpng-%s (VpnGw1AZ, Generation1) started" % LAB in " ".join(result.output.split())


def test_the_wait_gives_up_after_its_timeout(lab):
    lab.double.control("config", {"gateway_delay": 600})
    result = lab([GATEWAY, WAIT], azure_gateway_wait_timeout_minutes=0)
    assert result.rc != 0
    assert "is not ready after 0 minutes" in " ".join(result.output.split())


def test_drift_stops_on_a_gateway_the_stock_module_would_keep(lab):
    first = lab([GATEWAY, WAIT], azure_gateway_sku="VpnGw2AZ", azure_gateway_generation="Generation1")
    assert first.rc == 0, first.output
    # VpnGw2AZ picks Generation2 by default: the stock module sees the same SKU and changes nothing.
    again = lab([GATEWAY, DRIFT], azure_gateway_sku="VpnGw2AZ")
    assert again.rc != 0
    text = " ".join(again.output.split())
    assert "exists with generation Generation1 (planned Generation2)" in text
    unchanged = lab([GATEWAY, DRIFT], azure_gateway_sku="VpnGw2AZ", azure_gateway_generation="Generation1")
    assert unchanged.rc == 0, unchanged.output


def test_a_resource_group_of_the_labs_name_that_is_not_the_labs_is_neither_used_nor_deleted(lab, clients):
    clients["resource"].resource_groups.create_or_update(GROUP, {"location": "westeurope", "tags": {"vpnlab": LAB}})
    mark = len(lab.double.requests())
    build = lab([GATEWAY])
    assert build.rc != 0
    assert "exists but does not carry lab %s's tags" % LAB in " ".join(build.output.split())
    writes = [r for r in lab.double.requests()[mark:] if r["method"] in ("PUT", "PATCH", "DELETE")]
    assert writes == []
    down = lab([TEARDOWN], teardown_clouds=["azure"])
    assert down.rc == 0, down.output
    assert "exists but is not lab %s" % LAB in " ".join(down.output.split()), down.output
    assert clients["resource"].resource_groups.check_existence(GROUP)


def test_teardown_deletes_the_group_with_progress_then_finds_nothing_twice(static_lab):
    assert static_lab["build"].rc == 0 and static_lab["same"].rc == 0
    down = static_lab["down"]
    assert down.rc == 0, down.output
    text = " ".join(down.output.split())
    assert re.search(r"Resource group %s Deleting: [0-9.]+ min" % GROUP, text)
    assert re.search(r"Resource group %s deleted: [0-9.]+ min" % GROUP, text)
    assert "No Azure resource of lab %s is left" % LAB in text
    assert static_lab["group_left"] is False
    again = static_lab["down_again"]
    assert again.rc == 0 and "(nothing to delete)" in " ".join(again.output.split())


# --- the region's availability zones, looked up before anything is created --------------------

def test_the_gateway_ip_takes_the_regions_zones(static_lab):
    assert static_lab["build"].rc == 0, static_lab["build"].output
    assert static_lab["zones"] == ["1", "2", "3"]


def test_a_region_without_zones_gets_a_regional_gateway_ip_and_says_so(lab, clients):
    build = lab([GATEWAY, WAIT], vpnlab_azure_region="ukwest")
    assert build.rc == 0, build.output
    group = "rg-ukwe-dev-student-%s" % LAB
    assert not clients["network"].public_ip_addresses.get(group, "pip-%s-vpngw" % LAB).zones
    assert clients["network"].virtual_network_gateways.get(group, "vpng-%s" % LAB).sku.name == "VpnGw1AZ"
    assert "ukwest has no availability zones" in " ".join(build.output.split())


@pytest.mark.parametrize("extra, problem", [
    ({"vpnlab_azure_region": "ukwest", "azure_gateway_zones": ["1"]},
     "Azure region ukwest has no availability zones, so a zonal public IP fails there "
     "(LocationNotSupportAvailabilityZones)"),
    ({"azure_gateway_zones": ["1", "4"]},
     "zone 4 of azure_gateway_zones is not a zone of Azure region westeurope (its zones: 1, 2, 3)"),
    ({"vpnlab_azure_region": "marsnorth"},
     "Azure region marsnorth is not a location of subscription"),
])
def test_zones_or_a_region_azure_cannot_host_stop_the_build_before_anything_is_created(lab, extra, problem):
    mark = len(lab.double.requests())
    build = lab([GATEWAY], **extra)
    assert build.rc != 0
    assert problem in " ".join(build.output.split()), build.output
    assert writes(lab.double, mark) == []


BGP_KEYS = ["Bgp.key_vpn1_tunnel1", "Bgp.key_vpn1_tunnel2", "Bgp.key_vpn2_tunnel1", "Bgp.key_vpn2_tunnel2"]
TUNNELS = {"name": "tunnels", "ansible.builtin.include_role": {"name": "multicloud.vpnlab.azure_tunnels"}}


def bgp_vpn_connections():
    """The BGP design's two AWS VPN connections as DescribeVpnConnections describes them (the
    plan's /30s, an outside address and a key per tunnel), given to azure_tunnels as data."""
    cidrs = ["169.254.21.0/30", "169.254.22.0/30", "169.254.21.4/30", "169.254.22.4/30"]
    return [{"VpnConnectionId": "vpn-0000000000000000%d" % number, "State": "available",
             "Options": {"StaticRoutesOnly": False, "TunnelOptions": [
                 {"OutsideIpAddress": "203.0.113.%d" % (10 + index), "TunnelInsideCidr": cidrs[index],
                  "PreSharedKey": BGP_KEYS[index]} for index in (2 * number, 2 * number + 1)]}}
            for number in (0, 1)]


def other_vgw_asn():
    """The connections with the XML of a VGW whose ASN (65001) is not the plan's (64512)."""
    connections = bgp_vpn_connections()
    for connection in connections:
        connection["CustomerGatewayConfiguration"] = (
            '<vpn_connection id="%s"><ipsec_tunnel><vpn_gateway><tunnel_outside_address><ip_address>%s'
            '</ip_address></tunnel_outside_address><bgp><asn>65001</asn><hold_time>30</hold_time></bgp>'
            '</vpn_gateway></ipsec_tunnel></vpn_connection>'
            % (connection["VpnConnectionId"], connection["Options"]["TunnelOptions"][0]["OutsideIpAddress"]))
    return connections


@pytest.fixture(scope="module")
def bgp_lab(double, tmp_path_factory):
    """One BGP gateway read by three tests, its steps all run here: started (3 s gateway delay)
    and re-run; the tunnels refused for a VGW of another ASN; then the four tunnels made and
    re-run. No BGP speaker answers on the Azure double alone: no wait for BGP to converge."""
    run = runner(reset(double), tmp_path_factory.mktemp("bgp") / "home")
    double.control("config", {"gateway_delay": 3})
    read = {"name": "read", "register": "record", "multicloud.vpnlab.lab_state": {
        "path": "{{ vpnlab_plan.state_dir }}", "lab": "{{ vpnlab_plan.lab }}", "handoff": {}}}
    show = {"name": "show", "ansible.builtin.debug": {"msg": "handoff={{ record.handoff.azure_gateway_public_ips | to_json }}"}}
    steps = {"gateway": run([GATEWAY, WAIT, read, show], vpnlab_routing="bgp")}
    steps["gateway_puts"] = [r for r in double.requests() if r["method"] == "PUT"
                             and r["path"].endswith("/virtualNetworkGateways/vpng-" + LAB)]
    with sdk_clients(double) as clients:
        steps["ips"] = [clients["network"].public_ip_addresses.get(GROUP, "pip-%s-vpngw%s" % (LAB, suffix)).ip_address
                        for suffix in ("", "2")]
    steps["gateway_again"] = run([GATEWAY, WAIT], vpnlab_routing="bgp")
    steps["gateway_puts_again"] = [r for r in double.requests() if r["method"] == "PUT"
                                   and r["path"].endswith("/virtualNetworkGateways/vpng-" + LAB)]
    mark = len(double.requests())
    steps["other_asn"] = run([GATEWAY, TUNNELS], vpnlab_routing="bgp", azure_tunnels_vpn_connections=other_vgw_asn(),
                             azure_tunnels_bgp_timeout=0)
    steps["other_asn_writes"] = writes(double, mark)
    mark = len(double.requests())
    extra = {"vpnlab_routing": "bgp", "azure_tunnels_vpn_connections": bgp_vpn_connections(),
             "azure_tunnels_bgp_timeout": 0}
    steps["tunnels"] = run([GATEWAY, TUNNELS], **extra)
    steps["tunnels_puts"] = [r for r in double.requests()[mark:] if r["method"] == "PUT"]
    steps["tunnels_again"] = run([GATEWAY, TUNNELS], **extra)
    return steps


def test_the_bgp_design_starts_an_active_active_bgp_gateway_on_two_addresses(bgp_lab):
    """Issue 16: with vpnlab_routing=bgp the role builds Microsoft's gateway through
    azure_vpn_gateway (two Standard zonal IPs, active-active, BGP, each instance's custom APIPA
    addresses), hands both addresses on, waits with progress, and a re-run changes nothing."""
    first = bgp_lab["gateway"]
    assert first.rc == 0, first.output
    text = " ".join(first.output.split())
    assert "vpng-%s (VpnGw1AZ, Generation1, active-active, BGP ASN 65515) started" % LAB in text
    (sent,) = bgp_lab["gateway_puts"]
    props = sent["body"]["properties"]
    assert props["activeActive"] is True and props["enableBgp"] is True and props["bgpSettings"]["asn"] == 65515
    assert [c["properties"]["publicIPAddress"]["id"].split("/")[-1] for c in props["ipConfigurations"]] == [
        "pip-%s-vpngw" % LAB, "pip-%s-vpngw2" % LAB]
    assert [e["customBgpIpAddresses"] for e in props["bgpSettings"]["bgpPeeringAddresses"]] == [
        ["169.254.21.2", "169.254.22.2"], ["169.254.21.6", "169.254.22.6"]]
    assert "handoff=%s" % str(bgp_lab["ips"]).replace("'", '"') in text
    assert "Succeeded" in " ".join(PROGRESS.findall(first.output))
    again = bgp_lab["gateway_again"]
    assert again.rc == 0, again.output
    assert len(bgp_lab["gateway_puts_again"]) == 1
    recap = [line for line in again.output.splitlines() if line.startswith("localhost")][-1]
    assert "changed=0" in recap, recap


def test_the_bgp_design_connects_four_tunnels_with_bgp_and_each_instances_address(bgp_lab):
    """Issue 16: a local network gateway per AWS tunnel with the AWS side's BGP address and ASN,
    and a BGP connection each naming both instances' custom addresses (Microsoft's table); a
    re-run changes nothing; no key in the output."""
    first = bgp_lab["tunnels"]
    assert first.rc == 0, first.output
    puts = bgp_lab["tunnels_puts"]
    peers = {r["path"].rsplit("/", 1)[-1]: r["body"]["properties"] for r in puts if "/localNetworkGateways/" in r["path"]}
    assert {name: (p["gatewayIpAddress"], p["bgpSettings"]["bgpPeeringAddress"], p["bgpSettings"]["asn"],
                   p["localNetworkAddressSpace"]["addressPrefixes"]) for name, p in peers.items()} == {
        "lgw-%s-vpn1-tunnel1" % LAB: ("203.0.113.10", "169.254.21.1", 64512, []),
        "lgw-%s-vpn1-tunnel2" % LAB: ("203.0.113.11", "169.254.22.1", 64512, []),
        "lgw-%s-vpn2-tunnel1" % LAB: ("203.0.113.12", "169.254.21.5", 64512, []),
        "lgw-%s-vpn2-tunnel2" % LAB: ("203.0.113.13", "169.254.22.5", 64512, [])}
    connections = {r["path"].rsplit("/", 1)[-1]: r["body"]["properties"] for r in puts if "/connections/" in r["path"]}
    assert {name: (p["enableBgp"], [(e["ipConfigurationId"].rsplit("/", 1)[-1], e["customBgpIpAddress"])
                                    for e in p["gatewayCustomBgpIpAddresses"]], p["ipsecPolicies"][0]["dhGroup"])
            for name, p in connections.items()} == {
        "con-%s-vpn1-tunnel1" % LAB: (True, [("default", "169.254.21.2"), ("activeActive", "169.254.21.6")], "DHGroup14"),
        "con-%s-vpn1-tunnel2" % LAB: (True, [("default", "169.254.22.2"), ("activeActive", "169.254.22.6")], "DHGroup14"),
        "con-%s-vpn2-tunnel1" % LAB: (True, [("default", "169.254.21.2"), ("activeActive", "169.254.21.6")], "DHGroup14"),
        "con-%s-vpn2-tunnel2" % LAB: (True, [("default", "169.254.22.2"), ("activeActive", "169.254.22.6")], "DHGroup14")}
    # Each connection has its own tunnel's key (the double records fingerprints).
    assert {name: p["sharedKey"] for name, p in connections.items()} == {
        "con-%s-%s" % (LAB, name): fingerprint(key)
        for name, key in zip(["vpn1-tunnel1", "vpn1-tunnel2", "vpn2-tunnel1", "vpn2-tunnel2"], BGP_KEYS)}
    again = bgp_lab["tunnels_again"]
    assert again.rc == 0, again.output
    recap = [line for line in again.output.splitlines() if line.startswith("localhost")][-1]
    assert "changed=0" in recap, recap
    assert not [key for key in BGP_KEYS if key in first.output + again.output]


def test_a_vgw_asn_other_than_the_plans_stops_the_bgp_tunnels_before_any_is_made(bgp_lab):
    """AWS keeps a VGW's ASN for life and ec2_vpc_vgw leaves an existing one as it is: when the
    connections' XML states another ASN than the plan's, the role stops naming both and the
    way out, before any local network gateway peers with an AS that is not there (the gateway
    is there; no tunnel yet)."""
    result = bgp_lab["other_asn"]
    assert result.rc != 0
    text = " ".join(result.output.split())
    assert "The lab's virtual private gateway has BGP ASN 65001, the plan 64512 (vpnlab_aws_vpn_gateway_asn)" in text
    assert "-e vpnlab_aws_vpn_gateway_asn=65001" in text
    assert bgp_lab["other_asn_writes"] == []
    assert not [key for key in BGP_KEYS if key in result.output]


def test_the_other_routing_design_is_refused_over_a_built_lab_before_anything_changes(static_lab):
    """The record keeps the design the clouds were built with; the two share no VPN object, so
    a bgp build over a static lab (or the reverse) stops, saying how to get out, before any
    request to Azure changes anything. The same design again goes on."""
    assert static_lab["build"].rc == 0, static_lab["build"].output
    other = static_lab["other"]
    assert other.rc != 0
    text = " ".join(other.output.split())
    assert ("Lab %s was built with vpnlab_routing=static, and this build asks for bgp" % LAB) in text
    assert "Tear it down first" in text and "Nothing was changed." in text
    assert static_lab["other_writes"] == []
    again = static_lab["same"]
    assert again.rc == 0, again.output

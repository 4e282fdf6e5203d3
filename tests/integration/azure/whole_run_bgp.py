# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Driver of the whole cloud-target run of the BGP design (vpnlab_routing=bgp), started by
test_cloud_whole_run_bgp.py inside a loopback-only network namespace, next to the AWS EC2 test
double (tests.aws_double.isolated: moto extended, with route propagation) and the Azure test
double (tests.azure_double.isolated):

    python whole_run_bgp.py WORKDIR

Builds the lab with site.yml (probes off: emulators), builds it again (what changed), then says
through the doubles' control APIs what a data plane would: every BGP session up, each side
announcing its prefix; runs check.yml; then loses the Azure gateway's second instance (its AWS
connection's tunnels DOWN, its peers Connecting, its routes gone) and runs check.yml again;
tears down twice, and writes WORKDIR/result.json: return codes, the reports, the requests the
Azure double recorded, what both doubles still hold, and where (if anywhere) a key appeared.
"""

from __future__ import annotations

import ipaddress
import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from ansible_run import changed_tasks  # noqa: E402  pylint: disable=wrong-import-position
from whole_run import key_evidence  # noqa: E402  pylint: disable=wrong-import-position

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
LAB = "bgprun"
VNET, VPC = "10.1.0.0/16", "10.2.0.0/16"
INPUTS = {
    "vpnlab_name": LAB, "vpnlab_target": "cloud", "vpnlab_routing": "bgp",
    "vpnlab_aws_endpoint_url": os.environ.get("AWS_ENDPOINT_URL", ""),
    "vpnlab_admin_cidrs": ["198.18.7.0/24"],
    "vpnlab_azure_emulated": True,
    "connectivity_check_fail_on_verdict": False,
    "azure_gateway_poll_seconds": 1, "azure_gateway_expected_minutes": 1, "teardown_azure_poll_seconds": 1,
    # The doubles are told the sessions' state after the build: no wait for BGP to converge
    # (the rehearsal, tests/integration/test_rehearsal_bgp.py, waits for its real sessions).
    "azure_tunnels_bgp_timeout": 0,
}


def _open(url, data=None):
    request = urllib.request.Request(url, data=None if data is None else json.dumps(data).encode(),
                                     method="GET" if data is None else "POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request, timeout=10) as answer:
        return json.load(answer)


def azure(path, data=None):
    port = json.load(open(os.path.join(os.environ["VPNLAB_AZURE_DOUBLE"], "double.json"), encoding="utf-8"))["port"]
    return _open("http://127.0.0.1:%d/_double/%s" % (port, path), data)


def aws(path, data=None):
    return _open("%s/_aws_double/%s" % (os.environ["AWS_ENDPOINT_URL"].rstrip("/"), path), data)


def playbook(name, env, outputs, *options):
    proc = subprocess.run([str(BIN / "ansible-playbook"), "playbooks/" + name, "-e", json.dumps(INPUTS), *options],
                          cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    outputs.append(proc.stdout + proc.stderr)
    return proc.returncode


def aws_lab():
    """What EC2 (the AWS double) holds of the lab: VPN connections by Name (id, routing, tunnel
    outside addresses), customer gateways, the route table's propagation and routes."""
    import boto3  # pylint: disable=import-outside-toplevel

    ec2 = boto3.client("ec2", region_name="eu-central-1", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
    lab = [{"Name": "tag:vpnlab", "Values": [LAB]}]

    def name(resource):
        return next((t["Value"] for t in resource.get("Tags", []) if t["Key"] == "Name"), None)
    vpns = {name(v): {"id": v["VpnConnectionId"], "static": v.get("Options", {}).get("StaticRoutesOnly"),
                      "outside_ips": [t["OutsideIpAddress"] for t in v.get("Options", {}).get("TunnelOptions", [])],
                      "inside": [t.get("TunnelInsideCidr") for t in v.get("Options", {}).get("TunnelOptions", [])]}
            for v in ec2.describe_vpn_connections(Filters=lab)["VpnConnections"] if v["State"] not in ("deleted", "deleting")}
    cgws = {name(c): {"ip": c["IpAddress"], "asn": c["BgpAsn"]}
            for c in ec2.describe_customer_gateways(Filters=lab)["CustomerGateways"] if c["State"] != "deleted"}
    tables = [{"propagating": [p["GatewayId"] for p in t.get("PropagatingVgws", [])],
               "routes": sorted("%s %s %s" % (r.get("DestinationCidrBlock"), r.get("GatewayId"), r.get("Origin"))
                                for r in t.get("Routes", []))}
              for t in ec2.describe_route_tables(Filters=lab)["RouteTables"]]
    return {"vpn_connections": vpns, "customer_gateways": cgws, "route_tables": tables}


def sessions(lab, up):
    """Tell both doubles what the data plane would: the sessions of the connections numbered in
    `up` are established and announce each side's prefix; the others' tunnels are down. Each
    session's addresses are its tunnel's inside /30 as AWS holds it (AWS .1, Azure .2)."""
    peers, routes = [], []
    for number in (1, 2):
        vpn = lab["vpn_connections"]["%s-vpn%d" % (LAB, number)]
        live = number in up
        aws("telemetry", {"vpn_connection_id": vpn["id"],
                          "tunnels": [{"outside_ip_address": ip, "status": "UP" if live else "DOWN",
                                       "status_message": "1 BGP ROUTES" if live else "", "accepted_route_count": int(live)}
                                      for ip in vpn["outside_ips"]]})
        aws("bgp-routes", {"vpn_connection_id": vpn["id"], "prefixes": [VNET]})
        for tunnel, inside in enumerate(vpn["inside"], start=1):
            aws_ip = str(ipaddress.ip_network(inside)[1])
            peers.append({"neighbor": aws_ip, "state": "Connected" if live else "Connecting", "routesReceived": int(live)})
            if live:
                routes.append({"network": VPC, "sourcePeer": aws_ip, "origin": "EBgp", "asPath": "64512"})
            azure("connection-status", {"name": "con-%s-vpn%d-tunnel%d" % (LAB, number, tunnel),
                                        "connectionStatus": "Connected" if live else "NotConnected",
                                        "ingressBytesTransferred": 4200 * live, "egressBytesTransferred": 8400 * live})
    azure("bgp", {"gateway": "vpng-%s" % LAB, "peers": peers, "routes": routes})


def main(workdir):
    home = Path(workdir) / "home"
    env = dict(os.environ, VPNLAB_HOME=str(home), ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               PATH="%s:%s" % (BIN, os.environ.get("PATH", "")), ANSIBLE_NOCOLOR="1")
    outputs, result = [], {}
    result["site_rc"] = playbook("site.yml", env, outputs)
    state = home / LAB
    result["site_output_tail"] = outputs[0][-4000:]
    if not (state / "report.json").exists():
        (Path(workdir) / "result.json").write_text(json.dumps(result))
        raise SystemExit("site.yml wrote no report (rc %s):\n%s" % (result["site_rc"], outputs[0][-4000:]))
    result["report_built"] = json.loads((state / "report.json").read_text())
    keys = [k for path in sorted((state / "cloud").glob("aws-vpn*-psks.json"))
            for k in json.loads(path.read_text())["pre_shared_keys"].values()]
    result["site2_rc"] = playbook("site.yml", env, outputs)
    result["site2_changed"] = changed_tasks(outputs[-1])
    result["aws_built"] = lab = aws_lab()
    sessions(lab, up={1, 2})
    result["check_rc"] = playbook("check.yml", env, outputs)
    result["check_output"] = outputs[-1][-6000:]
    result["report_healthy"] = json.loads((state / "report.json").read_text())
    result["aws_healthy"] = aws_lab()
    sessions(lab, up={1})
    result["check_lost_rc"] = playbook("check.yml", env, outputs)
    result["report_lost"] = json.loads((state / "report.json").read_text())
    result["teardown_rcs"] = [playbook("teardown.yml", env, outputs), playbook("teardown.yml", env, outputs)]
    result["teardown_output"] = outputs[-2:]
    result["aws_after_teardown"] = aws_lab()
    result["requests"] = azure("requests")
    result["left_in_double"] = azure("resources")
    result["key_leaks"], result["key_fingerprints"] = key_evidence(outputs, result["requests"], state, keys)
    (Path(workdir) / "result.json").write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

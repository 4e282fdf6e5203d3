# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The realizer: reads what the AWS and Azure doubles hold through their APIs, as a cloud's
own machinery would, and keeps the data plane (namespaces, gateways, VMs) equal to it; then
reports back what the data plane shows (AWS VgwTelemetry, Azure connection status and byte
counters), each on its own interval, so that the clouds' evidence lags as it does for real.

    python -m tests.rehearsal.realizer --lab LAB --dir DIR --aws-endpoint URL --azure-control URL

It never reads the collection's plan or state files. It runs inside the rehearsal's controller
namespace (where the doubles listen on 127.0.0.1) and drives the other namespaces by name.
Its progress and every change go to DIR/realizer.log; DIR/realizer.json says how it is doing.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
import traceback
import urllib.request

from ansible_collections.multicloud.vpnlab.plugins.module_utils.files import write_atomic
from tests.rehearsal import addressing as ad
from tests.rehearsal import design as dp
from tests.rehearsal.fabric import Fabric, stop_processes
from tests.rehearsal.gateways import Gateway
from tests.rehearsal.speakers import ESTABLISHED, Speakers, bgp_view
from tests.rehearsal.vm import Vm, console_text

# The realizer's requests are the cloud's own: the AWS double leaves them out of its
# eventual-consistency faults and its request log by this user agent.
USER_AGENT = "vpnlab-rehearsal-realizer"
BOOT_RETRY_SECONDS = 10.0
DEFAULTS = {"interval": 2.0, "telemetry_interval": 10.0, "status_interval": 10.0,
            "cloud_init_seconds": 4.0, "region_scan_seconds": 15.0}


def control(url, data=None, timeout=10):
    request = urllib.request.Request(url, data=None if data is None else json.dumps(data).encode(),
                                     method="GET" if data is None else "POST",
                                     headers={"Content-Type": "application/json", "User-Agent": USER_AGENT})
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request, timeout=timeout) as answer:
        return json.load(answer)


class AwsReader:
    """EC2 through boto3 at the AWS double's endpoint: every region that holds anything."""

    def __init__(self, endpoint, scan_seconds):
        import boto3  # pylint: disable=import-outside-toplevel
        from botocore.config import Config  # pylint: disable=import-outside-toplevel
        self.boto3, self.endpoint, self.scan_seconds = boto3, endpoint, scan_seconds
        self.config = Config(user_agent_extra=USER_AGENT, retries={"max_attempts": 2})
        self.clients, self.regions, self.last_scan = {}, set(), 0.0
        self.user_data, self.images = {}, {}

    def client(self, region):
        if region not in self.clients:
            self.clients[region] = self.boto3.client(
                "ec2", region_name=region, endpoint_url=self.endpoint, config=self.config,
                aws_access_key_id="AKIAVPNLABREHEARSAL0", aws_secret_access_key="rehearsal")
        return self.clients[region]

    def scan(self):
        """Regions with a non-default VPC (a region's default VPC alone is not a lab)."""
        if time.monotonic() - self.last_scan < self.scan_seconds and self.regions:
            return
        self.last_scan = time.monotonic()
        names = [r["RegionName"] for r in self.client("us-east-1").describe_regions()["Regions"]]
        found = set()
        for region in names:
            vpcs = self.client(region).describe_vpcs(Filters=[{"Name": "is-default", "Values": ["false"]}])["Vpcs"]
            if vpcs:
                found.add(region)
        self.regions = found

    def read(self):
        self.scan()
        return {region: self.read_region(region) for region in sorted(self.regions)}

    def read_region(self, region):
        ec2 = self.client(region)
        state = {
            "vpcs": ec2.describe_vpcs()["Vpcs"],
            "subnets": ec2.describe_subnets()["Subnets"],
            "route_tables": ec2.describe_route_tables()["RouteTables"],
            "internet_gateways": ec2.describe_internet_gateways()["InternetGateways"],
            "vpn_gateways": ec2.describe_vpn_gateways()["VpnGateways"],
            "customer_gateways": ec2.describe_customer_gateways()["CustomerGateways"],
            "vpn_connections": ec2.describe_vpn_connections()["VpnConnections"],
            "security_groups": ec2.describe_security_groups()["SecurityGroups"],
            "key_pairs": ec2.describe_key_pairs(IncludePublicKey=True)["KeyPairs"],
            "instances": [i for r in ec2.describe_instances()["Reservations"] for i in r["Instances"]],
        }
        for inst in state["instances"]:
            inst["UserData"] = self._user_data(ec2, inst["InstanceId"])
        state["images"] = [self._image(ec2, i["ImageId"]) for i in state["instances"]]
        return state

    def _user_data(self, ec2, instance_id):
        if instance_id not in self.user_data:
            answer = ec2.describe_instance_attribute(InstanceId=instance_id, Attribute="userData")
            self.user_data[instance_id] = (answer.get("UserData") or {}).get("Value", "")
        return self.user_data[instance_id]

    def _image(self, ec2, image_id):
        if image_id not in self.images:
            found = ec2.describe_images(ImageIds=[image_id]).get("Images") or [{}]
            self.images[image_id] = {"ImageId": image_id, "Name": found[0].get("Name", "")}
        return self.images[image_id]


class Realizer:
    def __init__(self, args):
        self.args = args
        self.dir = args.dir
        self.log_path = os.path.join(self.dir, "realizer.log")
        self.fabric = Fabric(ad.prefix(args.lab), log=self.log)
        self.aws = AwsReader(args.aws_endpoint, args.region_scan_seconds) if args.aws_endpoint else None
        self.alloc_path = os.path.join(self.dir, "allocations.json")
        self.alloc = dp.Allocator(self._load(self.alloc_path))
        self.gateways, self.vm_boot, self.last_boot = {}, {}, {}
        self.speakers = Speakers(os.path.join(self.dir, "bgp"), self.log)
        self.last = {"telemetry": 0.0, "status": 0.0}
        self.telemetry, self.problems, self.rounds, self.errors = {}, [], 0, []
        self.running = True

    @staticmethod
    def _load(path):
        try:
            with open(path, encoding="utf-8") as handle:
                return json.load(handle)
        except (OSError, ValueError):
            return {}

    def log(self, text):
        with open(self.log_path, "a", encoding="utf-8") as handle:
            handle.write("%s %s\n" % (time.strftime("%H:%M:%S"), text))

    def read(self):
        regions = self.aws.read() if self.aws else {}
        resources = control(self.args.azure_control + "/_double/snapshot") if self.args.azure_control else []
        return regions, resources

    def step(self):
        regions, resources = self.read()
        plane = dp.design(self.args.lab, regions, resources, self.alloc)
        write_atomic(self.alloc_path, json.dumps(self.alloc.state, sort_keys=True), 0o600)
        errors = []
        # Each part on its own: a gateway that cannot start must not keep the VMs from booting.
        for part in (self.fabric.converge, self.converge_gateways, self.converge_speakers, self.converge_vms,
                     self.feedback):
            try:
                part(plane.namespaces if part == self.fabric.converge else plane)
            except Exception as exc:  # pylint: disable=broad-except
                errors.append("%s: %s" % (part.__name__, exc))
                self.log("%s failed: %s\n%s" % (part.__name__, exc, traceback.format_exc()))
        if plane.problems != self.problems:
            for problem in plane.problems:
                self.log("cannot realize: %s" % problem)
            self.problems = plane.problems
        self.rounds += 1
        if errors:
            raise RuntimeError("; ".join(errors))

    def converge_gateways(self, plane):
        for name in sorted(set(self.gateways) - set(plane.gateways)):
            self.log("%s: gateway gone: stop charon" % name)
            self.gateways.pop(name).stop()
        for name, spec in sorted(plane.gateways.items()):
            gateway = self.gateways.get(name)
            if gateway is None:
                # A short directory: charon's VICI socket path must fit in 108 bytes.
                gateway = self.gateways[name] = Gateway(os.path.join(self.args.gateway_dir, ad.digest(name)),
                                                        name, self.log)
            established = None
            if spec.get("bgp_peers"):
                found = self.speakers.evidence(name, routes=False)
                if found:
                    established = {s["address"]: s["state"] == ESTABLISHED for s in found["sessions"]}
            if gateway.ensure(spec, established):
                self.fabric.applied.pop(name, None)  # charon's new ipsec0 needs its routes again

    def converge_speakers(self, plane):
        self.speakers.converge(plane.speakers)

    def converge_vms(self, plane):
        for name in sorted(set(self.vm_boot) - set(plane.vms)):
            self.vm_boot.pop(name)
        for name, spec in sorted(plane.vms.items()):
            vm = Vm(os.path.join(self.dir, "vms", name), name)
            previous = self._load(os.path.join(vm.dir, "spec.json"))
            if vm.pid() and previous:
                if {k: v for k, v in previous.items() if k != "keys"} != {k: v for k, v in spec.items() if k != "keys"}:
                    self.log("%s: changed: reboot" % name)
                    stop_processes([name])
                else:
                    if vm.set_keys(spec):
                        self.log("%s: authorized keys updated" % name)
                    self._cloud_init(vm, spec)
                    continue
            if not spec["keys"]:
                continue  # no key pair (yet): the cloud would not let anyone in either
            if time.monotonic() - self.last_boot.get(name, -1e9) < BOOT_RETRY_SECONDS:
                continue  # it failed to boot a moment ago (boot.log says why): not in a loop
            self.last_boot[name] = time.monotonic()
            self.log("%s: boot (%s, user %s, tools %s)" % (name, spec["hostname"], spec["user"],
                                                           ", ".join(spec["tools"]) or "none"))
            vm.prepare(spec)
            vm.set_cloud_init("running", "DataSource running modules")
            vm.boot()
            self.vm_boot[name] = time.monotonic()
            self._console(spec, finished=False)

    def _cloud_init(self, vm, spec):
        booted = self.vm_boot.get(vm.netns)
        if booted is not None and time.monotonic() - booted >= self.args.cloud_init_seconds:
            vm.set_cloud_init("done", "DataSource done")
            self._console(spec, finished=True)
            self.vm_boot.pop(vm.netns)

    def _console(self, spec, finished):
        if spec["cloud"] != "aws" or not self.args.aws_control:
            return
        text = console_text(spec, finished)
        try:
            control(self.args.aws_control + "/_aws_double/console-output", {"instance_id": spec["id"], "output": text})
        except OSError as exc:
            self.log("console output of %s not set: %s" % (spec["id"], exc))

    def feedback(self, plane):
        now = time.monotonic()
        if now - self.last["telemetry"] >= self.args.telemetry_interval:
            self.last["telemetry"] = now
            self._aws_telemetry(plane)
        if now - self.last["status"] >= self.args.status_interval:
            self.last["status"] = now
            self._azure_status(plane)

    def _aws_telemetry(self, plane):
        for entry in plane.feedback["aws"]:
            gateway = self.gateways.get(entry["gateway"])
            state = gateway.status(plane.gateways[entry["gateway"]]) if gateway else {}
            bgp = (bgp_view(plane.speakers[entry["gateway"]], self.speakers.evidence(entry["gateway"]))
                   if not entry["static"] and entry["gateway"] in plane.speakers else None)
            tunnels, learned = [], set()
            for tunnel in entry["tunnels"]:
                seen = state.get(tunnel["conn"], {})
                up, message, count = seen.get("status") == "up", "", 0
                if "bgp_peer" in tunnel:
                    # A dynamic connection's tunnel is UP while its BGP session is established.
                    session = (bgp or {"peers": {}})["peers"].get(tunnel["bgp_peer"], {})
                    ipsec_up, up = up, up and session.get("established", False)
                    count = session.get("routes", 0) if up else 0
                    message = "%d BGP ROUTES" % count if up else ("IPSEC IS UP" if ipsec_up else "")
                    learned.update(r["network"] for r in (bgp or {"routes": []})["routes"]
                                   if r["sourcePeer"] == tunnel["bgp_peer"])
                tunnels.append({"outside_ip_address": tunnel["outside_ip_address"],
                                "status": "UP" if up else "DOWN",
                                "status_message": message or ("" if up else seen.get("detail", "IPSEC IS DOWN")),
                                "accepted_route_count": count})
            try:
                control(self.args.aws_control + "/_aws_double/telemetry",
                        {"vpn_connection_id": entry["vpn_connection_id"], "tunnels": tunnels})
                if bgp is not None:
                    # What the VGW learned over this connection's sessions: propagated to the
                    # route tables that ask for it.
                    control(self.args.aws_control + "/_aws_double/bgp-routes",
                            {"vpn_connection_id": entry["vpn_connection_id"], "prefixes": sorted(learned)})
            except OSError as exc:
                self.log("telemetry of %s not set: %s" % (entry["vpn_connection_id"], exc))

    def _azure_status(self, plane):
        for entry in plane.feedback["azure"]:
            # A connection is up from either instance (each brings it up from its own address);
            # its counters add up over both.
            merged, peers, routes = {}, {}, []
            for instance in entry["instances"]:
                gateway = self.gateways.get(instance["netns"])
                state = gateway.status(plane.gateways[instance["netns"]]) if gateway else {}
                for conn in instance["connections"]:
                    seen = state.get(conn["conn"], {})
                    have = merged.setdefault(conn["name"], {"up": False, "connecting": False, "in": 0, "out": 0})
                    have["up"] = have["up"] or seen.get("status") == "up"
                    have["connecting"] = have["connecting"] or "connecting" in seen.get("detail", "").lower()
                    have["in"] += seen.get("bytes_in", 0)
                    have["out"] += seen.get("bytes_out", 0)
                if entry["bgp"] and instance["netns"] in plane.speakers:
                    view = bgp_view(plane.speakers[instance["netns"]], self.speakers.evidence(instance["netns"]))
                    routes += view["routes"]
                    for conn in instance["connections"]:
                        if not conn.get("bgp_peer"):
                            continue  # a connection without BGP on a BGP gateway
                        session = view["peers"].get(conn["bgp_peer"], {})
                        peer = peers.setdefault(conn["bgp_peer"], {"neighbor": conn["bgp_peer"],
                                                                   "state": "Connecting", "routesReceived": 0})
                        if session.get("established"):
                            peer.update(state="Connected", routesReceived=max(peer["routesReceived"], session["routes"]))
            for name, have in sorted(merged.items()):
                status = "Connected" if have["up"] else ("Connecting" if have["connecting"] else "NotConnected")
                try:
                    control(self.args.azure_control + "/_double/connection-status",
                            {"name": name, "connectionStatus": status,
                             "ingressBytesTransferred": have["in"], "egressBytesTransferred": have["out"]})
                except OSError as exc:
                    self.log("status of %s not set: %s" % (name, exc))
            if entry["bgp"]:
                try:
                    control(self.args.azure_control + "/_double/bgp",
                            {"gateway": entry["gateway"], "peers": [peers[k] for k in sorted(peers)],
                             "routes": routes})
                except OSError as exc:
                    self.log("BGP of %s not set: %s" % (entry["gateway"], exc))

    def write_status(self, ok, error=None):
        doc = {"pid": os.getpid(), "rounds": self.rounds, "ok": ok, "error": error,
               "problems": self.problems, "gateways": sorted(self.gateways), "time": time.time()}
        write_atomic(os.path.join(self.dir, "realizer.json"), json.dumps(doc, indent=2), 0o644)

    def run(self):
        signal.signal(signal.SIGTERM, self.stop)
        self.log("realizer started (pid %d)" % os.getpid())
        while self.running:
            started = time.monotonic()
            try:
                self.step()
                self.write_status(True)
            except Exception as exc:  # pylint: disable=broad-except
                # One bad round (a double restarting, a namespace half made) must not end the
                # data plane: say it, and try again next round.
                self.log("round failed: %s\n%s" % (exc, traceback.format_exc()))
                self.write_status(False, str(exc))
            time.sleep(max(0.05, self.args.interval - (time.monotonic() - started)))
        self.log("realizer stopped")

    def stop(self, *_):
        self.running = False


def parse(argv):
    parser = argparse.ArgumentParser(prog="python -m tests.rehearsal.realizer")
    parser.add_argument("--lab", required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--aws-endpoint", default="")
    parser.add_argument("--aws-control", default="")
    parser.add_argument("--azure-control", default="")
    parser.add_argument("--gateway-dir", required=True, help="short directory for the gateways' charon "
                        "(its VICI socket path must fit in 108 bytes)")
    for key, value in DEFAULTS.items():
        parser.add_argument("--" + key.replace("_", "-"), type=float, default=value)
    return parser.parse_args(argv)


def main(argv=None):
    Realizer(parse(sys.argv[1:] if argv is None else argv)).run()


if __name__ == "__main__":
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: probe
short_description: Measure loss, round-trip times and paths from a lab VM to other VMs
version_added: 0.1.0
description:
  - Runs on a lab VM and probes every target with the chosen tools (C(mtr), C(ping), C(tracepath)),
    all probes at once, so the run takes about as long as the slowest single probe. The tools, their
    command lines, parsers and packages are the entries of the measurement registry
    (C(plugins/module_utils/measurements.py)); every entry runs the same way.
  - Returns one measurement per target and loss tool (C(mtr), C(ping)), in the C(measurements[])
    shape of the lab's C(report.json); the results of the other tools (C(tracepath)) are in
    RV(tool_results), under the tool's name.
  - A probe that fails to run, times out or prints output that cannot be parsed does not fail
    the task; its measurement counts every packet as lost and says why in RV(measurements[].error).
  - A probe that lost packets is run a second time once all probes are done (O(remeasure)), with
    less traffic around it; the second result is in RV(measurements[].remeasured), so a reader
    can tell a lost echo under load from a broken path.
  - With O(mtu), finds the largest packet with Don't Fragment set that reaches each target
    whose path crosses the tunnel (O(targets[].tunnel)).
  - With O(throughput), measures TCP throughput with C(iperf3) to each of those targets, one
    after the other, after the probes; an C(iperf3) server must listen there.
  - Needs only the Python standard library on the VM. Intervals below one second need root for
    both C(mtr) and C(ping).
author:
  - multicloud.vpnlab contributors (@multicloud)
attributes:
  check_mode:
    support: full
    details: The module only sends probes and reads their output; it runs in check mode too.
  diff_mode:
    support: N/A
    details: Nothing is changed.
  idempotent:
    support: full
    details: Nothing is changed; measurements naturally differ from run to run.
extends_documentation_fragment:
  - multicloud.vpnlab.attributes
options:
  targets:
    description: The addresses to probe.
    type: list
    elements: dict
    required: true
    suboptions:
      dst:
        description: Name of the destination VM, copied into the measurement.
        type: str
        required: true
      dst_ip:
        description: Address to probe.
        type: str
        required: true
      path:
        description: Which of the destination's addresses O(targets[].dst_ip) is.
        type: str
        required: true
        choices: [private, public]
      tunnel:
        description: Whether the path to this address crosses the VPN tunnel; only those get the path MTU check.
        type: bool
        default: false
  tools:
    description:
      - Tools to probe each target with.
      - C(tracepath) (hops and path MTU) is opt-in - a hop that never answers costs it about 3.5 s,
        up to 10 hops.
      - The module fails naming the package to install when a tool is missing.
    type: list
    elements: str
    choices: [mtr, ping, tracepath]
    default: [mtr, ping]
  count:
    description: Probes (packets) per target and tool.
    type: int
    default: 10
  interval:
    description: Seconds between probes; below V(1) needs root.
    type: float
    default: 0.2
  timeout:
    description:
      - Seconds after which an unfinished probe is killed and recorded as an error.
      - Defaults to O(count) times O(interval) plus 30 seconds (mtr waits a few seconds for late
        replies after its last probe).
    type: float
  src:
    description: Name of this VM, copied into every measurement. Defaults to the host name.
    type: str
  mtu:
    description:
      - When above 0, the size (IP packet, bytes) every target whose path crosses the tunnel must
        carry with the Don't Fragment bit (Azure needs 1400). The module pings that size and one
        byte more, then bisects, to find the largest DF packet that passes (up to 1500). Results
        in RV(mtu_checks). V(0) turns it off.
    type: int
    default: 0
  remeasure:
    description: How many times a probe that lost packets is run again, after all probes are done.
    type: int
    default: 1
  throughput:
    description:
      - Targets to measure TCP throughput to with C(iperf3 --json), one after the other; an
        C(iperf3) server must listen on each (the C(iperf3) package). Results in RV(throughput).
    type: list
    elements: dict
    default: []
    suboptions:
      dst:
        description: Name of the destination VM.
        type: str
        required: true
      dst_ip:
        description: Address of the iperf3 server.
        type: str
        required: true
      path:
        description: Which of the destination's addresses O(throughput[].dst_ip) is.
        type: str
        required: true
        choices: [private, public]
      port:
        description: TCP port of this measurement's iperf3 server; defaults to O(throughput_port).
        type: int
  throughput_seconds:
    description: Seconds each throughput measurement lasts.
    type: int
    default: 3
  throughput_omit:
    description:
      - Seconds each throughput measurement runs first and leaves out of its figures (iperf3
        C(--omit), TCP slow start), on top of O(throughput_seconds). V(0) omits nothing.
    type: int
    default: 0
  throughput_port:
    description: TCP port of the iperf3 servers, unless a target gives its own.
    type: int
    default: 5201
  iperf3_servers:
    description:
      - TCP ports to start a one-off C(iperf3) server on, on this VM, before the probes (for a
        throughput measurement that another VM runs against it next). Each server exits after
        its one client, or after 120 s without one, so nothing is left running; a port with a
        server already listening is reported in RV(iperf3_servers[].error) and not retried.
    type: list
    elements: int
    default: []
notes:
  - Every probe runs with C(LC_ALL=C) so numbers are printed with a decimal point.
seealso:
  - name: mtr
    description: The mtr manual page.
    link: https://manpages.debian.org/bookworm/mtr-tiny/mtr.8.en.html
"""

EXAMPLES = r"""
- name: Probe the other lab VMs on both their addresses
  multicloud.vpnlab.probe:
    src: vm1
    targets:
      - {dst: vm3, dst_ip: 10.2.1.10, path: private}
      - {dst: vm3, dst_ip: 203.0.113.10, path: public}
  register: vm1_probes

- name: A quick ping-only check
  multicloud.vpnlab.probe:
    src: "{{ inventory_hostname }}"
    tools: [ping]
    count: 3
    targets: "{{ vpnlab_probe_targets }}"
"""

RETURN = r"""
measurements:
  description: One record per target and tool, sorted by destination, path and tool.
  returned: always
  type: list
  elements: dict
  contains:
    src:
      description: This VM (O(src)).
      type: str
      sample: vm1
    dst:
      description: Destination VM name.
      type: str
      sample: vm3
    dst_ip:
      description: Address probed.
      type: str
      sample: 10.2.1.10
    path:
      description: V(private) or V(public).
      type: str
    tool:
      description: V(mtr) or V(ping) (the loss tools).
      type: str
    sent:
      description: Probes sent.
      type: int
      sample: 10
    received:
      description: Replies from the destination itself (duplicates not counted).
      type: int
      sample: 10
    loss_pct:
      description: Lost probes in percent; V(100.0) when the destination never answered.
      type: float
      sample: 0.0
    rtt_min_ms:
      description: Best round-trip time in milliseconds, V(null) when nothing came back.
      type: float
      sample: 1.246
    rtt_avg_ms:
      description: Mean round-trip time in milliseconds, V(null) when nothing came back.
      type: float
      sample: 1.371
    rtt_max_ms:
      description: Worst round-trip time in milliseconds, V(null) when nothing came back.
      type: float
      sample: 1.702
    hops:
      description:
        - mtr only, the path as a list of C(hop), C(host) (V(???) when silent), C(loss_pct),
          C(avg_ms). V(null) for ping.
      type: list
      elements: dict
      sample: [{hop: 1, host: 10.1.1.1, loss_pct: 0.0, avg_ms: 0.083}]
    error:
      description: Why the probe produced no measurement, V(null) when it did.
      type: str
      sample: "mtr exited with 1: mtr: Permission denied"
    remeasured:
      description:
        - When the probe lost packets, the same fields (without C(hops)) of its second run,
          after all the others; V(null) when it lost nothing (or O(remeasure) is 0).
      type: dict
      sample: {sent: 10, received: 10, loss_pct: 0.0, rtt_min_ms: 1.1, rtt_avg_ms: 1.3, rtt_max_ms: 1.9, error: null}
tool_results:
  description:
    - The results of the chosen tools that are not loss tools, under the tool's name, one record
      per target, sorted like RV(measurements) - C(src), C(dst), C(dst_ip), C(path), C(tool),
      C(error), and the tool's own fields.
    - C(tracepath) - C(reached), C(hop_count) and C(back) (forward and return hops, when reached),
      C(pmtu) (the path MTU it settled on), C(too_many_hops), C(icmp_error) (the first
      unreachable a router sent, such as V(!N)), C(hops) (C(hop), C(host) (V(null) when silent),
      C(rtt_ms), C(pmtu), C(icmp_error), C(asymm)).
  returned: always
  type: dict
  sample: {tracepath: [{src: vm1, dst: vm3, dst_ip: 10.2.1.10, path: private, tool: tracepath, reached: true, hop_count: 4,
                        back: 4, pmtu: 1400, too_many_hops: false, icmp_error: null, error: null,
                        hops: [{hop: 1, host: 10.1.1.1, rtt_ms: 0.08, pmtu: null, icmp_error: null, asymm: null}]}]}
mtu_checks:
  description:
    - With O(mtu), one check per target whose path crosses the tunnel - C(size) (what the path
      must carry), C(largest) (the largest DF packet that passed, V(null) when none did), C(ok)
      (C(largest) >= C(size)), C(tried) (each size tried and whether it passed), C(error).
  returned: always
  type: list
  elements: dict
  sample: [{src: vm1, dst: vm3, dst_ip: 10.2.1.10, size: 1400, largest: 1400, ok: true, tried: [[1400, true], [1401, false]], error: null}]
throughput:
  description:
    - With O(throughput), one record per target - C(src), C(dst), C(dst_ip), C(path), C(port), C(mbps)
      (received by the server, Mbit/s), C(sender_mbps), C(retransmits) (TCP retransmissions of
      the sender), C(seconds) (measured), C(omitted_s) (run before and left out),
      C(error) (V(null) when it worked).
  returned: always
  type: list
  elements: dict
  sample: [{src: vm1, dst: vm3, dst_ip: 10.2.1.10, path: private, port: 5201, mbps: 612.3, sender_mbps: 615.0, retransmits: 12,
            seconds: 1.0, omitted_s: 0, error: null}]
iperf3_servers:
  description: One record per O(iperf3_servers) port.
  returned: always
  type: list
  elements: dict
  sample: [{port: 5201, error: null}]
  contains:
    port:
      description: The TCP port.
      type: int
    error:
      description: Why the server did not start, V(null) when it did.
      type: str
elapsed_s:
  description: Wall time of all probes together, in seconds.
  returned: always
  type: float
  sample: 7.1
"""

import platform
import time
from concurrent.futures import ThreadPoolExecutor

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.multicloud.vpnlab.plugins.module_utils import measurements
from ansible_collections.multicloud.vpnlab.plugins.module_utils.measurements import (
    DEFAULT_TOOLS, IPERF3_PORTS, PATHS, PROBE_TOOLS, Settings,
)
from ansible_collections.multicloud.vpnlab.plugins.module_utils.probe import (
    MEASUREMENT_KEYS, RESULT_KEYS, ProbeParseError, df_passes, iperf3_server_command, lossy, mtu_result, mtu_search,
)

# iperf3 servers are started just before the client (as a daemon): give them a moment.
IPERF3_TRIES = 6
IPERF3 = measurements.tool("iperf3")
PMTU = measurements.tool("pmtu")


def tool_paths(module, names):
    """Absolute path of each tool's program, failing with the package to install when one is missing."""
    paths = {}
    for name in names:
        entry = measurements.tool(name)
        paths[name] = module.get_bin_path(entry.executable)
        if not paths[name]:
            module.fail_json(msg="%s is not installed on this host: install the %s package "
                                 "(apt-get install %s)" % (entry.executable, entry.debian_package,
                                                           entry.debian_package))
    return paths


def settings(module):
    return Settings(count=module.params["count"], interval=module.params["interval"])


def plan_probes(module, paths):
    """One (target, registry entry, argv) per probe to run: every chosen tool on every target
    whose path the tool measures."""
    params, shape = module.params, settings(module)
    probes = []
    for target in params["targets"]:
        for name in paths:
            entry = measurements.tool(name)
            if target["path"] not in entry.paths:
                continue
            try:
                argv = entry.argv(target["dst_ip"], shape)
            except ValueError as exc:
                module.fail_json(msg="target %s (%s): %s" % (target["dst"], target["path"], exc))
            probes.append((target, entry, [paths[name]] + argv[1:]))
    return probes


def mtu_check(module, ping, target, timeout):
    """The largest DF packet that reaches `target`, by DF pings of chosen sizes."""
    tried = []

    def passes(size):
        shape = Settings(packet_size=size)
        argv = [ping] + PMTU.argv(target["dst_ip"], shape)[1:]
        ok = df_passes(run_one(module, argv, PMTU, target["dst_ip"], shape, timeout))
        tried.append((size, ok))
        return ok

    try:
        largest = mtu_search(passes, module.params["mtu"])
    except ValueError as exc:
        return mtu_result(module.params["mtu"], None, tried, str(exc))
    return mtu_result(module.params["mtu"], largest, tried)


def run_one(module, argv, entry, dst_ip, shape, timeout):
    """Run one probe to the end and interpret what it printed, by its registry entry."""
    # run_command has no timeout: coreutils' timeout bounds each probe (124: it fired).
    cmd = [module.get_bin_path("timeout", required=True), "--kill-after=5", "%g" % timeout] + argv
    program = entry.executable
    try:
        # C locale: mtr formats its numbers with printf, which follows LC_NUMERIC (0,5 vs 0.5).
        rc, stdout, stderr = module.run_command(cmd, environ_update={"LC_ALL": "C"})
    except OSError as exc:
        return entry.failed(shape, "%s could not be started: %s" % (program, exc))
    if rc in (124, 137):
        return entry.failed(shape, "%s timed out and was killed" % program)
    if rc in (126, 127):
        return entry.failed(shape, "%s could not be started: %s" % (program, stderr.strip()))
    return entry.interpret(dst_ip, shape, rc, stdout, stderr)


def record(src, target, entry, result, again=None):
    """A loss tool's measurement (report.json's measurements[]); any other tool's result with
    where it went."""
    fields = dict(result, src=src, dst=target["dst"], dst_ip=target["dst_ip"],
                  path=target["path"], tool=entry.name)
    if entry.kind != "loss":
        return fields
    fields["remeasured"] = None if again is None else {
        key: again.get(key) for key in RESULT_KEYS + ("error",) if key != "hops"}
    return {key: fields[key] for key in MEASUREMENT_KEYS}


def measure(module, pool, probes, timeouts):
    """Every probe at once; then, again, the loss probes that lost packets (with less traffic
    around)."""
    shape = settings(module)
    first = [pool.submit(run_one, module, argv, entry, target["dst_ip"], shape, timeout)
             for (target, entry, argv), timeout in zip(probes, timeouts)]
    results = [future.result() for future in first]
    again = [None] * len(probes)
    for dummy in range(module.params["remeasure"]):
        redo = [i for i, result in enumerate(results)
                if probes[i][1].kind == "loss" and lossy(again[i] or result)]
        futures = {i: pool.submit(run_one, module, probes[i][2], probes[i][1],
                                  probes[i][0]["dst_ip"], shape, timeouts[i]) for i in redo}
        for i, future in futures.items():
            again[i] = future.result()
    return results, again


def iperf3(module, src, target):
    """One iperf3 client run; a refused connection is retried (the server may be starting)."""
    seconds, omit = module.params["throughput_seconds"], module.params["throughput_omit"]
    port = target["port"] or module.params["throughput_port"]
    try:
        command = IPERF3.argv(target["dst_ip"], Settings(seconds=seconds, omit=omit, port=port))
    except ValueError as exc:
        module.fail_json(msg=str(exc))
    argv = [module.get_bin_path("timeout", required=True), "--kill-after=5", "%d" % (seconds + omit + 15),
            module.get_bin_path(IPERF3.executable, required=True)] + command[1:]
    fields = dict(src=src, dst=target["dst"], dst_ip=target["dst_ip"], path=target["path"],
                  port=port, mbps=None, sender_mbps=None, retransmits=None, seconds=None, omitted_s=None)
    for attempt in range(IPERF3_TRIES):
        rc, stdout, stderr = module.run_command(argv, environ_update={"LC_ALL": "C"})
        try:
            return dict(fields, error=None, **IPERF3.parse(stdout, target["dst_ip"], Settings()))
        except ProbeParseError as exc:
            fields["error"] = str(exc) if stdout.strip() else "iperf3 exited with %s: %s" % (
                rc, (stderr or "no output").strip())
        # Refused: the server is still starting; busy: an earlier client is still finishing.
        if not ("refused" in fields["error"] or "busy" in fields["error"]) \
                or attempt == IPERF3_TRIES - 1:
            return fields
        time.sleep(0.5)
    return fields


def start_iperf3_servers(module, ports):
    """One detached one-off iperf3 server per port (iperf3 --daemon returns once it listens)."""
    started, binary = [], module.get_bin_path(IPERF3.executable) if ports else None
    for port in ports:
        try:
            argv = iperf3_server_command(port)
        except ValueError as exc:
            module.fail_json(msg=str(exc))
        if not binary:
            # The probes still run; the throughput measurement will name the missing tool.
            started.append({"port": port, "error": "iperf3 is not installed on this host (package %s)"
                            % IPERF3.debian_package})
            continue
        rc, stdout, stderr = module.run_command([binary] + argv[1:])
        started.append({"port": port, "error": None if rc == 0 else "iperf3 --server exited with %s: %s" % (
            rc, (stderr or stdout or "no output").strip())})
    return started


def run_probes(module):
    params = module.params
    servers = start_iperf3_servers(module, params["iperf3_servers"])
    if params["count"] < 1 or params["interval"] <= 0 or params["remeasure"] < 0:
        module.fail_json(msg="count must be at least 1, interval above 0 and remeasure 0 or more")
    tools = list(dict.fromkeys(params["tools"]))
    probes = plan_probes(module, tool_paths(module, tools))
    timeout = params["timeout"] or params["count"] * params["interval"] + 30
    # A tool that may take longer than the loss probes (tracepath's silent hops) gets its time.
    timeouts = [params["timeout"] or max(timeout, entry.seconds(settings(module)) + 30)
                for dummy, entry, dummy_argv in probes]
    src = params["src"] or platform.node()
    began = time.monotonic()
    tunnel = [t for t in params["targets"] if t["tunnel"]] if params["mtu"] else []
    ping = tool_paths(module, [PMTU.name])[PMTU.name] if tunnel else None
    # One thread per probe: all probes run side by side, so the check takes one probe's time.
    with ThreadPoolExecutor(max_workers=max(1, len(probes) + len(tunnel))) as pool:
        mtu_running = [(t, pool.submit(mtu_check, module, ping, t, timeout)) for t in tunnel]
        results, again = measure(module, pool, probes, timeouts)
        mtu_checks = [dict(future.result(), src=src, dst=t["dst"], dst_ip=t["dst_ip"])
                      for t, future in mtu_running]
    records = [(entry, record(src, target, entry, result, redo))
               for (target, entry, dummy), result, redo in zip(probes, results, again)]
    records.sort(key=lambda r: (r[1]["dst"], r[1]["path"], r[1]["tool"], r[1]["dst_ip"]))
    measurements_ = [fields for entry, fields in records if entry.kind == "loss"]
    others = {}
    for entry, fields in records:
        if entry.kind != "loss":
            others.setdefault(entry.name, []).append(fields)
    if params["throughput"]:
        tool_paths(module, [IPERF3.name])
    throughput = [iperf3(module, src, target) for target in params["throughput"]]
    module.exit_json(changed=False, measurements=measurements_, tool_results=others, mtu_checks=mtu_checks,
                     throughput=throughput, iperf3_servers=servers,
                     elapsed_s=round(time.monotonic() - began, 3))


def main():
    argument_spec = dict(
        targets=dict(type="list", elements="dict", required=True, options=dict(
            dst=dict(type="str", required=True),
            dst_ip=dict(type="str", required=True),
            path=dict(type="str", required=True, choices=list(PATHS)),
            tunnel=dict(type="bool", default=False),
        )),
        tools=dict(type="list", elements="str", choices=list(PROBE_TOOLS), default=list(DEFAULT_TOOLS)),
        count=dict(type="int", default=10),
        interval=dict(type="float", default=0.2),
        timeout=dict(type="float"),
        mtu=dict(type="int", default=0),
        remeasure=dict(type="int", default=1),
        throughput=dict(type="list", elements="dict", default=[], options=dict(
            dst=dict(type="str", required=True),
            dst_ip=dict(type="str", required=True),
            path=dict(type="str", required=True, choices=list(PATHS)),
            port=dict(type="int"),
        )),
        throughput_seconds=dict(type="int", default=3),
        throughput_omit=dict(type="int", default=0),
        throughput_port=dict(type="int", default=IPERF3_PORTS["private"]),
        iperf3_servers=dict(type="list", elements="int", default=[]),
        src=dict(type="str"),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    run_probes(module)


if __name__ == "__main__":
    main()

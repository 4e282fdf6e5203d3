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
  - Runs on a lab VM and probes every target with C(mtr) and/or C(ping), all probes at once,
    so the run takes about as long as the slowest single probe.
  - Returns one measurement per target and tool, in the C(measurements[]) shape of the lab's
    C(report.json).
  - A probe that fails to run, times out or prints output that cannot be parsed does not fail
    the task; its measurement counts every packet as lost and says why in RV(measurements[].error).
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
  tools:
    description:
      - Tools to probe each target with.
      - C(mtr) comes from the C(mtr-tiny) package, C(ping) from C(iputils-ping); the module fails
        naming the package when a tool is missing.
    type: list
    elements: str
    choices: [mtr, ping]
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
      - When above 0, also sends 3 pings of exactly this many bytes (IP packet) with the Don't
        Fragment bit to every private target, to show that the path through the tunnel carries
        them (Azure needs 1400). Results in RV(mtu_checks). V(0) turns it off.
    type: int
    default: 0
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
      description: V(mtr) or V(ping).
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
mtu_checks:
  description: With O(mtu), one DF ping check per private target.
  returned: always
  type: list
  elements: dict
  sample: [{src: vm1, dst: vm3, dst_ip: 10.2.1.10, size: 1400, sent: 3, received: 3, ok: true, error: null}]
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
from ansible_collections.multicloud.vpnlab.plugins.module_utils.probe import (
    MEASUREMENT_KEYS, MTU_ECHOES, PACKAGES, PATHS, TOOLS, df_ping_command, failed_result,
    interpret, mtu_result, probe_commands,
)


def tool_paths(module, tools):
    """Absolute path of each tool, failing with the package to install when one is missing."""
    paths = {}
    for tool in tools:
        paths[tool] = module.get_bin_path(tool)
        if not paths[tool]:
            module.fail_json(msg="%s is not installed on this host: install the %s package "
                                 "(apt-get install %s)" % (tool, PACKAGES[tool], PACKAGES[tool]))
    return paths


def plan_probes(module, paths):
    """One (target, tool, argv) per probe to run."""
    params = module.params
    probes = []
    for target in params["targets"]:
        for tool in paths:
            try:
                argv = probe_commands(target["dst_ip"], tool, params["count"], params["interval"])
            except ValueError as exc:
                module.fail_json(msg="target %s (%s): %s" % (target["dst"], target["path"], exc))
            probes.append((target, tool, [paths[tool]] + argv[1:]))
    return probes


def plan_df_probes(module, ping):
    """One (target, argv) DF ping per private target: the path MTU through the tunnel."""
    probes = []
    for target in module.params["targets"]:
        if target["path"] != "private":
            continue
        try:
            argv = df_ping_command(target["dst_ip"], module.params["mtu"])
        except ValueError as exc:
            module.fail_json(msg="target %s: %s" % (target["dst"], exc))
        probes.append((target, [ping] + argv[1:]))
    return probes


def run_one(module, argv, tool, dst_ip, count, timeout):
    """Run one probe to the end and interpret what it printed."""
    # run_command has no timeout: coreutils' timeout bounds each probe (124: it fired).
    cmd = [module.get_bin_path("timeout", required=True), "--kill-after=5", "%g" % timeout] + argv
    try:
        # C locale: mtr formats its numbers with printf, which follows LC_NUMERIC (0,5 vs 0.5).
        rc, stdout, stderr = module.run_command(cmd, environ_update={"LC_ALL": "C"})
    except OSError as exc:
        return failed_result(count, "%s could not be started: %s" % (tool, exc))
    if rc in (124, 137):
        return failed_result(count, "%s timed out and was killed" % tool)
    if rc in (126, 127):
        return failed_result(count, "%s could not be started: %s" % (tool, stderr.strip()))
    return interpret(tool, dst_ip, count, rc, stdout, stderr)


def record(src, target, tool, result):
    fields = dict(result, src=src, dst=target["dst"], dst_ip=target["dst_ip"],
                  path=target["path"], tool=tool)
    return {key: fields[key] for key in MEASUREMENT_KEYS}


def run_probes(module):
    params = module.params
    if params["count"] < 1 or params["interval"] <= 0:
        module.fail_json(msg="count must be at least 1 and interval above 0")
    tools = list(dict.fromkeys(params["tools"]))
    probes = plan_probes(module, tool_paths(module, tools))
    timeout = params["timeout"] or params["count"] * params["interval"] + 30
    src = params["src"] or platform.node()
    began = time.monotonic()
    df_probes = plan_df_probes(module, tool_paths(module, ["ping"])["ping"]) if params["mtu"] else []
    # One thread per probe: all probes run side by side, so the check takes one probe's time.
    with ThreadPoolExecutor(max_workers=len(probes) + len(df_probes)) as pool:
        running = [(target, tool, pool.submit(run_one, module, argv, tool, target["dst_ip"],
                                              params["count"], timeout))
                   for target, tool, argv in probes]
        df_running = [(target, pool.submit(run_one, module, argv, "ping", target["dst_ip"],
                                           MTU_ECHOES, timeout))
                      for target, argv in df_probes]
        measurements = [record(src, target, tool, future.result())
                        for target, tool, future in running]
        mtu_checks = [dict(mtu_result(params["mtu"], future.result()), dst=target["dst"],
                           dst_ip=target["dst_ip"]) for target, future in df_running]
    measurements.sort(key=lambda m: (m["dst"], m["path"], m["tool"], m["dst_ip"]))
    module.exit_json(changed=False, measurements=measurements,
                     mtu_checks=[dict(check, src=src) for check in mtu_checks],
                     elapsed_s=round(time.monotonic() - began, 3))


def main():
    argument_spec = dict(
        targets=dict(type="list", elements="dict", required=True, options=dict(
            dst=dict(type="str", required=True),
            dst_ip=dict(type="str", required=True),
            path=dict(type="str", required=True, choices=list(PATHS)),
        )),
        tools=dict(type="list", elements="str", choices=list(TOOLS), default=list(TOOLS)),
        count=dict(type="int", default=10),
        interval=dict(type="float", default=0.2),
        timeout=dict(type="float"),
        mtu=dict(type="int", default=0),
        src=dict(type="str"),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    run_probes(module)


if __name__ == "__main__":
    main()

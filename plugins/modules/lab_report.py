#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: lab_report
short_description: Build the lab's connectivity report and write report.json
version_added: 0.1.0
description:
  - Builds the report from the probes' measurements and the tunnel counters read before, between
    and after the private and public probe phases, decides the verdict and writes
    C(report.json) to the lab's state directory. The connectivity_check role renders C(report.md)
    and C(report.html) from the returned report with its templates.
  - With O(pages), also renders C(report.html) and/or C(report.md) from the report's view model
    (the P(multicloud.vpnlab.report_view#filter) filter computes it) with the templates C(<page>.j2) of the calling
    role, in the same step, on the controller (the module's action plugin does it all there,
    without a module process).
  - The module does not fail on a bad verdict; the caller decides (the role fails the play).
author:
  - multicloud.vpnlab contributors (@multicloud)
attributes:
  check_mode:
    support: full
    details: Builds the report and returns it without writing files.
  diff_mode:
    support: none
    details: The report changes with every measurement.
  idempotent:
    support: none
    details: Every run writes new measurements.
extends_documentation_fragment:
  - multicloud.vpnlab.attributes
options:
  lab:
    description: Lab name.
    type: str
    required: true
  target:
    description: V(local) or V(cloud).
    type: str
    required: true
  vms:
    description: The VMs, each C(name), C(cloud), C(private_ip), C(public_ip).
    type: list
    elements: dict
    required: true
  measurements:
    description: Measurements from M(multicloud.vpnlab.probe), besides those in O(runs).
    type: list
    elements: dict
    default: []
  runs:
    description:
      - Each VM's probe results as Ansible registered them - C(vm) (its name), C(private) and
        C(public) (the results of the M(multicloud.vpnlab.probe) tasks, which may be
        unreachable, failed or skipped). Their measurements, MTU checks and other tools' results
        (C(tool_results), such as tracepath's) go into the report, and a VM whose SSH failed or whose probe could not run is a finding with the error.
    type: list
    elements: dict
    default: []
  throughput:
    description:
      - Throughput records from M(multicloud.vpnlab.probe) (RV(multicloud.vpnlab.probe#module:throughput)).
      - Omit it when throughput was not measured; the report then says so.
    type: list
    elements: dict
  networks:
    description: The private networks, C(azure) (the VNet's CIDR) and C(aws) (the VPC's), named in the causes of lost paths.
    type: dict
    default: {}
  mss_clamp:
    description: The TCP MSS the gateways clamp to, reported with the path MTU checks.
    type: int
  require_all_tunnels:
    description: Whether a tunnel down while another carries the traffic fails the verdict (else it is V(degraded)).
    type: bool
    default: false
  failover:
    description: A failover measurement to keep in the report (outage seconds and what was cut).
    type: dict
  counter_min_growth_bytes:
    description:
      - The growth of the tunnels' ESP byte counters (both directions together) during the private
        probes that counts as their traffic; less, while private paths to the other cloud
        answered, means their traffic took another way.
    type: int
    default: 1
  counter_settle_seconds:
    description:
      - The longest the caller waited after the private probes for lagging counters to show them
        (a cloud's counters refresh every few minutes). V(0) - the counters are read live, and no
        growth fails the verdict at once.
      - With more than V(0), counters that still had not grown are a warning (cloud counters
        lag), unless a private probe across the tunnel failed, and growth during the public
        probes after them is a warning too (it may be the private probes' bytes counted late).
    type: int
    default: 0
  counter_waited_seconds:
    description: How long the caller did wait for the counters (at most O(counter_settle_seconds)).
    type: int
    default: 0
  evidence:
    description:
      - The tunnel evidence read at each phase - C(before) the private probes, C(mid) between
        the private and the public probes, C(after) the public probes - each a list of
        C(name), C(outside_ip), C(status) (V(up), V(down) or V(unknown)), C(bytes_in),
        C(bytes_out), C(source), C(detail), as the target's evidence source returns them.
    type: dict
    required: true
  mtu_checks:
    description: Path MTU checks from M(multicloud.vpnlab.probe), besides those in O(runs); one below O(mtu) fails the verdict.
    type: list
    elements: dict
    default: []
  mtu:
    description: The IP packet size the tunnel paths must carry with Don't Fragment set; V(0) when not checked.
    type: int
    default: 1400
  tools:
    description: The tools the VMs measured with; only their measurements are expected.
    type: list
    elements: str
    choices: [mtr, ping]
    default: [mtr, ping]
  probes:
    description:
      - Whether the VMs were probed. V(false) (the cloud target on emulators, say) expects no
        measurement; the verdict is then at best V(degraded), never V(pass).
    type: bool
    default: true
  probes_reason:
    description: Why the VMs were not probed, for the report.
    type: str
  require_public:
    description: Whether loss on a public path fails the verdict (else a warning).
    type: bool
    default: true
  state_dir:
    description: Where to write C(report.json) and the pages.
    type: path
    required: true
  pages:
    description:
      - Pages to render from the report next to C(report.json), each from the template
        C(<page>.j2) found in the calling role's C(templates) (or the playbook's).
    type: list
    elements: str
    choices: [report.html, report.md]
    default: []
  page_network:
    description:
      - What the plan knows and the report does not hold, for the pages' topology and MTU
        chart - C(azure_vnet_cidr), C(aws_vpc_cidr), C(azure_gateway_ip), C(tcp_mss).
    type: dict
    default: {}
  routing:
    description:
      - The BGP design's routing evidence (C(vpnlab_routing=bgp)) - C(mode) V(bgp) and
        C(speakers), by name C(side), C(expects) (the other cloud's prefix), C(expects_via)
        (the next hops a router should reach it through; optional), C(sessions) and C(routes) as
        the speakers report them. A router that has not learned what it expects fails the
        verdict; a gateway that has not, or a router that reaches it through fewer next hops
        than C(expects_via) names, makes it degraded. Omit it with static routing.
    type: dict
"""

EXAMPLES = r"""
- name: Write the report
  multicloud.vpnlab.lab_report:
    lab: "{{ vpnlab_plan.lab }}"
    target: "{{ vpnlab_plan.target }}"
    vms: "{{ vms }}"
    measurements: "{{ measurements }}"
    evidence:
      before: "{{ tunnels_before }}"
      mid: "{{ tunnels_mid }}"
      after: "{{ tunnels_after }}"
    state_dir: "{{ vpnlab_plan.state_dir }}"
  register: report
"""

RETURN = r"""
report:
  description: The report (the content of report.json).
  returned: always
  type: dict
verdict:
  description:
    - C(ok), C(level) (V(pass), V(degraded) or V(fail)), C(failures), C(warnings), C(findings)
      (each C(severity), C(object), C(problem), C(cause), C(evidence), C(text)) and C(headline)
      (one line saying the level and what matters most).
  returned: always
  type: dict
  sample: {ok: true, level: pass, failures: [], warnings: [], findings: [],
           headline: "PASS: 24 measurements, no loss that repeated, tunnels up/up"}
files:
  description: Paths of the files written.
  returned: always
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting.files import (
    ARGUMENT_SPEC, report_from, report_json, write_files,
)


def ensure_present(module):
    if module.params["pages"]:
        # The pages' templates are the role's, on the controller: the action plugin renders them.
        module.fail_json(msg="pages are rendered by the lab_report action plugin on the controller; "
                             "run the module through Ansible, not on its own")
    report = report_from(module.params)
    files = write_files(module.params["state_dir"], {"report.json": report_json(report)},
                        check_mode=module.check_mode)
    module.exit_json(changed=not module.check_mode, report=report, verdict=report["verdict"],
                     files=files)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    ensure_present(module)


if __name__ == "__main__":
    main()

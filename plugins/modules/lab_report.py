#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: lab_report
short_description: Write the lab's connectivity report (report.json, report.md, report.html)
version_added: 0.1.0
description:
  - Builds the report from the probes' measurements and the tunnel counters read before, between
    and after the private and public probe phases, decides the verdict and writes
    C(report.json), C(report.md) (RTT matrix, private vs public) and C(report.html) to the
    lab's state directory.
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
    description: Measurements from M(multicloud.vpnlab.probe).
    type: list
    elements: dict
    required: true
  tunnels_before:
    description: Tunnels before the private probes (M(multicloud.vpnlab.tunnel_status)).
    type: list
    elements: dict
    required: true
  tunnels_mid:
    description: Tunnels after the private probes, before the public ones.
    type: list
    elements: dict
    required: true
  tunnels_after:
    description: Tunnels after the public probes.
    type: list
    elements: dict
    required: true
  mtu_checks:
    description: Don't-Fragment ping checks from M(multicloud.vpnlab.probe); one that failed fails the verdict.
    type: list
    elements: dict
    default: []
  require_public:
    description: Whether loss on a public path fails the verdict (else a warning).
    type: bool
    default: true
  state_dir:
    description: Where to write the three files.
    type: path
    required: true
"""

EXAMPLES = r"""
- name: Write the report
  multicloud.vpnlab.lab_report:
    lab: "{{ vpnlab_plan.lab }}"
    target: "{{ vpnlab_plan.target }}"
    vms: "{{ vms }}"
    measurements: "{{ measurements }}"
    tunnels_before: "{{ before.tunnels }}"
    tunnels_mid: "{{ mid.tunnels }}"
    tunnels_after: "{{ after.tunnels }}"
    state_dir: "{{ vpnlab_plan.state_dir }}"
  register: report
"""

RETURN = r"""
report:
  description: The report (the content of report.json).
  returned: always
  type: dict
verdict:
  description: C(ok), C(failures), C(warnings).
  returned: always
  type: dict
  sample: {ok: true, failures: [], warnings: []}
files:
  description: Paths of the files written.
  returned: always
  type: list
  elements: str
"""

import json
import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.multicloud.vpnlab.plugins.module_utils.files import write_atomic
from ansible_collections.multicloud.vpnlab.plugins.module_utils.report import (
    build_report, render_html, render_markdown,
)


def ensure_present(module):
    p = module.params
    report = build_report(p["lab"], p["target"], p["vms"], p["tunnels_before"], p["tunnels_mid"],
                          p["tunnels_after"], p["measurements"], require_public=p["require_public"],
                          mtu_checks=p["mtu_checks"])
    contents = {"report.json": json.dumps(report, indent=2, sort_keys=True) + "\n",
                "report.md": render_markdown(report), "report.html": render_html(report)}
    files = [os.path.join(p["state_dir"], name) for name in sorted(contents)]
    if not module.check_mode:
        os.makedirs(p["state_dir"], mode=0o700, exist_ok=True)
        for name, text in contents.items():
            # Reports hold no secrets; readable, to be shared.
            write_atomic(os.path.join(p["state_dir"], name), text, mode=0o644)
    module.exit_json(changed=not module.check_mode, report=report, verdict=report["verdict"],
                     files=files)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            lab=dict(type="str", required=True),
            target=dict(type="str", required=True),
            vms=dict(type="list", elements="dict", required=True),
            measurements=dict(type="list", elements="dict", required=True),
            tunnels_before=dict(type="list", elements="dict", required=True),
            tunnels_mid=dict(type="list", elements="dict", required=True),
            tunnels_after=dict(type="list", elements="dict", required=True),
            require_public=dict(type="bool", default=True),
            mtu_checks=dict(type="list", elements="dict", default=[]),
            state_dir=dict(type="path", required=True),
        ),
        supports_check_mode=True,
    )
    ensure_present(module)


if __name__ == "__main__":
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: local_teardown
short_description: Remove everything a local lab made, then check that nothing is left
version_added: 0.1.0
description:
  - Local target only. Works on a whole lab, a half-built one, or one already gone.
  - Stops every process in one of the lab's network namespaces (as C(ip netns pids) finds them),
    and the strongSwan and sshd daemons named by the pid files in the state dir if they still
    run - SIGTERM, up to 3 seconds to exit, then SIGKILL.
  - Deletes the lab's namespaces (every entry of C(/run/netns) starting with O(netns_prefix))
    and unmounts them, removes the lab's guard routes from the host namespace
    (M(multicloud.vpnlab.host_guard)), and empties the state dir but for O(keep).
  - Then checks for leaks - namespaces, processes in a lab namespace or using the state dir,
    namespace mounts, guard routes, files - and fails naming each one left.
  - Never touches another lab's namespaces - lab C(a)'s prefix C(vpnlab-a.) does not match lab
    C(a-b)'s C(vpnlab-a-b.inet), as a lab name never contains a dot - nor any namespace not named
    C(vpnlab-...).
author:
  - multicloud.vpnlab contributors (@multicloud)
attributes:
  check_mode:
    support: full
    details: Reports what would be removed, removes nothing and skips the leak check.
  diff_mode:
    support: none
    details: The C(removed) result lists everything removed instead.
  idempotent:
    support: full
    details: A second run finds nothing to remove and reports no change.
extends_documentation_fragment:
  - multicloud.vpnlab.attributes
options:
  lab:
    description:
      - The lab name (C(vpnlab_name)). The state dir's last component must be this name; it
        also determines the guard routes' metric.
    type: str
    required: true
  netns_prefix:
    description:
      - Prefix of the lab's namespace names, C(vpnlab-<lab>.) (the plan's
        C(local.netns_prefix)). It must be exactly C(vpnlab-), the O(lab) name and a dot;
        anything else is refused, so that no other lab's or foreign namespace can match.
    type: str
    required: true
  state_dir:
    description:
      - The lab's state dir, C(~/.vpnlab/<lab>). Its top-level entries are removed but those
        matching O(keep); the dir itself is removed when nothing is kept. Must not be a
        symbolic link.
    type: path
    required: true
  keep:
    description:
      - Shell-style globs of top-level entry names to keep in the state dir.
    type: list
    elements: str
    default: [report.json, report.md, report.html]
  guard:
    description:
      - Also remove the lab's guard routes from the host namespace.
    type: bool
    default: true
requirements:
  - pyroute2
  - root in the host namespace
seealso:
  - module: multicloud.vpnlab.host_guard
  - module: multicloud.vpnlab.local_netns
"""

EXAMPLES = r"""
- name: Tear the local lab down, keeping its report
  multicloud.vpnlab.local_teardown:
    lab: "{{ vpnlab_plan.lab }}"
    netns_prefix: "{{ vpnlab_plan.local.netns_prefix }}"
    state_dir: "{{ vpnlab_plan.state_dir }}"

- name: Remove everything, the report too
  multicloud.vpnlab.local_teardown:
    lab: vpntest
    netns_prefix: vpnlab-vpntest.
    state_dir: ~/.vpnlab/vpntest
    keep: []
"""

RETURN = r"""
removed:
  description: What was removed (or would be, in check mode).
  returned: always
  type: dict
  contains:
    netns:
      description: Network namespaces deleted.
      type: list
      elements: str
      sample: ["vpnlab-vpntest.azgw", "vpnlab-vpntest.inet"]
    pids:
      description: Processes signalled.
      type: list
      elements: int
      sample: [4242, 4250]
    routes:
      description: Guard routes removed from the host namespace.
      type: list
      elements: str
      sample: ["10.1.0.0/16", "198.51.100.0/24"]
    files:
      description: State dir entries removed, directories with a trailing C(/); the state dir
        itself, as an absolute path, when it was removed.
      type: list
      elements: str
      sample: ["gateways/", "id_ed25519", "id_ed25519.pub", "vpn-connection.json"]
leaks:
  description: Everything left after the teardown, one line each; empty in check mode.
  returned: always
  type: list
  elements: str
  sample: ["network namespace vpnlab-vpntest.vm1", "process 4242 (/usr/lib/ipsec/charon) in a lab network namespace"]
"""

import os
import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.guard import (
    LabRoutes, RouteDriver,
)
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.netlink import (
    HAS_PYROUTE2, PYROUTE2_IMPORT_ERROR, NetlinkError,
)
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.teardown import (
    DEFAULT_KEEP, SystemDriver, Teardown, prefix_problems, state_dir_problems,
)


def ensure_absent(module):
    p = module.params
    state_dir = os.path.normpath(p["state_dir"])
    problems = prefix_problems(p["netns_prefix"], p["lab"]) + state_dir_problems(
        state_dir, p["lab"], os.path.islink(state_dir))
    if problems:
        module.fail_json(msg="; ".join(problems), problems=problems)
    routes = LabRoutes(p["lab"], RouteDriver()) if p["guard"] else None
    try:
        teardown = Teardown(SystemDriver(), routes, p["netns_prefix"], state_dir, p["keep"])
        removed = teardown.run(module.check_mode)
        leaks = [] if module.check_mode else teardown.leaks()
    except (OSError, NetlinkError) as exc:
        module.fail_json(msg="teardown failed: %s" % exc, exception=traceback.format_exc())
    changed = any(removed.values())
    if leaks:
        module.fail_json(msg="left after teardown: %s" % "; ".join(leaks), leaks=leaks,
                         removed=removed, changed=changed)
    module.exit_json(changed=changed, removed=removed, leaks=leaks)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            lab=dict(type="str", required=True),
            netns_prefix=dict(type="str", required=True),
            state_dir=dict(type="path", required=True),
            keep=dict(type="list", elements="str", default=list(DEFAULT_KEEP)),
            guard=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )
    if not HAS_PYROUTE2:
        module.fail_json(msg=missing_required_lib("pyroute2"), exception=PYROUTE2_IMPORT_ERROR)
    ensure_absent(module)


if __name__ == "__main__":
    main()

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
    and the strongSwan and sshd daemons named by O(pidfiles) if they still run - SIGTERM, up to
    3 seconds to exit, then SIGKILL.
  - Deletes the lab's namespaces (every entry of C(/run/netns) starting with O(netns_prefix))
    and unmounts them, and removes the lab's guard routes from the host namespace
    (M(multicloud.vpnlab.host_guard)).
  - Then checks for leaks - namespaces, processes in a lab namespace or using the state dir,
    namespace mounts, guard routes - and fails naming each one left.
  - Deletes no file. The state dir is emptied afterwards by M(multicloud.vpnlab.lab_state), and
    only when it carries the lab's C(.vpnlab-lab) marker. Without that marker the state dir is
    not the lab's, so its pid files are not read and processes using it are not the lab's.
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
      - The lab name (C(vpnlab_name)). It determines the guard routes' metric and is checked
        against the state dir's marker.
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
      - The lab's state dir, C(~/.vpnlab/<lab>) (absolute). Nothing in it is deleted here.
    type: path
    required: true
  pidfiles:
    description:
      - Pid files of the lab's daemons, for a daemon whose namespace entry is already gone.
        A pid counts only when the live process runs O(pidfiles[].program), since a stale pid
        file may name a recycled pid. Read only when the state dir is the lab's (marked).
      - The teardown role passes the plan's gateway directories' C(charon.pid) and each VM's
        C(sshd.pid).
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: The pid file.
        type: path
        required: true
      program:
        description: The daemon's program name, as the first word of its C(argv[0]).
        type: str
        required: true
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
  - module: multicloud.vpnlab.lab_state
"""

EXAMPLES = r"""
- name: Tear the local lab down
  multicloud.vpnlab.local_teardown:
    lab: "{{ vpnlab_plan.lab }}"
    netns_prefix: "{{ vpnlab_plan.local.netns_prefix }}"
    state_dir: "{{ vpnlab_plan.state_dir }}"
    pidfiles:
      - path: "{{ vpnlab_plan.local.gateway_dirs.azure }}/charon.pid"
        program: charon

- name: Then empty its state directory, keeping the reports
  multicloud.vpnlab.lab_state:
    path: "{{ vpnlab_plan.state_dir }}"
    lab: "{{ vpnlab_plan.lab }}"
    state: absent
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
state_dir_owned:
  description: Whether the state dir carries the lab's marker (its pid files were read).
  returned: always
  type: bool
  sample: true
leaks:
  description: Everything left after the teardown, one line each; empty in check mode.
  returned: always
  type: list
  elements: str
  sample: ["network namespace vpnlab-vpntest.vm1", "process 4242 (/usr/lib/ipsec/charon) in a lab network namespace"]
"""

import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.guard import (
    LabRoutes, RouteDriver,
)
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.netlink import (
    HAS_PYROUTE2, PYROUTE2_IMPORT_ERROR, NetlinkError,
)
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.teardown import (
    SystemDriver, Teardown, prefix_problems,
)
from ansible_collections.multicloud.vpnlab.plugins.module_utils.statedir import (
    is_marked, path_problems,
)


def ensure_absent(module):
    p = module.params
    problems = prefix_problems(p["netns_prefix"], p["lab"]) + path_problems(p["state_dir"])
    if problems:
        module.fail_json(msg="; ".join(problems), problems=problems)
    owned = is_marked(p["state_dir"], p["lab"])
    pidfiles = [(f["path"], f["program"]) for f in p["pidfiles"]]
    routes = LabRoutes(p["lab"], RouteDriver()) if p["guard"] else None
    try:
        teardown = Teardown(SystemDriver(), routes, p["netns_prefix"],
                            p["state_dir"] if owned else None, pidfiles)
        removed = teardown.run(module.check_mode)
        leaks = [] if module.check_mode else teardown.leaks()
    except (OSError, NetlinkError) as exc:
        module.fail_json(msg="teardown failed: %s" % exc, exception=traceback.format_exc())
    changed = any(removed.values())
    if leaks:
        module.fail_json(msg="left after teardown: %s" % "; ".join(leaks), leaks=leaks,
                         removed=removed, changed=changed, state_dir_owned=owned)
    module.exit_json(changed=changed, removed=removed, leaks=leaks, state_dir_owned=owned)


def module_spec():
    """AnsibleModule's arguments: the module's, and its action plugin's (which runs run()
    in the controller's process, plugins/plugin_utils/in_process.py)."""
    return dict(
        argument_spec=dict(
            lab=dict(type="str", required=True),
            netns_prefix=dict(type="str", required=True),
            state_dir=dict(type="path", required=True),
            pidfiles=dict(type="list", elements="dict", default=[], options=dict(
                path=dict(type="path", required=True),
                program=dict(type="str", required=True),
            )),
            guard=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )


def run(module):
    if not HAS_PYROUTE2:
        module.fail_json(msg=missing_required_lib("pyroute2"), exception=PYROUTE2_IMPORT_ERROR)
    ensure_absent(module)


def main():
    run(AnsibleModule(**module_spec()))


if __name__ == "__main__":
    main()

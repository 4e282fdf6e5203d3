#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: host_guard
short_description: Safety-net unreachable routes in the host namespace for a local lab
version_added: 0.1.0
description:
  - Local target only. While a local lab exists, the host's own network namespace holds an
    C(unreachable) route for each of the lab's private CIDRs and public ranges, so a mistaken
    connection from the host (an inventory without the ProxyCommand, say) fails at once instead
    of leaving the machine.
  - The routes carry protocol 222 and a metric derived from the lab name (3000 to 52999), so
    two labs with the same ranges each own their routes and V(absent) removes only this lab's.
  - Refuses a default route and any CIDR overlapping one of the host's own networks (its
    addresses and non-default routes), which a guard would cut the host off from.
author:
  - multicloud.vpnlab contributors (@multicloud)
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: Shows the lab's guard routes before and after, one destination a line.
  idempotent:
    support: full
extends_documentation_fragment:
  - multicloud.vpnlab.attributes
options:
  lab:
    description:
      - The lab name (C(vpnlab_name)); it determines the routes' metric.
    type: str
    required: true
  routes:
    description:
      - CIDRs to guard, IPv4 or IPv6. Host bits are ignored.
      - Required when O(state=present). V(present) only adds; it removes no route of the lab.
    type: list
    elements: str
  state:
    description:
      - V(present) adds the missing guard routes, V(absent) removes every guard route of the
        lab, whatever its destination.
    type: str
    choices: [present, absent]
    default: present
requirements:
  - pyroute2
  - root (CAP_NET_ADMIN) in the host namespace
seealso:
  - module: multicloud.vpnlab.local_teardown
  - module: multicloud.vpnlab.lab_plan
"""

EXAMPLES = r"""
- name: Guard the lab's ranges in the host namespace
  multicloud.vpnlab.host_guard:
    lab: "{{ vpnlab_plan.lab }}"
    routes:
      - 10.1.0.0/16
      - 10.2.0.0/16
      - 198.51.100.0/24
      - 203.0.113.0/24

- name: Remove the lab's guard routes
  multicloud.vpnlab.host_guard:
    lab: vpntest
    state: absent
"""

RETURN = r"""
routes:
  description: Destinations of the lab's guard routes after the run (would be, in check mode).
  returned: always
  type: list
  elements: str
  sample: ["10.1.0.0/16", "10.2.0.0/16", "198.51.100.0/24", "203.0.113.0/24"]
added:
  description: Destinations added (or that would be).
  returned: always
  type: list
  elements: str
  sample: ["10.2.0.0/16"]
removed:
  description: Destinations removed (or that would be).
  returned: always
  type: list
  elements: str
  sample: []
metric:
  description: The lab's route metric.
  returned: always
  type: int
  sample: 31337
"""

import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.netlink import (
    HAS_PYROUTE2, PYROUTE2_IMPORT_ERROR, NetlinkError,
)
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.guard import (
    GUARD_PROTO, LabRoutes, RouteDriver,
    guard_metric, normalise_cidrs, overlapping_host_networks, own_routes, routes_after,
    routes_to_add,
)
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.hostnet import host_networks


def _exit(module, before, added, removed, metric):
    after = routes_after(before, added, removed)
    result = dict(changed=bool(added or removed), routes=after, added=added, removed=removed,
                  metric=metric)
    if module._diff:
        result["diff"] = {"before": "".join(r + "\n" for r in before),
                          "after": "".join(r + "\n" for r in after)}
    module.exit_json(**result)


def ensure_present(module, driver):
    lab = module.params["lab"]
    metric = guard_metric(lab)
    try:
        wanted = normalise_cidrs(module.params["routes"])
    except ValueError as exc:
        module.fail_json(msg="routes: %s" % exc)
    observed = driver.observe()
    host_nets = host_networks() + [r["dst"] for r in observed if r["proto"] != GUARD_PROTO]
    clashes = overlapping_host_networks(wanted, host_nets)
    if clashes:
        module.fail_json(msg="refusing to guard ranges the host itself uses: %s" % ", ".join(
            "%s overlaps %s" % pair for pair in clashes))
    before = own_routes(observed, metric)
    added = routes_to_add(wanted, observed, metric)
    if not module.check_mode:
        try:
            for cidr in added:
                driver.add(cidr, metric)
        except (NetlinkError, OSError) as exc:
            module.fail_json(msg="could not add guard route: %s" % exc,
                             exception=traceback.format_exc())
    _exit(module, before, added, [], metric)


def ensure_absent(module, driver):
    routes = LabRoutes(module.params["lab"], driver)
    before = routes.remaining()
    try:
        removed = routes.remove(module.check_mode)
    except (NetlinkError, OSError) as exc:
        module.fail_json(msg="could not remove guard route: %s" % exc,
                         exception=traceback.format_exc())
    _exit(module, before, [], removed, routes.metric)


def module_spec():
    """AnsibleModule's arguments: the module's, and its action plugin's (which runs run()
    in the controller's process, plugins/plugin_utils/in_process.py)."""
    return dict(
        argument_spec=dict(
            lab=dict(type="str", required=True),
            routes=dict(type="list", elements="str"),
            state=dict(type="str", choices=["present", "absent"], default="present"),
        ),
        required_if=[("state", "present", ["routes"])],
        supports_check_mode=True,
    )


def run(module):
    if not HAS_PYROUTE2:
        module.fail_json(msg=missing_required_lib("pyroute2"), exception=PYROUTE2_IMPORT_ERROR)
    if module.params["state"] == "present":
        ensure_present(module, RouteDriver())
    else:
        ensure_absent(module, RouteDriver())


def main():
    run(AnsibleModule(**module_spec()))


if __name__ == "__main__":
    main()

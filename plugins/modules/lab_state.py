#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: lab_state
short_description: Create a lab's state directory with its ownership marker, or empty it
version_added: 0.1.0
description:
  - Every target. The state directory (C(<VPNLAB_HOME>/<lab>)) holds the lab's keys, secrets and
    reports. Its path says nothing about who made it, so the lab marks the directory as its own
    with a C(.vpnlab-lab) file (JSON with the lab name and C(managed_by), mode 0600) when it
    creates it, and never empties a directory without that marker.
  - A directory is the lab's own only when it and its marker belong to the running user, neither
    is writable by group or others, neither is a symbolic link, and the marker names O(lab). The
    directory's parent, the state root, must pass the rule of M(multicloud.vpnlab.lab_plan)'s
    O(multicloud.vpnlab.lab_plan#module:state_root) (absolute, normalised, not a system
    directory, changeable only by root and the running user).
  - V(present) creates a missing directory (missing parents too, all 0700) and marks it, marks an
    existing empty directory of the running user that nobody else can write to (and makes it
    0700), and accepts the lab's own. It refuses, changing nothing (no file, no mode), a
    directory that is not empty and unmarked, one marked for another lab, another user's, one
    writable by group or others (or with such a marker), a symbolic link, or something that is
    not a directory.
  - V(absent) does nothing when the directory is missing, and refuses, deleting nothing, one
    that is not O(lab)'s own. Otherwise it removes only the top-level entries the lab writes
    (SSH key, C(known_hosts), C(ssh_config), C(vms.json), C(vpn-connection.json), C(gateways/),
    C(vms/), C(report.*), C(cloud/), ...), but those matching O(keep); entries it does not know
    are left in place, each with a warning. The marker and the directory go only when nothing
    else is left.
  - With O(expiry), V(present) records the lab's expiry in the marker (when the lab creates the
    directory, and again when it changed), so that M(multicloud.vpnlab.lab_plan) keeps the
    C(expires) tag's date on later runs. V(absent) forgets it when the directory stays (kept
    reports), since the lab's resources are gone and a new lab of the name gets its own date.
  - Symbolic links are never followed.
author:
  - multicloud.vpnlab contributors (@multicloud)
attributes:
  check_mode:
    support: full
    details: Reports what would be created or removed and changes nothing.
  diff_mode:
    support: none
    details: The C(created), C(removed) and C(left) results list the entries instead.
  idempotent:
    support: full
    details: A second run finds the directory marked with the same expiry (V(present)) or emptied (V(absent)).
extends_documentation_fragment:
  - multicloud.vpnlab.attributes
options:
  path:
    description:
      - The state directory, C(vpnlab_plan.state_dir). Absolute; its last component must not be
        a symbolic link.
    type: path
    required: true
  lab:
    description:
      - The lab name (C(vpnlab_name)), recorded in the marker and checked against it.
    type: str
    required: true
  state:
    description:
      - V(present) creates and marks the directory, V(absent) empties it.
    type: str
    choices: [present, absent]
    default: present
  keep:
    description:
      - With V(absent), shell-style globs of top-level entry names to keep, the marker with them.
    type: list
    elements: str
    default: [report.json, report.md, report.html]
  expiry:
    description:
      - With V(present), the lab's expiry to record in the marker - C(expires) (an ISO date) and
        C(days), as the plan's C(expiry) has them (C(vpnlab_plan.expiry)).
      - Not given, the marker's record stays as it is.
    type: dict
seealso:
  - module: multicloud.vpnlab.local_teardown
"""

EXAMPLES = r"""
- name: Create the lab's state directory and mark it as the lab's own
  multicloud.vpnlab.lab_state:
    path: "{{ vpnlab_plan.state_dir }}"
    lab: "{{ vpnlab_plan.lab }}"

- name: Remove what the lab wrote there, keeping its reports
  multicloud.vpnlab.lab_state:
    path: "{{ vpnlab_plan.state_dir }}"
    lab: "{{ vpnlab_plan.lab }}"
    state: absent
"""

RETURN = r"""
path:
  description: The state directory, normalised.
  returned: always
  type: str
  sample: /root/.vpnlab/vpntest
created:
  description: Directories (with a trailing C(/)) and the marker created, as absolute paths.
  returned: always
  type: list
  elements: str
  sample: ["/root/.vpnlab/", "/root/.vpnlab/vpntest/", "/root/.vpnlab/vpntest/.vpnlab-lab"]
removed:
  description:
    - Top-level entries removed (directories with a trailing C(/)); then the marker and the
      directory itself, as an absolute path, when nothing was left.
  returned: always
  type: list
  elements: str
  sample: ["gateways/", "id_ed25519", "id_ed25519.pub", "vms/", "vpn-connection.json"]
kept:
  description: Entries kept because they match O(keep).
  returned: always
  type: list
  elements: str
  sample: ["report.html", "report.json", "report.md"]
left:
  description: Entries the lab does not know, left in place (each also a warning).
  returned: always
  type: list
  elements: str
  sample: ["notes.txt"]
expiry:
  description: The expiry the marker records after the run (C(expires), C(days)), or null.
  returned: with O(state=present)
  type: dict
  sample: {expires: "2026-12-02", days: 7}
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.multicloud.vpnlab.plugins.module_utils.statedir import (
    DEFAULT_KEEP, StateDirError, ensure_absent, ensure_present,
)


def _expiry(module):
    expiry = module.params["expiry"]
    if not expiry:
        return None
    if not isinstance(expiry.get("expires"), str):
        module.fail_json(msg="expiry: needs expires (an ISO date), as the plan's expiry has it")
    days = expiry.get("days")
    return {"expires": expiry["expires"], "days": int(days) if days not in (None, "") else None}


def run(module):
    p = module.params
    expiry = _expiry(module)
    # A refusal is a message, not an error: failed outside the handler, so no traceback.
    try:
        if p["state"] == "present":
            return ensure_present(p["path"], p["lab"], module.check_mode, expiry)
        return ensure_absent(p["path"], p["lab"], p["keep"], module.check_mode)
    except StateDirError as exc:
        refused = str(exc)
    except OSError as exc:
        refused = "state directory %s: %s" % (p["path"], exc)
    module.fail_json(msg=refused)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            lab=dict(type="str", required=True),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            keep=dict(type="list", elements="str", default=list(DEFAULT_KEEP)),
            expiry=dict(type="dict"),
        ),
        supports_check_mode=True,
    )
    result = run(module)
    for name in result["left"]:
        module.warn("left in %s (not written by the lab): %s" % (result["path"], name))
    module.exit_json(**result)


if __name__ == "__main__":
    main()

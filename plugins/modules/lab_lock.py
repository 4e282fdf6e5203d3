#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: lab_lock
short_description: Hold a lab's lock for the rest of the ansible-playbook run (one run per lab)
version_added: 0.1.0
description:
  - Every target. Build, check and teardown of one lab must not run at the same time (two
    builds of one lab could start two charons for one gateway). This module takes a lock per lab
    name (C(flock) on C(/run/vpnlab/<lab>.lock) for root, else in C($XDG_RUNTIME_DIR/vpnlab) or
    C(/tmp/vpnlab-<uid>)) and leaves a small holder process (C(vpnlab-lock)) that keeps it until
    the C(ansible-playbook) process of the run exits, however it ends.
  - A second run of the same lab waits up to O(timeout) seconds, then fails naming the process
    that holds the lab (its pid, command line and since when). Labs with other names never wait
    for each other. A later task of the same run (C(site.yml) imports C(check.yml)) finds the
    lock already its own.
  - The lock file records the holder and the playbook; the holder removes it when it lets go.
  - The module's action plugin takes the lock in the controller's process (Ansible's worker for
    the task), which saves a module run in every playbook; the holder is the same.
author:
  - multicloud.vpnlab contributors (@multicloud)
attributes:
  check_mode:
    support: full
    details: The lock is taken in check mode too; a dry run reads the lab's state.
  diff_mode:
    support: none
  idempotent:
    support: full
    details: Never reports a change; the lock lasts for the run and is gone after it.
extends_documentation_fragment:
  - multicloud.vpnlab.attributes
options:
  lab:
    description: The lab name (C(vpnlab_plan.lab)).
    type: str
    required: true
  timeout:
    description: Seconds to wait for another run of the lab to finish before failing.
    type: int
    default: 600
"""

EXAMPLES = r"""
- name: Take the lab's lock for this run
  multicloud.vpnlab.lab_lock:
    lab: "{{ vpnlab_plan.lab }}"
    timeout: 600
"""

RETURN = r"""
path:
  description: The lock file.
  returned: always
  type: str
  sample: /run/vpnlab/vpntest.lock
state:
  description: V(acquired) when this task took the lock, V(held) when the run had it already.
  returned: always
  type: str
  sample: acquired
waited:
  description: Seconds spent waiting for another run of the lab.
  returned: always
  type: int
  sample: 0
holder_pid:
  description: The process that keeps the lock until the playbook exits.
  returned: always
  type: int
  sample: 4242
playbook_pid:
  description: The ansible-playbook process the lock lasts for.
  returned: always
  type: int
  sample: 4200
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.multicloud.vpnlab.plugins.module_utils.lock import LockError, take


ARGUMENT_SPEC = dict(
    lab=dict(type="str", required=True),
    timeout=dict(type="int", default=600),
)


def refusal(params):
    """Why the options cannot be used, or None (shared with the action plugin)."""
    if params["timeout"] < 0:
        return "timeout must be 0 or more seconds, not %d" % params["timeout"]
    return None


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    refused = refusal(module.params)
    if refused:
        module.fail_json(msg=refused)
    result = None
    try:
        result = take(module.params["lab"], module.params["timeout"])
    except LockError as exc:
        refused = str(exc)
    if result is None:
        module.fail_json(msg=refused)
    # A lock held for the run changes nothing of the lab: a re-run stays changed=0.
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()

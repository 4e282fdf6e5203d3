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
    reports. It is the controller's, so the module's action plugin does the same work in the
    controller's process, as the controller's user (a play's C(become) does not apply), which
    saves a module run each time. Its path says nothing about who made it, so the lab marks the directory as its own
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
    (SSH key, C(known_hosts), C(ssh_config), C(vms.json), C(vpn-connection.json), C(handoff.json), C(gateways/),
    C(vms/), C(report.*), C(cloud/), ...), but those matching O(keep); entries it does not know
    are left in place, each with a warning. The marker and the directory go only when nothing
    else is left.
  - With O(expiry), V(present) records the lab's expiry in the marker (when the lab creates the
    directory, and again when it changed), so that M(multicloud.vpnlab.lab_plan) keeps the
    C(expires) tag's date on later runs. V(absent) forgets it when the directory stays (kept
    reports), since the lab's resources are gone and a new lab of the name gets its own date.
  - With O(handoff), V(present) also merges O(writer)'s keys into the cloud target's hand-off
    record, C(handoff.json) in the directory (what one step of the build learns and a later one
    needs - the Azure gateway's public IP, its async job, the AWS VPN connection id, the VMs'
    public addresses), and returns the whole record. Its schema (each key's type, writer and
    readers) is C(plugins/module_utils/handoff.py). A key the schema does not know, one
    O(writer) does not write, or a value of the wrong type is refused, naming it, with nothing
    written. O(handoff={}) only reads the record.
  - Symbolic links are never followed.
author:
  - multicloud.vpnlab contributors (@multicloud)
attributes:
  check_mode:
    support: full
    details: >-
      Reports what would be created or removed and changes nothing; with O(handoff), returns the
      record as it would be after the merge and writes nothing.
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
  directories:
    description:
      - With V(present), directories inside the state directory (absolute paths) to make when
        missing, each private to the lab (mode C(0700)), as the local target's VMs have theirs
        (C(vpnlab_plan.local.vm_dirs)).
      - A part of such a path that exists must be a directory, not a symbolic link or a file.
    type: list
    elements: path
    default: []
  handoff:
    description:
      - With V(present), keys of the hand-off record to set (only O(writer)'s own), merged into
        the record in C(handoff.json); V({}) reads the record and changes nothing.
      - Not given, the record is neither read nor written.
      - The keys, their types, writers and readers are documented in
        C(plugins/module_utils/handoff.py) (C(azure_gateway_public_ip), C(azure_gateway_job),
        C(azure_gateway_started), C(aws_vpn_connection_id), C(aws_vm_public_ips),
        C(azure_vm_public_ips)).
    type: dict
  writer:
    description:
      - The step of the build that sets the keys in O(handoff); required when O(handoff) is not
        empty. V(gateway) (the Azure VPN gateway), V(vpn) (the AWS VPN connection), V(vms) (the
        test VMs).
    type: str
    choices: [gateway, vms, vpn]
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

- name: Hand the AWS VPN connection's id on to the Azure side
  multicloud.vpnlab.lab_state:
    path: "{{ vpnlab_plan.state_dir }}"
    lab: "{{ vpnlab_plan.lab }}"
    writer: vpn
    handoff:
      aws_vpn_connection_id: vpn-0123456789abcdef0
  register: aws_vpc_vpn_handoff

- name: Read the hand-off record
  multicloud.vpnlab.lab_state:
    path: "{{ vpnlab_plan.state_dir }}"
    lab: "{{ vpnlab_plan.lab }}"
    handoff: {}
  register: azure_tunnels_handoff
"""

RETURN = r"""
path:
  description: The state directory, normalised.
  returned: always
  type: str
  sample: /root/.vpnlab/vpntest
created:
  description:
    - Directories (with a trailing C(/)) and the marker created, as absolute paths; then the
      O(directories) made.
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
handoff:
  description:
    - The whole hand-off record after the merge (in check mode, as it would be), every key of
      the schema; a key nobody wrote yet is empty (V(""), V(0.0) or V([])).
  returned: when O(handoff) is given
  type: dict
  contains:
    azure_gateway_public_ip:
      description: The Azure VPN gateway's public IPv4 address.
      type: str
      returned: always
      sample: 20.50.1.2
    azure_gateway_public_ips:
      description: The BGP design's Azure gateway instances' public IPv4 addresses, in instance order.
      type: list
      elements: str
      returned: always
      sample: ["20.50.1.2", "20.50.1.3"]
    azure_gateway_job:
      description: The async job id of the VPN gateway's creation in this run.
      type: str
      returned: always
      sample: j656093177625.20984
    azure_gateway_started:
      description: When the gateway's creation started, seconds since the epoch (UTC).
      type: float
      returned: always
      sample: 1796236800.5
    aws_vpn_connection_id:
      description: The AWS VPN connection the Azure side reads its tunnels from.
      type: str
      returned: always
      sample: vpn-0123456789abcdef0
    aws_vpn_connection_ids:
      description: The BGP design's AWS VPN connections, one per Azure gateway instance.
      type: list
      elements: str
      returned: always
      sample: ["vpn-0123456789abcdef0", "vpn-0123456789abcdef1"]
    aws_vm_public_ips:
      description: The AWS VMs' public IPv4 addresses.
      type: list
      elements: str
      returned: always
      sample: ["3.120.1.2"]
    azure_vm_public_ips:
      description: The Azure VMs' public IPv4 addresses.
      type: list
      elements: str
      returned: always
      sample: ["20.50.1.3", "20.50.1.4"]
"""

import errno
import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.multicloud.vpnlab.plugins.module_utils import handoff as record
from ansible_collections.multicloud.vpnlab.plugins.module_utils.files import write_atomic
from ansible_collections.multicloud.vpnlab.plugins.module_utils.statedir_subdirs import ensure_subdirectories
from ansible_collections.multicloud.vpnlab.plugins.module_utils.statedir import (
    DEFAULT_KEEP, StateDirError, ensure_absent, ensure_present, read_own,
)


class Refused(Exception):
    """The task is refused (a message, not an error: no traceback)."""


def _expiry(expiry):
    if not expiry:
        return None
    if not isinstance(expiry.get("expires"), str):
        raise Refused("expiry: needs expires (an ISO date), as the plan's expiry has it")
    days = expiry.get("days")
    return {"expires": expiry["expires"], "days": int(days) if days not in (None, "") else None}


def _stored(path):
    """The record file's text, or None when there is none yet (a new lab, or a dry run of one)."""
    try:
        return read_own(path)
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            return None
        raise


def handoff(path, writer, changes, check_mode):
    """Merge `writer`'s `changes` into the record in the state directory `path` (already
    accepted as the lab's own); (changed, the whole record). Nothing is written in check mode or
    when nothing changes."""
    if changes and not writer:
        raise record.HandoffError("handoff: sets keys, so writer is required")
    name = os.path.join(path, record.FILE)
    before = record.read(_stored(name))
    after = record.merge(before, writer, changes) if changes else before
    changed = after != before
    if changed and not check_mode:
        write_atomic(name, record.dump(after))
    return changed, after


def state_result(p, check_mode):
    """The task's result from the validated options `p`; raises Refused.

    Shared by this module and its action plugin (plugins/action/lab_state.py), which runs it in
    the controller's process: the state directory is the controller's."""
    expiry = _expiry(p["expiry"])
    if p["handoff"] is not None and p["state"] != "present":
        raise Refused("handoff: only with state=present")
    try:
        if p["state"] == "absent":
            return ensure_absent(p["path"], p["lab"], p["keep"], check_mode)
        result = ensure_present(p["path"], p["lab"], check_mode, expiry)
        made = ensure_subdirectories(result["path"], p["directories"], check_mode)
        if made:
            result.update(changed=True, created=result["created"] + made)
        if p["handoff"] is not None:
            changed, result["handoff"] = handoff(result["path"], p["writer"], p["handoff"], check_mode)
            result["changed"] = result["changed"] or changed
        return result
    except (StateDirError, record.HandoffError) as exc:
        raise Refused(str(exc)) from None
    except (OSError, ValueError) as exc:
        raise Refused("state directory %s: %s" % (p["path"], exc)) from None


def warnings_of(result):
    """One warning per entry left in the directory because the lab did not write it."""
    return ["left in %s (not written by the lab): %s" % (result["path"], name) for name in result["left"]]


def argument_spec():
    return dict(
        path=dict(type="path", required=True),
        lab=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        keep=dict(type="list", elements="str", default=list(DEFAULT_KEEP)),
        expiry=dict(type="dict"),
        directories=dict(type="list", elements="path", default=[]),
        handoff=dict(type="dict"),
        writer=dict(type="str", choices=list(record.WRITERS)),
    )


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    # A refusal is a message, not an error: failed outside the handler, so no traceback.
    result, refused = None, None
    try:
        result = state_result(module.params, module.check_mode)
    except Refused as exc:
        refused = str(exc)
    if result is None:
        module.fail_json(msg=refused)
    for warning in warnings_of(result):
        module.warn(warning)
    module.exit_json(**result)


if __name__ == "__main__":
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: local_vms
short_description: Run the local lab's VMs (sshd per network namespace) and record how to reach them
version_added: 0.1.0
description:
  - Local target only. A lab VM is a network namespace running its own sshd (key login as root
    only) in a UTS namespace of its own, so that it answers with its own host name.
  - Each VM's ed25519 host key (C(<state_dir>/vms/<name>/ssh_host_ed25519_key)) is made before this
    module runs, by the C(test_vms) role's M(community.crypto.openssh_keypair) task (like a cloud VM's
    on first boot, and kept once made); a VM without one is refused, and a host key newer than the
    VM's running sshd restarts it.
  - sshd runs with C(StrictModes yes). It reads a copy of the lab's key, made when it starts in a
    private root-only tmpfs of its own mount namespace (C(/run/vpnlab/authorized_keys)), since
    StrictModes refuses a world-writable parent such as C(/tmp) on the state directory's path;
    a new key restarts it. Every path reaches sshd as an argument or a quoted config value.
  - Writes the lab's C(authorized_keys), C(known_hosts) (the VMs' host keys under their public and
    private addresses), C(vms.json), which the P(multicloud.vpnlab.lab#inventory) inventory plugin reads,
    and C(ssh_config), for C(ssh -F <state_dir>/ssh_config vm1) by hand.
author:
  - multicloud.vpnlab contributors (@multicloud)
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  idempotent:
    support: full
    details: Running VMs with the same configuration and unchanged files are left alone.
extends_documentation_fragment:
  - multicloud.vpnlab.attributes
options:
  lab:
    description: Lab name.
    type: str
    required: true
  target:
    description: The lab's target, recorded in C(vms.json).
    type: str
    default: local
  state_dir:
    description: The lab's state directory; each VM gets C(vms/<name>/) in it.
    type: path
    required: true
  vms:
    description:
      - The VMs as the plan lists them for the inventory (C(vpnlab_plan.local.inventory)), each
        with C(name), C(netns), C(private_ip), C(public_ip), C(cloud), C(resource_name) and the
        C(connection) settings.
    type: list
    elements: dict
    required: true
  authorized_key:
    description: The public key allowed to log in (the lab's key); empty only in check mode.
    type: str
    required: true
requirements:
  - openssh-server on the host
"""

EXAMPLES = r"""
- name: Start the VMs' sshd
  multicloud.vpnlab.local_vms:
    lab: "{{ vpnlab_plan.lab }}"
    state_dir: "{{ vpnlab_plan.state_dir }}"
    vms: "{{ vpnlab_plan.local.inventory }}"
    authorized_key: "{{ lab_key.public_key }}"
"""

RETURN = r"""
vms:
  description: Each VM's name, sshd PID and host public key.
  returned: always
  type: list
  elements: dict
  sample: [{name: vm1, pid: 4242, host_public_key: "ssh-ed25519 AAAAC3Nza... vm1"}]
"""

import hashlib
import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local import daemon
from ansible_collections.multicloud.vpnlab.plugins.module_utils.files import read_text, update
from ansible_collections.multicloud.vpnlab.plugins.module_utils.vms_file import VMS_FILE, document as vms_document
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.vms import (
    HOSTNAME_RE, KEYS_MOUNT, SSHD, known_hosts, ssh_config, sshd_argv,
    sshd_config, vm_dirs,
)


def write_if_changed(module, path, text):
    return update(path, text, module.check_mode)


def host_key(module, directory, name):
    """The VM's host public key, and whether the VM's sshd must (re)start to serve it.

    The role's community.crypto.openssh_keypair task made the key (a dry run of a new lab has none
    yet: None, and it would be made). sshd reads its host key when it starts, so a key written
    after the running sshd's pid file (a lost key made again) needs a restart.
    """
    path = os.path.join(directory, "ssh_host_ed25519_key")
    key = read_text(path + ".pub")
    if key is None:
        if not module.check_mode:
            module.fail_json(msg="VM %s has no host key %s.pub (the test_vms role makes it)" % (name, path))
        return None, True
    try:
        newer = os.stat(path).st_mtime > os.stat(os.path.join(directory, "sshd.pid")).st_mtime
    except OSError:  # no sshd started yet: it starts anyway
        newer = False
    return key.strip(), newer


def start_sshd(module, vm, directory, config_path, keys_file):
    # sshd's privilege separation directory (a host without the sshd service lacks it) and the
    # mount point of the private tmpfs that holds the VM's copy of authorized_keys.
    os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
    os.makedirs(KEYS_MOUNT, mode=0o700, exist_ok=True)
    rc, dummy, err = module.run_command([SSHD, "-t", "-f", config_path])
    if rc != 0:
        module.fail_json(msg="sshd refused its configuration %s: %s" % (config_path, err.strip()))
    pid = daemon.spawn(sshd_argv(vm["netns"], vm["name"], config_path, keys_file),
                       os.path.join(directory, "sshd.log"))
    daemon.write_pid(os.path.join(directory, "sshd.pid"), pid)
    # Ready means listening: the first SSH connection can come right after this module.
    if not daemon.wait_for(lambda: daemon.alive(pid, "sshd", vm["netns"])
                           and daemon.listening(pid, 22), 5):
        module.fail_json(msg="sshd of %s did not start; see %s/sshd.log" % (vm["name"], directory))
    return pid


def ensure_vm(module, vm, authorized_keys_file, key_digest):
    """One VM's sshd running with the wanted configuration; returns (changed, pid, key)."""
    if not HOSTNAME_RE.fullmatch(vm["name"]):
        module.fail_json(msg="VM name %r is not a valid host name" % vm["name"])
    if not os.path.exists(os.path.join(daemon.NETNS_DIR, vm["netns"])):
        if module.check_mode:  # a dry run of a new lab: the namespace would exist by now
            return True, None, None
        module.fail_json(msg="network namespace %s of %s does not exist" % (vm["netns"], vm["name"]))
    directory = vm_dirs(module.params["state_dir"], [vm["name"]])[vm["name"]]
    key, changed = host_key(module, directory, vm["name"])
    config_path = os.path.join(directory, "sshd_config")
    wanted = sshd_config(directory, key_digest)
    pid = daemon.read_pid(os.path.join(directory, "sshd.pid"))
    running = daemon.alive(pid, "sshd", vm["netns"])
    if running and read_text(config_path) == wanted and not changed:
        return False, pid, key
    if not module.check_mode:
        if running:
            daemon.stop(pid)
        update(config_path, wanted, mode=0o600)
        pid = start_sshd(module, vm, directory, config_path, authorized_keys_file)
    return True, pid, key


def ensure_present(module):
    params = module.params
    state_dir = params["state_dir"]
    if not params["authorized_key"].strip() and not module.check_mode:
        module.fail_json(msg="authorized_key is empty: the VMs would accept no key")
    if not module.check_mode:
        os.makedirs(state_dir, mode=0o700, exist_ok=True)
    authorized = os.path.join(state_dir, "authorized_keys")
    key_text = params["authorized_key"].strip() + "\n"
    changed = write_if_changed(module, authorized, key_text)
    key_digest = hashlib.sha256(key_text.encode()).hexdigest()
    results, keys = [], {}
    for vm in params["vms"]:
        vm_changed, pid, key = ensure_vm(module, vm, authorized, key_digest)
        changed = changed or vm_changed
        keys[vm["name"]] = key
        results.append({"name": vm["name"], "pid": pid, "host_public_key": key})
    if all(keys.values()):
        changed = write_if_changed(module, os.path.join(state_dir, "known_hosts"),
                                   known_hosts(params["vms"], keys)) or changed
    try:
        inventory = vms_document(params["lab"], params["target"], state_dir, params["vms"])
    except ValueError as exc:
        module.fail_json(msg="Cannot write %s: %s" % (VMS_FILE, exc))
    changed = write_if_changed(module, os.path.join(state_dir, VMS_FILE), inventory) or changed
    changed = write_if_changed(module, os.path.join(state_dir, "ssh_config"),
                               ssh_config(params["vms"], state_dir)) or changed
    module.exit_json(changed=changed, vms=results)


def module_spec():
    """AnsibleModule's arguments: the module's, and its action plugin's (which runs run()
    in the controller's process, plugins/plugin_utils/in_process.py)."""
    return dict(
        argument_spec=dict(
            lab=dict(type="str", required=True),
            target=dict(type="str", default="local"),
            state_dir=dict(type="path", required=True),
            vms=dict(type="list", elements="dict", required=True),
            authorized_key=dict(type="str", required=True, no_log=False),
        ),
        supports_check_mode=True,
    )


def run(module):
    ensure_present(module)


def main():
    run(AnsibleModule(**module_spec()))


if __name__ == "__main__":
    main()

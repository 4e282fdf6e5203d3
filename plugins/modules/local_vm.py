#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: local_vm
short_description: Run a lab VM's sshd in its network namespace, under its own host name
version_added: 0.1.0
description:
  - Local target only. A lab VM is a network namespace running its own sshd (key login only),
    in a UTS namespace of its own so that it answers with its own host name.
  - Creates the VM's directory (mode 0700) and, like a cloud VM on first boot, its ed25519 host
    key when missing.
author:
  - multicloud.vpnlab contributors (@multicloud)
attributes:
  check_mode:
    support: full
    description: Reports whether sshd would be (re)started.
  diff_mode:
    support: none
    description: Nothing to compare beyond the C(changed) flag.
  idempotent:
    support: full
    description: A running sshd with the same configuration is left alone.
options:
  netns:
    description: The VM's network namespace.
    type: str
    required: true
  hostname:
    description: The VM's host name (as printed by C(hostname) in an SSH session).
    type: str
    required: true
  directory:
    description: The VM's directory in the state dir (sshd_config, host key, PID, log).
    type: path
    required: true
  authorized_keys_file:
    description: File with the public keys allowed to log in as root.
    type: path
    required: true
  state:
    description: V(started) or V(stopped).
    type: str
    choices: [started, stopped]
    default: started
requirements:
  - openssh-server on the host
"""

EXAMPLES = r"""
- name: Start vm1's sshd
  multicloud.vpnlab.local_vm:
    netns: vpnlab-vpntest-vm1
    hostname: vm1
    directory: /root/.vpnlab/vpntest/vms/vm1
    authorized_keys_file: /root/.vpnlab/vpntest/authorized_keys
"""

RETURN = r"""
pid:
  description: PID of the VM's sshd (null when stopped).
  returned: always
  type: int
  sample: 4242
host_public_key:
  description: The VM's SSH host public key, for known_hosts.
  returned: when started
  type: str
  sample: ssh-ed25519 AAAAC3Nza... vm1
"""

import os
import re

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.multicloud.vpnlab.plugins.module_utils import daemon

HOSTNAME_RE = re.compile(r"^[a-z][a-z0-9-]{0,62}$")
SSHD = "/usr/sbin/sshd"


def sshd_config(directory, authorized_keys_file):
    return "\n".join([
        "# Written by multicloud.vpnlab: sshd of one lab VM (a network namespace).",
        "ListenAddress 0.0.0.0:22",
        "HostKey %s/ssh_host_ed25519_key" % directory,
        "PidFile %s/sshd.pid.sshd" % directory,
        "AuthorizedKeysFile %s" % authorized_keys_file,
        "PermitRootLogin prohibit-password",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        # No PAM: the VM shares the host's users; key login is all the lab needs.
        "UsePAM no",
        "X11Forwarding no",
        "PrintMotd no",
        "PrintLastLog no",
        "AcceptEnv LANG LC_*",
        "Subsystem sftp internal-sftp",
        "",
    ])


def read(path):
    try:
        with open(path) as handle:
            return handle.read()
    except OSError:
        return None


def create_host_key(module, directory):
    os.makedirs(directory, mode=0o700, exist_ok=True)
    os.chmod(directory, 0o700)
    path = os.path.join(directory, "ssh_host_ed25519_key")
    for stale in (path, path + ".pub"):
        if os.path.exists(stale):
            os.unlink(stale)
    module.run_command(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C",
                        module.params["hostname"], "-f", path], check_rc=True)
    return read(path + ".pub")


def start(module, directory, config_path):
    # sshd's privilege separation directory; a host without the sshd service lacks it.
    os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
    rc, dummy, err = module.run_command([SSHD, "-t", "-f", config_path])
    if rc != 0:
        module.fail_json(msg="sshd refused its configuration %s: %s" % (config_path, err.strip()))
    script = "hostname %s && exec %s -D -e -f %s" % (module.params["hostname"], SSHD, config_path)
    pid = daemon.spawn(["ip", "netns", "exec", module.params["netns"], "unshare", "--uts",
                        "sh", "-c", script], os.path.join(directory, "sshd.log"))
    with open(os.path.join(directory, "sshd.pid"), "w") as handle:
        handle.write("%d\n" % pid)
    if not daemon.wait_for(lambda: daemon.alive(pid, "sshd", module.params["netns"]), 5):
        module.fail_json(msg="sshd in %s did not start; see %s/sshd.log"
                         % (module.params["netns"], directory))
    return pid


def ensure_present(module):
    params = module.params
    directory = params["directory"]
    if not HOSTNAME_RE.match(params["hostname"]):
        module.fail_json(msg="hostname %r is not a valid host name" % params["hostname"])
    if not os.path.exists(os.path.join(daemon.NETNS_DIR, params["netns"])):
        module.fail_json(msg="network namespace %s does not exist" % params["netns"])
    key = read(os.path.join(directory, "ssh_host_ed25519_key.pub"))
    if key is None:
        if module.check_mode:
            module.exit_json(changed=True, pid=None, host_public_key=None)
        key = create_host_key(module, directory)
    config_path = os.path.join(directory, "sshd_config")
    wanted = sshd_config(directory, params["authorized_keys_file"])
    pid = daemon.read_pid(os.path.join(directory, "sshd.pid"))
    running = daemon.alive(pid, "sshd", params["netns"])
    if running and read(config_path) == wanted:
        module.exit_json(changed=False, pid=pid, host_public_key=key.strip())
    if not module.check_mode:
        if running:
            daemon.stop(pid)
        with open(config_path, "w") as handle:
            handle.write(wanted)
        pid = start(module, directory, config_path)
    module.exit_json(changed=True, pid=pid, host_public_key=key.strip())


def ensure_absent(module):
    directory = module.params["directory"]
    pid = daemon.read_pid(os.path.join(directory, "sshd.pid"))
    running = daemon.alive(pid, "sshd", module.params["netns"])
    if running and not module.check_mode:
        daemon.stop(pid)
    module.exit_json(changed=running, pid=None)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            netns=dict(type="str", required=True),
            hostname=dict(type="str", required=True),
            directory=dict(type="path", required=True),
            authorized_keys_file=dict(type="path", required=True),
            state=dict(type="str", choices=["started", "stopped"], default="started"),
        ),
        supports_check_mode=True,
    )
    if module.params["state"] == "stopped":
        ensure_absent(module)
    ensure_present(module)


if __name__ == "__main__":
    main()

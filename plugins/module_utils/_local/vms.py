# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Local target: the files that make the lab's VMs reachable over SSH (pure)."""

from __future__ import annotations

import json
import re

HOSTNAME_RE = re.compile(r"\A[a-z][a-z0-9-]{0,62}\Z")  # whole string: no final newline


def sshd_config(directory, authorized_keys_file):
    """sshd of one lab VM: key login as root only, its own host key, PID file and log."""
    return "\n".join([
        "# Written by multicloud.vpnlab: sshd of one lab VM (a network namespace).",
        "ListenAddress 0.0.0.0:22",
        "HostKey %s/ssh_host_ed25519_key" % directory,
        "PidFile %s/sshd.pid.sshd" % directory,
        "AuthorizedKeysFile %s" % authorized_keys_file,
        "PermitRootLogin prohibit-password",
        # The lab writes authorized_keys itself (0600, in its 0700 state directory). StrictModes
        # would also refuse it for a world-writable parent such as /tmp (VPNLAB_HOME=/tmp/x).
        "StrictModes no",
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


def known_hosts(vms, host_keys):
    """One line per VM: its public and private address, then its host key."""
    return "".join("%s,%s %s\n" % (vm["public_ip"], vm["private_ip"], host_keys[vm["name"]])
                   for vm in vms)


def ssh_config(vms, state_dir):
    """An ssh_config so that `ssh -F <state_dir>/ssh_config vm1` works by hand, through the
    operator namespace like Ansible (the ProxyCommand comes from the inventory records)."""
    blocks = []
    for vm in vms:
        proxy = vm["connection"]["ansible_ssh_common_args"].split("ProxyCommand='", 1)[1]
        blocks.append("\n".join([
            "Host %s %s" % (vm["name"], vm["resource_name"]),
            "  HostName %s" % vm["public_ip"],
            "  User root",
            "  IdentityFile %s/id_ed25519" % state_dir,
            "  IdentitiesOnly yes",
            "  UserKnownHostsFile %s/known_hosts" % state_dir,
            "  StrictHostKeyChecking yes",
            "  ProxyCommand %s" % proxy.split("'", 1)[0],
        ]))
    return "# Written by multicloud.vpnlab: ssh -F %s/ssh_config vm1\n%s\n" % (
        state_dir, "\n\n".join(blocks))


def inventory_document(lab, target, state_dir, vms):
    """vms.json, which the multicloud.vpnlab.lab inventory plugin reads."""
    return json.dumps({"lab": lab, "target": target, "state_dir": state_dir, "vms": vms},
                      indent=2, sort_keys=True) + "\n"

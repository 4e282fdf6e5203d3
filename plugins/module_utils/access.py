# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How Ansible reaches a cloud VM over SSH: the connection variables the inventory sets.

The same for every cloud (only the image's login user differs), so that the inventory lists an
AWS and an Azure VM with the same host variables. The local target's VMs are reached through
the operator namespace instead (module_utils/_local/topology.py).
"""

from __future__ import annotations

from typing import Any
import re
import shlex

# What may stand in an ssh -o value as it is: anything else is quoted (a space would split a
# path into two known_hosts files, '%' would be read as a token).
PLAIN_VALUE_RE = re.compile(r"\A[A-Za-z0-9_./:@+,-]*\Z")


def ssh_option(name: str, value: str) -> str:
    """`-o Name=value` for ansible_ssh_common_args (which Ansible splits like a shell): a value
    with anything but plain path characters is double-quoted for ssh, its '%' doubled, and the
    whole option quoted for the split, so that every path stays one value."""
    if not PLAIN_VALUE_RE.match(value):
        value = '"%s"' % value.replace("%", "%%").replace("\\", "\\\\").replace('"', '\\"')
    return "-o " + shlex.quote("%s=%s" % (name, value))


def cloud_connection(lab: str, state_dir: str, address: str | None, user: str) -> dict[str, Any]:
    """The lab's key, its own known_hosts, root through sudo, one SSH control path per lab."""
    return {
        "ansible_host": address,
        "ansible_user": user,
        "ansible_port": 22,
        "ansible_become": True,
        "ansible_ssh_private_key_file": "%s/id_ed25519" % state_dir,
        # A new VM's host key is learnt on first contact and pinned in the lab's own file; the
        # lab's key or nothing: never a password, never a prompt (tests/unit/test_security_settings.py).
        "ansible_ssh_common_args": "%s -o StrictHostKeyChecking=accept-new -o PasswordAuthentication=no"
                                   " -o BatchMode=yes -o ConnectTimeout=10"
                                   % ssh_option("UserKnownHostsFile", state_dir + "/known_hosts"),
        "ansible_control_path": "%%(directory)s/vpnlab-%s-%%%%C" % lab,
        "ansible_python_interpreter": "/usr/bin/python3",
    }

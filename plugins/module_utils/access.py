# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How Ansible reaches a cloud VM over SSH: the connection variables the inventory sets.

The same for every cloud (only the image's login user differs), so that the inventory lists an
AWS and an Azure VM with the same host variables. The local target's VMs are reached through
the operator namespace instead (module_utils/_local/topology.py).
"""

from __future__ import annotations


def cloud_connection(lab, state_dir, address, user):
    """The lab's key, its own known_hosts, root through sudo, one SSH control path per lab."""
    return {
        "ansible_host": address,
        "ansible_user": user,
        "ansible_port": 22,
        "ansible_become": True,
        "ansible_ssh_private_key_file": "%s/id_ed25519" % state_dir,
        # A new VM's host key is learnt on first contact and pinned in the lab's own file.
        "ansible_ssh_common_args": "-o UserKnownHostsFile=%s/known_hosts -o StrictHostKeyChecking=accept-new "
                                   "-o ConnectTimeout=10" % state_dir,
        "ansible_control_path": "%%(directory)s/vpnlab-%s-%%%%C" % lab,
        "ansible_python_interpreter": "/usr/bin/python3",
    }

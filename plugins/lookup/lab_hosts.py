# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: lab_hosts
short_description: A lab's VMs as the lab inventory plugin lists them, for runs without its inventory
version_added: 0.1.0
description:
  - Returns the hosts that the P(multicloud.vpnlab.lab#inventory) inventory plugin would list for
    the named labs, each with its groups and host variables, read by that plugin's own code from
    the labs' state directories, under the same trust rules (only the labs' own directories, a
    state root only root or the running user can change) and, for C(cloud) labs, from the clouds
    by the labs' tags.
  - The collection's C(check) playbook (and C(site), which runs it) uses it when no inventory lists
    the lab's VMs, as when the installed collection's playbooks are run by name without
    C(-i), and adds these hosts with M(ansible.builtin.add_host).
  - Groups and variables are the plugin's own, without the C(compose), C(groups) and
    C(keyed_groups) that an inventory configuration file may add.
  - A state directory or C(vms.json) that is not the lab's own fails the lookup naming the path
    and the reason; a lab without a C(vms.json) (not built yet) gives no hosts.
author:
  - multicloud.vpnlab contributors (@multicloud)
options:
  _terms:
    description: Names of the labs.
    required: true
    type: list
    elements: str
  state_root:
    description:
      - The directory holding one state directory per lab, as for the collection's playbooks.
    type: path
    default: ~/.vpnlab
    env:
      - name: VPNLAB_HOME
  cloud_refresh:
    description: For C(cloud) labs, read the VMs from the clouds' APIs by the lab's tags.
    type: bool
    default: true
requirements:
  - boto3 (for cloud labs with O(cloud_refresh=true))
  - azure.azcollection's Python requirements (for cloud labs' Azure VMs with O(cloud_refresh=true))
seealso:
  - plugin: multicloud.vpnlab.lab
    plugin_type: inventory
"""

EXAMPLES = r"""
- name: Add lab vpntest's VMs to the in-memory inventory
  ansible.builtin.add_host:
    name: "{{ item.name }}"
    groups: "{{ item.groups }}"
    ansible_host: "{{ item.vars.ansible_host }}"
    ansible_user: "{{ item.vars.ansible_user }}"
    ansible_ssh_private_key_file: "{{ item.vars.ansible_ssh_private_key_file }}"
    ansible_ssh_common_args: "{{ item.vars.ansible_ssh_common_args }}"
    private_ip: "{{ item.vars.private_ip }}"
  loop: "{{ lookup('multicloud.vpnlab.lab_hosts', 'vpntest', state_root='/root/.vpnlab', wantlist=True) }}"
  loop_control:
    label: "{{ item.name }}"
"""

RETURN = r"""
_raw:
  description:
    - One record per host, sorted by name - C(name) (the VM's resource name, for example
      C(vpntest-vm1)), C(groups) (for example V(vpnlab), V(lab_vpntest), V(azure)) and C(vars),
      the host variables the inventory plugin sets (see its documentation).
  type: list
  elements: dict
"""

import os

from ansible.errors import AnsibleError, AnsibleParserError
from ansible.inventory.data import InventoryData
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.loader import inventory_loader
from ansible.plugins.lookup import LookupBase
from ansible_collections.multicloud.vpnlab.plugins.module_utils.vms_file import VMS_FILE

PLUGIN = "multicloud.vpnlab.lab"
# What InventoryData sets on every host it adds, about the source file (none here).
NOT_HOST_VARS = ("inventory_file", "inventory_dir")


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        plugin = inventory_loader.get(PLUGIN)
        if plugin is None:
            raise AnsibleError("the %s inventory plugin cannot be loaded" % PLUGIN)
        root = self.get_option("state_root")
        # A lab not built yet (no vms.json) has no hosts: the caller says so, not a warning.
        labs = [str(term) for term in terms if os.path.lexists(os.path.join(root, str(term), VMS_FILE))]
        if not labs:
            return []  # and never an empty `labs`, which the plugin reads as every lab
        plugin.inventory = InventoryData()
        # strict: a lab directory that is not the lab's own stops the run naming the reason,
        # rather than leaving the check with no VMs and no clue.
        plugin.set_options(direct={"plugin": PLUGIN, "labs": labs, "strict": True,
                                   "state_root": root,
                                   "cloud_refresh": self.get_option("cloud_refresh")})
        try:
            plugin.populate()
        except AnsibleParserError as exc:
            raise AnsibleError(to_native(exc)) from None
        hosts = []
        for name in sorted(plugin.inventory.hosts):
            host = plugin.inventory.hosts[name]
            groups = sorted(group.name for group in host.get_groups() if group.name not in ("all", "ungrouped"))
            hostvars = {key: value for key, value in host.vars.items() if key not in NOT_HOST_VARS}
            hosts.append({"name": name, "groups": groups, "vars": hostvars})
        return hosts

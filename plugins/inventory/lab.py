# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: lab
short_description: The test VMs of multicloud.vpnlab labs, read from the labs' state
version_added: 0.1.0
description:
  - Lists the test VMs of the VPN labs from the C(vms.json) file that the collection writes in each
    lab's state directory, C(<state_root>/<lab>/vms.json). The C(local) and C(cloud) targets write
    the same file, so one inventory serves both.
  - Host names are the VMs' cloud resource names, for example C(vpntest-vm1); they are unique
    across labs, so several labs can be listed together.
  - Every host is in the group C(vpnlab), in C(lab_<lab>) (a C(-) in the lab name becomes C(_), so
    lab C(lab-2) gives C(lab_lab_2)) and in the group of its cloud, C(azure) or C(aws).
  - Host variables are C(vpnlab_lab), C(vpnlab_target), C(vpnlab_vm_name) (for example C(vm1)),
    C(cloud), C(private_ip), C(public_ip), C(vpnlab_state_dir) and every connection variable the lab
    recorded (C(ansible_host), C(ansible_user), C(ansible_port), C(ansible_ssh_private_key_file),
    C(ansible_ssh_common_args), C(ansible_python_interpreter)). For the C(local) target,
    C(ansible_ssh_common_args) holds the SSH ProxyCommand through the lab's operator network
    namespace, the only way from the controller to the VMs.
  - The configuration file name must end with C(vpnlab.yml) or C(vpnlab.yaml), for example
    C(inventory/vpnlab.yml) or C(my_labs.vpnlab.yml).
  - For a C(cloud) lab, the AWS VMs are read from EC2 by the lab's tags (C(vpnlab=<lab>),
    C(managed_by=multicloud.vpnlab)) in the region and endpoint that C(vms.json) records, with
    boto3's usual credentials, so that addresses that changed since the build (a stopped and
    started instance) are current. When EC2 cannot be asked, the VMs of C(vms.json) are listed
    with a warning. O(cloud_refresh=false) lists C(vms.json) only. A C(vms.json) written after
    the running Ansible process loaded this plugin was written by this very run, from the clouds' own
    listing by the lab's tags (a build's last step), so it is listed as it is, without asking
    the clouds again (the inventory refresh at the end of a cloud build).
  - Likewise the Azure VMs are read by the same tags in the resource group C(vms.json) records,
    with the credentials azure.azcollection reads (E(AZURE_*) variables, C(~/.azure/credentials),
    C(az login)).
  - A C(vms.json) that cannot be read or is malformed is skipped with a warning naming the file,
    or, with O(strict=true), fails the inventory source. A missing O(state_root) gives an empty
    inventory, since no lab has been built yet.
  - Only the labs' own directories are listed, as the collection's modules decide it, since the
    connection variables (the ProxyCommand among them) come from there - a directory that
    carries the C(.vpnlab-lab) marker naming its lab, it and the marker owned by the running user
    and writable by nobody else, none of them a symbolic link, and a C(vms.json) alike. Any other
    directory with a C(vms.json) is skipped with a warning giving the reason (with O(strict=true)
    it fails the source).
  - The O(state_root) must be a directory only root or the running user can change, as for the
    collection's playbooks (absolute, normalised, not a system directory, neither it nor a
    parent writable by group or others but a sticky one such as C(/tmp)); otherwise the source
    fails naming the path and the reason.
author:
  - multicloud.vpnlab contributors (@multicloud)
extends_documentation_fragment:
  - constructed
options:
  plugin:
    description: Marks the file as a configuration file for this plugin.
    type: str
    required: true
    choices: [multicloud.vpnlab.lab]
  state_root:
    description:
      - The directory holding one state directory per lab, as for the collection's playbooks,
        checked as they check it.
      - A value in the configuration file takes precedence over E(VPNLAB_HOME).
    type: path
    default: ~/.vpnlab
    env:
      - name: VPNLAB_HOME
  labs:
    description:
      - Names of the labs to list. A named lab without a C(vms.json) is reported with a warning.
      - Empty lists every lab found, that is every C(<state_root>/*/vms.json).
    type: list
    elements: str
    default: []
  cloud_refresh:
    description: For C(cloud) labs, read the VMs from the clouds' APIs by the lab's tags.
    type: bool
    default: true
requirements:
  - boto3 (for cloud labs with O(cloud_refresh=true))
  - azure.azcollection's Python requirements (for cloud labs' Azure VMs with O(cloud_refresh=true))
"""

EXAMPLES = r"""
# inventory/vpnlab.yml: every lab under ${VPNLAB_HOME:-~/.vpnlab}
plugin: multicloud.vpnlab.lab

---
# my_labs.vpnlab.yml: two labs only, from another state root, with extra groups and variables
plugin: multicloud.vpnlab.lab
state_root: /srv/vpnlab
labs:
  - vpntest
  - lab-2
strict: true
keyed_groups:
  # target_local, target_cloud
  - key: vpnlab_target
    prefix: target
groups:
  # the VMs reached through an Azure gateway
  behind_azure_gateway: cloud == 'azure'
compose:
  vpnlab_label: vpnlab_vm_name ~ ' (' ~ cloud ~ ', ' ~ private_ip ~ ')'

# Use it:
#   ansible-inventory -i inventory/vpnlab.yml --graph
#   ansible -i inventory/vpnlab.yml lab_vpntest -m ansible.builtin.ping
"""

import os
import time

from ansible.errors import AnsibleParserError
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.inventory import BaseInventoryPlugin, Constructable
from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws.inventory import list_vms_from_state as aws_vms
from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.inventory import list_vms_from_state as azure_vms
from ansible_collections.multicloud.vpnlab.plugins.module_utils.statedir import (
    StateDirError, lab_problems, observe, read_own, untrusted,
)
from ansible_collections.multicloud.vpnlab.plugins.module_utils.stateroot import refusal as root_refusal
from ansible_collections.multicloud.vpnlab.plugins.module_utils.vms_file import VMS_FILE, parse as parse_vms_file

# Cloud labs: per cloud, the section of vms.json it reads and the function listing its VMs by tag
# (section, lab, state_dir) -> records as in vms.json.
CLOUD_LISTINGS = {"aws": aws_vms, "azure": azure_vms}


# When this plugin was loaded: at the start of the ansible-playbook (or ansible-inventory)
# process that reads the inventory, before any task of the run. A vms.json written later was
# written by this run. File times come from a coarser clock than time.time(), so a file written
# just after this moment may look older (and is then read from the clouds again), never newer.
LOADED = time.time()


def load_lab_state(path):
    """Read one vms.json; raise ValueError unless it is of a schema this collection reads and
    every VM can become a complete host (vms_file.parse), and StateDirError unless the file is
    the running user's own (see statedir.read_own)."""
    return parse_vms_file(read_own(path))


class InventoryModule(BaseInventoryPlugin, Constructable):
    """Hosts and groups from the labs' vms.json files.

    No inventory cache, unlike aws_ec2: its cache saves slow cloud API calls, and reading a few
    small local files costs less than a cache lookup; a cache could also show VMs already gone.
    """

    NAME = "multicloud.vpnlab.lab"

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(("vpnlab.yml", "vpnlab.yaml"))

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache=cache)
        self._read_config_data(path)
        self.populate()

    def populate(self):
        """Add the labs' VMs to ``self.inventory`` with the options already set: by ``parse``
        from a configuration file, or directly by the ``lab_hosts`` lookup."""
        for lab, vms_file in self._lab_files():
            try:
                # Before the read: a file rewritten in between looks older than it is, and the
                # clouds are asked (never the other way round).
                written = os.stat(vms_file).st_mtime
                state = load_lab_state(vms_file)
                if state.get("lab", lab) != lab:
                    raise ValueError("it names lab %r, its directory's marker %r" % (state.get("lab"), lab))
            except (OSError, ValueError, StateDirError) as exc:
                self._skip(vms_file, to_native(exc))
                continue
            lab_name, lab_dir = lab, os.path.dirname(vms_file)
            for vm in self._cloud_vms(lab_name, state, lab_dir, written=written):
                self._add_vm(lab_name, state, vm, lab_dir)

    def _cloud_vms(self, lab, state, lab_dir, written=None):
        """A cloud lab's VMs as the clouds list them now; vms.json's for the other targets, for
        a vms.json this run wrote (``written``, its modification time, after this plugin was
        loaded: the clouds' listing of moments ago), and for a cloud that cannot be asked
        (with a warning)."""
        vms = state["vms"]
        if state.get("target") != "cloud" or not self.get_option("cloud_refresh"):
            return vms
        if written is not None and written >= LOADED:
            return vms
        for cloud, listing in CLOUD_LISTINGS.items():
            if not isinstance(state.get(cloud), dict):
                continue
            try:
                found = listing(state[cloud], lab, state.get("state_dir") or lab_dir)
            except Exception as exc:  # pylint: disable=broad-except  # boto3/SDK errors of every kind
                self.display.warning("multicloud.vpnlab.lab: could not list lab %s's %s VMs (%s); using %s"
                                     % (lab, cloud, to_native(exc), os.path.join(lab_dir, VMS_FILE)))
                continue
            vms = [vm for vm in vms if vm.get("cloud") != cloud] + found
        return vms

    def _lab_files(self):
        """(lab, path of its vms.json) for each lab to list: only the labs' own directories."""
        root = self.get_option("state_root")
        refused = root_refusal(root)
        if refused:
            raise AnsibleParserError("multicloud.vpnlab.lab: %s" % refused)
        root = root.rstrip("/") or "/"
        wanted = self.get_option("labs")
        # A missing root only means no lab was built yet: an empty inventory, not an error.
        labs = wanted or (sorted(os.listdir(root)) if os.path.isdir(root) else [])
        for lab in labs:
            if not wanted and lab_problems(lab):
                continue  # not a lab name, so no lab's directory
            lab_dir = os.path.join(root, lab)
            vms_file = os.path.join(lab_dir, VMS_FILE)
            if not os.path.lexists(vms_file):
                if wanted:
                    # Asked for by name, so its absence is worth saying; found by listing (a lab
                    # still being built has no vms.json yet), it is not.
                    self.display.warning("multicloud.vpnlab.lab: lab %r has no %s" % (lab, vms_file))
                continue
            reason = self._distrust(lab, lab_dir)
            if reason:
                self._skip(lab_dir, reason, what="state directory of lab %r" % lab)
                continue
            yield lab, vms_file

    @staticmethod
    def _distrust(lab, lab_dir):
        """Why `lab_dir` is not `lab`'s own state directory (statedir's rule), or None."""
        problems = lab_problems(lab)
        if problems:
            return problems[0]
        try:
            return untrusted(observe(lab_dir), lab)
        except OSError as exc:
            return to_native(exc)

    def _skip(self, vms_file, reason, what="lab state"):
        message = "multicloud.vpnlab.lab: unusable %s %s: %s" % (what, vms_file, reason)
        if self.get_option("strict"):
            raise AnsibleParserError(message)
        self.display.warning(message + "; lab skipped")

    def _add_vm(self, lab, state, vm, lab_dir):
        host = vm["resource_name"]
        hostvars = dict(vm.get("connection", {}))
        hostvars.update(
            vpnlab_lab=lab, vpnlab_target=state.get("target"), vpnlab_vm_name=vm["name"], cloud=vm["cloud"],
            private_ip=vm.get("private_ip"), public_ip=vm.get("public_ip"),
            vpnlab_state_dir=state.get("state_dir") or lab_dir,
        )
        self.inventory.add_host(host, group=self.inventory.add_group("vpnlab"))
        for group in ("lab_" + lab.replace("-", "_"), vm["cloud"]):
            self.inventory.add_child(self.inventory.add_group(group), host)
        for name, value in hostvars.items():
            self.inventory.set_variable(host, name, value)

        strict = self.get_option("strict")
        self._set_composite_vars(self.get_option("compose"), hostvars, host, strict=strict)
        self._add_host_to_composed_groups(self.get_option("groups"), hostvars, host, strict=strict)
        self._add_host_to_keyed_groups(self.get_option("keyed_groups"), hostvars, host, strict=strict)

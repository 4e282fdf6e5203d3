# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The multicloud.vpnlab.lab_hosts lookup (check.yml's VMs when no inventory lists them) gives
the lab inventory plugin's hosts, groups and variables, and check.yml adds every one of them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.topology import inventory_records
from ansible_collections.multicloud.vpnlab.plugins.module_utils.access import cloud_connection
from ansible_collections.multicloud.vpnlab.plugins.module_utils.statedir import MARKER, marker_text

ROOT = Path(__file__).resolve().parents[4]
BIN = Path(sys.executable).parent
VMS = [("vm1", "azure", "10.1.1.10", "198.51.100.11"), ("vm3", "aws", "10.2.1.10", "203.0.113.21")]


def vm_records(lab, target, state_dir):
    """vms.json's VMs with the connection variables the collection's own code writes."""
    if target == "local":
        plan = {"lab": lab, "state_dir": state_dir,
                "vms": [{"name": n, "cloud": c, "private_ip": p, "resource_name": "%s-%s" % (lab, n)}
                        for n, c, p, pub in VMS]}
        return inventory_records(plan, "vpnlab-%s.op" % lab, {vm[0]: "vpnlab-%s.%s" % (lab, vm[0]) for vm in VMS},
                                 {vm[0]: vm[3] for vm in VMS})
    return [{"name": n, "cloud": c, "private_ip": p, "public_ip": pub, "resource_name": "%s-%s" % (lab, n),
             "connection": cloud_connection(lab, state_dir, pub, "azureuser" if c == "azure" else "ubuntu")}
            for n, c, p, pub in VMS]


def write_lab(root, lab, target, marked=True):
    state_dir = root / lab
    state_dir.mkdir(parents=True, mode=0o700)
    state_dir.chmod(0o700)
    if marked:
        (state_dir / MARKER).write_text(marker_text(lab))
        (state_dir / MARKER).chmod(0o600)
    doc = {"lab": lab, "target": target, "state_dir": str(state_dir), "vms": vm_records(lab, target, str(state_dir))}
    (state_dir / "vms.json").write_text(json.dumps(doc))
    (state_dir / "vms.json").chmod(0o600)


@pytest.fixture
def root(tmp_path):
    root = tmp_path / "state"
    root.mkdir(mode=0o700)
    write_lab(root, "loc-1", "local")
    write_lab(root, "cld", "cloud")
    return root


def env(root):
    full = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "VPNLAB_"))}
    full.update(PATH="%s:%s" % (BIN, full.get("PATH", "")), ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
                ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0", VPNLAB_HOME=str(root))
    return full


def unwrap(value):
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {key: unwrap(item) for key, item in value.items()}
    if isinstance(value, list):
        return [unwrap(item) for item in value]
    return value


def lookup(root, *labs):
    """lookup('multicloud.vpnlab.lab_hosts', *labs, cloud_refresh=False) through `ansible`:
    (rc, hosts or None, output)."""
    expr = "{{ lookup('multicloud.vpnlab.lab_hosts', %s, cloud_refresh=False, wantlist=True) }}" \
        % ", ".join(repr(lab) for lab in labs)
    proc = subprocess.run([str(BIN / "ansible"), "localhost", "-m", "ansible.builtin.debug", "-a", "msg=" + expr],
                          capture_output=True, text=True, cwd=ROOT, timeout=120, check=False,
                          env=dict(env(root), ANSIBLE_LOAD_CALLBACK_PLUGINS="1",
                                   ANSIBLE_STDOUT_CALLBACK="ansible.builtin.json"))
    try:
        result = json.loads(proc.stdout)["plays"][0]["tasks"][0]["hosts"]["localhost"]
    except (ValueError, KeyError, IndexError):
        return proc.returncode, None, proc.stdout + proc.stderr
    return proc.returncode, (unwrap(result["msg"]) if not result.get("failed") else None), \
        proc.stdout + proc.stderr


def plugin_listing(root, tmp_path):
    """ansible-inventory with the lab plugin alone (no compose/keyed_groups): {host: (groups, vars)}."""
    config = tmp_path / "plain.vpnlab.yml"
    config.write_text("plugin: multicloud.vpnlab.lab\ncloud_refresh: false\n")
    proc = subprocess.run([str(BIN / "ansible-inventory"), "-i", str(config), "--list"], capture_output=True,
                          text=True, cwd=ROOT, timeout=120, check=True,
                          env=dict(env(root), ANSIBLE_INVENTORY_ENABLED="multicloud.vpnlab.lab"))
    data = unwrap(json.loads(proc.stdout))
    hostvars = data.pop("_meta")["hostvars"]
    groups = {host: sorted(name for name, group in data.items()
                           if name not in ("all", "ungrouped") and host in group.get("hosts", []))
              for host in hostvars}
    return {host: (groups[host], hostvars[host]) for host in hostvars}


def test_the_lookup_gives_the_inventory_plugins_hosts_groups_and_variables(root, tmp_path):
    rc, hosts, out = lookup(root, "loc-1", "cld")
    assert rc == 0, out
    assert [h["name"] for h in hosts] == ["cld-vm1", "cld-vm3", "loc-1-vm1", "loc-1-vm3"]
    listed = plugin_listing(root, tmp_path)
    assert {h["name"]: (h["groups"], h["vars"]) for h in hosts} == listed
    assert hosts[2]["groups"] == ["azure", "lab_loc_1", "vpnlab"]
    assert "ProxyCommand='ip netns exec vpnlab-loc-1.op" in hosts[2]["vars"]["ansible_ssh_common_args"]
    assert "WARNING" not in out


def test_only_the_named_lab(root):
    rc, hosts, out = lookup(root, "cld")
    assert rc == 0, out
    assert {h["vars"]["vpnlab_lab"] for h in hosts} == {"cld"}


def test_a_lab_not_built_has_no_hosts_and_no_warning(root):
    rc, hosts, out = lookup(root, "nolab")
    assert (rc, hosts) == (0, []), out
    assert "WARNING" not in out


def test_a_directory_that_is_not_the_labs_own_fails_naming_it(root):
    write_lab(root, "foreign", "local", marked=False)
    rc, hosts, out = lookup(root, "foreign")
    assert rc != 0 and hosts is None
    assert str(root / "foreign") in out and "Traceback" not in out


def test_check_yml_adds_every_host_variable_the_plugin_sets(root):
    """check.yml names the variables it copies (add_host takes no dict of them): none may be
    missing, for either target."""
    hosts, out = lookup(root, "loc-1", "cld")[1:]
    assert hosts, out
    plugin_vars = set().union(*(h["vars"] for h in hosts))
    plays = yaml.safe_load((ROOT / "playbooks" / "check.yml").read_text())
    add_host = [t["ansible.builtin.add_host"] for t in plays[0]["tasks"]
                if "ansible.builtin.add_host" in t and t.get("loop", "").startswith("{{ check_lab_hosts")]
    assert len(add_host) == 1
    copied = set(add_host[0]) - {"name", "groups"}
    assert plugin_vars - copied == set()
    # What it adds beyond them: the pipelining the repository's ansible.cfg sets.
    assert copied - plugin_vars == {"ansible_pipelining"}

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The files that make the lab's VMs reachable: sshd_config, known_hosts, vms.json, ssh_config."""

from __future__ import annotations

import datetime
import json

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.plan import LocalTarget
from ansible_collections.multicloud.vpnlab.plugins.module_utils.plan import build_plan
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.vms import (
    HOSTNAME_RE, inventory_document, known_hosts, ssh_config, sshd_config,
)


def directives(text):
    """sshd_config as (keyword, value) pairs, comments and blank lines left out."""
    pairs = []
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            keyword, value = line.split(None, 1)
            pairs.append((keyword, value))
    return pairs


@pytest.mark.parametrize("directory, authorized", [
    ("/st/vpntest/vms/vm1", "/st/vpntest/authorized_keys"),
    ("/tmp/x/lab-2/vms/web", "/tmp/x/lab-2/authorized_keys"),
])
def test_sshd_config(directory, authorized):
    text = sshd_config(directory, authorized)
    pairs = directives(text)
    # sshd takes the first value of a keyword: each one must appear once.
    keywords = [k.lower() for k, dummy in pairs]
    assert len(keywords) == len(set(keywords))
    assert dict(pairs) == {
        "ListenAddress": "0.0.0.0:22",
        "HostKey": "%s/ssh_host_ed25519_key" % directory,
        "PidFile": "%s/sshd.pid.sshd" % directory,
        "AuthorizedKeysFile": authorized,
        "PermitRootLogin": "prohibit-password",
        "StrictModes": "no",
        "PasswordAuthentication": "no",
        "KbdInteractiveAuthentication": "no",
        "UsePAM": "no",
        "X11Forwarding": "no",
        "PrintMotd": "no",
        "PrintLastLog": "no",
        "AcceptEnv": "LANG LC_*",
        "Subsystem": "sftp internal-sftp",
    }
    assert text.endswith("\n") and not text.endswith("\n\n")
    # The PID file sshd writes is not the one the module records for the process it spawned.
    assert "%s/sshd.pid\n" % directory not in text


VM1 = {"name": "vm1", "cloud": "azure", "private_ip": "10.1.1.10", "public_ip": "198.51.100.11"}
VM3 = {"name": "vm3", "cloud": "aws", "private_ip": "10.2.1.10", "public_ip": "203.0.113.12"}
KEYS = {"vm1": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOne vm1",
        "vm3": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIThree vm3"}


@pytest.mark.parametrize("vms, expected", [
    ([], ""),
    ([VM1], "198.51.100.11,10.1.1.10 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOne vm1\n"),
    ([VM3, VM1], "203.0.113.12,10.2.1.10 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIThree vm3\n"
                 "198.51.100.11,10.1.1.10 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOne vm1\n"),
])
def test_known_hosts(vms, expected):
    assert known_hosts(vms, KEYS) == expected


def test_known_hosts_needs_every_key():
    with pytest.raises(KeyError):
        known_hosts([VM1, VM3], {"vm1": KEYS["vm1"]})


@pytest.mark.parametrize("lab, target, state_dir, vms", [
    ("vpntest", "local", "/st/vpntest", [VM1, VM3]),
    ("lab-2", "cloud", "/home/u/.vpnlab/lab-2", []),
])
def test_inventory_document(lab, target, state_dir, vms):
    text = inventory_document(lab, target, state_dir, vms)
    assert json.loads(text) == {"lab": lab, "target": target, "state_dir": state_dir, "vms": vms}
    assert text.endswith("}\n")
    assert text.startswith('{\n  "lab": %s,\n' % json.dumps(lab))
    # Stable text for the same data (the module compares files to decide `changed`).
    reordered = [dict(reversed(list(vm.items()))) for vm in vms]
    assert inventory_document(lab, target, state_dir, reordered) == text


def test_inventory_document_exact():
    assert inventory_document("vpntest", "local", "/st/vpntest", [VM1]) == (
        '{\n'
        '  "lab": "vpntest",\n'
        '  "state_dir": "/st/vpntest",\n'
        '  "target": "local",\n'
        '  "vms": [\n'
        '    {\n'
        '      "cloud": "azure",\n'
        '      "name": "vm1",\n'
        '      "private_ip": "10.1.1.10",\n'
        '      "public_ip": "198.51.100.11"\n'
        '    }\n'
        '  ]\n'
        '}\n')


def test_ssh_config_from_inventory_records():
    plan = build_plan({}, {"local": LocalTarget([])}, today=datetime.date(2026, 11, 25), state_root="/st")
    records = plan["local"]["inventory"]
    text = ssh_config(records[:1] + records[2:], "/st/vpntest")
    assert text == (
        "# Written by multicloud.vpnlab: ssh -F /st/vpntest/ssh_config vm1\n"
        "Host vm1 vpntest-vm1\n"
        "  HostName 198.51.100.11\n"
        "  User root\n"
        "  IdentityFile /st/vpntest/id_ed25519\n"
        "  IdentitiesOnly yes\n"
        "  UserKnownHostsFile /st/vpntest/known_hosts\n"
        "  StrictHostKeyChecking yes\n"
        "  ProxyCommand ip netns exec vpnlab-vpntest.op nc %h %p\n"
        "\n"
        "Host vm3 vpntest-vm3\n"
        "  HostName 203.0.113.12\n"
        "  User root\n"
        "  IdentityFile /st/vpntest/id_ed25519\n"
        "  IdentitiesOnly yes\n"
        "  UserKnownHostsFile /st/vpntest/known_hosts\n"
        "  StrictHostKeyChecking yes\n"
        "  ProxyCommand ip netns exec vpnlab-vpntest.op nc %h %p\n")


@pytest.mark.parametrize("name, ok", [
    ("vm1", True), ("a", True), ("web-01", True), ("a" * 63, True),
    ("a" * 64, False), ("1vm", False), ("VM1", False), ("vm_1", False), ("", False), ("-vm", False),
    ("vm1\n", False), ("vm1\r\n", False),
])
def test_hostname_re(name, ok):
    assert bool(HOSTNAME_RE.match(name)) is ok

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The files that make the lab's VMs reachable: sshd_config, known_hosts, ssh_config (vms.json is
module_utils/vms_file.py's, tested in test_vms_file.py)."""

from __future__ import annotations

import datetime
import os
import shlex
import subprocess

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.plan import LocalTarget
from ansible_collections.multicloud.vpnlab.plugins.module_utils.plan import build_plan
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.vms import (
    AUTHORIZED_KEYS, HOSTNAME_RE, KEYS_MOUNT, SSHD_SCRIPT, config_value,
    known_hosts, ssh_config, ssh_options, sshd_argv, sshd_config,
)


def directives(text):
    """sshd_config as (keyword, value) pairs, comments and blank lines left out."""
    pairs = []
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            keyword, value = line.split(None, 1)
            pairs.append((keyword, value))
    return pairs


def unquote(value):
    """An OpenSSH config argument as its argument splitting reads it ("..." with \\ escapes)."""
    words = shlex.split(value)
    assert len(words) == 1, value
    return words[0]


@pytest.mark.parametrize("directory", [
    "/st/vpntest/vms/vm1", "/tmp/x/lab-2/vms/web", "/tmp/hB space/home/lab/vms/vm1",
    '/tmp/q"uote\\back/vms/vm1'])
def test_sshd_config(directory):
    text = sshd_config(directory, "ab12")
    pairs = directives(text)
    # sshd takes the first value of a keyword: each one must appear once.
    keywords = [k.lower() for k, dummy in pairs]
    assert len(keywords) == len(set(keywords))
    config = dict(pairs)
    # Paths are quoted values: one argument each, whatever they contain.
    assert unquote(config.pop("HostKey")) == "%s/ssh_host_ed25519_key" % directory
    assert unquote(config.pop("PidFile")) == "%s/sshd.pid.sshd" % directory
    assert config == {
        "ListenAddress": "0.0.0.0:22",
        "AuthorizedKeysFile": "/run/vpnlab/authorized_keys",
        "PermitRootLogin": "prohibit-password",
        # Pinned: sshd checks the modes of authorized_keys and of every directory above it.
        "StrictModes": "yes",
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


def test_a_new_authorized_key_changes_the_config():
    """sshd copies the key when it starts: a new key must restart it."""
    assert sshd_config("/d", "aa") != sshd_config("/d", "bb")


def test_the_key_copy_is_under_a_root_only_mount():
    assert AUTHORIZED_KEYS == KEYS_MOUNT + "/authorized_keys" and KEYS_MOUNT.startswith("/run/")
    assert "mode=0700" in SSHD_SCRIPT and "install -m 0600" in SSHD_SCRIPT


@pytest.mark.parametrize("value", ["/a\nb", "/a\rb", "/a\0b"])
def test_config_value_refuses_line_breaks(value):
    with pytest.raises(ValueError):
        config_value(value)


@pytest.mark.parametrize("config_path, keys", [
    ("/st/vpntest/vms/vm1/sshd_config", "/st/vpntest/authorized_keys"),
    ("/tmp/hB space/h/lab/vms/vm1/sshd_config", "/tmp/hB space/h/lab/authorized_keys"),
    ("/tmp/x;id/$(id)`id`/vms/vm1/sshd_config", "/tmp/x;id/$(id)`id`/authorized_keys"),
])
def test_sshd_argv_keeps_data_out_of_the_script(config_path, keys):
    argv = sshd_argv("vpnlab-x.vm1", "vm1", config_path, keys)
    script = argv[argv.index("-c") + 1]
    # The script is a constant; the data are positional parameters ($1..$5), each one element.
    assert script == SSHD_SCRIPT and "%" not in script
    assert argv[argv.index("-c") + 2:] == ["vpnlab-vm", KEYS_MOUNT, keys, "vm1", "/usr/sbin/sshd",
                                           config_path]
    assert argv[:5] == ["ip", "netns", "exec", "vpnlab-x.vm1", "unshare"]
    assert "--uts" in argv and "--mount" in argv


@pytest.mark.parametrize("name", ["vm1;id", "-n", "VM1", ""])
def test_sshd_argv_refuses_a_bad_host_name(name):
    with pytest.raises(ValueError):
        sshd_argv("ns", name, "/c", "/k")


def test_sshd_script_runs_its_parameters_as_data(tmp_path):
    """The script with harmless stand-ins for mount/install/hostname/sshd: each parameter
    arrives whole, and nothing in them is executed."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "log"
    for tool in ("mount", "install", "hostname"):
        (bin_dir / tool).write_text('#!/bin/sh\nfor a; do printf "%%s|" "$a"; done >> "%s"\n'
                                    'echo >> "%s"\n' % (log, log))
        (bin_dir / tool).chmod(0o755)
    evil = str(tmp_path / "a b;touch pwned;$(touch pwned2)")
    argv = sshd_argv("ns", "vm1", evil + "/sshd_config", evil + "/keys")
    args = argv[argv.index("sh"):]
    args[args.index("/usr/sbin/sshd")] = str(bin_dir / "hostname")  # the "sshd" records too
    subprocess.run(args, check=True, cwd=tmp_path,
                   env=dict(os.environ, PATH="%s:%s" % (bin_dir, os.environ["PATH"])))
    lines = log.read_text().splitlines()
    assert lines == [
        "-t|tmpfs|-o|mode=0700,size=1m|vpnlab-vm|%s|" % KEYS_MOUNT,
        "-m|0600|--|%s/keys|%s/authorized_keys|" % (evil, KEYS_MOUNT),
        "vm1|",
        "-D|-e|-f|%s/sshd_config|" % evil]
    assert not list(tmp_path.glob("pwned*"))


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


def test_ssh_config_from_inventory_records():
    plan = build_plan({}, {"local": LocalTarget([])}, today=datetime.date(2026, 11, 25), state_root="/st")
    records = plan["local"]["inventory"]
    text = ssh_config(records[:1] + records[2:], "/st/vpntest")
    assert text == (
        "# Written by multicloud.vpnlab: ssh -F /st/vpntest/ssh_config vm1\n"
        "Host vm1 vpntest-vm1\n"
        "  HostName 198.51.100.11\n"
        "  User root\n"
        '  IdentityFile "/st/vpntest/id_ed25519"\n'
        "  IdentitiesOnly yes\n"
        '  UserKnownHostsFile "/st/vpntest/known_hosts"\n'
        "  StrictHostKeyChecking yes\n"
        "  ProxyCommand ip netns exec vpnlab-vpntest.op nc %h %p\n"
        "\n"
        "Host vm3 vpntest-vm3\n"
        "  HostName 203.0.113.12\n"
        "  User root\n"
        '  IdentityFile "/st/vpntest/id_ed25519"\n'
        "  IdentitiesOnly yes\n"
        '  UserKnownHostsFile "/st/vpntest/known_hosts"\n'
        "  StrictHostKeyChecking yes\n"
        "  ProxyCommand ip netns exec vpnlab-vpntest.op nc %h %p\n")


def test_ssh_config_under_a_home_with_a_space():
    state = "/tmp/hB space/home/vpntest"
    plan = build_plan({}, {"local": LocalTarget([])}, today=datetime.date(2026, 11, 25),
                      state_root="/tmp/hB space/home")
    text = ssh_config(plan["local"]["inventory"][:1], state)
    assert text.splitlines()[0] == (
        "# Written by multicloud.vpnlab: ssh -F '/tmp/hB space/home/vpntest/ssh_config' vm1")
    assert '  IdentityFile "%s/id_ed25519"' % state in text
    assert '  UserKnownHostsFile "%s/known_hosts"' % state in text
    assert "  ProxyCommand ip netns exec vpnlab-vpntest.op nc %h %p" in text


def test_ssh_options():
    args = ("-o ProxyCommand='ip netns exec ns nc %h %p' "
            "-o 'UserKnownHostsFile=\"/a b/known_hosts\"' -o StrictHostKeyChecking=yes")
    assert ssh_options(args) == {"ProxyCommand": "ip netns exec ns nc %h %p",
                                 "UserKnownHostsFile": '"/a b/known_hosts"',
                                 "StrictHostKeyChecking": "yes"}


@pytest.mark.parametrize("name, ok", [
    ("vm1", True), ("a", True), ("web-01", True), ("a" * 63, True),
    ("a" * 64, False), ("1vm", False), ("VM1", False), ("vm_1", False), ("", False), ("-vm", False),
    ("vm1\n", False), ("vm1\r\n", False),
])
def test_hostname_re(name, ok):
    assert bool(HOSTNAME_RE.match(name)) is ok

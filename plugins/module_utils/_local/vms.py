# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Local target: the files that make the lab's VMs reachable over SSH (pure)."""

from __future__ import annotations

import re
import shlex
from typing import Any, Iterable, Mapping

HOSTNAME_RE = re.compile(r"\A[a-z][a-z0-9-]{0,62}\Z")  # whole string: no final newline


# The VM's sshd runs in mount and UTS namespaces of its own. StrictModes checks every directory
# above authorized_keys up to "/" (root's home is not on that path) and refuses one writable by
# group or others, sticky or not: a state root under /tmp would fail. So sshd reads a copy made
# at its start in a private tmpfs mounted over KEYS_MOUNT (root-only all the way up), which
# vanishes with it; the lab's authorized_keys (0600, in its 0700 state directory) is the source.
KEYS_MOUNT = "/run/vpnlab"
AUTHORIZED_KEYS = KEYS_MOUNT + "/authorized_keys"
SSHD = "/usr/sbin/sshd"
# A constant script: paths and the host name reach it as positional parameters, never as code.
SSHD_SCRIPT = ('mount -t tmpfs -o mode=0700,size=1m vpnlab-vm "$1" '
               '&& install -m 0600 -- "$2" "$1/authorized_keys" '
               '&& hostname "$3" && exec "$4" -D -e -f "$5"')


def vm_dirs(state_dir: str, names: Iterable[str]) -> dict[str, str]:
    """{VM name: directory} of each local VM's files (host key, sshd_config, pid, log)."""
    return {name: state_dir + "/vms/" + name for name in names}


def config_value(value: str) -> str:
    """A value for sshd_config or ssh_config: double-quoted, so that a path with spaces stays one
    argument; backslashes and double quotes escaped as OpenSSH's argument splitting reads them."""
    if any(c in value for c in "\n\r\0"):
        raise ValueError("%r: a line break or NUL cannot be written to an OpenSSH config" % value)
    return '"%s"' % value.replace("\\", "\\\\").replace('"', '\\"')


def sshd_argv(netns: str, name: str, config_path: str, keys_file: str) -> list[str]:
    """The command that starts one VM's sshd: every piece of data an argv element."""
    if not HOSTNAME_RE.fullmatch(name):
        raise ValueError("VM name %r is not a valid host name" % name)
    return ["ip", "netns", "exec", netns, "unshare", "--uts", "--mount", "sh", "-c", SSHD_SCRIPT,
            "vpnlab-vm", KEYS_MOUNT, keys_file, name, SSHD, config_path]


def sshd_config(directory: str, key_digest: str) -> str:
    """sshd of one lab VM: key login as root only, its own host key, PID file and log.

    `key_digest` (of the authorized key) is recorded so that a new key restarts sshd, which
    copies the key when it starts (see KEYS_MOUNT)."""
    return "\n".join([
        "# Written by multicloud.vpnlab: sshd of one lab VM (a network namespace).",
        "# Authorized key sha256 %s, copied to %s when sshd starts." % (key_digest, AUTHORIZED_KEYS),
        "ListenAddress 0.0.0.0:22",
        "HostKey %s" % config_value(directory + "/ssh_host_ed25519_key"),
        "PidFile %s" % config_value(directory + "/sshd.pid.sshd"),
        "AuthorizedKeysFile %s" % AUTHORIZED_KEYS,
        "PermitRootLogin prohibit-password",
        "StrictModes yes",
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


def known_hosts(vms: Iterable[Mapping[str, Any]], host_keys: Mapping[str, str]) -> str:
    """One line per VM: its public and private address, then its host key."""
    return "".join("%s,%s %s\n" % (vm["public_ip"], vm["private_ip"], host_keys[vm["name"]])
                   for vm in vms)


def ssh_options(common_args: str) -> dict[str, str]:
    """The `-o Name=value` options of an ansible_ssh_common_args string, by name."""
    words = shlex.split(common_args)
    options: dict[str, str] = {}
    for flag, option in zip(words, words[1:]):
        if flag == "-o" and "=" in option:
            name, value = option.split("=", 1)
            options[name] = value
    return options


def ssh_config(vms: Iterable[Mapping[str, Any]], state_dir: str) -> str:
    """An ssh_config so that `ssh -F <state_dir>/ssh_config vm1` works by hand, through the
    operator namespace like Ansible (the ProxyCommand comes from the inventory records)."""
    blocks = []
    for vm in vms:
        proxy = ssh_options(vm["connection"]["ansible_ssh_common_args"])["ProxyCommand"]
        blocks.append("\n".join([
            "Host %s %s" % (vm["name"], vm["resource_name"]),
            "  HostName %s" % vm["public_ip"],
            "  User root",
            "  IdentityFile %s" % config_value(state_dir + "/id_ed25519"),
            "  IdentitiesOnly yes",
            "  UserKnownHostsFile %s" % config_value(state_dir + "/known_hosts"),
            "  StrictHostKeyChecking yes",
            "  ProxyCommand %s" % proxy,
        ]))
    return "# Written by multicloud.vpnlab: ssh -F %s vm1\n%s\n" % (
        shlex.quote(state_dir + "/ssh_config"), "\n\n".join(blocks))

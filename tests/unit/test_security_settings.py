# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The security settings, pinned: changing one of them must break a test here.

- how Ansible reaches a VM: host keys learnt once and then checked (accept-new for the cloud,
  yes for the local lab, whose keys the lab writes itself), in the lab's own known_hosts, never a
  password;
- the modes of every file that holds a key, where each is written: the PSK stores (the local
  lab's vpn-connection.json, the cloud target's cloud/aws-tunnel-psks.json), the SSH key pair
  (the test_vms role), the VMs' host keys, authorized_keys and known_hosts (local_vms), the
  state directory's marker; all 0600, their directories 0700, whatever the umask.

Unprivileged: real files under tmp_path, modules run in process, sshd and charon stubbed out.
"""

from __future__ import annotations

import json
import os
import shlex
import stat
from pathlib import Path

import pytest
import yaml

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.testing import patch_module_args

from ansible_collections.multicloud.vpnlab.plugins.module_utils import access, files, statedir
from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws import psks
from ansible_collections.multicloud.vpnlab.plugins.modules import lab_plan, local_vms, local_vpn_connection

ROOT = Path(__file__).resolve().parents[2]
PRIVATE, PRIVATE_DIR = 0o600, 0o700


class Exited(Exception):
    def __init__(self, result):
        super().__init__(result)
        self.result = result


@pytest.fixture
def run(monkeypatch):
    """run(module, args) -> result, as tests/unit/plugins/modules/conftest.py does."""
    def leave(self, **kwargs):
        raise Exited(kwargs)

    def fail(self, msg, **kwargs):
        raise Exited(dict(kwargs, failed=True, msg=msg))

    monkeypatch.setattr(AnsibleModule, "exit_json", leave)
    monkeypatch.setattr(AnsibleModule, "fail_json", fail)

    def call(module, args):
        with patch_module_args(args), pytest.raises(Exited) as done:
            module.main()
        return done.value.result
    return call


@pytest.fixture
def open_umask():
    """umask 0: a mode set only by the umask would show as 0666/0777 here."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def mode(path):
    return stat.S_IMODE(os.lstat(str(path)).st_mode)


def ssh_options(args):
    """{Name: value} of `-o Name=value` in ansible_ssh_common_args, split as Ansible splits it."""
    words = shlex.split(args)
    options = {}
    for flag, value in zip(words, words[1:]):
        if flag == "-o":
            name, dummy, val = value.partition("=")
            options[name] = val
    return options


# --- how Ansible reaches the VMs ----------------------------------------------------------------

@pytest.mark.parametrize("state_dir", ["/root/.vpnlab/lab1", "/home/me/my labs/lab1"])
def test_cloud_ssh_settings(state_dir):
    conn = access.cloud_connection("lab1", state_dir, "198.51.100.7", "ubuntu")
    options = ssh_options(conn["ansible_ssh_common_args"])
    # A new VM's key is learnt once, then any change is refused (never "no").
    assert options["StrictHostKeyChecking"] == "accept-new"
    # ... in the lab's own file, one value even with a space in the path.
    assert options["UserKnownHostsFile"].strip('"') == state_dir + "/known_hosts"
    # Never a password: the lab's key or nothing, and no prompt.
    assert options["PasswordAuthentication"] == "no"
    assert options["BatchMode"] == "yes"
    assert conn["ansible_ssh_private_key_file"] == state_dir + "/id_ed25519"
    assert "vpnlab-lab1-" in conn["ansible_control_path"]


def test_local_ssh_settings(tmp_path, run):
    plan = local_plan(tmp_path, run)
    for record in plan["local"]["inventory"]:
        options = ssh_options(record["connection"]["ansible_ssh_common_args"])
        # The local lab writes the VMs' host keys into known_hosts itself: nothing is learnt.
        assert options["StrictHostKeyChecking"] == "yes"
        assert options["UserKnownHostsFile"].strip('"') == plan["state_dir"] + "/known_hosts"
        # The only way in: through the operator's namespace.
        assert options["ProxyCommand"].startswith("ip netns exec vpnlab-%s." % plan["lab"])
        assert record["connection"]["ansible_ssh_private_key_file"] == plan["state_dir"] + "/id_ed25519"


# --- the modes of the files that hold keys -------------------------------------------------------

def test_files_update_writes_private_files(tmp_path, open_umask):
    path = tmp_path / "secret.json"
    path.write_text("old")
    os.chmod(str(path), 0o644)
    assert files.update(str(path), "new") is True
    assert mode(path) == PRIVATE


def test_aws_psk_store_is_private(tmp_path, open_umask):
    path = tmp_path / "cloud" / "aws-tunnel-psks.json"
    path.parent.mkdir(mode=PRIVATE_DIR)
    assert psks.write_store(str(path), {"tunnel1": "abcdefgh12345678"}) is True
    assert mode(path) == PRIVATE
    os.chmod(str(path), 0o644)
    assert psks.write_store(str(path), {"tunnel1": "zyxwvuts12345678"}) is True
    assert mode(path) == PRIVATE


def task(role, tasks_file, name_part):
    doc = yaml.safe_load((ROOT / "roles" / role / "tasks" / tasks_file).read_text())
    found = [t for t in doc if name_part in t.get("name", "")]
    assert len(found) == 1, [t.get("name") for t in doc]
    return found[0]


@pytest.mark.parametrize("role,tasks_file,name_part,module,path_end,wanted", [
    ("test_vms", "local.yml", "SSH key", "community.crypto.openssh_keypair", "/id_ed25519", "0600"),
    ("test_vms", "cloud.yml", "SSH key", "community.crypto.openssh_keypair", "/id_ed25519", "0600"),
    ("test_vms", "cloud.yml", "vms.json", "ansible.builtin.copy", "/vms.json", "0600"),
    ("aws_vpc_vpn", "aws_vpn.yml", "directory of the cloud target's secrets", "ansible.builtin.file",
     "/cloud", "0700"),
])
def test_roles_write_keys_private(role, tasks_file, name_part, module, path_end, wanted):
    found = task(role, tasks_file, name_part)
    args = found[module]
    assert (args.get("path") or args.get("dest")).endswith(path_end)
    assert str(args["mode"]) == wanted


def test_aws_psk_store_lives_in_the_private_cloud_dir():
    from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws.plan import PSK_FILE
    assert PSK_FILE == "cloud/aws-tunnel-psks.json"


def test_state_dir_and_marker_are_private(tmp_path, open_umask):
    state = tmp_path / "root" / "lab1"
    statedir.ensure_present(str(state), "lab1")
    assert (mode(tmp_path / "root"), mode(state), mode(state / statedir.MARKER)) == (
        PRIVATE_DIR, PRIVATE_DIR, PRIVATE)


def local_plan(tmp_path, run):
    result = run(lab_plan, {"host_networks": [], "state_root": str(tmp_path / "home")})
    assert not result.get("failed"), result
    return result["plan"]


def test_local_psk_file_is_private(tmp_path, run, open_umask):
    plan = local_plan(tmp_path, run)
    state = tmp_path / "home" / "lab"
    result = run(local_vpn_connection, {"plan": plan, "state_dir": str(state)})
    assert not result.get("failed"), result
    doc = json.loads((state / "vpn-connection.json").read_text())
    assert all(t["PreSharedKey"] for t in doc["Options"]["TunnelOptions"])
    assert mode(state) == PRIVATE_DIR and mode(state / "vpn-connection.json") == PRIVATE


def test_local_vms_files_are_private(tmp_path, run, open_umask, monkeypatch):
    """authorized_keys, known_hosts, vms.json, ssh_config: sshd and the VMs stubbed out."""
    plan = local_plan(tmp_path, run)
    state = tmp_path / "home" / "lab"
    monkeypatch.setattr(local_vms, "ensure_vm",
                        lambda module, vm, *args: (True, 4242, "ssh-ed25519 AAAAC3Nz host"))
    result = run(local_vms, {"lab": "lab", "state_dir": str(state), "vms": plan["local"]["inventory"],
                             "authorized_key": "ssh-ed25519 AAAAC3Nz lab"})
    assert not result.get("failed"), result
    assert mode(state) == PRIVATE_DIR
    for name in ("authorized_keys", "known_hosts", "vms.json", "ssh_config"):
        assert mode(state / name) == PRIVATE, name


def test_a_vms_host_key_is_private():
    """lab_host's state-directory step makes each local VM's directory (0700, by lab_state), and
    the role makes the host key (0600) there before local_vms runs."""
    state = task("lab_host", "state_dir.yml", "state directory")["multicloud.vpnlab.lab_state"]
    assert "vpnlab_plan.local.vm_dirs" in state["directories"]
    key = task("test_vms", "local.yml", "SSH host key")["community.crypto.openssh_keypair"]
    assert key["path"] == "{{ vpnlab_plan.local.vm_dirs[item.name] }}/ssh_host_ed25519_key"
    assert (key["type"], str(key["mode"])) == ("ed25519", "0600")


class HostKeyModule:
    def __init__(self, check_mode=False):
        self.check_mode = check_mode

    @staticmethod
    def fail_json(msg):
        raise AssertionError(msg)


@pytest.mark.parametrize("key,pid_age,check_mode,wanted", [
    (True, None, False, (True, False)),      # first start: sshd starts anyway
    (True, -60, False, (True, False)),       # sshd started after its key: kept running
    (True, 60, False, (True, True)),         # the key is newer than sshd: restart
    (False, None, True, (True, True)),       # dry run of a new lab: no key yet, it would be made
], ids=["first-start", "key-older", "key-newer", "dry-run-new-lab"])
def test_a_vms_host_key_is_read_and_restarts_an_older_sshd(tmp_path, key, pid_age, check_mode, wanted):
    directory = tmp_path / "vm1"
    directory.mkdir()
    if key:
        (directory / "ssh_host_ed25519_key").write_text("private")
        (directory / "ssh_host_ed25519_key.pub").write_text("ssh-ed25519 AAAAC3Nz vm1\n")
    if pid_age is not None:
        (directory / "sshd.pid").write_text("4242\n")
        stamp = os.stat(directory / "ssh_host_ed25519_key").st_mtime
        os.utime(directory / "sshd.pid", (stamp - pid_age, stamp - pid_age))
    found, restart = local_vms.host_key(HostKeyModule(check_mode), str(directory), "vm1")
    assert (found == "ssh-ed25519 AAAAC3Nz vm1" if key else found is None, restart) == wanted


def test_a_vm_without_its_host_key_is_refused(tmp_path):
    with pytest.raises(AssertionError, match="VM vm1 has no host key .*the test_vms role makes it"):
        local_vms.host_key(HostKeyModule(), str(tmp_path), "vm1")

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A rehearsal VM's files: the image's user with the cloud's key and sudo, the tools its user
data asks for, and what its console says."""

from __future__ import annotations

import json
import os

import pytest

from tests.rehearsal import vm as vmmod
from tests.rehearsal.gateways import Gateway, conn_digests

SPEC = {"cloud": "aws", "id": "i-1", "netns": "vpnrh-x.aws.i-1", "hostname": "ip-10-2-1-10", "user": "ubuntu",
        "keys": ["ssh-ed25519 AAAA lab"], "packages": ["mtr-tiny", "iperf3"], "tools": ["iperf3", "mtr", "mtr-packet"],
        "user_data": True, "name": "vm3"}


@pytest.fixture
def prepared(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("writes files owned by the VM's user (root only)")
    machine = vmmod.Vm(str(tmp_path / "vm"), SPEC["netns"])
    machine.prepare(dict(SPEC, tools=["iperf3"]))
    return tmp_path / "vm"


def test_the_images_user_exists_with_its_own_uid(prepared):
    lines = (prepared / "etc" / "passwd").read_text().splitlines()
    mine = [line for line in lines if line.startswith("ubuntu:")]
    assert len(mine) == 1 and mine[0].endswith(":/home/ubuntu:/bin/bash")
    uids = [line.split(":")[2] for line in lines]
    assert uids.count(mine[0].split(":")[2]) == 1


def test_no_password_anywhere_and_not_locked_for_ssh(prepared):
    shadow = (prepared / "etc" / "shadow").read_text().splitlines()
    assert shadow and all(line.split(":")[1] == "*" for line in shadow)


def test_cloud_init_grants_passwordless_sudo(prepared):
    rule = prepared / "sudoers.d" / "90-cloud-init-users"
    assert "ubuntu ALL=(ALL) NOPASSWD:ALL" in rule.read_text()
    assert oct(rule.stat().st_mode & 0o777) == "0o440"


def test_the_clouds_key_and_nothing_else_is_authorised(prepared):
    keys = prepared / "home" / "ubuntu" / ".ssh" / "authorized_keys"
    assert keys.read_text() == "ssh-ed25519 AAAA lab\n"
    assert oct(keys.stat().st_mode & 0o777) == "0o600"


def test_tools_the_user_data_does_not_ask_for_are_hidden(prepared):
    hidden = (prepared / "hidden").read_text().split()
    assert "/usr/bin/iperf3" not in hidden
    assert all(path in hidden for path in ("/usr/bin/mtr", "/usr/bin/mtr-packet") if os.path.exists(path))


def test_cloud_init_status_as_cloud_init_writes_it(prepared):
    machine = vmmod.Vm(str(prepared), SPEC["netns"])
    machine.set_cloud_init("done", "DataSource done")
    assert json.loads((prepared / "cloud" / "status.json").read_text())["status"] == "done"


@pytest.mark.parametrize("change, expected, absent", [
    ({}, ["Installing packages: mtr-tiny iperf3"], ["is not installed"]),
    ({"tools": ["iperf3"]}, ["mtr is not installed: the user data does not ask for the mtr-tiny package"], []),
    ({"user_data": False, "packages": [], "tools": []}, ["no user data", "iperf3 is not installed"], []),
])
def test_the_console_says_what_cloud_init_did(change, expected, absent):
    text = vmmod.console_text(dict(SPEC, **change), finished=True)
    assert all(line in text for line in expected) and not any(line in text for line in absent)
    assert "DataSourceEc2Local" in text


def test_a_connection_changes_when_its_body_or_its_key_does():
    body = {"remote_addrs": ["203.0.113.1"]}
    one = conn_digests({"c1": body, "c2": body}, [{"id": "psk-c1", "data": "k1"}, {"id": "psk-c2", "data": "k2"}])
    two = conn_digests({"c1": body, "c2": body}, [{"id": "psk-c1", "data": "k9"}, {"id": "psk-c2", "data": "k2"}])
    assert one["c2"] == two["c2"] and one["c1"] != two["c1"]
    assert "k1" not in json.dumps(one)


class FakeCharon:
    def __init__(self):
        self.sas = []

    @staticmethod
    def pid():
        return 42

    def call(self, method, *args):
        assert method == "list_sas"
        return self.sas


def sas(bytes_in, bytes_out):
    return [{"c1": {"state": "ESTABLISHED", "child-sas": {"c1-1": {
        "state": "INSTALLED", "bytes-in": str(bytes_in), "bytes-out": str(bytes_out)}}}}]


def test_counters_only_grow_across_new_security_associations(tmp_path):
    gateway = Gateway(str(tmp_path), "ns", print)
    gateway.charon = FakeCharon()
    spec = {"conns": {"c1": {"remote_addrs": ["203.0.113.1"]}}}
    seen = []
    for reading in ((100, 200), (150, 260), (30, 40), (50, 40)):  # a rekey between 2 and 3
        gateway.charon.sas = sas(*reading)
        state = gateway.status(spec)["c1"]
        seen.append((state["bytes_in"], state["bytes_out"]))
    assert seen == [(100, 200), (150, 260), (180, 300), (200, 300)]

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""SSH options that carry a path reach ssh as one value, whatever the path holds."""

from __future__ import annotations

import datetime
import shlex

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils.access import (
    cloud_connection, ssh_option,
)
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.plan import LocalTarget
from ansible_collections.multicloud.vpnlab.plugins.module_utils.plan import build_plan


def ssh_reads(option_value):
    """An ssh -o value as ssh's argument splitting reads it: its words."""
    return shlex.split(option_value)


@pytest.mark.parametrize("path, text", [
    ("/st/lab/known_hosts", "-o UserKnownHostsFile=/st/lab/known_hosts"),
    ("/tmp/hB space/home/lab/known_hosts",
     "-o 'UserKnownHostsFile=\"/tmp/hB space/home/lab/known_hosts\"'"),
    ("/tmp/50%/k", "-o 'UserKnownHostsFile=\"/tmp/50%%/k\"'"),
])
def test_ssh_option(path, text):
    assert ssh_option("UserKnownHostsFile", path) == text


@pytest.mark.parametrize("path", ["/tmp/a b/k", "/tmp/a'b/k", '/tmp/a"b/k', "/tmp/$(id);id/k",
                                  "/tmp/a\\b/k", "/tmp/a\tb/k"])
def test_one_argument_for_ansible_and_one_value_for_ssh(path):
    words = shlex.split(ssh_option("UserKnownHostsFile", path))  # Ansible's split
    assert len(words) == 2 and words[0] == "-o"
    name, value = words[1].split("=", 1)
    assert name == "UserKnownHostsFile"
    assert ssh_reads(value) == [path.replace("%", "%%")]


def test_local_inventory_under_a_home_with_a_space():
    plan = build_plan({}, {"local": LocalTarget([])}, today=datetime.date(2026, 11, 25),
                      state_root="/tmp/hB space/home")
    for record in plan["local"]["inventory"]:
        words = shlex.split(record["connection"]["ansible_ssh_common_args"])
        options = dict(w.split("=", 1) for w in words if w != "-o")
        assert ssh_reads(options["UserKnownHostsFile"]) == [
            "/tmp/hB space/home/vpntest/known_hosts"]
        assert options["ProxyCommand"] == "ip netns exec vpnlab-vpntest.op nc %h %p"
        assert options["StrictHostKeyChecking"] == "yes"


def test_cloud_connection_under_a_home_with_a_space():
    conn = cloud_connection("lab1", "/tmp/hB space/lab1", "203.0.113.5", "ubuntu")
    words = shlex.split(conn["ansible_ssh_common_args"])
    options = dict(w.split("=", 1) for w in words if w != "-o")
    assert ssh_reads(options["UserKnownHostsFile"]) == ["/tmp/hB space/lab1/known_hosts"]
    assert options["StrictHostKeyChecking"] == "accept-new"

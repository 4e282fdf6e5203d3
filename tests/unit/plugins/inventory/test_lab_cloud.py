# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The inventory plugin on a cloud lab: AWS VMs from EC2 (by tag) replace vms.json's, the other
clouds' stay; when EC2 cannot be asked, vms.json is used with a warning. In process, no network:
the listing is moto's in-process EC2 or a stand-in that fails. A vms.json written after the
plugin was loaded (a build's inventory refresh) is listed without asking the clouds."""

from __future__ import annotations

import os
from unittest import mock

import boto3
import pytest
from moto import mock_aws

from ansible_collections.multicloud.vpnlab.plugins.inventory import lab as plugin

STATE = {"lab": "vpntest", "target": "cloud", "state_dir": "/st/vpntest",
         "aws": {"region": "eu-central-1", "endpoint_url": ""},
         "vms": [{"name": "vm1", "cloud": "azure", "resource_name": "vpntest-vm1", "public_ip": "20.1.1.1"},
                 {"name": "vm3", "cloud": "aws", "resource_name": "vpntest-vm3", "public_ip": "192.0.2.250"}]}


def cloud_vms(state, refresh=True):
    module = plugin.InventoryModule()
    module.display = mock.Mock()
    with mock.patch.object(module, "get_option", lambda name: {"cloud_refresh": refresh}[name]):
        return module._cloud_vms(state["lab"], state, "/st/vpntest"), module.display.warning  # pylint: disable=protected-access


@pytest.fixture
def ec2_with_vm3(monkeypatch):
    for key in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        ec2 = boto3.client("ec2", region_name="eu-central-1")
        tags = {"vpnlab": "vpntest", "managed_by": "multicloud.vpnlab", "Name": "vpntest-vm3", "vpnlab_vm": "vm3"}
        reservation = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, TagSpecifications=[
            {"ResourceType": "instance", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}])
        yield reservation["Instances"][0]


def test_aws_vms_come_from_ec2_and_azure_ones_stay(ec2_with_vm3):
    vms, warning = cloud_vms(STATE)
    assert [(vm["name"], vm["cloud"]) for vm in vms] == [("vm1", "azure"), ("vm3", "aws")]
    assert vms[0] is STATE["vms"][0]
    assert vms[1]["instance_id"] == ec2_with_vm3["InstanceId"]
    assert vms[1]["public_ip"] != "192.0.2.250"
    warning.assert_not_called()


def test_unreachable_ec2_falls_back_to_vms_json_with_a_warning():
    def fail(section, lab, state_dir):
        raise RuntimeError("Unable to locate credentials")

    with mock.patch.dict(plugin.CLOUD_LISTINGS, {"aws": fail}):
        vms, warning = cloud_vms(STATE)
    assert vms == STATE["vms"]
    message = warning.call_args[0][0]
    assert "could not list lab vpntest's aws VMs (Unable to locate credentials); using /st/vpntest/vms.json" in message


@pytest.mark.parametrize("state,refresh", [(dict(STATE, target="local"), True), (STATE, False),
                                           ({k: v for k, v in STATE.items() if k != "aws"}, True)],
                         ids=["local-lab", "refresh-off", "no-aws-section"])
def test_vms_json_only(state, refresh):
    with mock.patch.dict(plugin.CLOUD_LISTINGS, {"aws": mock.Mock(side_effect=AssertionError("asked EC2"))}):
        vms, dummy = cloud_vms(state, refresh)
    assert vms == state["vms"]


def listed_with_mtime(tmp_path, offset):
    """populate() over one cloud lab whose vms.json was written `offset` seconds after the
    plugin was loaded; returns the clouds' listings that were asked (lab, cloud)."""
    asked = []

    def listing(cloud):
        def ask(section, lab, state_dir):
            asked.append((lab, cloud))
            return []
        return ask

    module = plugin.InventoryModule()
    module.display = mock.Mock()
    vms_file = tmp_path / "vms.json"
    vms_file.write_text("{}")
    os.utime(vms_file, (plugin.LOADED + offset, plugin.LOADED + offset))
    state = dict(STATE, azure={"resource_group": "rg"})
    with mock.patch.object(module, "_lab_files", lambda: [("vpntest", str(vms_file))]), \
            mock.patch.object(plugin, "load_lab_state", lambda path: state), \
            mock.patch.object(module, "get_option", lambda name: {"cloud_refresh": True}[name]), \
            mock.patch.object(module, "_add_vm"), \
            mock.patch.dict(plugin.CLOUD_LISTINGS, {"aws": listing("aws"), "azure": listing("azure")}):
        module.populate()
    return asked


@pytest.mark.parametrize("offset, asked", [
    (5.0, []),                                                  # written by this run's build
    (0.001, []),
    (-0.001, [("vpntest", "aws"), ("vpntest", "azure")]),       # before this process read it
    (-86400.0, [("vpntest", "aws"), ("vpntest", "azure")]),
], ids=["this-run", "just-after-loading", "just-before-loading", "a-day-before"])
def test_a_vms_json_this_run_wrote_is_listed_without_asking_the_clouds(tmp_path, offset, asked):
    assert listed_with_mtime(tmp_path, offset) == asked

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The multicloud.vpnlab.lab inventory plugin through the real `ansible-inventory`, on two labs' state."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ansible_collections.multicloud.vpnlab.plugins.inventory.lab import InventoryModule
from ansible_collections.multicloud.vpnlab.plugins.module_utils.statedir import MARKER, marker_text
from ansible_collections.multicloud.vpnlab.plugins.module_utils.vms_file import document

ROOT = Path(__file__).resolve().parents[4]
BIN = Path(sys.executable).parent
PLUGIN = "multicloud.vpnlab.lab"


def vm(lab, name, cloud, private_ip, public_ip, state_dir):
    proxy = "-o ProxyCommand='ip netns exec vpnlab-%s.op nc %%h %%p'" % lab
    return {
        "name": name, "cloud": cloud, "private_ip": private_ip, "public_ip": public_ip,
        "resource_name": "%s-%s" % (lab, name),
        "connection": {
            "ansible_host": public_ip, "ansible_user": "root", "ansible_port": 22,
            "ansible_ssh_private_key_file": "%s/id_ed25519" % state_dir,
            "ansible_ssh_common_args": "%s -o UserKnownHostsFile=%s/known_hosts -o StrictHostKeyChecking=yes"
                                       % (proxy, state_dir),
            "ansible_python_interpreter": "/usr/bin/python3",
        },
    }


# (lab, target, [(vm, cloud, private_ip, public_ip)]): the second lab's name has a '-' on purpose.
LABS = [
    ("vpntest", "local", [("vm1", "azure", "10.1.1.10", "198.51.100.11"),
                          ("vm2", "azure", "10.1.1.20", "198.51.100.12"),
                          ("vm3", "aws", "10.2.1.10", "203.0.113.21")]),
    ("lab-2", "cloud", [("vm1", "azure", "10.11.1.10", "198.51.100.51"),
                        ("vm3", "aws", "10.12.1.10", "203.0.113.61")]),
]
VPNTEST = {"vpntest-vm1", "vpntest-vm2", "vpntest-vm3"}
LAB2 = {"lab-2-vm1", "lab-2-vm3"}


def write_labs(root, labs, marked=True):
    """Each lab's state directory as the collection leaves it: 0700, its marker, vms.json."""
    for lab, target, vms in labs:
        state_dir = root / lab
        state_dir.mkdir(parents=True)
        state_dir.chmod(0o700)
        if marked:
            (state_dir / MARKER).write_text(marker_text(lab))
            (state_dir / MARKER).chmod(0o600)
        # As the collection writes it: its one writer (local_vms and the cloud role use it).
        (state_dir / "vms.json").write_text(document(lab, target, str(state_dir),
                                                     [vm(lab, *entry, state_dir=str(state_dir)) for entry in vms]))
        (state_dir / "vms.json").chmod(0o600)


def unwrap(value):
    """ansible-inventory marks inventory strings unsafe ({"__ansible_unsafe": "..."}): plain values."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {key: unwrap(item) for key, item in value.items()}
    if isinstance(value, list):
        return [unwrap(item) for item in value]
    return value


def run_inventory(config, env=None, enabled=PLUGIN):
    """`ansible-inventory -i CONFIG --list`: (rc, {"hosts", "groups", "hostvars"} or None, stderr)."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "VPNLAB_"))}
    full_env.update(PATH="%s:%s" % (BIN, full_env.get("PATH", "")), ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
                    ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")
    if enabled:
        full_env["ANSIBLE_INVENTORY_ENABLED"] = enabled
    full_env.update(env or {})
    proc = subprocess.run([str(BIN / "ansible-inventory"), "-i", str(config), "--list"], capture_output=True,
                          text=True, cwd=ROOT, env=full_env, timeout=120, check=False)
    try:
        data = unwrap(json.loads(proc.stdout))
    except ValueError:
        return proc.returncode, None, proc.stdout + proc.stderr
    hostvars = data.pop("_meta", {}).get("hostvars", {})
    groups = {name: set(group.get("hosts", [])) for name, group in data.items() if name != "all"}
    return proc.returncode, {"hosts": set(hostvars), "groups": groups, "hostvars": hostvars}, proc.stderr


@pytest.fixture
def state_root(tmp_path):
    root = tmp_path / "state"
    write_labs(root, LABS)
    return root


@pytest.fixture
def inventory(tmp_path, state_root):
    """Write a config (plugin line added) and run it with VPNLAB_HOME=state_root."""
    def run(config_text="", env=None, **kwargs):
        config = tmp_path / "test.vpnlab.yml"
        config.write_text("plugin: %s\n%s" % (PLUGIN, config_text))
        return run_inventory(config, dict({"VPNLAB_HOME": str(state_root)}, **(env or {})), **kwargs)
    return run


def warnings(stderr):
    return [line for line in stderr.splitlines() if "WARNING" in line]


def test_every_lab_is_listed_without_warnings(inventory):
    rc, inv, stderr = inventory()
    assert rc == 0, stderr
    assert inv["hosts"] == VPNTEST | LAB2
    assert not warnings(stderr)


@pytest.mark.parametrize("group, hosts", [
    ("vpnlab", VPNTEST | LAB2),
    ("lab_vpntest", VPNTEST),
    ("lab_lab_2", LAB2),
    ("azure", {"vpntest-vm1", "vpntest-vm2", "lab-2-vm1"}),
    ("aws", {"vpntest-vm3", "lab-2-vm3"}),
])
def test_groups(inventory, group, hosts):
    assert inventory()[1]["groups"][group] == hosts


@pytest.mark.parametrize("host, expected", [
    ("vpntest-vm1", {"vpnlab_lab": "vpntest", "vpnlab_target": "local", "vpnlab_vm_name": "vm1", "cloud": "azure",
                     "private_ip": "10.1.1.10", "public_ip": "198.51.100.11", "ansible_host": "198.51.100.11"}),
    ("vpntest-vm3", {"vpnlab_lab": "vpntest", "vpnlab_vm_name": "vm3", "cloud": "aws",
                     "private_ip": "10.2.1.10", "public_ip": "203.0.113.21", "ansible_host": "203.0.113.21"}),
    ("lab-2-vm1", {"vpnlab_lab": "lab-2", "vpnlab_target": "cloud", "vpnlab_vm_name": "vm1", "cloud": "azure",
                   "private_ip": "10.11.1.10", "public_ip": "198.51.100.51", "ansible_host": "198.51.100.51"}),
])
def test_hostvars(inventory, state_root, host, expected):
    hostvars = inventory()[1]["hostvars"][host]
    assert {key: hostvars[key] for key in expected} == expected
    lab = expected["vpnlab_lab"]
    assert hostvars["vpnlab_state_dir"] == str(state_root / lab)
    assert hostvars["ansible_user"] == "root" and hostvars["ansible_port"] == 22
    assert hostvars["ansible_python_interpreter"] == "/usr/bin/python3"
    assert hostvars["ansible_ssh_private_key_file"] == str(state_root / lab / "id_ed25519")
    # The ProxyCommand through the operator namespace is the only way in: it must reach the host intact.
    args = hostvars["ansible_ssh_common_args"]
    assert "-o ProxyCommand='ip netns exec vpnlab-%s.op nc %%h %%p'" % lab in args
    assert "UserKnownHostsFile=%s/known_hosts" % (state_root / lab) in args
    assert "StrictHostKeyChecking=yes" in args


@pytest.mark.parametrize("labs, hosts, warned", [
    ("[vpntest]", VPNTEST, None),
    ("[lab-2]", LAB2, None),
    ("[vpntest, lab-2]", VPNTEST | LAB2, None),
    ("[]", VPNTEST | LAB2, None),
    ("[vpntest, nosuch]", VPNTEST, "nosuch"),
])
def test_labs_filter(inventory, labs, hosts, warned):
    rc, inv, stderr = inventory("labs: %s\n" % labs)
    assert rc == 0, stderr
    assert inv["hosts"] == hosts
    if warned:
        assert any(warned in line for line in warnings(stderr)), stderr
    else:
        assert not warnings(stderr)


CONSTRUCTED = """
keyed_groups:
  - key: vpnlab_target
    prefix: target
  - key: vpnlab_vm_name
    prefix: role
groups:
  behind_azure_gateway: cloud == 'azure'
  first_vms: vpnlab_label.startswith('vm1 ')
compose:
  vpnlab_label: vpnlab_vm_name ~ ' (' ~ cloud ~ ', ' ~ private_ip ~ ')'
  ansible_host: private_ip
"""


@pytest.mark.parametrize("group, hosts", [
    ("target_local", VPNTEST),
    ("target_cloud", LAB2),
    ("role_vm3", {"vpntest-vm3", "lab-2-vm3"}),
    ("behind_azure_gateway", {"vpntest-vm1", "vpntest-vm2", "lab-2-vm1"}),
    ("first_vms", {"vpntest-vm1", "lab-2-vm1"}),  # a group on a composed variable
])
def test_constructed_groups(inventory, group, hosts):
    assert inventory(CONSTRUCTED)[1]["groups"][group] == hosts


def test_compose_sets_and_overrides_variables(inventory):
    hostvars = inventory(CONSTRUCTED)[1]["hostvars"]["vpntest-vm2"]
    assert hostvars["vpnlab_label"] == "vm2 (azure, 10.1.1.20)"
    assert hostvars["ansible_host"] == "10.1.1.20"


MALFORMED = {
    "not JSON": "{not json",
    "not an object": "[]",
    "no vms list": '{"lab": "vpntest", "vms": {}}',
    "VM without resource_name": '{"lab": "vpntest", "vms": [{"name": "vm1", "cloud": "azure"}]}',
    "connection not an object": '{"vms": [{"name": "vm1", "cloud": "azure", "resource_name": "x", "connection": []}]}',
    "a newer schema": '{"lab": "vpntest", "vms_schema_version": 2, "vms": []}',
    "not UTF-8": b"\xff\xfe{}",
    "unreadable (a directory)": None,
}


def spoil(state_root, content):
    vms_file = state_root / "vpntest" / "vms.json"
    vms_file.unlink()
    if content is None:
        vms_file.mkdir()
    elif isinstance(content, bytes):
        vms_file.write_bytes(content)
    else:
        vms_file.write_text(content)
    return vms_file


@pytest.mark.parametrize("content", MALFORMED.values(), ids=list(MALFORMED))
def test_bad_state_file_is_skipped_with_a_warning(inventory, state_root, content):
    vms_file = spoil(state_root, content)
    rc, inv, stderr = inventory()
    assert rc == 0, stderr
    assert inv["hosts"] == LAB2
    assert any(str(vms_file) in line for line in warnings(stderr)), stderr


@pytest.mark.parametrize("content", [MALFORMED["not JSON"], MALFORMED["VM without resource_name"]])
def test_bad_state_file_with_strict_fails(inventory, state_root, content):
    vms_file = spoil(state_root, content)
    rc, dummy, output = inventory("strict: true\n", env={"ANSIBLE_INVENTORY_UNPARSED_FAILED": "true"})
    assert rc != 0
    assert str(vms_file) in output


def test_missing_state_root_is_an_empty_inventory(inventory, tmp_path):
    rc, inv, stderr = inventory(env={"VPNLAB_HOME": str(tmp_path / "nowhere")})
    assert rc == 0, stderr
    assert inv["hosts"] == set()
    assert not warnings(stderr)


def test_directories_without_vms_json_are_not_labs(inventory, state_root):
    (state_root / "being-built").mkdir()
    (state_root / "stray-file").write_text("")
    rc, inv, stderr = inventory()
    assert (rc, inv["hosts"], warnings(stderr)) == (0, VPNTEST | LAB2, [])


@pytest.mark.parametrize("where", ["option", "env", "home"])
def test_state_root_option_env_and_default(tmp_path, where):
    """The config file's state_root wins over VPNLAB_HOME, which wins over ~/.vpnlab."""
    roots = {name: tmp_path / name for name in ("option", "env")}
    roots["home"] = tmp_path / "home" / ".vpnlab"
    for index, (name, root) in enumerate(roots.items()):
        write_labs(root, [("only-%s" % name, "local", [LABS[0][2][index]])])
    config = tmp_path / "x.vpnlab.yml"
    config.write_text("plugin: %s\n%s" % (PLUGIN, "state_root: %s\n" % roots["option"] if where == "option" else ""))
    env = {"HOME": str(tmp_path / "home")}
    if where != "home":
        env["VPNLAB_HOME"] = str(roots["env"])
    rc, inv, stderr = run_inventory(config, env)
    assert rc == 0, stderr
    assert {hv["vpnlab_lab"] for hv in inv["hostvars"].values()} == {"only-%s" % where}


def test_example_config_works_as_is_with_default_plugins(state_root):
    """inventory/vpnlab.yml through the `auto` plugin, as the repo's ansible.cfg will use it."""
    rc, inv, stderr = run_inventory(ROOT / "inventory" / "vpnlab.yml", {"VPNLAB_HOME": str(state_root)}, enabled=None)
    assert rc == 0, stderr
    assert inv["hosts"] == VPNTEST | LAB2
    assert inv["groups"]["target_local"] == VPNTEST
    assert inv["hostvars"]["lab-2-vm3"]["vpnlab_label"] == "vm3 (aws, 10.12.1.10)"


@pytest.mark.parametrize("name, accepted", [
    ("x.vpnlab.yml", True),
    ("x.vpnlab.yaml", True),
    ("vpnlab.yml", True),
    ("x.yml", False),
    ("x.vpnlab.json", False),
    ("x.aws_ec2.yml", False),
])
def test_verify_file(tmp_path, name, accepted):
    path = tmp_path / name
    path.write_text("plugin: %s\n" % PLUGIN)
    assert InventoryModule().verify_file(str(path)) is accepted


def test_verify_file_refuses_a_missing_file(tmp_path):
    assert not InventoryModule().verify_file(str(tmp_path / "missing.vpnlab.yml"))


# --- only the labs' own directories: issue 13 ---------------------------------------------------
# Root reads vms.json and uses its connection variables (the ProxyCommand among them): a
# directory somebody else could have made or changed is never listed.

FOREIGN = ("intruder", "local", [("vm1", "azure", "10.1.1.10", "198.51.100.99")])


def foreign_lab(state_root, marked=True, mode=0o700, vms_mode=0o600, marker=None):
    write_labs(state_root, [FOREIGN], marked=marked)
    lab_dir = state_root / FOREIGN[0]
    if marker is not None:
        (lab_dir / MARKER).write_text(marker)
    (lab_dir / "vms.json").chmod(vms_mode)
    lab_dir.chmod(mode)
    return lab_dir


UNTRUSTED = [
    # (id, foreign_lab arguments, warned reason or None when it is skipped without a word)
    ("unmarked", dict(marked=False), "has no .vpnlab-lab marker"),
    ("world-writable-forged-marker", dict(mode=0o777), "it is writable by others (mode 0777)"),
    ("group-writable", dict(mode=0o770), "it is writable by its group (mode 0770)"),
    ("another-labs-marker", dict(marker=marker_text("vpntest")), "says it belongs to lab 'vpntest'"),
    ("vms-json-world-writable", dict(vms_mode=0o666), "vms.json is writable by others (mode 0666)"),
]


@pytest.mark.parametrize("layout,reason", [c[1:] for c in UNTRUSTED], ids=[c[0] for c in UNTRUSTED])
@pytest.mark.parametrize("named", [False, True])
def test_a_directory_that_is_not_the_labs_own_is_not_listed(inventory, state_root, layout, reason, named):
    lab_dir = foreign_lab(state_root, **layout)
    rc, inv, stderr = inventory("labs: [vpntest, intruder]\n" if named else "")
    assert rc == 0, stderr
    assert inv["hosts"] == (VPNTEST if named else VPNTEST | LAB2)
    assert not any("intruder" in host for host in inv["hosts"])
    said = " ".join(" ".join(warnings(stderr)).split())
    assert str(lab_dir) in said and reason in said, stderr


def test_a_linked_vms_json_is_not_read(inventory, state_root, tmp_path):
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text((state_root / "vpntest" / "vms.json").read_text())
    (state_root / "vpntest" / "vms.json").unlink()
    (state_root / "vpntest" / "vms.json").symlink_to(elsewhere)
    rc, inv, stderr = inventory()
    assert rc == 0 and inv["hosts"] == LAB2, stderr
    assert "vms.json is a symbolic link" in " ".join(warnings(stderr)), stderr


def test_an_untrusted_lab_with_strict_fails(inventory, state_root):
    lab_dir = foreign_lab(state_root, mode=0o777)
    rc, dummy, output = inventory("strict: true\n", env={"ANSIBLE_INVENTORY_UNPARSED_FAILED": "true"})
    assert rc != 0 and str(lab_dir) in output


@pytest.mark.parametrize("mode,reason", [(0o777, "is writable by others (mode 0777)"),
                                         (0o775, "is writable by its group (mode 0775)")])
def test_a_state_root_others_can_change_fails_the_source(inventory, state_root, mode, reason):
    state_root.chmod(mode)
    rc, dummy, output = inventory(env={"ANSIBLE_INVENTORY_UNPARSED_FAILED": "true"})
    assert rc != 0
    said = " ".join(output.split())
    assert "Refusing the state root %r" % str(state_root) in said and reason in said
    rc, inv, stderr = inventory()
    assert inv is None or inv["hosts"] == set()


def test_a_system_directory_as_state_root_fails_the_source(tmp_path):
    config = tmp_path / "x.vpnlab.yml"
    config.write_text("plugin: %s\nstate_root: /etc\n" % PLUGIN)
    rc, dummy, output = run_inventory(config, {"ANSIBLE_INVENTORY_UNPARSED_FAILED": "true"})
    assert rc != 0 and "'/etc' is a system directory" in " ".join(output.split())

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A rehearsal's life: up (namespaces, doubles, realizer), its controller environment, down.

Everything runs in namespaces `vpnrh-<lab>.*`: the controller `ctl` (the user's laptop: the
AWS and Azure doubles on 127.0.0.1, the realizer, ansible-playbook) and `inet` (the internet,
no link to the host, `unreachable` default) are made here; the realizer makes the clouds'.
`rehearsal.json` in the lab's state directory records endpoints, process ids and namespaces.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ansible_collections.multicloud.vpnlab.plugins.module_utils import statedir
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local import daemon
from ansible_collections.multicloud.vpnlab.plugins.module_utils.files import write_atomic
from tests.rehearsal import addressing as ad
from tests.rehearsal.fabric import create_netns, existing, remove_netns

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# The rehearsal's clouds: fast, but slow enough to show what the real ones make the code do.
DOUBLE_SETTINGS = {
    "azure": {"gateway_delay": 20.0, "gateway_delete_delay": 2.0, "connection_delay": 1.0,
              "operation_delay": 0.2, "group_delete_delay": 2.0},
    "aws": {"modify_seconds": 4.0, "consistency_share": 0.3, "consistency_window_seconds": 10.0},
}
REALIZER_SETTINGS = {"telemetry_interval": 10.0, "status_interval": 10.0, "cloud_init_seconds": 4.0}
# Role timings for clouds that answer in seconds, not minutes (the cloud defaults poll slowly).
TIMINGS = {"azure_gateway_poll_seconds": 3, "azure_gateway_expected_minutes": 1,
           "teardown_azure_poll_seconds": 2, "azure_tunnels_bgp_poll_seconds": 3}
READY_TIMEOUT = 60


class RehearsalError(RuntimeError):
    """The rehearsal cannot start, is not up, or a step of it failed."""


def state_root():
    return os.path.abspath(os.path.expanduser(os.environ.get("VPNLAB_HOME") or "~/.vpnlab"))


def paths(lab):
    state_dir = os.path.join(state_root(), lab)
    return {"state_dir": state_dir, "record": os.path.join(state_dir, "rehearsal.json"),
            "dir": os.path.join(state_dir, "rehearsal")}


def short_dir(lab):
    """A new private directory with a short path for the gateways' charon: a VICI socket path
    must fit in 108 bytes, and charon's own private /run hides anything under /run. mkdtemp
    makes it atomically, 0700, under an unpredictable name."""
    return tempfile.mkdtemp(prefix="vpnrh-%s-" % lab)


def read_record(lab):
    try:
        with open(paths(lab)["record"], encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


PROCESSES = (("aws_double", "tests.aws_double"), ("azure_double", "tests.azure_double"),
             ("realizer", "tests.rehearsal.realizer"))


def alive(record):
    """Which of the rehearsal's processes (doubles, realizer) are alive in its controller."""
    if not record:
        return set()
    ctl = record["namespaces"]["controller"]
    return {name for name, needle in PROCESSES if daemon.alive(record["pids"].get(name), needle, ctl)}


def running(record):
    return alive(record) == {process[0] for process in PROCESSES}


def up_labs():
    """Labs with a rehearsal that is up, from the state root."""
    found = []
    root = state_root()
    for lab in sorted(os.listdir(root)) if os.path.isdir(root) else []:
        if running(read_record(lab)):
            found.append(lab)
    return found


def in_ctl(ctl, argv):
    """`argv` in the controller's network namespace (the host's mount namespace stays)."""
    return ["nsenter", "--net=%s" % os.path.join("/run/netns", ctl), "--"] + list(argv)


def _wait_file(path, pid, what, timeout=READY_TIMEOUT):
    deadline = time.monotonic() + timeout
    while not os.path.exists(path):
        if not os.path.exists("/proc/%d" % pid) or time.monotonic() > deadline:
            raise RehearsalError("%s did not start; see %s" % (what, os.path.dirname(path)))
        time.sleep(0.1)
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def _start(ctl, argv, log):
    return daemon.spawn(in_ctl(ctl, argv), log, env=dict(os.environ, PYTHONPATH=str(ROOT)))


def _settings(settings):
    return [arg for key, value in settings.items() for arg in ("--" + key.replace("_", "-"), str(value))]


def _refuse_local_lab(where, lab):
    try:
        with open(os.path.join(where["state_dir"], "vms.json"), encoding="utf-8") as handle:
            target = json.load(handle).get("target")
    except (OSError, ValueError, AttributeError):
        return
    if target == "local":
        raise RehearsalError("%s holds the local lab %s: a rehearsal of the same name would share its "
                             "state directory. Give the rehearsal another name (ARGS='-e vpnlab_name=...') or "
                             "`make destroy` the local lab first." % (where["state_dir"], lab))


def up(lab, args="", overrides=None):
    """Bring the rehearsal of `lab` up (or find it up); returns its record. `args` are the
    ansible-playbook arguments it is built with (make's ARGS), kept for its teardown."""
    record = read_record(lab)
    if running(record):
        return record
    if alive(record) == {"aws_double", "azure_double"}:
        # The realizer ended (a fault of its own, or stopped to be updated): the clouds are
        # intact, so only it comes back, and picks the data plane up where it was.
        record["pids"]["realizer"] = start_realizer(lab, record["dir"], record["run_dir"], record["endpoints"],
                                                    record["settings"]["realizer"])
        write_atomic(paths(lab)["record"], json.dumps(record, indent=2, sort_keys=True) + "\n", 0o600)
        return record
    where = paths(lab)
    _refuse_local_lab(where, lab)
    statedir.ensure_present(where["state_dir"], lab)
    os.makedirs(where["dir"], mode=0o700, exist_ok=True)
    if existing(ad.prefix(lab)):
        remove_netns(existing(ad.prefix(lab)))  # what a crashed rehearsal left
    ctl, inet = ad.netns(lab, "ctl"), ad.netns(lab, "inet")
    for name in (ctl, inet):
        create_netns(name)
    settings = {k: dict(v, **((overrides or {}).get(k) or {})) for k, v in DOUBLE_SETTINGS.items()}
    doubles = {}
    for cloud, module in (("aws", "tests.aws_double"), ("azure", "tests.azure_double")):
        state = os.path.join(where["dir"], cloud + "-double")
        os.makedirs(state, mode=0o700, exist_ok=True)
        info = os.path.join(state, "double.json")
        if os.path.exists(info):
            os.unlink(info)
        pid = _start(ctl, [sys.executable, "-m", module, "--state-dir", state] + _settings(settings[cloud]),
                     os.path.join(state, "double.out"))
        doubles[cloud] = dict(_wait_file(info, pid, "the %s double" % cloud), pid=pid, state_dir=state)
    aws_url = "http://127.0.0.1:%d" % doubles["aws"]["port"]
    azure_url = "http://127.0.0.1:%d" % doubles["azure"]["port"]
    realizer = dict(REALIZER_SETTINGS, **((overrides or {}).get("realizer") or {}))
    endpoints = {"aws": doubles["aws"]["endpoint"], "aws_control": aws_url,
                 "azure_proxy": doubles["azure"]["env"]["HTTPS_PROXY"], "azure_control": azure_url}
    run_dir = short_dir(lab)
    pid = start_realizer(lab, where["dir"], run_dir, endpoints, realizer)
    record = {
        "lab": lab, "note": "vpnlab rehearsal: the cloud target on the AWS and Azure TEST DOUBLES",
        "state_dir": where["state_dir"], "dir": where["dir"], "run_dir": run_dir,
        "controller": {"address": ad.CONTROLLER_IP, "admin_cidrs": [ad.CONTROLLER_CIDR]},
        "endpoints": endpoints,
        "pids": {"aws_double": doubles["aws"]["pid"], "azure_double": doubles["azure"]["pid"], "realizer": pid},
        "namespaces": {"prefix": ad.prefix(lab), "controller": ctl, "internet": inet},
        "settings": {"aws": settings["aws"], "azure": settings["azure"], "realizer": realizer},
        "env": controller_env(lab, doubles, where), "args": args,
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    write_inventory(where["dir"], lab)
    write_atomic(where["record"], json.dumps(record, indent=2, sort_keys=True) + "\n", 0o600)
    return record


def start_realizer(lab, directory, run_dir, endpoints, settings):
    """Start the realizer in the controller; its pid once it has made its first round."""
    status = os.path.join(directory, "realizer.json")
    if os.path.exists(status):
        os.unlink(status)
    pid = _start(ad.netns(lab, "ctl"),
                 [sys.executable, "-m", "tests.rehearsal.realizer", "--lab", lab, "--dir", directory,
                  "--gateway-dir", run_dir,
                  "--aws-endpoint", endpoints["aws_control"], "--aws-control", endpoints["aws_control"],
                  "--azure-control", endpoints["azure_control"]] + _settings(settings),
                 os.path.join(directory, "realizer.out"))
    _wait_file(status, pid, "the realizer")
    return pid


def write_inventory(directory, lab):
    """What the rehearsal supplies that a cloud user puts in their own inventory: the admin
    address (the controller's), the target, and poll intervals for clouds that answer in
    seconds. And the cost's consent: the doubles bill nothing, but the collection cannot tell
    them from the clouds (that is the point), so it still prints what the same lab would cost
    on real accounts."""
    doc = {"all": {"vars": dict({"vpnlab_name": lab, "vpnlab_target": "cloud", "vpnlab_accept_cost": True,
                                 "vpnlab_admin_cidrs": [ad.CONTROLLER_CIDR]}, **TIMINGS)}}
    write_atomic(os.path.join(directory, "rehearsal.yml"),
                 "# Written by the vpnlab rehearsal of lab %s (make rehearse).\n%s\n" % (lab, json.dumps(doc, indent=2)),
                 0o644)


def controller_env(lab, doubles, where):
    """The environment a cloud user has, pointed at the doubles."""
    env = dict(doubles["aws"]["env"])
    env.update(doubles["azure"]["env"])
    env.update({"AWS_REGION": env.get("AWS_DEFAULT_REGION", "eu-central-1"),
                "VPNLAB_HOME": state_root(), "VPNLAB_REHEARSAL": where["record"], "VPNLAB_REHEARSAL_LAB": lab,
                "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"),
                "ANSIBLE_INVENTORY": "%s,%s" % (ROOT / "inventory" / "vpnlab.yml",
                                                os.path.join(where["dir"], "rehearsal.yml"))})
    return env


def run(lab, argv, interactive=False):
    """Run `argv` in the rehearsal's controller with the cloud user's environment."""
    record = read_record(lab)
    if not running(record):
        raise RehearsalError("the rehearsal of lab %s is not up: run `make rehearse` first" % lab)
    env = dict(os.environ)
    for key in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        env.pop(key, None)
    env.update(record["env"])
    env["PATH"] = "%s:%s" % (BIN, env.get("PATH", ""))
    if interactive:
        env["PS1"] = "(rehearsal %s) \\w\\$ " % lab
    return subprocess.call(in_ctl(record["namespaces"]["controller"], argv), env=env, cwd=str(ROOT))


def down(lab, args=None, teardown=True):
    """Tear the lab down through the cloud path (teardown.yml with the ARGS it was built
    with, unless others are given), then stop everything; twice is fine."""
    record = read_record(lab)
    status = 0
    if running(record) and teardown:
        words = shlex.split(record.get("args") or "" if args is None else args)
        status = run(lab, [str(BIN / "ansible-playbook"), "playbooks/teardown.yml"] + words)
    leftovers = existing(ad.prefix(lab))
    if leftovers:
        remove_netns(leftovers)
    for pid_name, needle in PROCESSES:
        pid = ((record or {}).get("pids") or {}).get(pid_name)
        # Still ours (its command line), though its namespace may be gone: stop it and wait.
        if pid and needle in daemon.cmdline(pid):
            daemon.stop(pid)
    where = paths(lab)
    run_dir = (record or {}).get("run_dir") or ""
    if os.path.dirname(run_dir) != tempfile.gettempdir() or not os.path.basename(run_dir).startswith("vpnrh-%s-" % lab):
        run_dir = ""  # not one short_dir made: never removed
    for directory in (where["dir"], run_dir):
        if directory and os.path.isdir(directory) and not os.path.islink(directory):
            shutil.rmtree(directory)
    if os.path.exists(where["record"]):
        os.unlink(where["record"])
    if statedir.is_marked(where["state_dir"], lab):
        statedir.ensure_absent(where["state_dir"], lab)
    return status


def describe(lab):
    record = read_record(lab)
    if not record:
        return "no rehearsal of lab %s" % lab
    return json.dumps({k: record[k] for k in ("lab", "endpoints", "pids", "namespaces", "started")}, indent=2) + \
        ("\nup" if running(record) else "\nnot running")

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a local lab leaves on the host: its namespaces, its processes, its lock (read-only).

Imported by name (``from lab_procs import ...``), like ansible_run."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def playbook(name, home, lab, *extra, timeout=900, background=False):
    """ansible-playbook playbooks/<name> -e vpnlab_name=<lab> with VPNLAB_HOME=<home>."""
    env = dict(os.environ, VPNLAB_HOME=str(home), ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0",
               PATH="%s:%s" % (BIN, os.environ["PATH"]))
    argv = [str(BIN / "ansible-playbook"), "playbooks/" + name, "-e", "vpnlab_name=" + lab, *extra]
    if background:
        return subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
    proc = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, check=False,
                          timeout=timeout)
    return proc.returncode, proc.stdout + proc.stderr


def lab_netns(lab):
    return sorted(n for n in os.listdir("/run/netns") if n.startswith("vpnlab-%s." % lab)) \
        if os.path.isdir("/run/netns") else []


def _cmdline(pid):
    try:
        with open("/proc/%s/cmdline" % pid, "rb") as handle:
            return handle.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def _environ(pid):
    try:
        with open("/proc/%s/environ" % pid, "rb") as handle:
            return handle.read().decode("utf-8", "replace")
    except OSError:
        return ""


def processes_using(path):
    """Processes whose command line (sshd: its config) or environment (charon: STRONGSWAN_CONF)
    mentions `path`."""
    return sorted((int(p), _cmdline(p)) for p in os.listdir("/proc")
                  if p.isdigit() and p != str(os.getpid())
                  and (str(path) in _cmdline(p) or "STRONGSWAN_CONF=" + str(path) in _environ(p)))


def _live_holders():
    """The running lock holders (comm vpnlab-lock): an exited one not yet reaped (a zombie,
    state Z, whose parent is gone) holds nothing."""
    holders = []
    for pid in (p for p in os.listdir("/proc") if p.isdigit()):
        try:
            with open("/proc/%s/comm" % pid) as handle:
                if handle.read().strip() != "vpnlab-lock":
                    continue
            with open("/proc/%s/stat" % pid) as handle:
                if handle.read().rsplit(")", 1)[1].split()[0] == "Z":
                    continue
        except (OSError, IndexError):
            continue
        holders.append(int(pid))
    return holders


def lock_holders(lab, settle=15.0, gone=None):
    """The running lock holders and whether the lab's lock file is still there, after waiting
    up to `settle` seconds for the file, and the holder `gone` if given, to go: a holder
    removes the file when it sees its playbook end, then exits, which takes a moment on a
    loaded machine."""
    deadline = time.monotonic() + settle
    while os.path.exists("/run/vpnlab/%s.lock" % lab) and time.monotonic() < deadline:
        time.sleep(0.2)
    holders = _live_holders()
    while gone in holders and time.monotonic() < deadline:
        time.sleep(0.2)
        holders = _live_holders()
    return holders, os.path.exists("/run/vpnlab/%s.lock" % lab)

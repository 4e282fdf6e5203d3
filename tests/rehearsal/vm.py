# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A rehearsal VM: a network namespace running sshd in a mount namespace of its own, where the
cloud image's user exists (``ubuntu`` on AWS's Ubuntu AMI, the osProfile's admin user on
Azure) with the key the cloud put there, passwordless sudo as cloud-init grants it, its own
host name, /home, /root, /tmp and /run, and a ``cloud-init`` that answers ``cloud-init
status`` the way the real one does once the user data has been applied.

The tools the connectivity check needs come from the user data: a package the user data does
not ask for (mtr-tiny, iperf3) is missing in the VM (its binaries are hidden), and the VM's
console output says why. ping is part of the Ubuntu image, as in the clouds.

Nothing of the host is changed: every bind mount lives in the VM's own mount namespace.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time

from ansible_collections.multicloud.vpnlab.plugins.module_utils._local import daemon

TOOL_PATHS = {"mtr": "/usr/bin/mtr", "mtr-packet": "/usr/bin/mtr-packet", "iperf3": "/usr/bin/iperf3"}
MASKABLE = sorted(TOOL_PATHS)
SSHD = "/usr/sbin/sshd"
BOOT = r'''set -e
vm="$1"
hostname "$(cat "$vm/etc/hostname")"
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p /run/vm /run/sshd /run/cloud-init
mount --bind "$vm" /run/vm
mount --bind /run/vm/cloud /run/cloud-init
# /etc: the host's, with the VM's own users, names and sudo rule on top (an overlay, not bind
# mounts on single files: the host replacing /etc/passwd would silently detach those).
mkdir -p /run/etc
mount -t tmpfs -o mode=0755 tmpfs /run/etc
mkdir -p /run/etc/upper/sudoers.d /run/etc/work
cp -a /run/vm/etc/. /run/etc/upper/
cp -a /run/vm/sudoers.d/. /run/etc/upper/sudoers.d/
mount -t overlay overlay -o lowerdir=/etc,upperdir=/run/etc/upper,workdir=/run/etc/work /etc
mount --bind /run/vm/bin /usr/local/bin
for tool in $(cat /run/vm/hidden); do mount --bind /dev/null "$tool"; done
mount --bind /run/vm/home /home
mount --bind /run/vm/tmp /tmp
mount --bind /run/vm/root /root
exec /usr/sbin/sshd -D -f /run/vm/sshd_config -E /run/vm/sshd.log
'''
SSHD_CONFIG = """# Written by the vpnlab rehearsal: the sshd of one rehearsal VM.
ListenAddress 0.0.0.0:22
HostKey /run/vm/ssh_host_ed25519_key
PidFile /run/sshd.pid
PermitRootLogin no
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PrintMotd no
AcceptEnv LANG LC_*
Subsystem sftp internal-sftp
"""
# `cloud-init status` as cloud-init 24 answers it, from /run/cloud-init/status.json.
CLOUD_INIT = r'''#!/usr/bin/python3
"""cloud-init stand-in of a vpnlab rehearsal VM: answers `cloud-init status [--wait] [--long]
[--format json]` from /run/cloud-init/status.json, which the rehearsal writes."""
import json, sys, time
args = sys.argv[1:]
if not args or args[0] != "status":
    sys.exit("cloud-init (vpnlab rehearsal stand-in): only `cloud-init status` is answered")
def read():
    try:
        with open("/run/cloud-init/status.json") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return {"status": "running", "detail": "booting"}
state = read()
while "--wait" in args and state["status"] in ("running", "not started"):
    sys.stdout.write("."); sys.stdout.flush(); time.sleep(1); state = read()
if "--wait" in args:
    print()
if "--format" in args and "json" in args:
    print(json.dumps(state, indent=2))
else:
    print("status: %s" % state["status"])
    if "--long" in args:
        print("extended_status: %s" % state["status"])
        print("detail: %s" % state.get("detail", ""))
        for err in state.get("errors", []):
            print("errors: %s" % err)
sys.exit({"done": 0, "error": 1, "degraded done": 2}.get(state["status"], 0))
'''


def _uid(passwd_lines):
    used = {int(line.split(":")[2]) for line in passwd_lines if line.count(":") >= 6}
    return next(uid for uid in range(1000, 60000) if uid not in used)


def _write(path, text, mode=0o644, uid=None):
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, mode)
    if uid is not None:
        os.chown(path, uid, uid)


class Vm:
    """One VM's files under `directory` (its /run/vm) and its sshd in namespace `netns`."""

    def __init__(self, directory, netns):
        self.dir, self.netns = directory, netns
        self.pid_file = os.path.join(directory, "boot.pid")

    def pid(self):
        pid = daemon.read_pid(self.pid_file)
        return pid if pid and daemon.alive(pid, "sshd", self.netns) else None

    def prepare(self, spec):
        """Write the VM's files (first boot): users, key, sudo, host key, hidden tools."""
        for sub in ("etc", "sudoers.d", "bin", "home", "tmp", "root", "cloud"):
            os.makedirs(os.path.join(self.dir, sub), exist_ok=True)
        os.chmod(os.path.join(self.dir, "tmp"), 0o1777)
        os.chmod(os.path.join(self.dir, "root"), 0o700)
        user = spec["user"]
        with open("/etc/passwd", encoding="utf-8") as handle:
            passwd = [line.rstrip("\n") for line in handle if not line.startswith(user + ":")]
        uid = _uid(passwd)
        home = os.path.join(self.dir, "home", user)
        passwd.append("%s:x:%d:%d:%s:/home/%s:/bin/bash" % (user, uid, uid, user, user))
        _write(os.path.join(self.dir, "etc", "passwd"), "\n".join(passwd) + "\n")
        with open("/etc/group", encoding="utf-8") as handle:
            groups = [line.rstrip("\n") for line in handle if not line.startswith(user + ":")]
        _write(os.path.join(self.dir, "etc", "group"), "\n".join(groups + ["%s:x:%d:" % (user, uid)]) + "\n")
        # Locked with '*' (not '!': OpenSSH refuses '!' accounts when PAM is off).
        shadow = ["%s:*:19000:0:99999:7:::" % line.split(":")[0] for line in passwd]
        _write(os.path.join(self.dir, "etc", "shadow"), "\n".join(shadow) + "\n", 0o640)
        shutil.chown(os.path.join(self.dir, "etc", "shadow"), group="shadow")
        _write(os.path.join(self.dir, "etc", "hostname"), spec["hostname"] + "\n")
        _write(os.path.join(self.dir, "etc", "hosts"), "127.0.0.1 localhost\n127.0.1.1 %s\n" % spec["hostname"])
        _write(os.path.join(self.dir, "sudoers.d", "90-cloud-init-users"),
               "# Created by cloud-init (vpnlab rehearsal)\n%s ALL=(ALL) NOPASSWD:ALL\n" % user, 0o440)
        _write(os.path.join(self.dir, "bin", "cloud-init"), CLOUD_INIT, 0o755)
        hidden = [TOOL_PATHS[t] for t in MASKABLE if t not in spec["tools"] and os.path.exists(TOOL_PATHS[t])]
        _write(os.path.join(self.dir, "hidden"), "\n".join(hidden) + "\n")
        _write(os.path.join(self.dir, "sshd_config"), SSHD_CONFIG)
        _write(os.path.join(self.dir, "boot.sh"), BOOT, 0o700)
        key = os.path.join(self.dir, "ssh_host_ed25519_key")
        if not os.path.exists(key):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", spec["hostname"], "-f", key],
                           check=True, capture_output=True)
        os.makedirs(os.path.join(home, ".ssh"), exist_ok=True)
        for path in (home, os.path.join(home, ".ssh")):
            os.chmod(path, 0o700 if path.endswith(".ssh") else 0o755)
            os.chown(path, uid, uid)
        self.set_keys(spec, uid)
        _write(os.path.join(self.dir, "spec.json"), json.dumps(spec, sort_keys=True), 0o600)

    def uid(self, user):
        with open(os.path.join(self.dir, "etc", "passwd"), encoding="utf-8") as handle:
            for line in handle:
                if line.startswith(user + ":"):
                    return int(line.split(":")[2])
        return None

    def set_keys(self, spec, uid=None):
        uid = uid if uid is not None else self.uid(spec["user"])
        path = os.path.join(self.dir, "home", spec["user"], ".ssh", "authorized_keys")
        text = "".join(k.strip() + "\n" for k in spec["keys"])
        try:
            with open(path, encoding="utf-8") as handle:
                if handle.read() == text:
                    return False
        except OSError:
            pass
        _write(path, text, 0o600, uid)
        return True

    def boot(self):
        """Start the VM's sshd (in its own mount and UTS namespaces); its pid."""
        log = os.path.join(self.dir, "boot.log")
        pid = daemon.spawn(["ip", "netns", "exec", self.netns, "unshare", "--mount", "--uts",
                            "--propagation", "private", "sh", os.path.join(self.dir, "boot.sh"), self.dir], log)
        with open(self.pid_file, "w", encoding="utf-8") as handle:
            handle.write("%d\n" % pid)
        return pid

    def set_cloud_init(self, status, detail, errors=()):
        doc = {"status": status, "detail": detail, "errors": list(errors),
               "last_update": time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime())}
        _write(os.path.join(self.dir, "cloud", "status.json"), json.dumps(doc), 0o644)


def console_text(spec, finished):
    """What the VM's serial console shows of cloud-init (EC2 GetConsoleOutput)."""
    lines = ["[    0.000000] Linux version 6.8.0-1012-aws (vpnlab rehearsal VM)",
             "Cloud-init v. 24.4 running 'init' at %s." % time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime()),
             "ci-info: +++++++++++++++ Authorized keys from /home/%s/.ssh/authorized_keys for user %s ++++++++++++++++"
             % (spec["user"], spec["user"])]
    if not spec["user_data"]:
        lines.append("cloud-init: no user data: no packages installed")
    elif spec["packages"]:
        lines.append("cloud-init[%d]: Installing packages: %s" % (1000, " ".join(spec["packages"])))
    for tool in ("mtr", "iperf3"):
        if tool not in spec["tools"]:
            lines.append("cloud-init: %s is not installed: the user data does not ask for the %s package"
                         % (tool, "mtr-tiny" if tool == "mtr" else tool))
    if finished:
        source = "DataSourceEc2Local" if spec["cloud"] == "aws" else "DataSourceAzure"
        lines.append("Cloud-init v. 24.4 finished. Datasource %s.  Up 12.34 seconds" % source)
    return "\n".join(lines) + "\n"

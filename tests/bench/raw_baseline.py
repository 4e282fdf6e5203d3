# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Raw baseline of the local lab (issue 15): its topology with plain ip, charon and sshd (seconds).

    .venv/bin/python tests/bench/raw_baseline.py --rounds 3      (as root)

No Ansible, no collection code: namespaces, bridges and veths with `ip`; two charons (kernel-libipsec,
each with its own strongswan.conf and VICI socket) loaded over VICI with one IKEv2 PSK tunnel
(10.1.0.0/16 <-> 10.2.0.0/16); one sshd per VM. `up`: all that built, the tunnel established and
the three sshd listening; `check`: ping -c 3 -i 0.2 over the 6 ordered pairs of VM private addresses,
one after another (every ping must get its 3 replies, or measure() raises); `down`: the daemons
stopped by PID, the namespaces deleted. Left out compared with the lab: the operator namespace, the
VMs' public addresses (NAT and security rules in nftables), MSS clamping, the host's guard routes.
Namespaces are named vpnraw-<pid>-<round>.<role>, none is linked to the host's own namespace, and
all is torn down in a `finally`. tests/bench/bench_local_lab.py can import measure().
"""

import argparse
import itertools
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import vici

CHARON = "/usr/lib/ipsec/charon"
SSHD = "/usr/sbin/sshd"
# As the lab (plugins/module_utils/_local/charon.py): a private /run, charon's path as "$1".
CHARON_SCRIPT = 'mount -t tmpfs -o mode=0755 tmpfs /run && exec "$1"'
PLUGINS = ("random nonce openssl pem pkcs1 x509 pubkey kdf sha1 sha2 aes hmac gmp curve25519 "
           "kernel-libipsec kernel-netlink socket-default vici updown")
ROLES = ("inet", "azr", "azgw", "awsr", "vgw", "vm1", "vm2", "vm3")
ROUTERS = ("inet", "azr", "azgw", "awsr", "vgw")
VMS = {"vm1": ("10.1.1.10", "10.1.1.1"), "vm2": ("10.1.1.20", "10.1.1.1"), "vm3": ("10.2.1.10", "10.2.1.1")}
GATEWAYS = {"azure": ("azgw", "198.51.100.10", "203.0.113.10", "10.1.0.0/16", "10.2.0.0/16"),
            "aws": ("vgw", "203.0.113.10", "198.51.100.10", "10.2.0.0/16", "10.1.0.0/16")}
TUNNEL = "raw"
ROUNDS = itertools.count(1)


def veth(here, netns, there, address=None):
    """A veth created in the namespace that holds the bridge (or router leg), its peer `there`
    created directly in `netns`: neither end ever exists in the host's namespace."""
    return ["link add %s type veth peer name %s netns %s" % (here, there, netns),
            "addr add %s dev %s" % (address, here) if address else "link set %s master br0" % here,
            "link set %s up" % here]


def leaf(addresses, routes):
    return (["addr add %s dev %s" % (a, dev) for dev, a in addresses.items()]
            + ["link set %s up" % dev for dev in addresses] + ["route add " + r for r in routes])


def batches(n):
    """`ip -batch` commands per namespace, in order: holders of bridges and router legs first."""
    bridge = ["link add br0 type bridge", "link set br0 up"]
    return [
        (n["inet"], bridge + ["addr add 198.51.100.1/24 dev br0", "addr add 203.0.113.1/24 dev br0"]
         + veth("azgw", n["azgw"], "inet0") + veth("vgw", n["vgw"], "inet0")),
        (n["azr"], bridge + ["addr add 10.1.1.1/24 dev br0"] + veth("vm1", n["vm1"], "eth0")
         + veth("vm2", n["vm2"], "eth0") + veth("gw0", n["azgw"], "vnet0", "10.1.255.1/27")),
        (n["awsr"], bridge + ["addr add 10.2.1.1/24 dev br0"] + veth("vm3", n["vm3"], "eth0")
         + veth("vgw0", n["vgw"], "vpc0", "10.2.255.253/30")),
        (n["azgw"], leaf({"inet0": "198.51.100.10/24", "vnet0": "10.1.255.4/27"},
                         ["default via 198.51.100.1", "10.1.0.0/16 via 10.1.255.1"])),
        (n["vgw"], leaf({"inet0": "203.0.113.10/24", "vpc0": "10.2.255.254/30"},
                        ["default via 203.0.113.1", "10.2.0.0/16 via 10.2.255.253"])),
        # The clouds' routes to each other, via their VPN gateway (then into the tunnel).
        (n["azr"], ["route add 10.2.0.0/16 via 10.1.255.4"]),
        (n["awsr"], ["route add 10.1.0.0/16 via 10.2.255.254"]),
    ] + [(n[vm], leaf({"eth0": ip + "/24"}, ["default via " + gw])) for vm, (ip, gw) in VMS.items()]


def strongswan_conf(directory):
    return ("charon {\n  load = %s\n  install_virtual_ip = no\n"
            "  filelog {\n    raw {\n      path = %s/charon.log\n      default = 1\n    }\n  }\n"
            "  syslog {\n    daemon {\n      default = -1\n    }\n  }\n"
            "  plugins {\n    vici {\n      socket = unix://%s/charon.vici\n    }\n  }\n}\n"
            % (PLUGINS, directory, directory))


def connection(local, remote, local_ts, remote_ts):
    child = {"local_ts": [local_ts], "remote_ts": [remote_ts], "mode": "tunnel",
             "esp_proposals": ["aes256-sha256"], "start_action": "none"}
    # kernel-libipsec does ESP in userspace: UDP encapsulation is required.
    return {TUNNEL: {"version": "2", "local_addrs": [local], "remote_addrs": [remote],
                     "encap": "yes", "mobike": "no", "proposals": ["aes256-sha256-modp2048"],
                     "local": {"auth": "psk", "id": local}, "remote": {"auth": "psk", "id": remote},
                     "children": {TUNNEL: child}}}


def tail(path, lines=10):
    try:
        with open(path, errors="replace") as handle:
            return "".join(handle.readlines()[-lines:])
    except OSError:
        return "(no %s)" % path


def listening(pid, port=22):
    try:
        with open("/proc/%d/net/tcp" % pid) as handle:
            rows = [line.split() for line in handle.readlines()[1:]]
    except OSError:
        return False
    return any(r[3] == "0A" and int(r[1].rsplit(":", 1)[1], 16) == port for r in rows)


def run(argv, stdin=None):
    proc = subprocess.run(argv, input=stdin, capture_output=True, text=True, check=False)
    if proc.returncode:
        raise RuntimeError("%s: rc %d: %s" % (" ".join(argv), proc.returncode, proc.stderr.strip()))
    return proc.stdout


def run_all(argvs):
    """Independent commands side by side; raises when one failed."""
    procs = [(a, subprocess.Popen(a, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)) for a in argvs]
    outputs = [(a, p, p.communicate()[1]) for a, p in procs]
    bad = ["%s: %s" % (" ".join(a), err.strip()) for a, p, err in outputs if p.returncode]
    if bad:
        raise RuntimeError("; ".join(bad))


class RawLab:
    def __init__(self):
        self.prefix = "vpnraw-%d-%d" % (os.getpid(), next(ROUNDS))
        self.ns = {role: "%s.%s" % (self.prefix, role) for role in ROLES}
        self.created, self.procs, self.tmp = [], [], None

    def up(self):
        self.tmp = tempfile.mkdtemp(prefix=self.prefix + "-")
        for role in ROLES:  # one at a time: only what was created here is deleted in down()
            run(["ip", "netns", "add", self.ns[role]])
            self.created.append(self.ns[role])
        run_all([["ip", "netns", "exec", self.ns[role], "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1",
                  "net.ipv6.conf.default.disable_ipv6=1", "net.ipv4.ip_forward=%d" % (role in ROUTERS)]
                 for role in ROLES])
        for netns, cmds in batches(self.ns):
            run(["ip", "-n", netns, "-batch", "-"], "\n".join(["link set lo up"] + cmds) + "\n")
        charons = {side: self.start_charon(side, GATEWAYS[side][0]) for side in GATEWAYS}
        sshds = [self.start_sshd(vm) for vm in VMS]
        sessions = {side: self.vici_session(side, proc) for side, proc in charons.items()}
        for side, (dummy, local, remote, local_ts, remote_ts) in GATEWAYS.items():
            sessions[side].load_shared({"id": "psk-raw", "type": "IKE", "data": "raw-baseline-psk-0123456789",
                                        "owners": [local, remote]})
            sessions[side].load_conn(connection(local, remote, local_ts, remote_ts))
        try:
            for dummy in sessions["azure"].initiate({"child": TUNNEL, "ike": TUNNEL, "timeout": "20000"}):
                pass
        except vici.exception.CommandException as exc:
            raise RuntimeError("initiate: %s\n%s" % (exc, tail(self.log("azure")))) from None
        for side, session in sessions.items():
            states = [(ike["state"], [c["state"] for c in ike.get("child-sas", {}).values()])
                      for entry in session.list_sas() for ike in entry.values()]
            if (b"ESTABLISHED", [b"INSTALLED"]) not in states:
                raise RuntimeError("%s gateway: tunnel not up: %s\n%s" % (side, states, tail(self.log(side))))
        deadline = time.monotonic() + 30
        while not all(listening(p.pid) for p in sshds):
            if time.monotonic() > deadline or any(p.poll() is not None for p in sshds):
                raise RuntimeError("sshd not listening:\n" + "".join(
                    tail(os.path.join(self.tmp, "sshd-%s.log" % vm)) for vm in VMS))
            time.sleep(0.01)

    def log(self, side):
        return os.path.join(self.tmp, side, "charon.log")

    def spawn(self, netns, argv, log, env=None):
        """A daemon in `netns`; ip netns exec, unshare and sh all exec, so its PID is the daemon's."""
        with open(os.path.join(self.tmp, log), "ab") as out:
            proc = subprocess.Popen(["ip", "netns", "exec", netns] + argv, stdin=subprocess.DEVNULL,
                                    stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        self.procs.append(proc)
        return proc

    def start_charon(self, side, role):
        directory = os.path.join(self.tmp, side)
        os.mkdir(directory, 0o700)
        conf = os.path.join(directory, "strongswan.conf")
        with open(conf, "w") as handle:
            handle.write(strongswan_conf(directory))
        return self.spawn(self.ns[role], ["unshare", "-m", "sh", "-c", CHARON_SCRIPT, "vpnraw-charon", CHARON],
                          "charon-%s.out" % side, env=dict(os.environ, STRONGSWAN_CONF=conf))

    def vici_session(self, side, proc, timeout=30):
        path, deadline = os.path.join(self.tmp, side, "charon.vici"), time.monotonic() + timeout
        while True:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.connect(path)
                sock.settimeout(30)
                return vici.Session(sock)
            except OSError:
                sock.close()
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("charon (%s) did not open its VICI socket:\n%s%s" % (
                    side, tail(os.path.join(self.tmp, "charon-%s.out" % side)), tail(self.log(side))))
            time.sleep(0.01)

    def start_sshd(self, vm):
        key, conf = os.path.join(self.tmp, vm + "_host_key"), os.path.join(self.tmp, vm + "_sshd_config")
        run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "vpnraw", "-f", key])
        with open(conf, "w") as handle:
            handle.write("ListenAddress 0.0.0.0:22\nHostKey %s\nPidFile %s.pid\nUsePAM no\n"
                         "PasswordAuthentication no\nKbdInteractiveAuthentication no\n"
                         "AuthorizedKeysFile none\n" % (key, conf))
        return self.spawn(self.ns[vm], [SSHD, "-D", "-e", "-f", conf], "sshd-%s.log" % vm)

    def check(self):
        for src, dst in itertools.permutations(VMS, 2):
            proc = subprocess.run(["ip", "netns", "exec", self.ns[src], "ping", "-n", "-q", "-c", "3", "-i", "0.2",
                                   "-W", "2", VMS[dst][0]], capture_output=True, text=True, check=False)
            if proc.returncode or " 3 received" not in proc.stdout:
                raise RuntimeError("ping %s -> %s (%s): %s" % (src, dst, VMS[dst][0], proc.stdout.strip()))

    def down(self):
        """Stop our daemons by PID (Popen: not reaped yet, so the PID is still theirs), then
        delete our namespaces. Safe to call again: only what is left is retried."""
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.procs = []
        left = [ns for ns in self.created
                if subprocess.run(["ip", "netns", "del", ns], capture_output=True, check=False).returncode
                and os.path.exists("/run/netns/" + ns)]
        self.created = left
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None
        if left:
            raise RuntimeError("namespaces not deleted: %s" % ", ".join(left))


def measure():
    """One round: {"up": s, "check": s, "down": s}; raises when the baseline does not work."""
    lab, marks = RawLab(), [time.monotonic()]
    try:
        for step in (lab.up, lab.check, lab.down):
            step()
            marks.append(time.monotonic())
    finally:
        lab.down()
    return {name: end - start for name, start, end in zip(("up", "check", "down"), marks, marks[1:])}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root (network namespaces)")
    figures = {"up": [], "check": [], "down": []}
    print("round  " + "  ".join("%-8s" % name for name in figures))
    for round_no in range(1, args.rounds + 1):
        result = measure()
        for name, value in result.items():
            figures[name].append(value)
        print("%5d  %s" % (round_no, "  ".join("%6.2f s" % result[name] for name in figures)), flush=True)
    medians = {name: round(statistics.median(values), 2) for name, values in figures.items()}
    print("median " + "  ".join("%6.2f s" % medians[name] for name in figures))
    print(json.dumps({"benchmark": "raw_baseline", "rounds": args.rounds, "median_s": medians,
                      "cpus": os.cpu_count()}))


if __name__ == "__main__":
    main()

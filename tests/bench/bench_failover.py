# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Failover benchmark: how long private traffic stops when the active AWS tunnel dies.

    .venv/bin/python tests/bench/bench_failover.py        (or: make bench)

Builds a lab of its own (name `failover`, state in a temporary VPNLAB_HOME), pings vm3's private
address from vm1 every 0.1 s, then kills the tunnel that carries the traffic by dropping IKE and
ESP-in-UDP to and from its outside address in the VGW's namespace (an AWS endpoint gone
silent). Prints the outage (from the failure to the first reply through the other tunnel) and
the packets lost, then tears the lab down. The clouds give up on a dead peer after their DPD
timeout (AWS 30 s, Azure 45 s); the lab's gateways are tuned to do it faster.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
LAB = "failover"
REPLY = re.compile(r"^\[(\d+\.\d+)\] \d+ bytes from \S+ icmp_seq=(\d+)", re.M)

from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.charon import Charon  # noqa: E402


def playbook(name, env):
    proc = subprocess.run([str(BIN / "ansible-playbook"), "playbooks/" + name, "-e",
                           "vpnlab_name=" + LAB], cwd=ROOT, env=env, capture_output=True,
                          text=True, check=False)
    if proc.returncode != 0 and name != "teardown.yml":
        sys.exit("%s failed:\n%s" % (name, proc.stdout[-3000:]))


def active_tunnel(charon):
    """The tunnel whose counters move while traffic flows (strongSwan uses the newest SA)."""
    before = {t["name"]: t["bytes_out"] for t in charon.status(charon.loaded_conns())}
    subprocess.run(["ip", "netns", "exec", "vpnlab-%s.vm1" % LAB, "ping", "-c", "5", "-i", "0.1",
                    "-q", "10.2.1.10"], check=True, capture_output=True)
    after = {t["name"]: t for t in charon.status(charon.loaded_conns())}
    return max(after.values(), key=lambda t: t["bytes_out"] - before[t["name"]])


def drop(outside_ip):
    """nftables in the VGW's namespace: the tunnel's outside address answers nothing more."""
    rules = ("table ip vpnlab_failover {\n"
             "  chain in { type filter hook input priority 0; ip daddr %(ip)s udp dport { 500, 4500 } drop; }\n"
             "  chain out { type filter hook output priority 0; ip saddr %(ip)s udp sport { 500, 4500 } drop; }\n"
             "}\n" % {"ip": outside_ip})
    subprocess.run(["ip", "netns", "exec", "vpnlab-%s.vgw" % LAB, "nft", "-f", "-"], input=rules,
                   text=True, check=True)


def outage(ping_output, failed_at):
    """(longest silence between two replies around the failure, echoes unanswered in it).

    The longest gap, not the first reply after the failure: a reply already on its way when the
    tunnel died arrives after it and says nothing about the failover."""
    replies = [(float(t), int(seq)) for t, seq in REPLY.findall(ping_output)]
    window = [r for r in replies if r[0] >= failed_at - 1.0]
    if len(window) < 2 or window[-1][0] < failed_at:
        return None, None
    gaps = [(later[0] - earlier[0], later[1] - earlier[1] - 1)
            for earlier, later in zip(window, window[1:])]
    seconds, lost = max(gaps)
    return round(seconds, 1), lost


def main():
    home = tempfile.mkdtemp(prefix="vpnlab-failover-")
    env = dict(os.environ, VPNLAB_HOME=home, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               PATH="%s:%s" % (BIN, os.environ.get("PATH", "")))
    try:
        playbook("site.yml", env)
        charon = Charon("%s/%s/gateways/azure" % (home, LAB), "vpnlab-%s.azgw" % LAB)
        tunnel = active_tunnel(charon)
        ping = subprocess.Popen(["ip", "netns", "exec", "vpnlab-%s.vm1" % LAB, "ping", "-D", "-i",
                                 "0.1", "-W", "1", "-w", "50", "10.2.1.10"],
                                stdout=subprocess.PIPE, text=True)
        time.sleep(3)
        failed_at = time.time()
        drop(tunnel["outside_ip"])
        output = ping.communicate()[0]
        seconds, lost = outage(output, failed_at)
        states = {t["name"]: t["status"] for t in charon.status(charon.loaded_conns())}
        print("failed tunnel %s (%s); outage %s s, %s echo requests unanswered; tunnels after: %s"
              % (tunnel["name"], tunnel["outside_ip"], seconds, lost, states))
        print(json.dumps({"benchmark": "failover", "failed_tunnel": tunnel["name"],
                          "outage_s": seconds, "lost_echoes": lost, "tunnels_after": states}))
    finally:
        playbook("teardown.yml", env)
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()

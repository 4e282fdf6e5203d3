# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Faults injected into a real local lab, and their repair, for the check's integration test and
the failover benchmark. Everything acts inside the lab's own namespaces (`vpnlab-<lab>.*`), with
nftables tables named `vpnlab_fault` that the repair deletes."""

from __future__ import annotations

import subprocess
import time

from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.charon import Charon

FAULT_TABLE = "vpnlab_fault"


def netns(lab, part):
    return "vpnlab-%s.%s" % (lab, part)


def sh(lab, part, *argv, check=True, **kwargs):
    return subprocess.run(["ip", "netns", "exec", netns(lab, part), *argv], check=check,
                          capture_output=True, text=True, **kwargs)


def gateway(lab, home, side="azure"):
    part = "azgw" if side == "azure" else "vgw"
    return Charon("%s/%s/gateways/%s" % (home, lab, side), netns(lab, part))


def tunnel_states(lab, home):
    charon = gateway(lab, home)
    return {t["name"]: t["status"] for t in charon.status(charon.loaded_conns())}


def active_tunnel(lab, home, dst="10.2.1.10"):
    """The tunnel whose counters move while traffic flows (strongSwan uses the newest SA)."""
    charon = gateway(lab, home)
    before = {t["name"]: t["bytes_out"] for t in charon.status(charon.loaded_conns())}
    sh(lab, "vm1", "ping", "-c", "5", "-i", "0.1", "-q", dst)
    after = {t["name"]: t for t in charon.status(charon.loaded_conns())}
    return max(after.values(), key=lambda t: t["bytes_out"] - before[t["name"]])


def cut_tunnel(lab, home, tunnel):
    """The AWS endpoint of `tunnel` dies: it answers nothing more (IKE and ESP-in-UDP dropped
    to and from its outside address in the VGW's namespace) and loses its SAs, so AWS sends
    its return traffic through the other tunnel at once, as a real VGW whose endpoint failed.
    Only the Azure side has to find out, by dead peer detection."""
    rules = ("table ip %(table)s {\n"
             "  chain in { type filter hook input priority -5; ip daddr %(ip)s udp dport { 500, 4500 } drop; }\n"
             "  chain out { type filter hook output priority -5; ip saddr %(ip)s udp sport { 500, 4500 } drop; }\n"
             "}\n" % {"table": FAULT_TABLE, "ip": tunnel["outside_ip"]})
    sh(lab, "vgw", "nft", "-f", "-", input=rules)
    # force: destroy the SA without waiting for the (dropped) DELETE to be answered.
    gateway(lab, home, "aws").call("terminate", {"ike": tunnel["name"], "force": "yes",
                                                 "timeout": "-1"})


def restore_tunnel(lab):
    sh(lab, "vgw", "nft", "delete", "table", "ip", FAULT_TABLE, check=False)


def wait_for(condition, timeout, interval=0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()

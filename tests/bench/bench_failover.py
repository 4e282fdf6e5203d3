# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Failover benchmark: how long private traffic stops when the active AWS tunnel endpoint dies.

    .venv/bin/python tests/bench/bench_failover.py [--dpd 45 9] [--rounds 1]   (or: make bench)

Builds a lab of its own (name `failover`, state in a temporary VPNLAB_HOME) with the Azure
side's DPD timeout (`vpnlab_dpd_timeout_seconds`) set to each value given, pings vm3's private
address from vm1 every 0.1 s, then kills the AWS endpoint of the tunnel that carries the traffic
(tests/integration/lab_faults.py: it answers nothing more and loses its SAs, so AWS's return
traffic takes the other tunnel at once, as a real VGW's would). The Azure gateway only finds
out by dead peer detection. Prints the outage window (the longest silence of the 0.1 s ping
around the failure) and the echoes lost, restores the endpoint, checks that both tunnels come
back up, and tears the lab down.
"""

from __future__ import annotations

import argparse
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
REPLY = re.compile(r"^\[(\d+\.\d+)\] \d+ bytes from \S+ icmp_seq=(\d+)", re.M)

sys.path.insert(0, str(ROOT / "tests" / "integration"))
import lab_faults  # noqa: E402  pylint: disable=wrong-import-position


def playbook(name, env, lab, *extra):
    proc = subprocess.run([str(BIN / "ansible-playbook"), "playbooks/" + name, "-e",
                           "vpnlab_name=" + lab, *extra], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0 and name != "teardown.yml":
        sys.exit("%s failed:\n%s" % (name, proc.stdout[-3000:]))


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


def measure(lab, home, dpd):
    """One failover: (tunnel cut, outage s, echoes lost, seconds until both tunnels were up)."""
    tunnel = lab_faults.active_tunnel(lab, home)
    ping = subprocess.Popen(["ip", "netns", "exec", lab_faults.netns(lab, "vm1"), "ping", "-D",
                             "-i", "0.1", "-W", "1", "-w", str(dpd + 20), "10.2.1.10"],
                            stdout=subprocess.PIPE, text=True)
    time.sleep(3)
    failed_at = time.time()
    lab_faults.cut_tunnel(lab, home, tunnel)
    output = ping.communicate()[0]
    seconds, lost = outage(output, failed_at)
    lab_faults.restore_tunnel(lab)
    restored = time.monotonic()
    back = lab_faults.wait_for(lambda: set(lab_faults.tunnel_states(lab, home).values()) == {"up"},
                               dpd + 60)
    return tunnel, seconds, lost, round(time.monotonic() - restored, 1) if back else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dpd", type=int, nargs="+", default=[45, 9],
                        help="Azure-side DPD timeouts to measure (default: 45 and 9)")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--name", default="failover", help="lab name (default: failover)")
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="vpnlab-failover-")
    env = dict(os.environ, VPNLAB_HOME=home, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
               PATH="%s:%s" % (BIN, os.environ.get("PATH", "")))
    results = []
    try:
        for dpd in args.dpd:
            playbook("site.yml", env, args.name, "-e", "vpnlab_dpd_timeout_seconds=%d" % dpd,
                     "-e", "connectivity_check_throughput=false")
            for round_no in range(1, args.rounds + 1):
                tunnel, seconds, lost, back = measure(args.name, home, dpd)
                print("DPD timeout %3d s, round %d: cut %s (%s); outage %s s, %s echoes "
                      "unanswered; both tunnels up %s s after the repair"
                      % (dpd, round_no, tunnel["name"], tunnel["outside_ip"], seconds, lost, back),
                      flush=True)
                results.append({"dpd_timeout_s": dpd, "round": round_no,
                                "tunnel_cut": tunnel["name"], "outage_s": seconds,
                                "lost_echoes": lost, "both_up_after_repair_s": back})
    finally:
        playbook("teardown.yml", env, args.name)
        shutil.rmtree(home, ignore_errors=True)
    print(json.dumps({"benchmark": "failover", "results": results, "cpus": os.cpu_count()}))


if __name__ == "__main__":
    main()

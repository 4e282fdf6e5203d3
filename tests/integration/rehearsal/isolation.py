# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Whether anything can leave a rehearsal: every namespace of it tries addresses outside (a
public DNS server, the host's own addresses) and must be refused at once; the host namespace
must not have gained an interface or a route."""

from __future__ import annotations

import json
import re
import subprocess
import sys

# Tried from inside the rehearsal's namespaces only (where there is no way out), never from here.
OUTSIDE = ["8.8.8.8", "1.1.1.1", "192.0.2.1"]
PROBE = r"""
import json, socket, sys
out = {}
for address in sys.argv[1:]:
    sock = socket.socket()
    sock.settimeout(2)
    try:
        sock.connect((address, 443))
        out[address] = "connected"
    except OSError as exc:
        out[address] = exc.__class__.__name__ + ": " + (exc.strerror or str(exc))
    finally:
        sock.close()
print(json.dumps(out))
"""


# The local target's safety-net routes (host_guard: unreachable, proto 222) come and go with the
# local labs that other test files build at the same time; the rehearsal never makes one.
LOCAL_GUARD = re.compile(r"\bproto 222\b")


def host_view():
    """The host namespace's interfaces and routes (read only), local labs' guard routes aside."""
    links = json.loads(subprocess.run(["ip", "-j", "link"], capture_output=True, text=True, check=True).stdout)
    routes = subprocess.run(["ip", "route", "show", "table", "all"], capture_output=True, text=True, check=True).stdout
    return {"links": sorted(link["ifname"] for link in links),
            "routes": sorted(line for line in routes.splitlines() if not LOCAL_GUARD.search(line))}


def host_addresses():
    addrs = json.loads(subprocess.run(["ip", "-j", "-4", "addr"], capture_output=True, text=True, check=True).stdout)
    return [a["local"] for link in addrs for a in link.get("addr_info", []) if not a["local"].startswith("127.")]


def namespaces(lab):
    listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True).stdout
    return sorted(line.split()[0] for line in listed.splitlines() if line.startswith("vpnrh-%s." % lab))


def probe(lab):
    """{namespace: {address: outcome}} for every namespace of the rehearsal."""
    targets = OUTSIDE + host_addresses()
    found = {}
    for name in namespaces(lab):
        proc = subprocess.run(["ip", "netns", "exec", name, sys.executable, "-c", PROBE] + targets,
                              capture_output=True, text=True, timeout=60, check=False)
        found[name] = json.loads(proc.stdout) if proc.returncode == 0 else {"error": proc.stderr}
    return found

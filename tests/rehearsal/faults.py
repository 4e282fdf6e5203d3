# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Faults of the internet between the clouds, for failover drills: a cut tunnel loses every
packet to and from its outside address (IKE and ESP-in-UDP), in the rehearsal's internet
namespace only, until `repair`."""

from __future__ import annotations

import ipaddress

from tests.rehearsal import addressing as ad
from tests.rehearsal.fabric import run_in
from tests.rehearsal.session import RehearsalError, read_record, running

TABLE = "faults"


def _current(inet):
    try:
        text = run_in(inet, ["nft", "list", "table", "ip", TABLE])
    except RuntimeError:
        return []
    return sorted({word.strip(",{}") for line in text.splitlines() if "saddr" in line
                   for word in line.split() if word.count(".") == 3})


def _apply(inet, addresses):
    run_in(inet, ["nft", "-f", "-"], data="table ip %s\ndelete table ip %s\n" % (TABLE, TABLE))
    if not addresses:
        return
    group = "{ %s }" % ", ".join(addresses)
    run_in(inet, ["nft", "-f", "-"], data=(
        "table ip %s {\n  chain filter_forward {\n    type filter hook forward priority -10; policy accept;\n"
        "    ip saddr %s drop\n    ip daddr %s drop\n  }\n}\n" % (TABLE, group, group)))


def _inet(lab):
    record = read_record(lab)
    if not running(record):
        raise RehearsalError("the rehearsal of lab %s is not up" % lab)
    return ad.netns(lab, "inet")


def cut(lab, address):
    try:
        ipaddress.ip_address(address or "")
    except ValueError:
        raise RehearsalError("--tunnel must be a tunnel's outside IPv4 address, not %r" % address) from None
    inet = _inet(lab)
    cuts = sorted(set(_current(inet)) | {address})
    _apply(inet, cuts)
    return "cut: every packet to and from %s is dropped in the rehearsal's internet" % ", ".join(cuts)


def repair(lab):
    inet = _inet(lab)
    _apply(inet, [])
    return "repaired: nothing is dropped in the rehearsal's internet"

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""mtr/ping parsing against captured output (fixtures/README.md says how each was made)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils.measurements import IPERF3_PORTS, Settings, tool as registry_tool
from ansible_collections.multicloud.vpnlab.plugins.module_utils.probe import (
    RESULT_KEYS, ProbeParseError, deadline, df_passes, df_ping_command,
    iperf3_command, iperf3_server_command, lossy, mtu_result, mtu_search, parse_iperf3, parse_mtr_json, parse_ping,
    probe_commands,
)

FIXTURES = Path(__file__).parent / "fixtures"


def sample(name):
    return (FIXTURES / name).read_text()


def subset(result, expected):
    return {key: result[key] for key in expected}


MTR_CASES = [
    # fixture, destination, expected fields
    ("mtr_ok_loopback.json", "127.0.0.1",
     dict(sent=10, received=10, loss_pct=0.0, rtt_min_ms=0.056, rtt_avg_ms=0.144, rtt_max_ms=0.68)),
    ("mtr_partial_loss.json", "127.0.0.2",
     dict(sent=10, received=7, loss_pct=30.0, rtt_min_ms=0.062, rtt_avg_ms=0.063, rtt_max_ms=0.073)),
    ("mtr_no_reply.json", "127.0.0.3",
     dict(sent=10, received=0, loss_pct=100.0, rtt_min_ms=None, rtt_avg_ms=None, hops=[])),
    ("mtr_multihop_ok.json", "10.2.1.10",
     dict(sent=10, received=10, loss_pct=0.0, rtt_min_ms=1.246, rtt_avg_ms=1.371, rtt_max_ms=1.702)),
    ("mtr_multihop_lost.json", "10.2.1.10",
     dict(sent=10, received=0, loss_pct=100.0, rtt_min_ms=None, rtt_avg_ms=None, rtt_max_ms=None)),
    ("mtr_multihop_not_reached.json", "10.2.1.10",
     dict(sent=10, received=0, loss_pct=100.0, rtt_avg_ms=None)),
    ("mtr_old_string_count.json", "10.1.1.20",
     dict(sent=10, received=8, loss_pct=20.0, rtt_min_ms=1.33, rtt_avg_ms=1.52, rtt_max_ms=1.97)),
    # the same reply from a router is not the destination's: the destination counts as lost
    ("mtr_ok_loopback.json", "127.0.0.9", dict(sent=10, received=0, loss_pct=100.0)),
]


@pytest.mark.parametrize("fixture, dst, expected", MTR_CASES)
def test_parse_mtr_json(fixture, dst, expected):
    result = parse_mtr_json(sample(fixture), dst)
    assert set(result) == set(RESULT_KEYS)
    assert subset(result, expected) == expected


HOPS_CASES = [
    ("mtr_multihop_ok.json", "10.2.1.10", [
        {"hop": 1, "host": "10.1.1.1", "loss_pct": 0.0, "avg_ms": 0.083},
        {"hop": 2, "host": "10.1.0.4", "loss_pct": 0.0, "avg_ms": 0.117},
        {"hop": 3, "host": "???", "loss_pct": 100.0, "avg_ms": None},
        {"hop": 4, "host": "10.2.1.1", "loss_pct": 0.0, "avg_ms": 1.302},
        {"hop": 5, "host": "10.2.1.10", "loss_pct": 0.0, "avg_ms": 1.371},
    ]),
    ("mtr_multihop_lost.json", "10.2.1.10", [
        {"hop": 1, "host": "10.1.1.1", "loss_pct": 0.0, "avg_ms": 0.079},
        {"hop": 2, "host": "10.1.0.4", "loss_pct": 0.0, "avg_ms": 0.112},
        {"hop": 3, "host": "???", "loss_pct": 100.0, "avg_ms": None},
    ]),
    ("mtr_old_string_count.json", "10.1.1.20", [
        {"hop": 1, "host": "10.2.1.1", "loss_pct": 0.0, "avg_ms": 0.09},
        {"hop": 2, "host": "10.1.1.20", "loss_pct": 20.0, "avg_ms": 1.52},
    ]),
]


@pytest.mark.parametrize("fixture, dst, hops", HOPS_CASES)
def test_parse_mtr_json_hops(fixture, dst, hops):
    assert parse_mtr_json(sample(fixture), dst)["hops"] == hops


MTR_GARBAGE = [
    ("", "not mtr --json output"),
    (sample("mtr_network_unreachable.txt"), "udp socket connect failed"),
    ("Start: 2026-11-25T21:24:03+0000\nHOST: vm   Loss%   Snt", "not mtr --json output"),
    ('{"report": {"mtr": {}, "hubs": {}}}', "no list of hubs"),
    ('{"report": {"mtr": {}, "hubs": [{"count": 1, "host": "127.0.0.1"}]}}', "Loss%"),
    ('{"report": {"mtr": {}, "hubs": [{"count": 1, "host": "127.0.0.1", "Loss%": 0.0,'
     ' "Snt": "x", "Avg": 1}]}}', "Snt"),
    ('[1, 2]', "not mtr --json output"),
]


@pytest.mark.parametrize("text, message", MTR_GARBAGE)
def test_parse_mtr_json_garbage(text, message):
    with pytest.raises(ProbeParseError, match=message):
        parse_mtr_json(text, "127.0.0.1")


PING_CASES = [
    ("ping_ok.txt", dict(sent=10, received=10, loss_pct=0.0, rtt_min_ms=0.039,
                         rtt_avg_ms=0.042, rtt_max_ms=0.046, hops=None)),
    ("ping_partial_loss.txt", dict(sent=10, received=6, loss_pct=40.0, rtt_min_ms=0.034,
                                   rtt_avg_ms=0.045, rtt_max_ms=0.05)),
    ("ping_full_loss.txt", dict(sent=10, received=0, loss_pct=100.0, rtt_min_ms=None,
                                rtt_avg_ms=None, rtt_max_ms=None)),
    ("ping_errors.txt", dict(sent=10, received=0, loss_pct=100.0, rtt_avg_ms=None)),
    # duplicates are not extra replies: 10 of 10, not 19
    ("ping_duplicates.txt", dict(sent=10, received=10, loss_pct=0.0, rtt_avg_ms=0.049)),
]


@pytest.mark.parametrize("fixture, expected", PING_CASES)
def test_parse_ping(fixture, expected):
    result = parse_ping(sample(fixture))
    assert set(result) == set(RESULT_KEYS)
    assert subset(result, expected) == expected


BUSYBOX = """PING 10.2.1.10 (10.2.1.10): 56 data bytes
64 bytes from 10.2.1.10: seq=0 ttl=62 time=1.301 ms

--- 10.2.1.10 ping statistics ---
2 packets transmitted, 1 packets received, 50% packet loss
round-trip min/avg/max = 1.301/1.301/1.301 ms
"""


def test_parse_ping_busybox():
    expected = dict(sent=2, received=1, loss_pct=50.0, rtt_min_ms=1.301, rtt_max_ms=1.301)
    assert subset(parse_ping(BUSYBOX, "10.2.1.10"), expected) == expected


PING_GARBAGE = [
    ("", "no ping statistics"),
    (sample("ping_network_unreachable.txt"), "Network is unreachable"),
    ("ping: 10.1.1.300: Name or service not known", "no ping statistics"),
    (sample("ping_ok.txt").replace("rtt min/avg/max/mdev", "rtt ?").replace("127.0.0.1", "127.0.0.2"),
     "no rtt line"),
    (sample("ping_ok.txt"), "about 127.0.0.1, not 127.0.0.2"),
]


@pytest.mark.parametrize("text, message", PING_GARBAGE)
def test_parse_ping_garbage(text, message):
    with pytest.raises(ProbeParseError, match=message):
        parse_ping(text, "127.0.0.2")


COMMAND_CASES = [
    (("10.2.1.10", "mtr", 10, 0.2), ["mtr", "--json", "-n", "-G", "0.5", "-c", "10", "-i", "0.2", "10.2.1.10"]),
    (("10.2.1.10", "ping", 3, 1), ["ping", "-n", "-c", "3", "-i", "1", "-w", "5", "10.2.1.10"]),
    # A deadline, not -W: ping waits for every reply, a late one included (up to 2 s late).
    (("203.0.113.10", "ping", "5", "0.5"),
     ["ping", "-n", "-c", "5", "-i", "0.5", "-w", "5", "203.0.113.10"]),
    (("10.2.1.10", "ping", 10, 0.1), ["ping", "-n", "-c", "10", "-i", "0.1", "-w", "3", "10.2.1.10"]),
    (("10.2.1.10", "ping", 3, 0.1), ["ping", "-n", "-c", "3", "-i", "0.1", "-w", "3", "10.2.1.10"]),
]


@pytest.mark.parametrize("args, argv", COMMAND_CASES)
def test_probe_commands(args, argv):
    assert probe_commands(*args) == argv


@pytest.mark.parametrize("args, message", [
    (("-f10.2.1.10", "ping", 3, 0.2), "not an IP address"),
    (("10.2.1.10; reboot", "mtr", 3, 0.2), "not an IP address"),
    (("10.2.1.10", "traceroute", 3, 0.2), "unknown probe tool"),
    (("10.2.1.10", "ping", 0, 0.2), "count must be >= 1"),
    (("10.2.1.10", "ping", 3, 0), "interval > 0"),
])
def test_probe_commands_refuses(args, message):
    with pytest.raises(ValueError, match=message):
        probe_commands(*args)


INTERPRET_CASES = [
    # tool, dst, rc, stdout, stderr, expected fields (error None or a fragment of it)
    ("mtr", "127.0.0.1", 0, sample("mtr_ok_loopback.json"), "",
     dict(received=10, loss_pct=0.0, error=None)),
    ("ping", "127.0.0.3", 1, sample("ping_full_loss.txt"), "",
     dict(received=0, loss_pct=100.0, error=None)),
    # mtr printed JSON (one probe sent) but exited 1: the JSON must not be believed
    ("mtr", "127.0.0.6", 1, sample("mtr_send_error.json"), "mtr: Permission denied\n",
     dict(sent=10, received=0, loss_pct=100.0, error="mtr exited with 1: mtr: Permission denied")),
    ("ping", "127.0.0.1", 2, "", sample("ping_network_unreachable.txt"),
     dict(sent=10, received=0, error="ping exited with 2: ping: connect: Network is unreachable")),
    ("mtr", "127.0.0.1", 0, "garbage", "", dict(received=0, error="mtr: not mtr --json output")),
    ("ping", "127.0.0.1", 0, "", "", dict(received=0, error="ping: no ping statistics")),
]


@pytest.mark.parametrize("tool, dst, rc, stdout, stderr, expected", INTERPRET_CASES)
def test_interpret(tool, dst, rc, stdout, stderr, expected):
    """The registry entry reads a finished run: its good exit codes, then its parser."""
    result = registry_tool(tool).interpret(dst, Settings(count=10), rc, stdout, stderr)
    assert set(result) == set(RESULT_KEYS) | {"error"}
    error = expected.pop("error")
    assert subset(result, expected) == expected
    if error is None:
        assert result["error"] is None
    else:
        assert error in result["error"]
        assert result["rtt_avg_ms"] is None


@pytest.mark.parametrize("size,argv", [
    (1400, ["ping", "-n", "-M", "do", "-s", "1372", "-c", "3", "-i", "0.2", "-w", "2", "10.2.1.10"]),
    (1500, ["ping", "-n", "-M", "do", "-s", "1472", "-c", "3", "-i", "0.2", "-w", "2", "10.2.1.10"]),
])
def test_df_ping_command_sends_ip_packets_of_the_size(size, argv):
    assert df_ping_command("10.2.1.10", size) == argv


@pytest.mark.parametrize("dst,size", [("10.2.1.10", 67), ("10.2.1.10", 70000), ("-f", 1400)])
def test_df_ping_command_refuses_bad_input(dst, size):
    with pytest.raises(ValueError):
        df_ping_command(dst, size)


@pytest.mark.parametrize("parsed, passes", [
    ({"sent": 3, "received": 3, "error": None}, True),
    # One echo back proves the size passes; a lost echo does not lower the path MTU.
    ({"sent": 3, "received": 1, "error": None}, True),
    ({"sent": 3, "received": 0, "error": None}, False),
    ({"sent": 3, "received": 0, "error": "ping exited with 2: x"}, False),
])
def test_df_passes(parsed, passes):
    assert df_passes(parsed) is passes


MTU_PATHS = [
    # the path's real MTU, the size required, the largest found, the sizes tried in order
    (1400, 1400, 1400, [1400, 1401]),
    (1500, 1400, 1500, [1400, 1401, 1500]),
    (1450, 1400, 1450, [1400, 1401, 1500, 1450, 1475, 1462, 1456, 1453, 1451]),
    (1399, 1400, 1399, None),
    (1000, 1400, 1000, None),
    (68, 1400, 68, None),
    (None, 1400, None, [1400, 68]),
    (1500, 1500, 1500, [1500]),
    (1500, 9000, 1500, [1500]),
]


@pytest.mark.parametrize("real, required, largest, tried", MTU_PATHS)
def test_mtu_search_finds_the_largest_df_packet(real, required, largest, tried):
    sizes = []

    def passes(size):
        sizes.append(size)
        return real is not None and size <= real

    assert mtu_search(passes, required) == largest
    if tried is not None:
        assert sizes == tried
    assert len(sizes) <= 13 and len(set(sizes)) == len(sizes)


@pytest.mark.parametrize("largest, ok", [(1400, True), (1500, True), (1399, False), (None, False)])
def test_mtu_result(largest, ok):
    assert mtu_result(1400, largest, [(1400, ok)]) == {
        "size": 1400, "largest": largest, "ok": ok, "tried": [[1400, ok]], "error": None}


@pytest.mark.parametrize("result, again", [
    ({"loss_pct": 0.0, "error": None}, False),
    ({"loss_pct": 10.0, "error": None}, True),
    ({"loss_pct": 100.0, "error": "ping timed out"}, True),
    ({"loss_pct": None, "error": None}, True),
])
def test_lossy_paths_are_measured_again(result, again):
    assert lossy(result) is again


def test_deadline_leaves_time_for_late_replies():
    assert [deadline(10, 0.1), deadline(3, 0.1), deadline(10, 0.2), deadline(5, 1)] == [3, 3, 4, 7]


def test_iperf3_command():
    assert iperf3_command("10.2.1.10", 3, IPERF3_PORTS["private"]) == [
        "iperf3", "--client", "10.2.1.10", "--port", "5201", "--time", "3", "--json",
        "--connect-timeout", "3000"]
    assert iperf3_command("10.2.1.10", 1, 5202, omit=1) == [
        "iperf3", "--client", "10.2.1.10", "--port", "5202", "--time", "1", "--omit", "1", "--json",
        "--connect-timeout", "3000"]
    for bad in (("-c", 3, 5201), ("10.2.1.10", 0, 5201), ("10.2.1.10", 61, 5201), ("10.2.1.10", 1, 5201, -1),
                ("10.2.1.10", 1, 5201, 11)):
        with pytest.raises(ValueError):
            iperf3_command(*bad)


@pytest.mark.parametrize("port, argv_or_error", [
    (5201, ["iperf3", "--server", "--one-off", "--daemon", "--idle-timeout", "120", "--port", "5201"]),
    (65535, ["iperf3", "--server", "--one-off", "--daemon", "--idle-timeout", "120", "--port", "65535"]),
    (0, "port must be 1-65535"),
    (65536, "port must be 1-65535"),
])
def test_iperf3_server_command(port, argv_or_error):
    if isinstance(argv_or_error, list):
        assert iperf3_server_command(port) == argv_or_error
    else:
        with pytest.raises(ValueError, match=argv_or_error):
            iperf3_server_command(port)


def test_parse_iperf3():
    result = parse_iperf3(sample("iperf3_ok.json"))
    assert set(result) == {"mbps", "sender_mbps", "retransmits", "seconds", "omitted_s"}
    assert result["mbps"] > 1000 and result["retransmits"] == 7 and result["seconds"] > 0.9
    assert result["omitted_s"] == 0


def test_parse_iperf3_says_what_was_omitted():
    result = parse_iperf3(sample("iperf3_omit.json"))
    assert result["omitted_s"] == 1 and 0.9 < result["seconds"] < 1.5


@pytest.mark.parametrize("text, message", [
    (sample("iperf3_refused.json"), "iperf3: unable to connect to server: Connection refused"),
    ("", "not iperf3 --json output"),
    ("[]", "not iperf3 --json output"),
    ('{"end": {}}', "lacks 'sum_received'"),
])
def test_parse_iperf3_refuses(text, message):
    with pytest.raises(ProbeParseError, match=message):
        parse_iperf3(text)


# What iputils printed with a deadline when the 10th reply was late: it sent an 11th echo and
# stopped at its 10th reply, counting the 11th (still on its way) as lost. Written by hand.
LATE_LAST_REPLY = "".join(
    ["PING 10.2.1.10 (10.2.1.10) 56(84) bytes of data.\n"]
    + ["64 bytes from 10.2.1.10: icmp_seq=%d ttl=62 time=1.%d ms\n" % (seq, seq) for seq in range(1, 10)]
    + ["64 bytes from 10.2.1.10: icmp_seq=10 ttl=62 time=131 ms\n",
       "\n--- 10.2.1.10 ping statistics ---\n",
       "11 packets transmitted, 10 received, 9.09091% packet loss, time 1003ms\n",
       "rtt min/avg/max/mdev = 1.1/14.2/131/38.9 ms\n"])


@pytest.mark.parametrize("text, count, expected", [
    (sample("ping_deadline_ok.txt").replace("10.1.1.20", "10.2.1.10"), 10,
     dict(sent=10, received=10, loss_pct=0.0, rtt_min_ms=0.039, rtt_max_ms=0.153, icmp_error=None)),
    # The late 10th reply is a reply; the 11th echo was never one of the 10.
    (LATE_LAST_REPLY, 10, dict(sent=10, received=10, loss_pct=0.0, rtt_max_ms=131.0)),
    (LATE_LAST_REPLY, None, dict(sent=11, received=10, loss_pct=9.1)),
    (sample("ping_net_unreachable_deadline.txt"), 10,
     dict(sent=10, received=0, loss_pct=100.0, rtt_avg_ms=None,
          icmp_error="From 198.51.100.1: Destination Net Unreachable")),
    (sample("ping_partial_loss.txt").replace("127.0.0.2", "10.2.1.10"), 10,
     dict(sent=10, received=6, loss_pct=40.0)),
    # busybox numbers from 0
    (BUSYBOX, 2, dict(sent=2, received=1, loss_pct=50.0, rtt_avg_ms=1.301)),
])
def test_parse_ping_counts_the_requested_echoes_by_sequence(text, count, expected):
    assert subset(parse_ping(text, "10.2.1.10", count), expected) == expected

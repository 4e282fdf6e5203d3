# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pure parts of daemon: reading /proc/net/tcp, PID files, and polling."""

from __future__ import annotations

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.daemon import listens, read_pid, wait_for

HEADER = ("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
          "timeout inode\n")
# sshd listening on 0.0.0.0:22 (port 0x0016).
LISTEN_22 = ("   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0"
             "        0 23894 1 0000000000000000 100 0 0 10 0\n")
# An SSH session to 10.1.1.11:22 from 10.1.1.10:50000 (0xC350), ESTABLISHED (01).
ESTABLISHED_22 = ("   1: 0B01010A:0016 0A01010A:C350 01 00000000:00000000 02:000A7B2F 00000000     0"
                  "        0 24567 2 0000000000000000 20 4 30 10 -1\n")
# The client side of that session: local port 50000, remote port 22.
CLIENT_TO_22 = ("   2: 0A01010A:C350 0B01010A:0016 01 00000000:00000000 02:000A7B2F 00000000     0"
                "        0 24568 2 0000000000000000 20 4 30 10 -1\n")
# iperf3 listening on 127.0.0.1:5201 (0x1451), and sshd on 0.0.0.0:2222 (0x08AE).
LISTEN_5201 = ("   3: 0100007F:1451 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0"
               "        0 31337 1 0000000000000000 100 0 0 10 0\n")
LISTEN_2222 = ("   4: 00000000:08AE 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0"
               "        0 31338 1 0000000000000000 100 0 0 10 0\n")
# A closed session to 22 waiting out TIME_WAIT (06).
TIME_WAIT_22 = ("   5: 0B01010A:0016 0A01010A:C351 06 00000000:00000000 03:00001770 00000000     0"
                "        0 0 3 0000000000000000\n")


@pytest.mark.parametrize("table, port, expected", [
    ("", 22, False),
    (HEADER, 22, False),
    (HEADER + LISTEN_22, 22, True),
    (HEADER + LISTEN_22, 2222, False),
    (HEADER + ESTABLISHED_22, 22, False),
    (HEADER + ESTABLISHED_22 + CLIENT_TO_22, 22, False),
    (HEADER + CLIENT_TO_22, 50000, False),
    (HEADER + TIME_WAIT_22, 22, False),
    (HEADER + ESTABLISHED_22 + LISTEN_22, 22, True),
    (HEADER + LISTEN_5201, 5201, True),
    (HEADER + LISTEN_5201, 22, False),
    (HEADER + LISTEN_2222, 2222, True),
    (HEADER + LISTEN_2222, 22, False),
    (HEADER + LISTEN_5201 + LISTEN_2222 + ESTABLISHED_22, 22, False),
    # The header is never read as a socket, even if it were the only "listening" line.
    (LISTEN_22, 22, False),
])
def test_listens(table, port, expected):
    assert listens(table, port) is expected


@pytest.mark.parametrize("content, expected", [
    ("4242\n", 4242),
    ("4242", 4242),
    ("  17  \n", 17),
    ("12\n13\n", 12),       # the first line is the pid
    ("1", None),             # init is never a lab daemon
    ("0", None),
    ("-5", None),
    ("", None),
    ("\n", None),
    ("abc\n", None),
    ("42 43\n", None),
    ("4.2\n", None),
    ("\u00b2\n", None),      # a digit to str.isdigit, not to int()
])
def test_read_pid(tmp_path, content, expected):
    path = tmp_path / "sshd.pid"
    path.write_text(content)
    assert read_pid(str(path)) == expected


def test_read_pid_missing_file(tmp_path):
    assert read_pid(str(tmp_path / "nope.pid")) is None


def test_read_pid_directory(tmp_path):
    assert read_pid(str(tmp_path)) is None


class Countdown:
    """Falsy values for the first calls, then `value`."""

    def __init__(self, falsy, value):
        self.answers = list(falsy) + [value]
        self.calls = 0

    def __call__(self):
        answer = self.answers[min(self.calls, len(self.answers) - 1)]
        self.calls += 1
        return answer


@pytest.mark.parametrize("falsy, value", [
    ([], True),
    ([False, None, 0], 4242),
    ([False] * 5, "up"),
])
def test_wait_for_returns_the_first_true_value(falsy, value):
    predicate = Countdown(falsy, value)
    assert wait_for(predicate, timeout=2, interval=0.001) == value
    assert predicate.calls == len(falsy) + 1


@pytest.mark.parametrize("falsy_value", [False, None, 0, ""])
def test_wait_for_gives_up_with_the_last_value(falsy_value):
    predicate = Countdown([], falsy_value)
    assert wait_for(predicate, timeout=0, interval=0.001) == falsy_value
    assert wait_for(predicate, timeout=0, interval=0.001) is falsy_value
    # A zero timeout still asks once, and only once.
    assert predicate.calls == 2


def test_wait_for_keeps_asking_until_the_timeout():
    predicate = Countdown([], False)
    assert wait_for(predicate, timeout=0.05, interval=0.001) is False
    assert predicate.calls >= 2

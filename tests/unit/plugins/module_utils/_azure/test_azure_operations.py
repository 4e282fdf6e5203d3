# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""run_operation: Azure's long-running operations, retried while Azure is busy, within one deadline."""

from __future__ import annotations

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.operations import (
    BUSY, RETRY_SECONDS, Refused, Unfinished, error_code, run_operation,
)


class ArmError(Exception):
    """An SDK HttpResponseError's shape: ``.error.code``."""

    def __init__(self, code):
        super().__init__("Azure said %s" % code)
        self.error = type("E", (), {"code": code})()


class Poller:
    def __init__(self, result="done", finished=True):
        self._result, self._finished, self.timeouts = result, finished, []

    def result(self, timeout):
        self.timeouts.append(timeout)
        return self._result

    def done(self):
        return self._finished


class Clock:
    """A clock that sleep() moves forward."""

    def __init__(self):
        self.now, self.sleeps = 0.0, []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def starter(answers):
    """start(): each call takes the next answer; an exception is raised, a poller returned."""
    calls = []

    def start():
        answer = answers[len(calls)]
        calls.append(answer)
        if isinstance(answer, BaseException):
            raise answer
        return answer
    return start, calls


# (answers in order, deadline, expected outcome, sleeps)
CASES = [
    pytest.param([Poller("gw")], 100, "gw", [], id="first try"),
    pytest.param([ArmError(BUSY), ArmError(BUSY), Poller("gw")], 100, "gw", [RETRY_SECONDS] * 2,
                 id="busy twice then done"),
    pytest.param([ArmError("InvalidRequestFormat")], 100, Refused, [], id="other refusal at once"),
    pytest.param([ArmError(BUSY)], RETRY_SECONDS - 1, Refused, [], id="busy with no time for another try"),
    pytest.param([ArmError(BUSY), ArmError(BUSY)], RETRY_SECONDS + 5, Refused, [RETRY_SECONDS],
                 id="busy until the deadline"),
    pytest.param([Poller(finished=False)], 100, Unfinished, [], id="not done at the deadline"),
]


@pytest.mark.parametrize("answers, deadline, expected, sleeps", CASES)
def test_run_operation(answers, deadline, expected, sleeps):
    clock = Clock()
    start, calls = starter(answers)
    if isinstance(expected, type):
        with pytest.raises(expected):
            run_operation(start, deadline, (ArmError,), clock=clock, sleep=clock.sleep)
    else:
        assert run_operation(start, deadline, (ArmError,), clock=clock, sleep=clock.sleep) == expected
    assert clock.sleeps == sleeps
    assert len(calls) == len(answers)


def test_refused_keeps_the_sdk_error():
    clock = Clock()
    start = starter([ArmError("Conflict")])[0]
    with pytest.raises(Refused) as caught:
        run_operation(start, 50, (ArmError,), clock=clock, sleep=clock.sleep)
    assert error_code(caught.value.error) == "Conflict"


def test_poller_waits_the_time_left():
    clock = Clock()
    poller = Poller()
    clock.now = 30
    run_operation(lambda: poller, 100, (ArmError,), clock=clock, sleep=clock.sleep)
    assert poller.timeouts == [70]


def test_exceptions_not_named_as_refusals_pass_through():
    def start():
        raise KeyError("bug")
    with pytest.raises(KeyError):
        run_operation(start, 100, (ArmError,))


@pytest.mark.parametrize("error, code", [(ArmError(BUSY), BUSY), (ValueError("x"), None)])
def test_error_code(error, code):
    assert error_code(error) == code

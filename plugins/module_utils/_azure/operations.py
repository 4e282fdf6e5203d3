# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Azure's long-running operations, run to the end within one deadline.

Azure runs one operation at a time on a gateway and its connections: a second PUT or DELETE
while one runs is answered ``AnotherOperationInProgress``. The lab's modules start one
operation, wait for its poller until the module's deadline, and start it again after
RETRY_SECONDS when Azure was busy. Any other refusal, or a busy answer with no time left for
another try, ends the run; so does a poller not done at the deadline."""

from __future__ import annotations

import time
from typing import Any, Callable, Optional

#: The error code Azure answers while another operation runs on the same gateway.
BUSY = "AnotherOperationInProgress"
#: Seconds between two tries of an operation Azure was too busy to start.
RETRY_SECONDS = 10


class Refused(Exception):
    """Azure refused the operation (``error`` is the SDK's exception)."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


class Unfinished(Exception):
    """The operation was still running at the deadline."""


def error_code(error: BaseException) -> Optional[str]:
    """The ARM error code of an SDK exception (``HttpResponseError.error.code``), or None."""
    return getattr(getattr(error, "error", None), "code", None)


def run_operation(start: Callable[[], Any], deadline: float, refusals: tuple = (Exception,),
                  clock: Callable[[], float] = time.monotonic,
                  sleep: Callable[[float], None] = time.sleep) -> Any:
    """Start an operation with ``start()`` (it returns a poller), wait for it until ``deadline``
    (a ``clock()`` value) and return its result.

    ``refusals`` are the exceptions that mean Azure answered no (``HttpResponseError``): a busy
    answer is tried again after RETRY_SECONDS while the deadline allows another try; any other
    raises Refused. Raises Unfinished when the poller is not done at the deadline."""
    while True:
        try:
            poller = start()
            result = poller.result(timeout=max(1, deadline - clock()))
        except refusals as exc:
            if error_code(exc) != BUSY or clock() + RETRY_SECONDS > deadline:
                raise Refused(exc) from exc
            sleep(RETRY_SECONDS)
            continue
        if not poller.done():
            raise Unfinished()
        return result

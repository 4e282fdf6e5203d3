# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a module's main() in this process, the way amazon.aws and community.docker test modules.

The arguments go in through ansible-core's own test hook (`patch_module_args`, ansible-core
>= 2.19), `exit_json`/`fail_json` raise instead of printing and exiting, and the result comes
back as the dict the controller would receive. What needs a real `ansible` CLI, a real server
or real processes is tested in tests/integration/.
"""

from __future__ import annotations

import json
import sys
import traceback

import pytest

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.testing import patch_module_args


class ModuleExit(Exception):
    """Raised by the patched exit_json/fail_json; carries the module's result."""

    def __init__(self, result):
        super().__init__(result)
        self.result = result


def _returned(result):
    # The real exit_json/fail_json send JSON: a result that cannot be serialised is a bug.
    return ModuleExit(json.loads(json.dumps(result)))


def exit_json(self, **kwargs):
    kwargs.setdefault("changed", False)
    raise _returned(kwargs)


def fail_json(self, msg, **kwargs):
    kwargs.update(failed=True, msg=str(msg))
    if sys.exc_info()[1] is not None and "exception" not in kwargs:
        # What ansible-core adds with error tracebacks enabled (-vvv, ANSIBLE_DISPLAY_TRACEBACK).
        kwargs["exception"] = traceback.format_exc()
    raise _returned(kwargs)


@pytest.fixture
def run_module(monkeypatch):
    """run_module(module, args, check_mode=False) -> the result dict (``failed`` set on failure).

    ``module`` is the imported module file (its main() is called); ``args`` are its options.
    """
    monkeypatch.setattr(AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(AnsibleModule, "fail_json", fail_json)

    def run(module, args, check_mode=False):
        args = dict(args, _ansible_check_mode=check_mode)
        with patch_module_args(args), pytest.raises(ModuleExit) as done:
            module.main()
        return done.value.result

    return run

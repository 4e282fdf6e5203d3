# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Property tests (hypothesis) are reproducible: a failure in CI is the same failure on a laptop.

Two settings profiles:

- ``ci``, the default: derandomized, so every run draws the same examples (each test's seed is
  derived from the test itself), with no example database (nothing a previous run on this machine
  saved changes what runs) and ``print_blob``: a failure prints ``@reproduce_failure(...)``,
  which replays exactly that example;
- ``explore``: new random examples on every run, for finding what the fixed ones miss. Its seed
  is chosen here (or given with ``--hypothesis-seed``) and printed in the header; the same
  ``--hypothesis-profile=explore --hypothesis-seed=<seed>`` replays the run.

The profile is ``--hypothesis-profile``, else ``$HYPOTHESIS_PROFILE``, else ``ci``. The header
says which, and the seed; with ``-q`` (``make unit``), which hides the header, the same line ends
the run when property tests ran.
"""

from __future__ import annotations

import os
import random

import pytest
from hypothesis import settings

DEFAULT_PROFILE = "ci"
# No deadline: tests assert behaviour, never time, and `make test` runs the unit tests beside
# the linters, so an example's duration says how busy the machine is, not what the code does.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True, deadline=None)
settings.register_profile("explore", derandomize=False, database=None, print_blob=True, deadline=None)
# Loaded at import as well: test modules may build their settings before pytest_configure.
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or DEFAULT_PROFILE)


def chosen_profile(config):
    return config.getoption("hypothesis_profile") or os.environ.get("HYPOTHESIS_PROFILE") or DEFAULT_PROFILE


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    # Before hypothesis' own plugin, which loads the profile and applies the seed it finds.
    config.option.hypothesis_profile = chosen_profile(config)
    settings.load_profile(config.option.hypothesis_profile)
    if config.getoption("hypothesis_seed") is None and not settings.default.derandomize:
        config.option.hypothesis_seed = str(random.SystemRandom().randrange(2 ** 32))


def header_line(profile, seed, derandomize):
    """What the run says about its examples, and how to run them again."""
    if seed is not None:
        return ("hypothesis: profile %s, seed %s (the same examples again: --hypothesis-profile=%s "
                "--hypothesis-seed=%s)" % (profile, seed, profile, seed))
    if derandomize:
        return ("hypothesis: profile %s, derandomized (seed derived from each test: the same "
                "examples on every run; a failure prints @reproduce_failure; new examples: "
                "--hypothesis-profile=explore)" % profile)
    return "hypothesis: profile %s, random seed per run, not reproducible" % profile


def pytest_report_header(config):
    return header_line(settings.get_current_profile_name(), config.getoption("hypothesis_seed"),
                       settings.default.derandomize)


def pytest_terminal_summary(terminalreporter, config):
    if config.option.verbose < 0 and any(
            "hypothesis" in report.keywords
            for reports in terminalreporter.stats.values() for report in reports
            if hasattr(report, "keywords")):
        terminalreporter.write_line(pytest_report_header(config))


@pytest.fixture
def tmp_path(tmp_path_factory):
    """A short temporary directory for every test: a local lab's state root must leave room for
    its gateways' Unix sockets (107 bytes, the plan refuses more), and pytest's own per-test
    paths are named after the test (up to 30 characters more)."""
    return tmp_path_factory.mktemp("t")

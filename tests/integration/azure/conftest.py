# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures for the tests on the Azure TEST DOUBLE (tests/azure_double), in a loopback-only
network namespace. They need azure.azcollection's Python requirements: `make cloud-deps`."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.azure_double.isolation import Isolated  # noqa: E402  pylint: disable=wrong-import-position

from playbooks import reset, sdk_clients  # noqa: E402  pylint: disable=wrong-import-position

if importlib.util.find_spec("azure.mgmt.network") is None:
    pytest.fail("the Azure SDK is not installed in this venv: run `make cloud-deps` "
                "(azure.azcollection's requirements, about 2 GB)", pytrace=False)


@pytest.fixture(scope="module")
def double(tmp_path_factory):
    """The double in its own namespace, fresh for each test module."""
    with Isolated(tmp_path_factory.mktemp("azure-double")) as iso:
        yield iso


@pytest.fixture
def fresh(double):
    """The module's double, emptied (resources and request log) before the test."""
    return reset(double)


@pytest.fixture
def clients(fresh):
    """SDK clients for the test body, which runs inside the double's namespace."""
    with sdk_clients(fresh) as made:
        yield made

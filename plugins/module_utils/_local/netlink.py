# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one place that imports pyroute2, so every module reports a missing pyroute2 alike."""

from __future__ import annotations

import traceback

__all__ = ["HAS_PYROUTE2", "PYROUTE2_IMPORT_ERROR", "IPRoute", "NetlinkError", "pr_netns"]

try:
    from pyroute2 import IPRoute, netns as pr_netns
    from pyroute2.netlink.exceptions import NetlinkError
    HAS_PYROUTE2 = True
    PYROUTE2_IMPORT_ERROR = None
except ImportError:
    IPRoute = pr_netns = None
    HAS_PYROUTE2 = False
    PYROUTE2_IMPORT_ERROR = traceback.format_exc()

    class NetlinkError(Exception):  # type: ignore[no-redef]  # pyroute2's, when it is missing
        """Stand-in so that `except NetlinkError` works without pyroute2."""

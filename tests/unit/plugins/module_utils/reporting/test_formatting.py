# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Numbers as the pages print them."""

from __future__ import annotations

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting import formatting


@pytest.mark.parametrize("function, value, text", [
    (formatting.fmt_ms, None, "n/a"), (formatting.fmt_ms, 0.0912, "0.09"), (formatting.fmt_ms, 1.024, "1.02"),
    (formatting.fmt_ms, 23.46, "23.5"), (formatting.fmt_ms, 120.4, "120"), (formatting.fmt_ms, "0.5", "0.50"),
    (formatting.fmt_ms, "x", "n/a"), (formatting.fmt_ms, True, "n/a"),
    (formatting.fmt_bytes, 0, "0 B"), (formatting.fmt_bytes, 812, "812 B"), (formatting.fmt_bytes, 29216, "29.2 kB"),
    (formatting.fmt_bytes, 1500000, "1.5 MB"), (formatting.fmt_bytes, 3.2e9, "3.2 GB"), (formatting.fmt_bytes, None, "n/a"),
    (formatting.fmt_pct, 0, "0%"), (formatting.fmt_pct, 10.0, "10%"), (formatting.fmt_pct, 12.5, "12.5%"),
    (formatting.fmt_pct, None, "n/a"),
    (formatting.fmt_mbps, 812.44, "812 Mbit/s"), (formatting.fmt_mbps, 12.34, "12.3 Mbit/s"),
    (formatting.fmt_mbps, None, "n/a"),
])
def test_formats(function, value, text):
    assert function(value) == text

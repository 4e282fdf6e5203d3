# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The heat map's colour scale and readable text on it.

Reports are real local labs' report.json (report_fixtures.py) and small changes of them."""

from __future__ import annotations

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting import colours

from report_fixtures import luminance


@pytest.mark.parametrize("value, low, high, share", [
    (1.0, 1.0, 100.0, 0.0), (100.0, 1.0, 100.0, 1.0), (10.0, 1.0, 100.0, 0.5),
    (0.5, 1.0, 100.0, 0.0), (500.0, 1.0, 100.0, 1.0), (None, 1.0, 100.0, 0.0),
    (5.0, 2.0, 2.0, 0.0),
])
def test_heat_share_is_logarithmic_and_clamped(value, low, high, share):
    assert colours.heat_share(value, low, high) == pytest.approx(share)


def test_heat_colours_darken_with_the_rtt_and_text_stays_readable():
    ramp = [colours.heat_colour(i / 10) for i in range(11)]
    assert ramp[0] == colours.HEAT_STOPS[0] and ramp[-1] == colours.HEAT_STOPS[-1]
    assert all(luminance(a) > luminance(b) for a, b in zip(ramp, ramp[1:]))
    assert colours.text_colour(ramp[0]) == "#000000"
    assert colours.text_colour(ramp[-1]) == "#ffffff"

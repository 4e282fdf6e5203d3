# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The colours the pages compute: the RTT heat map's ramp and fills, and which text colour reads
on a fill. (The page's fixed palette is CSS in the role's report.html.j2.)"""

from __future__ import annotations

import math
from typing import Optional


# Sequential colour ramp (light = fast, dark = slow), from ColorBrewer's YlOrRd.
HEAT_STOPS = ("#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c",
              "#b10026")
# A heat map cell that is no measurement: the VM to itself, a path all lost (or an error), a
# path not measured; and the legend's swatch of a path with some loss (the page frames it red).
SELF_FILL, LOST_FILL, MISSING_FILL, LOSS_FILL = "#eeeeee", "#333333", "#f4f4f4", "#ffffff"


def _rgb(colour):
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def _mix(left, right, share):
    a, b = _rgb(left), _rgb(right)
    return "#%02x%02x%02x" % tuple(round(x + (y - x) * share) for x, y in zip(a, b))


def heat_share(value: Optional[float], low: Optional[float], high: Optional[float]) -> float:
    """Where ``value`` sits between low and high on a log scale, 0..1."""
    if value is None or low is None or high is None or high <= low:
        return 0.0
    value = min(max(value, low), high)
    return (math.log(value) - math.log(low)) / (math.log(high) - math.log(low))


def heat_colour(share: float) -> str:
    """The ramp's colour at ``share`` (0..1)."""
    share = min(max(share, 0.0), 1.0) * (len(HEAT_STOPS) - 1)
    index = min(int(share), len(HEAT_STOPS) - 2)
    return _mix(HEAT_STOPS[index], HEAT_STOPS[index + 1], share - index)


def text_colour(background: str) -> str:
    """Black or white, whichever reads better on ``background``."""
    red, green, blue = _rgb(background)
    return "#000000" if 0.299 * red + 0.587 * green + 0.114 * blue > 140 else "#ffffff"

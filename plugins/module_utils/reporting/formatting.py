# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Numbers and values as the report pages print them: milliseconds, bytes, percentages, rates,
"n/a" for what a report does not hold; and the rounding that keeps coordinates short."""

from __future__ import annotations

from typing import Any, Optional


def number(value: Any) -> Optional[float]:
    """A float from a JSON value, None when there is none."""
    try:
        return None if value in (None, "") or isinstance(value, bool) else float(value)
    except (TypeError, ValueError):
        return None


def text_or_none(value: Any) -> Optional[str]:
    """A value as text, None for none or an empty string."""
    return None if value in (None, "") else str(value)


def fmt_ms(value: Any) -> str:
    """Milliseconds with three significant digits or so: 0.09, 1.02, 23.5, 120."""
    value = number(value)
    if value is None:
        return "n/a"
    if value < 10:
        return "%.2f" % value
    return "%.1f" % value if value < 100 else "%d" % round(value)


def fmt_bytes(value: Any) -> str:
    """Bytes in SI units: 812 B, 29.2 kB, 1.5 MB."""
    value = number(value)
    if value is None:
        return "n/a"
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if abs(value) >= size:
            return "%.1f %s" % (value / size, unit)
    return "%d B" % value


def fmt_pct(value: Any) -> str:
    """A percentage: 10%, 12.5%."""
    value = number(value)
    if value is None:
        return "n/a"
    return "%d%%" % value if value == int(value) else "%.1f%%" % value


def fmt_mbps(value: Any) -> str:
    """A rate: 812 Mbit/s, 12.3 Mbit/s."""
    value = number(value)
    if value is None:
        return "n/a"
    return "%.0f Mbit/s" % value if value >= 100 else "%.1f Mbit/s" % value


def plain(value: Any) -> str:
    """A table cell: floats short, lists and dicts joined, n/a for none."""
    if isinstance(value, float):
        return "%g" % value
    if isinstance(value, (list, tuple)):
        return ", ".join(plain(v) for v in value)
    if isinstance(value, dict):
        return ", ".join("%s %s" % (k, plain(v)) for k, v in sorted(value.items()))
    return "n/a" if value is None else str(value)


def rounded(value: Any) -> Any:
    """Coordinates to 0.1 px, so the page stays small and the same report renders the same."""
    if isinstance(value, float):
        return round(value, 1)
    if isinstance(value, dict):
        return {key: rounded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [rounded(item) for item in value]
    return value

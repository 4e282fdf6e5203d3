# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cloud lab's cost per hour, an estimate summed from each cloud's dated price table
(``_aws.cost``, ``_azure.cost``), and how it is shown before a build asks for consent.

Pure: ``estimate`` takes each cloud's rows ``(item, count, USD per hour each or None)``; a row
without a recorded price is listed as not priced, so the total is then a lower bound and says so.
A cloud that is emulated (moto, the Azure test double, the rehearsal) costs nothing and is left out.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional, Tuple

# A price table's row: (item, count, USD per hour each, or None when not priced).
CostRow = Tuple[str, int, Optional[float]]


def estimate(rows_by_cloud: Mapping[str, Iterable[CostRow]], as_of: str) -> dict[str, Any]:
    """``{rows, usd_per_hour, usd_per_day, unpriced, as_of, text}`` for ``{cloud: rows}``."""
    rows, unpriced, total = [], [], 0.0
    for cloud in sorted(rows_by_cloud):
        for item, count, each in rows_by_cloud[cloud]:
            if not count:
                continue
            row = {"cloud": cloud, "item": item, "count": count, "usd_per_hour_each": each,
                   "usd_per_hour": None if each is None else round(each * count, 4)}
            rows.append(row)
            if each is None:
                unpriced.append("%s: %s" % (cloud, item))
            else:
                total += each * count
    result = {"rows": rows, "usd_per_hour": round(total, 3), "usd_per_day": round(total * 24, 2),
              "unpriced": unpriced, "as_of": as_of}
    result["text"] = describe(result)
    return result


def describe(result: Mapping[str, Any]) -> list[str]:
    """The estimate as the lines a user reads before saying yes."""
    if not result["rows"]:
        return ["Estimated cost: nothing, every cloud of this run is emulated."]
    lines = ["Estimated cost of this lab while it exists (list prices of %s, USD, an estimate, "
             "not a quote; data transfer not included):" % result["as_of"]]
    for row in result["rows"]:
        price = "not priced" if row["usd_per_hour"] is None else "%.4f/h" % row["usd_per_hour"]
        lines.append("  %-5s %2d x %-40s %s" % (row["cloud"], row["count"], row["item"], price))
    bound = "at least " if result["unpriced"] else ""
    lines.append("  total: %sUSD %.3f per hour, about USD %.2f per day, until the teardown"
                 % (bound, result["usd_per_hour"], result["usd_per_day"]))
    if result["unpriced"]:
        lines.append("  not priced here (see the cloud's pricing page): " + ", ".join(result["unpriced"]))
    return lines

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reports the view's tests draw: real local labs' report.json (fixtures/report_local_3vms.json,
_12vms.json), small changes of them, and a colour's luminance to compare fills."""

from __future__ import annotations

import copy
import json
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
LAB3 = json.loads((FIXTURES / "report_local_3vms.json").read_text())
LAB12 = json.loads((FIXTURES / "report_local_12vms.json").read_text())


def lab3(**changes):
    report = copy.deepcopy(LAB3)
    report.update(changes)
    return report


def luminance(colour):
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.299 * red + 0.587 * green + 0.114 * blue

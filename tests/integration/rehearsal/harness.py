# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One driver run (driver.py) for a test module: its result with the host's view before and
after, and the steps by name."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from rehearsal import isolation  # pylint: disable=import-error

ROOT = Path(__file__).resolve().parents[3]
DRIVER = Path(__file__).resolve().parent / "driver.py"


def drive(work, kind):
    before = isolation.host_view()
    proc = subprocess.run([sys.executable, str(DRIVER), str(work), kind], cwd=ROOT, capture_output=True,
                          text=True, timeout=3600, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    result = json.loads((Path(work) / "result.json").read_text())
    result["host_before"], result["host_after"] = before, isolation.host_view()
    result["steps"] = {s["name"]: s for s in result["steps"]}
    result["work"] = str(work)
    return result

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Screenshot of a lab's report.html down to its detail tables, as docs/report.png shows it.

    .venv/bin/python scripts/report_screenshot.py ~/.vpnlab/vpntest/report.html docs/report.png

Uses Debian's chromium through Playwright's Python client (requirements-test.txt), as the
browser test does; the page is opened from file:// and fetches nothing.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def main(page, png):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        tab = browser.new_page(viewport={"width": 1200, "height": 900})
        tab.goto(Path(page).resolve().as_uri(), wait_until="load")
        bottom = tab.eval_on_selector("#details", "e => e.getBoundingClientRect().top + window.scrollY")
        tab.screenshot(path=png, full_page=True, clip={"x": 0, "y": 0, "width": 1200, "height": bottom - 4})
        browser.close()


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(*sys.argv[1:])

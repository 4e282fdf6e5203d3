# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""report.html and report.md as the connectivity_check role renders them (the lab_report
action's render_pages with the role's templates), from real local labs' reports and faulty variants of them; then the
page in headless Chromium: no console error, nothing fetched, every chart drawn, a screenshot.

Chromium is Debian's `chromium` package (bindep.txt); it is driven by Playwright's Python
client with that executable (Playwright's own browser downloads are never used). Without
Chromium the browser tests fail, they do not skip: CI installs it.
"""

from __future__ import annotations

import json
import os
import re
import shutil

import pytest

from ansible_collections.multicloud.vpnlab.plugins.action.lab_report import render_pages
from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting.model import build_report
from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting.files import write_files
from ansible_collections.multicloud.vpnlab.plugins.module_utils._aws.tunnels import normalise_vpn_connection
from ansible_run import ROOT
from report_samples import FIXTURES, PLAN, SAMPLES, real, sample

OUTPUT = ROOT / "tests" / "output"
TEMPLATES = ROOT / "roles" / "connectivity_check" / "templates"
CHROMIUM = os.environ.get("VPNLAB_CHROMIUM", "/usr/bin/chromium")
# Flags that keep a headless Chromium quiet and local when run as root in a container.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
CHARTS = ("topology", "heatmap", "pairs-chart", "counters-chart")


def psk_report():
    """A report built as the check builds it, from tunnel records that still carry the PSKs."""
    vpn = json.loads((FIXTURES / "vpn_connection_camel.json").read_text())
    tunnels = normalise_vpn_connection(vpn)
    psks = [t["pre_shared_key"] for t in tunnels]
    assert all(psks), "the fixture must carry PSKs for this test to mean anything"
    records = [dict(t, name="tunnel%d" % (i + 1), outside_ip=t["outside_ip_address"], status="up",
                    bytes_in=100 * i, bytes_out=100 * i, source="test", detail="established")
               for i, t in enumerate(tunnels)]
    lab = real()
    evidence = {"before": records, "mid": records, "after": records}
    report = build_report("psk", "local", lab["vms"], evidence, lab["measurements"],
                          mtu_checks=lab["mtu_checks"])
    return report, psks


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """{sample name: directory with report.html and report.md}, rendered by the lab_report
    action's own code with the role's templates (the check runs the same in its one step)."""
    root = tmp_path_factory.mktemp("pages")
    reports = {name: sample(name) for name in SAMPLES}
    reports["psk"], _psks = psk_report()
    templates = {page: str(TEMPLATES / (page + ".j2")) for page in ("report.html", "report.md")}
    network = {"azure_vnet_cidr": PLAN["azure"]["vnet_cidr"], "aws_vpc_cidr": PLAN["aws"]["vpc_cidr"],
               "azure_gateway_ip": PLAN["local"]["public_ips"]["azure_gateway"],
               "tcp_mss": PLAN["crypto"]["tcp_mss"]}
    for name, report in reports.items():
        write_files(str(root / name), render_pages(report, templates, network))
    return {name: root / name for name in reports}


def page(rendered, name):
    return (rendered[name] / "report.html").read_text()


def markdown(rendered, name):
    return (rendered[name] / "report.md").read_text()


# --- the templates, rendered by the action ---------------------------------------------------------

@pytest.mark.parametrize("name", sorted(SAMPLES) + ["psk"])
def test_page_is_one_self_contained_file(rendered, name):
    html = page(rendered, name)
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    for fetch in ("http:", "https:", "//", "src=", "<link", "<script", "@import", "<iframe"):
        assert fetch not in html, fetch
    # The only url() is the heat map's own gradient.
    assert set(re.findall(r"url\(([^)]*)\)", html)) <= {"#heat-ramp"}


BANNERS = [("healthy", "pass"), ("twelve", "pass"), ("degraded", "degraded"), ("failing", "fail"),
           ("skipped", "degraded"), ("minimal", "fail")]


@pytest.mark.parametrize("name, level", BANNERS)
def test_banner_and_markdown_title_say_the_level(rendered, name, level):
    assert '<header class="banner %s" id="verdict">' % level in page(rendered, name)
    assert markdown(rendered, name).startswith("# VPN lab %s (local): %s\n" % (
        sample(name)["lab"], level.upper()))


def test_banner_names_the_first_causes(rendered):
    html = page(rendered, "failing")
    banner = html.split('id="verdict">')[1].split("</header>")[0]
    causes = re.findall(r"<li>(.*?)</li>", banner)
    assert causes == [
        "private path vm1-&gt;vm3: lost 10/10 and the ESP counters did not move<span class=\"cause\">"
        "likely cause: traffic is not entering the tunnel (check the route to 10.2.0.0/16 on the "
        "Azure side)</span>",
        "private path vm2-&gt;vm3: lost 10/10 twice",
        "warning: vm1 -&gt; vm2 public: 1 of 10 lost once, not repeated"]
    text = markdown(rendered, "failing")
    assert ("- private path vm1->vm3: lost 10/10 and the ESP counters did not move (likely cause: "
            "traffic is not entering the tunnel") in text
    degraded = page(rendered, "degraded")
    assert re.search(r'<p class="summary">tunnel\d \(203\.0\.113\.\d+\) down, redundancy lost: '
                     r'tunnel\d carries all traffic', degraded)


def test_topology_shows_each_tunnel_state(rendered):
    healthy, degraded = page(rendered, "healthy"), page(rendered, "degraded")
    assert len(re.findall(r'<line class="tunnel up', healthy)) == 2
    assert len(re.findall(r'<line class="tunnel down"', degraded)) == 1
    assert len(re.findall(r'<line class="tunnel up"', degraded)) == 1  # the survivor carries it
    assert "IKE not established, no answer from 203.0.113.11" in degraded
    assert re.search(r"tunnel2 to 203\.0\.113\.11: \*\*DOWN\*\*", markdown(rendered, "degraded"))
    skipped = page(rendered, "skipped")
    assert len(re.findall(r'<line class="tunnel unknown"', skipped)) == 2
    assert "The VMs were not probed: emulated cloud." in skipped


def test_heat_map_has_a_cell_per_ordered_pair_and_path(rendered):
    for name, vms in (("healthy", 3), ("twelve", 12)):
        assert page(rendered, name).count('<rect class="cell ') == 2 * vms * vms
    failing = page(rendered, "failing")
    assert failing.count('<rect class="cell lost"') == 2  # vm1 and vm2 -> vm3, private


def test_markdown_has_the_same_tables(rendered):
    text = markdown(rendered, "healthy")
    lab = real()
    ping = {(m["src"], m["dst"], m["path"]): m for m in lab["measurements"] if m["tool"] == "ping"}
    row = "| vm1 | - | %.2f / %.2f | %.2f / %.2f |" % (
        ping["vm1", "vm2", "private"]["rtt_avg_ms"], ping["vm1", "vm2", "public"]["rtt_avg_ms"],
        ping["vm1", "vm3", "private"]["rtt_avg_ms"], ping["vm1", "vm3", "public"]["rtt_avg_ms"])
    assert row in text
    assert "| vm3 | aws | 10.2.1.10 | 203.0.113.12 |" in text
    assert "- vm1 -> vm3 (10.2.1.10): 10.1.1.1 " in text
    assert "Throughput not measured in this check." in markdown(rendered, "twelve")
    degraded = markdown(rendered, "degraded")
    through = sample("degraded")["throughput"][0]
    assert "| vm1 | vm3 | private | %.1f | %d | 3 s |  |" % (through["mbps"], through["retransmits"]) in degraded
    assert "- outage s: 8.4" in degraded


def test_big_lab_draws_the_worst_pairs_only(rendered):
    html = page(rendered, "twelve")
    assert "The 24 worst pairs are drawn; 108 more, all in the tables below." in html


def test_markup_in_the_report_is_shown_as_text(rendered):
    html = page(rendered, "hostile")
    assert "<q>" not in html
    assert html.count("&lt;q&gt;x&amp;y") >= 8  # lab, VM, hop, tunnel, detail, warning, note, ...


def test_no_psk_in_the_pages(rendered):
    _report, psks = psk_report()
    for name in ("report.html", "report.md"):
        text = (rendered["psk"] / name).read_text()
        assert "tunnel1" in text  # the tunnels are there, their keys are not
        for psk in psks:
            assert psk not in text, name


# --- the page in a real browser -----------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.fail("%s not found: install Debian's chromium (apt-get install chromium; "
                    "bindep.txt lists it for tests)" % CHROMIUM)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the playwright package is missing: pip install -r requirements-test.txt")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def open_page(browser, path):
    """The page at ``path`` with what went wrong: console errors, page errors, fetches."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    tab = context.new_page()
    trouble = []
    tab.on("console", lambda msg: trouble.append("console %s: %s" % (msg.type, msg.text))
           if msg.type in ("error", "warning") else None)
    tab.on("pageerror", lambda exc: trouble.append("page error: %s" % exc))

    def only_the_file(route):
        if route.request.url != path.as_uri():
            trouble.append("fetched %s" % route.request.url)
            return route.abort()
        return route.continue_()
    tab.route("**/*", only_the_file)
    tab.goto(path.as_uri(), wait_until="load")
    return context, tab, trouble


def boxes(tab, selector):
    return tab.eval_on_selector_all(selector, "els => els.map(e => { const b = e.getBoundingClientRect();"
                                              " return [b.width, b.height]; })")


BROWSER_CASES = [
    # sample, charts that must be drawn, tunnel lines, heat-map cells
    ("healthy", CHARTS + ("mtu-chart",), 2, 18),
    ("twelve", CHARTS + ("mtu-chart",), 2, 288),
    ("degraded", CHARTS + ("mtu-chart", "throughput-chart"), 2, 18),
    ("failing", CHARTS + ("mtu-chart",), 2, 18),
    ("skipped", CHARTS, 2, 18),
]


@pytest.mark.parametrize("name, charts, tunnels, cells", BROWSER_CASES,
                         ids=[case[0] for case in BROWSER_CASES])
def test_page_renders_in_chromium(browser, rendered, name, charts, tunnels, cells):
    context, tab, trouble = open_page(browser, rendered[name] / "report.html")
    try:
        for chart in charts:
            sizes = boxes(tab, "svg#%s" % chart)
            assert len(sizes) == 1 and sizes[0][0] > 100 and sizes[0][1] > 40, (chart, sizes)
            drawn = boxes(tab, ", ".join("svg#%s %s" % (chart, kind) for kind in ("rect", "text")))
            assert sum(1 for w, h in drawn if w > 0 and h > 0) >= 3, chart
        assert len(boxes(tab, "svg#topology line.tunnel")) == tunnels
        assert sum(1 for w, h in boxes(tab, "svg#heatmap rect.cell") if w > 5 and h > 5) == cells
        banner = tab.inner_text("#verdict")
        assert banner.split()[0] in ("PASS", "DEGRADED", "FAIL")
        OUTPUT.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(OUTPUT / ("report-%s.png" % name)), full_page=True)
        assert trouble == []
    finally:
        context.close()

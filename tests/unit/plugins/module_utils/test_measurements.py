# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The measurement registry: its entries, tracepath's parser against captured output
(fixtures/README.md says how each was made), and the static files that must agree with it
(bindep.txt, the role's argument spec, the probe module's documentation, the role YAML that
reads the plan instead of listing tools)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from ansible_collections.multicloud.vpnlab.plugins.module_utils import measurements, probe
from ansible_collections.multicloud.vpnlab.plugins.module_utils.measurements import (
    BY_NAME, DEFAULT_TOOLS, KINDS, PROBE_TOOLS, REGISTRY, Settings, parse_tracepath, plan_check,
)
from ansible_collections.multicloud.vpnlab.plugins.module_utils.probe import ProbeParseError
from ansible_collections.multicloud.vpnlab.plugins.modules import probe as probe_module

ROOT = Path(__file__).resolve().parents[4]
FIXTURES = Path(__file__).parent / "fixtures"
TRACEPATH = BY_NAME["tracepath"]


def sample(name):
    return (FIXTURES / name).read_text()


# --- the entries --------------------------------------------------------------------------

@pytest.mark.parametrize("entry", REGISTRY, ids=lambda entry: entry.name)
def test_every_entry_is_complete(entry):
    assert entry.kind in KINDS
    assert entry.required_path.startswith("/") and entry.required_path.endswith("/" + entry.executable)
    assert entry.debian_package and entry.cloud_package and entry.label
    assert re.fullmatch(r"#[0-9a-f]{6}", entry.colour)
    assert set(entry.paths) <= {"private", "public"} and entry.good_returncodes
    assert entry.argv("10.2.1.10", Settings(packet_size=1400, port=5201))[0] == entry.executable
    assert entry.seconds(Settings()) >= 0


def test_names_orders_and_colours_are_unique():
    assert len(BY_NAME) == len(REGISTRY)
    assert len({entry.view_order for entry in REGISTRY}) == len(REGISTRY)
    assert len({entry.colour for entry in REGISTRY}) == len(REGISTRY)


@pytest.mark.parametrize("name, expected", [
    ("PROBE_TOOLS", ("mtr", "ping", "tracepath")),
    ("LOSS_TOOLS", ("mtr", "ping")),
    # tracepath is opt-in: a silent hop costs it TRACEPATH_SILENT_HOP_S, the default check stays as fast.
    ("DEFAULT_TOOLS", ("mtr", "ping")),
])
def test_tool_lists(name, expected):
    assert getattr(measurements, name) == expected


def test_the_view_gets_label_colour_and_order():
    view = measurements.view()
    assert set(view) == set(BY_NAME)
    assert view["ping"] == {"label": "ping", "colour": "#2ca02c", "order": 0, "kind": "loss"}
    # ping's plain echo RTT before mtr's (the report's matrix prefers it), as report_view did.
    assert measurements.view_order()[:2] == ["ping", "mtr"]


def test_unknown_tools_are_named():
    with pytest.raises(ValueError, match="unknown measurement tool 'traceroute', expected one of mtr, ping"):
        measurements.tool("traceroute")


def test_the_plan_publishes_what_the_roles_read():
    assert plan_check() == {
        "iperf3_ports": {"private": 5201, "public": 5202},
        "tools": ["mtr", "ping"],
        "tool_choices": ["mtr", "ping", "tracepath"],
        "loss_tools": ["mtr", "ping"],
        "packages": ["mtr-tiny", "iputils-ping", "iputils-tracepath", "iperf3"],
        "debian_packages": ["mtr-tiny", "iputils-ping", "iputils-tracepath", "iperf3"],
        # tracepath is opt-in: the local host need not have it (iperf3, on by default, it must).
        "required_paths": ["/usr/bin/mtr", "/usr/bin/ping", "/usr/bin/iperf3"],
    }


@pytest.mark.parametrize("name", ["TOOLS", "PATHS", "IPERF3_PORT", "IPERF3_PORTS", "IPERF3_PRIVATE_PORT",
                                  "IPERF3_PUBLIC_PORT", "PACKAGES"])
def test_probe_keeps_no_copy_of_the_registrys_facts(name):
    """The tool list, the paths and the iperf3 ports live in the registry only: probe.py (the
    command builders and parsers) neither defines nor forwards them."""
    assert not hasattr(probe, name)


SUMMARY_CASES = [
    ("ping", {"sent": 10, "received": 10, "loss_pct": 0.0, "rtt_avg_ms": 1.3, "error": None},
     "ping: 10 of 10 received, 0.0 % lost, avg 1.3 ms"),
    ("mtr", {"sent": 10, "received": 0, "loss_pct": 100.0, "rtt_avg_ms": None, "error": None},
     "mtr: 0 of 10 received, 100.0 % lost"),
    ("ping", {"error": "ping timed out and was killed"}, "ping: ping timed out and was killed"),
    ("tracepath", {"reached": True, "hop_count": 4, "hops": [{}] * 4, "pmtu": 1400, "error": None},
     "tracepath: reached in 4 hops, path MTU 1400"),
    ("tracepath", {"reached": False, "icmp_error": "!N", "hops": [{}], "pmtu": 1500, "error": None},
     "tracepath: unreachable (!N), path MTU 1500"),
    ("tracepath", {"reached": False, "icmp_error": None, "hops": [{}] * 3, "pmtu": 1500, "error": None},
     "tracepath: not reached in 3 hops, path MTU 1500"),
    ("pmtu", {"size": 1400, "largest": 1400, "error": None},
     "path MTU (DF ping): largest DF packet 1400 bytes (needs 1400)"),
    ("pmtu", {"size": 1400, "largest": None, "error": None}, "path MTU (DF ping): no DF packet passed (needs 1400 bytes)"),
    ("iperf3", {"mbps": 612.3, "retransmits": 12, "error": None}, "iperf3 (TCP throughput): 612.3 Mbit/s, 12 retransmits"),
]


@pytest.mark.parametrize("tool, result, text", SUMMARY_CASES)
def test_summary(tool, result, text):
    assert measurements.summary(tool, result) == text


# --- tracepath ----------------------------------------------------------------------------

@pytest.mark.parametrize("settings, argv", [
    (Settings(), ["tracepath", "-n", "-m", "10", "10.2.1.10"]),
    (Settings(max_hops=3), ["tracepath", "-n", "-m", "3", "10.2.1.10"]),
])
def test_tracepath_argv(settings, argv):
    assert TRACEPATH.argv("10.2.1.10", settings) == argv


@pytest.mark.parametrize("dst, hops, message", [
    ("-m1", 10, "not an IP address"),
    ("10.2.1.10; reboot", 10, "not an IP address"),
    ("10.2.1.10", 0, "hops must be 1-255"),
    ("10.2.1.10", 256, "hops must be 1-255"),
])
def test_tracepath_argv_refuses(dst, hops, message):
    with pytest.raises(ValueError, match=message):
        TRACEPATH.argv(dst, Settings(max_hops=hops))


def hop(number, host=None, rtt=None, pmtu=None, icmp=None):
    return {"hop": number, "host": host, "rtt_ms": rtt, "pmtu": pmtu, "icmp_error": icmp, "asymm": None}


TRACEPATH_CASES = [
    # fixture, expected fields
    ("tracepath_reached.txt",
     dict(reached=True, hop_count=1, back=1, pmtu=1500, too_many_hops=False, icmp_error=None,
          hops=[hop(1, "10.254.0.2", 0.015)])),
    ("tracepath_reached_loopback_addr.txt",
     dict(reached=True, hop_count=1, back=1, pmtu=1500, hops=[hop(1, "10.254.7.1", 0.067)])),
    ("tracepath_unreach.txt",
     dict(reached=False, hop_count=None, pmtu=1500, too_many_hops=False, icmp_error="!N",
          hops=[hop(1, "10.254.0.2", 0.012, icmp="!N")])),
    ("tracepath_noreply.txt",
     dict(reached=False, hop_count=None, pmtu=1500, too_many_hops=True, icmp_error=None,
          hops=[hop(1), hop(2), hop(3)])),
    ("tracepath_toomany.txt", dict(reached=False, too_many_hops=True, pmtu=1500, hops=[hop(1)])),
    # A local lab: vm1 to vm3's private address, through both gateways and the tunnel.
    ("tracepath_lab_private.txt",
     dict(reached=True, hop_count=5, back=5, pmtu=1400, too_many_hops=False,
          hops=[hop(1, "10.1.1.1", 0.104), hop(2, "10.1.0.4", 0.137), hop(3, "10.2.255.254", 0.641),
                hop(4, "10.2.255.253", 0.538), hop(5, "10.2.1.10", 0.452)])),
    # ... and to its public address: the edge answers with that address, the VM's security rules
    # drop tracepath's UDP, so it is never "reached" (and each silent hop costs seconds).
    ("tracepath_lab_public.txt",
     dict(reached=False, hop_count=None, pmtu=1500, too_many_hops=True,
          hops=[hop(1, "10.1.1.1", 0.11), hop(2, "198.51.100.1", 0.074), hop(3, "203.0.113.12", 0.074), hop(4)])),
    # A router with a smaller MTU says so (pmtu 1300 at hop 2); the Resume line settles on it.
    ("tracepath_pmtu.txt",
     dict(reached=False, pmtu=1300, too_many_hops=False, icmp_error="!H",
          hops=[hop(1, "10.254.0.2", 0.012), hop(2, "10.254.0.2", 0.111, pmtu=1300, icmp="!H")])),
]


@pytest.mark.parametrize("fixture, expected", TRACEPATH_CASES)
def test_parse_tracepath(fixture, expected):
    result = parse_tracepath(sample(fixture), "10.254.0.2", Settings())
    assert {key: result[key] for key in expected} == expected


@pytest.mark.parametrize("text, expected", [
    # No Resume line (killed), the hops' own pmtu is the answer; asymm is kept.
    (" 1?: [LOCALHOST]   pmtu 1500\n 1:  10.0.0.1   0.5ms asymm  2\n 2:  10.0.0.9   1.2ms pmtu 1400\n",
     dict(pmtu=1400, reached=False, hops=[dict(hop(1, "10.0.0.1", 0.5), asymm=2), hop(2, "10.0.0.9", 1.2, pmtu=1400)])),
    # Only the local line: the interface's MTU.
    (" 1?: [LOCALHOST]   pmtu 9001\n", dict(pmtu=9001, hops=[])),
    # IPv4 loopback (real, no local line: the first probe was answered at once).
    (" 1:  127.0.0.2                                             0.106ms reached\n"
     "     Resume: pmtu 65535 hops 1 back 1 \n",
     dict(pmtu=65535, reached=True, hop_count=1, back=1, hops=[hop(1, "127.0.0.2", 0.106)])),
    # IPv6 loopback as iputils prints it (the local line carries a time).
    (" 1?: [LOCALHOST]                        0.177ms pmtu 65536\n 1:  ::1      0.365ms reached\n"
     "     Resume: pmtu 65536 hops 1 back 1 \n", dict(pmtu=65536, reached=True, hop_count=1)),
])
def test_parse_tracepath_partial_output(text, expected):
    result = parse_tracepath(text, "10.0.0.9", Settings())
    assert {key: result[key] for key in expected} == expected


@pytest.mark.parametrize("text", ["", "garbage\n", "tracepath: 10.0.0.1: Name or service not known\n"])
def test_parse_tracepath_garbage(text):
    with pytest.raises(ProbeParseError, match="not tracepath output"):
        parse_tracepath(text, "10.0.0.1", Settings())


@pytest.mark.parametrize("rc, stdout, stderr, error", [
    (0, sample("tracepath_reached.txt"), "", None),
    (1, "", "tracepath: socket: Operation not permitted\n", "tracepath exited with 1: tracepath: socket: Operation not permitted"),
    (0, "garbage", "", "tracepath: not tracepath output: 'garbage'"),
])
def test_tracepath_interpret(rc, stdout, stderr, error):
    result = TRACEPATH.interpret("10.254.0.2", Settings(), rc, stdout, stderr)
    assert result["error"] == error
    assert set(result) == {"reached", "hop_count", "back", "pmtu", "too_many_hops", "icmp_error", "hops", "error"}
    if error:
        assert result["reached"] is False and result["hops"] == []


# --- the static files agree with the registry -----------------------------------------------

def bindep_lab_dpkg():
    """The Debian packages of bindep.txt's `make lab` profiles (a line without a profile is in
    every profile)."""
    packages = []
    for line in (ROOT / "bindep.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, dummy, rest = line.partition(" ")
        tokens = rest.strip().strip("[]").split()
        profiles = [t for t in tokens if not t.startswith("platform:")]
        if "platform:rpm" in tokens or (profiles and not {"make", "lab"} & set(profiles)):
            continue
        packages.append(name)
    return packages


def test_bindep_has_every_tools_debian_package():
    missing = sorted({entry.debian_package for entry in REGISTRY} - set(bindep_lab_dpkg()))
    assert not missing, "bindep.txt's lab profile lacks %s (add '<package> [platform:dpkg lab]')" % ", ".join(missing)


def test_the_roles_argument_spec_offers_the_registrys_tools():
    spec = yaml.safe_load((ROOT / "roles/connectivity_check/meta/argument_specs.yml").read_text())
    option = spec["argument_specs"]["main"]["options"]["connectivity_check_tools"]
    assert option["choices"] == list(PROBE_TOOLS), "choices must be %s" % list(PROBE_TOOLS)
    assert option["default"] == list(DEFAULT_TOOLS), "default must be %s" % list(DEFAULT_TOOLS)


def test_the_probe_modules_documentation_offers_the_registrys_tools():
    doc = yaml.safe_load(probe_module.DOCUMENTATION)["options"]
    assert doc["tools"]["choices"] == list(PROBE_TOOLS)
    assert doc["tools"]["default"] == list(DEFAULT_TOOLS)
    assert doc["throughput_port"]["default"] == measurements.IPERF3_PORTS["private"]


@pytest.mark.parametrize("path, variable, reads", [
    ("roles/connectivity_check/defaults/main.yml", "connectivity_check_tools", "vpnlab_plan.check.tools"),
    ("roles/lab_host/vars/main.yml", "lab_host_required_paths", "vpnlab_plan.check.required_paths"),
    ("roles/test_vms/defaults/main.yml", "test_vms_aws_user_data", "vpnlab_plan.check.packages"),
    ("roles/test_vms/defaults/main.yml", "test_vms_azure_custom_data", "vpnlab_plan.check.packages"),
])
def test_role_yaml_reads_the_plan_not_a_copy(path, variable, reads):
    data = yaml.safe_load((ROOT / path).read_text())
    assert reads in data[variable]
    names = {entry.name for entry in REGISTRY} | {entry.debian_package for entry in REGISTRY}
    for value in [v for v in data.values() if isinstance(v, (list, str))]:
        for item in value if isinstance(value, list) else [value]:
            assert str(item).rsplit("/", 1)[-1] not in names, "%s lists %s: read it from the plan" % (path, item)

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection as users get it: the built tarball (no caches, no screenshot; the license,
filter docs and changelog in), the execution environment's build context, requirements with
ranges and exact versions apart, bindep.txt for Debian and RPM platforms, a first release
without breaking changes."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import yaml

from ansible_collections.multicloud.vpnlab.plugins.module_utils.bindep import packages as parse_bindep

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
FILTER_MODULES = ("lab", "report", "cloud_rules", "cloud_glue", "vms_file")
# Left in a working checkout by pytest, hypothesis, ansible-lint, molecule, pip and the Makefile.
PLANTED = [".hypothesis/examples/x", ".ansible/collections/x", ".cache/pip/x", ".pytest_cache/v/x",
           "tests/output/junit.xml", "build/docs/index.html", ".venv/bin/python3", "context/Containerfile",
           "plugins/filter/__pycache__/lab.cpython-311.pyc", "roles/plan/.ansible/x",
           "tests/unit/.hypothesis/x", "extensions/molecule/local/.cache/x", "plugins/modules/x.pyc"]
CACHE_PARTS = {".hypothesis", ".ansible", ".cache", ".pytest_cache", "__pycache__", ".venv", "build", "context", ".git"}


def tool(name):
    path = BIN / name
    if not path.exists():
        pytest.fail("%s is missing from the venv: pip install -r requirements-test.txt" % name)
    return str(path)


def filter_names():
    names = []
    for module in FILTER_MODULES:
        spec = importlib.util.find_spec("ansible_collections.multicloud.vpnlab.plugins.filter.%s" % module)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        names.extend(mod.FilterModule().filters())
    return sorted(names)


@pytest.fixture(scope="module")
def tarball(tmp_path_factory):
    """The collection built from a scratch copy of this checkout with caches planted in it."""
    src = tmp_path_factory.mktemp("src") / "vpnlab"
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, check=True,
                           capture_output=True).stdout.decode().split("\0")
    for name in filter(None, files):
        if (ROOT / name).is_file():
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, src / name)
    for name in PLANTED:
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_text("planted\n")
    if not (src / "CHANGELOG.rst").exists():
        # Until the first release writes it (antsibull-changelog release), a stand-in shows that
        # build_ignore lets it through.
        (src / "CHANGELOG.rst").write_text("multicloud.vpnlab Release Notes\n")
    out = tmp_path_factory.mktemp("out")
    subprocess.run([tool("ansible-galaxy"), "collection", "build", "--output-path", str(out), str(src)],
                   check=True, capture_output=True)
    built = list(out.glob("multicloud-vpnlab-*.tar.gz"))
    assert len(built) == 1
    return built[0]


@pytest.fixture(scope="module")
def members(tarball):
    with tarfile.open(tarball) as tar:
        return {m.name.rstrip("/") for m in tar.getmembers()}


def test_tarball_has_no_cache_or_screenshot(members):
    cached = sorted(m for m in members if CACHE_PARTS & set(m.split("/")) or m.endswith((".pyc", ".pyo")))
    assert not cached, cached
    assert "docs/report.png" not in members
    assert not [m for m in members if m.endswith(".tar.gz")]


def test_tarball_has_license_changelog_and_filter_docs(members):
    for name in ("COPYING", "LICENSE", "CHANGELOG.rst", "changelogs/changelog.yaml", "README.md", "bindep.txt",
                 "requirements.txt", "meta/runtime.yml", "meta/execution-environment.yml", "MANIFEST.json"):
        assert name in members, name
    for name in filter_names():
        assert "plugins/filter/%s.yml" % name in members, name


def test_copying_is_the_gpl():
    text = (ROOT / "COPYING").read_text()
    assert "GNU GENERAL PUBLIC LICENSE" in text and "Version 3, 29 June 2007" in text
    assert text == (ROOT / "LICENSE").read_text()


@pytest.mark.parametrize("name", filter_names())
def test_each_filter_has_its_doc(name):
    doc = yaml.safe_load((ROOT / "plugins" / "filter" / ("%s.yml" % name)).read_text())
    assert set(doc) == {"DOCUMENTATION", "EXAMPLES", "RETURN"}
    assert doc["DOCUMENTATION"]["name"] == name
    assert doc["DOCUMENTATION"]["short_description"] and "_input" in doc["DOCUMENTATION"]["options"]
    assert "multicloud.vpnlab.%s" % name in doc["EXAMPLES"]
    assert "_value" in doc["RETURN"]


def test_ee_build_context(tarball, tmp_path):
    """ansible-builder create on execution-environment.yml, as `make ee` runs it."""
    for name in ("execution-environment.yml", "requirements.yml", "requirements.txt", "bindep.txt"):
        shutil.copy2(ROOT / name, tmp_path / name)
    (tmp_path / "build").mkdir()
    shutil.copy2(tarball, tmp_path / "build" / tarball.name)
    proc = subprocess.run([tool("ansible-builder"), "create", "--file", "execution-environment.yml", "--context",
                           "ctx", "--output-filename", "Containerfile"], cwd=tmp_path, capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    ctx = tmp_path / "ctx"
    containerfile = (ctx / "Containerfile").read_text()
    assert 'ARG EE_BASE_IMAGE="quay.io/fedora/fedora:42"' in containerfile
    assert "ansible-core>=2.19,<2.21" in containerfile
    assert "collection install $ANSIBLE_GALAXY_CLI_COLLECTION_OPTS -r requirements.yml" in containerfile
    assert re.search(r"collection install --offline .* /build/collections/multicloud-vpnlab-\*\.tar\.gz", containerfile)
    assert "introspect --user-pip=requirements.txt --user-bindep=bindep.txt" in containerfile
    assert (ctx / "_build" / "collections" / tarball.name).is_file()
    for name in ("requirements.yml", "requirements.txt", "bindep.txt"):
        assert (ctx / "_build" / name).read_text() == (ROOT / name).read_text(), name


def requirement_names(path):
    lines = [line.split("#")[0].strip() for line in path.read_text().splitlines()]
    return {re.split(r"[<>=!~; \[]", line)[0].lower(): line for line in lines if line}


def test_requirements_are_ranges_and_constraints_pin_them():
    wanted = requirement_names(ROOT / "requirements.txt")
    pinned = requirement_names(ROOT / "constraints.txt")
    assert wanted and not [line for line in wanted.values() if "==" in line]
    assert set(pinned) == set(wanted)
    assert all(re.fullmatch(r"[\w.-]+==[\w.]+", line) for line in pinned.values()), pinned


BINDEP = (ROOT / "bindep.txt").read_text()


@pytest.mark.parametrize("profiles", [["make", "lab"], ["lab"], ["test"], ["rehearse"], ["make", "lab", "test"], []])
def test_makefile_and_filter_read_bindep_alike(profiles):
    """The Makefile (scripts/bindep.py, Debian) and the bindep_packages filter read alike: one reader."""
    proc = subprocess.run(["make", "-s", "bindep", "PROFILES=%s" % " ".join(profiles)], cwd=ROOT, check=True,
                          capture_output=True, text=True)
    assert proc.stdout.split() == parse_bindep(BINDEP, profiles, "dpkg")


def test_bindep_for_the_ee_and_debian():
    # An EE (bindep without a profile on an RPM image) gets the SSH client, as Debian does.
    assert parse_bindep(BINDEP, [], "rpm") == ["openssh-clients"]
    assert parse_bindep(BINDEP, [], "dpkg") == ["openssh-client"]
    for profile in ("lab", "make", "test", "rehearse"):
        assert len(parse_bindep(BINDEP, [profile], "rpm")) > 1, profile
    assert parse_bindep(BINDEP, ["make", "lab"], "dpkg") == [
        "openssh-client", "iproute2", "nftables", "strongswan-charon", "strongswan-swanctl", "libcharon-extra-plugins",
        "openssh-server", "mtr-tiny", "iputils-ping", "iputils-tracepath", "iperf3", "netcat-openbsd", "python3-venv",
        "git"]


def test_bindep_itself_agrees():
    depends = pytest.importorskip("bindep.depends")
    parsed = depends.Depends(BINDEP)
    for platform, extra in (("rpm", ["platform:redhat", "platform:fedora"]), ("dpkg", ["platform:debian"])):
        for profiles in ([], ["lab"], ["make", "lab", "test", "rehearse"]):
            rules = parsed.active_rules((profiles or ["default"]) + ["platform:%s" % platform] + extra)
            assert sorted({rule[0] for rule in rules}) == sorted(set(parse_bindep(BINDEP, profiles, platform)))


def test_first_release_has_no_breaking_changes():
    """Until a release exists, nothing can break: changes between development states are trivial."""
    changes = yaml.safe_load((ROOT / "changelogs" / "changelog.yaml").read_text())
    if changes.get("releases"):
        pytest.skip("a release exists: breaking changes are possible now")
    for path in sorted((ROOT / "changelogs" / "fragments").glob("*.yml")):
        sections = set(yaml.safe_load(path.read_text()) or {})
        assert not sections & {"breaking_changes", "removed_features", "deprecated_features"}, path.name

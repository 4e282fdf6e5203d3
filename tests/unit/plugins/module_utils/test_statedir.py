# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The state directory's ownership rules, on real directories under pytest's tmp_path.

Each case builds a directory from a small description, runs ensure_present or ensure_absent,
and compares the whole tree afterwards: what must stay is checked byte for byte, so a rule that
deletes or writes too much fails here.
"""

from __future__ import annotations

import json
import os
import stat

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils.statedir import (
    DEFAULT_KEEP, MARKER, StateDirError, ensure_absent, ensure_present, is_known, is_marked,
    marker_owner, marker_text, missing_parents, recorded_expiry, refusal, sort_entries,
)
from ansible_collections.multicloud.vpnlab.plugins.module_utils.statedir_subdirs import ensure_subdirectories

LAB = "sdunit"
OURS = marker_text(LAB)


def build(root, spec):
    """Make `spec` under `root`: {name: text (file) | dict (dir) | ('link', target) | None}."""
    for name, value in spec.items():
        path = root / name
        if isinstance(value, dict):
            path.mkdir()
            build(path, value)
        elif isinstance(value, tuple):
            path.symlink_to(value[1])
        else:
            path.write_text(value)


def tree(root):
    """{relative path: text, '/' for a directory, '-> target' for a link} of everything there."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(str(root)):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, str(root))
            if os.path.islink(path):
                found[rel] = "-> " + os.readlink(path)
            elif os.path.isdir(path):
                found[rel] = "/"
            else:
                with open(path) as handle:
                    found[rel] = handle.read()
    return found


# A lab's state directory as the local target leaves it, the marker included.
LAB_DIR = {
    MARKER: OURS, "id_ed25519": "key", "id_ed25519.pub": "pub", "authorized_keys": "pub",
    "known_hosts": "hosts", "ssh_config": "cfg", "vms.json": "{}", "vpn-connection.json": "{}",
    "gateways": {"azure": {"charon.pid": "42\n", "charon.log": "log"}, "aws": {}},
    "vms": {"vm1": {"sshd.pid": "43\n"}}, "report.json": "{}", "report.md": "#",
    "report.html": "<html>",
}
LAB_ENTRIES = sorted(n for n in LAB_DIR if n != MARKER)
REMOVED = ["authorized_keys", "gateways/", "id_ed25519", "id_ed25519.pub", "known_hosts",
           "ssh_config", "vms.json", "vms/", "vpn-connection.json"]
REPORTS = ["report.html", "report.json", "report.md"]


# --- creating ------------------------------------------------------------------------------

PRESENT_REFUSED = [
    ("non-empty-unmarked", {"projects": {"notes.txt": "mine", "src": {"a.c": "int x;"}}},
     "projects", "is not empty and has no .vpnlab-lab marker"),
    # A home directory: dotfiles and the names a lab also uses (an SSH key, known_hosts).
    ("home", {"home": {".bashrc": "alias", "id_ed25519": "my key", "known_hosts": "h"}},
     "home", "has no .vpnlab-lab marker"),
    ("only-lab-names-unmarked", {"old": {"id_ed25519": "k", "vms.json": "{}"}}, "old",
     "has no .vpnlab-lab marker"),
    ("another-labs", {"lab": {MARKER: marker_text("other"), "id_ed25519": "k"}}, "lab",
     "says it belongs to lab 'other'"),
    ("another-labs-empty", {"lab": {MARKER: marker_text("other")}}, "lab",
     "says it belongs to lab 'other'"),
    ("foreign-marker", {"lab": {MARKER: '{"lab": "%s"}' % LAB}}, "lab",
     "is not a marker written by multicloud.vpnlab"),
    ("garbage-marker", {"lab": {MARKER: "\x00not json"}}, "lab", "is not a marker written"),
    ("marker-is-a-dir", {"lab": {MARKER: {}}}, "lab", "is not a marker written"),
    ("marker-is-a-link", {"real": {MARKER: OURS}, "lab": {MARKER: ("link", "../real/" + MARKER)}},
     "lab", "is not a marker written"),
    ("a-file", {"lab": "text"}, "lab", "is not a directory"),
    ("a-link-to-a-marked-dir", {"real": {MARKER: OURS}, "lab": ("link", "real")}, "lab",
     "is a symbolic link"),
    ("a-dangling-link", {"lab": ("link", "nowhere")}, "lab", "is a symbolic link"),
]


@pytest.mark.parametrize("spec,name,message", [c[1:] for c in PRESENT_REFUSED],
                         ids=[c[0] for c in PRESENT_REFUSED])
@pytest.mark.parametrize("check_mode", [False, True])
def test_present_refuses_and_writes_nothing(tmp_path, spec, name, message, check_mode):
    build(tmp_path, spec)
    before = tree(tmp_path)
    with pytest.raises(StateDirError) as refused:
        ensure_present(str(tmp_path / name), LAB, check_mode)
    assert message in str(refused.value) and str(tmp_path / name) in str(refused.value)
    assert "Nothing was written." in str(refused.value)
    assert tree(tmp_path) == before


PRESENT_OK = [
    # (id, spec, name, changed, created (relative; '' is tmp_path itself))
    ("missing", {}, "lab", True, ["lab/", "lab/" + MARKER]),
    ("missing-parents", {}, "a/b/lab", True, ["a/", "a/b/", "a/b/lab/", "a/b/lab/" + MARKER]),
    ("empty", {"lab": {}}, "lab", True, ["lab/" + MARKER]),
    ("ours", {"lab": {MARKER: OURS, "id_ed25519": "k", "notes": "x"}}, "lab", False, []),
    ("ours-empty", {"lab": {MARKER: OURS}}, "lab", False, []),
]


@pytest.mark.parametrize("spec,name,changed,created", [c[1:] for c in PRESENT_OK],
                         ids=[c[0] for c in PRESENT_OK])
def test_present_creates_marks_or_accepts(tmp_path, spec, name, changed, created):
    build(tmp_path, spec)
    before = tree(tmp_path)
    path = str(tmp_path / name)
    expected = [os.path.join(str(tmp_path), c) for c in created]

    dry = ensure_present(path, LAB, check_mode=True)
    assert (dry["changed"], dry["created"]) == (changed, expected)
    assert tree(tmp_path) == before

    result = ensure_present(path, LAB)
    assert (result["changed"], result["created"]) == (changed, expected)
    assert result["path"] == path and result["removed"] == result["left"] == []
    after = tree(tmp_path)
    assert after[os.path.join(name, MARKER)] == OURS
    # What was there is untouched; what is new is exactly what was reported.
    assert {k: v for k, v in after.items() if k in before} == before
    assert sorted(set(after) - set(before)) == sorted(c.rstrip("/") for c in created)
    for rel in created:
        mode = stat.S_IMODE(os.lstat(str(tmp_path / rel.rstrip("/"))).st_mode)
        assert mode == (0o700 if rel.endswith("/") else 0o600), rel
    assert ensure_present(path, LAB)["changed"] is False
    assert is_marked(path, LAB) and not is_marked(path, "other")


def test_present_makes_an_adopted_empty_dir_private(tmp_path):
    (tmp_path / "lab").mkdir(mode=0o755)
    os.chmod(str(tmp_path / "lab"), 0o755)
    ensure_present(str(tmp_path / "lab"), LAB)
    assert stat.S_IMODE(os.stat(str(tmp_path / "lab")).st_mode) == 0o700


@pytest.mark.parametrize("path,lab,message", [
    ("relative/lab", LAB, "must be an absolute path"),
    ("/", LAB, "the root directory is never"),
    ("/tmp/x", "", "lab=''"),
    ("/tmp/x", "../x", "lab='../x'"),
    ("/tmp/x", "a/b", "lab='a/b'"),
    ("/tmp/x", None, "lab=None"),
    ("/tmp/x", "vpntest\n", "lab='vpntest\\n'"),
])
def test_bad_arguments_are_refused_before_looking(path, lab, message):
    for call in (lambda: ensure_present(path, lab, True), lambda: ensure_absent(path, lab)):
        with pytest.raises(StateDirError) as refused:
            call()
        assert message in str(refused.value)


# --- emptying ------------------------------------------------------------------------------

ABSENT_REFUSED = [c[:3] + ("has no .vpnlab-lab marker",) for c in PRESENT_REFUSED[:3]] + \
    PRESENT_REFUSED[3:] + [
    ("empty-unmarked", {"lab": {}}, "lab", "has no .vpnlab-lab marker"),
    # The bug this module exists for: VPNLAB_HOME=/some/dir, vpnlab_name=projects.
    ("projects", {"projects": dict(LAB_DIR, **{MARKER: None})}, "projects", "has no .vpnlab-lab"),
]


@pytest.mark.parametrize("spec,name,message", [c[1:] for c in ABSENT_REFUSED],
                         ids=[c[0] for c in ABSENT_REFUSED])
@pytest.mark.parametrize("check_mode", [False, True])
def test_absent_refuses_and_deletes_nothing(tmp_path, spec, name, message, check_mode):
    spec = {k: {n: v for n, v in d.items() if v is not None} if isinstance(d, dict) else d
            for k, d in spec.items()}
    build(tmp_path, spec)
    before = tree(tmp_path)
    with pytest.raises(StateDirError) as refused:
        ensure_absent(str(tmp_path / name), LAB, DEFAULT_KEEP, check_mode)
    assert message in str(refused.value) and str(tmp_path / name) in str(refused.value)
    assert "Nothing was deleted." in str(refused.value)
    assert tree(tmp_path) == before


ABSENT_OK = [
    # (id, state dir spec or None when missing, keep, removed, kept, left, entries after)
    ("missing", None, DEFAULT_KEEP, [], [], [], None),
    ("whole-lab", LAB_DIR, DEFAULT_KEEP, REMOVED, REPORTS, [], [MARKER] + REPORTS),
    ("whole-lab-keep-nothing", LAB_DIR, [], sorted(REMOVED + REPORTS) + [MARKER, "/"], [], [],
     None),
    ("half-built", {MARKER: OURS, "gateways": {"azure": {}}}, DEFAULT_KEEP,
     ["gateways/", MARKER, "/"], [], [], None),
    ("only-marker", {MARKER: OURS}, DEFAULT_KEEP, [MARKER, "/"], [], [], None),
    ("already-emptied", {MARKER: OURS, "report.json": "{}"}, DEFAULT_KEEP, [], ["report.json"],
     [], [MARKER, "report.json"]),
    ("unknown-entries-stay", dict(LAB_DIR, **{"notes.txt": "mine", "photos": {"a.jpg": "x"},
                                              ".bashrc": "alias"}),
     [], sorted(REMOVED + REPORTS), [], [".bashrc", "notes.txt", "photos/"],
     [".bashrc", MARKER, "notes.txt", "photos"]),
    ("kept-unknown", {MARKER: OURS, "notes.txt": "mine", "vms.json": "{}"}, ["notes.*"],
     ["vms.json"], ["notes.txt"], [], [MARKER, "notes.txt"]),
    # Links are never the lab's: one named like a lab file stays, and so does its target.
    ("links", {MARKER: OURS, "id_ed25519": ("link", "/etc/hostname"),
               "gateways": ("link", "/etc"), "vms": {}}, DEFAULT_KEEP, ["vms/"], [],
     ["gateways", "id_ed25519"], ["gateways", "id_ed25519", MARKER]),
    # A known name of the wrong kind was not written by the lab either.
    ("wrong-kinds", {MARKER: OURS, "known_hosts": {"x": "y"}, "vms": "a file", "cloud": {}},
     DEFAULT_KEEP, ["cloud/"], [], ["known_hosts/", "vms"], ["known_hosts", MARKER, "vms"]),
    # write_atomic's leftovers (<name>.<12 hex>.new) of known files go; other .new files are foreign.
    ("atomic-leftovers", {MARKER: OURS, "vms.json.0a1b2c3d4e5f.new": "{", "report.md.ffffffffffff.new": "#",
                          "x.0a1b2c3d4e5f.new": "", "vms.json.new": ""},
     DEFAULT_KEEP, ["report.md.ffffffffffff.new", "vms.json.0a1b2c3d4e5f.new"], [], ["vms.json.new", "x.0a1b2c3d4e5f.new"],
     [MARKER, "vms.json.new", "x.0a1b2c3d4e5f.new"]),
]


@pytest.mark.parametrize("spec,keep,removed,kept,left,after", [c[1:] for c in ABSENT_OK],
                         ids=[c[0] for c in ABSENT_OK])
def test_absent_removes_only_the_labs_entries(tmp_path, spec, keep, removed, kept, left, after):
    home = tmp_path / "home"
    home.mkdir()
    (home / "neighbour.txt").write_text("untouched")
    state = home / "lab"
    if spec is not None:
        state.mkdir()
        build(state, spec)
    before = tree(tmp_path)
    removed = [str(state) + "/" if r == "/" else r for r in removed]

    dry = ensure_absent(str(state), LAB, keep, check_mode=True)
    assert (dry["removed"], dry["kept"], dry["left"]) == (removed, kept, left)
    assert dry["changed"] is bool(removed) and tree(tmp_path) == before

    result = ensure_absent(str(state), LAB, keep)
    assert (result["removed"], result["kept"], result["left"]) == (removed, kept, left)
    assert result["changed"] is bool(removed)
    if after is None:
        assert not os.path.lexists(str(state))
    else:
        assert sorted(os.listdir(str(state))) == sorted(after)
    # Everything that stayed is byte for byte what it was; /etc behind the links too.
    now = tree(tmp_path)
    assert {k: v for k, v in before.items() if k in now} == now
    assert now["home/neighbour.txt"] == "untouched"
    assert os.path.isfile("/etc/hostname")

    again = ensure_absent(str(state), LAB, keep)
    assert again["changed"] is False and again["removed"] == []


def test_absent_reports_a_known_entry_it_could_not_remove(tmp_path, monkeypatch):
    state = tmp_path / "lab"
    state.mkdir()
    build(state, {MARKER: OURS, "vms.json": "{}"})
    monkeypatch.setattr(os, "unlink", lambda *a, **k: None)  # as if the unlink did nothing
    with pytest.raises(StateDirError) as left:
        ensure_absent(str(state), LAB)
    assert "Left after emptying %s: vms.json" % state in str(left.value)


def test_absent_keeps_marker_and_dir_when_an_entry_appears_meanwhile(tmp_path, monkeypatch):
    state = tmp_path / "lab"
    state.mkdir()
    build(state, {MARKER: OURS, "vms.json": "{}"})
    real_unlink = os.unlink

    def unlink_then_appear(path, *args, **kwargs):
        real_unlink(path, *args, **kwargs)
        if path.endswith(MARKER):
            (state / "late.txt").write_text("new")

    monkeypatch.setattr(os, "unlink", unlink_then_appear)
    result = ensure_absent(str(state), LAB)
    assert result["removed"] == ["vms.json"] and result["left"] == ["late.txt"]
    assert sorted(os.listdir(str(state))) == [MARKER, "late.txt"]
    assert is_marked(str(state), LAB)


# --- the pure rules ------------------------------------------------------------------------

@pytest.mark.parametrize("name,kind,known", [
    ("id_ed25519", "file", True), ("id_ed25519", "link", False), ("id_ed25519", "dir", False),
    ("vms", "dir", True), ("vms", "file", False), ("vms", "link", False),
    ("gateways", "dir", True), ("cloud", "dir", True), ("report.json", "file", True),
    ("report.anything", "file", True), ("report", "file", False), ("vms.json.0a1b2c3d4e5f.new", "file", True), ("vms.json.new", "file", False),
    ("notes.0a1b2c3d4e5f.new", "file", False), (".bashrc", "file", False), (MARKER, "file", False),
    ("Vms.json", "file", False), ("vms.json", "other", False), ("projects", "dir", False),
])
def test_is_known(name, kind, known):
    assert is_known(name, kind) is known


@pytest.mark.parametrize("text,owner", [
    (OURS, LAB),
    (marker_text("other"), "other"),
    ('{"lab": "x", "managed_by": "someone.else"}', None),
    ('{"lab": "x"}', None),
    ('{"lab": "", "managed_by": "multicloud.vpnlab"}', None),
    ('{"lab": 7, "managed_by": "multicloud.vpnlab"}', None),
    ('["x"]', None), ("", None), ("not json", None), (None, None),
])
def test_marker_owner(text, owner):
    assert marker_owner(text) == owner


def test_marker_text_is_json_with_lab_and_manager():
    assert json.loads(OURS) == {"lab": LAB, "managed_by": "multicloud.vpnlab"}


@pytest.mark.parametrize("entries,keep,expected", [
    ({}, DEFAULT_KEEP, {"kept": [], "remove": [], "left": []}),
    ({"report.json": "file", "vms": "dir", "x": "file"}, DEFAULT_KEEP,
     {"kept": ["report.json"], "remove": ["vms/"], "left": ["x"]}),
    ({"report.json": "file", "vms": "dir"}, ["*"],
     {"kept": ["report.json", "vms/"], "remove": [], "left": []}),
    ({"REPORT.JSON": "file"}, DEFAULT_KEEP, {"kept": [], "remove": [], "left": ["REPORT.JSON"]}),
    # A running rehearsal's own entries stay, whatever the teardown keeps; look-alikes do not.
    ({"rehearsal.json": "file", "rehearsal": "dir", "vms.json": "file"}, [],
     {"kept": ["rehearsal.json", "rehearsal/"], "remove": ["vms.json"], "left": []}),
    ({"rehearsal": "file", "rehearsal.json": "dir"}, [], {"kept": [], "remove": [], "left": ["rehearsal", "rehearsal.json/"]}),
])
def test_sort_entries(entries, keep, expected):
    assert sort_entries(entries, keep) == expected


@pytest.mark.parametrize("existing,path,expected", [
    ({"/", "/a"}, "/a/b/c", ["/a/b", "/a/b/c"]),
    ({"/"}, "/a", ["/a"]),
    ({"/", "/a"}, "/a", []),
])
def test_missing_parents(existing, path, expected):
    assert missing_parents(path, existing.__contains__) == expected


def test_refusal_of_a_missing_dir_is_none_both_ways():
    seen = {"kind": "missing", "entries": {}, "marker": None, "marker_kind": None}
    assert refusal("/x/lab", LAB, seen, creating=True) is None
    assert refusal("/x/lab", LAB, seen, creating=False) is None


def test_refusal_lists_a_few_entries_only():
    seen = {"kind": "dir", "entries": {"f%02d" % i: "file" for i in range(9)}, "marker": None,
            "marker_kind": None, "uid": os.geteuid(), "mode": 0o40700}
    message = refusal("/x/lab", LAB, seen, creating=False)
    assert "(it holds: f00, f01, f02, f03, f04 and 4 more)" in message


# --- the lab's expiry, recorded when the lab creates its directory ----------------------------

EXPIRY = {"expires": "2026-12-02", "days": 7}


def marker_of(path):
    return json.loads((path / MARKER).read_text())


def test_present_records_the_expiry_when_it_creates_the_dir(tmp_path):
    lab_dir = tmp_path / "lab"
    result = ensure_present(str(lab_dir), LAB, expiry=EXPIRY)
    assert result["changed"] is True and result["expiry"] == EXPIRY
    assert marker_of(lab_dir) == {"lab": LAB, "managed_by": "multicloud.vpnlab", "expires": "2026-12-02",
                                  "expiry_days": 7}
    assert recorded_expiry(str(lab_dir), LAB) == EXPIRY
    assert marker_owner((lab_dir / MARKER).read_text()) == LAB


def test_present_keeps_the_same_expiry_and_records_a_new_one(tmp_path):
    lab_dir = tmp_path / "lab"
    ensure_present(str(lab_dir), LAB, expiry=EXPIRY)
    again = ensure_present(str(lab_dir), LAB, expiry=EXPIRY)
    assert (again["changed"], again["created"]) == (False, [])
    longer = {"expires": "2026-12-18", "days": 14}
    dry = ensure_present(str(lab_dir), LAB, expiry=longer, check_mode=True)
    assert dry["changed"] is True and recorded_expiry(str(lab_dir), LAB) == EXPIRY
    changed = ensure_present(str(lab_dir), LAB, expiry=longer)
    assert changed["changed"] is True and changed["created"] == []
    assert recorded_expiry(str(lab_dir), LAB) == longer
    # without an expiry (an older caller) the recorded one stays
    assert ensure_present(str(lab_dir), LAB)["changed"] is False
    assert recorded_expiry(str(lab_dir), LAB) == longer


def test_a_marker_without_expiry_gets_one(tmp_path):
    build(tmp_path, {"lab": {MARKER: OURS, "vms.json": "[]"}})
    assert recorded_expiry(str(tmp_path / "lab"), LAB) is None
    result = ensure_present(str(tmp_path / "lab"), LAB, expiry=EXPIRY)
    assert result["changed"] is True and recorded_expiry(str(tmp_path / "lab"), LAB) == EXPIRY
    assert (tmp_path / "lab" / "vms.json").read_text() == "[]"


def test_absent_keeping_the_reports_forgets_the_expiry(tmp_path):
    """The expiry belongs to the lab's resources: after teardown a new lab of the name gets its own."""
    lab_dir = tmp_path / "lab"
    ensure_present(str(lab_dir), LAB, expiry=EXPIRY)
    (lab_dir / "report.json").write_text("{}")
    (lab_dir / "vms.json").write_text("[]")
    ensure_absent(str(lab_dir), LAB)
    assert (lab_dir / "report.json").exists() and recorded_expiry(str(lab_dir), LAB) is None
    assert marker_owner((lab_dir / MARKER).read_text()) == LAB


@pytest.mark.parametrize("spec, lab", [
    ({}, LAB),                                                   # no directory
    ({"lab": {}}, LAB),                                          # no marker
    ({"lab": {MARKER: marker_text("other", EXPIRY)}}, LAB),      # another lab's
    ({"lab": {MARKER: "not json"}}, LAB),
    ({"lab": {MARKER: json.dumps(dict(json.loads(OURS), expires="soon"))}}, LAB),
])
def test_recorded_expiry_is_none_unless_this_labs_marker_has_one(tmp_path, spec, lab):
    build(tmp_path, spec)
    assert recorded_expiry(str(tmp_path / "lab"), lab) is None


# The local VMs' directories (lab_state's `directories`, statedir_subdirs.py): (existing tree
# under the state dir, wanted, made, refusal). The state directory `lab` exists and is the lab's.
SUBDIRS = [
    ("new", {}, ["vms/vm1", "vms/vm2"], ["vms/", "vms/vm1/", "vms/vm2/"], None),
    ("some-there", {"vms": {"vm1": {}}}, ["vms/vm1", "vms/vm2"], ["vms/vm2/"], None),
    ("all-there", {"vms": {"vm1": {}}}, ["vms/vm1"], [], None),
    ("none-wanted", {}, [], [], None),
    ("link-out", {"vms": ("link", "/tmp")}, ["vms/vm1"], [], "is a link, not a directory"),
    ("file-in-the-way", {"vms": "text"}, ["vms/vm1"], [], "is a file, not a directory"),
    ("outside", {}, ["../elsewhere"], [], "is not inside the state directory"),
    ("the-dir-itself", {}, [""], [], "is not inside the state directory"),
    ("not-normalised", {}, ["vms/../vms/vm1"], [], "is not a normalised absolute path"),
]


@pytest.mark.parametrize("check_mode", [False, True])
@pytest.mark.parametrize("spec,wanted,made,message", [c[1:] for c in SUBDIRS], ids=[c[0] for c in SUBDIRS])
def test_the_wanted_subdirectories_are_made_private(tmp_path, spec, wanted, made, message, check_mode):
    lab = tmp_path / "lab"
    ensure_present(str(lab), LAB)
    build(lab, spec)
    before = tree(tmp_path)
    directories = [os.path.normpath(str(lab / w)) if w.startswith("..") else str(lab) + "/" + w
                   for w in wanted]
    if message:
        with pytest.raises(StateDirError, match=message):
            ensure_subdirectories(str(lab), directories, check_mode)
        assert tree(tmp_path) == before
        return
    assert ensure_subdirectories(str(lab), directories, check_mode) == [str(lab) + "/" + m for m in made]
    if check_mode:
        assert tree(tmp_path) == before
        return
    for name in made:
        assert stat.S_IMODE(os.lstat(lab / name).st_mode) == 0o700
    assert ensure_subdirectories(str(lab), directories) == []


def test_a_dry_run_of_a_new_lab_names_its_subdirectories_and_makes_nothing(tmp_path):
    lab = tmp_path / "home" / "lab"
    ensure_present(str(lab), LAB, True)
    assert ensure_subdirectories(str(lab), [str(lab / "vms" / "vm1")], True) == [
        str(lab / "vms") + "/", str(lab / "vms" / "vm1") + "/"]
    assert not (tmp_path / "home").exists()

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A state directory is the lab's own only when nobody else can have made or changed it.

It and its marker belong to the running user, neither is writable by group or others, neither
is a symbolic link, and the marker names the lab. Anything else is refused with the reason and
nothing is changed: no chmod, no file. Owners are faked in the pure table (refusal on an
observation); modes are real, on directories under tmp_path, so these tests run unprivileged.
The finding of issue 13: a 0777 directory with a forged marker was accepted (changed: false)
and left 0777.
"""

from __future__ import annotations

import os
import stat

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils.statedir import (
    MARKER, StateDirError, ensure_absent, ensure_present, is_marked, marker_text, observe,
    recorded_expiry, refusal, untrusted,
)

LAB = "sdtrust"
ME, OTHER = 1000, 1001
EXPIRY = {"expires": "2026-12-02", "days": 7}


def seen(uid=ME, mode=0o700, marker=marker_text(LAB), marker_uid=ME, marker_mode=0o600,
         entries=None):
    return {"kind": "dir", "entries": entries or {}, "uid": uid, "mode": mode,
            "marker": marker, "marker_kind": "file" if marker is not None else None,
            "marker_uid": marker_uid if marker is not None else None,
            "marker_mode": marker_mode if marker is not None else None}


TABLE = [
    # (id, observation, reason in the refusal or None when the directory is the lab's)
    ("ours", seen(), None),
    ("ours-0755", seen(mode=0o755, marker_mode=0o644), None),
    ("dir-of-another-user", seen(uid=OTHER), "it belongs to uid 1001, not to the running user (uid 1000)"),
    ("dir-of-root-for-a-user", seen(uid=0), "it belongs to uid 0, not to the running user (uid 1000)"),
    ("dir-world-writable", seen(mode=0o777), "it is writable by others (mode 0777)"),
    ("dir-sticky-world-writable", seen(mode=0o1777), "it is writable by others (mode 1777)"),
    ("dir-group-writable", seen(mode=0o770), "it is writable by its group (mode 0770)"),
    ("marker-of-another-user", seen(marker_uid=OTHER),
     "its .vpnlab-lab marker belongs to uid 1001, not to the running user (uid 1000)"),
    ("marker-world-writable", seen(marker_mode=0o666), "its .vpnlab-lab marker is writable by others (mode 0666)"),
    ("marker-group-writable", seen(marker_mode=0o620), "its .vpnlab-lab marker is writable by its group (mode 0620)"),
    # the finding: another user's open directory with a marker naming this lab
    ("forged", seen(uid=OTHER, mode=0o777, marker_uid=OTHER, marker_mode=0o666), "it belongs to uid 1001"),
    ("another-labs", seen(marker=marker_text("other")), "says it belongs to lab 'other'"),
    ("empty-of-another-user", seen(uid=OTHER, marker=None), "it belongs to uid 1001"),
    ("empty-world-writable", seen(mode=0o777, marker=None), "it is writable by others (mode 0777)"),
]


@pytest.mark.parametrize("observed,reason", [c[1:] for c in TABLE], ids=[c[0] for c in TABLE])
@pytest.mark.parametrize("creating", [True, False])
def test_refusal_table(observed, reason, creating):
    message = refusal("/x/" + LAB, LAB, observed, creating, uid=ME)
    if reason is None:
        assert message is None
        assert untrusted(observed, LAB, ME) is None
        return
    assert message and reason in message and "/x/%s" % LAB in message, message
    assert ("Nothing was written." if creating else "Nothing was deleted.") in message
    assert reason in untrusted(observed, LAB, ME)


def test_an_empty_unmarked_dir_of_the_user_may_be_adopted_not_emptied():
    observed = seen(marker=None)
    assert refusal("/x/lab", LAB, observed, True, uid=ME) is None
    assert "has no .vpnlab-lab marker" in refusal("/x/lab", LAB, observed, False, uid=ME)
    assert "has no .vpnlab-lab marker" in untrusted(observed, LAB, ME)


# --- real directories: modes (owners need root; tests/integration/test_state_dir.py) ----------

def snapshot(root):
    found = {}
    for dirpath, dirnames, filenames in os.walk(str(root)):
        for name in [""] + dirnames + filenames:
            path = os.path.join(dirpath, name)
            st = os.lstat(path)
            with open(path, "rb") if stat.S_ISREG(st.st_mode) else open(os.devnull, "rb") as handle:
                found[os.path.relpath(path, str(root))] = (st.st_mode, st.st_uid, handle.read())
    return found


def make(tmp_path, mode=0o700, marker=marker_text(LAB), marker_mode=0o600):
    state = tmp_path / "state" / LAB
    state.mkdir(parents=True)
    if marker is not None:
        (state / MARKER).write_text(marker)
        os.chmod(str(state / MARKER), marker_mode)
    (state / "vms.json").write_text("{}")
    os.chmod(str(state), mode)
    return state


REAL_REFUSED = [
    ("forged-0777", dict(mode=0o777), "it is writable by others (mode 0777)"),
    ("forged-1777", dict(mode=0o1777), "it is writable by others (mode 1777)"),
    ("group-0770", dict(mode=0o770), "it is writable by its group (mode 0770)"),
    ("marker-0666", dict(marker_mode=0o666), "its .vpnlab-lab marker is writable by others (mode 0666)"),
]


@pytest.mark.parametrize("layout,reason", [c[1:] for c in REAL_REFUSED], ids=[c[0] for c in REAL_REFUSED])
@pytest.mark.parametrize("call", ["present", "present-check", "present-expiry", "absent", "absent-check"])
def test_real_untrusted_dir_is_refused_and_left_as_it_was(tmp_path, layout, reason, call):
    state = make(tmp_path, **layout)
    before = snapshot(tmp_path)
    with pytest.raises(StateDirError) as refused:
        if call.startswith("present"):
            ensure_present(str(state), LAB, call.endswith("check"),
                           EXPIRY if call.endswith("expiry") else None)
        else:
            ensure_absent(str(state), LAB, check_mode=call.endswith("check"))
    assert reason in str(refused.value) and str(state) in str(refused.value)
    assert snapshot(tmp_path) == before
    assert not is_marked(str(state), LAB)
    assert recorded_expiry(str(state), LAB) is None


def test_real_empty_world_writable_dir_is_not_adopted(tmp_path):
    state = tmp_path / "state" / LAB
    state.mkdir(parents=True)
    os.chmod(str(state), 0o777)
    with pytest.raises(StateDirError) as refused:
        ensure_present(str(state), LAB)
    assert "it is writable by others (mode 0777)" in str(refused.value)
    assert stat.S_IMODE(os.stat(str(state)).st_mode) == 0o777 and os.listdir(str(state)) == []


def test_real_private_dir_is_ours(tmp_path):
    state = make(tmp_path)
    assert ensure_present(str(state), LAB)["changed"] is False
    assert is_marked(str(state), LAB)
    observed = observe(str(state))
    assert (observed["uid"], observed["marker_uid"]) == (os.geteuid(), os.geteuid())
    assert (stat.S_IMODE(observed["mode"]), stat.S_IMODE(observed["marker_mode"])) == (0o700, 0o600)

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The state root's rule (module_utils/stateroot.py): which directory may hold the labs' state.

The lab runs as root and later trusts what it finds under the root, so a root another user can
change, or a system directory, is refused before anything is made. Owners are faked with a
stat table (no chown: these tests run unprivileged too); symbolic links and modes are checked
on real directories under tmp_path as well. The same rule through lab_plan:
tests/unit/plugins/modules/test_lab_plan_state_root.py.
"""

from __future__ import annotations

import os
import stat

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils.stateroot import (
    StateRootError, checked, refusal, text_problem,
)

ALICE, BOB = 1000, 1001


def st(mode, uid=0, kind=stat.S_IFDIR):
    """A stat result as os.lstat gives it: only the mode (with the kind) and the owner matter."""
    return os.stat_result((kind | mode, 0, 0, 1, uid, 0, 0, 0, 0, 0))


FS = {
    "/": st(0o755), "/tmp": st(0o1777), "/home": st(0o755), "/srv": st(0o755),
    "/home/alice": st(0o700, ALICE), "/home/alice/.vpnlab": st(0o700, ALICE),
    "/home/alice/open": st(0o777, ALICE), "/home/alice/group": st(0o770, ALICE),
    "/home/bob": st(0o755, BOB), "/home/bob/.vpnlab": st(0o700, BOB),
    "/tmp/hA-1": st(0o700, ALICE), "/tmp/hA-open": st(0o777, ALICE),
    "/tmp/hA-sticky": st(0o1777, ALICE), "/tmp/hA-bob": st(0o755, BOB),
    "/srv/shared": st(0o777), "/srv/team": st(0o775), "/srv/sticky": st(0o1777),
    "/srv/vpnlab": st(0o755), "/srv/a-file": st(0o644, 0, stat.S_IFREG),
    "/srv/sticky/alice": st(0o700, ALICE),
}


def lstat(path):
    try:
        return FS[path]
    except KeyError:
        raise FileNotFoundError(path) from None


def same(path):
    return path


ACCEPTED = [
    # (path, running uid)
    ("/home/alice/.vpnlab", ALICE),
    ("/home/alice/.vpnlab/", ALICE),             # a trailing slash is only spelling
    ("/home/alice/.vpnlab/new/deeper", ALICE),   # missing below an accepted directory
    ("/home/alice/my labs", ALICE),              # a space is fine: nothing pastes it into a shell
    ("/tmp/hA-1", ALICE),
    ("/tmp/hA-new", ALICE),                      # the system temp dir is sticky: fine as a parent
    ("/srv/vpnlab", ALICE),                      # root's directory: root is trusted
    ("/srv/vpnlab", 0),
    ("/srv/sticky/alice/labs", ALICE),
    ("/srv/sticky/new", ALICE),
]


@pytest.mark.parametrize("path,uid", ACCEPTED)
def test_accepted(path, uid):
    assert refusal(path, uid, lstat, same) is None


REFUSED = [
    # (id, path, running uid, what the message must say)
    ("root", "/", ALICE, "'/' is the root directory"),
    ("etc", "/etc", ALICE, "'/etc' is a system directory"),
    ("under-etc", "/etc/vpnlab", 0, "inside the system directory /etc"),
    ("usr-local", "/usr/local/vpnlab", 0, "inside the system directory /usr"),
    ("proc", "/proc/self/cwd", 0, "inside the system directory /proc"),
    ("dev-shm", "/dev/shm/labs", 0, "inside the system directory /dev"),
    ("sys", "/sys/x", 0, "inside the system directory /sys"),
    ("boot", "/boot", 0, "'/boot' is a system directory"),
    ("var", "/var", 0, "'/var' is a system directory"),
    ("run", "/run", 0, "'/run' is a system directory"),
    ("home-root", "/home", 0, "'/home' is a system directory"),
    ("tmp-itself", "/tmp", ALICE, "'/tmp' is a system directory"),
    ("relative", "labs/vpnlab", ALICE, "is not an absolute path"),
    ("unexpanded-tilde", "~/.vpnlab", ALICE, "is not an absolute path"),
    ("empty", "", ALICE, "is not an absolute path"),
    ("newline", "/tmp/hA-1\n/etc", ALICE, "holds a control character ('\\n')"),
    ("tab", "/tmp/a\tb", ALICE, "holds a control character ('\\t')"),
    ("del", "/tmp/a\x7fb", ALICE, "holds a control character ('\\x7f')"),
    ("nul", "/tmp/a\x00b", ALICE, "holds a control character ('\\x00')"),
    ("dotdot", "/tmp/hA-1/../../etc", ALICE, "is not normalised"),
    ("dot", "/tmp/./hA-1", ALICE, "is not normalised"),
    ("double-slash", "/tmp//hA-1", ALICE, "is not normalised"),
    ("leading-double-slash", "//tmp/hA-1", ALICE, "is not normalised"),
    ("percent", "/tmp/hA-%h", ALICE, "'%'"),
    ("dollar", "/tmp/hA-${HOME}", ALICE, "'$'"),
    ("quote", '/tmp/hA-"x', ALICE, "'\"'"),
    ("backslash", "/tmp/hA-\\x", ALICE, "'\\\\'"),
    ("not-a-string", None, ALICE, "is not a path"),
    ("bytes", b"/tmp/hA-1", ALICE, "is not a path"),
    # who may change it
    ("root-world-writable", "/tmp/hA-open", ALICE, "/tmp/hA-open is writable by others (mode 0777)"),
    ("root-sticky-world-writable", "/tmp/hA-sticky", ALICE,
     "/tmp/hA-sticky is writable by others (mode 1777)"),
    ("root-group-writable", "/home/alice/group", ALICE, "/home/alice/group is writable by its group (mode 0770)"),
    ("below-world-writable", "/home/alice/open/labs", ALICE,
     "/home/alice/open is writable by others (mode 0777) and not sticky"),
    ("below-group-writable", "/srv/team/labs", ALICE, "/srv/team is writable by its group (mode 0775)"),
    ("below-shared", "/srv/shared/vpnlab", 0, "/srv/shared is writable by others (mode 0777)"),
    ("root-of-another-user", "/tmp/hA-bob", ALICE,
     "/tmp/hA-bob belongs to uid 1001, neither root nor the running user (uid 1000)"),
    ("below-another-user", "/home/bob/.vpnlab", ALICE, "/home/bob belongs to uid 1001"),
    # root steered by a user: the finding of issue 13
    ("root-in-a-users-home", "/home/alice/.vpnlab", 0,
     "/home/alice belongs to uid 1000, neither root nor the running user (uid 0)"),
    ("parent-not-a-dir", "/srv/a-file/labs", ALICE, "/srv/a-file is not a directory"),
    ("root-not-a-dir", "/srv/a-file", ALICE, "/srv/a-file is not a directory"),
]


@pytest.mark.parametrize("path,uid,reason", [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_refused_with_the_path_and_the_reason(path, uid, reason):
    message = refusal(path, uid, lstat, same)
    assert message is not None and reason in message, message
    assert ("state root %r" % (path,)) in message
    with pytest.raises(StateRootError) as refused:
        checked(path, uid, lstat, same)
    assert str(refused.value) == message


@pytest.mark.parametrize("path,normal", [("/home/alice/.vpnlab/", "/home/alice/.vpnlab"),
                                         ("/home/alice/.vpnlab", "/home/alice/.vpnlab")])
def test_checked_gives_the_normalised_root(path, normal):
    assert checked(path, ALICE, lstat, same) == normal


def test_text_problem_is_none_for_a_plain_path():
    assert text_problem("/root/.vpnlab") is None


# --- real directories: modes and symbolic links ------------------------------------------------

@pytest.fixture
def me():
    return os.geteuid()


def test_real_private_root_is_accepted(tmp_path, me):
    root = tmp_path / "root"
    root.mkdir(mode=0o700)
    assert refusal(str(root), me) is None
    assert refusal(str(root / "not" / "yet"), me) is None


@pytest.mark.parametrize("mode,reason", [(0o777, "writable by others (mode 0777)"),
                                         (0o775, "writable by its group (mode 0775)"),
                                         (0o1777, "writable by others (mode 1777)")])
def test_real_root_writable_by_others_is_refused(tmp_path, me, mode, reason):
    root = tmp_path / "root"
    root.mkdir()
    os.chmod(str(root), mode)
    message = refusal(str(root), me)
    assert message and reason in message and str(root) in message


def test_real_sticky_parent_is_fine_and_an_open_one_is_not(tmp_path, me):
    parent = tmp_path / "shared"
    parent.mkdir()
    (parent / "mine").mkdir(mode=0o700)
    os.chmod(str(parent), 0o1777)
    assert refusal(str(parent / "mine"), me) is None
    os.chmod(str(parent), 0o777)
    assert "%s is writable by others (mode 0777) and not sticky" % parent in refusal(str(parent / "mine"), me)


def test_a_link_to_a_system_directory_is_refused(tmp_path, me):
    (tmp_path / "etc-link").symlink_to("/etc")
    message = refusal(str(tmp_path / "etc-link"), me)
    assert message and "resolves to '/etc', a system directory" in message


def test_a_link_to_an_open_directory_is_refused(tmp_path, me):
    open_dir = tmp_path / "open"
    open_dir.mkdir()
    os.chmod(str(open_dir), 0o777)
    (tmp_path / "link").symlink_to(open_dir)
    message = refusal(str(tmp_path / "link"), me)
    assert message and "%s is writable by others" % open_dir in message


def test_a_link_to_a_private_directory_is_fine(tmp_path, me):
    (tmp_path / "real").mkdir(mode=0o700)
    (tmp_path / "link").symlink_to(tmp_path / "real")
    assert refusal(str(tmp_path / "link"), me) is None


def test_a_link_owned_by_another_user_is_refused(me):
    fs = dict(FS, **{"/tmp/hA-link": st(0o777, BOB, stat.S_IFLNK)})
    message = refusal("/tmp/hA-link", ALICE, fs.__getitem__, lambda p: "/tmp/hA-1")
    assert message and "/tmp/hA-link is a symbolic link of uid 1001" in message

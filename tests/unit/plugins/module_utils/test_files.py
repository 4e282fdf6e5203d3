# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""write_atomic: a unique temporary file (O_EXCL|O_NOFOLLOW) with the final mode, then rename."""

from __future__ import annotations

import os
import stat
import threading

import pytest

from ansible_collections.multicloud.vpnlab.plugins.module_utils import files


@pytest.mark.parametrize("mode", [0o600, 0o644, 0o400])
def test_the_file_has_its_mode_whatever_the_umask(tmp_path, mode):
    old = os.umask(0o077)
    try:
        files.write_atomic(str(tmp_path / "f"), "x", mode)
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "f").st_mode) == mode


def test_no_mode_change_after_the_content_is_written(tmp_path, monkeypatch):
    """The mode is set on the empty file (fchmod before write), never by path afterwards."""
    monkeypatch.setattr(os, "chmod", lambda *a, **k: pytest.fail("chmod by path"))
    writes = []
    real_write, real_fchmod = os.write, os.fchmod
    monkeypatch.setattr(os, "write", lambda fd, data: writes.append(fd) or real_write(fd, data))
    monkeypatch.setattr(os, "fchmod", lambda fd, mode: (not writes or pytest.fail("late chmod"))
                        and real_fchmod(fd, mode))
    files.write_atomic(str(tmp_path / "f"), "secret")
    assert (tmp_path / "f").read_text() == "secret"


def test_a_planted_fixed_temp_name_is_neither_followed_nor_used(tmp_path):
    victim = tmp_path / "victim"
    victim.write_text("untouched")
    os.symlink(victim, tmp_path / "f.new")
    files.write_atomic(str(tmp_path / "f"), "data")
    assert victim.read_text() == "untouched"
    assert (tmp_path / "f").read_text() == "data"


def test_a_symlink_at_the_target_is_replaced_not_followed(tmp_path):
    victim = tmp_path / "victim"
    victim.write_text("untouched")
    os.symlink(victim, tmp_path / "f")
    files.write_atomic(str(tmp_path / "f"), "data")
    assert victim.read_text() == "untouched"
    assert not os.path.islink(tmp_path / "f") and (tmp_path / "f").read_text() == "data"


def test_an_existing_temp_name_is_never_opened(tmp_path, monkeypatch):
    names = iter(["aaaaaaaaaaaa", "bbbbbbbbbbbb"])
    monkeypatch.setattr(files.secrets, "token_hex", lambda n: next(names))
    (tmp_path / "f.aaaaaaaaaaaa.new").write_text("someone else's")
    files.write_atomic(str(tmp_path / "f"), "mine")
    assert (tmp_path / "f.aaaaaaaaaaaa.new").read_text() == "someone else's"
    assert (tmp_path / "f").read_text() == "mine"
    assert sorted(os.listdir(tmp_path)) == ["f", "f.aaaaaaaaaaaa.new"]


def test_a_failed_write_leaves_the_old_file_and_no_temp(tmp_path, monkeypatch):
    (tmp_path / "f").write_text("old")

    def failing_fsync(fd):
        raise OSError(5, "EIO")
    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(OSError):
        files.write_atomic(str(tmp_path / "f"), "new")
    assert os.listdir(tmp_path) == ["f"] and (tmp_path / "f").read_text() == "old"


def test_concurrent_writers_never_mix(tmp_path):
    path = str(tmp_path / "f")
    texts = ["%d" % i * 5000 for i in range(8)]
    threads = [threading.Thread(target=files.write_atomic, args=(path, t)) for t in texts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert open(path).read() in texts
    assert os.listdir(tmp_path) == ["f"]


def test_the_data_is_synced_before_the_rename(tmp_path, monkeypatch):
    events = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: events.append("fsync") or real_fsync(fd))
    monkeypatch.setattr(os, "replace", lambda a, b: events.append("rename") or real_replace(a, b))
    files.write_atomic(str(tmp_path / "f"), "x")
    assert events[:2] == ["fsync", "rename"]


@pytest.mark.parametrize("name, target", [
    ("vms.json.0123456789ab.new", "vms.json"),
    ("report.md.a1b2c3d4e5f6.new", "report.md"),
    ("vms.json.new", None),
    ("vms.json.0123456789AB.new", None),
    ("vms.json.0123456789a.new", None),
    ("notes", None),
])
def test_atomic_target(name, target):
    assert files.atomic_target(name) == target


def test_update_writes_only_a_change(tmp_path):
    path = str(tmp_path / "f")
    assert files.update(path, "a") is True
    assert files.update(path, "a") is False
    assert files.update(path, "b", check_mode=True) is True
    assert open(path).read() == "a"

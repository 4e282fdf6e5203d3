# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading and writing the lab's state files: atomically, private (0600) unless told."""

from __future__ import annotations

import os
import re
import secrets

# write_atomic's temporary file beside its target: `<name>.<12 hex>.new`, unique per write, so
# two writers never share one and a crash leaves a name that atomic_target() recognises.
TEMP_RE = re.compile(r"\A(?P<target>.+)\.[0-9a-f]{12}\.new\Z")
TEMP_ATTEMPTS = 16


def read_text(path: str) -> str | None:
    """The file's text, or None when it cannot be read."""
    try:
        with open(path) as handle:
            return handle.read()
    except OSError:
        return None


def atomic_target(name: str) -> str | None:
    """The file name a leftover temporary file of write_atomic was for, or None."""
    found = TEMP_RE.match(name)
    return found.group("target") if found else None


def _create_temp(path, mode):
    directory, name = os.path.split(path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    for dummy in range(TEMP_ATTEMPTS):
        tmp = os.path.join(directory, "%s.%s.new" % (name, secrets.token_hex(6)))
        try:
            return tmp, os.open(tmp, flags, mode)
        except FileExistsError:
            continue
    raise FileExistsError("no free temporary name beside %s" % path)


def write_atomic(path: str, text: str | bytes, mode: int = 0o600) -> None:
    """Replace `path` with `text` in one step.

    The new content goes to a temporary file of its own (O_EXCL|O_NOFOLLOW: never an existing
    file or a symlink planted there), created with `mode` (set on the empty file, so the umask
    cannot narrow it and no content is ever readable with wider modes), synced, then renamed over
    `path` (rename replaces a symlink at `path`, it does not follow it).
    """
    data = text.encode("utf-8") if isinstance(text, str) else text
    tmp, descriptor = _create_temp(path, mode)
    try:
        try:
            os.fchmod(descriptor, mode)
            view = memoryview(data)
            while view:
                view = view[os.write(descriptor, view):]
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _sync_directory(os.path.dirname(path) or ".")


def _sync_directory(directory):
    try:
        descriptor = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def update(path: str, text: str, check_mode: bool = False, mode: int = 0o600) -> bool:
    """Write `text` to `path` unless it already holds it; returns whether it (would have) changed."""
    if read_text(path) == text:
        return False
    if not check_mode:
        write_atomic(path, text, mode)
    return True

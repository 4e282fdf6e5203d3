# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading and writing the lab's state files: atomically, private (0600) unless told."""

from __future__ import annotations

import os


def read_text(path):
    """The file's text, or None when it cannot be read."""
    try:
        with open(path) as handle:
            return handle.read()
    except OSError:
        return None


def write_atomic(path, text, mode=0o600):
    """Replace `path` with `text` in one step, created with `mode` (no window with wider modes)."""
    tmp = path + ".new"
    descriptor = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text)
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def update(path, text, check_mode=False, mode=0o600):
    """Write `text` to `path` unless it already holds it; returns whether it (would have) changed."""
    if read_text(path) == text:
        return False
    if not check_mode:
        write_atomic(path, text, mode)
    return True

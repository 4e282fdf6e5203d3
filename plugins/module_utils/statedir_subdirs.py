# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Subdirectories of a lab's state directory (lab_state's `directories`): made when missing,
private to the lab, only inside the state directory, never through a link or over a file.
The state directory itself and its trust rules: statedir.py."""

from __future__ import annotations

import os
from typing import Iterable

from ansible_collections.multicloud.vpnlab.plugins.module_utils.statedir import (
    DIR_MODE, StateDirError, kind_of, missing_parents,
)


def subdirectory_problem(path: str, directory: str) -> str | None:
    """Why `directory` cannot be one of the state directory `path`'s own subdirectories, or None."""
    if not os.path.isabs(directory) or os.path.normpath(directory) != directory.rstrip("/"):
        return "%s is not a normalised absolute path" % directory
    if not _inside(path, directory.rstrip("/")):
        return "%s is not inside the state directory %s" % (directory, path)
    return None


def ensure_subdirectories(path: str, directories: Iterable[str], check_mode: bool = False) -> list[str]:
    """Make the missing `directories` (absolute, inside the state directory `path`, which exists
    or would) private to the lab, outermost first; the ones made (or to make), with a trailing /.

    A component that exists must be a real directory: a symbolic link or a file is refused, so
    nothing is made through a link out of the state directory."""
    made: list[str] = []
    for directory in directories:
        problem = subdirectory_problem(path, directory)
        if problem:
            raise StateDirError("directories: " + problem)
        directory = directory.rstrip("/")
        # A dry run of a new lab: the state directory and what is above it are not there yet.
        todo = [d for d in missing_parents(directory, os.path.lexists) if _inside(path, d)]
        for existing in _components(path, directory, todo):
            if kind_of(existing) != "dir":
                raise StateDirError("directories: %s is a %s, not a directory" % (existing, kind_of(existing)))
        for new in todo:
            if new + "/" in made:
                continue
            made.append(new + "/")
            if not check_mode:
                os.mkdir(new, DIR_MODE)
                os.chmod(new, DIR_MODE)  # mkdir's mode is cut by the umask
    return made


def _inside(path, directory):
    return directory != path and os.path.commonpath([path, directory]) == path


def _components(path, directory, todo):
    """The components of `directory` below `path` that exist (not in `todo`)."""
    out = []
    while _inside(path, directory):
        if directory not in todo:
            out.append(directory)
        directory = os.path.dirname(directory)
    return out

# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The state root: the directory holding one state directory per lab, and when it may be used.

The root comes from the user (the ``state_root`` option, else ``$VPNLAB_HOME``, else
``~/.vpnlab``), the lab runs as root, keeps its secrets there and later trusts what it finds
there (pid files, ``vms.json`` with the SSH ProxyCommand). So the root is checked before
anything else (by lab_plan, the inventory plugin and lab_state), and refused, naming the path
and the reason, unless:

- its text is a plain absolute path: normalised (no ``.``, ``..`` or ``//``), no control
  character, none of ``%``, ``$``, ``"`` or ``\\`` (ssh expands the first two in file names, and
  the configuration files the lab writes cannot quote the others); a trailing ``/`` is only
  spelling;
- it is neither ``/`` nor a system directory (SYSTEM_DIRS), nor inside one that is never a
  place for state (SYSTEM_TREES), as written or behind symbolic links;
- nobody but root and the running user can change it: the root and each existing parent, as
  written and as resolved, belong to root or the running user and are not writable by group or
  others. A parent may be writable by others when it is sticky (the system's temp directory:
  others may add entries, not replace ours); the root itself never. A symbolic link on the way
  must belong to root or the running user too.

Pure but for the file system look-ups, which the callers may pass in (tests give a table).
"""

from __future__ import annotations

import os
import stat
from typing import Any, Callable, TypeVar, overload

T = TypeVar("T")
Lstat = Callable[[str], os.stat_result]
Realpath = Callable[[str], str]

# Never a state root themselves (a lab would live next to the system's own directories).
SYSTEM_DIRS = frozenset((
    "/", "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib32", "/lib64", "/libx32",
    "/media", "/mnt", "/opt", "/proc", "/run", "/run/user", "/sbin", "/snap", "/srv", "/sys",
    "/tmp", "/usr", "/var", "/var/cache", "/var/lib", "/var/log", "/var/run", "/var/tmp",
))
# Never anywhere below these: the system's files, kernel views and devices.
SYSTEM_TREES = ("/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32",
                "/proc", "/sbin", "/sys", "/usr")
# Characters a path may not hold although a file name may: ssh expands '%' tokens and '${VAR}'
# in IdentityFile, UserKnownHostsFile and ControlPath; '"' and '\\' cannot be quoted in
# sshd_config, ssh_config and strongswan.conf values.
UNQUOTABLE = '%$"\\'
WRITE_BY_OTHERS = stat.S_IWGRP | stat.S_IWOTH
WHAT = "(the state_root option, else VPNLAB_HOME, else ~/.vpnlab)"


class StateRootError(Exception):
    """The state root may not be used; nothing was created or changed."""


@overload
def normalised(path: str) -> str: ...


@overload
def normalised(path: T) -> T: ...


def normalised(path: Any) -> Any:
    """The path without trailing slashes (but '/')."""
    return path.rstrip("/") or "/" if isinstance(path, str) else path


def text_problem(path: object) -> str | None:
    """Why the text of `path` is not a usable state root, or None."""
    if not isinstance(path, str):
        return "it is not a path (%s)" % type(path).__name__
    control = [c for c in path if ord(c) < 32 or ord(c) == 127]
    if control:
        return "it holds a control character (%r)" % control[0]
    if not os.path.isabs(path):
        return "it is not an absolute path"
    path = normalised(path)
    if path.startswith("//") or os.path.normpath(path) != path:
        return "it is not normalised ('.', '..' or '//' in it): write it as %r" % (
            "/" + os.path.normpath(path).lstrip("/"),)
    odd = [c for c in path if c in UNQUOTABLE]
    if odd:
        return ("it holds %r, which ssh expands in file names or its configuration files cannot "
                "quote" % odd[0])
    return system_problem(path)


def system_problem(path: str, resolved: bool = False) -> str | None:
    """Why `path` (normalised) is a system place, or None."""
    lead = "it resolves to %r, " % path if resolved else "%r " % path
    if path == "/":
        return lead + ("the root directory" if resolved else "is the root directory")
    if path in SYSTEM_DIRS:
        return lead + ("a system directory" if resolved else "is a system directory")
    for tree in SYSTEM_TREES:
        if path.startswith(tree + "/"):
            return ("it resolves to %r, " % path if resolved else "it is ") + \
                "inside the system directory %s" % tree
    return None


def prefixes(path: str) -> list[str]:
    """'/', then each longer prefix of the absolute, normalised `path`, ending with it."""
    parts = [p for p in path.split("/") if p]
    return ["/"] + ["/" + "/".join(parts[:i]) for i in range(1, len(parts) + 1)]


def entry_problem(path: str, st: os.stat_result, uid: int, is_root: bool) -> str | None:
    """Why the existing directory `path`, as `st` shows it, lets others change the root."""
    if stat.S_ISLNK(st.st_mode):
        if st.st_uid not in (0, uid):
            return ("%s is a symbolic link of uid %d, neither root nor the running user (uid %d)"
                    % (path, st.st_uid, uid))
        return None
    if not stat.S_ISDIR(st.st_mode):
        return "%s is not a directory" % path
    if st.st_uid not in (0, uid):
        return "%s belongs to uid %d, neither root nor the running user (uid %d)" % (
            path, st.st_uid, uid)
    mode = stat.S_IMODE(st.st_mode)
    if mode & WRITE_BY_OTHERS and (is_root or not mode & stat.S_ISVTX):
        who = "others" if mode & stat.S_IWOTH else "its group"
        return "%s is writable by %s (mode %04o)%s" % (
            path, who, mode, "" if is_root else " and not sticky")
    return None


def walk_problem(path: str, uid: int, lstat: Lstat, links_only: bool) -> str | None:
    """The first problem of `path`'s existing prefixes, outermost first."""
    for prefix in prefixes(path):
        try:
            st = lstat(prefix)
        except (FileNotFoundError, NotADirectoryError):
            return None
        if links_only and not stat.S_ISLNK(st.st_mode):
            continue
        problem = entry_problem(prefix, st, uid, prefix == path)
        if problem:
            return problem
    return None


def problem(path: object, uid: int | None = None, lstat: Lstat = os.lstat,
            realpath: Realpath = os.path.realpath) -> str | None:
    """Why `path` may not be the state root, or None. `uid` is the running user's."""
    reason = text_problem(path)
    if reason:
        return reason
    if not isinstance(path, str):  # text_problem refuses anything else
        raise AssertionError("not a text path: %r" % (path,))
    uid = os.geteuid() if uid is None else uid
    path = normalised(path)
    real = realpath(path)
    if real != path:
        # The links on the way are checked as written; what they lead to, as resolved.
        reason = walk_problem(path, uid, lstat, links_only=True) or system_problem(real, True)
        if reason:
            return reason
    return walk_problem(real, uid, lstat, links_only=False)


def refusal(path: object, uid: int | None = None, lstat: Lstat = os.lstat,
            realpath: Realpath = os.path.realpath) -> str | None:
    """The message refusing `path` as the state root (naming it and the reason), or None."""
    reason = problem(path, uid, lstat, realpath)
    if reason is None:
        return None
    return ("Refusing the state root %r %s: %s. Nothing was created or changed. Use a directory "
            "that only root or you can change, such as ~/.vpnlab." % (path, WHAT, reason))


def checked(path: object, uid: int | None = None, lstat: Lstat = os.lstat,
            realpath: Realpath = os.path.realpath) -> str:
    """`path` normalised, or StateRootError with the refusal."""
    message = refusal(path, uid, lstat, realpath)
    if message:
        raise StateRootError(message)
    if not isinstance(path, str):  # refusal refuses anything else
        raise AssertionError("not a text path: %r" % (path,))
    return normalised(path)

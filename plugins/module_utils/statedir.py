# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab's state directory: created and marked as the lab's own, emptied only when marked.

A lab's state lives in `<VPNLAB_HOME>/<lab>/`, a path the user chooses. The path says nothing
about who made the directory (`VPNLAB_HOME=~` and a lab called `projects` name the user's own
`~/projects`), so the lab writes an ownership marker when it creates the directory, and:

- creating: a missing directory is made (parents too, 0700) and marked; an existing empty one
  of the running user that nobody else can write to is marked (and made 0700); one that is the
  lab's own (below) is used as it is; anything else (not empty and unmarked, marked for another
  lab, another user's, writable by others, a symbolic link, not a directory) is refused, with
  nothing written and no mode changed;
- emptying: a missing directory needs nothing; one that is not the lab's own is refused, with
  nothing deleted; in the lab's own only the entries the lab writes (KNOWN_ENTRIES) are removed,
  kept entries stay, unknown ones are left and reported, and the directory and its marker go
  only when nothing else is left.

A directory is the lab's own only when all of these hold, since the lab runs as root and trusts
what it finds there (pid files, vms.json with the SSH ProxyCommand): it and its marker belong
to the running user, neither is writable by group or others, neither is a symbolic link, and
the marker names the lab (`untrusted`). The inventory plugin lists only such directories. Its
parent, the state root, is checked first (module_utils/stateroot.py).

The marker also records the lab's expiry (``expires``, ``expiry_days``: see plan.expiry) from
when the lab creates the directory, so that later runs tag the resources with the same date; a
changed expiry is recorded again, and an emptied directory that stays (reports kept) forgets it,
as its resources are gone.

Symbolic links are never followed: the lab writes none, so a link in the directory is an
unknown entry (left in place), and a state directory that is a link is refused.
Target-neutral: the targets add their own top-level entries to KNOWN_ENTRIES, nothing else.
"""

from __future__ import annotations

import datetime
import errno
import fnmatch
import json
import os
import re
import shutil
import stat
from typing import Any, Callable, Dict, Iterable, Mapping, Optional

from ansible_collections.multicloud.vpnlab.plugins.module_utils.files import atomic_target, write_atomic
from ansible_collections.multicloud.vpnlab.plugins.module_utils.handoff import FILE as HANDOFF_FILE
from ansible_collections.multicloud.vpnlab.plugins.module_utils.ownership import MANAGER as MANAGED_BY
from ansible_collections.multicloud.vpnlab.plugins.module_utils.stateroot import refusal as root_refusal

# What `observe` sees of a path: see `refusal`.
Seen = Dict[str, Any]
# A marker's expiry: {expires (ISO date), days (or None)}.
Expiry = Dict[str, Optional[Any]]

MARKER = ".vpnlab-lab"
DIR_MODE = 0o700
MARKER_MODE = 0o600
# Top-level entries a lab writes in its state directory, as shell-style globs; a trailing '/'
# means a real directory, otherwise a regular file. Nothing else is ever removed.
KNOWN_ENTRIES = (
    # The lab's SSH key and what lets the controller and a user reach the VMs.
    "id_ed25519", "id_ed25519.pub", "authorized_keys", "known_hosts", "ssh_config",
    # The VM list the inventory plugin reads, the (emulated) AWS VPN connection with its PSKs.
    "vms.json", "vpn-connection.json", "vpn-connections.json",
    # The cloud target's hand-off record between the build's steps (module_utils/handoff.py).
    HANDOFF_FILE,
    # The connectivity check's reports.
    "report.*",
    # Local target: each emulated gateway's strongSwan, each VM's sshd, each BGP speaker's FRR.
    "gateways/", "vms/", "bgp/",
    # Cloud target: whatever it records about the resources it created.
    "cloud/",
)
# The rehearsal's own entries (tests/rehearsal, make rehearse): a lab torn down while its
# rehearsal runs keeps them, as it keeps the reports; the rehearsal removes them when it stops.
REHEARSAL_ENTRIES = ("rehearsal.json", "rehearsal/")
DEFAULT_KEEP = ("report.json", "report.md", "report.html")
LAB_RE = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9_.-]{0,62}\Z")  # whole string: no final newline
KINDS = {stat.S_IFDIR: "dir", stat.S_IFREG: "file", stat.S_IFLNK: "link"}
WRITE_BY_OTHERS = stat.S_IWGRP | stat.S_IWOTH
# What a refusal says, by what was asked: (the action, what was not done).
ACTIONS = {
    "create": ("use %s as the state directory of lab %r", "Nothing was written."),
    "empty": ("empty %s for lab %r", "Nothing was deleted."),
    "read": ("read %s as the state directory of lab %r", "Nothing was read."),
}


class StateDirError(Exception):
    """The state directory may not be used or emptied; nothing was changed."""


# --- pure: decisions on observations ---------------------------------------------------------

def lab_problems(lab: object) -> list[str]:
    if not isinstance(lab, str) or not LAB_RE.fullmatch(lab):
        return ["lab=%r: must be 1 to 63 letters, digits, '_', '.' or '-', starting with a "
                "letter or digit" % (lab,)]
    return []


def path_problems(path: object) -> list[str]:
    if not isinstance(path, str) or not os.path.isabs(path):
        return ["path=%r: must be an absolute path" % (path,)]
    if os.path.normpath(path) == "/":
        return ["path='/': the root directory is never a lab's state directory"]
    return []


def marker_text(lab: str, expiry: Mapping[str, Any] | None = None) -> str:
    doc: dict[str, Any] = {"lab": lab, "managed_by": MANAGED_BY}
    if expiry:
        doc.update(expires=expiry["expires"], expiry_days=expiry.get("days"))
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def marker_expiry(text: str | None) -> Expiry | None:
    """The expiry a marker records, ``{expires, days}``, or None (none, or not an ISO date)."""
    if text is None:
        return None
    try:
        doc = json.loads(text)
        expires = datetime.date.fromisoformat(str(doc["expires"])).isoformat()
    except (TypeError, ValueError, KeyError):
        return None
    days = doc.get("expiry_days")
    return {"expires": expires, "days": days if isinstance(days, int) else None}


def marker_owner(text: str | None) -> str | None:
    """The lab named by a marker's text, or None when the text is not a marker of ours."""
    if text is None:
        return None
    try:
        doc = json.loads(text)
    except (TypeError, ValueError):
        return None
    if not isinstance(doc, dict) or doc.get("managed_by") != MANAGED_BY:
        return None
    lab = doc.get("lab")
    return lab if isinstance(lab, str) and lab else None


def is_known(name: str, kind: str) -> bool:
    """Whether the lab writes a top-level entry `name` of this kind (dir, file, link, other)."""
    for pattern in KNOWN_ENTRIES:
        if pattern.endswith("/"):
            if kind == "dir" and fnmatch.fnmatchcase(name, pattern[:-1]):
                return True
        # files.write_atomic writes a unique temporary file next to its target and renames it;
        # a crash in between leaves it behind (atomic_target names the file it was for).
        elif kind == "file":
            target = atomic_target(name)
            if fnmatch.fnmatchcase(name, pattern) or (target is not None and fnmatch.fnmatchcase(target, pattern)):
                return True
    return False


def shown(name: str, kind: str) -> str:
    return name + "/" if kind == "dir" else name


def writable_by(mode: int) -> str | None:
    """'others', 'its group' or None: who but the owner may write, by a mode."""
    if mode & stat.S_IWOTH:
        return "others"
    return "its group" if mode & stat.S_IWGRP else None


def ownership_problem(seen: Mapping[str, Any], uid: int) -> str | None:
    """Why a directory as `seen` (a real one) may hold no lab's state: someone but the running
    user `uid` made it or can change it or its marker. None when nobody can."""
    if seen["uid"] != uid:
        return "it belongs to uid %d, not to the running user (uid %d)" % (seen["uid"], uid)
    who = writable_by(seen["mode"])
    if who:
        return "it is writable by %s (mode %04o)" % (who, stat.S_IMODE(seen["mode"]))
    if seen["marker_kind"] == "file":
        if seen["marker_uid"] != uid:
            return "its %s marker belongs to uid %d, not to the running user (uid %d)" % (
                MARKER, seen["marker_uid"], uid)
        who = writable_by(seen["marker_mode"])
        if who:
            return "its %s marker is writable by %s (mode %04o)" % (
                MARKER, who, stat.S_IMODE(seen["marker_mode"]))
    return None


def untrusted(seen: Mapping[str, Any], lab: str, uid: int | None = None) -> str | None:
    """Why a directory as `seen` is not `lab`'s own (the reason alone), or None when it is."""
    found = why_not(lab, seen, False, os.geteuid() if uid is None else uid)
    return found and found[0]


def why_not(lab: str, seen: Mapping[str, Any], creating: bool, uid: int) -> tuple[str, str] | None:
    """(reason, advice): why a directory as `seen` may not be used (creating) or emptied (or
    read) for `lab` by the running user `uid`; None when it may."""
    kind = seen["kind"]
    if kind == "missing":
        return None
    if kind == "link":
        return ("it is a symbolic link, and the lab never follows one",
                "Set VPNLAB_HOME to the real directory instead.")
    if kind != "dir":
        return ("it exists and is not a directory", "Choose another VPNLAB_HOME or vpnlab_name.")
    problem = ownership_problem(seen, uid)
    if problem:
        return (problem, "A lab's state directory belongs to the user running the lab and nobody "
                "else can write to it or its marker: check who made it, or choose another "
                "VPNLAB_HOME or vpnlab_name.")
    if seen["marker"] is None and seen["marker_kind"] is None:
        if creating and not seen["entries"]:
            return None
        return ("it %shas no %s marker, so multicloud.vpnlab did not create it (it holds: %s)"
                % ("is not empty and " if creating else "", MARKER, listing(seen["entries"])),
                "Check VPNLAB_HOME and vpnlab_name, or move the directory away. If it is a lab "
                "built by a version without the marker, check its contents and delete it by hand.")
    owner = marker_owner(seen["marker"]) if seen["marker_kind"] == "file" else None
    if owner is None:
        return ("its %s is not a marker written by %s" % (MARKER, MANAGED_BY),
                "Check that file and the directory by hand.")
    if owner != lab:
        return ("its %s marker says it belongs to lab %r" % (MARKER, owner),
                "Use vpnlab_name=%s for that lab, or another name for this one." % owner)
    return None


def refusal(path: str, lab: str, seen: Mapping[str, Any], creating: bool, uid: int | None = None,
            action: str | None = None) -> str | None:
    """Why the directory at `path`, as `seen`, may not be used (creating) or emptied for `lab`
    by the running user `uid` (the process's by default). None when it may.

    `seen` is {kind: missing|dir|file|link|other, entries: {name: kind}, marker: text or None,
    marker_kind, and for a directory uid, mode, marker_uid, marker_mode}. `action` (see ACTIONS)
    words the message; by default "create" or "empty" after `creating`.
    """
    found = why_not(lab, seen, creating, os.geteuid() if uid is None else uid)
    if found is None:
        return None
    what, nothing = ACTIONS[action or ("create" if creating else "empty")]
    return "Refusing to %s: %s. %s %s" % (what % (path, lab), found[0], nothing, found[1])


def listing(entries: Mapping[str, str], limit: int = 5) -> str:
    names = sorted(shown(n, k) for n, k in entries.items())
    more = " and %d more" % (len(names) - limit) if len(names) > limit else ""
    return ", ".join(names[:limit]) + more if names else "nothing"


def sort_entries(entries: Mapping[str, str], keep: Iterable[str]) -> dict[str, list[str]]:
    """{kept, remove, left}: the names (directories with '/') of a marked state directory's
    entries (the marker excluded), each sorted."""
    out: dict[str, list[str]] = {"kept": [], "remove": [], "left": []}
    for name, kind in entries.items():
        if any(fnmatch.fnmatchcase(name, pattern) for pattern in keep) or shown(name, kind) in REHEARSAL_ENTRIES:
            out["kept"].append(shown(name, kind))
        elif is_known(name, kind):
            out["remove"].append(shown(name, kind))
        else:
            out["left"].append(shown(name, kind))
    return {key: sorted(names) for key, names in out.items()}


def missing_parents(path: str, exists: Callable[[str], bool]) -> list[str]:
    """The directories to create for `path`, outermost first (`exists` tells which exist)."""
    todo = []
    while not exists(path):
        todo.append(path)
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    return todo[::-1]


# --- the file system ----------------------------------------------------------------------

def kind_of(path: str) -> str:
    try:
        mode = os.lstat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return "missing"
    return KINDS.get(stat.S_IFMT(mode), "other")


def observe(path: str) -> Seen:
    """What `path` is, without following a symbolic link: see `refusal`."""
    seen: Seen = {"kind": kind_of(path), "entries": {}, "marker": None, "marker_kind": None,
                  "uid": None, "mode": None, "marker_uid": None, "marker_mode": None}
    if seen["kind"] != "dir":
        return seen
    st = os.lstat(path)
    seen.update(uid=st.st_uid, mode=st.st_mode)
    for name in os.listdir(path):
        if name == MARKER:
            seen["marker_kind"] = kind_of(os.path.join(path, name))
        else:
            seen["entries"][name] = kind_of(os.path.join(path, name))
    if seen["marker_kind"] == "file":
        seen["marker"], marker_st = _read_marker(os.path.join(path, MARKER))
        if marker_st is None:  # gone or replaced by something that is not a file meanwhile
            seen["marker_kind"] = "other"
        else:
            seen.update(marker_uid=marker_st.st_uid, marker_mode=marker_st.st_mode)
    return seen


def _read_marker(path):
    """(text, stat) of the marker, read and stat'ed through one descriptor; ("", None) when it
    is no longer a regular file."""
    # O_NOFOLLOW: the marker was a regular file a moment ago and must still be one.
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return "", None
    with os.fdopen(descriptor) as handle:
        st = os.fstat(descriptor)
        if not stat.S_ISREG(st.st_mode):
            return "", None
        return handle.read(4096), st


def read_own(path: str, uid: int | None = None, limit: int = 1 << 20) -> str:
    """The text of a file in a lab's state directory, read only when it is a regular file of the
    running user that nobody else can write to, never through a symbolic link; StateDirError
    with the reason otherwise (OSError when it cannot be opened, ValueError when not UTF-8)."""
    name = os.path.basename(path)
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise StateDirError("%s is a symbolic link, and the lab never follows one" % name) from None
        raise
    uid = os.geteuid() if uid is None else uid
    with os.fdopen(descriptor, "rb") as handle:
        st = os.fstat(descriptor)
        if not stat.S_ISREG(st.st_mode):
            raise StateDirError("%s is not a regular file" % name)
        if st.st_uid != uid:
            raise StateDirError("%s belongs to uid %d, not to the running user (uid %d)" % (name, st.st_uid, uid))
        who = writable_by(st.st_mode)
        if who:
            raise StateDirError("%s is writable by %s (mode %04o)" % (name, who, stat.S_IMODE(st.st_mode)))
        return handle.read(limit).decode("utf-8")


def is_marked(path: str, lab: str) -> bool:
    """Whether `path` is `lab`'s own state directory: a real directory carrying `lab`'s marker,
    it and the marker the running user's and writable by nobody else, in a sound state root."""
    try:
        seen = observe(path) if not _problems(path, lab) else None
    except OSError:
        return False
    return seen is not None and seen["kind"] == "dir" and seen["marker"] is not None and \
        refusal(path, lab, seen, creating=False) is None


def recorded_expiry(path: str, lab: str) -> Expiry | None:
    """The expiry recorded in `lab`'s marker at `path`, or None (no directory, not the lab's,
    nothing recorded). Never raises on a missing or foreign directory: the plan asks first."""
    try:
        seen = observe(path) if not _problems(path, lab) else None
    except OSError:
        return None
    if not seen or seen["kind"] != "dir" or seen["marker"] is None or \
            refusal(path, lab, seen, creating=False) is not None:
        return None
    return marker_expiry(seen["marker"])


def _problems(path, lab):
    """The arguments' problems, then the state root's (the directory's parent)."""
    problems = lab_problems(lab) + path_problems(path)
    if not problems:
        refused = root_refusal(os.path.dirname(os.path.normpath(path)))
        problems += [refused] if refused else []
    return problems


def _checked(path, lab, keep=None):
    problems = _problems(path, lab)
    if keep is not None and not (isinstance(keep, (list, tuple))
                                 and all(isinstance(k, str) for k in keep)):
        problems.append("keep=%r: must be a list of file name patterns" % (keep,))
    if problems:
        raise StateDirError("; ".join(problems))
    return os.path.normpath(path)


def _result(path):
    return {"changed": False, "path": path, "created": [], "removed": [], "kept": [], "left": []}


def ensure_present(path: str, lab: str, check_mode: bool = False,
                   expiry: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Create and mark the state directory, or accept it; {changed, created, expiry, ...}.

    `expiry` ({expires, days}, the plan's) is recorded in the marker when it differs from what
    the marker records; without it the marker's record stays as it is. Subdirectories:
    statedir_subdirs.py.
    """
    path = _checked(path, lab)
    seen = observe(path)
    problem = refusal(path, lab, seen, creating=True)
    if problem:
        raise StateDirError(problem)
    marker = os.path.join(path, MARKER)
    result = _result(path)
    wanted = {"expires": expiry["expires"], "days": expiry.get("days")} if expiry else None
    if seen["kind"] == "dir" and seen["marker"] is not None:
        recorded = marker_expiry(seen["marker"])
        result["expiry"] = recorded
        if wanted is None or recorded == wanted:
            return result
        result.update(changed=True, expiry=wanted)
        if not check_mode:
            write_atomic(marker, marker_text(lab, wanted), MARKER_MODE)
        return result
    dirs = missing_parents(path, os.path.lexists)
    result.update(changed=True, created=[d + "/" for d in dirs] + [marker], expiry=wanted)
    if check_mode:
        return result
    for directory in dirs:
        os.mkdir(directory, DIR_MODE)
        os.chmod(directory, DIR_MODE)  # mkdir's mode is cut by the umask
    if not dirs:  # an existing empty directory becomes the lab's: private, as secrets go there
        os.chmod(path, DIR_MODE)
    write_atomic(marker, marker_text(lab, wanted), MARKER_MODE)
    return result


def ensure_absent(path: str, lab: str, keep: Iterable[str] = DEFAULT_KEEP, check_mode: bool = False) -> dict[str, Any]:
    """Remove what the lab wrote in its state directory; {changed, removed, kept, left, ...}.

    `left` lists the entries the lab does not know, left in place; `removed` names removed
    entries (directories with '/'), then the marker and the directory itself when they went.
    """
    path = _checked(path, lab, keep)
    seen = observe(path)
    result = _result(path)
    if seen["kind"] == "missing":
        return result
    problem = refusal(path, lab, seen, creating=False)
    if problem:
        raise StateDirError(problem)
    sorted_entries = sort_entries(seen["entries"], keep)
    result.update(kept=sorted_entries["kept"], left=sorted_entries["left"],
                  removed=list(sorted_entries["remove"]))
    if not sorted_entries["kept"] and not sorted_entries["left"]:
        result["removed"] += [MARKER, path + "/"]
    result["changed"] = bool(result["removed"])
    if check_mode:
        return result
    for name in sorted_entries["remove"]:
        _remove(os.path.join(path, name.rstrip("/")))
    still = [n for n in sorted_entries["remove"] if os.path.lexists(os.path.join(path, n.rstrip("/")))]
    if still:
        raise StateDirError("Left after emptying %s: %s" % (path, ", ".join(still)))
    if MARKER in result["removed"]:
        appeared = _remove_marked_dir(path, lab)
        if appeared:
            result.update(removed=result["removed"][:-2], left=appeared)
    elif marker_expiry(seen["marker"]) is not None:
        # The directory stays (kept reports): its resources are gone, and so is their expiry.
        write_atomic(os.path.join(path, MARKER), marker_text(lab), MARKER_MODE)
    return result


def _remove_marked_dir(path, lab):
    """Remove the marker and the directory; [] then. If entries appeared meanwhile, keep both
    and return the entries."""
    marker = os.path.join(path, MARKER)
    os.unlink(marker)
    try:
        os.rmdir(path)
    except OSError:
        write_atomic(marker, marker_text(lab), MARKER_MODE)
        return sorted(shown(n, k) for n, k in observe(path)["entries"].items())
    return []


def _remove(path):
    """Remove a file, a link (never what it points to) or a directory tree."""
    if kind_of(path) == "dir":
        # rmtree refuses a symbolic link and never follows one inside the tree.
        shutil.rmtree(path)
    else:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass

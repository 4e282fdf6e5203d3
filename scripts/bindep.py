# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Print the Debian packages of bindep.txt for some profiles, one a line (the Makefile's reader).

    python3 scripts/bindep.py make lab        # the profiles `make lab` installs

The Makefile runs this with the system python3, before .venv/ exists (as root on a fresh Debian):
so it loads plugins/module_utils/bindep.py, the collection's one reader of the file (the
bindep_packages filter uses it too), from its path, and imports nothing but the standard library.
A line outside the supported subset exits 1 naming it. ``--platform rpm`` reads the RPM lines.
"""

from __future__ import annotations

import importlib.util
import os
import sys

READER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "plugins", "module_utils", "bindep.py")


def main(argv: list[str]) -> int:
    platform = "dpkg"
    if argv[:1] == ["--platform"] and len(argv) > 1:
        platform, argv = argv[1], argv[2:]
    spec = importlib.util.spec_from_file_location("vpnlab_bindep", READER)
    reader = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(reader)
    try:
        names = reader.read(argv, platform)
    except (OSError, ValueError) as exc:
        print("vpnlab: %s" % exc, file=sys.stderr)
        return 1
    sys.stdout.write("".join(name + "\n" for name in names))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

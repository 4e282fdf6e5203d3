# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# shellcheck shell=bash
# What the before/after benchmarks (ab_*.sh) share, sourced by them: an older commit checked out
# in a worktree and linked in as the collection, rounds that alternate which tree goes first,
# and the medians of what each round printed. Not run on its own.
#
#   ab_setup <old-commit> <prefix>     sets new_tree, work (a fresh directory under /tmp) and
#                                      work/old (the old tree), work/coll (its collections path)
#   ab_remove                          removes the worktree and work (for the caller's trap)
#   ab_rounds <rounds> <function>      calls `function tree collections-path tag` for old and
#                                      new in each round, old first in odd rounds
#   ab_medians <results> <names...>    per name, old and new medians (ranges) and the change,
#                                      from lines "tag name=value ..." in <results>

ab_setup() {
    new_tree=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
    work=$(mktemp -d "/tmp/$2-XXXXXX")
    git -C "$new_tree" worktree add -q --detach "$work/old" "$1"
    mkdir -p "$work/coll/ansible_collections/multicloud"
    ln -s "$work/old" "$work/coll/ansible_collections/multicloud/vpnlab"
}

ab_remove() {
    git -C "$new_tree" worktree remove --force "$work/old"
    rm -rf "$work"
}

ab_rounds() {
    local round
    for round in $(seq "$1"); do
        if [ $((round % 2)) = 1 ]; then
            "$2" "$work/old" "$work/coll" old
            "$2" "$new_tree" "" new
        else
            "$2" "$new_tree" "" new
            "$2" "$work/old" "$work/coll" old
        fi
    done
}

ab_medians() {
    python3 - "$@" <<'PY'
import re, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    tag, *fields = line.split()
    for field in fields:
        name, _, value = field.partition("=")
        if re.fullmatch(r"[\d.]+", value):
            runs.setdefault(tag, {}).setdefault(name, []).append(float(value))
for step in sys.argv[2:]:
    old, new = (runs.get(t, {}).get(step, []) for t in ("old", "new"))
    if old and new:
        print("%-9s old %6.2f (%.1f-%.1f)  new %6.2f (%.1f-%.1f)  change %+.2f s" % (
            step, statistics.median(old), min(old), max(old), statistics.median(new), min(new),
            max(new), statistics.median(new) - statistics.median(old)))
PY
}

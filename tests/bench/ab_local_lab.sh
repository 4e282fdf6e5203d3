#!/usr/bin/env bash
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Before/after benchmark of the local lab: the same four playbooks (build, idempotent re-run,
# check, teardown) from an older commit and from this tree, in alternating rounds (old first in
# odd rounds, new first in even ones), so that both meet the same machine load. One line per
# round and tree, then the medians. Prints figures, asserts nothing.
#
#   bash tests/bench/ab_local_lab.sh <old-commit> [rounds]        (as root, packages installed)
#
# The old commit is checked out in a worktree under /tmp and linked in as the collection
# (ANSIBLE_COLLECTIONS_PATH) for its rounds; each run has a VPNLAB_HOME of its own (lab `ab`),
# so a lab built with `make lab` is not touched. Both trees run this tree's .venv.
set -eu
old=${1:?usage: ab_local_lab.sh <old-commit> [rounds]}
rounds=${2:-4}
new_tree=$(cd "$(dirname "$0")/../.." && pwd)
playbook=$new_tree/.venv/bin/ansible-playbook
work=$(mktemp -d /tmp/vpnlab-ab-XXXXXX)
git -C "$new_tree" worktree add -q --detach "$work/old" "$old"
mkdir -p "$work/coll/ansible_collections/multicloud"
ln -s "$work/old" "$work/coll/ansible_collections/multicloud/vpnlab"
trap 'git -C "$new_tree" worktree remove --force "$work/old"; rm -rf "$work"' EXIT

one_run() {  # tree collections-path tag
    local tree=$1 coll=$2 tag=$3 line=$3 step name book began ended
    local home
    home=$(mktemp -d "$work/home-XXXXXX")
    for step in build:site rerun:site check:check teardown:teardown; do
        name=${step%%:*}
        book=${step##*:}
        began=$(date +%s.%N)
        if ! (cd "$tree" && env VPNLAB_HOME="$home" ANSIBLE_CONFIG="$tree/ansible.cfg" \
                ${coll:+ANSIBLE_COLLECTIONS_PATH=$coll} \
                "$playbook" "playbooks/$book.yml" -e vpnlab_name=ab > "$work/$tag.$name.out" 2>&1); then
            line="$line FAILED:$name(see $work/$tag.$name.out)"
        fi
        ended=$(date +%s.%N)
        line="$line $name=$(printf %.1f "$(echo "$ended - $began" | bc)")"
    done
    rm -rf "$home"
    echo "$line" | tee -a "$work/results"
}

for round in $(seq "$rounds"); do
    if [ $((round % 2)) = 1 ]; then
        one_run "$work/old" "$work/coll" old
        one_run "$new_tree" "" new
    else
        one_run "$new_tree" "" new
        one_run "$work/old" "$work/coll" old
    fi
done

echo "medians over $rounds rounds (old = $old, new = $(git -C "$new_tree" rev-parse --short HEAD)):"
python3 - "$work/results" <<'EOF'
import re, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    tag, *fields = line.split()
    for field in fields:
        name, _, value = field.partition("=")
        if re.fullmatch(r"[\d.]+", value):
            runs.setdefault(tag, {}).setdefault(name, []).append(float(value))
for step in ("build", "rerun", "check", "teardown"):
    old, new = (runs.get(t, {}).get(step, []) for t in ("old", "new"))
    if old and new:
        print("%-9s old %5.2f (%.1f-%.1f)  new %5.2f (%.1f-%.1f)  change %+.2f s" % (
            step, statistics.median(old), min(old), max(old), statistics.median(new), min(new),
            max(new), statistics.median(new) - statistics.median(old)))
EOF

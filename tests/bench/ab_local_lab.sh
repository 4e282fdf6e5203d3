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
# shellcheck source=tests/bench/ab_common.sh
. "$(dirname "$0")/ab_common.sh"
ab_setup "$old" vpnlab-ab
playbook=$new_tree/.venv/bin/ansible-playbook
trap ab_remove EXIT

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

ab_rounds "$rounds" one_run

echo "medians over $rounds rounds (old = $old, new = $(git -C "$new_tree" rev-parse --short HEAD)):"
ab_medians "$work/results" build rerun check teardown

#!/usr/bin/env bash
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Before/after benchmark of the cloud build's schedule (bench_cloud_schedule.py: AWS on moto,
# Azure on the double, gateway delay D): an older commit against this tree, in alternating rounds
# (old first in odd rounds, new first in even ones), so that both meet the same machine load. One
# line per round and tree (total, before the gateway started, after it was ready), then the
# medians. Prints figures, asserts nothing.
#
#   bash tests/bench/ab_cloud_schedule.sh <old-commit> [rounds] [delay]   (as root, make cloud-deps done)
#
# The old commit is checked out in a worktree under /tmp and linked in as the collection
# (ANSIBLE_COLLECTIONS_PATH) for its rounds. Both trees run this tree's .venv (VPNLAB_BIN).
set -eu
old=${1:?usage: ab_cloud_schedule.sh <old-commit> [rounds] [delay]}
rounds=${2:-2}
delay=${3:-120}
new_tree=$(cd "$(dirname "$0")/../.." && pwd)
python=$new_tree/.venv/bin/python
work=$(mktemp -d /tmp/vpnlab-ab-XXXXXX)
git -C "$new_tree" worktree add -q --detach "$work/old" "$old"
mkdir -p "$work/coll/ansible_collections/multicloud"
ln -s "$work/old" "$work/coll/ansible_collections/multicloud/vpnlab"
trap 'git -C "$new_tree" worktree remove --force "$work/old"; rm -rf "$work"' EXIT

one_run() {  # tree collections-path tag
    local tree=$1 coll=$2 tag=$3 out
    out="$work/$tag.$(date +%s).out"
    if ! (cd "$tree" && env VPNLAB_BIN="$new_tree/.venv/bin" ${coll:+ANSIBLE_COLLECTIONS_PATH=$coll} \
            "$python" tests/bench/bench_cloud_schedule.py --delay "$delay" > "$out" 2>&1); then
        echo "$tag FAILED:" | tee -a "$work/results"
        tail -20 "$out"
        return
    fi
    python3 - "$tag" "$out" <<'PY' | tee -a "$work/results"
import re, sys
text = open(sys.argv[2]).read()
total = re.search(r"total = ([\d.]+)", text).group(1)
before, after = re.search(r"started: ([\d.]+) s; after it was ready: ([\d.]+)", text).groups()
print("%s total=%s before=%s after=%s" % (sys.argv[1], total, before, after))
PY
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

echo "medians over $rounds rounds, D = $delay s (old = $old, new = $(git -C "$new_tree" rev-parse --short HEAD)):"
python3 - "$work/results" "$delay" <<'PY'
import re, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    tag, *fields = line.split()
    for field in fields:
        name, _, value = field.partition("=")
        if re.fullmatch(r"[\d.]+", value):
            runs.setdefault(tag, {}).setdefault(name, []).append(float(value))
for step in ("total", "before", "after"):
    old, new = (runs.get(t, {}).get(step, []) for t in ("old", "new"))
    if old and new:
        print("%-7s old %6.1f (%.1f-%.1f)  new %6.1f (%.1f-%.1f)  change %+.1f s" % (
            step, statistics.median(old), min(old), max(old), statistics.median(new), min(new),
            max(new), statistics.median(new) - statistics.median(old)))
old, new = (runs.get(t, {}).get("total", []) for t in ("old", "new"))
if old and new:
    print("ratio   old %.2f  new %.2f (total / D; goal <= 1.10)" % (
        statistics.median(old) / float(sys.argv[2]), statistics.median(new) / float(sys.argv[2])))
PY

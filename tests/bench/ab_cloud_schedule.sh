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
# shellcheck source=tests/bench/ab_common.sh
. "$(dirname "$0")/ab_common.sh"
ab_setup "$old" vpnlab-ab
python=$new_tree/.venv/bin/python
trap ab_remove EXIT

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

ab_rounds "$rounds" one_run

echo "medians over $rounds rounds, D = $delay s (old = $old, new = $(git -C "$new_tree" rev-parse --short HEAD)):"
ab_medians "$work/results" total before after
python3 - "$work/results" "$delay" <<'PY'
import statistics, sys
totals = {}
for line in open(sys.argv[1]):
    tag, *fields = line.split()
    totals.setdefault(tag, []).extend(float(f[6:]) for f in fields if f.startswith("total="))
if totals.get("old") and totals.get("new"):
    print("ratio     old %.2f  new %.2f (total / D; goal <= 1.10)" % (
        statistics.median(totals["old"]) / float(sys.argv[2]), statistics.median(totals["new"]) / float(sys.argv[2])))
PY

#!/usr/bin/env bash
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Before/after of the cloud check on a broken VPN, on one rehearsal: brings a rehearsal up
# (make rehearse), breaks it with one drill through the clouds' APIs (tunnel-integrity by
# default: both tunnels down), then runs check.yml from <old-commit> (a worktree linked in as the
# collection, as ab_local_lab.sh does) and from this tree in turns, and prints each run's seconds
# and verdict. The checks are the rehearsal test's quick ones (no re-measurement, throughput or
# path MTU search). Needs `make rehearse`'s packages; takes about 5 minutes plus the checks.
#
#   bash tests/bench/ab_rehearsal_check.sh <old-commit> [rounds] [drill]
set -eu
old=${1:?usage: ab_rehearsal_check.sh <old-commit> [rounds] [drill]}
rounds=${2:-2}
drill=${3:-tunnel-integrity}
lab=abrh
# shellcheck source=tests/bench/ab_common.sh
. "$(dirname "$0")/ab_common.sh"
ab_setup "$old" vpnlab-abr
args="-e '{\"vpnlab_name\": \"$lab\"}'"
quick="-e connectivity_check_remeasure=0 -e connectivity_check_throughput=false -e connectivity_check_mtu=0"
export VPNLAB_HOME=$work/home ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0
cleanup() {
    (cd "$new_tree" && make --no-print-directory rehearse-down ARGS="$args" > "$work/down.out" 2>&1) \
        || echo "rehearse-down failed: see $work/down.out"
    ab_remove
}
trap cleanup EXIT

cd "$new_tree"
make --no-print-directory rehearse ARGS="$args" > "$work/up.out" 2>&1 || { echo "make rehearse failed: $work/up.out"; exit 1; }
.venv/bin/python -m tests.rehearsal shell --lab "$lab" \
    -c "python -m tests.rehearsal.drills $drill --lab $lab" > "$work/drill.out" 2>&1

one_check() {  # tree collections-path tag
    local tree=$1 coll=$2 tag=$3 began ended out
    out="$work/$tag.$(date +%s%N).out"  # removed with $work at the end
    began=$(date +%s.%N)
    .venv/bin/python -m tests.rehearsal shell --lab "$lab" \
        -c "cd $tree && ${coll:+ANSIBLE_COLLECTIONS_PATH=$coll} ANSIBLE_CONFIG=$tree/ansible.cfg \
            $new_tree/.venv/bin/ansible-playbook playbooks/check.yml $args $quick" > "$out" 2>&1 || true
    ended=$(date +%s.%N)
    printf '%s check=%.1f s, waits=%s, %s\n' "$tag" "$(echo "$ended - $began" | bc)" \
        "$(grep -c 'Pausing for' "$out" || true)" "$(grep -oE '(PASS|DEGRADED|FAIL): [^:]*' "$out" | tail -1)"
}

echo "drill $drill on rehearsal $lab; old=$old new=$(git rev-parse --short HEAD)"
ab_rounds "$rounds" one_check

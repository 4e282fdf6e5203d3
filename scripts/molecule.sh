#!/usr/bin/env bash
# Run every molecule scenario of extensions/molecule (but `default`, an empty one that only keeps
# molecule from logging a CRITICAL line when it looks for it), MOLECULE_JOBS at a time (default 2).
# Each scenario's output goes to tests/output/molecule-<scenario>.log and is printed whole when the
# scenario ends, so parallel scenarios never interleave their lines; the exit code is 1 when one
# failed. The local lab runs as it is; every other scenario runs against an emulator (moto, the
# Azure test double) that hands out public IPs of real networks, so it runs, emulator and all, in
# a network namespace with only loopback (and a PID namespace, so the emulator ends with it).
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
molecule=$repo/.venv/bin/molecule
jobs=${MOLECULE_JOBS:-2}
out=$repo/tests/output
mkdir -p "$out"
cd "$repo/extensions" || exit 1

scenarios=()
for file in molecule/*/molecule.yml; do
    name=$(basename "$(dirname "$file")")
    [ "$name" = default ] || scenarios+=("$name")
done
[ ${#scenarios[@]} -gt 0 ] || { echo "no molecule scenarios yet"; exit 0; }

run_one() {
    local name=$1 log=$out/molecule-$1.log began=$SECONDS status
    if [ "$name" = local ]; then
        "$molecule" test -s "$name" >"$log" 2>&1
    else
        # shellcheck disable=SC2016  # $0 and $1 are the inner shell's arguments
        unshare --net --pid --fork --kill-child --mount-proc sh -c 'ip link set lo up && exec "$0" test -s "$1"' \
            "$molecule" "$name" >"$log" 2>&1
    fi
    status=$?
    echo "== molecule scenario $name: $([ $status = 0 ] && echo passed || echo FAILED) in $((SECONDS - began)) s" >>"$log"
    return $status
}

failed=0
running=()
for name in "${scenarios[@]}"; do
    run_one "$name" &
    running+=("$!:$name")
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do sleep 1; done
done
for entry in "${running[@]}"; do
    wait "${entry%%:*}" || failed=1
    cat "$out/molecule-${entry#*:}.log"
done
for name in "${scenarios[@]}"; do tail -n 1 "$out/molecule-$name.log"; done
exit $failed

#!/bin/sh
# Run a command beside a moto server, both inside a new network namespace that has only loopback,
# so that nothing can reach an address moto hands out (they belong to real networks):
#   tests/moto/in_netns.sh .venv/bin/ansible-playbook ... -e vpnlab_aws_endpoint_url="$VPNLAB_MOTO_URL"
# moto listens on 127.0.0.1 in that namespace, loads tests/moto/amis.json, validates AMIs, is
# reset before the command and stopped by its PID afterwards. The command's exit code is kept.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if [ "${VPNLAB_MOTO_NETNS:-}" != 1 ]; then
    # A PID namespace too (whatever happens, moto ends with the namespace), with its own /proc:
    # lab_lock finds its ansible-playbook by walking /proc from its parent pid.
    exec unshare --net --pid --fork --kill-child --mount-proc env VPNLAB_MOTO_NETNS=1 sh "$0" "$@"
fi
ip link set lo up
if ip -o route show | grep -q .; then
    echo "in_netns.sh: the namespace has routes other than loopback; refusing to run" >&2
    exit 1
fi
bin=${VPNLAB_BIN:-$(cd "$here/../.." && pwd)/.venv/bin}
port=${VPNLAB_MOTO_PORT:-5000}
log=${VPNLAB_MOTO_LOG:-$(mktemp /tmp/vpnlab-moto.XXXXXX.log)}
MOTO_AMIS_PATH="$here/amis.json" MOTO_ENABLE_AMI_VALIDATION=true \
    "$bin/moto_server" -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
moto_pid=$!
trap 'kill "$moto_pid" 2>/dev/null; wait "$moto_pid" 2>/dev/null || true' EXIT INT TERM
export VPNLAB_MOTO_URL="http://127.0.0.1:$port"
"$bin/python" - "$VPNLAB_MOTO_URL" <<'PY'
import sys, time, urllib.request
url = sys.argv[1]
for _ in range(100):
    try:
        urllib.request.urlopen(urllib.request.Request(url + "/moto-api/reset", method="POST"), timeout=2)
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit("moto did not answer at %s" % url)
PY
export AWS_ACCESS_KEY_ID=AKIAVPNLABMOTO000000 AWS_SECRET_ACCESS_KEY=vpnlab-moto-secret AWS_DEFAULT_REGION=eu-central-1
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL
status=0
"$@" || status=$?
exit "$status"

#!/usr/bin/env bash
# Checks what `make lab` / `make test` need before anything is installed or created, and says in
# one line per problem what is wrong and how to fix it (instead of a traceback later on).
set -u
python=${PYTHON:-python3}
problems=0
say() { echo "vpnlab: $*" >&2; problems=$((problems + 1)); }

if [ "$(id -u)" != 0 ]; then
  say "run as root (network namespaces, strongSwan and sshd need it): sudo make $*"
fi
if ! command -v "$python" >/dev/null 2>&1; then
  say "no '$python' found: install Python 3.11 or newer (Debian: apt-get install python3 python3-venv)"
elif ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  say "$("$python" -V 2>&1) is too old: Python 3.11 or newer is needed (set PYTHON=/path/to/python3.11)"
fi
if ! command -v ip >/dev/null 2>&1; then
  if ! command -v apt-get >/dev/null 2>&1; then
    say "no 'ip' command and no apt-get: install iproute2 by hand"
  fi
elif ! ip netns list >/dev/null 2>&1; then
  say "'ip netns' does not work here (no network namespace support or no permission)"
fi
if [ "$(uname -s)" != Linux ]; then
  say "the local lab needs Linux (network namespaces); this is $(uname -s)"
fi
if [ ! -e /dev/net/tun ] && [ "$(id -u)" = 0 ]; then
  mkdir -p /dev/net && mknod /dev/net/tun c 10 200 2>/dev/null
  [ -e /dev/net/tun ] || say "no /dev/net/tun: strongSwan's userspace IPsec (kernel-libipsec) needs the TUN driver"
fi
[ "$problems" = 0 ] || { echo "vpnlab: $problems prerequisite(s) missing, nothing was changed." >&2; exit 1; }
exit 0

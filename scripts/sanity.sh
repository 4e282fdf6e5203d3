#!/usr/bin/env bash
# ansible-test sanity on a copy of the collection under .../ansible_collections/multicloud/vpnlab
# (ansible-test needs that path). The copy lives outside the repository: inside it, ansible-test
# would take the copy for git-ignored files and skip everything.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
bin=$repo/.venv/bin
# One copy per checkout, so that two checkouts (a CI clone beside a working tree) never share it.
root=${SANITY_ROOT:-/tmp/vpnlab-sanity-$(printf %s "$repo" | md5sum | cut -c1-8)}
dest=$root/ansible_collections/multicloud/vpnlab

rm -rf "$root" && mkdir -p "$dest" ~/.ansible/test/cache
cd "$repo"
git ls-files -co --exclude-standard -z | tar --null --ignore-failed-read -T - -cf - 2>/dev/null \
  | tar -xf - -C "$dest"

# Collections our plugins import (doc fragments, module_utils) must sit beside ours.
site=$("$bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
deps=(amazon/aws azure/azcollection)
for dep in "${deps[@]}"; do
  mkdir -p "$root/ansible_collections/${dep%/*}"
  cp -r "$site/ansible_collections/$dep" "$root/ansible_collections/$dep"
done

# ansible-test fetches its pip bootstrap script from a host CI cannot reach: provide a stand-in.
at=$("$bin/python" -c 'import ansible_test, os; print(os.path.dirname(ansible_test.__file__))')
pip_version=$(grep -o "pip='[0-9.]*'" "$at/_internal/python_requirements.py" | head -1 | tr -dc '0-9.')
cache=~/.ansible/test/cache/get_pip_${pip_version//./_}.py
cmp -s scripts/get-pip-offline.py "$cache" || cp scripts/get-pip-offline.py "$cache"

py=$("$bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
cd "$dest"
exec "$bin/ansible-test" sanity --venv --requirements --python "$py" --color no "$@"

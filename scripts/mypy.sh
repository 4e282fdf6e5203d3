#!/usr/bin/env bash
# mypy on plugins/module_utils as the package ansible_collections.multicloud.vpnlab.plugins.module_utils
# (the name its absolute imports use), with mypy.ini. mypy resolves that name through a directory
# outside the repository whose ansible_collections/multicloud/vpnlab is a link to this checkout:
# the venv's site-packages holds the same link, but mypy refuses site-packages in its search path,
# and a link inside the checkout would make a loop for every tool that walks the tree.
# Messages name the files as plugins/module_utils/..., relative to the checkout.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
# One directory per checkout, so that two checkouts (a CI clone beside a working tree) never share it.
root=${MYPY_ROOT:-/tmp/vpnlab-mypy-$(printf %s "$repo" | md5sum | cut -c1-8)}
mkdir -p "$root/ansible_collections/multicloud"
ln -sfn "$repo" "$root/ansible_collections/multicloud/vpnlab"
cd "$repo"
MYPYPATH=$root "$repo/.venv/bin/mypy" --config-file mypy.ini --cache-dir "$root/cache" "$@" \
  | sed "s|^$root/ansible_collections/multicloud/vpnlab/||"

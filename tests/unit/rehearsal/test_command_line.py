# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rehearsal's command line: the lab and the routing design read from the ARGS given to
make as ansible-playbook would read them."""

from __future__ import annotations

import pytest

from tests.rehearsal import __main__ as cli


@pytest.mark.parametrize("args, name, expected", [
    ("-e vpnlab_name=rh", "vpnlab_name", "rh"),
    ("-e 'vpnlab_name=rh vpnlab_routing=bgp'", "vpnlab_routing", "bgp"),
    ("--extra-vars='{\"vpnlab_routing\": \"bgp\"}'", "vpnlab_routing", "bgp"),
    ("-evpnlab_routing=static", "vpnlab_routing", "static"),
    ("-e @vars.yml", "vpnlab_routing", None),
    ("", "vpnlab_routing", None),
])
def test_a_variable_as_ansible_playbook_reads_it(args, name, expected):
    assert cli.var_from_args(args, name) == expected

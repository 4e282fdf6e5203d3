# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rehearsal's command line: the lab and the routing design read from the ARGS given to
make as ansible-playbook would read them, and a BGP lab refused before anything starts (the
data plane has no BGP speakers)."""

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


def test_a_bgp_rehearsal_is_refused_before_anything_starts(monkeypatch, capsys):
    started = []
    monkeypatch.setattr(cli.session, "up", lambda *a: started.append(a))
    assert cli.main(["up", "--args", "-e vpnlab_routing=bgp"]) == 2
    assert started == []
    assert "does not speak BGP yet" in capsys.readouterr().err

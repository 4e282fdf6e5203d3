# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Property: whatever JSON value any input (or any VM entry) holds, the plan either succeeds or
raises PlanError naming the problems; it never raises anything else, and no message holds a PSK."""

from __future__ import annotations

import datetime
import json

from hypothesis import HealthCheck, given, settings, strategies as st

from ansible_collections.multicloud.vpnlab.plugins.module_utils import inputs
from ansible_collections.multicloud.vpnlab.plugins.module_utils._local.plan import LocalTarget
from ansible_collections.multicloud.vpnlab.plugins.module_utils.plan import PlanError, build_plan

TODAY = datetime.date(2026, 11, 25)
HOST = ["127.0.0.1/8", "192.0.2.0/24"]

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12)
# Values that get past the first checks, so the later rules run too.
plausible = st.sampled_from([
    "10.1.0.0/16", "10.2.1.0/24", "10.2.1.10", "10.1.1.300", "169.254.21.0/30", "0.0.0.0/0",
    "198.18.7.0/24", "fd00::/64", "3", "true", "no", "[]", '["198.18.7.0/24"]', "a,b", "local",
    "cloud", "vm1", "azure", "aws", "http://127.0.0.1:5000", "http://[::1", "https://x:99999",
    "203.0.113.9", "255.255.255.255", "", " ", "[", "null", "0Secret", "Valid.Secret_1"])
values = json_values | plausible
vm_entries = json_values | st.fixed_dictionaries(
    {}, optional={"name": values, "cloud": st.sampled_from(["azure", "aws"]) | values,
                  "private_ip": values, "public_ip": values, "size": values})
vm_lists = st.lists(vm_entries, max_size=5)
psk_texts = st.from_regex(r"[A-Za-z0-9._]{8,64}", fullmatch=True) | st.text(min_size=8, max_size=70)
psk_values = (st.lists(psk_texts | values, max_size=3) | psk_texts
              | psk_texts.map(lambda s: json.dumps([s, ""])) | json_values)
input_values = {item.name: values for item in inputs.INPUTS}
input_values.update(vms=vm_lists | values, tunnel_psks=psk_values)
params = st.fixed_dictionaries({}, optional=dict(
    input_values, aws_vpc_cird=values, vpnlab_name=values, plan=values))


def leaves(value):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from leaves(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from leaves(inner)
    elif isinstance(value, str):
        yield value


def plan_or_problems(given_params):
    try:
        plan = build_plan(given_params, {"local": LocalTarget(HOST)}, today=TODAY, state_root="/st")
    except PlanError as exc:
        assert exc.problems and all(isinstance(p, str) for p in exc.problems)
        return None, str(exc)
    json.dumps(plan)  # the module returns it: it must be JSON
    return plan, ""


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params)
def test_any_json_for_any_input_gives_a_plan_or_named_problems(given_params):
    plan, message = plan_or_problems(given_params)
    if plan is None:
        assert message.startswith("%d problem(s) in the lab inputs" % message.count("\n- "))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params, psk_values)
def test_no_message_holds_a_psk(given_params, psks):
    given_params = dict(given_params, tunnel_psks=psks)
    plan, message = plan_or_problems(given_params)
    text = message or json.dumps(plan)
    # Text that is there without the PSKs too (a default address, another input's value shown in
    # its own problem) is not a leak; short strings occur in any message.
    without = dict(given_params, tunnel_psks=None)
    plan_without, message_without = plan_or_problems(without)
    innocent = repr(without) + message_without + (json.dumps(plan_without) if plan_without else "")
    leaked = [s for s in leaves(psks) if len(s) >= 8 and s in text and s not in innocent]
    assert not leaked


@settings(max_examples=200, deadline=None)
@given(vm_lists)
def test_any_vm_list_gives_a_plan_or_named_problems(vms):
    plan, message = plan_or_problems({"vms": vms})
    if plan is None:
        assert "vpnlab_vms" in message

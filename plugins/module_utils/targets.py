# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cloud target: one target object made of one part per cloud.

The plan (``plan.build_plan``) calls a target's ``check`` and ``build``; the cloud target hands
both to its parts, which live in the clouds' private packages (``_aws.plan.AwsPart``,
``_azure.plan.AzurePart``) and are passed in by the ``lab_plan`` module, so this module imports
no target package. A part has:

- ``name``: its key in the plan's section, ``plan["cloud"][name]``;
- ``provides``: facts it finds out while the lab is built (``azure_gateway_public_ip``: the
  Azure part creates the gateway), which other parts then need not get as inputs;
- ``check(chk, inputs, nets, vms, provided)``: its own rules; ``provided`` is what the other
  parts provide;
- ``build(plan, inputs)``: its section.

Adding a cloud's half is one more part in the list ``lab_plan`` passes.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping


class CloudTarget:
    """``plan["cloud"]`` is ``{part.name: part.build(...)}`` for each part, in order."""

    name = "cloud"

    def __init__(self, parts: Iterable[Any]) -> None:
        self.parts = list(parts)

    def provided_by_others(self, part: Any) -> frozenset[str]:
        return frozenset(fact for other in self.parts if other is not part
                         for fact in getattr(other, "provides", ()))

    def check(self, chk: Any, p: Mapping[str, Any], nets: Mapping[str, Any], vms: list[dict[str, Any]]) -> None:
        for part in self.parts:
            part.check(chk, p, nets, vms, provided=self.provided_by_others(part))

    def build(self, plan: dict[str, Any], p: Mapping[str, Any]) -> dict[str, Any]:
        section = {"parts": [part.name for part in self.parts]}
        for part in self.parts:
            section[part.name] = part.build(plan, p)
        return section

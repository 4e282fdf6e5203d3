# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The filter that gives the cloud target's vms.json the text local_vms writes for the local
target: module_utils/vms_file.py is its one writer (and the inventory plugin's reader)."""

from __future__ import annotations

from typing import Any, Mapping, Optional

from ansible.errors import AnsibleFilterError
from ansible_collections.multicloud.vpnlab.plugins.module_utils.vms_file import document


def vms_document(plan: Any, vms: Any, sections: Optional[Mapping[str, Any]] = None) -> str:
    """vms.json's text for the lab of ``plan`` (its lab, target and state_dir), with the VM
    records ``vms`` and the cloud target's per-cloud ``sections``."""
    if not isinstance(plan, Mapping):
        raise AnsibleFilterError("vms_document: the input must be the lab plan, got %s" % type(plan).__name__)
    try:
        return document(plan["lab"], plan["target"], plan["state_dir"], list(vms or []), sections)
    except KeyError as exc:
        raise AnsibleFilterError("vms_document: not a lab plan (no %s)" % exc) from None
    except (TypeError, ValueError) as exc:
        raise AnsibleFilterError("vms_document: %s" % exc) from None


class FilterModule:
    def filters(self):
        return {"vms_document": vms_document}

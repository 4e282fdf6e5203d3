# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""vms.json, the lab's list of VMs in its state directory: one schema, one writer, one reader.

Both targets write it (local_vms for the local target; the cloud target through the
``vms_document`` filter) and the ``lab`` inventory plugin reads it (the
``lab_hosts`` lookup through that plugin). The document is a JSON object::

    vms_schema_version  SCHEMA_VERSION; a file without it predates the field and is version 1
    lab                 the lab's name
    target              "local" or "cloud"
    state_dir           the lab's state directory
    vms                 one record per VM: name, cloud, resource_name (non-empty strings: the
                        inventory's host is the resource name), private_ip, public_ip and
                        connection (an object: the host's connection variables)
    <cloud>             a cloud target's sections, opaque here: what each cloud's inventory
                        needs to list the VMs by tag (aws: region, endpoint_url, emulated;
                        azure: resource_group, emulated)

Target-neutral: the records and the sections come from the targets' own code."""

from __future__ import annotations

import json
from typing import Any, Dict, Mapping, Optional, Sequence

#: The file's name in the lab's state directory.
VMS_FILE = "vms.json"
#: The schema's version, written in every file; a reader refuses a newer one.
SCHEMA_VERSION = 1
#: The field that holds it.
SCHEMA_FIELD = "vms_schema_version"
#: The fields a record needs, as non-empty strings.
REQUIRED = ("name", "cloud", "resource_name")
#: The document's own fields; every other top-level field is a target's section.
FIELDS = (SCHEMA_FIELD, "lab", "target", "state_dir", "vms")


def check_records(vms: Any) -> None:
    """Raise ValueError naming the first record that cannot become an inventory host."""
    if not isinstance(vms, list):
        raise ValueError("expected a JSON object with a list 'vms'")
    for index, vm in enumerate(vms):
        if not isinstance(vm, dict) or not all(isinstance(vm.get(key), str) and vm[key] for key in REQUIRED):
            raise ValueError("vms[%d] needs non-empty strings 'name', 'cloud' and 'resource_name'" % index)
        if not isinstance(vm.get("connection", {}), dict):
            raise ValueError("vms[%d].connection must be an object" % index)


def document(lab: str, target: str, state_dir: str, vms: Sequence[Mapping[str, Any]],
             sections: Optional[Mapping[str, Mapping[str, Any]]] = None) -> str:
    """vms.json's text: sorted keys, two-space indents and a final newline, so the same lab
    gives the same bytes (the writers compare files to decide ``changed``). ``sections`` are
    the cloud target's per-cloud sections. Raises ValueError on a record the reader would refuse
    or a section that would shadow a field."""
    check_records(list(vms))
    records = [dict(vm) for vm in vms]
    doc: Dict[str, Any] = {SCHEMA_FIELD: SCHEMA_VERSION, "lab": lab, "target": target, "state_dir": state_dir,
                           "vms": records}
    for name, section in (sections or {}).items():
        if name in FIELDS or not isinstance(section, Mapping):
            raise ValueError("section %r must be an object named after a cloud, not a field of vms.json" % name)
        doc[name] = dict(section)
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def parse(text: str) -> Dict[str, Any]:
    """The document in ``text``, checked: raises ValueError (json's included) unless it is an
    object of this schema version or an older one whose every VM can become a complete host."""
    state = json.loads(text)
    if not isinstance(state, dict):
        raise ValueError("expected a JSON object with a list 'vms'")
    version = state.get(SCHEMA_FIELD, 1)
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= SCHEMA_VERSION:
        raise ValueError("%s %r is not one this collection reads (1 to %d): written by a newer collection?"
                         % (SCHEMA_FIELD, version, SCHEMA_VERSION))
    check_records(state.get("vms"))
    return state

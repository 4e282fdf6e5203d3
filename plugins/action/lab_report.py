# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab_report action: builds the report, writes report.json and renders the pages, all in
the controller's process (the report is the controller's file). One step instead of a module
process, then a template task per page (each a stat and a copy module run): the check's last
seconds. Parameters are the module's (module_utils/reporting/files.py)."""

from __future__ import annotations

import os

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase
from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting.files import (
    ARGUMENT_SPEC, report_from, report_json, write_files,
)
from ansible_collections.multicloud.vpnlab.plugins.module_utils.reporting.view import build_view


def render_pages(report, templates, network):
    """{page: text} of each page, from {page: template path} and the report's view model.

    As the template module renders: trim_blocks, no autoescape (the templates escape with `e`),
    undefined names fail."""
    view = build_view(report, network)
    pages = {}
    for page, path in templates.items():
        env = Environment(loader=FileSystemLoader(os.path.dirname(path)), trim_blocks=True,
                          undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)
        pages[page] = env.get_template(os.path.basename(path)).render(view=view)
    return pages


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(ARGUMENT_SPEC)

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        validated = ArgumentSpecValidator(ARGUMENT_SPEC).validate(self._task.args)
        if validated.error_messages:
            raise AnsibleActionFail("lab_report: %s" % "; ".join(validated.error_messages))
        params = validated.validated_parameters
        templates = {page: self._find_needle("templates", page + ".j2") for page in params["pages"]}
        report = report_from(params)
        contents = {"report.json": report_json(report)}
        contents.update(render_pages(report, templates, params["page_network"]))
        files = write_files(params["state_dir"], contents, check_mode=self._task.check_mode)
        result.update(changed=not self._task.check_mode, report=report, verdict=report["verdict"],
                      files=files)
        return result

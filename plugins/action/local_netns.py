# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The local_netns action: the module's own code in the controller's process, where the local lab
runs (plugins/plugin_utils/in_process.py); anywhere else, the module."""

from __future__ import annotations

from ansible_collections.multicloud.vpnlab.plugins.modules import local_netns as code
from ansible_collections.multicloud.vpnlab.plugins.plugin_utils.in_process import InProcessAction


class ActionModule(InProcessAction):
    MODULE = "multicloud.vpnlab.local_netns"
    CODE = code

# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cloud target's Azure half: pure logic for the azure_* modules, the plan's Azure part,
the tunnel evidence and the inventory. Resources are the SDK models' ``as_dict()`` form (snake
case, ``properties`` flattened). No Ansible and no Azure SDK import here."""

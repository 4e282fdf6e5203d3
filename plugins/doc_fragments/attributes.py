# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the attributes of the collection's modules mean, written once for every module."""

from __future__ import annotations


class ModuleDocFragment:

    # Every module: the meaning of each attribute. A module states its own C(support) (and
    # C(details) where its behaviour needs saying); the two are merged by ansible-doc.
    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description: Can run in C(check_mode) and return changed status prediction without modifying target.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in C(check_mode)), when in diff mode.
  idempotent:
    description:
      - When run twice in a row outside check mode, with the same arguments, the second invocation indicates no change.
      - This assumes that the system controlled/queried by the module has not changed in a relevant way.
"""

    # Modules that call the AWS API; use with the standard fragment. Keep the membership in
    # line with the C(aws) group of meta/runtime.yml.
    ACTIONGROUP_AWS = r"""
options: {}
attributes:
  action_group:
    description:
      - Use C(group/multicloud.vpnlab.aws) in C(module_defaults) to set defaults for this module.
      - That group also holds the modules of the C(amazon.aws.aws) and C(community.aws.aws) groups,
        so one C(module_defaults) entry sets the region, endpoint and credentials of a whole play.
      - C(group/amazon.aws.aws) and C(group/aws) do not reach this module, because ansible-core
        builds them from amazon.aws's and community.aws's own lists.
    support: full
    membership:
      - multicloud.vpnlab.aws
"""

    # Modules that call Azure Resource Manager; use with the standard fragment. Keep the
    # membership in line with the C(azure) group of meta/runtime.yml.
    ACTIONGROUP_AZURE = r"""
options: {}
attributes:
  action_group:
    description:
      - Use C(group/multicloud.vpnlab.azure) in C(module_defaults) to set defaults for this module.
      - That group also holds the modules of azure.azcollection's C(all) group, so one
        C(module_defaults) entry sets the subscription and credentials of a whole play.
    support: full
    membership:
      - multicloud.vpnlab.azure
"""

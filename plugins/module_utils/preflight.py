# -*- coding: utf-8 -*-
# Copyright: multicloud.vpnlab contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cloud target's prerequisites, all named at once before anything is created.

Without them a cloud build used to stop on AWS's own "Unable to locate credentials" after the
state directory existed, and said nothing of Azure. ``problems`` is pure: it takes what the
controller has (gathered by the ``cloud_preflight`` module, without calling a cloud) and returns
every missing prerequisite with what to do about it.

``facts``::

    aws:   {needed, boto3 (None or the import error), credentials (None or where they come from),
            credentials_error (None or botocore's message)}
    azure: {needed, sdk_missing ([module names]), credentials (None or where they come from),
            subscription (None or an id)}
"""

from __future__ import annotations

from typing import Any, Mapping
README = "README.md, section \"Cloud quick start (real accounts)\", step %d"
AZURE_WAYS = ("AZURE_CLIENT_ID, AZURE_SECRET and AZURE_TENANT (a service principal), a profile in "
              "~/.azure/credentials (AZURE_PROFILE), or `az login` with the Azure CLI")


def problems(facts: Mapping[str, Any]) -> list[dict[str, str]]:
    """``[{what, fix}]``, one entry per missing prerequisite, in a stable order."""
    found = []
    aws, azure = facts.get("aws") or {}, facts.get("azure") or {}
    if aws.get("needed"):
        if aws.get("boto3"):
            found.append({"what": "AWS: boto3/botocore cannot be imported by the controller's Python (%s)"
                                  % aws["boto3"],
                          "fix": "pip install -r requirements.txt into that Python (make venv does it); "
                                 + README % 1})
        elif aws.get("credentials_error"):
            found.append({"what": "AWS: the credentials cannot be read (%s)" % aws["credentials_error"],
                          "fix": "fix AWS_PROFILE or ~/.aws/config; " + README % 2})
        elif not aws.get("credentials"):
            found.append({"what": "AWS: no credentials found (environment, AWS_PROFILE, ~/.aws, SSO, "
                                  "instance role)",
                          "fix": "set AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run "
                                 "`aws sso login`; " + README % 2})
    if azure.get("needed"):
        if azure.get("sdk_missing"):
            found.append({"what": "Azure: the Azure SDK is missing (%s)" % ", ".join(azure["sdk_missing"]),
                          "fix": "install azure.azcollection's requirements.txt into the controller's "
                                 "Python (in a checkout: make cloud-deps); " + README % 1})
        if not azure.get("credentials"):
            found.append({"what": "Azure: no credentials found",
                          "fix": "set %s; %s" % (AZURE_WAYS, README % 2)})
        if not azure.get("subscription"):
            found.append({"what": "Azure: no subscription chosen",
                          "fix": "set AZURE_SUBSCRIPTION_ID (or subscription_id in the ~/.azure/credentials "
                                 "profile, or a default subscription with `az account set`); " + README % 2})
    return found


def message(found: list[dict[str, str]]) -> str:
    """One error text naming every problem and its fix."""
    lines = ["%d cloud prerequisite(s) missing, nothing was created:" % len(found)]
    for entry in found:
        lines.append("- %s. To do: %s" % (entry["what"], entry["fix"]))
    return "\n".join(lines)

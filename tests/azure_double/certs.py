# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TEST DOUBLE: a throwaway CA (trustme) and a server certificate for the hosts it plays."""

from __future__ import annotations

import os
import ssl

import trustme

HOSTS = ("management.azure.com", "login.microsoftonline.com")


def make_tls(directory):
    """Create a fresh CA and a certificate for HOSTS; write the CA to ``<dir>/ca.pem``.

    Returns (server SSLContext, path of the CA bundle for REQUESTS_CA_BUNDLE). The CA's key
    exists only in this process's memory, so the CA dies with the double.
    """
    authority = trustme.CA(organization_name="vpnlab Azure test double (not Azure)")
    cert = authority.issue_cert(*HOSTS)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    ca_path = os.path.join(directory, "ca.pem")
    authority.cert_pem.write_to_path(ca_path)
    return context, ca_path

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TEST DOUBLE of login.microsoftonline.com: OpenID configuration, instance discovery, tokens.

Just enough of Microsoft Entra ID for MSAL's client-credentials flow (what azure-identity's
ClientSecretCredential and so AzureRMModuleBase use with a service principal). Tokens are opaque
random strings that the ARM part of the double accepts; a wrong client secret gets the error
Entra ID gives (AADSTS7000215), so a test can see credentials being checked.
"""

from __future__ import annotations

import secrets
import time
from urllib.parse import parse_qs, urlsplit

LOGIN = "https://login.microsoftonline.com"


class Identity:
    def __init__(self, tenant, client_id, client_secret):
        self.tenant, self.client_id, self._secret = tenant, client_id, client_secret
        self.tokens = {}

    def valid_token(self, header):
        token = (header or "").partition("Bearer ")[2]
        return self.tokens.get(token, 0) > time.time()

    def handle(self, method, path, body):
        """Return (status, headers, JSON body) for a request to the login host."""
        parts = [p for p in urlsplit(path).path.split("/") if p]
        if method == "GET" and parts[-2:] == [".well-known", "openid-configuration"]:
            return 200, {}, self._openid(parts[0])
        if method == "GET" and parts[:3] == ["common", "discovery", "instance"]:
            return 200, {}, self._discovery(path)
        if method == "POST" and parts[-1] == "token":
            return self._token(parts[0], parse_qs(body.decode("utf-8")))
        return 404, {}, {"error": "not_found", "error_description": "test double: no such endpoint"}

    def _openid(self, tenant):
        base = "%s/%s" % (LOGIN, tenant)
        return {
            "token_endpoint": base + "/oauth2/v2.0/token",
            "authorization_endpoint": base + "/oauth2/v2.0/authorize",
            "device_authorization_endpoint": base + "/oauth2/v2.0/devicecode",
            "end_session_endpoint": base + "/oauth2/v2.0/logout",
            "jwks_uri": base + "/discovery/v2.0/keys",
            "issuer": "%s/%s/v2.0" % (LOGIN, self.tenant if tenant in ("common", "organizations") else tenant),
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt",
                                                      "client_secret_basic"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "tenant_region_scope": "EU",
            "cloud_instance_name": "microsoftonline.com",
            "cloud_graph_host_name": "graph.windows.net",
            "msgraph_host": "graph.microsoft.com",
        }

    @staticmethod
    def _discovery(path):
        query = parse_qs(urlsplit(path).query)
        tenant = urlsplit(query.get("authorization_endpoint", [LOGIN + "/common/"])[0]).path.split("/")[1]
        return {
            "tenant_discovery_endpoint": "%s/%s/v2.0/.well-known/openid-configuration" % (LOGIN, tenant),
            "api-version": "1.1",
            "metadata": [{"preferred_network": "login.microsoftonline.com",
                          "preferred_cache": "login.windows.net",
                          "aliases": ["login.microsoftonline.com", "login.windows.net",
                                      "login.microsoft.com", "sts.windows.net"]}],
        }

    def _token(self, tenant, form):
        client = form.get("client_id", [""])[0]
        if tenant != self.tenant or client != self.client_id:
            return 400, {}, {"error": "unauthorized_client", "error_codes": [700016],
                             "error_description": "AADSTS700016: Application with identifier "
                             "'%s' was not found in the directory '%s' (test double)." % (client, tenant)}
        if form.get("client_secret", [""])[0] != self._secret:
            return 401, {}, {"error": "invalid_client", "error_codes": [7000215],
                             "error_description": "AADSTS7000215: Invalid client secret provided "
                             "(test double)."}
        token = "double-" + secrets.token_urlsafe(24)
        self.tokens[token] = time.time() + 3599
        return 200, {}, {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599,
                         "access_token": token}

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TEST DOUBLE of Azure Resource Manager and Microsoft Entra ID's token endpoints.

Not Azure: an HTTPS server on 127.0.0.1 that the unmodified azure.azcollection modules and the
Azure SDK reach through ``HTTPS_PROXY`` (it answers ``CONNECT`` for ``management.azure.com`` and
``login.microsoftonline.com`` only) with a throwaway CA given in ``REQUESTS_CA_BUNDLE``. It keeps
resources in memory, fills the read-only fields ARM fills, answers long-running operations the
way ARM does and records every request, so tests assert what would be sent to Azure. It proves
the collection's calls, not Azure's validation (see README.md here).
"""

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TEST DOUBLE of the AWS EC2 API: moto extended, not AWS.

moto 5.2.5 runs in this process (its server's WSGI application, served on 127.0.0.1 only), with
patches made at start-up where the collection's code must cope with AWS's behaviour and moto
lacks it: VPN connection and tunnel options kept and returned in AWS's response shape, AWS's
value rules, a customer-gateway XML built from the real tunnels, static routes, VgwTelemetry,
ModifyVpnTunnelOptions one tunnel at a time (`modifying`), fresh ids briefly not found, public
addresses from 203.0.113.0/24 and a control API for the rehearsal's realizer. It proves the
collection's calls and how it copes, not AWS's validation (see README.md here).
"""

NOTE = "AWS EC2 TEST DOUBLE (moto extended), not AWS"

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TEST DOUBLE: AWS's eventual consistency, where the collection must cope with it.

On AWS an id that a create call has just returned can be unknown to the next calls for a few
seconds (CreateTags right after CreateVpc answering ``InvalidVpcID.NotFound`` is the classic
case), so code that does not retry on NotFound fails there, and only there. moto knows every id
at once. Here, when a request names an id of a chosen kind (``consistency_kinds``, by id prefix)
created less than ``consistency_window_seconds`` ago, it is answered, with probability
``consistency_share`` and at most once per id, with AWS's NotFound error for that kind. The draw
comes from a seeded generator, so a test sees the same answers on every run; a share of 1.0
means "every fresh id, once".

Ids are those moto generates while a request is handled (``born``); ids named in ``Filter.*``
parameters are not checked, since AWS answers a filter on an unknown id with an empty list.
"""

from __future__ import annotations

import time

from moto.ec2.exceptions import EC2ClientError

# id prefix: (AWS's error code, AWS's message)
NOT_FOUND = {
    "cgw": ("InvalidCustomerGatewayID.NotFound", "The customerGateway ID '%s' does not exist"),
    "vgw": ("InvalidVpnGatewayID.NotFound", "The vpnGateway ID '%s' does not exist"),
    "vpn": ("InvalidVpnConnectionID.NotFound", "The vpnConnection ID '%s' does not exist"),
    "vpc": ("InvalidVpcID.NotFound", "The vpc ID '%s' does not exist"),
    "subnet": ("InvalidSubnetID.NotFound", "The subnet ID '%s' does not exist"),
    "sg": ("InvalidGroup.NotFound", "The security group '%s' does not exist"),
    "i": ("InvalidInstanceID.NotFound", "The instance ID '%s' does not exist"),
    "igw": ("InvalidInternetGatewayID.NotFound", "The internetGateway ID '%s' does not exist"),
    "rtb": ("InvalidRouteTableID.NotFound", "The routeTable ID '%s' does not exist"),
    "eni": ("InvalidNetworkInterfaceID.NotFound", "The networkInterface ID '%s' does not exist"),
    "eipalloc": ("InvalidAllocationID.NotFound", "The allocation ID '%s' does not exist"),
    "rtbassoc": ("InvalidAssociationID.NotFound", "The association ID '%s' does not exist"),
}


def kind(resource_id):
    return resource_id.rsplit("-", 1)[0]


class FreshIds:
    """When each id was born, and which ids have had their one chance of NotFound."""

    def __init__(self):
        self.born = {}
        self.decided = set()

    def clear(self):
        self.born.clear()
        self.decided.clear()

    def record(self, resource_id):
        self.born.setdefault(resource_id, time.monotonic())

    def _eligible(self, value, config, now):
        born = self.born.get(value)
        return (born is not None and value not in self.decided and kind(value) in config["consistency_kinds"]
                and now - born < config["consistency_window_seconds"])

    def not_found(self, querystring, config, rng):
        """AWS's NotFound error for the first fresh id the request names that draws it, or None."""
        if config["consistency_share"] <= 0:
            return None
        now = time.monotonic()
        for key, values in querystring.items():
            if key.startswith("Filter"):
                continue
            for value in values:
                if not self._eligible(value, config, now):
                    continue
                self.decided.add(value)
                if rng.random() < config["consistency_share"]:
                    code, message = NOT_FOUND[kind(value)]
                    return EC2ClientError(code, message % value)
        return None

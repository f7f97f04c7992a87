"""PublicNetwork: the small VPC a FirelensService gets when it is given no subnets."""

from __future__ import annotations

import re
from collections.abc import Sequence

from cdktf import Fn
from cdktf_cdktf_provider_aws.default_security_group import DefaultSecurityGroup
from cdktf_cdktf_provider_aws.internet_gateway import InternetGateway
from cdktf_cdktf_provider_aws.route_table import RouteTable, RouteTableRoute
from cdktf_cdktf_provider_aws.route_table_association import RouteTableAssociation
from cdktf_cdktf_provider_aws.subnet import Subnet
from cdktf_cdktf_provider_aws.vpc import Vpc

from constructs import Construct
from firelens_cdktf.constructs._validation import where_of
from firelens_cdktf.errors import ConfigError

#: An availability zone name: a region name plus one letter (``ap-northeast-1a``).
_ZONE_NAME = re.compile(r"^([a-z]{2}(-[a-z]+)+-\d)[a-z]$")


def default_availability_zones(region: str) -> tuple[str, str]:
    """Zones ``<region>a`` and ``<region>c``: two zones every account has in the
    article's ap-northeast-1, where ``b`` is closed to new accounts. Pass your own elsewhere."""
    return (f"{region}a", f"{region}c")


class PublicNetwork(Construct):
    """A VPC with one public subnet in each named availability zone and an internet gateway.

    Tasks get public IPs and reach ECR and the AWS APIs through the gateway,
    so no NAT gateway (an hourly cost) is needed: the article's setup. The
    zones are named, not looked up: a lookup's result changes when AWS adds
    or impairs a zone, and every subnet after the change would be replaced.
    The VPC's default security group is emptied (no rules), so nothing that
    lands in it by accident can talk to anything.

    Args:
        scope: Parent construct.
        id_: Construct id.
        availability_zones: One public subnet per zone, in order (1-6 zones of one region).
        cidr_block: VPC range. Default: ``10.0.0.0/16``; subnets are its ``/24``s.

    Attributes:
        vpc: The VPC. ``subnet_ids``: the subnets' ids.

    Raises:
        ConfigError: a zone name is malformed, repeated, from another region, or there are none or too many.
    """

    def __init__(
        self, scope: Construct, id_: str, *, availability_zones: Sequence[str], cidr_block: str = "10.0.0.0/16"
    ) -> None:
        super().__init__(scope, id_)
        _check_zones(where_of(self), tuple(availability_zones))
        self.vpc = Vpc(self, "vpc", cidr_block=cidr_block, enable_dns_hostnames=True, enable_dns_support=True)
        # Adopting the default security group with no rules removes AWS's allow-all-within-the-group default.
        DefaultSecurityGroup(self, "default-security-group", vpc_id=self.vpc.id)
        gateway = InternetGateway(self, "gateway", vpc_id=self.vpc.id)
        routes = RouteTable(
            self,
            "public-routes",
            vpc_id=self.vpc.id,
            route=[RouteTableRoute(cidr_block="0.0.0.0/0", gateway_id=gateway.id)],
        )
        self.subnet_ids: list[str] = []
        for index, zone in enumerate(availability_zones):
            subnet = Subnet(
                self,
                f"public-{index}",
                vpc_id=self.vpc.id,
                cidr_block=Fn.cidrsubnet(cidr_block, 8, index),
                availability_zone=zone,
            )
            RouteTableAssociation(self, f"public-{index}-routes", subnet_id=subnet.id, route_table_id=routes.id)
            self.subnet_ids.append(subnet.id)


def _check_zones(where: str, zones: tuple[str, ...]) -> None:
    if not 1 <= len(zones) <= 6:
        raise ConfigError(
            where,
            "availability_zones",
            list(zones),
            "1 to 6 zone names",
            "name the zones to spread the tasks over, e.g. ('ap-northeast-1a', 'ap-northeast-1c')",
        )
    regions = set()
    for zone in zones:
        match = _ZONE_NAME.match(zone)
        if not match:
            raise ConfigError(
                where,
                "availability_zones",
                zone,
                "zone names such as ap-northeast-1a",
                "write the zone name (region plus letter), not its id or the region",
            )
        regions.add(match.group(1))
    if len(regions) > 1 or len(set(zones)) != len(zones):
        raise ConfigError(
            where,
            "availability_zones",
            list(zones),
            "distinct zones of one region",
            "list each zone of the stack's region once",
        )

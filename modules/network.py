"""PublicNetwork: the small VPC a FirelensService gets when it is given no subnets."""

from __future__ import annotations

from cdktf import Fn, Token
from cdktf_cdktf_provider_aws.data_aws_availability_zones import DataAwsAvailabilityZones
from cdktf_cdktf_provider_aws.internet_gateway import InternetGateway
from cdktf_cdktf_provider_aws.route_table import RouteTable, RouteTableRoute
from cdktf_cdktf_provider_aws.route_table_association import RouteTableAssociation
from cdktf_cdktf_provider_aws.subnet import Subnet
from cdktf_cdktf_provider_aws.vpc import Vpc
from constructs import Construct

from ._validation import check_range


class PublicNetwork(Construct):
    """A VPC with public subnets in ``az_count`` availability zones and an internet gateway.

    Tasks get public IPs and reach ECR and the AWS APIs through the gateway,
    so no NAT gateway (an hourly cost) is needed: the article's setup.

    Args:
        scope: Parent construct.
        id_: Construct id.
        cidr_block: VPC range. Default: ``10.0.0.0/16``; subnets are its ``/24``s.
        az_count: Subnets, one per availability zone. Default: 2 (1-6).

    Attributes:
        vpc: The VPC. ``subnet_ids``: the subnets' ids.
    """

    def __init__(self, scope: Construct, id_: str, *, cidr_block: str = "10.0.0.0/16", az_count: int = 2) -> None:
        super().__init__(scope, id_)
        check_range(f"PublicNetwork '{self.node.path}'", "az_count", az_count, (1, 6), "use 1 to 6 zones")
        zones = DataAwsAvailabilityZones(self, "zones", state="available")
        self.vpc = Vpc(self, "vpc", cidr_block=cidr_block, enable_dns_hostnames=True, enable_dns_support=True)
        gateway = InternetGateway(self, "gateway", vpc_id=self.vpc.id)
        routes = RouteTable(self, "public-routes", vpc_id=self.vpc.id,
                            route=[RouteTableRoute(cidr_block="0.0.0.0/0", gateway_id=gateway.id)])
        self.subnet_ids: list[str] = []
        for index in range(az_count):
            subnet = Subnet(
                self, f"public-{index}",
                vpc_id=self.vpc.id,
                cidr_block=Fn.cidrsubnet(cidr_block, 8, index),
                availability_zone=Token.as_string(Fn.element(zones.names, index)),
            )
            RouteTableAssociation(self, f"public-{index}-routes", subnet_id=subnet.id, route_table_id=routes.id)
            self.subnet_ids.append(subnet.id)

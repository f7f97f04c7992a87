"""PublicNetwork: named zones (no lookup that can shift), an emptied default security group."""

from __future__ import annotations

from typing import Any

import pytest
from cdktf import TerraformStack, Testing

from conftest import only, resources, synth_json
from firelens_cdktf import PublicNetwork
from firelens_cdktf.constructs.network import default_availability_zones


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    stack = TerraformStack(Testing.app(), "net")
    PublicNetwork(stack, "network", availability_zones=default_availability_zones("ap-northeast-1"))
    return synth_json(stack)


def test_subnets_sit_in_the_named_zones_without_a_zone_lookup(doc: dict[str, Any]) -> None:
    zones = [s["availability_zone"] for s in resources(doc, "aws_subnet")]
    assert (zones, doc.get("data", {})) == (["ap-northeast-1a", "ap-northeast-1c"], {})


def test_default_security_group_is_left_without_rules(doc: dict[str, Any]) -> None:
    group = only(doc, "aws_default_security_group")
    assert (group.get("ingress"), group.get("egress")) == (None, None)


def test_every_subnet_routes_to_the_internet_gateway(doc: dict[str, Any]) -> None:
    assert (
        len(resources(doc, "aws_route_table_association")) == 2
        and only(doc, "aws_route_table")["route"][0]["cidr_block"] == "0.0.0.0/0"
    )

"""The emulator's ECS correction: a created service keeps the availabilityZoneRebalancing it was created with."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from firelens_local import _moto_server

REGION = "ap-northeast-1"


@pytest.fixture
def ecs() -> Iterator[Any]:
    _moto_server.patch()
    with mock_aws():
        client = boto3.client("ecs", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")
        client.create_cluster(clusterName="c")
        client.register_task_definition(
            family="t", containerDefinitions=[{"name": "app", "image": "app:1", "memory": 512}]
        )
        yield client


def _described(ecs: Any, name: str) -> dict[str, Any]:
    return dict(ecs.describe_services(cluster="c", services=[name])["services"][0])


def test_a_created_service_reports_its_availability_zone_rebalancing(ecs: Any) -> None:
    ecs.create_service(
        cluster="c", serviceName="s", taskDefinition="t", desiredCount=1, availabilityZoneRebalancing="DISABLED"
    )
    assert _described(ecs, "s")["availabilityZoneRebalancing"] == "DISABLED"


def test_a_service_created_without_it_reports_none(ecs: Any) -> None:
    ecs.create_service(cluster="c", serviceName="s", taskDefinition="t", desiredCount=1)
    assert "availabilityZoneRebalancing" not in _described(ecs, "s")

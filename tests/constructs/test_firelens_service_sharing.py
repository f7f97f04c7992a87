"""FirelensService in a stack of several: route groups moved to their names, a shared owner, clusters by choice.

One stack, synthesized once: ``legacy`` creates its own route groups (as
every FirelensService did before the groups had an owner: each carries a
``moved`` block from its old positional address); ``orders`` and
``billing`` share a RouteLogGroups; ``orders`` names the cluster it
creates, ``billing`` runs in an existing one by ARN.
"""

from __future__ import annotations

from typing import Any

import pytest
from cdktf import TerraformStack, Testing

from conftest import resources, synth_json
from firelens_cdktf import (
    AppContainer,
    AppLogRouting,
    CloudWatchLogs,
    ClusterRef,
    ContainerImageRef,
    FirelensService,
    LogRouter,
    LogRouting,
    Route,
    RouteLogGroups,
    compile_routing,
)

IMAGE = ContainerImageRef.from_registry("public.ecr.aws/example/app:1")
ROUTER = LogRouter(ContainerImageRef.from_registry("public.ecr.aws/example/router:1"))
SHARED_CLUSTER = "arn:aws:ecs:ap-northeast-1:123456789012:cluster/shared"


def _routing(default: str, errors: str | None = None) -> Any:
    routes = (Route("errors", field="level", pattern="^error$", destination=CloudWatchLogs(errors)),) if errors else ()
    return compile_routing(
        LogRouting(
            region="ap-northeast-1", apps=(AppLogRouting("app", default=CloudWatchLogs(default), routes=routes),)
        )
    )


def _service(stack: TerraformStack, name: str, routing: Any, **options: Any) -> FirelensService:
    return FirelensService(
        stack, name, name=name, routing=routing, containers=(AppContainer("app", IMAGE),), log_router=ROUTER, **options
    )


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    stack = TerraformStack(Testing.app(), "team")
    _service(stack, "legacy", _routing("/legacy/app", errors="/legacy/errors"))
    owner = RouteLogGroups(stack, "log-groups")
    _service(stack, "orders", _routing("/shared/app"), route_log_groups=owner, cluster_name="team-cluster")
    _service(
        stack, "billing", _routing("/shared/app"), route_log_groups=owner, cluster=ClusterRef.from_arn(SHARED_CLUSTER)
    )
    return synth_json(stack)


def _groups(doc: dict[str, Any]) -> dict[str, str]:
    return {body["name"]: address for address, body in doc["resource"]["aws_cloudwatch_log_group"].items()}


def test_each_route_group_a_service_creates_moves_from_its_positional_address_to_its_name(doc: dict[str, Any]) -> None:
    groups = _groups(doc)
    assert [(m["from"].split(".")[1].rsplit("_", 1)[0], m["to"]) for m in doc["moved"]] == [
        ("legacy_route-logs-0", f"aws_cloudwatch_log_group.{groups['/legacy/errors']}"),
        ("legacy_route-logs-1", f"aws_cloudwatch_log_group.{groups['/legacy/app']}"),
    ]


def test_a_group_two_services_share_is_created_once_by_its_owner(doc: dict[str, Any]) -> None:
    shared = [
        address
        for address, body in doc["resource"]["aws_cloudwatch_log_group"].items()
        if body["name"] == "/shared/app"
    ]
    assert [address.rsplit("_", 1)[0] for address in shared] == ["log-groups_--shared--app"]


def test_a_created_cluster_is_named_as_asked_and_an_existing_one_is_used_by_arn(doc: dict[str, Any]) -> None:
    services = {body["name"]: body["cluster"] for body in resources(doc, "aws_ecs_service")}
    assert (sorted(c["name"] for c in resources(doc, "aws_ecs_cluster")), services["billing"]) == (
        ["legacy", "team-cluster"],
        SHARED_CLUSTER,
    )

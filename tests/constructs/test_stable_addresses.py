"""Addresses come from names, never positions: reordering routes, containers and services moves nothing.

The same two services (an API task with a web and a metrics container, a
worker, one shared archive and one shared owner of the log groups) declared
in two orders: routes, apps, containers and services each reversed. Both
stacks must give every resource the same address, and the resources that
hold data (log groups, the archive) and the task definitions the same
configuration: a plan from one to the other replaces nothing. Only what the
order really changes may differ (the IAM policies list the same ARNs in
another order: an in-place update).

The upgrade from the positional addresses of earlier versions is
tests/app/test_upgrade.py (on the emulator).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from cdktf import App, TerraformStack, Testing

from firelens_cdktf import (
    AppContainer,
    AppLogRouting,
    CloudWatchLogs,
    ContainerImageRef,
    FirehoseStream,
    FirelensFargateService,
    FirelensService,
    FirelensTaskDefinition,
    LogArchive,
    LogRouter,
    LogRouting,
    NetworkPlacement,
    PortMapping,
    PublicNetwork,
    Route,
    RouteLogGroups,
    aws_provider,
    compile_routing,
)

REGION = "eu-west-1"
IMAGE = ContainerImageRef.from_registry("public.ecr.aws/example/app:1.0")
ROUTER = LogRouter(image=ContainerImageRef.from_registry("public.ecr.aws/example/router:1.0"))
APP = CloudWatchLogs("/payments/app")
ERRORS = CloudWatchLogs("/payments/errors", retention_days=90)
AUDIT = FirehoseStream("payments-audit")
SLOW = CloudWatchLogs("/payments/slow")


def _ordered(items: tuple[Any, ...], reverse: bool) -> tuple[Any, ...]:
    return tuple(reversed(items)) if reverse else items


def _payments(app: App, reverse: bool) -> TerraformStack:
    stack = TerraformStack(app, "reversed" if reverse else "declared")
    aws_provider(stack, region=REGION)
    archive = LogArchive(stack, "audit", stream_name=AUDIT.delivery_stream, bucket_name="payments-audit")
    network = PublicNetwork(stack, "network", availability_zones=(f"{REGION}a", f"{REGION}b"))
    placement = NetworkPlacement.existing(vpc_id=network.vpc.id, subnet_ids=tuple(network.subnet_ids))
    groups = RouteLogGroups(stack, "log-groups")
    web_routes = (
        Route("errors", field="level", pattern="^error$", destination=ERRORS, keep_original=True),
        Route("audit", field="audit", pattern="^true$", destination=AUDIT),
        Route("slow", field="duration_ms", pattern="^[0-9]{4,}", destination=SLOW),
    )
    api_routing = compile_routing(
        LogRouting(
            region=REGION,
            apps=_ordered(
                (
                    AppLogRouting("web", default=APP, routes=_ordered(web_routes, reverse)),
                    AppLogRouting("metrics", default=APP),
                ),
                reverse,
            ),
        )
    )
    worker_routing = compile_routing(
        LogRouting(
            region=REGION,
            apps=(
                AppLogRouting(
                    "worker",
                    default=APP,
                    routes=_ordered(
                        (
                            Route("errors", field="level", pattern="^error$", destination=ERRORS),
                            Route("audit", field="audit", pattern="^true$", destination=AUDIT),
                        ),
                        reverse,
                    ),
                ),
            ),
        )
    )

    def api() -> None:
        task = FirelensTaskDefinition(
            stack,
            "api-task",
            family="payments-api",
            routing=api_routing,
            log_router=ROUTER,
            log_archives=(archive,),
            log_groups=groups,
        )
        for container in _ordered(
            (
                AppContainer("web", IMAGE, port_mappings=(PortMapping(8080, ingress_cidr="10.0.0.0/16"),)),
                AppContainer("metrics", IMAGE, port_mappings=(PortMapping(9090),)),
            ),
            reverse,
        ):
            task.add_container(container)
        FirelensFargateService(stack, "api", task_definition=task, network=placement, cluster_name="payments")

    def worker() -> None:
        FirelensService(
            stack,
            "worker",
            name="payments-worker",
            routing=worker_routing,
            containers=(AppContainer("worker", IMAGE),),
            log_router=ROUTER,
            log_archives=(archive,),
            route_log_groups=groups,
            network=placement,
        )

    for declare in _ordered((api, worker), reverse):
        declare()
    return stack


@pytest.fixture(scope="module")
def declared_and_reversed() -> tuple[dict[str, Any], dict[str, Any]]:
    app = Testing.app()
    declared, reversed_ = _payments(app, reverse=False), _payments(app, reverse=True)
    return json.loads(Testing.synth(declared)), json.loads(Testing.synth(reversed_))


def _addresses(doc: dict[str, Any]) -> list[str]:
    return sorted(
        f"{kind}.{type_}.{name}"
        for kind in ("resource", "data")
        for type_, body in doc.get(kind, {}).items()
        for name in body
    )


def _bodies(doc: dict[str, Any], type_: str) -> dict[str, Any]:
    return {name: {k: v for k, v in body.items() if k != "//"} for name, body in doc["resource"][type_].items()}


def test_reordering_routes_containers_and_services_keeps_every_address(
    declared_and_reversed: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    declared, reversed_ = declared_and_reversed
    assert _addresses(declared) == _addresses(reversed_)


@pytest.mark.parametrize(
    "type_",
    [
        "aws_cloudwatch_log_group",
        "aws_kinesis_firehose_delivery_stream",
        "aws_s3_bucket",
        "aws_ecs_task_definition",  # containers are listed by name; the routes' order is in the router's image
        "aws_ecs_service",
        "aws_security_group",
    ],
)
def test_reordering_changes_nothing_that_would_replace_a_resource(
    declared_and_reversed: tuple[dict[str, Any], dict[str, Any]], type_: str
) -> None:
    declared, reversed_ = declared_and_reversed
    assert _bodies(declared, type_) == _bodies(reversed_, type_)


def test_shared_log_groups_are_created_once_by_their_owner_not_by_the_first_service(
    declared_and_reversed: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    declared, _ = declared_and_reversed
    groups = {body["name"]: name for name, body in _bodies(declared, "aws_cloudwatch_log_group").items()}
    assert {n: groups[n].split("_", 1)[0] for n in ("/payments/app", "/payments/errors", "/payments/slow")} == {
        "/payments/app": "log-groups",
        "/payments/errors": "log-groups",
        "/payments/slow": "log-groups",
    }

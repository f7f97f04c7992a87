"""Route log groups in the Infrequent Access class: created in it, and refused where a filter needs Standard.

One stack with an Infrequent Access route is synthesized once for what it
holds; the refusals each build a small stack of their own.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from cdktf import TerraformStack, Testing
from cdktf_cdktf_provider_aws.cloudwatch_log_metric_filter import (
    CloudwatchLogMetricFilter,
    CloudwatchLogMetricFilterMetricTransformation,
)
from cdktf_cdktf_provider_aws.cloudwatch_log_subscription_filter import CloudwatchLogSubscriptionFilter

from conftest import synth_json
from firelens_cdktf import (
    AppContainer,
    AppLogRouting,
    CloudWatchLogs,
    ConfigError,
    ContainerImageRef,
    FirelensService,
    LogClass,
    LogRouter,
    LogRouting,
    Route,
    RouteLogGroups,
    aws_provider,
    compile_routing,
)

IMAGE = ContainerImageRef.from_registry("public.ecr.aws/example/app:1")
ROUTER = LogRouter(ContainerImageRef.from_registry("public.ecr.aws/example/router:1"))
AUDIT = CloudWatchLogs("/api/audit", log_class=LogClass.INFREQUENT_ACCESS, retention_days=365)


def _routing(audit: CloudWatchLogs = AUDIT) -> Any:
    return compile_routing(
        LogRouting(
            region="ap-northeast-1",
            apps=(
                AppLogRouting(
                    "app",
                    default=CloudWatchLogs("/api/app"),
                    routes=(Route("audit", field="kind", pattern="^audit$", destination=audit),),
                ),
            ),
        )
    )


def _service(stack: TerraformStack, routing: Any, **options: Any) -> FirelensService:
    aws_provider(stack, region="ap-northeast-1")
    return FirelensService(
        stack,
        "api",
        name="api",
        routing=routing,
        containers=(AppContainer("app", IMAGE),),
        log_router=ROUTER,
        **options,
    )


def _synth_with_checks(stack: TerraformStack) -> None:
    json.loads(Testing.synth(stack, run_validations=True))


@pytest.fixture(scope="module")
def groups() -> dict[str, dict[str, Any]]:
    stack = TerraformStack(Testing.app(), "ia")
    _service(stack, _routing())
    _synth_with_checks(stack)
    doc = synth_json(stack)
    return {body["name"]: body for body in doc["resource"]["aws_cloudwatch_log_group"].values()}


def test_an_infrequent_access_route_creates_its_group_in_that_class(groups: dict[str, dict[str, Any]]) -> None:
    assert groups["/api/audit"]["log_group_class"] == "INFREQUENT_ACCESS"


def test_groups_that_set_no_class_are_written_without_log_group_class(groups: dict[str, dict[str, Any]]) -> None:
    assert [name for name, body in groups.items() if "log_group_class" in body] == ["/api/audit"]


def test_an_explicit_standard_class_is_written_so_terraform_holds_the_group_to_it() -> None:
    stack = TerraformStack(Testing.app(), "standard")
    RouteLogGroups(stack, "groups", groups=[CloudWatchLogs("/api/app", log_class="STANDARD")])
    doc = synth_json(stack)
    assert [body.get("log_group_class") for body in doc["resource"]["aws_cloudwatch_log_group"].values()] == [
        "STANDARD"
    ]


def test_fails_when_one_group_is_declared_in_two_classes_across_routings() -> None:
    stack = TerraformStack(Testing.app(), "two-classes")
    owner = RouteLogGroups(stack, "groups", groups=[CloudWatchLogs("/api/audit")])
    with pytest.raises(ConfigError, match=r"/api/audit as STANDARD and as INFREQUENT_ACCESS.*one class per log group"):
        owner.add(AUDIT)


def test_fails_at_synth_when_a_metric_filter_reads_an_infrequent_access_group() -> None:
    stack = TerraformStack(Testing.app(), "metric-filter")
    service = _service(stack, _routing())
    CloudwatchLogMetricFilter(
        stack,
        "audit-count",
        name="audit-count",
        log_group_name=service.route_log_groups["/api/audit"].name,
        pattern='"audit"',
        metric_transformation=CloudwatchLogMetricFilterMetricTransformation(name="Audits", namespace="Api", value="1"),
    )
    with pytest.raises(Exception, match=r"/api/audit as INFREQUENT_ACCESS.*metric filter 'metric-filter/audit-count'"):
        _synth_with_checks(stack)


def test_fails_at_synth_when_a_subscription_filter_names_an_infrequent_access_group() -> None:
    stack = TerraformStack(Testing.app(), "subscription")
    _service(stack, _routing())
    CloudwatchLogSubscriptionFilter(
        stack,
        "to-lambda",
        name="to-lambda",
        log_group_name="/api/audit",
        filter_pattern="",
        destination_arn="arn:aws:lambda:ap-northeast-1:123456789012:function:f",
    )
    with pytest.raises(Exception, match=r"subscription filter 'subscription/to-lambda'.*Infrequent Access"):
        _synth_with_checks(stack)


def test_fails_at_synth_when_a_route_puts_the_routers_own_group_in_infrequent_access() -> None:
    # The log-loss alarm's metric filters read /ecs/api/log_router: that group must stay Standard.
    stack = TerraformStack(Testing.app(), "router-group")
    router_group = CloudWatchLogs("/ecs/api/log_router", log_class=LogClass.INFREQUENT_ACCESS)
    _service(stack, _routing(router_group))
    with pytest.raises(Exception, match=r"/ecs/api/log_router as INFREQUENT_ACCESS.*/alarms/retries-exhausted"):
        _synth_with_checks(stack)

"""FirelensTaskDefinition and FirelensFargateService: a second team's API service, composed piece by piece.

One stack, synthesized once: a task definition on the team's own task role,
a web container (command, entry point, secrets from SSM and Secrets Manager,
a health check, cpu and memory) behind a load balancer target group, a
metrics container added *after* the service (its port not opened), log
groups owned by a shared RouteLogGroups, and an existing cluster by name.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from cdktf import TerraformStack, Testing
from cdktf_cdktf_provider_aws.data_aws_iam_role import DataAwsIamRole

from conftest import find, only, ref, resources, statements
from firelens_cdktf import (
    AppContainer,
    AppLogRouting,
    CloudWatchLogs,
    ClusterRef,
    ConfigError,
    ContainerImageRef,
    FirehoseStream,
    FirelensFargateService,
    FirelensTaskDefinition,
    HealthCheck,
    LoadBalancerTarget,
    LogArchive,
    LogRouter,
    LogRouting,
    NetworkPlacement,
    PortMapping,
    Route,
    RouteLogGroups,
    Secret,
    aws_provider,
    compile_routing,
)

REGION = "eu-west-1"
ACCOUNT = "123456789012"
SSM_PARAMETER = f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/payments/api-key"
SECRET = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:payments/db-AbCdEf"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
TARGET_GROUP = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/api/0123456789abcdef"
ALB_GROUP = "sg-0123456789abcdef0"
IMAGE = ContainerImageRef.from_registry("public.ecr.aws/example/web:1.0")
ROUTER = LogRouter(image=ContainerImageRef.from_registry("public.ecr.aws/example/router:1.0"))
AUDIT = FirehoseStream("payments-audit")
SHARED = CloudWatchLogs("/payments/app")
ERRORS = CloudWatchLogs("/payments/errors", retention_days=90)


def routing() -> Any:
    return compile_routing(
        LogRouting(
            region=REGION,
            apps=(
                AppLogRouting(
                    "web",
                    default=SHARED,
                    routes=(
                        Route("errors", field="level", pattern="^error$", destination=ERRORS, keep_original=True),
                        Route("audit", field="audit", pattern="^true$", destination=AUDIT),
                    ),
                ),
                AppLogRouting("metrics", default=SHARED),
            ),
        )
    )


WEB = AppContainer(
    "web",
    IMAGE,
    command=("bundle", "exec", "puma"),
    entry_point=("/usr/local/bin/entry",),
    secrets={
        "DATABASE_URL": Secret.from_secrets_manager(SECRET, json_key="url", kms_key_arn=KEY),
        "API_KEY": Secret.from_ssm_parameter(SSM_PARAMETER),
    },
    cpu=256,
    memory_reservation_mib=256,
    health_check=HealthCheck(command=("CMD-SHELL", "curl -f http://127.0.0.1:8080/up || exit 1")),
    port_mappings=(PortMapping(8080),),
)
METRICS = AppContainer("metrics", IMAGE, port_mappings=(PortMapping(9090),))


def _task(stack: TerraformStack, id_: str = "api-task", **overrides: Any) -> FirelensTaskDefinition:
    args: dict[str, Any] = {"family": "payments-api", "routing": routing(), "log_router": ROUTER, **overrides}
    return FirelensTaskDefinition(stack, id_, **args)


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    stack = TerraformStack(Testing.app(), "payments")
    aws_provider(stack, region=REGION)
    archive = LogArchive(stack, "audit", stream_name=AUDIT.delivery_stream, bucket_name="payments-audit-archive")
    team_role = DataAwsIamRole(stack, "team-task-role", name="payments-task")
    task = _task(
        stack,
        cpu=512,
        memory_mib=1024,
        log_archives=(archive,),
        log_groups=RouteLogGroups(stack, "log-groups"),
        task_role=team_role,
    )
    task.add_container(WEB)
    FirelensFargateService(
        stack,
        "api",
        task_definition=task,
        cluster=ClusterRef.from_name("payments"),
        network=NetworkPlacement.existing(vpc_id="vpc-1", subnet_ids=("subnet-1",), assign_public_ip=False),
        load_balancers=(LoadBalancerTarget(TARGET_GROUP, "web", 8080, ALB_GROUP),),
        health_check_grace_period_seconds=30,
    )
    task.add_container(METRICS)  # after the service: the task and the security group still see it
    return json.loads(Testing.synth(stack, run_validations=True))


@pytest.fixture(scope="module")
def containers(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    definitions = json.loads(only(doc, "aws_ecs_task_definition")["container_definitions"])
    return {c["name"]: c for c in definitions}


def _policy(doc: dict[str, Any], name: str) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in statements(find(doc, "aws_iam_role_policy", name=name)["policy"])}


def test_a_container_added_after_the_service_is_in_the_task(containers: dict[str, dict[str, Any]]) -> None:
    assert sorted(containers) == ["log_router", "metrics", "web"]


def test_the_web_container_runs_its_command_with_its_secrets_sizes_and_health_check(
    containers: dict[str, dict[str, Any]],
) -> None:
    web = containers["web"]
    assert (
        web["entryPoint"],
        web["command"],
        web["secrets"],
        web["cpu"],
        web["memoryReservation"],
        web["healthCheck"]["command"],
    ) == (
        ["/usr/local/bin/entry"],
        ["bundle", "exec", "puma"],
        [{"name": "API_KEY", "valueFrom": SSM_PARAMETER}, {"name": "DATABASE_URL", "valueFrom": f"{SECRET}:url::"}],
        256,
        256,
        ["CMD-SHELL", "curl -f http://127.0.0.1:8080/up || exit 1"],
    )


def test_the_task_role_is_the_teams_own_and_may_only_write_the_routed_groups_and_stream(doc: dict[str, Any]) -> None:
    task_definition = only(doc, "aws_ecs_task_definition")
    policy = find(doc, "aws_iam_role_policy", name="payments-api-route-logs")
    granted = {(s["Sid"], tuple(s["Action"]), tuple(s["Resource"])) for s in statements(policy["policy"])}
    stream = ref(doc, "aws_kinesis_firehose_delivery_stream", only(doc, "aws_kinesis_firehose_delivery_stream"), "arn")
    groups = tuple(
        ref(doc, "aws_cloudwatch_log_group", find(doc, "aws_cloudwatch_log_group", name=n), "arn") + ":*"
        for n in ("/payments/errors", "/payments/app")
    )
    assert (task_definition["task_role_arn"], policy["role"], granted) == (
        "${data.aws_iam_role.team-task-role.arn}",
        "${data.aws_iam_role.team-task-role.name}",
        {
            ("PutRecordsToRoutedStreams", ("firehose:PutRecordBatch",), (stream,)),
            ("WriteRoutedLogGroups", ("logs:CreateLogStream", "logs:PutLogEvents"), groups),
        },
    )


def test_the_execution_role_may_read_exactly_the_containers_secrets(doc: dict[str, Any]) -> None:
    policy = _policy(doc, "pull-and-log")
    assert {sid: (s["Action"], s["Resource"]) for sid, s in policy.items() if sid != "WriteContainerLogs"} == {
        "ReadSsmParameterSecrets": (["ssm:GetParameters"], [SSM_PARAMETER]),
        "ReadSecretsManagerSecrets": (["secretsmanager:GetSecretValue"], [SECRET]),
        "DecryptSecrets": (["kms:Decrypt"], [KEY]),
    }


def test_the_load_balancer_alone_reaches_the_web_port_and_the_metrics_port_is_not_opened(doc: dict[str, Any]) -> None:
    ingress = only(doc, "aws_security_group")["ingress"]
    assert [(r["from_port"], r["security_groups"], r["cidr_blocks"]) for r in ingress] == [(8080, [ALB_GROUP], None)]


def test_the_service_registers_the_web_port_with_the_target_group(doc: dict[str, Any]) -> None:
    service = only(doc, "aws_ecs_service")
    assert (service["load_balancer"], service["health_check_grace_period_seconds"]) == (
        [{"container_name": "web", "container_port": 8080, "target_group_arn": TARGET_GROUP}],
        30,
    )


def test_an_existing_cluster_is_looked_up_by_name_and_none_is_created(doc: dict[str, Any]) -> None:
    [(address, lookup)] = doc["data"]["aws_ecs_cluster"].items()
    assert (lookup["cluster_name"], only(doc, "aws_ecs_service")["cluster"], resources(doc, "aws_ecs_cluster")) == (
        "payments",
        f"${{data.aws_ecs_cluster.{address}.arn}}",
        [],
    )


def test_routed_log_groups_belong_to_the_shared_owner_and_are_named_by_their_names(doc: dict[str, Any]) -> None:
    groups = {body["name"]: address for address, body in doc["resource"]["aws_cloudwatch_log_group"].items()}
    assert [groups[name].rsplit("_", 1)[0] for name in ("/payments/app", "/payments/errors")] == [
        "log-groups_--payments--app",
        "log-groups_--payments--errors",
    ]


# --- what the pieces refuse ------------------------------------------------------------------------


def _stack() -> TerraformStack:
    return TerraformStack(Testing.app(), "team")


def test_fails_when_a_container_is_not_routed_and_names_the_close_one() -> None:
    stack = _stack()
    archive = LogArchive(stack, "audit", stream_name=AUDIT.delivery_stream, bucket_name="payments-audit-archive")
    task = _task(stack, log_archives=(archive,))
    with pytest.raises(
        ConfigError,
        match=r"^FirelensTaskDefinition 'team/api-task' add_container: container='webb' .*did you mean 'web'\?$",
    ):
        task.add_container(AppContainer("webb", IMAGE))


def test_fails_when_a_route_names_a_stream_close_to_a_given_archive_and_says_which() -> None:
    stack = _stack()
    archive = LogArchive(stack, "audit", stream_name="payments-audti", bucket_name="payments-audit-archive")
    with pytest.raises(
        ConfigError, match=r"Fix: did you mean 'payments-audti'\? Name it in the route's FirehoseStream"
    ):
        _task(stack, log_archives=(archive,))


def test_fails_at_synth_when_a_routed_container_was_never_added() -> None:
    stack = _stack()
    LogArchive(stack, "audit", stream_name=AUDIT.delivery_stream, bucket_name="payments-audit-archive")
    task = _task(stack, log_archives=[a for a in stack.node.children if isinstance(a, LogArchive)])
    task.add_container(WEB)
    assert task.node.validate() == [
        "FirelensTaskDefinition 'team/api-task': containers=['web'] is not valid; allowed: an app container for "
        "every routed container (missing: metrics). Fix: call add_container(AppContainer('metrics', image=...)), "
        "or drop its AppLogRouting"
    ]


def test_fails_at_synth_when_a_load_balancer_targets_a_port_the_container_does_not_map() -> None:
    stack = _stack()
    archive = LogArchive(stack, "audit", stream_name=AUDIT.delivery_stream, bucket_name="payments-audit-archive")
    task = _task(stack, log_archives=(archive,))
    task.add_container(WEB)
    service = FirelensFargateService(
        stack, "api", task_definition=task, load_balancers=(LoadBalancerTarget(TARGET_GROUP, "web", 8443, ALB_GROUP),)
    )
    [problem] = service.node.validate()
    assert "load_balancers='web:8443'" in problem and "add PortMapping(8443) to AppContainer('web')" in problem


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"cluster": ClusterRef.from_name("payments"), "cluster_name": "other"}, "cluster_name"),
        ({"health_check_grace_period_seconds": 30}, "health_check_grace_period_seconds"),
        ({"name": "9lives"}, "name"),
    ],
)
def test_fails_when_service_options_contradict_each_other(overrides: dict[str, Any], field: str) -> None:
    stack = _stack()
    archive = LogArchive(stack, "audit", stream_name=AUDIT.delivery_stream, bucket_name="payments-audit-archive")
    task = _task(stack, log_archives=(archive,))
    with pytest.raises(ConfigError, match=rf"^FirelensFargateService 'team/api': {field}="):
        FirelensFargateService(stack, "api", task_definition=task, **overrides)


def test_fails_when_the_containers_reserve_more_memory_than_the_task_has() -> None:
    stack = _stack()
    archive = LogArchive(stack, "audit", stream_name=AUDIT.delivery_stream, bucket_name="payments-audit-archive")
    task = _task(stack, log_archives=(archive,))
    with pytest.raises(ConfigError, match=r"memory_mib=512 .*allowed: at least the 612 MiB the containers reserve"):
        task.add_container(AppContainer("web", IMAGE, memory_reservation_mib=512))

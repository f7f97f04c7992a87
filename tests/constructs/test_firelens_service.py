"""FirelensService in the pipeline stack: containers, IAM derived from the routes, networking."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from cdktf import TerraformStack, Testing

from conftest import find, only, ref, resources, statements, synth_json
from firelens_app.config import PipelineConfig, pipeline_routing
from firelens_app.paths import DOCKER_DIR
from firelens_app.stacks import PipelineStack
from firelens_cdktf import (
    AppContainer,
    AppLogRouting,
    CloudWatchLogs,
    ConfigError,
    ContainerImageRef,
    FirehoseStream,
    FirelensService,
    LogArchive,
    LogRouter,
    LogRouting,
    NetworkPlacement,
    PublicNetwork,
    Route,
    RouterHealthCheck,
    Sidecar,
    compile_routing,
)
from firelens_cdktf.constructs.build_context import content_tag, log_router_context, read_context


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return synth_json(PipelineStack(Testing.app(), "pipeline", config=PipelineConfig()))


@pytest.fixture(scope="module")
def containers(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    definitions = json.loads(only(doc, "aws_ecs_task_definition")["container_definitions"])
    return {c["name"]: c for c in definitions}


def _role_policy(doc: dict[str, Any], role_key: str) -> list[dict[str, Any]]:
    task_definition = only(doc, "aws_ecs_task_definition")
    role_ref = task_definition[role_key].replace(".arn}", ".name}")
    [policy] = [p for p in resources(doc, "aws_iam_role_policy") if p["role"] == role_ref]
    return statements(policy["policy"])


def test_app_logs_through_firelens_with_only_a_bounded_log_driver_buffer(
    containers: dict[str, dict[str, Any]],
) -> None:
    assert containers["rails-app"]["logConfiguration"] == {
        "logDriver": "awsfirelens",
        "options": {"log-driver-buffer-limit": "8192"},
    }


def test_app_waits_for_a_healthy_router_and_a_healthy_db(containers: dict[str, dict[str, Any]]) -> None:
    assert containers["rails-app"]["dependsOn"] == [
        {"containerName": "log_router", "condition": "HEALTHY"},
        {"containerName": "db", "condition": "HEALTHY"},
    ]


def test_log_router_stop_timeout_covers_the_configs_grace(containers: dict[str, dict[str, Any]]) -> None:
    grace = pipeline_routing(PipelineConfig()).grace_seconds
    assert containers["log_router"]["stopTimeout"] == 120 >= grace == 30


def test_log_router_health_check_asks_fluent_bit_if_it_is_up(containers: dict[str, dict[str, Any]]) -> None:
    assert containers["log_router"]["healthCheck"] == {
        "command": ["CMD-SHELL", "curl -f http://127.0.0.1:2020/api/v1/uptime || exit 1"],
        "interval": 10,
        "timeout": 5,
        "retries": 2,
        "startPeriod": 30,
    }


def test_log_router_reserves_twice_the_input_buffer_aws_advises(containers: dict[str, dict[str, Any]]) -> None:
    assert containers["log_router"]["memoryReservation"] == 100


def test_app_reaches_the_db_on_localhost(containers: dict[str, dict[str, Any]]) -> None:
    env = {e["name"]: e["value"] for e in containers["rails-app"]["environment"]}
    assert "@127.0.0.1:5432/" in env["DATABASE_URL"]


def test_log_router_reads_the_config_baked_into_its_image(containers: dict[str, dict[str, Any]]) -> None:
    assert containers["log_router"]["firelensConfiguration"] == {
        "type": "fluentbit",
        "options": {
            "config-file-type": "file",
            "config-file-value": "/fluent-bit/etc/extra.conf",
            "enable-ecs-log-metadata": "true",
        },
    }


def test_log_router_is_essential_and_logs_to_its_own_group(
    doc: dict[str, Any], containers: dict[str, dict[str, Any]]
) -> None:
    router = containers["log_router"]
    group = find(doc, "aws_cloudwatch_log_group", name="/ecs/sample-rails-app/log_router")
    assert router["essential"] is True and router["logConfiguration"]["options"]["awslogs-group"] == ref(
        doc, "aws_cloudwatch_log_group", group, "name"
    )


def test_db_sidecar_is_healthy_once_pg_isready_answers(containers: dict[str, dict[str, Any]]) -> None:
    assert containers["db"]["healthCheck"]["command"] == ["CMD-SHELL", "pg_isready -U postgres -d app"]


def test_every_routed_log_group_is_created_with_retention(doc: dict[str, Any]) -> None:
    for name in ("/sample-metrics-fluentbit", "/sample-metrics-fluentbit/analysis"):
        assert find(doc, "aws_cloudwatch_log_group", name=name)["retention_in_days"] == 30


def test_task_role_may_put_records_only_to_the_routed_stream(doc: dict[str, Any]) -> None:
    stream = only(doc, "aws_kinesis_firehose_delivery_stream")
    [put] = [s for s in _role_policy(doc, "task_role_arn") if "firehose:PutRecordBatch" in s["Action"]]
    assert (put["Action"], put["Resource"]) == (
        ["firehose:PutRecordBatch"],
        [ref(doc, "aws_kinesis_firehose_delivery_stream", stream, "arn")],
    )


def test_task_role_writes_only_streams_of_the_routed_groups(doc: dict[str, Any]) -> None:
    [logs] = [s for s in _role_policy(doc, "task_role_arn") if "logs:PutLogEvents" in s["Action"]]
    groups = [
        find(doc, "aws_cloudwatch_log_group", name=n)
        for n in ("/sample-metrics-fluentbit/analysis", "/sample-metrics-fluentbit")
    ]
    expected = sorted(ref(doc, "aws_cloudwatch_log_group", g, "arn") + ":*" for g in groups)
    assert (logs["Action"], sorted(logs["Resource"])) == (["logs:CreateLogStream", "logs:PutLogEvents"], expected)


def test_execution_role_pulls_only_the_pipelines_repositories(doc: dict[str, Any]) -> None:
    [pull] = [s for s in _role_policy(doc, "execution_role_arn") if "ecr:BatchGetImage" in s["Action"]]
    repositories = [ref(doc, "aws_ecr_repository", r, "arn") for r in resources(doc, "aws_ecr_repository")]
    assert sorted(pull["Resource"]) == sorted(repositories)


def test_no_managed_policy_is_attached(doc: dict[str, Any]) -> None:
    assert resources(doc, "aws_iam_role_policy_attachment") == []


def test_task_and_execution_roles_are_distinct(doc: dict[str, Any]) -> None:
    task_definition = only(doc, "aws_ecs_task_definition")
    assert task_definition["task_role_arn"] != task_definition["execution_role_arn"]


def test_security_group_opens_only_the_app_port(doc: dict[str, Any]) -> None:
    [rule] = only(doc, "aws_security_group")["ingress"]
    assert (rule["from_port"], rule["to_port"], rule["protocol"]) == (3000, 3000, "tcp")


def test_security_group_lets_tasks_call_out_over_https_only(doc: dict[str, Any]) -> None:
    assert [(r["protocol"], r["from_port"], r["to_port"]) for r in only(doc, "aws_security_group")["egress"]] == [
        ("tcp", 443, 443)
    ]


def test_service_runs_on_the_latest_fargate_platform(doc: dict[str, Any]) -> None:
    assert only(doc, "aws_ecs_service")["platform_version"] == "LATEST"


def test_container_insights_is_off_by_default(doc: dict[str, Any]) -> None:
    assert only(doc, "aws_ecs_cluster")["setting"] == [{"name": "containerInsights", "value": "disabled"}]


def test_service_runs_one_fargate_task_with_a_public_ip(doc: dict[str, Any]) -> None:
    service = only(doc, "aws_ecs_service")
    assert (service["desired_count"], service["launch_type"], service["network_configuration"]["assign_public_ip"]) == (
        1,
        "FARGATE",
        True,
    )


def test_images_are_tagged_with_their_content_hash(containers: dict[str, dict[str, Any]]) -> None:
    # The tag is the hash of what the image is built from, so a changed file means a new tag
    # (and a new task definition revision); tests/constructs/test_build_context.py shows the hash itself.
    expected = {
        "rails-app": content_tag(read_context(DOCKER_DIR / "app")),
        "log_router": content_tag(log_router_context(pipeline_routing(PipelineConfig()))),
        "db": content_tag(read_context(DOCKER_DIR / "postgres")),
    }
    assert {name: c["image"].rsplit(":", 1)[1] for name, c in containers.items()} == expected


def test_outputs_name_cluster_service_task_definition_groups_stream_and_bucket(doc: dict[str, Any]) -> None:
    assert {
        "cluster_name",
        "service_name",
        "task_definition_arn",
        "route_log_groups",
        "router_log_group",
        "delivery_streams",
        "archive_buckets",
    } <= set(doc["output"])


def test_state_lives_in_the_state_bucket_with_locking(doc: dict[str, Any]) -> None:
    backend = doc["terraform"]["backend"]["s3"]
    assert (backend["bucket"], backend["key"], backend["encrypt"], backend["use_lockfile"]) == (
        "firelens-sample-tfstate",
        "pipeline/terraform.tfstate",
        True,
        True,
    )


# --- reuse by another team: several containers and services, shared parts -----------------------

IMAGE = ContainerImageRef.from_registry("public.ecr.aws/example/app:1")
ROUTER = ContainerImageRef.from_registry("public.ecr.aws/example/router:1")


def _app(container: str, group: str, stream: str | None = None) -> AppLogRouting:
    routes = (Route("sql", field="name", pattern="^SQL$", destination=FirehoseStream(stream)),) if stream else ()
    return AppLogRouting(container=container, default=CloudWatchLogs(group), routes=routes)


def _routing(container: str, group: str, stream: str | None = None) -> Any:
    return compile_routing(LogRouting(region="ap-northeast-1", apps=(_app(container, group, stream),)))


def _service(**overrides: Any) -> FirelensService:
    stack = TerraformStack(Testing.app(), "test")
    args: dict[str, Any] = {
        "name": "svc",
        "containers": (AppContainer("app", IMAGE, port=3000),),
        "log_router": LogRouter(ROUTER),
        "routing": _routing("app", "/team/app"),
        **overrides,
    }
    return FirelensService(stack, "svc", **args)


def _containers_of(service: FirelensService) -> dict[str, dict[str, Any]]:
    doc = synth_json(service.node.scope)  # type: ignore[arg-type]
    return {c["name"]: c for c in json.loads(only(doc, "aws_ecs_task_definition")["container_definitions"])}


@pytest.fixture(scope="module")
def two_container_doc() -> dict[str, Any]:
    """An api and an nginx container in one task, each with its own routes."""
    stack = TerraformStack(Testing.app(), "web")
    archive = LogArchive(stack, "archive", stream_name="web-sql", bucket_name="web-sql-archive")
    routing = compile_routing(
        LogRouting(region="ap-northeast-1", apps=(_app("api", "/web/api", "web-sql"), _app("nginx", "/web/nginx")))
    )
    FirelensService(
        stack,
        "web",
        name="web",
        routing=routing,
        log_archives=(archive,),
        containers=(AppContainer("api", IMAGE, port=8080), AppContainer("nginx", IMAGE, port=80)),
        log_router=LogRouter(ROUTER),
    )
    return synth_json(stack)


def test_every_app_container_logs_through_firelens_and_waits_for_the_router(two_container_doc: dict[str, Any]) -> None:
    definitions = json.loads(only(two_container_doc, "aws_ecs_task_definition")["container_definitions"])
    apps = {c["name"]: c for c in definitions if c["name"] != "log_router"}
    assert {
        name: (c["logConfiguration"]["logDriver"], c["dependsOn"], c["portMappings"][0]["containerPort"])
        for name, c in apps.items()
    } == {
        "api": ("awsfirelens", [{"containerName": "log_router", "condition": "HEALTHY"}], 8080),
        "nginx": ("awsfirelens", [{"containerName": "log_router", "condition": "HEALTHY"}], 80),
    }


def test_task_role_gets_exactly_the_union_of_the_containers_routes(two_container_doc: dict[str, Any]) -> None:
    doc = two_container_doc
    policy = statements(find(doc, "aws_iam_role_policy", name="route-logs")["policy"])
    granted = {(tuple(s["Action"]), tuple(sorted(s["Resource"]))) for s in policy}
    groups = sorted(
        ref(doc, "aws_cloudwatch_log_group", find(doc, "aws_cloudwatch_log_group", name=n), "arn") + ":*"
        for n in ("/web/api", "/web/nginx")
    )
    stream = ref(doc, "aws_kinesis_firehose_delivery_stream", only(doc, "aws_kinesis_firehose_delivery_stream"), "arn")
    assert granted == {
        (("firehose:PutRecordBatch",), (stream,)),
        (("logs:CreateLogStream", "logs:PutLogEvents"), tuple(groups)),
    }


def test_security_group_opens_each_app_containers_port(two_container_doc: dict[str, Any]) -> None:
    ports = sorted(r["from_port"] for r in only(two_container_doc, "aws_security_group")["ingress"])
    assert ports == [80, 8080]


def test_services_share_one_archive_cluster_network_and_log_group() -> None:
    stack = TerraformStack(Testing.app(), "shared")
    archive = LogArchive(stack, "archive", stream_name="orders-sql", bucket_name="orders-sql-archive")
    network = PublicNetwork(stack, "network", availability_zones=("ap-northeast-1a", "ap-northeast-1c"))
    placement = NetworkPlacement.existing(vpc_id=network.vpc.id, subnet_ids=tuple(network.subnet_ids))
    shared_group = CloudWatchLogs("/shared/app")
    orders = FirelensService(
        stack,
        "orders",
        name="orders-svc",
        log_router=LogRouter(ROUTER),
        log_archives=(archive,),
        network=placement,
        containers=(AppContainer("orders-api", IMAGE, port=8080),),
        routing=compile_routing(
            LogRouting(
                region="ap-northeast-1",
                apps=(
                    AppLogRouting(
                        "orders-api",
                        default=shared_group,
                        routes=(Route("sql", field="name", pattern="^SQL$", destination=FirehoseStream("orders-sql")),),
                    ),
                ),
            )
        ),
    )
    FirelensService(
        stack,
        "billing",
        name="billing-svc",
        log_router=LogRouter(ROUTER),
        log_archives=(archive,),
        network=placement,
        cluster=orders.cluster,
        route_log_groups=orders.route_log_groups,
        containers=(AppContainer("billing-api", IMAGE, port=8081),),
        routing=compile_routing(
            LogRouting(region="ap-northeast-1", apps=(AppLogRouting("billing-api", default=shared_group),))
        ),
    )
    doc = synth_json(stack)
    names = [
        (t, r["name"])
        for t in ("aws_ecs_cluster", "aws_ecs_service", "aws_cloudwatch_log_group")
        for r in resources(doc, t)
    ] + [("family", r["family"]) for r in resources(doc, "aws_ecs_task_definition")]
    counts = {
        t: len(resources(doc, t))
        for t in ("aws_ecs_service", "aws_ecs_cluster", "aws_vpc", "aws_kinesis_firehose_delivery_stream")
    }
    assert (counts, [n for n, c in Counter(names).items() if c > 1]) == (
        {"aws_ecs_service": 2, "aws_ecs_cluster": 1, "aws_vpc": 1, "aws_kinesis_firehose_delivery_stream": 1},
        [],
    )


def test_fails_when_two_services_would_create_the_same_log_group() -> None:
    stack = TerraformStack(Testing.app(), "shared")
    for team in ("orders", "billing"):
        if team == "billing":
            with pytest.raises(
                ConfigError,
                match=r"^FirelensService 'shared/billing': route_log_groups=.*"
                r"/team/app by 'shared/orders'",
            ):
                FirelensService(
                    stack,
                    team,
                    name=team,
                    log_router=LogRouter(ROUTER),
                    containers=(AppContainer("app", IMAGE),),
                    routing=_routing("app", "/team/app"),
                )
        else:
            FirelensService(
                stack,
                team,
                name=team,
                log_router=LogRouter(ROUTER),
                containers=(AppContainer("app", IMAGE),),
                routing=_routing("app", "/team/app"),
            )


def test_router_defaults_can_be_overridden() -> None:
    router_settings = LogRouter(
        ROUTER, stop_timeout_seconds=60, memory_reservation_mib=64, log_driver_buffer_limit=1000
    )
    containers = _containers_of(_service(log_router=router_settings))
    router, app = containers["log_router"], containers["app"]
    assert (router["stopTimeout"], router["memoryReservation"], app["logConfiguration"]["options"]) == (
        60,
        64,
        {"log-driver-buffer-limit": "1000"},
    )


def test_without_a_router_health_check_the_app_waits_for_the_router_to_start() -> None:
    containers = _containers_of(_service(log_router=LogRouter(ROUTER, health_check=None)))
    assert ("healthCheck" in containers["log_router"], containers["app"]["dependsOn"]) == (
        False,
        [{"containerName": "log_router", "condition": "START"}],
    )


def test_output_health_check_asks_fluent_bit_whether_its_outputs_deliver() -> None:
    router = _containers_of(_service(log_router=LogRouter(ROUTER, health_check=RouterHealthCheck.OUTPUT_HEALTH)))
    assert router["log_router"]["healthCheck"]["command"] == [
        "CMD-SHELL",
        "curl -f http://127.0.0.1:2020/api/v1/health || exit 1",
    ]


def test_an_app_container_without_a_port_maps_none_and_opens_none() -> None:
    service = _service(containers=(AppContainer("app", IMAGE),))
    doc = synth_json(service.node.scope)  # type: ignore[arg-type]
    assert ("portMappings" in _containers_of(service)["app"], only(doc, "aws_security_group")["ingress"]) == (False, [])


def test_role_name_prefix_starts_both_role_names() -> None:
    doc = synth_json(_service(role_name_prefix="team-orders-").node.scope)  # type: ignore[arg-type]
    assert sorted(r["name_prefix"] for r in resources(doc, "aws_iam_role")) == [
        "team-orders-exec-",
        "team-orders-task-",
    ]


@pytest.mark.parametrize(
    ("overrides", "field", "allowed"),
    [
        ({"cpu": 256, "memory_mib": 4096}, "memory_mib", "with cpu=256: 512, 1024, 2048"),
        ({"cpu": 300}, "cpu", "one of 256, 512"),
        (
            {"routing": _routing("app", "/team/app", "not-in-stack")},
            "log_archives",
            "a LogArchive for every routed stream",
        ),
        ({"ecs_log_retention_days": 10}, "ecs_log_retention_days", "one of 1, 3, 5"),
        ({"name": "x" * 40}, "name", "1-32 letters"),
        ({"sidecars": (Sidecar(name="app", image=IMAGE),)}, "sidecars", "unique"),
        ({"containers": (AppContainer("web", IMAGE),)}, "containers", "one AppContainer per AppLogRouting"),
        (
            {"containers": (AppContainer("app", IMAGE), AppContainer("app", IMAGE))},
            "containers",
            "one AppContainer per AppLogRouting",
        ),
        (
            {"log_router": LogRouter(ROUTER, stop_timeout_seconds=10)},
            r"log_router\.stop_timeout_seconds",
            "at least the config's Grace",
        ),
    ],
)
def test_fails_when_an_argument_cannot_work(overrides: dict[str, Any], field: str, allowed: str) -> None:
    with pytest.raises(ConfigError, match=rf"^FirelensService 'test/svc': {field}=.*allowed: .*{allowed}"):
        _service(**overrides)


@pytest.mark.parametrize(
    ("build", "where", "field", "allowed"),
    [
        (lambda: AppContainer("app", IMAGE, port=70000), r"AppContainer\('app'\)", "port", "from 1 to 65535"),
        (
            lambda: LogRouter(ROUTER, config_file="arn:aws:s3:::bucket/extra.conf"),
            "LogRouter",
            "config_file",
            "a file path inside the log router image",
        ),
        (
            lambda: NetworkPlacement(subnet_ids=("subnet-1",)),
            "NetworkPlacement",
            "subnet_ids/vpc_id",
            "both or neither",
        ),
        (lambda: NetworkPlacement(ingress_cidr="everyone"), "NetworkPlacement", "ingress_cidr", "CIDR"),
    ],
)
def test_fails_when_a_value_object_is_built_with_a_value_that_cannot_work(
    build: Any, where: str, field: str, allowed: str
) -> None:
    with pytest.raises(ConfigError, match=rf"^{where}: {field}=.*allowed: .*{allowed}"):
        build()


# --- names that break a rule get the fix for that rule -----------------------------------------------


@pytest.mark.parametrize(
    ("name", "fix"),
    [
        ("x" * 33, "choose a shorter name"),
        ("9lives", "start the name with a letter"),
        ("orders.api", "drop the characters other than letters, digits, '-' and '_'"),
    ],
)
def test_fails_on_a_bad_service_name_with_the_fix_for_its_cause(name: str, fix: str) -> None:
    with pytest.raises(ConfigError, match=rf"^FirelensService 'test/svc': name=.*Fix: {fix}"):
        _service(name=name)

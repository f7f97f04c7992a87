"""The bad-input catalogue: broken configurations the constructs must reject at synth time.

Each :class:`BadInput` builds one broken configuration the way a user would
write it (a construct, a route, a compile option, a hand-written Fluent Bit
config) and says what the error must be: its type and the five parts of
its message, where (the construct path, or the declaration for pure values
such as a Route), the field, the bad value, what is allowed and how to fix
it. Nothing here runs Terraform: every case must fail in a constructor.

``tests/catalogues/test_bad_inputs.py`` runs the table, in the suite and in ``make scan``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cdktf import TerraformStack, Testing

from firelens_app.config import PipelineConfig
from firelens_cdktf.constructs.container_image import ContainerRepository
from firelens_cdktf.constructs.container_props import AppContainer, ContainerImageRef, HealthCheck, Secret, Sidecar
from firelens_cdktf.constructs.fargate_service import FirelensFargateService
from firelens_cdktf.constructs.firelens_service import FirelensService
from firelens_cdktf.constructs.kms import LogKey
from firelens_cdktf.constructs.log_archive import LogArchive
from firelens_cdktf.constructs.provider import aws_provider
from firelens_cdktf.constructs.service_props import ClusterRef, LogRouter, NetworkPlacement, RouterAlarms
from firelens_cdktf.constructs.task_definition import FirelensTaskDefinition
from firelens_cdktf.errors import ConfigError, LintError, RouteError
from firelens_cdktf.fluentbit.config import parse_config
from firelens_cdktf.lint.checks import check_config
from firelens_cdktf.routing.compiler import CompiledRouting, compile_routing
from firelens_cdktf.routing.routes import AppLogRouting, CloudWatchLogs, FirehoseStream, LogRouting, Route

#: Id of the stack every construct case is declared in (the first part of each construct path).
STACK = "bad"
IMAGE = ContainerImageRef.from_registry("public.ecr.aws/example/app:1.0.0")
ROUTER_REPOSITORY = "public.ecr.aws/aws-observability/aws-for-fluent-bit"
ROUTER = ContainerImageRef.from_registry(f"{ROUTER_REPOSITORY}:init-3.2.1")
TOPIC = "arn:aws:sns:ap-northeast-1:123456789012:alerts"
SECRET_ARN = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:team/db-AbCdEf"
KEY_ARN_US = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

#: The article's own extra.conf, abridged: its labelled copies (``logdata.*``) match no output.
UNROUTED_COPIES_CONFIG = """\
[FILTER]
    Name  rewrite_tag
    Match *rails-app-firelens-*
    Rule  $payload['label'] .+ logdata.$payload['label'] true

[OUTPUT]
    Name              cloudwatch_logs
    Match             *rails-app-firelens-*
    region            ap-northeast-1
    log_group_name    /sample-metrics-fluentbit
    log_stream_prefix fluentbit-
"""


@dataclass(frozen=True)
class BadInput:
    """One broken configuration and the error it must raise.

    Args:
        name: Short id (the test id).
        build: Declares the configuration; must raise before returning.
        error: The exception type expected.
        where: Construct path (``FirelensService 'bad/svc'``) or declaration the message names.
        field: The field named.
        value: The bad value as the message shows it (its ``repr``).
        allowed: Text of what is allowed that the message contains.
        fix: Text of how to fix it that the message contains.
    """

    name: str
    build: Callable[[], object]
    error: type[Exception]
    where: str
    field: str
    value: str
    allowed: str
    fix: str

    @property
    def parts(self) -> dict[str, str]:
        """The five parts every message must contain."""
        return {"where": self.where, "field": self.field, "value": self.value, "allowed": self.allowed, "fix": self.fix}


@dataclass(frozen=True)
class Outcome:
    """What trying one :class:`BadInput` did."""

    case: BadInput
    error: BaseException | None

    @property
    def missing_parts(self) -> list[str]:
        """Parts of the expected message the error's message lacks."""
        message = str(self.error) if self.error else ""
        return [part for part, text in self.case.parts.items() if text not in message]

    @property
    def rejected_clearly(self) -> bool:
        """Raised the expected type, with all five parts in its message."""
        return isinstance(self.error, self.case.error) and not self.missing_parts

    @property
    def problem(self) -> str:
        """Why the outcome is not a clear rejection ('' when it is)."""
        if self.error is None:
            return "accepted: no error raised"
        if not isinstance(self.error, self.case.error):
            return f"raised {type(self.error).__name__}, expected {self.case.error.__name__}: {self.error}"
        if self.missing_parts:
            return f"message lacks {', '.join(self.missing_parts)}: {self.error}"
        return ""


def try_case(case: BadInput) -> Outcome:
    """Build ``case`` and record what it raised (any exception counts as raised)."""
    try:
        case.build()
    except Exception as exc:  # noqa: BLE001 - the outcome judges the type: a wrong one is reported, not swallowed
        return Outcome(case, exc)
    return Outcome(case, None)


def try_all(cases: tuple[BadInput, ...] | None = None) -> list[Outcome]:
    """Try every case of the catalogue (default: :data:`CATALOGUE`)."""
    return [try_case(case) for case in (CATALOGUE if cases is None else cases)]


# --- valid building blocks; each case breaks exactly one thing -----------------------------


def _stack() -> TerraformStack:
    return TerraformStack(Testing.app(), STACK)


def _key_in_another_region() -> None:
    stack = _stack()
    aws_provider(stack, region="ap-northeast-1")
    LogKey(stack, "key", key_arn=KEY_ARN_US)


@functools.cache
def _routing(stream: str | None = None, **options: Any) -> CompiledRouting:
    routes = (Route("sql", field="name", pattern="^SQL$", destination=FirehoseStream(stream)),) if stream else ()
    app = AppLogRouting("app", default=CloudWatchLogs("/team/app"), routes=routes)
    return compile_routing(LogRouting(region="ap-northeast-1", apps=(app,)), **options)


def _service(
    routing: CompiledRouting | None = None, stack: TerraformStack | None = None, id_: str = "svc", **overrides: Any
) -> FirelensService:
    args: dict[str, Any] = {
        "name": id_,
        "containers": (AppContainer("app", IMAGE, port=3000),),
        "log_router": LogRouter(ROUTER),
        **overrides,
    }
    return FirelensService(stack or _stack(), id_, routing=routing or _routing(), **args)


def _task(stack: TerraformStack | None = None) -> FirelensTaskDefinition:
    return FirelensTaskDefinition(
        stack or _stack(), "task", family="team", routing=_routing(), log_router=LogRouter(ROUTER)
    )


def _grace_period_without_load_balancer() -> None:
    stack = _stack()
    FirelensFargateService(stack, "api", task_definition=_task(stack), health_check_grace_period_seconds=60)


def _two_services_one_group() -> None:
    stack = _stack()
    _service(stack=stack, id_="svc")
    _service(stack=stack, id_="svc2")


def _archive(**overrides: Any) -> LogArchive:
    args: dict[str, Any] = {"stream_name": "team-sql", "bucket_name": "team-sql-archive", **overrides}
    return LogArchive(_stack(), "archive", **args)


def _app(container: str = "app", **overrides: Any) -> AppLogRouting:
    args: dict[str, Any] = {"default": CloudWatchLogs("/team/app"), **overrides}
    return AppLogRouting(container, **args)


def _route(name: str = "sql", **overrides: Any) -> Route:
    args: dict[str, Any] = {"field": "name", "pattern": "^SQL$", "destination": FirehoseStream("team-sql"), **overrides}
    return Route(name, **args)


def _unrouted_copies() -> None:
    check_config(parse_config(UNROUTED_COPIES_CONFIG, source="extra.conf"), containers=["rails-app"])


SERVICE = f"FirelensService '{STACK}/svc'"
ARCHIVE = f"LogArchive '{STACK}/archive'"
REPOSITORY = f"ContainerRepository '{STACK}/repo'"


def _case(
    name: str,
    build: Callable[[], object],
    error: type[Exception],
    where: str,
    field: str,
    value: object,
    allowed: str,
    fix: str,
) -> BadInput:
    return BadInput(name, build, error, where, field, repr(value), allowed, fix)


#: Every broken configuration the constructs must reject, grouped by what breaks.
CATALOGUE: tuple[BadInput, ...] = (
    # --- names AWS would reject -------------------------------------------------------------
    _case(
        "ecr-name-too-long",
        lambda: ContainerRepository(_stack(), "repo", name="a" * 257),
        ConfigError,
        REPOSITORY,
        "name",
        "a" * 257,
        "2-256 lowercase letters",
        "use lowercase",
    ),
    _case(
        "ecr-name-upper-case",
        lambda: ContainerRepository(_stack(), "repo", name="Sample/App"),
        ConfigError,
        REPOSITORY,
        "name",
        "Sample/App",
        "2-256 lowercase letters",
        "use lowercase",
    ),
    _case(
        "s3-name-too-long",
        lambda: _archive(bucket_name="b" * 64),
        ConfigError,
        ARCHIVE,
        "bucket_name",
        "b" * 64,
        "3-63 lowercase letters",
        "S3 bucket naming rules",
    ),
    _case(
        "archive-services-one-string",
        lambda: _archive(services="orders"),
        ConfigError,
        ARCHIVE,
        "services",
        "orders",
        "a non-empty list of service names",
        "pass services=('api', 'worker')",
    ),
    _case(
        "archive-service-stream-name-too-long",
        lambda: _archive(services=("orders-" + "x" * 60,)),
        ConfigError,
        ARCHIVE,
        "services",
        "orders-" + "x" * 60,
        "fits Firehose's 64 characters",
        "shorten stream_name",
    ),
    _case(
        "archive-transition-to-a-class-athena-skips",
        lambda: _archive(transition_days=90, transition_storage_class="DEEP_ARCHIVE"),
        ConfigError,
        ARCHIVE,
        "transition_storage_class",
        "DEEP_ARCHIVE",
        "one of STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, GLACIER_IR",
        "Athena reads without a restore",
    ),
    _case(
        "archive-transition-before-s3-allows",
        lambda: _archive(transition_days=7),
        ConfigError,
        ARCHIVE,
        "transition_days",
        7,
        "a whole number from 30 to 364",
        "at least 30 day(s) for STANDARD_IA (S3's minimum), and before expiration_days (365)",
    ),
    _case(
        "s3-name-underscore",
        lambda: _archive(bucket_name="team_sql_archive"),
        ConfigError,
        ARCHIVE,
        "bucket_name",
        "team_sql_archive",
        "3-63 lowercase letters",
        "S3 bucket naming rules",
    ),
    _case(
        "s3-name-like-an-ip-address",
        lambda: _archive(bucket_name="192.168.10.1"),
        ConfigError,
        ARCHIVE,
        "bucket_name",
        "192.168.10.1",
        "not formatted like an IP address",
        "use letters",
    ),
    _case(
        "s3-name-reserved-suffix",
        lambda: _archive(bucket_name="team-logs-s3alias"),
        ConfigError,
        ARCHIVE,
        "bucket_name",
        "team-logs-s3alias",
        "no reserved prefix",
        "drop '-s3alias'",
    ),
    _case(
        "iam-role-prefix-too-long",
        lambda: _service(role_name_prefix="r" * 34),
        ConfigError,
        SERVICE,
        "role_name_prefix",
        "r" * 34,
        "1-33 of letters",
        "shorten it",
    ),
    _case(
        "iam-role-prefix-invalid-character",
        lambda: _service(role_name_prefix="team/app-"),
        ConfigError,
        SERVICE,
        "role_name_prefix",
        "team/app-",
        "+ = , . @ _ -",
        "drop the other characters",
    ),
    _case(
        "log-group-invalid-character",
        lambda: CloudWatchLogs("/team app"),
        RouteError,
        "CloudWatchLogs('/team app')",
        "log_group",
        "/team app",
        "1-512 of A-Z a-z 0-9",
        "rename the log group",
    ),
    _case(
        "log-group-too-long",
        lambda: CloudWatchLogs("/" + "g" * 512),
        RouteError,
        "CloudWatchLogs(",
        "log_group",
        "/" + "g" * 512,
        "1-512 of A-Z a-z 0-9",
        "rename the log group",
    ),
    _case(
        "log-stream-prefix-with-colon",
        lambda: CloudWatchLogs("/team/app", stream_prefix="app:"),
        RouteError,
        "CloudWatchLogs('/team/app')",
        "stream_prefix",
        "app:",
        "without ':' or '*'",
        "use a prefix such as",
    ),
    _case(
        "log-class-delivery",
        lambda: CloudWatchLogs("/team/app", log_class="DELIVERY"),  # type: ignore[arg-type]
        RouteError,
        "CloudWatchLogs('/team/app')",
        "log_class",
        "DELIVERY",
        "LogClass.STANDARD or LogClass.INFREQUENT_ACCESS",
        "the DELIVERY class cannot take a router's logs",
    ),
    _case(
        "log-group-in-two-classes",
        lambda: LogRouting(
            region="ap-northeast-1",
            apps=(
                AppLogRouting(
                    "app",
                    default=CloudWatchLogs("/team/app"),
                    routes=(
                        Route(
                            "audit",
                            field="kind",
                            pattern="^audit$",
                            destination=CloudWatchLogs("/team/app", log_class="INFREQUENT_ACCESS"),  # type: ignore[arg-type]
                        ),
                    ),
                ),
            ),
        ),
        RouteError,
        "LogRouting",
        "log_class",
        "/team/app as INFREQUENT_ACCESS and as STANDARD",
        "one class per log group",
        "give the Infrequent Access routes a log group of their own",
    ),
    _case(
        "firehose-name-too-long",
        lambda: _archive(stream_name="s" * 65),
        ConfigError,
        ARCHIVE,
        "stream_name",
        "s" * 65,
        "1-64 letters",
        "rename the delivery stream",
    ),
    _case(
        "firehose-name-invalid-character",
        lambda: FirehoseStream("team sql"),
        RouteError,
        "FirehoseStream('team sql')",
        "delivery_stream",
        "team sql",
        "1-64 of a-z A-Z 0-9 _ . -",
        "rename the delivery stream",
    ),
    _case(
        "service-name-too-long",
        lambda: _service(name="s" * 33),
        ConfigError,
        SERVICE,
        "name",
        "s" * 33,
        "1-32 letters",
        "choose a shorter name",
    ),
    _case(
        "stage-upper-case",
        lambda: PipelineConfig(stage="Prod"),
        ConfigError,
        "PipelineConfig",
        "stage",
        "Prod",
        "a lowercase letter",
        "use a short name such as 'dev'",
    ),
    # --- Fargate ------------------------------------------------------------------------------------
    _case(
        "fargate-cpu-memory-pair",
        lambda: _service(cpu=256, memory_mib=4096),
        ConfigError,
        SERVICE,
        "memory_mib",
        4096,
        "with cpu=256: 512, 1024, 2048",
        "not a Fargate size for cpu=256",
    ),
    _case(
        "fargate-cpu-size",
        lambda: _service(cpu=300),
        ConfigError,
        SERVICE,
        "cpu",
        300,
        "one of 256, 512, 1024",
        "pick a Fargate CPU size",
    ),
    # --- routes -------------------------------------------------------------------------------------
    _case(
        "regex-does-not-compile",
        lambda: _route(pattern="^(Active"),
        RouteError,
        "Route 'sql'",
        "pattern",
        "^(Active",
        "a valid regex",
        "fix the regex",
    ),
    _case(
        "field-path-malformed",
        lambda: _route(field="payload..label"),
        RouteError,
        "Route 'sql'",
        "field",
        "payload..label",
        "a dotted path of record keys",
        "write it like 'payload.label'",
    ),
    _case(
        "duplicate-route-names",
        lambda: _app(routes=(_route(), _route())),
        RouteError,
        "AppLogRouting('app')",
        "routes",
        ["sql"],
        "unique route names",
        "rename the duplicate routes",
    ),
    _case(
        "route-to-destination-not-in-stack",
        lambda: _service(routing=_routing("orders-sql")),
        ConfigError,
        SERVICE,
        "log_archives",
        [],
        "a LogArchive for every routed stream (orders-sql)",
        "add LogArchive(..., stream_name='orders-sql')",
    ),
    _case(
        "re-emitted-tag-no-output-matches",
        _unrouted_copies,
        LintError,
        "[FILTER] rewrite_tag (extra.conf line 1)",
        "rule 1",
        "logdata.$payload['label']",
        "that no [OUTPUT] matches",
        "add an [OUTPUT] with 'Match logdata.*'",
    ),
    _case(
        "empty-routes-and-no-default",
        lambda: _app(default=None),
        RouteError,
        "AppLogRouting('app')",
        "default",
        None,
        "a Destination such as CloudWatchLogs",
        "pass default=CloudWatchLogs(...)",
    ),
    _case(
        "container-name-makes-an-invalid-tag",
        lambda: _app("rails.app"),
        RouteError,
        "AppLogRouting('rails.app')",
        "container",
        "rails.app",
        "which becomes part of every tag",
        "use the container name from the task definition",
    ),
    _case(
        "no-app-container",
        lambda: LogRouting(region="ap-northeast-1", apps=()),
        RouteError,
        "LogRouting",
        "apps",
        (),
        "a non-empty tuple of AppLogRouting",
        "declare at least one app container",
    ),
    # --- Firehose -----------------------------------------------------------------------------------
    _case(
        "prefix-expressions-without-error-prefix",
        lambda: _archive(error_prefix=""),
        ConfigError,
        ARCHIVE,
        "error_prefix",
        "",
        "an error prefix whenever prefix uses !{...} expressions",
        "set error_prefix",
    ),
    _case(
        "error-prefix-without-error-output-type",
        lambda: _archive(error_prefix="errors/"),
        ConfigError,
        ARCHIVE,
        "error_prefix",
        "errors/",
        "containing !{firehose:error-output-type}",
        "add !{firehose:error-output-type} to error_prefix",
    ),
    _case(
        "buffering-size-zero",
        lambda: _archive(buffering_size_mib=0),
        ConfigError,
        ARCHIVE,
        "buffering_size_mib",
        0,
        "from 1 to 128",
        "Firehose buffers 1 to 128 MiB",
    ),
    _case(
        "buffering-size-over-128",
        lambda: _archive(buffering_size_mib=129),
        ConfigError,
        ARCHIVE,
        "buffering_size_mib",
        129,
        "from 1 to 128",
        "Firehose buffers 1 to 128 MiB",
    ),
    _case(
        "buffering-interval-over-900",
        lambda: _archive(buffering_interval_seconds=901),
        ConfigError,
        ARCHIVE,
        "buffering_interval_seconds",
        901,
        "from 0 to 900",
        "Firehose buffers 0 to 900 seconds",
    ),
    # --- retention ----------------------------------------------------------------------------------
    _case(
        "route-retention-not-allowed",
        lambda: CloudWatchLogs("/team/app", retention_days=10),
        RouteError,
        "CloudWatchLogs('/team/app')",
        "retention_days",
        10,
        "1, 3, 5, 7, 14, 30",
        "pick the nearest allowed number of days",
    ),
    _case(
        "router-retention-not-allowed",
        lambda: _service(ecs_log_retention_days=31),
        ConfigError,
        SERVICE,
        "ecs_log_retention_days",
        31,
        "one of 1, 3, 5",
        "pick the nearest retention",
    ),
    _case(
        "delivery-error-retention-not-allowed",
        lambda: _archive(error_log_retention_days=2),
        ConfigError,
        ARCHIVE,
        "error_log_retention_days",
        2,
        "one of 1, 3, 5",
        "pick the nearest retention",
    ),
    # --- the log router -----------------------------------------------------------------------------
    _case(
        "grace-greater-than-stop-timeout",
        lambda: _service(log_router=LogRouter(ROUTER, stop_timeout_seconds=20)),
        ConfigError,
        SERVICE,
        "log_router.stop_timeout_seconds",
        20,
        "at least the config's Grace (30 s)",
        "raise LogRouter(stop_timeout_seconds=) to 30 or more",
    ),
    _case(
        "stop-timeout-over-fargate-maximum",
        lambda: LogRouter(ROUTER, stop_timeout_seconds=300),
        ConfigError,
        "LogRouter",
        "stop_timeout_seconds",
        300,
        "from 2 to 120",
        "Fargate's maximum stopTimeout",
    ),
    _case(
        "grace-over-fargate-maximum",
        lambda: _routing(grace_seconds=121),
        RouteError,
        "compile_routing",
        "grace_seconds",
        121,
        "1..120 seconds",
        "keep Grace below the log router's stopTimeout",
    ),
    _case(
        "router-image-latest",
        lambda: LogRouter(ContainerImageRef(f"{ROUTER_REPOSITORY}:latest")),
        ConfigError,
        "LogRouter",
        "image",
        f"{ROUTER_REPOSITORY}:latest",
        "not a moving tag",
        "pin a release, e.g. init-3.2.1",
    ),
    _case(
        "router-image-stable",
        lambda: LogRouter(ContainerImageRef(f"{ROUTER_REPOSITORY}:stable")),
        ConfigError,
        "LogRouter",
        "image",
        f"{ROUTER_REPOSITORY}:stable",
        "not a moving tag",
        "pin a release, e.g. init-3.2.1",
    ),
    _case(
        "router-image-untagged",
        lambda: LogRouter(ContainerImageRef(ROUTER_REPOSITORY)),
        ConfigError,
        "LogRouter",
        "image",
        ROUTER_REPOSITORY,
        "a version tag or a digest",
        "add a version tag",
    ),
    _case(
        "log-driver-buffer-limit-too-large",
        lambda: LogRouter(ROUTER, log_driver_buffer_limit=536_870_912),
        ConfigError,
        "LogRouter",
        "log_driver_buffer_limit",
        536_870_912,
        "from 0 to 536870911",
        "use e.g. 8192 log lines",
    ),
    _case(
        "router-reservation-exceeds-task",
        lambda: _service(log_router=LogRouter(ROUTER, memory_reservation_mib=512)),
        ConfigError,
        SERVICE,
        "log_router.memory_reservation_mib",
        512,
        "less than the task's memory_mib=512",
        "reserve less than the task's 512 MiB",
    ),
    _case(
        "router-worst-case-exceeds-task",
        lambda: _service(log_router=LogRouter(ROUTER, memory_reservation_mib=500)),
        ConfigError,
        SERVICE,
        "memory_mib",
        512,
        "the router's worst case per AWS's OOM guide",
        "raise memory_mib",
    ),
    _case(
        "health-check-without-http-server",
        lambda: _service(routing=_routing(http_port=None)),
        ConfigError,
        SERVICE,
        "log_router.health_check",
        "UPTIME",
        "None while the routing's Fluent Bit HTTP server is off",
        "compile the routing with http_port",
    ),
    _case(
        "emitter-limit-not-a-size",
        lambda: _routing(emitter_mem_buf_limit="10 megs"),
        RouteError,
        "compile_routing",
        "emitter_mem_buf_limit",
        "10 megs",
        "a Fluent Bit size such as 10M",
        "write it like 10M",
    ),
    _case(
        "retry-limit-zero",
        lambda: _routing(retry_limit=0),
        RouteError,
        "compile_routing",
        "retry_limit",
        0,
        "None (retry for ever) or 1..100",
        "leave it at None",
    ),
    _case(
        "retry-backoff-cap-zero",
        lambda: _routing(retry_backoff_cap_seconds=0),
        RouteError,
        "compile_routing",
        "retry_backoff_cap_seconds",
        0,
        "from 1 to 2000",
        "use 30",
    ),
    _case(
        "storage-path-relative",
        lambda: _routing(storage_path="flb-storage"),
        RouteError,
        "compile_routing",
        "storage_path",
        "flb-storage",
        "an absolute path without spaces, or None",
        "use '/var/log/flb-storage/'",
    ),
    _case(
        "http-port-held-by-firelens",
        lambda: _routing(http_port=8877),
        RouteError,
        "compile_routing",
        "http_port",
        8877,
        "but not 24224, 8877",
        "use 2020",
    ),
    # --- ports, network, config file ----------------------------------------------------------------
    _case(
        "port-out-of-range",
        lambda: AppContainer("app", IMAGE, port=70000),
        ConfigError,
        "AppContainer('app')",
        "port",
        70000,
        "from 1 to 65535",
        "use the TCP port the app listens on",
    ),
    _case(
        "port-held-by-firelens",
        lambda: AppContainer("app", IMAGE, port=24224),
        ConfigError,
        "AppContainer('app')",
        "port",
        24224,
        "any port but 24224, 8877",
        "move the app to another port",
    ),
    _case(
        "port-held-by-the-router",
        lambda: _service(containers=(AppContainer("app", IMAGE, port=2020),)),
        ConfigError,
        SERVICE,
        "containers",
        2020,
        "app ports other than 2020",
        "move the app to another port",
    ),
    _case(
        "egress-port-out-of-range",
        lambda: NetworkPlacement(egress_ports=(443, 0)),
        ConfigError,
        "NetworkPlacement",
        "egress_ports",
        0,
        "from 1 to 65535",
        "list TCP ports such as 443",
    ),
    _case(
        "s3-config-file-on-fargate",
        lambda: LogRouter(ROUTER, config_file="arn:aws:s3:::team-config/extra.conf"),
        ConfigError,
        "LogRouter",
        "config_file",
        "arn:aws:s3:::team-config/extra.conf",
        "a file path inside the log router image",
        "Fargate does not support S3 config files",
    ),
    _case(
        "relative-config-file",
        lambda: LogRouter(ROUTER, config_file="extra.conf"),
        ConfigError,
        "LogRouter",
        "config_file",
        "extra.conf",
        "an absolute path inside the image",
        "write it like /fluent-bit/etc/extra.conf",
    ),
    _case(
        "zones-of-another-region",
        lambda: _service(network=NetworkPlacement(availability_zones=("us-east-1a", "us-east-1b"))),
        ConfigError,
        SERVICE,
        "network.availability_zones",
        "us-east-1a",
        "zones of the routes' region ap-northeast-1",
        "name zones such as ap-northeast-1a",
    ),
    _case(
        "zone-name-is-a-region",
        lambda: _service(network=NetworkPlacement(availability_zones=("ap-northeast-1",))),
        ConfigError,
        f"PublicNetwork '{STACK}/svc/network'",
        "availability_zones",
        "ap-northeast-1",
        "zone names such as ap-northeast-1a",
        "write the zone name (region plus letter)",
    ),
    _case(
        "subnets-without-vpc",
        lambda: NetworkPlacement(subnet_ids=("subnet-1",)),
        ConfigError,
        "NetworkPlacement",
        "subnet_ids/vpc_id",
        (("subnet-1",), None),
        "both or neither",
        "pass vpc_id= with subnet_ids=",
    ),
    _case(
        "zones-with-own-subnets",
        lambda: NetworkPlacement(subnet_ids=("subnet-1",), vpc_id="vpc-1", availability_zones=("ap-northeast-1a",)),
        ConfigError,
        "NetworkPlacement",
        "availability_zones",
        ("ap-northeast-1a",),
        "zones only for a created network",
        "drop availability_zones",
    ),
    _case(
        "ingress-not-a-cidr",
        lambda: NetworkPlacement(ingress_cidr="everyone"),
        ConfigError,
        "NetworkPlacement",
        "ingress_cidr",
        "everyone",
        "an IPv4 CIDR block",
        "write the range in CIDR notation",
    ),
    # --- alarms -------------------------------------------------------------------------------------
    _case(
        "alarm-topic-fifo",
        lambda: RouterAlarms(topic_arn=f"{TOPIC}.fifo"),
        ConfigError,
        "RouterAlarms",
        "topic_arn",
        f"{TOPIC}.fifo",
        "a standard (not FIFO) SNS topic",
        "pass topic.arn",
    ),
    _case(
        "alarm-topic-not-an-arn",
        lambda: _archive(alarm_topic_arn="alerts"),
        ConfigError,
        ARCHIVE,
        "alarm_topic_arn",
        "alerts",
        "the ARN of a standard (not FIFO) SNS topic",
        "pass topic.arn",
    ),
    _case(
        "freshness-alarm-within-buffering",
        lambda: _archive(freshness_alarm_seconds=300),
        ConfigError,
        ARCHIVE,
        "freshness_alarm_seconds",
        300,
        "from 301 to 86400",
        "alarm later than the buffering interval",
    ),
    # --- containers ---------------------------------------------------------------------------------
    _case(
        "sidecar-named-log-router",
        lambda: Sidecar(name="log_router", image=IMAGE),
        ConfigError,
        "Sidecar",
        "name",
        "log_router",
        "any name but 'log_router'",
        "rename the sidecar",
    ),
    _case(
        "sidecar-clashes-with-app",
        lambda: _service(sidecars=(Sidecar(name="app", image=IMAGE),)),
        ConfigError,
        SERVICE,
        "sidecars",
        ["app"],
        "container names unique within the task",
        "rename the sidecars",
    ),
    _case(
        "app-container-without-routes",
        lambda: _service(containers=(AppContainer("app", IMAGE, port=3000), AppContainer("nginx", IMAGE, port=80))),
        ConfigError,
        SERVICE,
        "containers",
        ["app", "nginx"],
        "exactly one AppContainer per AppLogRouting",
        "give every routed container an AppContainer",
    ),
    _case(
        "routed-container-without-app-container",
        lambda: _service(containers=(AppContainer("web", IMAGE),)),
        ConfigError,
        SERVICE,
        "containers",
        ["web"],
        "exactly one AppContainer per AppLogRouting of the routing (app)",
        "route every app container",
    ),
    _case(
        "app-container-named-log-router",
        lambda: AppContainer("log_router", IMAGE),
        ConfigError,
        "AppContainer('log_router')",
        "name",
        "log_router",
        "any name but 'log_router'",
        "rename the app container",
    ),
    _case(
        "route-log-group-created-twice",
        _two_services_one_group,
        ConfigError,
        f"FirelensService '{STACK}/svc2'",
        "route_log_groups",
        [],
        "passed in, not created a second time",
        "pass route_log_groups=",
    ),
    _case(
        "health-check-retries-zero",
        lambda: HealthCheck(command=("CMD", "true"), retries=0),
        ConfigError,
        "HealthCheck",
        "retries",
        0,
        "from 1 to 10",
        "use 1 to 10 retries",
    ),
    # --- the composable constructs (issue 21) ----------------------------------------------------------
    _case(
        "secret-arn-of-another-service",
        lambda: Secret.from_ssm_parameter(SECRET_ARN),
        ConfigError,
        f"Secret({SECRET_ARN!r})",
        "arn",
        SECRET_ARN,
        "an SSM parameter ARN",
        "pass the parameter's ARN",
    ),
    _case(
        "container-the-routing-does-not-route",
        lambda: _task().add_container(AppContainer("ap", IMAGE)),
        ConfigError,
        f"FirelensTaskDefinition '{STACK}/task' add_container",
        "container",
        "ap",
        "a container the routing routes (app)",
        "did you mean 'app'?",
    ),
    _case(
        "grace-period-without-load-balancer",
        _grace_period_without_load_balancer,
        ConfigError,
        f"FirelensFargateService '{STACK}/api'",
        "health_check_grace_period_seconds",
        60,
        "None without load_balancers",
        "give the service load_balancers=",
    ),
    _case(
        "cluster-name-for-an-existing-cluster",
        lambda: _service(cluster=ClusterRef.from_name("shared"), cluster_name="other"),
        ConfigError,
        SERVICE,
        "cluster_name",
        "other",
        "None when cluster= is given",
        "drop cluster_name",
    ),
    # --- customer-managed keys (issue 22) ----------------------------------------------------------------
    _case(
        "kms-key-in-another-region",
        _key_in_another_region,
        ConfigError,
        f"LogKey '{STACK}/key'",
        "key_arn",
        KEY_ARN_US,
        "a key in the stack's region ap-northeast-1",
        "create the key in ap-northeast-1",
    ),
    _case(
        "kms-alias-arn-for-a-key",
        lambda: LogKey(_stack(), "key", key_arn="arn:aws:kms:ap-northeast-1:123456789012:alias/logs"),
        ConfigError,
        f"LogKey '{STACK}/key'",
        "key_arn",
        "arn:aws:kms:ap-northeast-1:123456789012:alias/logs",
        "a key ARN",
        "CloudWatch Logs takes key ARNs only",
    ),
    _case(
        "kms-arn-of-another-service",
        lambda: LogKey(_stack(), "key", key_arn=SECRET_ARN),
        ConfigError,
        f"LogKey '{STACK}/key'",
        "key_arn",
        SECRET_ARN,
        "a KMS key ARN",
        "pass the key's ARN",
    ),
    _case(
        "kms-deletion-window-too-short",
        lambda: LogKey(_stack(), "key", deletion_window_days=1),
        ConfigError,
        f"LogKey '{STACK}/key'",
        "deletion_window_days",
        1,
        "from 7 to 30",
        "KMS waits 7 to 30 days",
    ),
    _case(
        "app-kms-key-neither-stack-nor-arn",
        lambda: PipelineConfig(kms_key="on"),
        ConfigError,
        "PipelineConfig",
        "kms_key",
        "on",
        "'stack' (the stack creates one)",
        "set FIRELENS_KMS_KEY",
    ),
)

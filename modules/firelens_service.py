"""FirelensService: an app on ECS Fargate whose stdout a FireLens log router routes."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.ecs_cluster import EcsCluster, EcsClusterSetting
from cdktf_cdktf_provider_aws.ecs_service import EcsService, EcsServiceNetworkConfiguration
from cdktf_cdktf_provider_aws.ecs_task_definition import EcsTaskDefinition, EcsTaskDefinitionRuntimePlatform
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.security_group import SecurityGroup, SecurityGroupEgress, SecurityGroupIngress
from constructs import Construct

from . import _limits
from ._routing_limits import DEFAULT_HTTP_PORT
from ._validation import check_choice, check_pattern, check_pinned_image, check_range, is_token
from .alarms import RouterLogLossAlarm, check_topic_arn
from .container_definitions import (
    DEFAULT_LOG_DRIVER_BUFFER_LIMIT,
    DEFAULT_ROUTER_MEMORY_RESERVATION_MIB,
    DEFAULT_ROUTER_STOP_TIMEOUT_SECONDS,
    EXTRA_CONFIG_PATH,
    LOG_ROUTER_NAME,
    ContainerImageRef,
    LogRouterSettings,
    RouterHealthCheck,
    Sidecar,
    app_container,
    log_router_container,
    sidecar_container,
)
from .errors import ConfigError
from .fluentbit_compiler import CompiledRouting
from .iam import PolicyDocument, Statement, assume_role_policy, ecr_pull, firehose_put_records, log_stream_writes
from .log_archive import LogArchive
from .network import PublicNetwork, default_availability_zones

_SERVICE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,31}$")
#: Role-name prefix characters IAM accepts; the longest suffix added here is
#: ``exec-`` and Terraform's unique id fills the rest of the 64 characters.
_ROLE_PREFIX = re.compile(r"^[\w+=,.@-]{1,33}$")
_CIDR = re.compile(r"^\d{1,3}(\.\d{1,3}){3}/\d{1,2}$")
#: ECS platform version: "LATEST" (1.4.0 today), which log-driver-buffer-limit needs (1.4.0 or later).
PLATFORM_VERSION = "LATEST"
_MIB = 1024 * 1024


@dataclass(frozen=True)
class _Settings:
    """The arguments ``_validate`` checks, gathered so the checks read one at a time."""

    name: str
    routing: CompiledRouting
    log_router_image: ContainerImageRef
    port: int
    sidecars: Sequence[Sidecar]
    cpu: int
    memory_mib: int
    desired_count: int
    subnet_ids: Sequence[str] | None
    vpc_id: str | None
    availability_zones: Sequence[str] | None
    ingress_cidr: str
    egress_ports: Sequence[int]
    retention: int
    config_file: str
    role_name_prefix: str | None
    router_memory_reservation_mib: int
    router_stop_timeout_seconds: int
    router_health_check: RouterHealthCheck | None
    log_driver_buffer_limit: int
    alarm_topic_arn: str | None


class FirelensService(Construct):
    """One app container on Fargate, its logs routed by a FireLens log router.

    The app's stdout goes through the ``awsfirelens`` log driver to the
    ``log_router`` container, whose Fluent Bit config is compiled from
    ``routing``. Everything the routes need is derived from them: the log
    groups they write to are created here, and the task role may write to
    exactly those groups and put records to exactly the routed Firehose streams.

    The log router's defaults follow AWS's guidance against losing logs: a
    pinned image, a stopTimeout that covers the config's ``Grace``, a memory
    reservation that bounds its input buffer, a health check the app waits
    for (HEALTHY), a bounded log-driver buffer on the app, and an alarm on
    the lines in its own log group that prove logs were lost.

    Args:
        scope: Parent construct.
        id_: Construct id.
        name: Service name; also the task family and the ECS log groups'
            prefix (``/ecs/<name>/...``). 1-32 letters, digits, '-' or '_'.
        app_image: The app's image.
        log_router_image: The Fluent Bit image carrying ``routing``'s files;
            pinned (a version tag other than ``latest``/``stable``, or a digest).
        routing: The compiled routes. Its single app container is the app
            container (FireLens tags derive from that name).
        log_archives: The LogArchives in this stack; every Firehose stream a
            route names must be one of them. Default: none.
        port: The app's TCP port, the only one the security group opens; not
            one the router holds in the shared localhost (2020, 24224, 8877). Default: 3000.
        environment: The app's environment variables. Default: none.
        sidecars: Extra containers (e.g. :meth:`Sidecar.postgres`); the app
            waits for each (HEALTHY when it has a health check). Default: none.
        cpu: Fargate CPU units. Default: 256.
        memory_mib: Fargate memory; must pair with ``cpu`` and hold the
            router's worst case (see ``router_memory_reservation_mib``). Default: 512.
        desired_count: Tasks to keep running. Default: 1 (the article's).
        assign_public_ip: Give tasks a public IP. Default: ``True`` (no load balancer, as in the article).
        ingress_cidr: Who may reach the app port. Default: ``0.0.0.0/0``.
        egress_ports: TCP ports the tasks may call out to, anywhere. Default:
            443 only: ECR, CloudWatch Logs, Firehose and S3 are all HTTPS, and
            the VPC's DNS resolver is not filtered by security groups.
        subnet_ids: Subnets for the tasks. Default: a :class:`PublicNetwork` is created.
        vpc_id: The subnets' VPC; required with ``subnet_ids``.
        availability_zones: Zones of the created network. Default:
            ``<region>a`` and ``<region>c`` (:func:`~modules.network.default_availability_zones`).
        cluster: ECS cluster to run in. Default: one is created.
        container_insights: Container Insights on a created cluster (adds
            paid custom metrics). Default: ``False`` (the article's).
        ecs_log_retention_days: Retention of the router's and sidecars' own
            log groups. Default: 30.
        config_file: The config FireLens includes; must be a file in the
            image (Fargate cannot read config files from S3). Default: ``/fluent-bit/etc/extra.conf``.
        role_name_prefix: Start of the task and execution roles' names (then
            ``task-``/``exec-`` and a unique suffix). Default: the first 20
            characters of ``name`` and ``-``.
        router_memory_reservation_mib: The router's memoryReservation; the
            ECS agent bounds FireLens's forward input at half of it (AWS's
            OOM-prevention guide). Its worst case, 2 x (half of it + the
            routes' emitter buffers), plus the log-driver buffer, must fit in
            ``memory_mib``. Default: 100.
        router_stop_timeout_seconds: The router's stopTimeout, at least the
            config's ``Grace`` and at most 120 (Fargate). Default: 120.
        router_health_check: The router's container health check, which the
            app waits for (HEALTHY); ``None`` for none (the app waits for START).
            Default: :attr:`RouterHealthCheck.UPTIME`, AWS's recommendation.
        log_driver_buffer_limit: ``log-driver-buffer-limit`` of the app's
            awsfirelens log configuration, in log lines (0 to 536870911).
            Default: 8192 (about 16 MiB at 2 KiB a line).
        alarms: Alarm on the router's lost logs (:class:`~modules.alarms.RouterLogLossAlarm`).
            Default: ``True``.
        alarm_topic_arn: Standard SNS topic the alarm notifies. Default: none.

    Attributes:
        cluster, service, task_definition, task_role, execution_role,
        security_group, route_log_groups (name -> group), router_log_group,
        alarms (the :class:`~modules.alarms.RouterLogLossAlarm` or ``None``).

    Raises:
        ConfigError: an argument AWS would reject, or that contradicts the routes.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        name: str,
        app_image: ContainerImageRef,
        log_router_image: ContainerImageRef,
        routing: CompiledRouting,
        log_archives: Sequence[LogArchive] = (),
        port: int = 3000,
        environment: Mapping[str, str] | None = None,
        sidecars: Sequence[Sidecar] = (),
        cpu: int = 256,
        memory_mib: int = 512,
        desired_count: int = 1,
        assign_public_ip: bool = True,
        ingress_cidr: str = "0.0.0.0/0",
        egress_ports: Sequence[int] = (443,),
        subnet_ids: Sequence[str] | None = None,
        vpc_id: str | None = None,
        availability_zones: Sequence[str] | None = None,
        cluster: EcsCluster | None = None,
        container_insights: bool = False,
        ecs_log_retention_days: int = 30,
        config_file: str = EXTRA_CONFIG_PATH,
        role_name_prefix: str | None = None,
        router_memory_reservation_mib: int = DEFAULT_ROUTER_MEMORY_RESERVATION_MIB,
        router_stop_timeout_seconds: int = DEFAULT_ROUTER_STOP_TIMEOUT_SECONDS,
        router_health_check: RouterHealthCheck | None = RouterHealthCheck.UPTIME,
        log_driver_buffer_limit: int = DEFAULT_LOG_DRIVER_BUFFER_LIMIT,
        alarms: bool = True,
        alarm_topic_arn: str | None = None,
    ) -> None:
        super().__init__(scope, id_)
        where = f"FirelensService '{self.node.path}'"
        settings = _Settings(
            name=name, routing=routing, log_router_image=log_router_image, port=port, sidecars=sidecars, cpu=cpu,
            memory_mib=memory_mib, desired_count=desired_count, subnet_ids=subnet_ids, vpc_id=vpc_id,
            availability_zones=availability_zones, ingress_cidr=ingress_cidr, egress_ports=tuple(egress_ports),
            retention=ecs_log_retention_days, config_file=config_file, role_name_prefix=role_name_prefix,
            router_memory_reservation_mib=router_memory_reservation_mib,
            router_stop_timeout_seconds=router_stop_timeout_seconds, router_health_check=router_health_check,
            log_driver_buffer_limit=log_driver_buffer_limit, alarm_topic_arn=alarm_topic_arn,
        )
        _validate(where, settings)
        app_name = routing.containers[0]
        region = routing.routing.region
        archives = self._archives_for_routes(where, routing, log_archives)
        role_prefix = role_name_prefix if role_name_prefix is not None else f"{name[:20]}-"

        # Log groups: every group a route writes to, then the ECS containers' own.
        self.route_log_groups = {
            group.log_group: CloudwatchLogGroup(
                self, f"route-logs-{index}", name=group.log_group, retention_in_days=group.retention_days)
            for index, group in enumerate(routing.log_groups)
        }
        self.router_log_group = CloudwatchLogGroup(
            self, "router-logs", name=f"/ecs/{name}/{LOG_ROUTER_NAME}", retention_in_days=ecs_log_retention_days)
        sidecar_groups = {
            s.name: CloudwatchLogGroup(self, f"sidecar-logs-{s.name}", name=f"/ecs/{name}/{s.name}",
                                       retention_in_days=ecs_log_retention_days)
            for s in sidecars
        }

        # Task role: what Fluent Bit's outputs call, on exactly the routed resources.
        self.task_role = IamRole(self, "task-role", name_prefix=f"{role_prefix}task-",
                                 assume_role_policy=assume_role_policy("ecs-tasks.amazonaws.com").to_json())
        statements: list[Statement] = []
        if archives:
            statements.append(firehose_put_records(tuple(a.stream.arn for a in archives)))
        if self.route_log_groups:
            statements.append(log_stream_writes(tuple(g.arn for g in self.route_log_groups.values())))
        if statements:
            IamRolePolicy(self, "task-policy", role=self.task_role.name, name="route-logs",
                          policy=PolicyDocument(tuple(statements)).to_json())

        # Execution role: pull the images, write the awslogs groups.
        self.execution_role = IamRole(self, "execution-role", name_prefix=f"{role_prefix}exec-",
                                      assume_role_policy=assume_role_policy("ecs-tasks.amazonaws.com").to_json())
        images = [app_image, log_router_image, *(s.image for s in sidecars)]
        repositories = tuple(dict.fromkeys(i.ecr_repository_arn for i in images if i.ecr_repository_arn))
        awslogs_groups = (self.router_log_group, *sidecar_groups.values())
        execution_statements = [
            *(ecr_pull(repositories) if repositories else ()),
            Statement(sid="WriteContainerLogs", actions=("logs:CreateLogStream", "logs:PutLogEvents"),
                      resources=tuple(f"{g.arn}:*" for g in awslogs_groups)),
        ]
        IamRolePolicy(self, "execution-policy", role=self.execution_role.name, name="pull-and-log",
                      policy=PolicyDocument(tuple(execution_statements)).to_json())

        router = LogRouterSettings(
            image=log_router_image, log_group=self.router_log_group.name, config_file=config_file,
            memory_reservation_mib=router_memory_reservation_mib, stop_timeout_seconds=router_stop_timeout_seconds,
            # Without an HTTP server there is no health check (validated), so the port is unused.
            health_check=router_health_check, http_port=routing.http_port or DEFAULT_HTTP_PORT,
        )
        containers = [
            app_container(name=app_name, image=app_image, port=port, environment=environment or {},
                          sidecars=sidecars, router_condition=router.start_condition,
                          log_driver_buffer_limit=log_driver_buffer_limit),
            log_router_container(router, region),
            *(sidecar_container(s, log_group=sidecar_groups[s.name].name, region=region) for s in sidecars),
        ]
        self.task_definition = EcsTaskDefinition(
            self, "task",
            family=name,
            cpu=str(cpu),
            memory=str(memory_mib),
            network_mode="awsvpc",
            requires_compatibilities=["FARGATE"],
            runtime_platform=EcsTaskDefinitionRuntimePlatform(
                operating_system_family="LINUX", cpu_architecture="X86_64"),
            execution_role_arn=self.execution_role.arn,
            task_role_arn=self.task_role.arn,
            container_definitions=json.dumps(containers),
        )

        if subnet_ids is None:
            network = PublicNetwork(self, "network",
                                    availability_zones=availability_zones or default_availability_zones(region))
            subnet_ids, vpc_id = network.subnet_ids, network.vpc.id
        ports = ", ".join(str(p) for p in egress_ports) or "none"
        self.security_group = SecurityGroup(
            self, "security-group",
            name_prefix=f"{name[:20]}-",
            description=f"{name}: the app port from {ingress_cidr}; egress to TCP {ports} (AWS APIs, ECR)",
            vpc_id=vpc_id,
            ingress=[SecurityGroupIngress(description="app port", protocol="tcp", from_port=port,
                                          to_port=port, cidr_blocks=[ingress_cidr])],
            egress=[SecurityGroupEgress(description="HTTPS: ECR, CloudWatch Logs, Firehose, S3" if p == 443
                                        else f"TCP {p}", protocol="tcp", from_port=p, to_port=p,
                                        cidr_blocks=["0.0.0.0/0"])
                    for p in egress_ports],
        )

        self.cluster = cluster or EcsCluster(
            self, "cluster", name=name,
            setting=[EcsClusterSetting(name="containerInsights",
                                       value="enabled" if container_insights else "disabled")],
        )
        self.service = EcsService(
            self, "service",
            name=name,
            cluster=self.cluster.arn,
            task_definition=self.task_definition.arn,
            desired_count=desired_count,
            launch_type="FARGATE",
            platform_version=PLATFORM_VERSION,
            network_configuration=EcsServiceNetworkConfiguration(
                subnets=list(subnet_ids), security_groups=[self.security_group.id],
                assign_public_ip=assign_public_ip),
        )
        self.alarms = RouterLogLossAlarm(
            self, "alarms", service_name=name, log_group_name=self.router_log_group.name, topic_arn=alarm_topic_arn,
        ) if alarms else None

    @staticmethod
    def _archives_for_routes(where: str, routing: CompiledRouting,
                             log_archives: Sequence[LogArchive]) -> list[LogArchive]:
        """The archives behind the routes' Firehose streams; a route to a stream not in the stack fails."""
        by_name = {a.stream_name: a for a in log_archives}
        missing = [s for s in routing.delivery_stream_names if s not in by_name]
        if missing:
            raise ConfigError(where, "log_archives", sorted(by_name),
                              f"a LogArchive for every routed stream ({', '.join(missing)})",
                              f"add LogArchive(..., stream_name={missing[0]!r}) to the stack and pass it in "
                              "log_archives=")
        return [by_name[s] for s in routing.delivery_stream_names]


def _validate(where: str, s: _Settings) -> None:
    """Every check on the constructor's arguments, before any resource is declared."""
    check_pattern(where, "name", s.name, _SERVICE_NAME,
                  "1-32 letters, digits, '-' or '_', starting with a letter", "choose a shorter name")
    if len(s.routing.containers) != 1:
        raise ConfigError(where, "routing", s.routing.containers, "routes for exactly one app container",
                          "give each app container its own FirelensService")
    _validate_task(where, s)
    _validate_network(where, s)
    _validate_router(where, s)
    if s.role_name_prefix is not None:
        check_pattern(where, "role_name_prefix", s.role_name_prefix, _ROLE_PREFIX,
                      "1-33 of letters, digits and + = , . @ _ - (IAM role names, with room for 'exec-' and "
                      "Terraform's 26-character suffix)", "shorten it or drop the other characters")
    check_topic_arn(where, s.alarm_topic_arn)


def _validate_task(where: str, s: _Settings) -> None:
    check_choice(where, "cpu", s.cpu, tuple(_limits.FARGATE_SIZES), "pick a Fargate CPU size")
    allowed_memory = _limits.FARGATE_SIZES[s.cpu]
    if s.memory_mib not in allowed_memory:
        choices = ", ".join(str(m) for m in allowed_memory[:6]) + ("..." if len(allowed_memory) > 6 else "")
        raise ConfigError(where, "memory_mib", s.memory_mib, f"with cpu={s.cpu}: {choices}",
                          f"{s.memory_mib} MiB is not a Fargate size for cpu={s.cpu}; pick one of those")
    check_range(where, "desired_count", s.desired_count, (0, 1000), "use 0 or more tasks")
    check_choice(where, "ecs_log_retention_days", s.retention, _limits.LOG_RETENTION_DAYS,
                 "pick the nearest retention CloudWatch Logs accepts")
    if s.config_file.startswith(("s3://", "arn:")) or ":s3:::" in s.config_file:
        raise ConfigError(where, "config_file", s.config_file,
                          "a file path inside the log router image (config-file-type file)",
                          "Fargate does not support S3 config files; bake the file into the image "
                          "(docker/firelens) and pass its path, e.g. /fluent-bit/etc/extra.conf")
    if not s.config_file.startswith("/"):
        raise ConfigError(where, "config_file", s.config_file, "an absolute path inside the image",
                          "write it like /fluent-bit/etc/extra.conf")
    app_name = s.routing.containers[0]
    names = [app_name, LOG_ROUTER_NAME, *(c.name for c in s.sidecars)]
    clashes = sorted({n for n in names if names.count(n) > 1})
    if clashes:
        raise ConfigError(where, "sidecars", clashes, "container names unique within the task",
                          "rename the sidecars that clash with the app or with each other")


def _validate_network(where: str, s: _Settings) -> None:
    check_range(where, "port", s.port, _limits.PORT_RANGE, "use the TCP port the app listens on")
    taken = (*_limits.FIRELENS_RESERVED_PORTS, *((s.routing.http_port,) if s.routing.http_port else ()))
    if s.port in taken:
        raise ConfigError(where, "port", s.port,
                          f"any port but {', '.join(map(str, taken))}, which the log router holds on the task's "
                          "shared localhost", "move the app to another port, e.g. 3000")
    for egress in s.egress_ports:
        check_range(where, "egress_ports", egress, _limits.PORT_RANGE, "list TCP ports such as 443")
    if (s.subnet_ids is None) != (s.vpc_id is None):
        raise ConfigError(where, "subnet_ids/vpc_id", (s.subnet_ids, s.vpc_id), "both or neither",
                          "pass vpc_id= with subnet_ids=, or neither to create a small VPC")
    if s.subnet_ids is not None and not s.subnet_ids:
        raise ConfigError(where, "subnet_ids", list(s.subnet_ids), "at least one subnet",
                          "pass subnets, or leave subnet_ids unset to create a small VPC")
    region = s.routing.routing.region
    foreign = [z for z in s.availability_zones or () if not z.startswith(region)]
    if foreign:
        raise ConfigError(where, "availability_zones", foreign[0], f"zones of the routes' region {region}",
                          f"name zones such as {region}a")
    if not is_token(s.ingress_cidr) and not _CIDR.match(s.ingress_cidr):
        raise ConfigError(where, "ingress_cidr", s.ingress_cidr, "an IPv4 CIDR block such as 203.0.113.0/24",
                          "write the range in CIDR notation")


def _validate_router(where: str, s: _Settings) -> None:
    check_pinned_image(where, "log_router_image", s.log_router_image.uri)
    check_range(where, "router_stop_timeout_seconds", s.router_stop_timeout_seconds,
                (2, _limits.FARGATE_MAX_STOP_TIMEOUT), "use at most 120 s, Fargate's maximum stopTimeout")
    grace = s.routing.grace_seconds
    if grace > s.router_stop_timeout_seconds:
        raise ConfigError(where, "router_stop_timeout_seconds", s.router_stop_timeout_seconds,
                          f"at least the config's Grace ({grace} s), or ECS kills Fluent Bit before it has flushed",
                          f"raise router_stop_timeout_seconds to {grace} or more, or compile with a smaller "
                          "grace_seconds")
    if s.router_health_check is not None and s.routing.http_port is None:
        raise ConfigError(where, "router_health_check", s.router_health_check.name,
                          "None while the routing's Fluent Bit HTTP server is off",
                          "compile the routing with http_port (default 2020) or pass router_health_check=None")
    check_range(where, "log_driver_buffer_limit", s.log_driver_buffer_limit, _limits.LOG_DRIVER_BUFFER_LIMIT_RANGE,
                f"use e.g. {DEFAULT_LOG_DRIVER_BUFFER_LIMIT} log lines")
    check_range(where, "router_memory_reservation_mib", s.router_memory_reservation_mib, (6, s.memory_mib - 1),
                f"reserve less than the task's {s.memory_mib} MiB, e.g. {DEFAULT_ROUTER_MEMORY_RESERVATION_MIB}")
    router_mib = s.router_memory_reservation_mib + 2 * s.routing.emitter_buffer_bytes // _MIB
    driver_mib = -(-s.log_driver_buffer_limit * _limits.LOG_DRIVER_ASSUMED_LINE_BYTES // _MIB)
    if router_mib + driver_mib > s.memory_mib:
        raise ConfigError(
            where, "memory_mib", s.memory_mib,
            f"at least {router_mib + driver_mib} MiB: the router's worst case per AWS's OOM guide, 2 x (half its "
            f"memoryReservation + emitter buffers) = {router_mib} MiB, plus the log-driver buffer, "
            f"{s.log_driver_buffer_limit} lines x 2 KiB = {driver_mib} MiB",
            "raise memory_mib, or lower router_memory_reservation_mib, log_driver_buffer_limit or the routes' "
            "emitter_mem_buf_limit",
        )

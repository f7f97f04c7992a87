"""FirelensService: app containers on ECS Fargate whose stdout a FireLens log router routes."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence

from cdktf import TerraformStack
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.ecs_cluster import EcsCluster, EcsClusterSetting
from cdktf_cdktf_provider_aws.ecs_service import EcsService, EcsServiceNetworkConfiguration
from cdktf_cdktf_provider_aws.ecs_task_definition import EcsTaskDefinition, EcsTaskDefinitionRuntimePlatform
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.security_group import SecurityGroup, SecurityGroupEgress, SecurityGroupIngress

from constructs import Construct
from firelens_cdktf import limits as _limits
from firelens_cdktf.constructs._validation import check_choice, check_pattern, check_range
from firelens_cdktf.constructs.alarms import RouterLogLossAlarm
from firelens_cdktf.constructs.container_definitions import app_container, log_router_container, sidecar_container
from firelens_cdktf.constructs.log_archive import LogArchive
from firelens_cdktf.constructs.network import PublicNetwork, default_availability_zones
from firelens_cdktf.constructs.service_props import (
    DEFAULT_ROUTER_MEMORY_RESERVATION_MIB,
    LOG_ROUTER_NAME,
    AppContainer,
    LogRouter,
    NetworkPlacement,
    RouterAlarms,
    Sidecar,
)
from firelens_cdktf.errors import ConfigError
from firelens_cdktf.fluentbit.limits import DEFAULT_HTTP_PORT
from firelens_cdktf.iam.policy import (
    PolicyDocument,
    Statement,
    assume_role_policy,
    ecr_pull,
    firehose_put_records,
    log_stream_writes,
)
from firelens_cdktf.routing.compiler import CompiledRouting

_SERVICE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,31}$")
#: Role-name prefix characters IAM accepts; the longest suffix added here is
#: ``exec-`` and Terraform's unique id fills the rest of the 64 characters.
_ROLE_PREFIX = re.compile(r"^[\w+=,.@-]{1,33}$")
#: ECS platform version: "LATEST" (1.4.0 today), which log-driver-buffer-limit needs (1.4.0 or later).
PLATFORM_VERSION = "LATEST"
_MIB = 1024 * 1024


class FirelensService(Construct):
    """App containers on Fargate, their logs routed by a FireLens log router.

    Each app container's stdout goes through the ``awsfirelens`` log driver to
    the ``log_router`` container, whose Fluent Bit config is compiled from
    ``routing``; the routing holds one ``AppLogRouting`` per app container,
    matched by name. Everything the routes need is derived from them: the log
    groups they write to are created here (or taken from
    ``route_log_groups``), and the task role may write to exactly those
    groups and put records to exactly the routed Firehose streams: the union
    of the containers' routes, nothing more.

    The log router's defaults follow AWS's guidance against losing logs (see
    :class:`LogRouter`), and an alarm watches its own log group for the lines
    that prove logs were lost.

    Several services may share one :class:`LogArchive` (pass it to each in
    ``log_archives``), one cluster (``cluster``), one network
    (``NetworkPlacement.existing``) and the log groups their routes have in
    common (``route_log_groups=other.route_log_groups``).

    Args:
        scope: Parent construct.
        id_: Construct id.
        name: Service name; also the task family, the created cluster's name
            and the ECS log groups' prefix (``/ecs/<name>/...``). 1-32 letters,
            digits, '-' or '_', starting with a letter.
        routing: The compiled routes of every app container in the task.
        containers: The app containers, one per ``AppLogRouting`` of ``routing`` (same names).
        log_router: The ``log_router`` container's image and settings.
        log_archives: The LogArchives the routes deliver to; every Firehose
            stream a route names must be one of them. Default: none.
        sidecars: Helper containers (e.g. :meth:`Sidecar.postgres`), logging with
            awslogs; the app containers wait for each (HEALTHY when it has a
            health check). Default: none.
        cpu: Fargate CPU units. Default: 256.
        memory_mib: Fargate memory; must pair with ``cpu`` and hold the
            router's worst case (see :class:`LogRouter`). Default: 512.
        desired_count: Tasks to keep running. Default: 1 (the article's).
        network: Subnets, public IP, ingress and egress. Default:
            :meth:`NetworkPlacement.created`, a small public VPC is created.
        cluster: ECS cluster to run in. Default: one is created, named ``name``.
        container_insights: Container Insights on a created cluster (adds
            paid custom metrics). Default: ``False`` (the article's).
        ecs_log_retention_days: Retention of the router's and sidecars' own
            log groups. Default: 30.
        role_name_prefix: Start of the task and execution roles' names (then
            ``task-``/``exec-`` and a unique suffix). Default: the first 20
            characters of ``name`` and ``-``.
        alarms: The alarm on the router's lost logs, or ``None`` for none.
            Default: :class:`RouterAlarms` with no topic.
        route_log_groups: Log groups that exist already (another service's
            ``route_log_groups``), by name; those the routes write to are used,
            the others ignored. Default: every routed group is created here.

    Attributes:
        cluster, service, task_definition, task_role, execution_role,
        security_group, route_log_groups (name -> group, created or given),
        router_log_group, network (the created :class:`PublicNetwork` or ``None``),
        alarms (the :class:`~firelens_cdktf.constructs.RouterLogLossAlarm` or ``None``).

    Raises:
        ConfigError: an argument AWS would reject, or one that contradicts the routes.

    Example::

        FirelensService(stack, "orders", name="orders", routing=compiled,
                        containers=(AppContainer(name="api", image=api_image, port=8080),
                                    AppContainer(name="nginx", image=nginx_image, port=80)),
                        log_router=LogRouter(image=router_image), log_archives=(archive,))
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        name: str,
        routing: CompiledRouting,
        containers: Sequence[AppContainer],
        log_router: LogRouter,
        log_archives: Sequence[LogArchive] = (),
        sidecars: Sequence[Sidecar] = (),
        cpu: int = 256,
        memory_mib: int = 512,
        desired_count: int = 1,
        network: NetworkPlacement = NetworkPlacement(),
        cluster: EcsCluster | None = None,
        container_insights: bool = False,
        ecs_log_retention_days: int = 30,
        role_name_prefix: str | None = None,
        alarms: RouterAlarms | None = RouterAlarms(),
        route_log_groups: Mapping[str, CloudwatchLogGroup] | None = None,
    ) -> None:
        super().__init__(scope, id_)
        where = f"FirelensService '{self.node.path}'"
        containers = tuple(containers)
        sidecars = tuple(sidecars)
        given_groups = dict(route_log_groups or {})
        _check_service(
            where,
            name=name,
            cpu=cpu,
            memory_mib=memory_mib,
            desired_count=desired_count,
            retention=ecs_log_retention_days,
            role_name_prefix=role_name_prefix,
        )
        _check_containers(where, routing, containers, sidecars)
        _check_router(where, routing, log_router, memory_mib)
        _check_network(where, routing, network)
        region = routing.routing.region
        archives = _archives_for_routes(where, routing, log_archives)
        self._check_shared_log_groups(where, routing, given_groups)
        role_prefix = role_name_prefix if role_name_prefix is not None else f"{name[:20]}-"

        # Log groups: every group a route writes to (unless given), then the ECS containers' own.
        self.route_log_groups: dict[str, CloudwatchLogGroup] = {
            group.log_group: given_groups.get(group.log_group)
            or CloudwatchLogGroup(
                self, f"route-logs-{index}", name=group.log_group, retention_in_days=group.retention_days
            )
            for index, group in enumerate(routing.log_groups)
        }
        self._created_route_groups = frozenset(g.log_group for g in routing.log_groups) - set(given_groups)
        self.router_log_group = CloudwatchLogGroup(
            self, "router-logs", name=f"/ecs/{name}/{LOG_ROUTER_NAME}", retention_in_days=ecs_log_retention_days
        )
        sidecar_groups = {
            s.name: CloudwatchLogGroup(
                self, f"sidecar-logs-{s.name}", name=f"/ecs/{name}/{s.name}", retention_in_days=ecs_log_retention_days
            )
            for s in sidecars
        }

        # Task role: what Fluent Bit's outputs call, on exactly the routed resources.
        self.task_role = IamRole(
            self,
            "task-role",
            name_prefix=f"{role_prefix}task-",
            assume_role_policy=assume_role_policy("ecs-tasks.amazonaws.com").to_json(),
        )
        statements: list[Statement] = []
        if archives:
            statements.append(firehose_put_records(tuple(a.stream.arn for a in archives)))
        if self.route_log_groups:
            statements.append(log_stream_writes(tuple(g.arn for g in self.route_log_groups.values())))
        if statements:
            IamRolePolicy(
                self,
                "task-policy",
                role=self.task_role.name,
                name="route-logs",
                policy=PolicyDocument(tuple(statements)).to_json(),
            )

        # Execution role: pull the images, write the awslogs groups.
        self.execution_role = IamRole(
            self,
            "execution-role",
            name_prefix=f"{role_prefix}exec-",
            assume_role_policy=assume_role_policy("ecs-tasks.amazonaws.com").to_json(),
        )
        images = [*(c.image for c in containers), log_router.image, *(s.image for s in sidecars)]
        repositories = tuple(dict.fromkeys(i.ecr_repository_arn for i in images if i.ecr_repository_arn))
        awslogs_groups = (self.router_log_group, *sidecar_groups.values())
        execution_statements = [
            *(ecr_pull(repositories) if repositories else ()),
            Statement(
                sid="WriteContainerLogs",
                actions=("logs:CreateLogStream", "logs:PutLogEvents"),
                resources=tuple(f"{g.arn}:*" for g in awslogs_groups),
            ),
        ]
        IamRolePolicy(
            self,
            "execution-policy",
            role=self.execution_role.name,
            name="pull-and-log",
            policy=PolicyDocument(tuple(execution_statements)).to_json(),
        )

        # Without an HTTP server there is no health check (checked), so the port is then unused.
        http_port = routing.http_port or DEFAULT_HTTP_PORT
        definitions = [
            *(app_container(c, router=log_router, sidecars=sidecars) for c in containers),
            log_router_container(log_router, log_group=self.router_log_group.name, http_port=http_port, region=region),
            *(sidecar_container(s, log_group=sidecar_groups[s.name].name, region=region) for s in sidecars),
        ]
        self.task_definition = EcsTaskDefinition(
            self,
            "task",
            family=name,
            cpu=str(cpu),
            memory=str(memory_mib),
            network_mode="awsvpc",
            requires_compatibilities=["FARGATE"],
            runtime_platform=EcsTaskDefinitionRuntimePlatform(
                operating_system_family="LINUX", cpu_architecture="X86_64"
            ),
            execution_role_arn=self.execution_role.arn,
            task_role_arn=self.task_role.arn,
            container_definitions=json.dumps(definitions),
        )

        self.network: PublicNetwork | None = None
        subnet_ids, vpc_id = network.subnet_ids, network.vpc_id
        if subnet_ids is None:
            self.network = PublicNetwork(
                self, "network", availability_zones=network.availability_zones or default_availability_zones(region)
            )
            subnet_ids, vpc_id = tuple(self.network.subnet_ids), self.network.vpc.id
        self.security_group = self._security_group(name, containers, network, vpc_id)

        self.cluster = cluster or EcsCluster(
            self,
            "cluster",
            name=name,
            setting=[
                EcsClusterSetting(name="containerInsights", value="enabled" if container_insights else "disabled")
            ],
        )
        self.service = EcsService(
            self,
            "service",
            name=name,
            cluster=self.cluster.arn,
            task_definition=self.task_definition.arn,
            desired_count=desired_count,
            launch_type="FARGATE",
            platform_version=PLATFORM_VERSION,
            network_configuration=EcsServiceNetworkConfiguration(
                subnets=list(subnet_ids),
                security_groups=[self.security_group.id],
                assign_public_ip=network.assign_public_ip,
            ),
        )
        self.alarms = (
            RouterLogLossAlarm(
                self,
                "alarms",
                service_name=name,
                log_group_name=self.router_log_group.name,
                topic_arn=alarms.topic_arn,
            )
            if alarms is not None
            else None
        )

    def _security_group(
        self, name: str, containers: tuple[AppContainer, ...], network: NetworkPlacement, vpc_id: str | None
    ) -> SecurityGroup:
        """The tasks' group: the app containers' ports from ``ingress_cidr``; egress to ``egress_ports``."""
        app_ports = sorted({c.port for c in containers if c.port is not None})
        egress = ", ".join(str(p) for p in network.egress_ports) or "none"
        inbound = (
            f"the app port from {network.ingress_cidr}"
            if len(app_ports) == 1
            else f"the app ports {', '.join(map(str, app_ports))} from {network.ingress_cidr}"
            if app_ports
            else "no inbound traffic"
        )
        return SecurityGroup(
            self,
            "security-group",
            name_prefix=f"{name[:20]}-",
            description=f"{name}: {inbound}; egress to TCP {egress} (AWS APIs, ECR)",
            vpc_id=vpc_id,
            ingress=[
                SecurityGroupIngress(
                    description="app port",
                    protocol="tcp",
                    from_port=port,
                    to_port=port,
                    cidr_blocks=[network.ingress_cidr],
                )
                for port in app_ports
            ],
            egress=[
                SecurityGroupEgress(
                    description="HTTPS: ECR, CloudWatch Logs, Firehose, S3" if p == 443 else f"TCP {p}",
                    protocol="tcp",
                    from_port=p,
                    to_port=p,
                    cidr_blocks=["0.0.0.0/0"],
                )
                for p in network.egress_ports
            ],
        )

    def _check_shared_log_groups(
        self, where: str, routing: CompiledRouting, given: Mapping[str, CloudwatchLogGroup]
    ) -> None:
        """A routed group another service of the stack already creates must be passed in, not created twice
        (Terraform would fail at apply with ResourceAlreadyExistsException)."""
        stack = TerraformStack.of(self)
        for other in stack.node.find_all():
            if not isinstance(other, FirelensService) or other is self:
                continue
            twice = sorted((other._created_route_groups & set(routing.log_group_names)) - set(given))
            if twice:
                raise ConfigError(
                    where,
                    "route_log_groups",
                    sorted(given),
                    f"every group another service of the stack creates ({', '.join(twice)} by "
                    f"'{other.node.path}') passed in, not created a second time",
                    f"pass route_log_groups={{name: group for name, group in "
                    f"<{other.node.id} service>.route_log_groups.items() if name in {twice!r}}}",
                )


def _archives_for_routes(where: str, routing: CompiledRouting, log_archives: Sequence[LogArchive]) -> list[LogArchive]:
    """The archives behind the routes' Firehose streams; a route to a stream not given fails."""
    by_name = {a.stream_name: a for a in log_archives}
    missing = [s for s in routing.delivery_stream_names if s not in by_name]
    if missing:
        raise ConfigError(
            where,
            "log_archives",
            sorted(by_name),
            f"a LogArchive for every routed stream ({', '.join(missing)})",
            f"add LogArchive(..., stream_name={missing[0]!r}) to the stack and pass it in log_archives=",
        )
    return [by_name[s] for s in routing.delivery_stream_names]


def _check_service(
    where: str,
    *,
    name: str,
    cpu: int,
    memory_mib: int,
    desired_count: int,
    retention: int,
    role_name_prefix: str | None,
) -> None:
    check_pattern(
        where,
        "name",
        name,
        _SERVICE_NAME,
        "1-32 letters, digits, '-' or '_', starting with a letter",
        "choose a shorter name",
    )
    check_choice(where, "cpu", cpu, tuple(_limits.FARGATE_SIZES), "pick a Fargate CPU size")
    allowed_memory = _limits.FARGATE_SIZES[cpu]
    if memory_mib not in allowed_memory:
        choices = ", ".join(str(m) for m in allowed_memory[:6]) + ("..." if len(allowed_memory) > 6 else "")
        raise ConfigError(
            where,
            "memory_mib",
            memory_mib,
            f"with cpu={cpu}: {choices}",
            f"{memory_mib} MiB is not a Fargate size for cpu={cpu}; pick one of those",
        )
    check_range(where, "desired_count", desired_count, (0, 1000), "use 0 or more tasks")
    check_choice(
        where,
        "ecs_log_retention_days",
        retention,
        _limits.LOG_RETENTION_DAYS,
        "pick the nearest retention CloudWatch Logs accepts",
    )
    if role_name_prefix is not None:
        check_pattern(
            where,
            "role_name_prefix",
            role_name_prefix,
            _ROLE_PREFIX,
            "1-33 of letters, digits and + = , . @ _ - (IAM role names, with room for 'exec-' and "
            "Terraform's 26-character suffix)",
            "shorten it or drop the other characters",
        )


def _check_containers(
    where: str, routing: CompiledRouting, containers: tuple[AppContainer, ...], sidecars: tuple[Sidecar, ...]
) -> None:
    """One app container per routed container, by name; container names unique; ports free."""
    routed, declared = list(routing.containers), [c.name for c in containers]
    if sorted(routed) != sorted(declared) or len(set(declared)) != len(declared):
        raise ConfigError(
            where,
            "containers",
            declared,
            f"exactly one AppContainer per AppLogRouting of the routing ({', '.join(routed)})",
            "give every routed container an AppContainer with its name, and route every app "
            "container (AppLogRouting(container=...))",
        )
    names = [*declared, LOG_ROUTER_NAME, *(s.name for s in sidecars)]
    clashes = sorted({n for n in names if names.count(n) > 1})
    if clashes:
        raise ConfigError(
            where,
            "sidecars",
            clashes,
            "container names unique within the task",
            "rename the sidecars that clash with the app containers or with each other",
        )
    ports = [c.port for c in containers if c.port is not None]
    if routing.http_port in ports:
        raise ConfigError(
            where,
            "containers",
            routing.http_port,
            f"app ports other than {routing.http_port}, the log router's HTTP server port on the "
            "task's shared localhost",
            "move the app to another port, e.g. 3000",
        )
    shared = sorted({p for p in ports if ports.count(p) > 1})
    if shared:
        raise ConfigError(
            where,
            "containers",
            shared,
            "one container per port (the task shares one localhost)",
            "give each app container its own port",
        )


def _check_router(where: str, routing: CompiledRouting, router: LogRouter, memory_mib: int) -> None:
    """The router against the routes and the task: Grace, HTTP server, memory."""
    grace = routing.grace_seconds
    if grace > router.stop_timeout_seconds:
        raise ConfigError(
            where,
            "log_router.stop_timeout_seconds",
            router.stop_timeout_seconds,
            f"at least the config's Grace ({grace} s), or ECS kills Fluent Bit before it has flushed",
            f"raise LogRouter(stop_timeout_seconds=) to {grace} or more, or compile with a smaller grace_seconds",
        )
    if router.health_check is not None and routing.http_port is None:
        raise ConfigError(
            where,
            "log_router.health_check",
            router.health_check.name,
            "None while the routing's Fluent Bit HTTP server is off",
            "compile the routing with http_port (default 2020) or pass LogRouter(health_check=None)",
        )
    if router.memory_reservation_mib >= memory_mib:
        raise ConfigError(
            where,
            "log_router.memory_reservation_mib",
            router.memory_reservation_mib,
            f"less than the task's memory_mib={memory_mib}",
            f"reserve less than the task's {memory_mib} MiB, e.g. {DEFAULT_ROUTER_MEMORY_RESERVATION_MIB}",
        )
    router_mib = router.memory_reservation_mib + 2 * routing.emitter_buffer_bytes // _MIB
    driver_mib = -(-router.log_driver_buffer_limit * _limits.LOG_DRIVER_ASSUMED_LINE_BYTES // _MIB)
    if router_mib + driver_mib > memory_mib:
        raise ConfigError(
            where,
            "memory_mib",
            memory_mib,
            f"at least {router_mib + driver_mib} MiB: the router's worst case per AWS's OOM guide, 2 x (half its "
            f"memoryReservation + emitter buffers) = {router_mib} MiB, plus the log-driver buffer, "
            f"{router.log_driver_buffer_limit} lines x 2 KiB = {driver_mib} MiB",
            "raise memory_mib, or lower LogRouter's memory_reservation_mib or log_driver_buffer_limit, or the "
            "routes' emitter_mem_buf_limit",
        )


def _check_network(where: str, routing: CompiledRouting, network: NetworkPlacement) -> None:
    region = routing.routing.region
    foreign = [z for z in network.availability_zones or () if not z.startswith(region)]
    if foreign:
        raise ConfigError(
            where,
            "network.availability_zones",
            foreign[0],
            f"zones of the routes' region {region}",
            f"name zones such as {region}a",
        )

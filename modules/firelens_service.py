"""FirelensService: an app on ECS Fargate whose stdout a FireLens log router routes."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.ecs_cluster import EcsCluster, EcsClusterSetting
from cdktf_cdktf_provider_aws.ecs_service import EcsService, EcsServiceNetworkConfiguration
from cdktf_cdktf_provider_aws.ecs_task_definition import EcsTaskDefinition, EcsTaskDefinitionRuntimePlatform
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.security_group import SecurityGroup, SecurityGroupEgress, SecurityGroupIngress
from constructs import Construct

from . import _limits
from ._validation import check_choice, check_pattern, check_range, is_token
from .container_definitions import (
    EXTRA_CONFIG_PATH,
    LOG_ROUTER_NAME,
    ContainerImageRef,
    LogRouterSettings,
    Sidecar,
    app_container,
    log_router_container,
    sidecar_container,
)
from .errors import ConfigError
from .fluentbit_compiler import CompiledRouting
from .iam import PolicyDocument, Statement, assume_role_policy, ecr_pull, firehose_put_records, log_stream_writes
from .log_archive import LogArchive
from .network import PublicNetwork

_SERVICE_NAME = r"^[A-Za-z][A-Za-z0-9_-]{0,31}$"


class FirelensService(Construct):
    """One app container on Fargate, its logs routed by a FireLens log router.

    The app's stdout goes through the ``awsfirelens`` log driver to the
    ``log_router`` container, whose Fluent Bit config is compiled from
    ``routing``. Everything the routes need is derived from them: the log
    groups they write to are created here, and the task role may write to
    exactly those groups and put records to exactly the routed Firehose streams.

    Args:
        scope: Parent construct.
        id_: Construct id.
        name: Service name; also the task family and the ECS log groups'
            prefix (``/ecs/<name>/...``). 1-32 letters, digits, '-' or '_'.
        app_image: The app's image.
        log_router_image: The Fluent Bit image carrying ``routing``'s files.
        routing: The compiled routes. Its single app container is the app
            container (FireLens tags derive from that name).
        log_archives: The LogArchives in this stack; every Firehose stream a
            route names must be one of them. Default: none.
        port: The app's TCP port, the only one the security group opens. Default: 3000.
        environment: The app's environment variables. Default: none.
        sidecars: Extra containers (e.g. :meth:`Sidecar.postgres`); the app
            waits for each (HEALTHY when it has a health check). Default: none.
        cpu: Fargate CPU units. Default: 256.
        memory_mib: Fargate memory; must pair with ``cpu``. Default: 512.
        desired_count: Tasks to keep running. Default: 1 (the article's).
        assign_public_ip: Give tasks a public IP. Default: ``True`` (no load balancer, as in the article).
        ingress_cidr: Who may reach the app port. Default: ``0.0.0.0/0``.
        subnet_ids: Subnets for the tasks. Default: a :class:`PublicNetwork` is created.
        vpc_id: The subnets' VPC; required with ``subnet_ids``.
        cluster: ECS cluster to run in. Default: one is created.
        container_insights: Container Insights on a created cluster (adds
            paid custom metrics). Default: ``False`` (the article's).
        ecs_log_retention_days: Retention of the router's and sidecars' own
            log groups. Default: 30.
        config_file: The config FireLens includes; must be a file in the
            image (Fargate cannot read config files from S3). Default: ``/fluent-bit/etc/extra.conf``.

    Attributes:
        cluster, service, task_definition, task_role, execution_role,
        security_group, route_log_groups (name -> group), router_log_group.

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
        subnet_ids: Sequence[str] | None = None,
        vpc_id: str | None = None,
        cluster: EcsCluster | None = None,
        container_insights: bool = False,
        ecs_log_retention_days: int = 30,
        config_file: str = EXTRA_CONFIG_PATH,
    ) -> None:
        super().__init__(scope, id_)
        where = f"FirelensService '{self.node.path}'"
        self._validate(where, name, routing, port, sidecars, cpu, memory_mib, desired_count,
                       subnet_ids, vpc_id, ecs_log_retention_days, config_file, ingress_cidr)
        app_name = routing.containers[0]
        region = routing.routing.region
        archives = self._archives_for_routes(where, routing, log_archives)

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
        self.task_role = IamRole(self, "task-role", name_prefix=f"{name[:20]}-task-",
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
        self.execution_role = IamRole(self, "execution-role", name_prefix=f"{name[:20]}-exec-",
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

        containers = [
            app_container(name=app_name, image=app_image, port=port, environment=environment or {},
                          sidecars=sidecars),
            log_router_container(
                LogRouterSettings(image=log_router_image, log_group=self.router_log_group.name,
                                  config_file=config_file), region),
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
            network = PublicNetwork(self, "network")
            subnet_ids, vpc_id = network.subnet_ids, network.vpc.id
        self.security_group = SecurityGroup(
            self, "security-group",
            name_prefix=f"{name[:20]}-",
            description=f"{name}: the app port from {ingress_cidr}; all egress (ECR, AWS APIs)",
            vpc_id=vpc_id,
            ingress=[SecurityGroupIngress(description="app port", protocol="tcp", from_port=port,
                                          to_port=port, cidr_blocks=[ingress_cidr])],
            egress=[SecurityGroupEgress(description="ECR, CloudWatch Logs, Firehose", protocol="-1",
                                        from_port=0, to_port=0, cidr_blocks=["0.0.0.0/0"])],
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
            network_configuration=EcsServiceNetworkConfiguration(
                subnets=list(subnet_ids), security_groups=[self.security_group.id],
                assign_public_ip=assign_public_ip),
        )

    @staticmethod
    def _validate(where: str, name: str, routing: CompiledRouting, port: int, sidecars: Sequence[Sidecar],
                  cpu: int, memory_mib: int, desired_count: int, subnet_ids: Sequence[str] | None,
                  vpc_id: str | None, retention: int, config_file: str, ingress_cidr: str) -> None:
        import re

        check_pattern(where, "name", name, re.compile(_SERVICE_NAME),
                      "1-32 letters, digits, '-' or '_', starting with a letter", "choose a shorter name")
        if len(routing.containers) != 1:
            raise ConfigError(where, "routing", routing.containers, "routes for exactly one app container",
                              "give each app container its own FirelensService")
        check_range(where, "port", port, _limits.PORT_RANGE, "use the TCP port the app listens on")
        check_choice(where, "cpu", cpu, tuple(_limits.FARGATE_SIZES), "pick a Fargate CPU size")
        allowed_memory = _limits.FARGATE_SIZES[cpu]
        if memory_mib not in allowed_memory:
            choices = ", ".join(str(m) for m in allowed_memory[:6]) + ("..." if len(allowed_memory) > 6 else "")
            raise ConfigError(where, "memory_mib", memory_mib, f"with cpu={cpu}: {choices}",
                              f"{memory_mib} MiB is not a Fargate size for cpu={cpu}; pick one of those")
        check_range(where, "desired_count", desired_count, (0, 1000), "use 0 or more tasks")
        if (subnet_ids is None) != (vpc_id is None):
            raise ConfigError(where, "subnet_ids/vpc_id", (subnet_ids, vpc_id), "both or neither",
                              "pass vpc_id= with subnet_ids=, or neither to create a small VPC")
        if subnet_ids is not None and not subnet_ids:
            raise ConfigError(where, "subnet_ids", list(subnet_ids), "at least one subnet",
                              "pass subnets, or leave subnet_ids unset to create a small VPC")
        check_choice(where, "ecs_log_retention_days", retention, _limits.LOG_RETENTION_DAYS,
                     "pick the nearest retention CloudWatch Logs accepts")
        if config_file.startswith(("s3://", "arn:")) or ":s3:::" in config_file:
            raise ConfigError(where, "config_file", config_file,
                              "a file path inside the log router image (config-file-type file)",
                              "Fargate does not support S3 config files; bake the file into the image "
                              "(docker/firelens) and pass its path, e.g. /fluent-bit/etc/extra.conf")
        if not config_file.startswith("/"):
            raise ConfigError(where, "config_file", config_file, "an absolute path inside the image",
                              "write it like /fluent-bit/etc/extra.conf")
        if not is_token(ingress_cidr) and not re.match(r"^\d{1,3}(\.\d{1,3}){3}/\d{1,2}$", ingress_cidr):
            raise ConfigError(where, "ingress_cidr", ingress_cidr, "an IPv4 CIDR block such as 203.0.113.0/24",
                              "write the range in CIDR notation")
        app_name = routing.containers[0]
        names = [app_name, LOG_ROUTER_NAME, *(s.name for s in sidecars)]
        clashes = sorted({n for n in names if names.count(n) > 1})
        if clashes:
            raise ConfigError(where, "sidecars", clashes, "container names unique within the task",
                              "rename the sidecars that clash with the app or with each other")

    @staticmethod
    def _archives_for_routes(where: str, routing: CompiledRouting,
                             log_archives: Sequence[LogArchive]) -> list[LogArchive]:
        """The archives behind the routes' Firehose streams; a route to a stream not in the stack fails."""
        by_name = {a.stream_name: a for a in log_archives}
        missing = [s for s in routing.delivery_stream_names if s not in by_name]
        if missing:
            raise ConfigError(where, "log_archives", sorted(by_name), f"a LogArchive for every routed stream ({', '.join(missing)})",
                              f"add LogArchive(..., stream_name={missing[0]!r}) to the stack and pass it in log_archives=")
        return [by_name[s] for s in routing.delivery_stream_names]

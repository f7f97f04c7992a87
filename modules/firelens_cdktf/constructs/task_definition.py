"""FirelensTaskDefinition: a Fargate task definition with a FireLens log router, app containers added to it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from cdktf import Annotations
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.ecs_task_definition import EcsTaskDefinition, EcsTaskDefinitionRuntimePlatform
from cdktf_cdktf_provider_aws.iam_role import IamRole

from constructs import Construct
from firelens_cdktf.constructs import _task_checks as checks
from firelens_cdktf.constructs._synth_time import add_check, lazy_string
from firelens_cdktf.constructs._validation import where_of
from firelens_cdktf.constructs.container_definitions import app_container, log_router_container, sidecar_container
from firelens_cdktf.constructs.container_props import LOG_ROUTER_NAME, AppContainer, SecretSource, Sidecar
from firelens_cdktf.constructs.grants import RoleLike, RolePolicy
from firelens_cdktf.constructs.init_config import init_files_tag
from firelens_cdktf.constructs.kms import LogKey
from firelens_cdktf.constructs.log_archive import LogArchive
from firelens_cdktf.constructs.log_groups import RouteLogGroups
from firelens_cdktf.constructs.service_props import LogRouter
from firelens_cdktf.errors import ConfigError
from firelens_cdktf.fluentbit.limits import DEFAULT_HTTP_PORT
from firelens_cdktf.iam.policy import (
    Statement,
    assume_role_policy,
    container_log_writes,
    ecr_pull,
    kms_decrypts,
    router_config_reads,
    secrets_manager_reads,
    ssm_parameter_reads,
)
from firelens_cdktf.lint.findings import Finding
from firelens_cdktf.lint.sizing import check_router_size
from firelens_cdktf.routing.compiler import CompiledRouting


class FirelensTaskDefinition(Construct):
    """A Fargate task definition whose app containers' stdout a FireLens log router routes.

    Built with the ``log_router`` container; app containers and sidecars are
    added with :meth:`add_container` and :meth:`add_sidecar`, before or after
    a :class:`~firelens_cdktf.constructs.FirelensFargateService` runs it (the
    container definitions, the execution role's policy and the service's
    security group are rendered when the stack is synthesized). The routing
    holds one ``AppLogRouting`` per app container, matched by name; at synth,
    a routed container without an app container fails the synth, naming it.

    IAM is derived, never written by hand: the routes' resources grant the
    **task role** (Fluent Bit's outputs run with it) exactly what the outputs
    call, ``archive.grant_put_records`` for each routed Firehose stream and
    ``log_groups.grant_write`` for the routed groups, into one inline policy;
    the **execution role** may pull exactly the task's ECR images, write its
    awslogs groups, and read exactly its containers' secrets. With
    :meth:`LogRouter.from_s3`, the task role may also read exactly the
    config's S3 objects (``s3:GetObject``) and locate their bucket
    (``s3:GetBucketLocation``): the init process fetches them with it.

    Args:
        scope: Parent construct.
        id_: Construct id.
        family: Task definition family; also the prefix of its own log groups
            (``/ecs/<family>/<container>``) and, by default, of the roles' names.
        routing: The compiled routes of every app container in the task.
        log_router: The ``log_router`` container's image and settings.
        cpu: Fargate CPU units. Default: 256.
        memory_mib: Fargate memory; must pair with ``cpu`` and hold the
            router's worst case (see :class:`LogRouter`). Default: 512.
        log_archives: The LogArchives the routes deliver to; every Firehose
            stream a route names must be one of them. Default: none.
        log_groups: The owner of the routed log groups, shared by the task
            definitions whose routes share groups. Default: a
            :class:`RouteLogGroups` is created here (id ``route-logs``).
        task_role: Your own task role (an ``IamRole``, or a ``DataAwsIamRole``
            naming one that exists); the routes' grants are added to it as one
            inline policy, ``<family>-route-logs``, nothing else. Default: a
            role is created with only the permissions the routes need (its
            policy is named ``route-logs``).
        execution_role: Your own execution role; one inline policy,
            ``<family>-pull-and-log``, is added with what this task needs.
            Default: a role is created with only that (``pull-and-log``).
        role_name_prefix: Start of the created roles' names (then
            ``task-``/``exec-`` and a unique suffix). Default: the first 20
            characters of ``family`` and ``-``.
        ecs_log_retention_days: Retention of the router's and sidecars' own
            log groups. Default: 30.
        kms_key: Encrypt the router's and sidecars' own log groups, and the routed
            groups of the :class:`RouteLogGroups` created here, with this
            :class:`~firelens_cdktf.constructs.LogKey`. Default: ``None``, CloudWatch
            Logs' own encryption (a ``log_groups`` you pass keeps its own ``kms_key``).

    Attributes:
        task_definition (the ``aws_ecs_task_definition``), task_role and
        execution_role (the roles actually used), task_policy and
        execution_policy (:class:`RolePolicy`), log_groups (the
        :class:`RouteLogGroups`), route_log_groups (routed group name ->
        group), router_log_group, sidecar_log_groups, containers, sidecars,
        family, routing, log_router, cpu, memory_mib, warnings (the router sizing findings for
        ``LogRouter(log_mb_per_second=)``, each also a synth warning).

    Raises:
        ConfigError: an argument AWS would reject, or one that contradicts the routes.

    Example::

        task = FirelensTaskDefinition(stack, "api-task", family="payments-api", routing=compiled,
                                      log_router=LogRouter(image=router_image), log_archives=(archive,))
        task.add_container(AppContainer("web", image=web_image, port_mappings=(PortMapping(8080),)))
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        family: str,
        routing: CompiledRouting,
        log_router: LogRouter,
        cpu: int = 256,
        memory_mib: int = 512,
        log_archives: Sequence[LogArchive] = (),
        log_groups: RouteLogGroups | None = None,
        task_role: RoleLike | None = None,
        execution_role: RoleLike | None = None,
        role_name_prefix: str | None = None,
        ecs_log_retention_days: int = 30,
        kms_key: LogKey | None = None,
    ) -> None:
        super().__init__(scope, id_)
        self._where = where = where_of(self)
        checks.check_family(where, family)
        checks.check_task_size(where, cpu, memory_mib)
        checks.check_retention(where, ecs_log_retention_days)
        checks.check_role_prefix(where, role_name_prefix)
        checks.check_router(where, routing, log_router, memory_mib)
        _check_config_objects(where, routing, log_router)
        checks.check_container_sizes(where, cpu, memory_mib, log_router, [])
        archives = checks.archives_for_routes(where, routing, log_archives)
        #: What the sizing rule says of the router for its declared log rate (LogRouter.log_mb_per_second);
        #: each is also a synth warning.
        self.warnings: tuple[Finding, ...] = (
            check_router_size(
                log_router.log_mb_per_second,
                cpu_units=log_router.cpu,
                memory_reservation_mib=log_router.memory_reservation_mib,
                task_cpu_units=cpu,
                max_chunks_up=checks.chunks_up_in_memory(routing),
                where=f"{where}: log_router",
            )
            if log_router.log_mb_per_second is not None
            else ()
        )
        for finding in self.warnings:
            Annotations.of(self).add_warning(f"{finding} [{finding.code}]")
        self.family, self.routing, self.log_router = family, routing, log_router
        self.cpu, self.memory_mib = cpu, memory_mib
        self._retention = ecs_log_retention_days
        self._kms_key = kms_key
        self._containers: list[AppContainer] = []
        self._sidecars: list[Sidecar] = []
        role_prefix = role_name_prefix if role_name_prefix is not None else f"{family[:20]}-"

        # Log groups: every group a route writes to, owned by log_groups; then the router's own.
        self.log_groups = log_groups if log_groups is not None else RouteLogGroups(self, "route-logs", kms_key=kms_key)
        self.route_log_groups: dict[str, CloudwatchLogGroup] = {
            group.log_group: self.log_groups.add(group) for group in routing.log_groups
        }
        self.router_log_group = self._own_log_group("router-logs", LOG_ROUTER_NAME)
        self.sidecar_log_groups: dict[str, CloudwatchLogGroup] = {}

        # Task role: what Fluent Bit's outputs call, granted by the routed resources themselves.
        self.task_role: RoleLike = task_role or IamRole(
            self,
            "task-role",
            name_prefix=f"{role_prefix}task-",
            assume_role_policy=assume_role_policy("ecs-tasks.amazonaws.com").to_json(),
        )
        # On a role of yours the policy's name says which task it serves: one role may serve several.
        own = f"{family[:100]}-"
        self.task_policy = RolePolicy(
            self, "task-policy", role=self.task_role, name=f"{own if task_role else ''}route-logs"
        )
        for archive, stream_names in archives:
            archive.grant_put_records(self.task_policy, stream_names=stream_names)
        if self.route_log_groups:
            self.log_groups.grant_write(self.task_policy, self.route_log_groups)
        s3_config = log_router.config_from_s3
        if s3_config is not None:
            # The init process fetches the router's config with the task role (not the execution role).
            self.task_policy.add_statements(*router_config_reads(s3_config.bucket_arn, s3_config.object_arns))

        # Execution role: pull the images, write the awslogs groups, read the secrets (worked out at synth).
        self.execution_role: RoleLike = execution_role or IamRole(
            self,
            "execution-role",
            name_prefix=f"{role_prefix}exec-",
            assume_role_policy=assume_role_policy("ecs-tasks.amazonaws.com").to_json(),
        )
        self.execution_policy = RolePolicy(
            self,
            "execution-policy",
            role=self.execution_role,
            name=f"{own if execution_role else ''}pull-and-log",
            statements=self._execution_grants,
        )

        self.task_definition = EcsTaskDefinition(
            self,
            "task",
            family=family,
            cpu=str(cpu),
            memory=str(memory_mib),
            network_mode="awsvpc",
            requires_compatibilities=["FARGATE"],
            runtime_platform=EcsTaskDefinitionRuntimePlatform(
                operating_system_family="LINUX", cpu_architecture="X86_64"
            ),
            execution_role_arn=self.execution_role.arn,
            task_role_arn=self.task_role.arn,
            container_definitions=lazy_string(lambda: json.dumps(self.container_definitions())),
        )
        add_check(self, self._problems_at_synth)

    # --- adding containers ---------------------------------------------------------------------------

    @property
    def containers(self) -> tuple[AppContainer, ...]:
        """The app containers, by name (the order they are rendered in: reordering changes nothing)."""
        return tuple(sorted(self._containers, key=lambda c: c.name))

    @property
    def sidecars(self) -> tuple[Sidecar, ...]:
        """The sidecars, by name."""
        return tuple(sorted(self._sidecars, key=lambda s: s.name))

    @property
    def arn(self) -> str:
        """The task definition's ARN (with its revision)."""
        return self.task_definition.arn

    def add_container(self, container: AppContainer) -> None:
        """Add an app container: its stdout goes to the log router through the ``awsfirelens`` driver.

        Its name must be one the routing routes; it waits for the log router
        (HEALTHY when the router has a health check) and for every sidecar.

        Raises:
            ConfigError: the routing does not route it, its name or a port is
                taken, or the task cannot hold what it reserves.
        """
        where = f"{self._where} add_container"
        checks.check_new_container(where, self.routing, container, self._containers, self._sidecars)
        checks.check_container_sizes(where, self.cpu, self.memory_mib, self.log_router, [*self._containers, container])
        self._containers.append(container)

    def add_sidecar(self, sidecar: Sidecar) -> None:
        """Add a helper container (e.g. :meth:`Sidecar.postgres`), logging with awslogs to ``/ecs/<family>/<name>``.

        Every app container waits for it (HEALTHY when it has a health check).

        Raises:
            ConfigError: its name is taken.
        """
        checks.check_new_sidecar(f"{self._where} add_sidecar", sidecar, self._containers, self._sidecars)
        self._sidecars.append(sidecar)
        self.sidecar_log_groups[sidecar.name] = self._own_log_group(f"sidecar-logs-{sidecar.name}", sidecar.name)

    def _own_log_group(self, id_: str, container: str) -> CloudwatchLogGroup:
        """``/ecs/<family>/<container>``: a container's own group (awslogs), encrypted with ``kms_key`` if given."""
        name = f"/ecs/{self.family}/{container}"
        return CloudwatchLogGroup(
            self,
            id_,
            name=name,
            retention_in_days=self._retention,
            kms_key_id=self._kms_key.encrypt_log_group(name) if self._kms_key is not None else None,
        )

    # --- what is rendered at synth -------------------------------------------------------------------

    def container_definitions(self) -> list[dict[str, Any]]:
        """The containers as ECS JSON: app containers, the log router, sidecars (each group by name)."""
        # Without an HTTP server there is no health check (checked), so the port is then unused.
        http_port = self.routing.http_port or DEFAULT_HTTP_PORT
        sidecars = self.sidecars
        return [
            *(app_container(c, router=self.log_router, sidecars=sidecars) for c in self.containers),
            log_router_container(
                self.log_router,
                log_group=self.router_log_group.name,
                http_port=http_port,
                region=self.routing.routing.region,
            ),
            *(
                sidecar_container(s, log_group=self.sidecar_log_groups[s.name].name, region=self.routing.routing.region)
                for s in sidecars
            ),
        ]

    def _execution_grants(self) -> list[Statement]:
        images = [*(c.image for c in self.containers), self.log_router.image, *(s.image for s in self.sidecars)]
        repositories = tuple(dict.fromkeys(i.ecr_repository_arn for i in images if i.ecr_repository_arn))
        groups = (self.router_log_group, *(self.sidecar_log_groups[s.name] for s in self.sidecars))
        out = [*(ecr_pull(repositories) if repositories else ()), container_log_writes(tuple(g.arn for g in groups))]
        secrets = [s for c in self.containers for s in c.secrets.values()]
        for source, grant in (
            (SecretSource.SSM_PARAMETER, ssm_parameter_reads),
            (SecretSource.SECRETS_MANAGER, secrets_manager_reads),
        ):
            arns = tuple(dict.fromkeys(s.arn for s in secrets if s.source is source))
            if arns:
                out.append(grant(arns))
        keys = tuple(dict.fromkeys(s.kms_key_arn for s in secrets if s.kms_key_arn))
        if keys:
            out.append(kms_decrypts(keys))
        return out

    def _problems_at_synth(self) -> list[str]:
        missing = checks.missing_app_containers(self.routing, self._containers)
        if not missing:
            return []
        error = ConfigError(
            self._where,
            "containers",
            sorted(c.name for c in self._containers),
            f"an app container for every routed container (missing: {', '.join(missing)})",
            f"call add_container(AppContainer({missing[0]!r}, image=...)), or drop its AppLogRouting",
        )
        return [str(error)]


def _check_config_objects(where: str, routing: CompiledRouting, log_router: LogRouter) -> None:
    """The S3 objects the router downloads must hold this task's routing, not another one's."""
    objects = log_router.config_from_s3
    if objects is None or objects.routing_tag is None:
        return
    expected = init_files_tag(routing)
    if objects.routing_tag != expected:
        raise ConfigError(
            where,
            "log_router.config_from_s3",
            objects.routing_tag,
            f"the S3 objects of this task's routing (files tagged {expected})",
            "give RouterConfigInS3 the same compiled routing as the task definition",
        )

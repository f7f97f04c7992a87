"""FirelensService: the one-call composition of a FireLens task definition and the service that runs it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from cdktf import TerraformStack
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.ecs_cluster import EcsCluster

from constructs import Construct
from firelens_cdktf.constructs import _task_checks as checks
from firelens_cdktf.constructs._validation import where_of
from firelens_cdktf.constructs.container_props import AppContainer, Sidecar
from firelens_cdktf.constructs.fargate_service import FirelensFargateService
from firelens_cdktf.constructs.grants import RoleLike
from firelens_cdktf.constructs.kms import LogKey
from firelens_cdktf.constructs.log_archive import LogArchive
from firelens_cdktf.constructs.log_groups import RouteLogGroups, creator_elsewhere
from firelens_cdktf.constructs.moves import logical_id_at
from firelens_cdktf.constructs.service_props import (
    ClusterRef,
    LoadBalancerTarget,
    LogRouter,
    NetworkPlacement,
    RouterAlarms,
)
from firelens_cdktf.constructs.task_definition import FirelensTaskDefinition
from firelens_cdktf.errors import ConfigError
from firelens_cdktf.routing.compiler import CompiledRouting

#: How the route log groups a FirelensService created itself were addressed up to firelens-cdktf 0.3:
#: ``route-logs-<index in routing.log_groups>``. Each now moves to its name (a ``moved`` block per group).
_INDEXED_ROUTE_LOGS = "route-logs-{index}"


class FirelensService(Construct):
    """App containers on Fargate, their logs routed by a FireLens log router: a task definition and its service.

    The one call for the common case, built from
    :class:`~firelens_cdktf.constructs.FirelensTaskDefinition` (the
    containers, the log router, the roles and the IAM the routes derive) and
    :class:`~firelens_cdktf.constructs.FirelensFargateService` (the service,
    its security group and cluster); reach for those two for anything this
    one does not offer (containers added later, a task run by two services).

    Each app container's stdout goes through the ``awsfirelens`` log driver to
    the ``log_router`` container, whose Fluent Bit config is compiled from
    ``routing``; the routing holds one ``AppLogRouting`` per app container,
    matched by name. The log groups the routes write to are created (or taken
    from ``route_log_groups``), and the task role may write to exactly those
    groups and put records to exactly the routed Firehose streams.

    Several services may share one :class:`LogArchive` (pass it to each in
    ``log_archives``), one cluster (``cluster``), one network
    (``NetworkPlacement.existing``) and their log groups: create one
    :class:`~firelens_cdktf.constructs.RouteLogGroups` and pass it to each as
    ``route_log_groups`` (the groups then belong to it, not to the first service).

    Addresses: every resource keeps the address it had before the task
    definition and the service were separate constructs. Route log groups
    this service creates are addressed by their names; those that were
    addressed by their position in the routing (``route-logs-0``, ...) get a
    ``moved`` block each, so an existing deployment keeps them.

    Args:
        scope: Parent construct.
        id_: Construct id.
        name: Service name; also the task family, the created cluster's
            default name and the ECS log groups' prefix (``/ecs/<name>/...``).
            1-32 letters, digits, '-' or '_', starting with a letter.
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
        cluster: ECS cluster to run in: an ``EcsCluster``, or an existing one
            by :class:`ClusterRef`. Default: one is created.
        cluster_name: The created cluster's name. Default: ``name``.
        container_insights: Container Insights on a created cluster (adds
            paid custom metrics). Default: ``False`` (the article's).
        ecs_log_retention_days: Retention of the router's and sidecars' own
            log groups. Default: 30.
        role_name_prefix: Start of the created task and execution roles'
            names (then ``task-``/``exec-`` and a unique suffix). Default: the
            first 20 characters of ``name`` and ``-``.
        alarms: The alarm on the router's lost logs, or ``None`` for none.
            Default: :class:`RouterAlarms` with no topic.
        route_log_groups: The owner of the routed log groups, shared with
            other services (a :class:`RouteLogGroups`), or groups that exist
            already by name (another service's ``route_log_groups``; those the
            routes write to are used, the others ignored). Default: every
            routed group is created here.
        task_role: Your own task role; see :class:`FirelensTaskDefinition`.
            Default: one is created with only what the routes need.
        execution_role: Your own execution role. Default: one is created.
        load_balancers: Target groups to register container ports with.
            Default: none (the article's).
        health_check_grace_period_seconds: Only with ``load_balancers``.
            Default: ECS's.
        kms_key: Encrypt the log groups this service creates (routed, router's,
            sidecars') with this :class:`~firelens_cdktf.constructs.LogKey`. Default:
            ``None``, CloudWatch Logs' own encryption.

    Attributes:
        cluster, service, task_definition (the ``aws_ecs_task_definition``),
        task_role, execution_role, security_group, route_log_groups (name ->
        group, created or given), router_log_group, network (the created
        :class:`PublicNetwork` or ``None``), alarms, log_groups (the
        :class:`RouteLogGroups` used), firelens_task_definition and
        fargate_service (the two pieces), cluster_arn, cluster_name, warnings
        (the router sizing findings for ``LogRouter(log_mb_per_second=)``, also synth warnings).

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
        cluster: EcsCluster | ClusterRef | None = None,
        cluster_name: str | None = None,
        container_insights: bool = False,
        ecs_log_retention_days: int = 30,
        role_name_prefix: str | None = None,
        alarms: RouterAlarms | None = RouterAlarms(),
        route_log_groups: RouteLogGroups | Mapping[str, CloudwatchLogGroup] | None = None,
        task_role: RoleLike | None = None,
        execution_role: RoleLike | None = None,
        load_balancers: Sequence[LoadBalancerTarget] = (),
        health_check_grace_period_seconds: int | None = None,
        kms_key: LogKey | None = None,
    ) -> None:
        super().__init__(scope, id_)
        where = where_of(self)
        containers = tuple(containers)
        sidecars = tuple(sidecars)
        # Every check first, in this construct's words; the pieces then find nothing more to refuse.
        checks.check_service_name(where, name)
        checks.check_task_size(where, cpu, memory_mib)
        checks.check_desired_count(where, desired_count)
        checks.check_retention(where, ecs_log_retention_days)
        checks.check_role_prefix(where, role_name_prefix)
        checks.check_containers_match_routes(where, routing, containers)
        for index, sidecar in enumerate(sidecars):
            checks.check_new_sidecar(where, sidecar, containers, sidecars[:index])
        for index, container in enumerate(containers):
            checks.check_new_container(where, routing, container, containers[:index], (), field="containers")
        checks.check_router(where, routing, log_router, memory_mib)
        checks.check_container_sizes(where, cpu, memory_mib, log_router, containers)
        checks.check_network(where, routing.routing.region, network)
        checks.check_cluster(where, cluster, cluster_name, container_insights)
        checks.check_grace_period(where, health_check_grace_period_seconds, load_balancers)
        for field, value, allowed, fix in checks.load_balancer_problems(load_balancers, containers):
            raise ConfigError(where, field, value, allowed, fix)
        checks.archives_for_routes(where, routing, log_archives)
        if isinstance(route_log_groups, RouteLogGroups):
            self.log_groups = route_log_groups
        else:
            given = dict(route_log_groups or {})
            _check_not_created_elsewhere(where, self, routing, given)
            self.log_groups = RouteLogGroups(self, "route-logs", existing=given, kms_key=kms_key)

        # "Default" is left out of CDKTF's logical ids: the pieces' resources keep the addresses
        # FirelensService gave them when it declared them itself (service_task_..., service_cluster_...).
        task = FirelensTaskDefinition(
            self,
            "Default",
            family=name,
            routing=routing,
            log_router=log_router,
            cpu=cpu,
            memory_mib=memory_mib,
            log_archives=log_archives,
            log_groups=self.log_groups,
            task_role=task_role,
            execution_role=execution_role,
            role_name_prefix=role_name_prefix,
            ecs_log_retention_days=ecs_log_retention_days,
            kms_key=kms_key,
        )
        for sidecar in sidecars:
            task.add_sidecar(sidecar)
        for container in containers:
            task.add_container(container)
        service = FirelensFargateService(
            task,
            "Default",
            task_definition=task,
            name=name,
            cluster=cluster,
            cluster_name=cluster_name,
            container_insights=container_insights,
            desired_count=desired_count,
            network=network,
            load_balancers=load_balancers,
            health_check_grace_period_seconds=health_check_grace_period_seconds,
            alarms=alarms,
        )
        if not isinstance(route_log_groups, RouteLogGroups):
            self._move_indexed_route_logs(routing)

        self.firelens_task_definition, self.fargate_service = task, service
        self.task_definition = task.task_definition
        self.task_role, self.execution_role = task.task_role, task.execution_role
        self.route_log_groups: Mapping[str, CloudwatchLogGroup] = task.route_log_groups
        self.router_log_group = task.router_log_group
        self.security_group, self.service, self.network = service.security_group, service.service, service.network
        self.cluster, self.cluster_arn, self.cluster_name = service.cluster, service.cluster_arn, service.cluster_name
        self.alarms = service.alarms
        self.warnings = task.warnings

    def _move_indexed_route_logs(self, routing: CompiledRouting) -> None:
        """A ``moved`` block from each created route group's old, positional address to its name's."""
        for index, destination in enumerate(routing.log_groups):
            name = destination.log_group
            if name in self.log_groups.created:
                group = self.log_groups.groups[name]
                old = logical_id_at(self, _INDEXED_ROUTE_LOGS.format(index=index))
                group.move_from_id(f"{group.terraform_resource_type}.{old}")


def _check_not_created_elsewhere(
    where: str, service: FirelensService, routing: CompiledRouting, given: Mapping[str, CloudwatchLogGroup]
) -> None:
    """A routed group another owner of the stack already creates must be passed in, not created twice
    (Terraform would fail at apply with ResourceAlreadyExistsException)."""
    twice: dict[str, RouteLogGroups] = {}
    for name in routing.log_group_names:
        owner = creator_elsewhere(None, name, scope=service)
        if name not in given and owner is not None:
            twice[name] = owner
    if not twice:
        return
    names = sorted(twice)
    owner = twice[names[0]]
    by = _owner_path(owner)
    if TerraformStack.of(service) is owner.node.scope:
        fix = f"pass route_log_groups=<the RouteLogGroups '{owner.node.id}'> to this service"
    else:
        fix = (
            f"pass route_log_groups={{name: group for name, group in <{by.rsplit('/', 1)[-1]} service>"
            f".route_log_groups.items() if name in {names!r}}}, or share one RouteLogGroups"
        )
    raise ConfigError(
        where,
        "route_log_groups",
        sorted(given),
        f"every group another service of the stack creates ({', '.join(names)} by '{by}') passed in, "
        "not created a second time",
        fix,
    )


def _owner_path(owner: RouteLogGroups) -> str:
    """Who created ``owner``: the service or task definition it belongs to (hidden "Default" ids skipped)."""
    scope = owner.node.scope
    if scope is None or isinstance(scope, TerraformStack):
        return owner.node.path
    while scope.node.id == "Default" and scope.node.scope is not None:
        scope = scope.node.scope
    return scope.node.path

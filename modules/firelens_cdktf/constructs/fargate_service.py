"""FirelensFargateService: an ECS Fargate service that runs a FirelensTaskDefinition."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cdktf import Fn, Token
from cdktf_cdktf_provider_aws.data_aws_ecs_cluster import DataAwsEcsCluster
from cdktf_cdktf_provider_aws.ecs_cluster import EcsCluster, EcsClusterSetting
from cdktf_cdktf_provider_aws.ecs_service import (
    EcsService,
    EcsServiceLoadBalancer,
    EcsServiceNetworkConfiguration,
)
from cdktf_cdktf_provider_aws.security_group import SecurityGroup, SecurityGroupEgress

from constructs import Construct
from firelens_cdktf.constructs import _task_checks as checks
from firelens_cdktf.constructs._synth_time import add_check, lazy_string, lazy_value
from firelens_cdktf.constructs._validation import is_token, where_of
from firelens_cdktf.constructs.alarms import RouterLogLossAlarm
from firelens_cdktf.constructs.network import PublicNetwork, default_availability_zones
from firelens_cdktf.constructs.service_props import ClusterRef, LoadBalancerTarget, NetworkPlacement, RouterAlarms
from firelens_cdktf.constructs.task_definition import FirelensTaskDefinition
from firelens_cdktf.errors import ConfigError

#: ECS platform version: "LATEST" (1.4.0 today), which log-driver-buffer-limit needs (1.4.0 or later).
PLATFORM_VERSION = "LATEST"
#: Security group descriptions: at most 255 characters.
#: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html
_DESCRIPTION_MAX = 255


class FirelensFargateService(Construct):
    """Runs a :class:`FirelensTaskDefinition` on Fargate: the service, its security group, its cluster.

    The security group opens a port only when asked: an app container's
    ``port`` to ``network.ingress_cidr`` (the article's), a ``PortMapping``
    to its own ``ingress_cidr``, and a port a load balancer targets to that
    load balancer's security group only. Egress goes to ``network.egress_ports``.
    The ports are read from the task definition at synth, so containers added
    after the service count.

    Args:
        scope: Parent construct.
        id_: Construct id.
        task_definition: What the service runs.
        name: The service's name (1-32 letters, digits, '-' or '_', starting
            with a letter). Default: the task definition's family.
        cluster: The cluster to run in: an ``EcsCluster`` of the stack, or an
            existing one by :meth:`ClusterRef.from_name` or
            :meth:`ClusterRef.from_arn`. Default: one is created.
        cluster_name: The created cluster's name. Default: the service's name.
        container_insights: Container Insights on a created cluster (adds
            paid custom metrics). Default: ``False`` (the article's).
        desired_count: Tasks to keep running. Default: 1 (the article's).
        network: Subnets, public IP, ingress for ``port`` and egress. Default:
            :meth:`NetworkPlacement.created`, a small public VPC is created.
        load_balancers: Target groups to register container ports with.
            Default: none (the article's: the tasks' public IPs).
        health_check_grace_period_seconds: How long ECS ignores failing load
            balancer health checks of a new task. Default: ECS's (0); only
            with load balancers.
        alarms: The alarm on the router's lost logs, or ``None`` for none.
            Default: :class:`RouterAlarms` with no topic.

    Attributes:
        service (the ``aws_ecs_service``), security_group, task_definition,
        cluster (the ``EcsCluster`` created or given, ``None`` for a
        :class:`ClusterRef`), cluster_arn, cluster_name, network (the created
        :class:`PublicNetwork` or ``None``), alarms, name.

    Raises:
        ConfigError: an argument AWS would reject, or one that contradicts the task.

    Example::

        FirelensFargateService(stack, "api", task_definition=task, cluster=ClusterRef.from_name("payments"),
                               network=NetworkPlacement.existing(vpc_id=vpc_id, subnet_ids=subnets),
                               load_balancers=(LoadBalancerTarget(target_group.arn, "web", 8080, alb_group.id),))
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        task_definition: FirelensTaskDefinition,
        name: str | None = None,
        cluster: EcsCluster | ClusterRef | None = None,
        cluster_name: str | None = None,
        container_insights: bool = False,
        desired_count: int = 1,
        network: NetworkPlacement = NetworkPlacement(),
        load_balancers: Sequence[LoadBalancerTarget] = (),
        health_check_grace_period_seconds: int | None = None,
        alarms: RouterAlarms | None = RouterAlarms(),
    ) -> None:
        super().__init__(scope, id_)
        self._where = where = where_of(self)
        name = name if name is not None else task_definition.family
        self.name, self.task_definition = name, task_definition
        self.load_balancers = tuple(load_balancers)
        self._network_settings = network
        checks.check_service_name(where, name)
        checks.check_desired_count(where, desired_count)
        region = task_definition.routing.routing.region
        checks.check_network(where, region, network)
        checks.check_cluster(where, cluster, cluster_name, container_insights)
        checks.check_grace_period(where, health_check_grace_period_seconds, self.load_balancers)

        self.network: PublicNetwork | None = None
        subnet_ids, vpc_id = network.subnet_ids, network.vpc_id
        if subnet_ids is None:
            self.network = PublicNetwork(
                self, "network", availability_zones=network.availability_zones or default_availability_zones(region)
            )
            subnet_ids, vpc_id = tuple(self.network.subnet_ids), self.network.vpc.id
        egress = ", ".join(str(p) for p in network.egress_ports) or "none"
        self.security_group = SecurityGroup(
            self,
            "security-group",
            name_prefix=f"{name[:20]}-",
            description=lazy_string(lambda: self._description(egress)),
            vpc_id=vpc_id,
            ingress=lazy_value(self._ingress),
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

        self.cluster: EcsCluster | None
        if isinstance(cluster, ClusterRef):
            self.cluster = None
            if cluster.arn is not None:
                self.cluster_arn = cluster.arn
                self.cluster_name = (
                    Fn.element(Fn.split("/", cluster.arn), 1)
                    if is_token(cluster.arn)
                    else cluster.arn.rsplit("/", 1)[1]
                )
            else:
                assert cluster.name is not None
                found = DataAwsEcsCluster(self, "cluster", cluster_name=cluster.name)
                self.cluster_arn, self.cluster_name = found.arn, cluster.name
        else:
            self.cluster = cluster or EcsCluster(
                self,
                "cluster",
                name=cluster_name or name,
                setting=[
                    EcsClusterSetting(name="containerInsights", value="enabled" if container_insights else "disabled")
                ],
            )
            self.cluster_arn, self.cluster_name = self.cluster.arn, self.cluster.name

        service_options: dict[str, Any] = {}
        if self.load_balancers:
            service_options["load_balancer"] = [
                EcsServiceLoadBalancer(
                    target_group_arn=t.target_group_arn,
                    container_name=t.container_name,
                    container_port=t.container_port,
                )
                for t in self.load_balancers
            ]
        if health_check_grace_period_seconds is not None:
            service_options["health_check_grace_period_seconds"] = health_check_grace_period_seconds
        self.service = EcsService(
            self,
            "service",
            name=name,
            cluster=self.cluster_arn,
            task_definition=task_definition.arn,
            desired_count=desired_count,
            launch_type="FARGATE",
            platform_version=PLATFORM_VERSION,
            network_configuration=EcsServiceNetworkConfiguration(
                subnets=list(subnet_ids),
                security_groups=[self.security_group.id],
                assign_public_ip=network.assign_public_ip,
            ),
            **service_options,
        )
        self.alarms = (
            RouterLogLossAlarm(
                self,
                "alarms",
                service_name=name,
                log_group_name=task_definition.router_log_group.name,
                topic_arn=alarms.topic_arn,
            )
            if alarms is not None
            else None
        )
        add_check(self, self._problems_at_synth)

    # --- the security group, worked out from the task's containers at synth -------------------------

    def _rules(self) -> list[tuple[str, int, str, str, str | None]]:
        """(kind, port, protocol, description, cidr) per opened port; kind ``cidr``, ``app`` or ``load-balancer``."""
        targeted = {(t.container_name, t.container_port) for t in self.load_balancers}
        cidr = self._network_settings.ingress_cidr
        rules: list[tuple[str, int, str, str, str | None]] = []
        app_ports = sorted(
            {c.port for c in self.task_definition.containers if c.port is not None and (c.name, c.port) not in targeted}
        )
        rules += [("app", port, "tcp", "app port", cidr) for port in app_ports]
        for container in self.task_definition.containers:
            for mapping in container.port_mappings:
                if mapping.ingress_cidr is not None and (container.name, mapping.container_port) not in targeted:
                    rules.append(
                        (
                            "cidr",
                            mapping.container_port,
                            mapping.protocol.value,
                            f"{container.name} port {mapping.container_port}",
                            mapping.ingress_cidr,
                        )
                    )
        return rules

    def _ingress(self) -> list[dict[str, Any]]:
        def rule(
            description: str, port: int, protocol: str, cidrs: list[str] | None, groups: list[str] | None
        ) -> dict[str, Any]:
            # Every attribute of the block, unset ones as an explicit null, as the binding renders a
            # SecurityGroupIngress (Terraform wants them all); a lazy value would drop a bare None.
            return {
                "cidr_blocks": cidrs if cidrs is not None else Token.null_value(),
                "description": description,
                "from_port": port,
                "ipv6_cidr_blocks": Token.null_value(),
                "prefix_list_ids": Token.null_value(),
                "protocol": protocol,
                "security_groups": groups if groups is not None else Token.null_value(),
                "self": Token.null_value(),
                "to_port": port,
            }

        out = [
            rule(description, port, protocol, [cidr] if cidr else None, None)
            for _, port, protocol, description, cidr in self._rules()
        ]
        out += [
            rule(
                f"load balancer to {t.container_name}:{t.container_port}",
                t.container_port,
                "tcp",
                None,
                [t.security_group_id],
            )
            for t in self.load_balancers
        ]
        return out

    def _description(self, egress: str) -> str:
        rules = self._rules()
        app_ports = [port for kind, port, *_ in rules if kind == "app"]
        cidr = self._network_settings.ingress_cidr
        parts = []
        if app_ports:
            parts.append(
                f"the app port from {cidr}"
                if len(app_ports) == 1
                else f"the app ports {', '.join(map(str, app_ports))} from {cidr}"
            )
        parts += [f"{description} from {rule_cidr}" for kind, _, _, description, rule_cidr in rules if kind == "cidr"]
        if self.load_balancers:
            ports = sorted({t.container_port for t in self.load_balancers})
            parts.append(f"port{'s' if len(ports) > 1 else ''} {', '.join(map(str, ports))} from the load balancer")
        inbound = "; ".join(parts) or "no inbound traffic"
        return f"{self.name}: {inbound}; egress to TCP {egress} (AWS APIs, ECR)"[:_DESCRIPTION_MAX]

    def _problems_at_synth(self) -> list[str]:
        return [
            str(ConfigError(self._where, field, value, allowed, fix))
            for field, value, allowed, fix in checks.load_balancer_problems(
                self.load_balancers, self.task_definition.containers
            )
        ]

"""The value objects of a FireLens task's log router and of the service that runs it (no CDKTF).

Each groups the options that belong together and checks them once, where it
is built, with an error that names the field, the value, what is allowed and
the fix: :class:`LogRouter` (the ``log_router`` container),
:class:`NetworkPlacement` (subnets and security group), :class:`ClusterRef`
(an existing cluster), :class:`LoadBalancerTarget` (a target group the
service registers with) and :class:`RouterAlarms` (the alarm on lost logs).
The containers' own values are in :mod:`.container_props`. Checks that need
the routes too (the config's ``Grace`` against the stop timeout, the ports
the router holds) run in the task definition, also once.
"""

from __future__ import annotations

import enum
import math
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from firelens_cdktf import limits as _limits
from firelens_cdktf.constructs._validation import (
    check_cidr,
    check_exactly_one,
    check_pattern,
    check_pinned_image,
    check_range,
    check_topic_arn,
    is_token,
)
from firelens_cdktf.constructs.container_props import (
    LOG_ROUTER_NAME,
    ContainerImageRef,
    DependencyCondition,
    HealthCheck,
    check_port,
)
from firelens_cdktf.constructs.init_config import init_s3_environment
from firelens_cdktf.errors import ConfigError
from firelens_cdktf.fluentbit.image import FLUENT_BIT_INIT_IMAGE

__all__ = [
    "DEFAULT_LOG_DRIVER_BUFFER_LIMIT",
    "DEFAULT_ROUTER_MEMORY_RESERVATION_MIB",
    "DEFAULT_ROUTER_STOP_TIMEOUT_SECONDS",
    "EXTRA_CONFIG_PATH",
    "LOG_ROUTER_NAME",
    "ClusterRef",
    "LoadBalancerTarget",
    "LogRouter",
    "NetworkPlacement",
    "RouterAlarms",
    "RouterConfigObjects",
    "RouterHealthCheck",
]

#: Where the init image expects the extra config (the article's).
EXTRA_CONFIG_PATH = "/fluent-bit/etc/extra.conf"

#: The router's soft memory limit (MiB). AWS's OOM-prevention guide bounds
#: Fluent Bit at about twice the sum of its inputs' ``Mem_Buf_Limit`` and gives
#: a 50 MB limit a reservation of "AT LEAST 100MB". extra.conf cannot reach
#: the forward input FireLens generates, but since late 2024 the ECS agent
#: sets that input's ``Mem_Buf_Limit`` to half the router's memoryReservation
#: (aws/amazon-ecs-agent PR #4405), so 100 MiB yields that same 50 MB bound.
#: https://github.com/aws-samples/amazon-ecs-firelens-examples/tree/mainline/examples/fluent-bit/oomkill-prevention
#: https://github.com/aws/amazon-ecs-agent/pull/4405
DEFAULT_ROUTER_MEMORY_RESERVATION_MIB = 100
#: The router's stopTimeout (s): Fargate's maximum, so Fluent Bit's ``Grace``
#: drain is never cut short by SIGKILL (Fargate's default is only 30 s, the
#: article's Grace). ECS stops the router after the app, so a long timeout
#: delays only a task whose outputs are still failing.
#: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html (stopTimeout)
DEFAULT_ROUTER_STOP_TIMEOUT_SECONDS = _limits.FARGATE_MAX_STOP_TIMEOUT
#: ``log-driver-buffer-limit`` of the app's awsfirelens log configuration
#: (log lines the Docker log driver holds while the router is busy). Docker's
#: own default, 1,048,576 lines, is about 2 GiB at AWS's 2 KiB-per-line sizing
#: example: more than a Fargate task has, so a stalled router would get the
#: task OOM-killed. 8192 lines bound it to about 16 MiB.
#: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/firelens-docker-buffer-limit.html
DEFAULT_LOG_DRIVER_BUFFER_LIMIT = 8192


class RouterHealthCheck(enum.StrEnum):
    """Which Fluent Bit HTTP endpoint the log router's container health check queries.

    AWS's FireLens health-check guidance recommends the shallow uptime check:
    the deep ``/api/v1/health`` turns unhealthy when outputs fail, so an
    outage of the log destination would make ECS replace every task at once,
    losing the logs their routers still buffer.
    https://github.com/aws-samples/amazon-ecs-firelens-examples/tree/mainline/examples/fluent-bit/health-check
    """

    #: ``/api/v1/uptime``: Fluent Bit runs and answers.
    UPTIME = "/api/v1/uptime"
    #: ``/api/v1/health``: also fails after too many output errors or
    #: exhausted retries (``Health_Check On``, thresholds in ``[SERVICE]``).
    OUTPUT_HEALTH = "/api/v1/health"

    def command(self, port: int) -> tuple[str, ...]:
        """The ECS health-check command: AWS's example, ``curl -f`` on loopback."""
        return ("CMD-SHELL", f"curl -f http://127.0.0.1:{port}{self.value} || exit 1")


#: An S3 bucket ARN in any partition (aws, aws-cn, aws-us-gov).
_S3_BUCKET_ARN = re.compile(r"^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


@dataclass(frozen=True)
class RouterConfigObjects:
    """Where AWS's init image downloads the log router's config from: objects of one S3 bucket.

    Made by :class:`~firelens_cdktf.constructs.RouterConfigInS3` (its
    ``objects``), which uploads the compiled files; give it to
    :meth:`LogRouter.from_s3`. The task definition then names each object in
    an ``aws_fluent_bit_init_s3_<n>`` variable of the log router and grants
    its task role ``s3:GetObject`` on exactly these objects and
    ``s3:GetBucketLocation`` on their bucket (what the init process calls).

    Args:
        bucket_arn: The bucket's ARN (a token of the stack is fine).
        keys: The objects' keys, each with its own file name: the init process
            keeps only the basename, so two equal ones would overwrite each other.
        routing_tag: The content tag of the files the objects hold; when given,
            the task definition checks it against its own routing, so the task
            never runs another routing's config. Default: no check.

    Raises:
        ConfigError: no keys, a key that is empty or starts with ``/``, two
            keys with one file name, or a malformed bucket ARN.
    """

    bucket_arn: str
    keys: tuple[str, ...]
    routing_tag: str | None = None

    def __post_init__(self) -> None:
        where = "RouterConfigObjects"
        check_pattern(
            where,
            "bucket_arn",
            self.bucket_arn,
            _S3_BUCKET_ARN,
            "an S3 bucket ARN, arn:aws:s3:::<bucket>",
            "pass the bucket's arn attribute",
        )
        if not self.keys:
            raise ConfigError(where, "keys", self.keys, "at least one object key", "name the config's objects")
        names: dict[str, str] = {}
        for key in self.keys:
            if is_token(key):
                continue
            if not key or key.startswith("/") or key.endswith("/"):
                raise ConfigError(
                    where, "keys", key, "an object key such as team/0123456789abcdef/extra.conf", "drop the '/'"
                )
            name = PurePosixPath(key).name
            if name in names:
                raise ConfigError(
                    where,
                    "keys",
                    (names[name], key),
                    "keys with distinct file names (the init process keeps only the basename)",
                    "rename one of the files",
                )
            names[name] = key

    @property
    def object_arns(self) -> tuple[str, ...]:
        """``<bucket arn>/<key>`` of each object, in order."""
        return tuple(f"{self.bucket_arn}/{key}" for key in self.keys)

    @property
    def environment(self) -> dict[str, str]:
        """The log router's variables the init process reads: ``aws_fluent_bit_init_s3_<n>`` -> object ARN."""
        return init_s3_environment(self.object_arns)


@dataclass(frozen=True)
class LogRouter:
    """The ``log_router`` container; the defaults follow AWS's guidance against losing logs.

    Args:
        image: The Fluent Bit image carrying the routing's files (FROM the
            aws-for-fluent-bit init image). Must be pinned: a tag other than
            ``latest``/``stable``, or a digest, so a redeploy never runs a different Fluent Bit.
        config_file: The config FireLens includes; a file in the image
            (Fargate cannot read config files from S3). Default: ``/fluent-bit/etc/extra.conf``.
            Not with ``config_from_s3``.
        memory_reservation_mib: The router's memoryReservation; the ECS agent
            bounds FireLens's forward input at half of it (AWS's OOM-prevention
            guide). Its worst case, 2 x (half of it + the routes' emitter
            buffers), plus the log-driver buffer, must fit in the task's memory. Default: 100.
        stop_timeout_seconds: How long ECS waits after SIGTERM before killing
            the router: at least the config's ``Grace``, at most 120 (Fargate). Default: 120.
        health_check: The endpoint the router's container health check
            queries; the app containers wait until it is HEALTHY. ``None`` for
            no health check (they wait for START). Default:
            :attr:`RouterHealthCheck.UPTIME`, AWS's recommendation.
        log_driver_buffer_limit: ``log-driver-buffer-limit`` of each app
            container's awsfirelens log configuration, in log lines (0 to
            536870911). Default: 8192 (about 16 MiB at 2 KiB a line).
        cpu: CPU units (1,024 a vCPU) reserved for the router container. Default:
            none, it shares the task's CPU with the app containers.
        log_mb_per_second: The most stdout the task's app containers write, in MB/s.
            When given, the task warns at synth (and lists in ``warnings``) where the
            router has less CPU or memory than the sizing rule gives for it
            (:func:`firelens_cdktf.lint.sizing.router_size`). Default: none, no check.
        config_from_s3: The S3 objects the init image downloads the config
            from, instead of a file in the image (see :meth:`from_s3`). Default:
            none, the config is ``config_file`` in ``image``.

    Raises:
        ConfigError: the image is not pinned, the config file is not a path in
            the image (or is given with ``config_from_s3``), or a number is
            outside what ECS accepts.
    """

    image: ContainerImageRef
    config_file: str = EXTRA_CONFIG_PATH
    memory_reservation_mib: int = DEFAULT_ROUTER_MEMORY_RESERVATION_MIB
    stop_timeout_seconds: int = DEFAULT_ROUTER_STOP_TIMEOUT_SECONDS
    health_check: RouterHealthCheck | None = RouterHealthCheck.UPTIME
    log_driver_buffer_limit: int = DEFAULT_LOG_DRIVER_BUFFER_LIMIT
    cpu: int | None = None
    log_mb_per_second: float | None = None
    config_from_s3: RouterConfigObjects | None = None

    def __post_init__(self) -> None:
        where = "LogRouter"
        if self.config_from_s3 is not None and self.config_file != EXTRA_CONFIG_PATH:
            raise ConfigError(
                where,
                "config_file",
                self.config_file,
                "no config file with config_from_s3 (the init image includes the S3 objects itself)",
                "drop config_file=, or drop config_from_s3= to read the file from the image",
            )
        if self.cpu is not None:
            check_range(where, "cpu", self.cpu, _limits.CONTAINER_CPU_RANGE, "reserve up to the task's CPU units")
        if self.log_mb_per_second is not None and not (
            isinstance(self.log_mb_per_second, int | float)
            and math.isfinite(self.log_mb_per_second)
            and self.log_mb_per_second > 0
        ):
            raise ConfigError(
                where,
                "log_mb_per_second",
                self.log_mb_per_second,
                "a positive number of MB/s: the most stdout the task's app containers write",
                "give e.g. log_mb_per_second=0.5, or leave it out to skip the sizing check",
            )
        check_pinned_image(where, "image", self.image.uri)
        if self.config_file.startswith(("s3://", "arn:")) or ":s3:::" in self.config_file:
            raise ConfigError(
                where,
                "config_file",
                self.config_file,
                "a file path inside the log router image (config-file-type file)",
                "Fargate does not support S3 config files; bake the file into the image "
                "(docker/firelens) and pass its path, e.g. /fluent-bit/etc/extra.conf, or let the init image "
                "fetch it: LogRouter.from_s3(RouterConfigInS3(...).objects)",
            )
        if not self.config_file.startswith("/"):
            raise ConfigError(
                where,
                "config_file",
                self.config_file,
                "an absolute path inside the image",
                "write it like /fluent-bit/etc/extra.conf",
            )
        check_range(
            where,
            "stop_timeout_seconds",
            self.stop_timeout_seconds,
            (2, _limits.FARGATE_MAX_STOP_TIMEOUT),
            f"use at most {_limits.FARGATE_MAX_STOP_TIMEOUT} s, Fargate's maximum stopTimeout",
        )
        check_range(
            where,
            "memory_reservation_mib",
            self.memory_reservation_mib,
            (6, 120 * 1024),
            f"reserve at least 6 MiB (Docker's minimum), e.g. {DEFAULT_ROUTER_MEMORY_RESERVATION_MIB}",
        )
        check_range(
            where,
            "log_driver_buffer_limit",
            self.log_driver_buffer_limit,
            _limits.LOG_DRIVER_BUFFER_LIMIT_RANGE,
            f"use e.g. {DEFAULT_LOG_DRIVER_BUFFER_LIMIT} log lines",
        )

    @classmethod
    def from_s3(
        cls,
        objects: RouterConfigObjects,
        *,
        image: ContainerImageRef | None = None,
        memory_reservation_mib: int = DEFAULT_ROUTER_MEMORY_RESERVATION_MIB,
        stop_timeout_seconds: int = DEFAULT_ROUTER_STOP_TIMEOUT_SECONDS,
        health_check: RouterHealthCheck | None = RouterHealthCheck.UPTIME,
        log_driver_buffer_limit: int = DEFAULT_LOG_DRIVER_BUFFER_LIMIT,
        cpu: int | None = None,
        log_mb_per_second: float | None = None,
    ) -> LogRouter:
        """A log router that runs AWS's stock init image and downloads its config from S3: no image to build.

        ``objects`` is :attr:`RouterConfigInS3.objects <firelens_cdktf.constructs.RouterConfigInS3>`.
        FireLens then includes no config file (``config-file-type``/``-value``
        are left out), the image's own command runs (the init process), and
        the task role may read exactly these objects. The other arguments are
        those of :class:`LogRouter`, with the same defaults.

        Args:
            objects: The S3 objects holding the compiled files.
            image: An init image. Default: the pinned stock one,
                ``public.ecr.aws/aws-observability/aws-for-fluent-bit:init-3.2.1``.

        Example::

            config = RouterConfigInS3(stack, "router-config", routing=compiled,
                                      bucket_name="my-org-payments-router", key_prefix="payments-api")
            router = LogRouter.from_s3(config.objects)
        """
        return cls(
            image=image or ContainerImageRef.from_registry(FLUENT_BIT_INIT_IMAGE),
            memory_reservation_mib=memory_reservation_mib,
            stop_timeout_seconds=stop_timeout_seconds,
            health_check=health_check,
            log_driver_buffer_limit=log_driver_buffer_limit,
            cpu=cpu,
            log_mb_per_second=log_mb_per_second,
            config_from_s3=objects,
        )

    @property
    def start_condition(self) -> DependencyCondition:
        """What the app containers wait for: HEALTHY when the router has a health check, else START."""
        return DependencyCondition.HEALTHY if self.health_check else DependencyCondition.START

    def health_check_definition(self, http_port: int) -> HealthCheck | None:
        """The container health check on Fluent Bit's HTTP server at ``http_port``: AWS's FireLens
        example timings (10 s interval, 5 s timeout, 2 retries, 30 s start period)."""
        if self.health_check is None:
            return None
        return HealthCheck(
            command=self.health_check.command(http_port),
            interval_seconds=10,
            timeout_seconds=5,
            retries=2,
            start_period_seconds=30,
        )


@dataclass(frozen=True)
class NetworkPlacement:
    """Where the service's tasks run and what may reach them.

    Two presets: :meth:`created` (the default: a small public VPC is created
    for the service) and :meth:`existing` (your subnets).

    Args:
        subnet_ids: Subnets for the tasks. Default: ``None``, a
            :class:`~firelens_cdktf.constructs.PublicNetwork` is created.
        vpc_id: The subnets' VPC; required with ``subnet_ids``.
        availability_zones: Zones of the created network. Default: ``<region>a``
            and ``<region>c``. Only with a created network.
        assign_public_ip: Give tasks a public IP. Default: ``True`` (no load
            balancer, as in the article).
        ingress_cidr: Who may reach each app container's ``port`` (the
            article's one port; ``PortMapping`` says for itself). Default: ``0.0.0.0/0``.
        egress_ports: TCP ports the tasks may call out to, anywhere. Default:
            443 only: ECR, CloudWatch Logs, Firehose and S3 are all HTTPS, and
            the VPC's DNS resolver is not filtered by security groups.

    Raises:
        ConfigError: subnets without a VPC (or the reverse), zones with your
            own subnets, a port outside 1-65535, or a malformed CIDR block.
    """

    subnet_ids: tuple[str, ...] | None = None
    vpc_id: str | None = None
    availability_zones: tuple[str, ...] | None = None
    assign_public_ip: bool = True
    ingress_cidr: str = "0.0.0.0/0"
    egress_ports: tuple[int, ...] = (443,)

    def __post_init__(self) -> None:
        where = "NetworkPlacement"
        if (self.subnet_ids is None) != (self.vpc_id is None):
            raise ConfigError(
                where,
                "subnet_ids/vpc_id",
                (self.subnet_ids, self.vpc_id),
                "both or neither",
                "pass vpc_id= with subnet_ids=, or neither to create a small VPC",
            )
        if self.subnet_ids is not None and not self.subnet_ids:
            raise ConfigError(
                where,
                "subnet_ids",
                self.subnet_ids,
                "at least one subnet",
                "pass subnets, or leave subnet_ids unset to create a small VPC",
            )
        if self.subnet_ids is not None and self.availability_zones is not None:
            raise ConfigError(
                where,
                "availability_zones",
                self.availability_zones,
                "zones only for a created network (your subnets already have theirs)",
                "drop availability_zones, or drop subnet_ids and vpc_id",
            )
        for port in self.egress_ports:
            check_range(where, "egress_ports", port, _limits.PORT_RANGE, "list TCP ports such as 443")
        check_cidr(where, "ingress_cidr", self.ingress_cidr)

    @classmethod
    def created(
        cls,
        *,
        availability_zones: tuple[str, ...] | None = None,
        assign_public_ip: bool = True,
        ingress_cidr: str = "0.0.0.0/0",
        egress_ports: tuple[int, ...] = (443,),
    ) -> NetworkPlacement:
        """A small public VPC created for the service (the article's setup)."""
        return cls(
            availability_zones=availability_zones,
            assign_public_ip=assign_public_ip,
            ingress_cidr=ingress_cidr,
            egress_ports=egress_ports,
        )

    @classmethod
    def existing(
        cls,
        *,
        vpc_id: str,
        subnet_ids: tuple[str, ...],
        assign_public_ip: bool = True,
        ingress_cidr: str = "0.0.0.0/0",
        egress_ports: tuple[int, ...] = (443,),
    ) -> NetworkPlacement:
        """Your own subnets, e.g. a shared ``PublicNetwork``'s ``subnet_ids`` and ``vpc.id``."""
        return cls(
            subnet_ids=tuple(subnet_ids),
            vpc_id=vpc_id,
            assign_public_ip=assign_public_ip,
            ingress_cidr=ingress_cidr,
            egress_ports=egress_ports,
        )


@dataclass(frozen=True)
class RouterAlarms:
    """The alarm on log lines the router lost (:class:`~firelens_cdktf.constructs.RouterLogLossAlarm`).

    Args:
        topic_arn: Standard SNS topic the alarm notifies. Default: none (the
            alarm is visible in the console only).

    Raises:
        ConfigError: ``topic_arn`` is not a standard SNS topic ARN.
    """

    topic_arn: str | None = None

    def __post_init__(self) -> None:
        check_topic_arn("RouterAlarms", self.topic_arn, "topic_arn")


@dataclass(frozen=True)
class ClusterRef:
    """An ECS cluster that exists already, by name or ARN: the service runs in it and creates none.

    Example::

        FirelensFargateService(stack, "api", task_definition=task, cluster=ClusterRef.from_name("payments"))

    Raises:
        ConfigError: a name or ARN ECS would not accept.
    """

    name: str | None = None
    arn: str | None = None

    def __post_init__(self) -> None:
        where = "ClusterRef"
        check_exactly_one(
            where, {"name": self.name, "arn": self.arn}, "use ClusterRef.from_name(...) or ClusterRef.from_arn(...)"
        )
        if self.name is not None:
            check_pattern(
                where, "name", self.name, _limits.ECS_CLUSTER_NAME, "1-255 letters, digits, '-' or '_'", "fix the name"
            )
        if self.arn is not None:
            check_pattern(
                where,
                "arn",
                self.arn,
                _limits.ECS_CLUSTER_ARN,
                "an ECS cluster ARN, arn:aws:ecs:<region>:<account>:cluster/<name>",
                "pass the cluster's ARN, or use ClusterRef.from_name",
            )

    @classmethod
    def from_name(cls, name: str) -> ClusterRef:
        """A cluster of the stack's account and region, by name; looked up when Terraform plans."""
        return cls(name=name)

    @classmethod
    def from_arn(cls, arn: str) -> ClusterRef:
        """A cluster by ARN (any account the service may use)."""
        return cls(arn=arn)


@dataclass(frozen=True)
class LoadBalancerTarget:
    """A target group the service registers one container port of its tasks with.

    Args:
        target_group_arn: The target group (target type ``ip``, as Fargate needs).
        container_name: An app container of the task.
        container_port: One of its mapped ports.
        security_group_id: The load balancer's security group: the service's
            security group lets it, and only it, reach ``container_port``.

    Raises:
        ConfigError: an ARN, port or group id AWS would not accept.
    """

    target_group_arn: str
    container_name: str
    container_port: int
    security_group_id: str

    def __post_init__(self) -> None:
        where = f"LoadBalancerTarget({self.container_name!r}, {self.container_port!r})"
        check_pattern(
            where,
            "target_group_arn",
            self.target_group_arn,
            _limits.TARGET_GROUP_ARN,
            "a target group ARN, arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<id>",
            "pass aws_lb_target_group.arn",
        )
        check_pattern(
            where,
            "container_name",
            self.container_name,
            _limits.CONTAINER_NAME,
            "1-255 letters, digits, '-' or '_'",
            "name an app container of the task",
        )
        check_port(where, "container_port", self.container_port)
        check_pattern(
            where,
            "security_group_id",
            self.security_group_id,
            _limits.SECURITY_GROUP_ID,
            "a security group id such as sg-0123456789abcdef0",
            "pass the load balancer's aws_security_group.id",
        )

"""The value objects a :class:`~firelens_cdktf.constructs.FirelensService` is built from (no CDKTF).

Each groups the options that belong together and checks them once, where it
is built, with an error that names the field, the value, what is allowed and
the fix: :class:`AppContainer` (one app container and its image, port and
environment), :class:`LogRouter` (the ``log_router`` container),
:class:`NetworkPlacement` (subnets and security group), :class:`RouterAlarms`
(the alarm on lost logs), plus :class:`Sidecar`, :class:`HealthCheck` and
:class:`ContainerImageRef`. Checks that need the routes too (the config's
``Grace`` against the stop timeout, the ports the router holds) run in the
service, also once.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from firelens_cdktf import limits as _limits
from firelens_cdktf.constructs._validation import (
    check_pattern,
    check_pinned_image,
    check_range,
    check_topic_arn,
    is_token,
)
from firelens_cdktf.errors import ConfigError

#: Name of the log router container (the article's).
LOG_ROUTER_NAME = "log_router"
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


class DependencyCondition(enum.StrEnum):
    """When a container may start relative to one it depends on (ECS ``dependsOn``)."""

    START = "START"
    HEALTHY = "HEALTHY"
    COMPLETE = "COMPLETE"
    SUCCESS = "SUCCESS"


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


@dataclass(frozen=True)
class ContainerImageRef:
    """An image a container runs, and the ECR repository it is pulled from, if any.

    Args:
        uri: Full image reference (``registry/repo:tag``).
        ecr_repository_arn: The ECR repository's ARN when the image lives in
            ECR; the execution role gets pull rights on exactly it. Default:
            ``None`` (a public registry: no permissions needed).
    """

    uri: str
    ecr_repository_arn: str | None = None

    @classmethod
    def from_registry(cls, uri: str) -> ContainerImageRef:
        """An image from a public registry, e.g. ``public.ecr.aws/docker/library/postgres:16``."""
        return cls(uri=uri)


@dataclass(frozen=True)
class HealthCheck:
    """A container health check (ECS ``healthCheck``); ranges from the ECS API reference.

    Args:
        command: e.g. ``("CMD-SHELL", "pg_isready -U postgres")``.
        interval_seconds: Default 10 (5-300).
        timeout_seconds: Default 5 (2-60).
        retries: Default 5 (1-10).
        start_period_seconds: Default 10 (0-300).
    """

    command: tuple[str, ...]
    interval_seconds: int = 10
    timeout_seconds: int = 5
    retries: int = 5
    start_period_seconds: int = 10

    def __post_init__(self) -> None:
        where = "HealthCheck"
        if not self.command or self.command[0] not in ("CMD", "CMD-SHELL"):
            raise ConfigError(
                where,
                "command",
                self.command,
                "a tuple starting with 'CMD' or 'CMD-SHELL'",
                "write e.g. ('CMD-SHELL', 'pg_isready -U postgres')",
            )
        check_range(where, "interval_seconds", self.interval_seconds, (5, 300), "use 5 to 300 seconds")
        check_range(where, "timeout_seconds", self.timeout_seconds, (2, 60), "use 2 to 60 seconds")
        check_range(where, "retries", self.retries, (1, 10), "use 1 to 10 retries")
        check_range(where, "start_period_seconds", self.start_period_seconds, (0, 300), "use 0 to 300 seconds")

    def to_dict(self) -> dict[str, Any]:
        return {
            "command": list(self.command),
            "interval": self.interval_seconds,
            "timeout": self.timeout_seconds,
            "retries": self.retries,
            "startPeriod": self.start_period_seconds,
        }


@dataclass(frozen=True)
class Sidecar:
    """A helper container in the app's task, logging to CloudWatch with awslogs.

    Args:
        name: Container name (the app reaches it at 127.0.0.1: Fargate
            containers of a task share localhost).
        image: What it runs.
        environment: Environment variables. Default: none.
        health_check: Default: none; with one, the app waits until it is HEALTHY.
        essential: Whether the task stops when it stops. Default: ``True``.

    Example: :meth:`postgres`.
    """

    name: str
    image: ContainerImageRef
    environment: Mapping[str, str] = field(default_factory=dict)
    health_check: HealthCheck | None = None
    essential: bool = True

    def __post_init__(self) -> None:
        check_pattern(
            "Sidecar",
            "name",
            self.name,
            _limits.CONTAINER_NAME,
            "1-255 letters, digits, '-' or '_'",
            "rename the sidecar",
        )
        if self.name == LOG_ROUTER_NAME:
            raise ConfigError(
                "Sidecar",
                "name",
                self.name,
                f"any name but {LOG_ROUTER_NAME!r}",
                "the log router container is added by FirelensService; rename the sidecar",
            )

    @classmethod
    def postgres(cls, image: ContainerImageRef, *, name: str = "db", database: str = "app") -> Sidecar:
        """The article's demo database: postgres, healthy once ``pg_isready`` answers.

        Authentication is ``trust``: the database listens only inside the task
        (no port mapping, so nothing outside the task reaches it). Demo only.
        """
        return cls(
            name=name,
            image=image,
            environment={"POSTGRES_DB": database, "POSTGRES_HOST_AUTH_METHOD": "trust"},
            health_check=HealthCheck(command=("CMD-SHELL", f"pg_isready -U postgres -d {database}")),
        )

    @property
    def start_condition(self) -> DependencyCondition:
        """What the app waits for: HEALTHY when there is a health check, else START."""
        return DependencyCondition.HEALTHY if self.health_check else DependencyCondition.START


@dataclass(frozen=True)
class AppContainer:
    """One app container of a FireLens task: its stdout goes to the log router.

    Its logs are routed by the ``AppLogRouting`` of the same ``name`` in the
    service's routing: FireLens tags its records ``<name>-firelens-<task id>``.

    Args:
        name: Container name in the task definition; must equal an
            ``AppLogRouting.container`` of the routing.
        image: What it runs.
        port: TCP port it listens on; mapped in the task and opened in the
            service's security group. Default: ``None`` (no port, e.g. a worker).
        environment: Environment variables. Default: none.
        essential: Whether the task stops when this container stops. Default: ``True``.

    Example::

        AppContainer(name="rails-app", image=repo.image(tag), port=3000,
                     environment={"RAILS_ENV": "production"})
    """

    name: str
    image: ContainerImageRef
    port: int | None = None
    environment: Mapping[str, str] = field(default_factory=dict)
    essential: bool = True

    def __post_init__(self) -> None:
        where = f"AppContainer({self.name!r})"
        check_pattern(
            where,
            "name",
            self.name,
            _limits.CONTAINER_NAME,
            "1-255 letters, digits, '-' or '_'",
            "use the container name of the routing's AppLogRouting",
        )
        if self.name == LOG_ROUTER_NAME:
            raise ConfigError(
                where,
                "name",
                self.name,
                f"any name but {LOG_ROUTER_NAME!r}",
                "the log router container is added by FirelensService; rename the app container",
            )
        if self.port is not None:
            check_range(where, "port", self.port, _limits.PORT_RANGE, "use the TCP port the app listens on")
            if self.port in _limits.FIRELENS_RESERVED_PORTS:
                taken = ", ".join(map(str, _limits.FIRELENS_RESERVED_PORTS))
                raise ConfigError(
                    where,
                    "port",
                    self.port,
                    f"any port but {taken}, which FireLens holds on the task's shared localhost",
                    "move the app to another port, e.g. 3000",
                )


@dataclass(frozen=True)
class LogRouter:
    """The ``log_router`` container; the defaults follow AWS's guidance against losing logs.

    Args:
        image: The Fluent Bit image carrying the routing's files (FROM the
            aws-for-fluent-bit init image). Must be pinned: a tag other than
            ``latest``/``stable``, or a digest, so a redeploy never runs a different Fluent Bit.
        config_file: The config FireLens includes; a file in the image
            (Fargate cannot read config files from S3). Default: ``/fluent-bit/etc/extra.conf``.
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

    Raises:
        ConfigError: the image is not pinned, the config file is not a path in
            the image, or a number is outside what ECS accepts.
    """

    image: ContainerImageRef
    config_file: str = EXTRA_CONFIG_PATH
    memory_reservation_mib: int = DEFAULT_ROUTER_MEMORY_RESERVATION_MIB
    stop_timeout_seconds: int = DEFAULT_ROUTER_STOP_TIMEOUT_SECONDS
    health_check: RouterHealthCheck | None = RouterHealthCheck.UPTIME
    log_driver_buffer_limit: int = DEFAULT_LOG_DRIVER_BUFFER_LIMIT

    def __post_init__(self) -> None:
        where = "LogRouter"
        check_pinned_image(where, "image", self.image.uri)
        if self.config_file.startswith(("s3://", "arn:")) or ":s3:::" in self.config_file:
            raise ConfigError(
                where,
                "config_file",
                self.config_file,
                "a file path inside the log router image (config-file-type file)",
                "Fargate does not support S3 config files; bake the file into the image "
                "(docker/firelens) and pass its path, e.g. /fluent-bit/etc/extra.conf",
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


_CIDR = re.compile(r"^\d{1,3}(\.\d{1,3}){3}/\d{1,2}$")


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
        ingress_cidr: Who may reach the app containers' ports. Default: ``0.0.0.0/0``.
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
        if not is_token(self.ingress_cidr) and not _CIDR.match(self.ingress_cidr):
            raise ConfigError(
                where,
                "ingress_cidr",
                self.ingress_cidr,
                "an IPv4 CIDR block such as 203.0.113.0/24",
                "write the range in CIDR notation",
            )

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

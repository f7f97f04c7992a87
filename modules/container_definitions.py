"""ECS container definitions of a FireLens task, as plain values (no CDKTF).

:func:`task_containers` builds the JSON list that goes into the task
definition: the app container (its stdout goes to the log router through the
``awsfirelens`` log driver), the ``log_router`` container (Fluent Bit with
the compiled config) and optional sidecars such as the article's postgres.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import _limits
from ._routing_limits import DEFAULT_HTTP_PORT
from ._validation import check_pattern, check_pinned_image, check_range
from .errors import ConfigError

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


class DependencyCondition(str, enum.Enum):
    """When a container may start relative to one it depends on (ECS ``dependsOn``)."""

    START = "START"
    HEALTHY = "HEALTHY"
    COMPLETE = "COMPLETE"
    SUCCESS = "SUCCESS"


class RouterHealthCheck(str, enum.Enum):
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
            raise ConfigError(where, "command", self.command, "a tuple starting with 'CMD' or 'CMD-SHELL'",
                              "write e.g. ('CMD-SHELL', 'pg_isready -U postgres')")
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
        check_pattern("Sidecar", "name", self.name, _limits.CONTAINER_NAME,
                      "1-255 letters, digits, '-' or '_'", "rename the sidecar")
        if self.name == LOG_ROUTER_NAME:
            raise ConfigError("Sidecar", "name", self.name, f"any name but {LOG_ROUTER_NAME!r}",
                              "the log router container is added by FirelensService; rename the sidecar")

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


def _environment(env: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"name": k, "value": v} for k, v in sorted(env.items())]


def _awslogs(group: str, region: str, prefix: str) -> dict[str, Any]:
    return {
        "logDriver": "awslogs",
        "options": {"awslogs-group": group, "awslogs-region": region, "awslogs-stream-prefix": prefix},
    }


@dataclass(frozen=True)
class LogRouterSettings:
    """How the ``log_router`` container runs; the defaults follow AWS's no-log-loss guidance.

    Args:
        image: The custom Fluent Bit image (aws-for-fluent-bit init image +
            compiled config). Must be pinned: a tag other than ``latest`` or
            ``stable`` (or a digest), so a redeploy never runs a different Fluent Bit.
        log_group: Where the router's own logs go (awslogs): config mistakes
            and permission errors show up there.
        config_file: The extra config FireLens includes. Default:
            ``/fluent-bit/etc/extra.conf`` (inside the image). S3 config files
            are not supported on Fargate.
        memory_reservation_mib: Soft memory limit; the ECS agent also bounds
            the FireLens forward input's buffer at half of it. Default: 100
            (:data:`DEFAULT_ROUTER_MEMORY_RESERVATION_MIB`).
        stop_timeout_seconds: How long ECS waits after SIGTERM before killing
            the router; must cover the config's ``Grace``. Default: 120, Fargate's
            maximum (:data:`DEFAULT_ROUTER_STOP_TIMEOUT_SECONDS`).
        health_check: The endpoint the container health check queries, or
            ``None`` for no health check. Default: :attr:`RouterHealthCheck.UPTIME`.
        http_port: Port of Fluent Bit's HTTP server (the compiled config's).
            Default: 2020.

    Raises:
        ConfigError: the image is not pinned, or a value is outside what ECS accepts.
    """

    image: ContainerImageRef
    log_group: str
    config_file: str = EXTRA_CONFIG_PATH
    memory_reservation_mib: int = DEFAULT_ROUTER_MEMORY_RESERVATION_MIB
    stop_timeout_seconds: int = DEFAULT_ROUTER_STOP_TIMEOUT_SECONDS
    health_check: RouterHealthCheck | None = RouterHealthCheck.UPTIME
    http_port: int = DEFAULT_HTTP_PORT

    def __post_init__(self) -> None:
        where = "LogRouterSettings"
        check_pinned_image(where, "image", self.image.uri)
        check_range(where, "memory_reservation_mib", self.memory_reservation_mib, (6, 120 * 1024),
                    "reserve at least 6 MiB (Docker's minimum), e.g. 100")
        check_range(where, "stop_timeout_seconds", self.stop_timeout_seconds, (2, _limits.FARGATE_MAX_STOP_TIMEOUT),
                    f"use at most {_limits.FARGATE_MAX_STOP_TIMEOUT} s, Fargate's maximum")
        check_range(where, "http_port", self.http_port, _limits.PORT_RANGE, "use the compiled config's HTTP_Port")

    @property
    def health_check_definition(self) -> HealthCheck | None:
        """The container health check: AWS's FireLens example timings (10 s interval, 5 s timeout,
        2 retries, 30 s start period)."""
        if self.health_check is None:
            return None
        return HealthCheck(command=self.health_check.command(self.http_port), interval_seconds=10,
                           timeout_seconds=5, retries=2, start_period_seconds=30)

    @property
    def start_condition(self) -> DependencyCondition:
        """What the app waits for: HEALTHY when the router has a health check, else START."""
        return DependencyCondition.HEALTHY if self.health_check else DependencyCondition.START


def log_router_container(settings: LogRouterSettings, region: str) -> dict[str, Any]:
    """The ``log_router`` container definition."""
    out: dict[str, Any] = {
        "name": LOG_ROUTER_NAME,
        "image": settings.image.uri,
        "essential": True,
        "memoryReservation": settings.memory_reservation_mib,
        "stopTimeout": settings.stop_timeout_seconds,
        "firelensConfiguration": {
            "type": "fluentbit",
            "options": {
                "config-file-type": "file",
                "config-file-value": settings.config_file,
                "enable-ecs-log-metadata": "true",
            },
        },
        "logConfiguration": _awslogs(settings.log_group, region, "firelens"),
    }
    health_check = settings.health_check_definition
    if health_check:
        out["healthCheck"] = health_check.to_dict()
    return out


def app_container(*, name: str, image: ContainerImageRef, port: int, environment: Mapping[str, str],
                  sidecars: Sequence[Sidecar], router_condition: DependencyCondition = DependencyCondition.START,
                  log_driver_buffer_limit: int = DEFAULT_LOG_DRIVER_BUFFER_LIMIT) -> dict[str, Any]:
    """The app container: stdout to the log router, waits for it (``router_condition``) and for its sidecars.

    ``log_driver_buffer_limit`` is the only awsfirelens option: ECS passes it
    to the Docker log driver, never into the Fluent Bit config, so the log
    router's config still decides where every line goes.
    """
    check_range("app_container", "log_driver_buffer_limit", log_driver_buffer_limit,
                _limits.LOG_DRIVER_BUFFER_LIMIT_RANGE, f"use e.g. {DEFAULT_LOG_DRIVER_BUFFER_LIMIT} log lines")
    depends_on = [{"containerName": LOG_ROUTER_NAME, "condition": router_condition.value}]
    depends_on += [{"containerName": s.name, "condition": s.start_condition.value} for s in sidecars]
    return {
        "name": name,
        "image": image.uri,
        "essential": True,
        "portMappings": [{"containerPort": port, "hostPort": port, "protocol": "tcp"}],
        "environment": _environment(environment),
        "logConfiguration": {
            "logDriver": "awsfirelens",
            "options": {"log-driver-buffer-limit": str(log_driver_buffer_limit)},
        },
        "dependsOn": depends_on,
    }


def sidecar_container(sidecar: Sidecar, *, log_group: str, region: str) -> dict[str, Any]:
    """A sidecar's container definition, logging with awslogs to ``log_group``."""
    out: dict[str, Any] = {
        "name": sidecar.name,
        "image": sidecar.image.uri,
        "essential": sidecar.essential,
        "environment": _environment(sidecar.environment),
        "logConfiguration": _awslogs(log_group, region, sidecar.name),
    }
    if sidecar.health_check:
        out["healthCheck"] = sidecar.health_check.to_dict()
    return out

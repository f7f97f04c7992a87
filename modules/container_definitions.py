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
from ._validation import check_pattern, check_range
from .errors import ConfigError

#: Name of the log router container (the article's).
LOG_ROUTER_NAME = "log_router"
#: Where the init image expects the extra config (the article's).
EXTRA_CONFIG_PATH = "/fluent-bit/etc/extra.conf"


class DependencyCondition(str, enum.Enum):
    """When a container may start relative to one it depends on (ECS ``dependsOn``)."""

    START = "START"
    HEALTHY = "HEALTHY"
    COMPLETE = "COMPLETE"
    SUCCESS = "SUCCESS"


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
    """How the ``log_router`` container runs.

    Args:
        image: The custom Fluent Bit image (aws-for-fluent-bit init image + compiled config).
        log_group: Where the router's own logs go (awslogs): config mistakes
            and permission errors show up there.
        config_file: The extra config FireLens includes. Default:
            ``/fluent-bit/etc/extra.conf`` (inside the image). S3 config files
            are not supported on Fargate.
        memory_reservation_mib: Soft memory limit. Default: 50 (AWS's FireLens examples).
    """

    image: ContainerImageRef
    log_group: str
    config_file: str = EXTRA_CONFIG_PATH
    memory_reservation_mib: int = 50


def log_router_container(settings: LogRouterSettings, region: str) -> dict[str, Any]:
    """The ``log_router`` container definition."""
    return {
        "name": LOG_ROUTER_NAME,
        "image": settings.image.uri,
        "essential": True,
        "memoryReservation": settings.memory_reservation_mib,
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


def app_container(*, name: str, image: ContainerImageRef, port: int, environment: Mapping[str, str],
                  sidecars: Sequence[Sidecar]) -> dict[str, Any]:
    """The app container: stdout to the log router, waits for it and for its sidecars."""
    depends_on = [{"containerName": LOG_ROUTER_NAME, "condition": DependencyCondition.START.value}]
    depends_on += [{"containerName": s.name, "condition": s.start_condition.value} for s in sidecars]
    return {
        "name": name,
        "image": image.uri,
        "essential": True,
        "portMappings": [{"containerPort": port, "hostPort": port, "protocol": "tcp"}],
        "environment": _environment(environment),
        # No options: the log router's config decides where every line goes.
        "logConfiguration": {"logDriver": "awsfirelens"},
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

"""The value objects a FireLens task's containers are built from (no CDKTF).

:class:`AppContainer` (an app whose stdout the log router routes, with its
command, environment, secrets, sizes, health check and ports),
:class:`Sidecar` (a helper logging with awslogs), and their parts:
:class:`ContainerImageRef`, :class:`HealthCheck`, :class:`Secret`,
:class:`PortMapping`. Each checks itself once, where it is built, with an
error that names the field, the value, what is allowed and the fix; what
depends on the rest of the task (the routes, the other containers, the
task's size) is checked by :class:`~firelens_cdktf.constructs.FirelensTaskDefinition`.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from firelens_cdktf import limits as _limits
from firelens_cdktf.constructs._validation import check_cidr, check_pattern, check_range
from firelens_cdktf.errors import ConfigError

#: Name of the log router container (the article's).
LOG_ROUTER_NAME = "log_router"


class DependencyCondition(enum.StrEnum):
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
        if not isinstance(self.command, tuple) or not self.command or self.command[0] not in ("CMD", "CMD-SHELL"):
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


class SecretSource(enum.StrEnum):
    """Where a :class:`Secret` is kept; decides what the execution role may call to read it."""

    #: SSM Parameter Store (``ssm:GetParameters``).
    SSM_PARAMETER = "ssm-parameter"
    #: Secrets Manager (``secretsmanager:GetSecretValue``).
    SECRETS_MANAGER = "secrets-manager"


@dataclass(frozen=True)
class Secret:
    """A secret ECS reads at task start and hands a container as an environment variable.

    Build one with :meth:`from_ssm_parameter` or :meth:`from_secrets_manager`.
    The task's execution role may read exactly the secrets its containers
    name (and decrypt with exactly the keys given), nothing else.

    Args:
        arn: The parameter's or the secret's full ARN.
        source: Where it is kept.
        json_key: Secrets Manager only: one key of a JSON secret. Default: the whole secret.
        kms_key_arn: The customer managed KMS key it is encrypted with; the
            execution role may ``kms:Decrypt`` with it. Default: ``None``, the
            AWS managed key, which needs no grant.

    Raises:
        ConfigError: an ARN of the wrong service or shape, or a JSON key for an SSM parameter.
    """

    arn: str
    source: SecretSource
    json_key: str | None = None
    kms_key_arn: str | None = None

    def __post_init__(self) -> None:
        where = f"Secret({self.arn!r})"
        if self.source is SecretSource.SSM_PARAMETER:
            check_pattern(
                where,
                "arn",
                self.arn,
                _limits.SSM_PARAMETER_ARN,
                "an SSM parameter ARN, arn:aws:ssm:<region>:<account>:parameter/<name>",
                "pass the parameter's ARN (aws_ssm_parameter.arn), not its name",
            )
            if self.json_key is not None:
                raise ConfigError(
                    where,
                    "json_key",
                    self.json_key,
                    "None for an SSM parameter (ECS reads JSON keys of Secrets Manager secrets only)",
                    "drop json_key, or keep the value in Secrets Manager",
                )
        else:
            check_pattern(
                where,
                "arn",
                self.arn,
                _limits.SECRETS_MANAGER_SECRET_ARN,
                "a Secrets Manager secret's full ARN, ending in the 6 characters AWS appends to its name",
                "pass aws_secretsmanager_secret.arn (IAM grants only on the full ARN)",
            )
            if self.json_key is not None and (not self.json_key or ":" in self.json_key):
                raise ConfigError(
                    where, "json_key", self.json_key, "a key of the secret's JSON, without ':'", "name one JSON key"
                )
        if self.kms_key_arn is not None:
            check_pattern(
                where,
                "kms_key_arn",
                self.kms_key_arn,
                _limits.KMS_KEY_ARN,
                "a KMS key ARN, arn:aws:kms:<region>:<account>:key/<id> (IAM grants kms:Decrypt on keys, not aliases)",
                "pass aws_kms_key.arn",
            )

    @classmethod
    def from_ssm_parameter(cls, parameter_arn: str, *, kms_key_arn: str | None = None) -> Secret:
        """A String or SecureString parameter of SSM Parameter Store, by its ARN."""
        return cls(parameter_arn, SecretSource.SSM_PARAMETER, kms_key_arn=kms_key_arn)

    @classmethod
    def from_secrets_manager(
        cls, secret_arn: str, *, json_key: str | None = None, kms_key_arn: str | None = None
    ) -> Secret:
        """A Secrets Manager secret by its full ARN; with ``json_key``, one key of its JSON."""
        return cls(secret_arn, SecretSource.SECRETS_MANAGER, json_key=json_key, kms_key_arn=kms_key_arn)

    @property
    def value_from(self) -> str:
        """ECS's ``valueFrom``: the ARN, or ``<arn>:<json key>::`` for one key of a secret."""
        if self.json_key is None:
            return self.arn
        return f"{self.arn}:{self.json_key}::"


class PortProtocol(enum.StrEnum):
    """A port mapping's transport protocol."""

    TCP = "tcp"
    UDP = "udp"


@dataclass(frozen=True)
class PortMapping:
    """A port an app container listens on, and who may reach it.

    Args:
        container_port: The port (1-65535, not FireLens's 24224 or 8877).
        protocol: Default: TCP.
        ingress_cidr: An IPv4 CIDR block the service's security group opens
            this port to. Default: ``None``, not opened: only a load balancer
            given to the service (from its own security group) or the task's
            other containers (on localhost) reach it.

    Example::

        PortMapping(8080)                              # reached through the load balancer only
        PortMapping(9090, ingress_cidr="10.0.0.0/16")  # metrics, from inside the VPC
    """

    container_port: int
    protocol: PortProtocol = PortProtocol.TCP
    ingress_cidr: str | None = None

    def __post_init__(self) -> None:
        where = f"PortMapping({self.container_port!r})"
        check_port(where, "container_port", self.container_port)
        if not isinstance(self.protocol, PortProtocol):
            raise ConfigError(
                where, "protocol", self.protocol, "PortProtocol.TCP or PortProtocol.UDP", "pass a PortProtocol"
            )
        if self.ingress_cidr is not None:
            check_cidr(where, "ingress_cidr", self.ingress_cidr)

    def to_dict(self) -> dict[str, Any]:
        return {"containerPort": self.container_port, "hostPort": self.container_port, "protocol": self.protocol.value}


def check_port(where: str, field_name: str, port: int) -> None:
    """A port a container may listen on: 1-65535, not one FireLens holds on the task's localhost."""
    check_range(where, field_name, port, _limits.PORT_RANGE, "use the TCP port the app listens on")
    if port in _limits.FIRELENS_RESERVED_PORTS:
        taken = ", ".join(map(str, _limits.FIRELENS_RESERVED_PORTS))
        raise ConfigError(
            where,
            field_name,
            port,
            f"any port but {taken}, which FireLens holds on the task's shared localhost",
            "move the app to another port, e.g. 3000",
        )


def _check_name(where: str, name: str, what: str) -> None:
    check_pattern(
        where, "name", name, _limits.CONTAINER_NAME, "1-255 letters, digits, '-' or '_'", f"rename the {what}"
    )
    if name == LOG_ROUTER_NAME:
        raise ConfigError(
            where,
            "name",
            name,
            f"any name but {LOG_ROUTER_NAME!r}",
            f"the log router container is added by the task definition; rename the {what}",
        )


def _check_arguments(where: str, field_name: str, value: tuple[str, ...] | None) -> None:
    if value is None:
        return
    if not isinstance(value, tuple) or not value or not all(isinstance(part, str) for part in value):
        raise ConfigError(
            where,
            field_name,
            value,
            "a non-empty tuple of strings, one per argument (exec form), or None",
            f"write e.g. {field_name}=('bundle', 'exec', 'puma')",
        )


def _check_environment(where: str, environment: Mapping[str, str], secrets: Mapping[str, Secret]) -> None:
    for name in (*environment, *secrets):
        check_pattern(
            where,
            "environment" if name in environment else "secrets",
            name,
            _limits.ENVIRONMENT_NAME,
            "variable names of letters, digits and '_', not starting with a digit",
            "rename the variable",
        )
    both = sorted(set(environment) & set(secrets))
    if both:
        raise ConfigError(
            where,
            "secrets",
            both,
            "names not also in environment (ECS refuses a variable set twice)",
            "drop them from environment, or rename the secret's variable",
        )
    for name, secret in secrets.items():
        if not isinstance(secret, Secret):
            raise ConfigError(
                where,
                "secrets",
                {name: secret},
                "a Secret for each variable",
                "write Secret.from_ssm_parameter(arn) or Secret.from_secrets_manager(arn)",
            )


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
        _check_name("Sidecar", self.name, "sidecar")

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
    task's routing: FireLens tags its records ``<name>-firelens-<task id>``.

    Args:
        name: Container name in the task definition; must equal an
            ``AppLogRouting.container`` of the routing.
        image: What it runs.
        port: The one TCP port of the article's app: mapped, and opened in
            the service's security group to ``NetworkPlacement.ingress_cidr``
            (unless a load balancer of the service targets it: then only the
            load balancer reaches it). Default: ``None``. For several ports,
            or ports that are not opened, use ``port_mappings``.
        environment: Environment variables. Default: none.
        essential: Whether the task stops when this container stops. Default: ``True``.
        command: The command, exec form (``("bundle", "exec", "puma")``).
            Default: the image's ``CMD``.
        entry_point: The entry point, exec form. Default: the image's ``ENTRYPOINT``.
        secrets: Environment variable -> :class:`Secret`, read by ECS at task
            start with the execution role (which may read exactly these).
            Default: none.
        cpu: CPU units reserved for this container. Default: none (it shares the task's).
        memory_mib: Hard memory limit: the container is killed above it. Default: none.
        memory_reservation_mib: Soft memory limit. Default: none.
        health_check: The container's health check. Default: none.
        port_mappings: More ports, each saying whether the service opens it
            to a CIDR block (default: not). Default: none.

    Raises:
        ConfigError: a name, port, variable or size ECS would refuse, or two
            settings that contradict each other.

    Example::

        AppContainer("api", image=repo.image(tag), command=("bundle", "exec", "puma"),
                     secrets={"DATABASE_URL": Secret.from_secrets_manager(db_url_arn)},
                     port_mappings=(PortMapping(8080),), memory_reservation_mib=256)
    """

    name: str
    image: ContainerImageRef
    port: int | None = None
    environment: Mapping[str, str] = field(default_factory=dict)
    essential: bool = True
    command: tuple[str, ...] | None = None
    entry_point: tuple[str, ...] | None = None
    secrets: Mapping[str, Secret] = field(default_factory=dict)
    cpu: int | None = None
    memory_mib: int | None = None
    memory_reservation_mib: int | None = None
    health_check: HealthCheck | None = None
    port_mappings: tuple[PortMapping, ...] = ()

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
                "the log router container is added by the task definition; rename the app container",
            )
        if self.port is not None:
            check_port(where, "port", self.port)
        if not isinstance(self.port_mappings, tuple) or not all(isinstance(p, PortMapping) for p in self.port_mappings):
            raise ConfigError(
                where, "port_mappings", self.port_mappings, "a tuple of PortMapping", "write (PortMapping(8080),)"
            )
        ports = [(p, PortProtocol.TCP.value) for p in (self.port,) if p is not None]
        ports += [(m.container_port, m.protocol.value) for m in self.port_mappings]
        repeated = sorted({p for p in ports if ports.count(p) > 1})
        if repeated:
            raise ConfigError(
                where,
                "port_mappings",
                [f"{port}/{protocol}" for port, protocol in repeated],
                "each port once (port= counts as a TCP port mapping)",
                "map each port once",
            )
        _check_arguments(where, "command", self.command)
        _check_arguments(where, "entry_point", self.entry_point)
        _check_environment(where, self.environment, self.secrets)
        if self.cpu is not None:
            check_range(where, "cpu", self.cpu, _limits.CONTAINER_CPU_RANGE, "reserve up to the task's CPU units")
        for name in ("memory_mib", "memory_reservation_mib"):
            value = getattr(self, name)
            if value is not None:
                check_range(
                    where, name, value, _limits.CONTAINER_MEMORY_MIB_RANGE, "use at least 6 MiB, Docker's minimum"
                )
        if (
            self.memory_mib is not None
            and self.memory_reservation_mib is not None
            and self.memory_reservation_mib > self.memory_mib
        ):
            raise ConfigError(
                where,
                "memory_reservation_mib",
                self.memory_reservation_mib,
                f"at most memory_mib={self.memory_mib} (the soft limit under the hard one)",
                "lower the reservation or raise memory_mib",
            )

    @property
    def mapped_ports(self) -> tuple[PortMapping, ...]:
        """Every port it maps: ``port`` (TCP; the service decides who reaches it) first, then ``port_mappings``."""
        legacy = (PortMapping(self.port),) if self.port is not None else ()
        return (*legacy, *self.port_mappings)

    @property
    def reserved_memory_mib(self) -> int:
        """What ECS counts against the task's memory for this container: the reservation, else the hard limit."""
        return self.memory_reservation_mib or self.memory_mib or 0

    @property
    def secret_arns(self) -> tuple[str, ...]:
        """The ARNs of its secrets, in order (a secret's JSON key does not change what IAM names)."""
        return tuple(s.arn for s in self.secrets.values())

"""ECS container definitions of a FireLens task, as plain JSON values (no CDKTF).

The app containers (stdout to the log router through the ``awsfirelens``
log driver), the ``log_router`` container (Fluent Bit with the compiled
config) and sidecars such as the article's postgres. The values they are
built from are checked where they are made (:mod:`.container_props`,
:mod:`.service_props`); these functions only render.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from firelens_cdktf.constructs.container_props import LOG_ROUTER_NAME, AppContainer, Sidecar
from firelens_cdktf.constructs.service_props import LogRouter


def _environment(env: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"name": k, "value": v} for k, v in sorted(env.items())]


def _awslogs(group: str, region: str, prefix: str) -> dict[str, Any]:
    return {
        "logDriver": "awslogs",
        "options": {"awslogs-group": group, "awslogs-region": region, "awslogs-stream-prefix": prefix},
    }


def log_router_container(router: LogRouter, *, log_group: str, http_port: int, region: str) -> dict[str, Any]:
    """The ``log_router`` container definition; its own logs go to ``log_group`` with awslogs.

    ``http_port`` is Fluent Bit's HTTP server port (the compiled config's),
    which the health check queries. With ``router.config_from_s3`` the
    container names the S3 objects in ``aws_fluent_bit_init_s3_<n>``
    variables, and FireLens includes no config file: the init image includes
    the objects itself, and a ``config-file-value`` not in the image would
    stop FireLens from starting. No command or entry point is set either way:
    the image's own (the init process) must run.
    """
    options = {"enable-ecs-log-metadata": "true"}
    if router.config_from_s3 is None:
        options = {"config-file-type": "file", "config-file-value": router.config_file, **options}
    out: dict[str, Any] = {
        "name": LOG_ROUTER_NAME,
        "image": router.image.uri,
        "essential": True,
        **({"cpu": router.cpu} if router.cpu is not None else {}),
        "memoryReservation": router.memory_reservation_mib,
        "stopTimeout": router.stop_timeout_seconds,
        **(
            {"environment": _environment(router.config_from_s3.environment)}
            if router.config_from_s3 is not None
            else {}
        ),
        "firelensConfiguration": {"type": "fluentbit", "options": options},
        "logConfiguration": _awslogs(log_group, region, "firelens"),
    }
    health_check = router.health_check_definition(http_port)
    if health_check:
        out["healthCheck"] = health_check.to_dict()
    return out


def app_container(app: AppContainer, *, router: LogRouter, sidecars: Sequence[Sidecar]) -> dict[str, Any]:
    """An app container: stdout to the log router; waits for it (HEALTHY when it has a health check) and
    for every sidecar.

    ``log-driver-buffer-limit`` is the only awsfirelens option: ECS passes it
    to the Docker log driver, never into the Fluent Bit config, so the log
    router's config still decides where every line goes.
    """
    depends_on = [{"containerName": LOG_ROUTER_NAME, "condition": router.start_condition.value}]
    depends_on += [{"containerName": s.name, "condition": s.start_condition.value} for s in sidecars]
    out: dict[str, Any] = {"name": app.name, "image": app.image.uri, "essential": app.essential}
    for key, value in (
        ("cpu", app.cpu),
        ("memory", app.memory_mib),
        ("memoryReservation", app.memory_reservation_mib),
    ):
        if value is not None:
            out[key] = value
    if app.mapped_ports:
        out["portMappings"] = [mapping.to_dict() for mapping in app.mapped_ports]
    if app.entry_point is not None:
        out["entryPoint"] = list(app.entry_point)
    if app.command is not None:
        out["command"] = list(app.command)
    out["environment"] = _environment(app.environment)
    if app.secrets:
        out["secrets"] = [
            {"name": name, "valueFrom": secret.value_from} for name, secret in sorted(app.secrets.items())
        ]
    out |= {
        "logConfiguration": {
            "logDriver": "awsfirelens",
            "options": {"log-driver-buffer-limit": str(router.log_driver_buffer_limit)},
        },
        "dependsOn": depends_on,
    }
    if app.health_check is not None:
        out["healthCheck"] = app.health_check.to_dict()
    return out


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

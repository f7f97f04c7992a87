"""The checks of a FireLens task and its service that involve more than one value (no CDKTF).

One function per rule. :class:`~firelens_cdktf.constructs.FirelensTaskDefinition`,
:class:`~firelens_cdktf.constructs.FirelensFargateService` and the one-call
:class:`~firelens_cdktf.constructs.FirelensService` all call them, each with
its own ``where`` (the construct path the message names).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from firelens_cdktf import limits as _limits
from firelens_cdktf.constructs._validation import check_choice, check_pattern, check_range, close_match, is_token
from firelens_cdktf.constructs.container_props import LOG_ROUTER_NAME, AppContainer, Sidecar
from firelens_cdktf.constructs.service_props import (
    DEFAULT_ROUTER_MEMORY_RESERVATION_MIB,
    ClusterRef,
    LoadBalancerTarget,
    LogRouter,
    NetworkPlacement,
)
from firelens_cdktf.errors import ConfigError
from firelens_cdktf.routing.compiler import CompiledRouting

if TYPE_CHECKING:
    from firelens_cdktf.constructs.log_archive import LogArchive

#: ECS service names (and the one-call service's task family and cluster name).
SERVICE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,31}$")
#: Task definition families: up to 255 letters, digits, hyphens and underscores.
#: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html
TASK_FAMILY = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
#: Role-name prefix characters IAM accepts; the longest suffix added here is
#: ``exec-`` and Terraform's unique id fills the rest of the 64 characters.
ROLE_PREFIX = re.compile(r"^[\w+=,.@-]{1,33}$")
_FLUENT_BIT_MAX_CHUNKS_UP = 128
_MIB = 1024 * 1024


def check_service_name(where: str, name: str) -> None:
    """1-32 letters, digits, '-' or '_', starting with a letter; the fix names the rule that was broken."""
    if not isinstance(name, str) or is_token(name) or SERVICE_NAME.match(name):
        return
    if not name[:1].isalpha() or not name[:1].isascii():
        fix = "start the name with a letter"
    elif re.search(r"[^A-Za-z0-9_-]", name):
        fix = "drop the characters other than letters, digits, '-' and '_'"
    else:
        fix = "choose a shorter name (32 characters at most)"
    raise ConfigError(where, "name", name, "1-32 letters, digits, '-' or '_', starting with a letter", fix)


def check_family(where: str, family: str) -> None:
    check_pattern(
        where, "family", family, TASK_FAMILY, "1-255 letters, digits, '-' or '_'", "drop the other characters"
    )


def check_task_size(where: str, cpu: int, memory_mib: int) -> None:
    check_choice(where, "cpu", cpu, tuple(_limits.FARGATE_SIZES), "pick a Fargate CPU size")
    allowed_memory = _limits.FARGATE_SIZES[cpu]
    if memory_mib not in allowed_memory:
        choices = ", ".join(str(m) for m in allowed_memory[:6]) + ("..." if len(allowed_memory) > 6 else "")
        raise ConfigError(
            where,
            "memory_mib",
            memory_mib,
            f"with cpu={cpu}: {choices}",
            f"{memory_mib} MiB is not a Fargate size for cpu={cpu}; pick one of those",
        )


def check_desired_count(where: str, desired_count: int) -> None:
    check_range(where, "desired_count", desired_count, (0, 1000), "use 0 or more tasks")


def check_retention(where: str, days: int) -> None:
    check_choice(
        where,
        "ecs_log_retention_days",
        days,
        _limits.LOG_RETENTION_DAYS,
        "pick the nearest retention CloudWatch Logs accepts",
    )


def check_role_prefix(where: str, prefix: str | None) -> None:
    if prefix is not None:
        check_pattern(
            where,
            "role_name_prefix",
            prefix,
            ROLE_PREFIX,
            "1-33 of letters, digits and + = , . @ _ - (IAM role names, with room for 'exec-' and "
            "Terraform's 26-character suffix)",
            "shorten it or drop the other characters",
        )


def archives_for_routes(
    where: str, routing: CompiledRouting, log_archives: Sequence[LogArchive]
) -> list[tuple[LogArchive, tuple[str, ...]]]:
    """Each archive behind the routes' Firehose streams with the streams routed to it, in the routes' order
    (a shared archive's service streams: only those the routes name); a route to a stream not given fails."""
    by_name = {name: archive for archive in log_archives for name in archive.stream_names}
    missing = [s for s in routing.delivery_stream_names if s not in by_name]
    if missing:
        shared = [a for a in log_archives if a.services and missing[0].startswith(a.stream_name + "-")]
        add = (
            f"add the service to LogArchive({shared[0].stream_name!r}, services=...) and name its stream "
            "archive.stream_name_for(service)"
            if shared
            else f"add LogArchive(..., stream_name={missing[0]!r}) to the stack and pass it in log_archives="
        )
        close = difflib.get_close_matches(missing[0], sorted(by_name), n=1)
        raise ConfigError(
            where,
            "log_archives",
            sorted(by_name),
            f"a LogArchive for every routed stream ({', '.join(missing)})",
            f"did you mean {close[0]!r}? Name it in the route's FirehoseStream, or {add}" if close else add,
        )
    routed: dict[int, tuple[LogArchive, list[str]]] = {}
    for name in routing.delivery_stream_names:
        archive = by_name[name]
        routed.setdefault(id(archive), (archive, []))[1].append(name)
    return [(archive, tuple(names)) for archive, names in routed.values()]


def check_router(where: str, routing: CompiledRouting, router: LogRouter, memory_mib: int) -> None:
    """The router against the routes and the task: Grace, HTTP server, memory."""
    grace = routing.grace_seconds
    if grace > router.stop_timeout_seconds:
        raise ConfigError(
            where,
            "log_router.stop_timeout_seconds",
            router.stop_timeout_seconds,
            f"at least the config's Grace ({grace} s), or ECS kills Fluent Bit before it has flushed",
            f"raise LogRouter(stop_timeout_seconds=) to {grace} or more, or compile with a smaller grace_seconds",
        )
    if router.health_check is not None and routing.http_port is None:
        raise ConfigError(
            where,
            "log_router.health_check",
            router.health_check.name,
            "None while the routing's Fluent Bit HTTP server is off",
            "compile the routing with http_port (default 2020) or pass LogRouter(health_check=None)",
        )
    if router.memory_reservation_mib >= memory_mib:
        raise ConfigError(
            where,
            "log_router.memory_reservation_mib",
            router.memory_reservation_mib,
            f"less than the task's memory_mib={memory_mib}",
            f"reserve less than the task's {memory_mib} MiB, e.g. {DEFAULT_ROUTER_MEMORY_RESERVATION_MIB}",
        )
    router_mib = router.memory_reservation_mib + 2 * routing.emitter_buffer_bytes // _MIB
    driver_mib = -(-router.log_driver_buffer_limit * _limits.LOG_DRIVER_ASSUMED_LINE_BYTES // _MIB)
    if router_mib + driver_mib > memory_mib:
        raise ConfigError(
            where,
            "memory_mib",
            memory_mib,
            f"at least {router_mib + driver_mib} MiB: the router's worst case per AWS's OOM guide, 2 x (half its "
            f"memoryReservation + emitter buffers) = {router_mib} MiB, plus the log-driver buffer, "
            f"{router.log_driver_buffer_limit} lines x 2 KiB = {driver_mib} MiB",
            "raise memory_mib, or lower LogRouter's memory_reservation_mib or log_driver_buffer_limit, or the "
            "routes' emitter_mem_buf_limit",
        )


def chunks_up_in_memory(routing: CompiledRouting) -> int:
    """The most filesystem chunks the router keeps in memory (``storage.max_chunks_up``; Fluent Bit's default
    128, src/flb_storage.h), or 0 when it buffers in memory only (``Mem_Buf_Limit`` bounds that instead)."""
    if (routing.config.service_setting("storage.type") or "memory").lower() != "filesystem":
        return 0
    return int(routing.config.service_setting("storage.max_chunks_up") or _FLUENT_BIT_MAX_CHUNKS_UP)


def check_containers_match_routes(where: str, routing: CompiledRouting, containers: Sequence[AppContainer]) -> None:
    """Exactly one app container per routed container, by name (the one-call service gets them all at once)."""
    routed, declared = list(routing.containers), [c.name for c in containers]
    if sorted(routed) != sorted(declared) or len(set(declared)) != len(declared):
        unrouted = [name for name in declared if name not in routed]
        hint = close_match(unrouted[0], routed) if unrouted else ""
        raise ConfigError(
            where,
            "containers",
            declared,
            f"exactly one AppContainer per AppLogRouting of the routing ({', '.join(routed)})",
            "give every routed container an AppContainer with its name, and route every app "
            f"container (AppLogRouting(container=...)){hint}",
        )


def missing_app_containers(routing: CompiledRouting, containers: Sequence[AppContainer]) -> list[str]:
    """Routed containers that have no app container yet."""
    declared = {c.name for c in containers}
    return [name for name in routing.containers if name not in declared]


def check_new_container(
    where: str,
    routing: CompiledRouting,
    container: AppContainer,
    others: Sequence[AppContainer],
    sidecars: Sequence[Sidecar],
    field: str = "container",
) -> None:
    """An app container joining a task: routed, its name free, its ports free on the task's shared localhost."""
    routed = routing.containers
    if container.name not in routed:
        raise ConfigError(
            where,
            field,
            container.name,
            f"a container the routing routes ({', '.join(routed)})",
            f"name the container after its AppLogRouting, or add AppLogRouting({container.name!r}, ...) to the "
            f"routing{close_match(container.name, routed)}",
        )
    if container.name in {c.name for c in others} | {s.name for s in sidecars}:
        raise ConfigError(
            where,
            field,
            container.name,
            "container names unique within the task",
            "add each container once; rename a sidecar that has an app container's name",
        )
    ports = [m.container_port for m in container.mapped_ports]
    if routing.http_port in ports:
        raise ConfigError(
            where,
            field,
            routing.http_port,
            f"app ports other than {routing.http_port}, the log router's HTTP server port on the "
            "task's shared localhost",
            "move the app to another port, e.g. 3000",
        )
    taken = {m.container_port for c in others for m in c.mapped_ports}
    shared = sorted(taken & set(ports))
    if shared:
        raise ConfigError(
            where,
            field,
            shared,
            "one container per port (the task shares one localhost)",
            "give each app container its own port",
        )


def check_new_sidecar(
    where: str, sidecar: Sidecar, containers: Sequence[AppContainer], sidecars: Sequence[Sidecar]
) -> None:
    names = [LOG_ROUTER_NAME, *(c.name for c in containers), *(s.name for s in sidecars)]
    if sidecar.name in names:
        raise ConfigError(
            where,
            "sidecars",
            [sidecar.name],
            "container names unique within the task",
            "rename the sidecars that clash with the app containers or with each other",
        )


def check_container_sizes(
    where: str, cpu: int, memory_mib: int, router: LogRouter, containers: Sequence[AppContainer]
) -> None:
    """What the containers reserve fits the task: CPU units, and memory with the router's reservation."""
    reserved_cpu = (router.cpu or 0) + sum(c.cpu or 0 for c in containers)
    if reserved_cpu > cpu:
        raise ConfigError(
            where,
            "cpu",
            cpu,
            f"at least the {reserved_cpu} CPU units the containers reserve (the router's {router.cpu or 0} included)",
            "raise the task's cpu, or lower AppContainer(cpu=) or LogRouter(cpu=)",
        )
    reserved = router.memory_reservation_mib + sum(c.reserved_memory_mib for c in containers)
    if reserved > memory_mib:
        raise ConfigError(
            where,
            "memory_mib",
            memory_mib,
            f"at least the {reserved} MiB the containers reserve (the router's {router.memory_reservation_mib} "
            "included)",
            "raise the task's memory_mib, or lower the app containers' memory_reservation_mib or memory_mib",
        )


def check_network(where: str, region: str, network: NetworkPlacement) -> None:
    foreign = [z for z in network.availability_zones or () if not z.startswith(region)]
    if foreign:
        raise ConfigError(
            where,
            "network.availability_zones",
            foreign[0],
            f"zones of the routes' region {region}",
            f"name zones such as {region}a",
        )


def load_balancer_problems(
    targets: Sequence[LoadBalancerTarget], containers: Sequence[AppContainer]
) -> list[tuple[str, object, str, str]]:
    """(field, value, allowed, fix) for each target naming a container or port the task does not have."""
    by_name = {c.name: c for c in containers}
    out: list[tuple[str, object, str, str]] = []
    for target in targets:
        container = by_name.get(target.container_name)
        if container is None:
            out.append(
                (
                    "load_balancers",
                    target.container_name,
                    f"an app container of the task ({', '.join(sorted(by_name)) or 'none yet'})",
                    "add the container to the task definition, or name one it has"
                    + close_match(target.container_name, by_name),
                )
            )
            continue
        mapped = [m.container_port for m in container.mapped_ports]
        if target.container_port not in mapped:
            out.append(
                (
                    "load_balancers",
                    f"{target.container_name}:{target.container_port}",
                    f"a port {target.container_name} maps ({', '.join(map(str, mapped)) or 'none'})",
                    f"add PortMapping({target.container_port}) to AppContainer({target.container_name!r})",
                )
            )
    return out


def check_cluster(where: str, cluster: object, cluster_name: str | None, container_insights: bool) -> None:
    """A cluster given, or one created with a name: not both; an existing one keeps its own settings."""
    if cluster is not None and cluster_name is not None:
        raise ConfigError(
            where,
            "cluster_name",
            cluster_name,
            "None when cluster= is given (it names only a cluster created here)",
            "drop cluster_name, or drop cluster to create one with that name",
        )
    if isinstance(cluster, ClusterRef) and container_insights:
        raise ConfigError(
            where,
            "container_insights",
            container_insights,
            "False with an existing cluster (its settings are its owner's)",
            "drop container_insights, or turn it on where the cluster is created",
        )
    if cluster_name is not None:
        check_pattern(
            where,
            "cluster_name",
            cluster_name,
            _limits.ECS_CLUSTER_NAME,
            "1-255 letters, digits, '-' or '_'",
            "drop the other characters",
        )


def check_grace_period(where: str, seconds: int | None, load_balancers: Sequence[LoadBalancerTarget]) -> None:
    if seconds is None:
        return
    if not load_balancers:
        raise ConfigError(
            where,
            "health_check_grace_period_seconds",
            seconds,
            "None without load_balancers (ECS accepts it only for a service behind one)",
            "drop it, or give the service load_balancers=",
        )
    check_range(
        where,
        "health_check_grace_period_seconds",
        seconds,
        _limits.HEALTH_CHECK_GRACE_PERIOD_RANGE,
        "use a number of seconds",
    )

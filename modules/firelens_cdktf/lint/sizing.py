"""How much CPU and memory a log router needs for a declared log rate, and the warning when it has less.

The rule comes from measurements of real Fluent Bit 4.2.2 with the compiled
routes (``make bench-router``; the figures and how they were taken are in
docs/real-router.md, "Sizing the router") and keeps AWS's FireLens guidance
as a floor (aws/aws-for-fluent-bit, ``troubleshooting/debugging.md``): 2 MB/s
or more from one router is "high throughput", and from there it asks for at
least 0.5 vCPU and 250 MB.

- **CPU**: the measured cost end to end (parse, route, both emitters,
  ``simple_aggregation``, JSON, HTTP and TLS to the real endpoints), times
  :data:`HEADROOM` for what a steady measurement does not show (a retried
  chunk is sent again, an outage's backlog is sent at once when it ends),
  in CPU units of 1/1024 vCPU.
- **Memory**: not the rate but the buffering bounds it. With filesystem
  buffering, Fluent Bit keeps at most ``storage.max_chunks_up`` chunks in
  memory, each at most 2,048,000 bytes (``FLB_INPUT_CHUNK_FS_MAX_SIZE``,
  include/fluent-bit/flb_input_chunk.h); on top of that, its resident floor
  (measured idle). A 41 MB burst through the shipped routes peaked at 69 MiB
  against that bound of 75 MiB (``make faults``).

Example:
    >>> router_size(0.5)
    RouterSize(cpu_units=217, memory_mib=75)
    >>> router_size(2.0)  # high throughput: AWS's memory floor, and more CPU than its 0.5 vCPU
    RouterSize(cpu_units=865, memory_mib=239)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from firelens_cdktf.lint.findings import Finding, Severity

__all__ = [
    "AWS_HIGH_THROUGHPUT_MB_PER_SECOND",
    "CPU_SECONDS_PER_GB",
    "HEADROOM",
    "DEFAULT_MAX_CHUNKS_UP",
    "RouterSize",
    "check_router_size",
    "router_size",
]

#: Router CPU seconds per GB of app stdout, the shipped routes end to end against the emulator over TLS
#: (``make bench-router``, 2026-12-03, 1 MB/s for 60 s, 2 cores of this workplace; docs/real-router.md).
CPU_SECONDS_PER_GB = 211.0
#: Resident memory of an idle router (same run: 11-12 MiB).
BASE_MEMORY_MIB = 12.0
#: ``storage.max_chunks_up`` the compiled routes set (Fluent Bit's own default is 128).
DEFAULT_MAX_CHUNKS_UP = 32
#: A filesystem chunk's most bytes (include/fluent-bit/flb_input_chunk.h ``FLB_INPUT_CHUNK_FS_MAX_SIZE``).
CHUNK_MAX_BYTES = 2_048_000
#: Measured cost times this: retries and the backlog after an outage come on top of the steady rate.
HEADROOM = 2.0
#: AWS's FireLens guidance: from this rate on, at least :data:`AWS_HIGH_THROUGHPUT_CPU_UNITS` and
#: :data:`AWS_HIGH_THROUGHPUT_MEMORY_MIB` (250 MB).
AWS_HIGH_THROUGHPUT_MB_PER_SECOND = 2.0
AWS_HIGH_THROUGHPUT_CPU_UNITS = 512
AWS_HIGH_THROUGHPUT_MEMORY_MIB = math.ceil(250e6 / 2**20)
#: Below this many CPU units a router without a reservation of its own is not warned about.
UNRESERVED_CPU_UNITS_OK = 128
_CPU_UNITS_PER_VCPU = 1024


@dataclass(frozen=True)
class RouterSize:
    """What a router needs: CPU units (1,024 a vCPU) and MiB of memory."""

    cpu_units: int
    memory_mib: int


def router_size(log_mb_per_second: float, *, max_chunks_up: int = DEFAULT_MAX_CHUNKS_UP) -> RouterSize:
    """The router size the rule gives for ``log_mb_per_second`` of app stdout, with ``max_chunks_up`` chunks in
    memory at most (see the module's docstring).

    Raises:
        ValueError: a rate that is not a positive finite number.
    """
    if not (math.isfinite(log_mb_per_second) and log_mb_per_second > 0):
        raise ValueError(f"log_mb_per_second={log_mb_per_second!r}: give a positive number of MB/s")
    vcpu = log_mb_per_second * CPU_SECONDS_PER_GB / 1000 * HEADROOM
    cpu = math.ceil(vcpu * _CPU_UNITS_PER_VCPU)
    memory = math.ceil(BASE_MEMORY_MIB + max_chunks_up * CHUNK_MAX_BYTES / 2**20)
    if log_mb_per_second >= AWS_HIGH_THROUGHPUT_MB_PER_SECOND:
        cpu, memory = max(cpu, AWS_HIGH_THROUGHPUT_CPU_UNITS), max(memory, AWS_HIGH_THROUGHPUT_MEMORY_MIB)
    return RouterSize(cpu, memory)


def check_router_size(
    log_mb_per_second: float,
    *,
    cpu_units: int | None,
    memory_reservation_mib: int,
    task_cpu_units: int | None = None,
    max_chunks_up: int = DEFAULT_MAX_CHUNKS_UP,
    where: str = "LogRouter",
) -> tuple[Finding, ...]:
    """Warnings when a router declared to carry ``log_mb_per_second`` has less than :func:`router_size` gives.

    Args:
        log_mb_per_second: The most app stdout the task writes, in MB/s.
        cpu_units: The router container's ``cpu`` (``None``: no reservation; it shares the task's CPU).
        memory_reservation_mib: The router container's ``memoryReservation``.
        task_cpu_units: The task's CPU units, if known: a router needing more than the whole task is named.
        max_chunks_up: The config's ``storage.max_chunks_up`` (filesystem buffering).
        where: Where the finding points.
    """
    need = router_size(log_mb_per_second, max_chunks_up=max_chunks_up)
    rate = f"{log_mb_per_second:g} MB/s"
    rule = (
        f"the sizing rule gives {need.cpu_units} CPU units and {need.memory_mib} MiB for {rate} "
        f"({CPU_SECONDS_PER_GB:g} CPU s per GB measured, x{HEADROOM:g}; {max_chunks_up} chunks of 2 MB in memory; "
        f"AWS's floor from "
        f"{AWS_HIGH_THROUGHPUT_MB_PER_SECOND:g} MB/s: {AWS_HIGH_THROUGHPUT_CPU_UNITS} units, 250 MB)"
    )
    findings = []
    if task_cpu_units is not None and need.cpu_units > task_cpu_units:
        findings.append(
            Finding(
                Severity.WARNING,
                "router-exceeds-task",
                f"{where}.log_mb_per_second",
                f"{rate} needs more CPU than the whole task has (cpu={task_cpu_units}): {rule}",
                f"raise the task's cpu to at least {need.cpu_units} units, or spread the logs over more tasks",
            )
        )
    elif cpu_units is None and need.cpu_units >= UNRESERVED_CPU_UNITS_OK:
        findings.append(
            Finding(
                Severity.WARNING,
                "router-cpu-unreserved",
                f"{where}.cpu",
                f"None (no reservation: a busy app container can starve the router) while {rule}",
                f"pass LogRouter(cpu={need.cpu_units})",
            )
        )
    elif cpu_units is not None and cpu_units < need.cpu_units:
        findings.append(
            Finding(
                Severity.WARNING,
                "router-cpu-short",
                f"{where}.cpu",
                f"{cpu_units} CPU units while {rule}",
                f"pass LogRouter(cpu={need.cpu_units}), or declare the rate the app really writes",
            )
        )
    if memory_reservation_mib < need.memory_mib:
        findings.append(
            Finding(
                Severity.WARNING,
                "router-memory-short",
                f"{where}.memory_reservation_mib",
                f"{memory_reservation_mib} MiB while {rule}",
                f"pass LogRouter(memory_reservation_mib={need.memory_mib}) and give the task room for it",
            )
        )
    return tuple(findings)

"""The config FireLens generates for a Fluent Bit log router, which ``@INCLUDE``\\ s the task's own file.

In a task, Fluent Bit does not start from ``extra.conf``: the ECS agent
writes a config of its own, bind-mounts it at ``/fluent-bit/etc/fluent-bit.conf``
(agent/api/task/task.go ``firelensConfigBindFormatFluentbit``) and the
router runs it. What it holds, for a ``fluentbit`` FireLens container in an
``awsvpc`` task (Fargate) with ``config-file-type`` ``file``
(aws/amazon-ecs-agent agent/taskresource/firelens/firelensconfig_unix.go
``generateConfig``, rendered by the vendored
awslabs/go-config-generator-for-fluentd-and-fluentbit fluent-bit-template.go):

1. ``[INPUT] forward`` on the unix socket ``/var/run/fluent.sock`` with
   ``Mem_Buf_Limit`` half the router container's ``memoryReservation`` (else
   its ``memory``) in MiB, else 25MB (``resolveMemBufLimit``);
2. ``[INPUT] forward`` on ``127.0.0.1:24224`` (awsvpc; bridge mode binds 0.0.0.0);
3. ``[INPUT] tcp`` on ``127.0.0.1:8877`` tagged ``firelens-healthcheck``;
4. unless ``enable-ecs-log-metadata`` is ``false``, ``[FILTER] record_modifier``
   ``Match *`` adding ``ecs_cluster``, ``ecs_task_arn`` and ``ecs_task_definition``
   (``AddFieldToRecord``; on EC2 also ``ec2_instance_id``);
5. ``@INCLUDE`` of ``config-file-value`` (``generator.AfterFilters``): after the filters,
   before the outputs;
6. ``[OUTPUT] null`` ``Match firelens-healthcheck``, then one ``[OUTPUT]`` per app
   container whose ``awsfirelens`` options name a plugin (this project's name
   none: firelens_cdktf.constructs.container_definitions).

Go's templates range over a map in key order, so each section's options
come sorted by key, as here. AWS's init image then runs a config of its
own that only ``@INCLUDE``\\ s this file first (aws/aws-for-fluent-bit
init/fluent_bit_init_process.go), adding nothing when the task sets no
``aws_fluent_bit_init_*`` variables.

Example:
    >>> print(firelens_config(FirelensContext(), "/fluent-bit/etc/extra.conf").splitlines()[0:4])
    ['[INPUT]', '    Name forward', '    Mem_Buf_Limit 25MB', '    unix_path /var/run/fluent.sock']
"""

from __future__ import annotations

from firelens_cdktf.fluentbit.simulator import FirelensContext

__all__ = [
    "DEFAULT_MEM_BUF_LIMIT_MIB",
    "FIRELENS_CONFIG_PATH",
    "FIRELENS_ETC",
    "FIRELENS_SOCKET_PATH",
    "FIRELENS_TCP_ADDRESS",
    "HEALTHCHECK_ADDRESS",
    "HEALTHCHECK_TAG",
    "firelens_config",
    "mem_buf_limit",
]

#: Where the router image keeps its config, and where FireLens mounts the generated one (task.go).
FIRELENS_ETC = "/fluent-bit/etc"
FIRELENS_CONFIG_PATH = f"{FIRELENS_ETC}/fluent-bit.conf"
#: The forward input's memory limit when the router container declares no memory (``defaultMemBufLimit``).
DEFAULT_MEM_BUF_LIMIT_MIB = 25
#: The health-check input (``healthcheckInputBindValue``, ``healthcheckInputPortValue``, ``healthcheckTag``).
HEALTHCHECK_ADDRESS = ("127.0.0.1", 8877)
HEALTHCHECK_TAG = "firelens-healthcheck"
#: Where FireLens's forward input listens inside the router container (``socketPath``).
FIRELENS_SOCKET_PATH = "/var/run/fluent.sock"
#: FireLens's TCP forward input in ``awsvpc`` mode (``inputAWSVPCBindValue``, ``inputPortValue``).
FIRELENS_TCP_ADDRESS = ("127.0.0.1", 24224)


def mem_buf_limit(memory_reservation_mib: int | None) -> str:
    """The forward input's ``Mem_Buf_Limit`` for a router container reserving ``memory_reservation_mib``.

    Example:
        >>> mem_buf_limit(512), mem_buf_limit(None)
        ('256MB', '25MB')
    """
    half = (memory_reservation_mib or 0) // 2
    return f"{half if half > 0 else DEFAULT_MEM_BUF_LIMIT_MIB}MB"


def firelens_config(
    firelens: FirelensContext,
    include: str,
    *,
    memory_reservation_mib: int | None = None,
    ecs_log_metadata: bool = True,
) -> str:
    """The text FireLens generates for a Fargate task whose router config file is ``include``.

    Args:
        firelens: The task's values (cluster, task ARN, task definition).
        include: ``config-file-value``: the path the router image holds its config at.
        memory_reservation_mib: The router container's ``memoryReservation``. Default: none declared.
        ecs_log_metadata: ``enable-ecs-log-metadata``. Default: on, as in ECS.
    """
    inputs = [
        ("forward", None, {"Mem_Buf_Limit": mem_buf_limit(memory_reservation_mib), "unix_path": FIRELENS_SOCKET_PATH}),
        ("forward", None, {"Listen": FIRELENS_TCP_ADDRESS[0], "Port": str(FIRELENS_TCP_ADDRESS[1])}),
        ("tcp", HEALTHCHECK_TAG, {"Listen": HEALTHCHECK_ADDRESS[0], "Port": str(HEALTHCHECK_ADDRESS[1])}),
    ]
    blocks = []
    for name, tag, options in inputs:
        lines = ["[INPUT]", f"    Name {name}"] + ([f"    Tag {tag}"] if tag else [])
        lines += [f"    {key} {value}" for key, value in sorted(options.items())]
        blocks.append("\n".join(lines))
    if ecs_log_metadata:
        section = firelens.metadata_filter()  # the preview's own copy of this filter: one source for both
        records = sorted(entry.value for entry in section.entries if entry.key == "Record")
        lines = ["[FILTER]", "    Name record_modifier", "    Match *"] + [f"    Record {r}" for r in records]
        blocks.append("\n".join(lines))
    blocks.append(f"@INCLUDE {include}")
    blocks.append("\n".join(["[OUTPUT]", "    Name null", f"    Match {HEALTHCHECK_TAG}"]))
    return "\n\n".join(blocks) + "\n"

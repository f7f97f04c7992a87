"""Fluent Bit limits and defaults the log-routing code relies on, each with its source.

One place for every Fluent Bit number or character set that routes, the
compiler, the linter and the preview depend on, so a reader can check each
against the page it comes from. Defaults chosen by this project (not by
Fluent Bit) say so and say why. AWS limits (names, retention, stopTimeout)
live in :mod:`firelens_cdktf.limits` and are re-exported here under the names this
code uses.
"""

from __future__ import annotations

import re

from firelens_cdktf import limits as _limits

# --- Fluent Bit [SERVICE] ----------------------------------------------------
# https://docs.fluentbit.io/manual/administration/configuring-fluent-bit/classic-mode/configuration-file
#: Fluent Bit's own default for ``Grace`` (seconds to wait for outputs on shutdown).
FLUENT_BIT_DEFAULT_GRACE_SECONDS = 5

#: Project default for ``Flush``: the article's value, same as Fluent Bit's.
DEFAULT_FLUSH_SECONDS = 1
#: Project default for ``Grace``: the article's value. Fluent Bit's 5 s is too
#: short to drain a retrying Firehose batch when the task stops.
DEFAULT_GRACE_SECONDS = 30

#: Grace must fit inside the log router's stopTimeout (at most 120 s on
#: Fargate), otherwise ECS kills Fluent Bit before it has flushed.
FARGATE_MAX_STOP_TIMEOUT_SECONDS = _limits.FARGATE_MAX_STOP_TIMEOUT

# --- Fluent Bit [OUTPUT] -------------------------------------------------------
# https://docs.fluentbit.io/manual/administration/scheduling-and-retries
#: Fluent Bit's own default for ``Retry_Limit`` is 1, and a chunk whose
#: retries run out is dropped ("cannot be retried", src/flb_engine.c). Each
#: retry waits ``uniform(base, min(cap, base * 2**n)) + 1`` s
#: (src/flb_scheduler.c), so with 5 retries and the default base 5 / cap 2000
#: a chunk is dropped 30-315 s into an outage (about 5% of chunks within 90 s:
#: 418 of 32,000 records measured). Project default: ``None``, written
#: ``Retry_Limit no_limits`` (src/flb_output.c): no chunk is dropped for
#: running out of retries; disk (filesystem buffering below) bounds an outage.
DEFAULT_RETRY_LIMIT: int | None = None
#: How ``Retry_Limit`` spells "retry for ever" (src/flb_output.c, FLB_OUT_RETRY_UNLIMITED).
RETRY_FOREVER = "no_limits"
#: Fluent Bit's ``scheduler.cap`` (include/fluent-bit/flb_scheduler.h): the
#: longest wait before a retry, 2,000 s. With unlimited retries that is how long
#: delivery can lag behind the end of an outage.
FLUENT_BIT_DEFAULT_SCHEDULER_CAP_SECONDS = 2000
#: Project default for ``scheduler.cap``: delivery resumes at most 31 s after
#: an outage ends (the cap plus the scheduler's 1 s).
DEFAULT_SCHEDULER_CAP_SECONDS = 30

# --- record sizes: Docker's split and the AWS outputs' limits (fluentbit/output_limits.py) ----
#: Docker's log copier buffer: a stdout line that fills it before its newline
#: is sent in pieces of this many bytes, marked partial (``defaultBufSize``,
#: moby daemon/logger/copier.go).
DOCKER_LOG_LINE_BUFFER_BYTES = 16 * 1024
#: cloudwatch_logs truncates an event message (escaped, as it goes in the
#: request) to ``MAX_EVENT_LEN`` (plugins/out_cloudwatch_logs/cloudwatch_api.h,
#: since v4.2.2; earlier releases used 262,118).
FLUENT_BIT_CLOUDWATCH_MAX_EVENT_BYTES = _limits.FLUENT_BIT_CLOUDWATCH_MAX_MESSAGE_BYTES
#: cloudwatch_logs renders each event into a buffer of
#: ``PUT_LOG_EVENTS_PAYLOAD_SIZE`` bytes (plugins/out_cloudwatch_logs/cloudwatch_logs.c
#: ``tmp_buf``); an event that does not fit an empty one is discarded.
CLOUDWATCH_PLUGIN_BUFFER_BYTES = 1_048_576
#: kinesis_firehose discards a record whose JSON plus newline reaches
#: ``MAX_EVENT_SIZE`` (plugins/out_kinesis_firehose/firehose_api.h).
FLUENT_BIT_FIREHOSE_MAX_EVENT_BYTES = _limits.FIREHOSE_RECORD_MAX_BYTES

# --- Fluent Bit HTTP server and health check -----------------------------------
# https://docs.fluentbit.io/manual/administration/monitoring
#: Fluent Bit's default ``HTTP_Port``; the log router's health check queries it.
DEFAULT_HTTP_PORT = 2020
#: Project default for ``HTTP_Listen``: loopback only. The container health
#: check runs inside the task, whose containers share localhost (awsvpc), so
#: the monitoring API never needs to be reachable on the task's network interface.
DEFAULT_HTTP_LISTEN = "127.0.0.1"
#: ``Health_Check`` thresholds of ``/api/v1/health``: AWS's values in
#: aws/aws-for-fluent-bit ``configs/output-metrics-healthcheck.conf``
#: (unhealthy after 5 output errors or 5 exhausted retries within 5 s).
DEFAULT_HC_ERRORS_COUNT = 5
DEFAULT_HC_RETRY_FAILURE_COUNT = 5
DEFAULT_HC_PERIOD_SECONDS = 5
#: Ports FireLens's own generated inputs hold in the task (see :mod:`firelens_cdktf.limits`).
FIRELENS_RESERVED_PORTS = _limits.FIRELENS_RESERVED_PORTS

# --- buffers: memory or the task's disk ------------------------------------------
# A memory-buffered input that reaches its Mem_Buf_Limit is paused, and while
# it is paused every record it receives is dropped (src/flb_input_chunk.c);
# FireLens's forward input then also closes its connections, so what the app
# already sent is lost with no error (plugins/in_forward/fw.c). The same
# happens to a route's copies: rewrite_tag counts a busy emitter as success
# (plugins/filter_rewrite_tag/rewrite_tag.c). A filesystem-buffered input
# never pauses on Mem_Buf_Limit: chunks go to disk instead. FireLens generates
# the forward input and sets no storage type on it, so [SERVICE]
# storage.type + storage.inherit reach it (src/flb_storage.c,
# flb_storage_input_create); the emitters are set one by one.
#: Where Fluent Bit keeps its chunks: on Fargate, the task's ephemeral storage
#: (20 GiB by default), discarded when the task stops.
DEFAULT_STORAGE_PATH: str | None = "/var/log/flb-storage/"
#: ``storage.max_chunks_up``: chunks held in memory at once, each at most about
#: 2 MB (FLB_INPUT_CHUNK_FS_MAX_SIZE). Fluent Bit's default, 128, can hold
#: ~256 MB; 32 keeps the router within ~64 MB of chunk memory (see make bench-router).
DEFAULT_STORAGE_MAX_CHUNKS_UP = 32
FLUENT_BIT_DEFAULT_STORAGE_MAX_CHUNKS_UP = 128

# --- rewrite_tag ----------------------------------------------------------------
# https://docs.fluentbit.io/manual/data-pipeline/filters/rewrite-tag
#: Fluent Bit's documented default for ``Emitter_Mem_Buf_Limit``; set
#: explicitly so the limit is visible in the config and can be lowered for
#: small Fargate tasks.
DEFAULT_EMITTER_MEM_BUF_LIMIT = "10M"
#: Unit sizes Fluent Bit accepts for buffer limits.
#: https://docs.fluentbit.io/manual/administration/configuring-fluent-bit/unit-sizes
SIZE_PATTERN = re.compile(r"^[1-9][0-9]*(?:[KkMmGg][Bb]?)?$")
#: Bytes per unit letter of a Fluent Bit size (``K``, ``M``, ``G``; none = bytes).
SIZE_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}


def size_bytes(size: str) -> int:
    """Bytes in a Fluent Bit size such as ``10M`` or ``512KB`` (it must match :data:`SIZE_PATTERN`)."""
    digits = size.rstrip("KkMmGgBb")
    unit = size[len(digits) :].upper().rstrip("B")
    return int(digits) * SIZE_UNITS[unit]


#: Characters the rewrite_tag page allows in a new tag ("a-z, A-Z, 0-9 and
#: .-,"). ``_`` is added: FireLens builds tags from container names, which ECS
#: allows to contain underscores, and Fluent Bit routes such tags normally.
TAG_ALLOWED_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-,_")

# --- FireLens -------------------------------------------------------------------
# The ECS agent tags every record of a container "<container>-firelens-<task id>"
# (fluentTagDockerFormat in aws/amazon-ecs-agent agent/engine/docker_task_engine.go)
# and the config it generates matches them with "<container>-firelens*".
FIRELENS_TAG_INFIX = "-firelens-"
#: ECS container names, which FireLens copies into every tag.
CONTAINER_NAME_PATTERN = _limits.CONTAINER_NAME
#: Where FireLens reads a ``config-file-type file`` config inside the image.
#: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/firelens-taskdef.html
FIRELENS_CONFIG_DIR = "/fluent-bit/etc"

# --- CloudWatch Logs ------------------------------------------------------------
LOG_GROUP_NAME_PATTERN = _limits.LOG_GROUP_NAME
# https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogStream.html
# (1-512 characters, ':' and '*' are not allowed)
LOG_STREAM_FORBIDDEN_CHARACTERS = frozenset(":*")
LOG_STREAM_NAME_MAX_LENGTH = 512
LOG_RETENTION_DAYS = _limits.LOG_RETENTION_DAYS

# --- Kinesis Data Firehose ------------------------------------------------------
DELIVERY_STREAM_NAME_PATTERN = _limits.FIREHOSE_STREAM_NAME
#: First Fluent Bit release whose ``kinesis_firehose`` output has
#: ``simple_aggregation`` (fluent/fluent-bit PR #11284, released in 4.2.2 per
#: fluent/fluent-bit-docs issue #2316).
SIMPLE_AGGREGATION_MIN_FLUENT_BIT = (4, 2, 2)

# --- AWS regions ------------------------------------------------------------------
REGION_PATTERN = _limits.REGION_NAME

"""Fluent Bit limits and defaults the log-routing code relies on, each with its source.

One place for every Fluent Bit number or character set that routes, the
compiler, the linter and the preview depend on, so a reader can check each
against the page it comes from. Defaults chosen by this project (not by
Fluent Bit) say so and say why. AWS limits (names, retention, stopTimeout)
live in :mod:`modules._limits` and are re-exported here under the names this
code uses.
"""

from __future__ import annotations

import re

from . import _limits

# --- Fluent Bit [SERVICE] ----------------------------------------------------
# https://docs.fluentbit.io/manual/administration/configuring-fluent-bit/classic-mode/configuration-file
#: Fluent Bit's own default for ``Flush`` (seconds between flushes to outputs).
FLUENT_BIT_DEFAULT_FLUSH_SECONDS = 1
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
#: Fluent Bit's own default for ``Retry_Limit``.
FLUENT_BIT_DEFAULT_RETRY_LIMIT = 1
#: Project default for ``Retry_Limit``: with Fluent Bit's one retry a batch is
#: lost after two throttled calls; five retries (exponential backoff from 5 s)
#: ride out short AWS API hiccups. On shutdown ``Grace`` still bounds the wait.
DEFAULT_RETRY_LIMIT = 5

# --- rewrite_tag ----------------------------------------------------------------
# https://docs.fluentbit.io/manual/data-pipeline/filters/rewrite-tag
#: Fluent Bit's documented default for ``Emitter_Mem_Buf_Limit``; set
#: explicitly so the limit is visible in the config and can be lowered for
#: small Fargate tasks.
DEFAULT_EMITTER_MEM_BUF_LIMIT = "10M"
#: Unit sizes Fluent Bit accepts for buffer limits.
#: https://docs.fluentbit.io/manual/administration/configuring-fluent-bit/unit-sizes
SIZE_PATTERN = re.compile(r"^[1-9][0-9]*(?:[KkMmGg][Bb]?)?$")

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

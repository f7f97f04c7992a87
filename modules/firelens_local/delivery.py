"""The local stand-in for the log router: what its AWS outputs would send, and sending it.

``make run`` has no Fluent Bit: the preview (:mod:`firelens_cdktf.fluentbit.simulator`) says
which output receives which copy of each record, and this module does what
the two output plugins of the compiled config would then do, with the same
AWS APIs, against the deployed resources:

- ``kinesis_firehose`` (fluent/fluent-bit plugins/out_kinesis_firehose,
  firehose_api.c): each record becomes its JSON plus ``"\\n"``; a record
  whose JSON is ``{}`` is discarded, one that reaches 1,000 KiB with its
  newline too (:mod:`firelens_cdktf.fluentbit.output_limits`). With
  ``simple_aggregation`` on (src/aws/flb_aws_aggregation.c)
  those lines are concatenated into one Firehose record of at most
  1,000 KiB, which gets one more ``"\\n"`` at the end; without it each line
  is its own Firehose record. Records go out with ``PutRecordBatch``.
- ``cloudwatch_logs`` (plugins/out_cloudwatch_logs, cloudwatch_api.c): each
  record becomes one event whose message is the record's JSON (the plugin's
  ``log_key`` option, which sends one key's value instead, is not used by the
  compiled config and is refused here), truncated at 1,000,000 escaped bytes
  or discarded when too large for the plugin's buffer
  (:func:`~firelens_cdktf.fluentbit.output_limits.cloudwatch_message`); events
  are sorted by time and sent with ``PutLogEvents`` to the stream
  ``<log_stream_prefix><tag>`` (or ``log_stream_name``), created first.

The record's JSON is the preview's compact rendering
(:func:`firelens_cdktf.fluentbit.record_accessor.encode_json`) with the
``\\uXXXX`` escapes Fluent Bit writes for non-ASCII text (its
``json.escape_unicode``, on by default:
:func:`~firelens_cdktf.fluentbit.output_limits.fluent_bit_json`).

Fluent Bit flushes each tag's chunk separately; the stand-in delivers a
whole run at once, so with aggregation it builds one aggregate per
(output, tag) and batches the resulting Firehose records into as few calls
as the API allows (Fluent Bit sends each aggregate in its own call). Neither
changes what is stored or billed per record.

Planning (:func:`plan_delivery`, the batching functions) is pure; only
:func:`send` talks to AWS.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from firelens_cdktf import limits as _limits
from firelens_cdktf.errors import StandInError
from firelens_cdktf.fluentbit.config import FluentBitConfig, Section
from firelens_cdktf.fluentbit.output_limits import DISCARDED, cloudwatch_message, fate, fluent_bit_json
from firelens_cdktf.fluentbit.record_accessor import encode_json
from firelens_cdktf.fluentbit.simulator import Outcome

#: Output plugins the stand-in reproduces.
FIREHOSE_PLUGIN = "kinesis_firehose"
CLOUDWATCH_PLUGIN = "cloudwatch_logs"
#: Options the stand-in reproduces (or that change nothing it sends), per plugin.
_COMMON_OPTIONS = frozenset(
    {
        "name",
        "alias",
        "match",
        "match_regex",
        "region",
        "retry_limit",
        "log_level",
        "workers",
        "storage.total_limit_size",
    }
)
_MODELLED_OPTIONS = {
    FIREHOSE_PLUGIN: _COMMON_OPTIONS | {"delivery_stream", "simple_aggregation"},
    CLOUDWATCH_PLUGIN: _COMMON_OPTIONS
    | {"log_group_name", "log_stream_prefix", "log_stream_name", "auto_create_group", "log_retention_days"},
}


# --- the outputs of a config ---------------------------------------------------------


@dataclass(frozen=True)
class FirehoseOutput:
    """A ``kinesis_firehose`` output: where its records go.

    Attributes:
        name: the output's name (its Alias), as the preview reports deliveries.
        delivery_stream: the Firehose delivery stream.
        region: its ``region`` option.
        simple_aggregation: whether records are packed into 1,000 KiB Firehose records.
    """

    name: str
    delivery_stream: str
    region: str
    simple_aggregation: bool


@dataclass(frozen=True)
class CloudWatchOutput:
    """A ``cloudwatch_logs`` output: where its events go.

    Attributes:
        name: the output's name (its Alias).
        log_group: ``log_group_name``.
        region: its ``region`` option.
        stream_prefix: ``log_stream_prefix``: streams are ``<prefix><tag>``.
        stream_name: ``log_stream_name``: one fixed stream instead.
    """

    name: str
    log_group: str
    region: str
    stream_prefix: str | None = None
    stream_name: str | None = None

    def log_stream(self, tag: str) -> str:
        """The stream a record with ``tag`` goes to, as the plugin names it."""
        return self.stream_name if self.stream_name else f"{self.stream_prefix}{tag}"


AwsOutput = FirehoseOutput | CloudWatchOutput


def aws_outputs(config: FluentBitConfig) -> dict[str, AwsOutput]:
    """Every ``[OUTPUT]`` of ``config``, by output name, as the stand-in will deliver it.

    Raises:
        StandInError: an output uses a plugin or an option the stand-in does
            not reproduce, or lacks what it needs (stream, group, region).
    """
    outputs: dict[str, AwsOutput] = {}
    for section in config.outputs:
        name = config.output_name(section)
        plugin = section.plugin
        if plugin not in _MODELLED_OPTIONS:
            raise StandInError(
                section.describe(),
                f"output plugin {plugin!r} is not reproduced by the local stand-in "
                f"(only {FIREHOSE_PLUGIN} and {CLOUDWATCH_PLUGIN})",
                "route to a Firehose stream or a CloudWatch log group",
            )
        unknown = sorted({e.key for e in section.entries if e.key.lower() not in _MODELLED_OPTIONS[plugin]})
        if unknown:
            raise StandInError(
                section.describe(),
                f"option(s) {unknown} change what {plugin} sends and are not reproduced by the local stand-in",
                "drop them, or teach modules/firelens_local/delivery.py them",
            )
        region = _required(section, "region")
        if plugin == FIREHOSE_PLUGIN:
            outputs[name] = FirehoseOutput(
                name, _required(section, "delivery_stream"), region, _flag(section, "simple_aggregation")
            )
        else:
            prefix, fixed = section.get("log_stream_prefix"), section.get("log_stream_name")
            if not prefix and not fixed:
                raise StandInError(
                    section.describe(),
                    "neither log_stream_prefix nor log_stream_name is set",
                    "set log_stream_prefix (the compiler writes 'fluentbit-')",
                )
            outputs[name] = CloudWatchOutput(name, _required(section, "log_group_name"), region, prefix, fixed)
    return outputs


def _required(section: Section, key: str) -> str:
    value = section.get(key)
    if not value:
        raise StandInError(section.describe(), f"{key} is not set", f"set {key} in the output")
    return value


def _flag(section: Section, key: str) -> bool:
    return (section.get(key) or "false").strip().lower() in ("true", "on", "yes", "1")


# --- what the outputs receive ----------------------------------------------------------


@dataclass(frozen=True)
class RoutedCopy:
    """One copy of a record that an output receives.

    Attributes:
        output: the output's name.
        tag: the copy's tag (CloudWatch stream names derive from it).
        body: the record's JSON, what both plugins serialize.
        timestamp_ms: the record's time (CloudWatch event timestamp).
    """

    output: str
    tag: str
    body: str
    timestamp_ms: int


def routed_copies(outcomes: Iterable[Outcome], timestamp_ms: int) -> tuple[RoutedCopy, ...]:
    """Every delivery the preview predicted, in order, stamped with ``timestamp_ms``."""
    return tuple(
        RoutedCopy(d.output, d.tag, encode_json(d.record), timestamp_ms)
        for outcome in outcomes
        for d in outcome.deliveries
    )


@dataclass(frozen=True)
class LogEvent:
    """A CloudWatch Logs event as ``PutLogEvents`` takes it."""

    timestamp_ms: int
    message: str

    @property
    def size(self) -> int:
        """What the event counts against a batch: UTF-8 bytes plus 26."""
        return len(self.message.encode("utf-8")) + _limits.CLOUDWATCH_EVENT_OVERHEAD_BYTES


@dataclass(frozen=True)
class FirehoseDelivery:
    """What one ``kinesis_firehose`` output sends.

    Attributes:
        output: the output.
        bodies: the log records (JSON) it sends, in order; each arrives in S3
            as one line.
        records: the Firehose records (``Data`` blobs), aggregated or not.
        batches: ``records`` split into ``PutRecordBatch`` calls.
    """

    output: FirehoseOutput
    bodies: tuple[str, ...]
    records: tuple[bytes, ...]
    batches: tuple[tuple[bytes, ...], ...]


@dataclass(frozen=True)
class CloudWatchDelivery:
    """What one ``cloudwatch_logs`` output sends to one log stream.

    Attributes:
        output: the output.
        log_stream: ``<log_stream_prefix><tag>``.
        events: the events, in time order.
        batches: ``events`` split into ``PutLogEvents`` calls.
    """

    output: CloudWatchOutput
    log_stream: str
    events: tuple[LogEvent, ...]
    batches: tuple[tuple[LogEvent, ...], ...]


@dataclass(frozen=True)
class DeliveryPlan:
    """Everything the stand-in will send, and the copies the plugins would drop.

    Attributes:
        firehose: one entry per Firehose output that receives anything.
        cloudwatch: one entry per (CloudWatch output, log stream).
        discarded: ``(copy, reason)`` for copies a plugin would drop.
    """

    firehose: tuple[FirehoseDelivery, ...]
    cloudwatch: tuple[CloudWatchDelivery, ...]
    discarded: tuple[tuple[RoutedCopy, str], ...] = ()

    @property
    def calls(self) -> int:
        """Number of AWS API calls that send data (not counting CreateLogStream)."""
        return sum(len(f.batches) for f in self.firehose) + sum(len(c.batches) for c in self.cloudwatch)


def plan_delivery(copies: Sequence[RoutedCopy], outputs: Mapping[str, AwsOutput]) -> DeliveryPlan:
    """Turn the copies each output receives into the API calls its plugin would make.

    Raises:
        StandInError: a copy names an output that is not in ``outputs``.
    """
    discarded: list[tuple[RoutedCopy, str]] = []
    by_output: dict[str, list[RoutedCopy]] = {}
    for copy in copies:
        if copy.output not in outputs:
            raise StandInError(
                f"output {copy.output!r}",
                "the preview delivered to an output the config does not have",
                "preview and deliver with the same config",
            )
        by_output.setdefault(copy.output, []).append(copy)

    firehose: list[FirehoseDelivery] = []
    cloudwatch: list[CloudWatchDelivery] = []
    for name, received in by_output.items():
        output = outputs[name]
        if isinstance(output, FirehoseOutput):
            bodies: list[str] = []
            records: list[bytes] = []
            for chunk in _chunks_by_tag(received):  # Fluent Bit flushes one chunk (one tag) at a time
                kept = []
                for copy in chunk:
                    reason = firehose_discard_reason(copy.body)
                    if reason:
                        discarded.append((copy, reason))
                    else:
                        kept.append(fluent_bit_json(copy.body))
                bodies.extend(kept)
                records.extend(firehose_records(kept, simple_aggregation=output.simple_aggregation))
            if records:
                firehose.append(
                    FirehoseDelivery(output, tuple(bodies), tuple(records), batch_firehose_records(records))
                )
        else:
            streams: dict[str, list[LogEvent]] = {}
            for copy in received:
                reason = cloudwatch_fate(copy.body)
                if reason:
                    discarded.append((copy, reason))
                    continue
                streams.setdefault(output.log_stream(copy.tag), []).append(
                    LogEvent(copy.timestamp_ms, truncate_message(copy.body))
                )
            for stream, events in streams.items():
                ordered = tuple(sorted(events, key=lambda e: e.timestamp_ms))  # stable: ties keep arrival order
                cloudwatch.append(CloudWatchDelivery(output, stream, ordered, batch_log_events(ordered)))
    return DeliveryPlan(tuple(firehose), tuple(cloudwatch), tuple(discarded))


def _chunks_by_tag(copies: Sequence[RoutedCopy]) -> list[list[RoutedCopy]]:
    chunks: dict[str, list[RoutedCopy]] = {}
    for copy in copies:
        chunks.setdefault(copy.tag, []).append(copy)
    return list(chunks.values())


def firehose_discard_reason(body: str) -> str | None:
    """Why ``kinesis_firehose`` would drop a record with this JSON, or ``None``."""
    outcome = fate(FIREHOSE_PLUGIN, body)
    return outcome.describe() if outcome is not None else None


def firehose_records(bodies: Sequence[str], *, simple_aggregation: bool) -> tuple[bytes, ...]:
    """The Firehose records ``kinesis_firehose`` makes of one flush of records.

    Each record is its JSON plus ``"\\n"``. Aggregated, the lines are packed
    in order into records of at most 1,000 KiB, each finished with one more
    ``"\\n"`` when there is room. Bodies must already have passed
    :func:`firehose_discard_reason`.

    Example:
        >>> firehose_records(['{"a":1}', '{"b":2}'], simple_aggregation=True)
        (b'{"a":1}\\n{"b":2}\\n\\n',)
    """
    lines = [(body + "\n").encode("utf-8") for body in bodies]
    if not simple_aggregation:
        return tuple(lines)
    limit = _limits.FIREHOSE_RECORD_MAX_BYTES
    records: list[bytes] = []
    current = bytearray()
    for line in lines:
        if current and len(current) + len(line) > limit:
            records.append(_finalize(current, limit))
            current = bytearray()
        current += line
    if current:
        records.append(_finalize(current, limit))
    return tuple(records)


def _finalize(buffer: bytearray, limit: int) -> bytes:
    # flb_aws_aggregation_finalize(add_final_newline=1): one more newline if it fits.
    return bytes(buffer + b"\n") if len(buffer) < limit else bytes(buffer)


def batch_firehose_records(records: Sequence[bytes]) -> tuple[tuple[bytes, ...], ...]:
    """Split records into ``PutRecordBatch`` calls: at most 500 records and 4 MiB of data each.

    Raises:
        StandInError: a record is larger than Firehose accepts (1,000 KiB).
    """
    batches: list[tuple[bytes, ...]] = []
    current: list[bytes] = []
    size = 0
    for record in records:
        if len(record) > _limits.FIREHOSE_RECORD_MAX_BYTES:
            raise StandInError(
                "Firehose record",
                f"{len(record)} bytes is more than the {_limits.FIREHOSE_RECORD_MAX_BYTES} Firehose accepts",
                "split the record",
            )
        if current and (
            len(current) == _limits.FIREHOSE_BATCH_MAX_RECORDS or size + len(record) > _limits.FIREHOSE_BATCH_MAX_BYTES
        ):
            batches.append(tuple(current))
            current, size = [], 0
        current.append(record)
        size += len(record)
    if current:
        batches.append(tuple(current))
    return tuple(batches)


def truncate_message(message: str) -> str:
    """The message ``cloudwatch_logs`` sends for a record whose JSON is ``message`` (which it does not discard).

    Fluent Bit's rendering (``\\u`` escapes), cut at 1,000,000 bytes as
    escaped in the request, without an unpaired trailing backslash
    (:func:`~firelens_cdktf.fluentbit.output_limits.cloudwatch_message`).

    Raises:
        StandInError: the plugin discards the record instead (see ``plan_delivery``).
    """
    sent = cloudwatch_message(message)
    if sent is None:
        raise StandInError("CloudWatch log event", f"{cloudwatch_fate(message)}", "discard it as plan_delivery does")
    return sent


def cloudwatch_fate(message: str) -> str | None:
    """Why ``cloudwatch_logs`` would drop a record with this JSON, or ``None`` (it may still truncate it)."""
    outcome = fate(CLOUDWATCH_PLUGIN, message)
    return outcome.describe() if outcome is not None and outcome.kind == DISCARDED else None


def batch_log_events(events: Sequence[LogEvent]) -> tuple[tuple[LogEvent, ...], ...]:
    """Split events (sorted by time first) into ``PutLogEvents`` calls.

    Each call holds at most 10,000 events, 1,048,576 bytes counted as UTF-8
    message bytes plus 26 per event, and spans at most 24 hours.

    Raises:
        StandInError: one event alone is larger than a call may be.
    """
    ordered = sorted(events, key=lambda e: e.timestamp_ms)
    batches: list[tuple[LogEvent, ...]] = []
    current: list[LogEvent] = []
    size = 0
    for event in ordered:
        if event.size > _limits.CLOUDWATCH_BATCH_MAX_BYTES:
            raise StandInError(
                "CloudWatch log event",
                f"{event.size} bytes is more than a PutLogEvents call takes",
                "truncate the message with truncate_message()",
            )
        if current and (
            len(current) == _limits.CLOUDWATCH_BATCH_MAX_EVENTS
            or size + event.size > _limits.CLOUDWATCH_BATCH_MAX_BYTES
            or event.timestamp_ms - current[0].timestamp_ms >= _limits.CLOUDWATCH_BATCH_MAX_SPAN_MS
        ):
            batches.append(tuple(current))
            current, size = [], 0
        current.append(event)
        size += event.size
    if current:
        batches.append(tuple(current))
    return tuple(batches)


# --- sending -------------------------------------------------------------------------------


class _FirehoseClient(Protocol):
    def put_record_batch(self, **kwargs: Any) -> dict[str, Any]: ...


class _LogsClient(Protocol):
    @property
    def exceptions(self) -> Any: ...

    def create_log_stream(self, **kwargs: Any) -> dict[str, Any]: ...

    def put_log_events(self, **kwargs: Any) -> dict[str, Any]: ...


def send(plan: DeliveryPlan, *, firehose: _FirehoseClient, logs: _LogsClient) -> int:
    """Make the plan's API calls; the number of calls that sent data.

    Args:
        plan: from :func:`plan_delivery`.
        firehose: a boto3 ``firehose`` client.
        logs: a boto3 ``logs`` client.

    Raises:
        StandInError: Firehose reported failed records, or CloudWatch
            rejected events (the message names the stream and the reason).
    """
    calls = 0
    for delivery in plan.firehose:
        stream = delivery.output.delivery_stream
        for batch in delivery.batches:
            answer = firehose.put_record_batch(DeliveryStreamName=stream, Records=[{"Data": r} for r in batch])
            calls += 1
            if answer.get("FailedPutCount"):
                errors = sorted(
                    {r.get("ErrorCode", "?") for r in answer.get("RequestResponses", []) if r.get("ErrorCode")}
                )
                raise StandInError(
                    f"Firehose {stream}",
                    f"{answer['FailedPutCount']} of {len(batch)} records failed ({', '.join(errors)})",
                    "check the stream exists and is ACTIVE",
                )
    for stream_delivery in plan.cloudwatch:
        group, stream = stream_delivery.output.log_group, stream_delivery.log_stream
        try:
            logs.create_log_stream(logGroupName=group, logStreamName=stream)
        except logs.exceptions.ResourceAlreadyExistsException:
            pass  # an earlier run (or another task with the same tag) created it
        for event_batch in stream_delivery.batches:
            answer = logs.put_log_events(
                logGroupName=group,
                logStreamName=stream,
                logEvents=[{"timestamp": e.timestamp_ms, "message": e.message} for e in event_batch],
            )
            calls += 1
            if answer.get("rejectedLogEventsInfo"):
                raise StandInError(
                    f"CloudWatch Logs {group} stream {stream}",
                    f"events were rejected: {answer['rejectedLogEventsInfo']}",
                    "send events from the last 14 days, not more than 2 hours ahead",
                )
    return calls

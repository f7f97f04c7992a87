"""Read back what the log destinations hold, before and after a delivery.

The emulator's destinations keep everything every earlier ``make run``
delivered, and some streams are shared between runs (a route's stream
``fluentbit-routed.<app>.<route>.<value>`` is the same for every task). So
the check compares *arrivals*: a :class:`Snapshot` of every object key in
the archive buckets and every event in every stream of the routed log
groups is taken before delivering and again after, and
:func:`arrivals_since` keeps what is new (a multiset difference for events,
new keys for objects, whose keys Firehose makes unique). Nothing else
writes there while ``make run`` runs, so the arrivals are exactly what this
run delivered: nothing from earlier runs, nothing missed.

Only the ``read_*`` functions call AWS; the rest is pure.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class StoredEvent:
    """One event stored in a log stream."""

    log_group: str
    log_stream: str
    message: str


@dataclass(frozen=True)
class StoredObject:
    """One S3 object and its bytes."""

    bucket: str
    key: str
    body: bytes


@dataclass(frozen=True)
class Snapshot:
    """What the destinations hold at one moment.

    Attributes:
        object_keys: ``(bucket, key)`` of every object in the archive buckets.
        events: every event of every stream in the routed log groups.
    """

    object_keys: frozenset[tuple[str, str]]
    events: tuple[StoredEvent, ...]


@dataclass(frozen=True)
class Arrivals:
    """What appeared between two snapshots.

    Attributes:
        object_keys: new ``(bucket, key)`` pairs, sorted.
        events: new events, in the order the later snapshot lists them.
    """

    object_keys: tuple[tuple[str, str], ...]
    events: tuple[StoredEvent, ...]


def arrivals_since(before: Snapshot, after: Snapshot) -> Arrivals:
    """What ``after`` holds that ``before`` did not (events counted as a multiset).

    Example:
        >>> e = StoredEvent("g", "s", "m")
        >>> arrivals_since(Snapshot(frozenset(), (e,)), Snapshot(frozenset({("b", "k")}), (e, e))).events
        (StoredEvent(log_group='g', log_stream='s', message='m'),)
    """
    remaining = Counter(before.events)
    new_events: list[StoredEvent] = []
    for event in after.events:
        if remaining[event] > 0:
            remaining[event] -= 1
        else:
            new_events.append(event)
    return Arrivals(tuple(sorted(after.object_keys - before.object_keys)), tuple(new_events))


@dataclass(frozen=True)
class FirehoseDestination:
    """Where a delivery stream writes, as the deployed stream describes it.

    Attributes:
        stream: the delivery stream.
        bucket: the S3 bucket (from its ARN).
        prefix: the key prefix expression (real Firehose evaluates ``!{timestamp:...}``).
        compression: ``GZIP``, ``UNCOMPRESSED``...
        buffer_mib: deliver after this much data...
        buffer_seconds: ... or after this long.
    """

    stream: str
    bucket: str
    prefix: str
    compression: str
    buffer_mib: int
    buffer_seconds: int


def read_firehose_destination(firehose: Any, stream: str) -> FirehoseDestination:
    """``DescribeDeliveryStream``: the S3 destination of ``stream``.

    Raises:
        LookupError: the stream has no S3 destination.
    """
    description = firehose.describe_delivery_stream(DeliveryStreamName=stream)["DeliveryStreamDescription"]
    for destination in description.get("Destinations", []):
        s3 = destination.get("ExtendedS3DestinationDescription") or destination.get("S3DestinationDescription")
        if s3:
            hints = s3.get("BufferingHints", {})
            return FirehoseDestination(
                stream=stream, bucket=s3["BucketARN"].split(":::", 1)[-1], prefix=s3.get("Prefix", ""),
                compression=s3.get("CompressionFormat", "UNCOMPRESSED"),
                buffer_mib=int(hints.get("SizeInMBs", 5)), buffer_seconds=int(hints.get("IntervalInSeconds", 300)))
    raise LookupError(f"Firehose delivery stream {stream!r} has no S3 destination")


def read_snapshot(s3: Any, logs: Any, *, buckets: Iterable[str], log_groups: Iterable[str]) -> Snapshot:
    """List every object key in ``buckets`` and every event in every stream of ``log_groups``."""
    keys: set[tuple[str, str]] = set()
    for bucket in buckets:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            keys.update((bucket, item["Key"]) for item in page.get("Contents", []))
    events: list[StoredEvent] = []
    for group in log_groups:
        for page in logs.get_paginator("describe_log_streams").paginate(logGroupName=group):
            for stream in page.get("logStreams", []):
                events.extend(StoredEvent(group, stream["logStreamName"], message)
                              for message in _stream_messages(logs, group, stream["logStreamName"]))
    return Snapshot(frozenset(keys), tuple(events))


def _stream_messages(logs: Any, group: str, stream: str) -> list[str]:
    """Every message of one stream, oldest first (GetLogEvents until the token repeats)."""
    messages: list[str] = []
    token: str | None = None
    while True:
        args: dict[str, Any] = {"logGroupName": group, "logStreamName": stream, "startFromHead": True}
        if token:
            args["nextToken"] = token
        page = logs.get_log_events(**args)
        messages.extend(event["message"] for event in page.get("events", []))
        if not page.get("events") or page.get("nextForwardToken") in (None, token):
            return messages
        token = page["nextForwardToken"]


def read_objects(s3: Any, keys: Sequence[tuple[str, str]]) -> tuple[StoredObject, ...]:
    """The bytes of each ``(bucket, key)``."""
    return tuple(StoredObject(bucket, key, s3.get_object(Bucket=bucket, Key=key)["Body"].read())
                 for bucket, key in keys)

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

The archive's table is read back too (:func:`read_deployed_table`, Glue's
``GetTable``), with its day partitions listed from the key names alone
(:func:`list_partitions`) before the objects of the days asked for are
fetched (:func:`fetch_partition`), and the workgroup's saved queries
(:func:`read_named_queries`): what ``make query`` runs.

Only the ``read_*``, ``list_*`` and ``fetch_*`` functions call AWS; the rest is pure.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from firelens_cdktf.archive.schema import PARQUET_SERDE, Column, parse_hive_type


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
        file_extension: the stream's own object extension (``.parquet``), or ``None`` for the default.
        schema_table: ``database.table`` whose columns the stream converts records to Parquet with, or
            ``None`` when it stores them as sent.
    """

    stream: str
    bucket: str
    prefix: str
    compression: str
    buffer_mib: int
    buffer_seconds: int
    file_extension: str | None = None
    schema_table: str | None = None


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
            conversion = s3.get("DataFormatConversionConfiguration") or {}
            schema = conversion.get("SchemaConfiguration") if conversion.get("Enabled", True) else None
            return FirehoseDestination(
                stream=stream,
                bucket=s3["BucketARN"].split(":::", 1)[-1],
                prefix=s3.get("Prefix", ""),
                compression=s3.get("CompressionFormat", "UNCOMPRESSED"),
                buffer_mib=int(hints.get("SizeInMBs", 5)),
                buffer_seconds=int(hints.get("IntervalInSeconds", 300)),
                file_extension=s3.get("FileExtension") or None,
                schema_table=f"{schema['DatabaseName']}.{schema['TableName']}" if schema else None,
            )
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
                events.extend(
                    StoredEvent(group, stream["logStreamName"], message)
                    for message in _stream_messages(logs, group, stream["logStreamName"])
                )
    return Snapshot(frozenset(keys), tuple(events))


def _stream_messages(logs: Any, group: str, stream: str) -> list[str]:
    """Every message of one stream, oldest first."""
    return [event["message"] for event in stream_events(logs, group, stream)]


def stream_events(logs: Any, group: str, stream: str) -> list[dict[str, Any]]:
    """Every event of one stream, oldest first, as GetLogEvents gives them (until the token repeats)."""
    events: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        args: dict[str, Any] = {"logGroupName": group, "logStreamName": stream, "startFromHead": True}
        if token:
            args["nextToken"] = token
        page = logs.get_log_events(**args)
        events.extend(page.get("events", []))
        if not page.get("events") or page.get("nextForwardToken") in (None, token):
            return events
        token = page["nextForwardToken"]


def read_objects(s3: Any, keys: Sequence[tuple[str, str]]) -> tuple[StoredObject, ...]:
    """The bytes of each ``(bucket, key)``."""
    return tuple(
        StoredObject(bucket, key, s3.get_object(Bucket=bucket, Key=key)["Body"].read()) for bucket, key in keys
    )


# --- the archive table, its partitions and its saved queries ------------------------------------


@dataclass(frozen=True)
class DeployedTable:
    """An archive table as Glue holds it: what ``make query`` needs to read it like Athena.

    Attributes:
        database: the Glue database.
        name: the table.
        columns: its columns, types parsed.
        bucket: the bucket of its ``storage.location.template``.
        template: the template's key part, e.g. ``year=${year}/month=${month}/day=${day}/``.
        digits: partition key -> zero-padding (``projection.<key>.digits``; 0 for none).
        parquet: the objects are Parquet (the table's SerDe is Parquet's), not GZIP JSON lines.
    """

    database: str
    name: str
    columns: tuple[Column, ...]
    bucket: str
    template: str
    digits: Mapping[str, int]
    parquet: bool = False

    def partition_prefix(self, day: date) -> str:
        """The key prefix of one day's partition: ``year=2026/month=11/day=30/``."""
        values = {"year": day.year, "month": day.month, "day": day.day}
        return re.sub(
            r"\$\{(\w+)\}", lambda m: str(values[m.group(1)]).zfill(self.digits.get(m.group(1), 0)), self.template
        )

    @property
    def listing_prefix(self) -> str:
        """The template's constant start (``year=``): every partition's keys begin with it."""
        return self.template.split("${", 1)[0]

    def day_of(self, key: str) -> date | None:
        """The partition day a key belongs to, from the key alone; ``None`` for keys outside the template."""
        pattern = re.escape(self.template)
        for name in ("year", "month", "day"):
            pattern = pattern.replace(re.escape("${" + name + "}"), f"(?P<{name}>\\d+)", 1)
        match = re.match(pattern, key)
        if not match:
            return None
        try:
            return date(int(match.group("year")), int(match.group("month")), int(match.group("day")))
        except ValueError:
            return None


def read_deployed_table(glue: Any, qualified_name: str) -> DeployedTable:
    """``GetTable`` of ``database.table``, read into a :class:`DeployedTable`.

    Raises:
        LookupError: the table has no projection template (it is not an archive table).
        ValueError: a column type this project does not model.
    """
    database, _, name = qualified_name.partition(".")
    table = glue.get_table(DatabaseName=database, Name=name)["Table"]
    parameters = table.get("Parameters", {})
    location = parameters.get("storage.location.template", "")
    if not location.startswith("s3://"):
        raise LookupError(f"Glue table {qualified_name} has no storage.location.template: redeploy the pipeline")
    bucket, _, template = location[len("s3://") :].partition("/")
    columns = tuple(
        Column(c["Name"], parse_hive_type(c["Type"]), c.get("Comment", ""))
        for c in table["StorageDescriptor"]["Columns"]
    )
    digits = {key: int(parameters.get(f"projection.{key}.digits", 0)) for key in ("year", "month", "day")}
    serde = table["StorageDescriptor"].get("SerdeInfo", {}).get("SerializationLibrary", "")
    return DeployedTable(database, name, columns, bucket, template, digits, parquet=serde == PARQUET_SERDE)


@dataclass(frozen=True)
class PartitionObject:
    """One object of an archive partition, listed (``body`` empty) or fetched."""

    key: str
    day: date
    size: int
    body: bytes = b""


def list_partitions(s3: Any, table: DeployedTable) -> dict[date, tuple[PartitionObject, ...]]:
    """Every day partition of ``table`` and its objects, from the key names only (nothing is fetched).

    Lists under the template's constant start (``year=``), so the error
    records under ``errors/`` are never listed.
    """
    days: dict[date, list[PartitionObject]] = {}
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=table.bucket, Prefix=table.listing_prefix)
    for page in pages:
        for item in page.get("Contents", []):
            day = table.day_of(item["Key"])
            if day is not None:
                days.setdefault(day, []).append(PartitionObject(item["Key"], day, int(item["Size"])))
    return {day: tuple(sorted(objects, key=lambda o: o.key)) for day, objects in sorted(days.items())}


def fetch_partition(s3: Any, table: DeployedTable, objects: Sequence[PartitionObject]) -> tuple[PartitionObject, ...]:
    """The listed ``objects`` with their bodies (GetObject each)."""
    return tuple(
        PartitionObject(o.key, o.day, o.size, s3.get_object(Bucket=table.bucket, Key=o.key)["Body"].read())
        for o in objects
    )


@dataclass(frozen=True)
class DeployedQuery:
    """One Athena named query as the workgroup holds it."""

    name: str
    description: str
    database: str
    sql: str


def read_named_queries(athena: Any, workgroup: str) -> tuple[DeployedQuery, ...]:
    """Every named query of ``workgroup`` (ListNamedQueries, GetNamedQuery), sorted by name."""
    ids: list[str] = []
    for page in athena.get_paginator("list_named_queries").paginate(WorkGroup=workgroup):
        ids.extend(page.get("NamedQueryIds", []))
    queries = [athena.get_named_query(NamedQueryId=query_id)["NamedQuery"] for query_id in ids]
    return tuple(
        sorted(
            (DeployedQuery(q["Name"], q.get("Description", ""), q["Database"], q["QueryString"]) for q in queries),
            key=lambda q: q.name,
        )
    )

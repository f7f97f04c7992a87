"""Check that every record the preview predicted arrived where it should, and nothing else did.

A record is accounted for by *where* it is (:class:`Placement`: an S3
bucket, or a log group and stream) and *what* it is (its JSON text, byte
for byte). Expected and observed records are compared as multisets, so a
record delivered twice, or once to the wrong stream, shows up as a
difference. Firehose objects are also checked byte for byte in total, which
catches framing (the newlines Firehose records carry) that a line-by-line
comparison would not.

Every new object's key is checked too (:func:`misnamed_keys`): it must be the
key Firehose gives it (:func:`firelens_local.firehose_keys.key_pattern`:
evaluated prefix, object name, ``.gz`` for GZIP) with the date of this run.
Objects are compared by content, never by key: their names hold a random uuid.

Pure functions: the caller reads the destinations
(:mod:`firelens_local.readback`) and builds the plan (:mod:`firelens_local.delivery`).

Example:
    >>> where = Placement("CloudWatch Logs", "/app", "fluentbit-app")
    >>> account([(where, '{"a":1}')], [(where, '{"a":1}')]).exact
    True
"""

from __future__ import annotations

import gzip
import json
import re
import tempfile
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from firelens_cdktf.archive.schema import Column
from firelens_cdktf.errors import DeliveryMismatch
from firelens_local.delivery import DeliveryPlan
from firelens_local.parquet import convert_records
from firelens_local.readback import StoredEvent, StoredObject

S3 = "S3"
CLOUDWATCH_LOGS = "CloudWatch Logs"


@dataclass(frozen=True, order=True)
class Placement:
    """Where a record is stored.

    Attributes:
        service: ``"S3"`` or ``"CloudWatch Logs"``.
        resource: the bucket or the log group.
        location: the log stream; ``""`` for S3, whose object keys Firehose
            chooses (what matters is the bucket).
    """

    service: str
    resource: str
    location: str = ""

    def __str__(self) -> str:
        if self.service == S3:
            return f"S3 bucket {self.resource}"
        return f"{self.service} {self.resource} stream {self.location}"


#: A record where it is: ``(placement, JSON text)``.
PlacedRecord = tuple[Placement, str]


def expected_records(plan: DeliveryPlan, buckets: Mapping[str, str]) -> list[PlacedRecord]:
    """Every record the plan sends, where it should be stored.

    Args:
        plan: what the stand-in sends.
        buckets: delivery stream -> the bucket it writes to.

    Raises:
        KeyError: a planned stream is not in ``buckets``.
    """
    records: list[PlacedRecord] = []
    for firehose in plan.firehose:
        where = Placement(S3, buckets[firehose.output.delivery_stream])
        records.extend((where, body) for body in firehose.bodies)
    for cloudwatch in plan.cloudwatch:
        where = Placement(CLOUDWATCH_LOGS, cloudwatch.output.log_group, cloudwatch.log_stream)
        records.extend((where, event.message) for event in cloudwatch.events)
    return records


def expected_object_bytes(plan: DeliveryPlan, buckets: Mapping[str, str]) -> dict[str, int]:
    """Bucket -> bytes the plan's Firehose records add up to (what S3 must hold, uncompressed)."""
    totals: dict[str, int] = {}
    for firehose in plan.firehose:
        bucket = buckets[firehose.output.delivery_stream]
        totals[bucket] = totals.get(bucket, 0) + sum(len(r) for r in firehose.records)
    return totals


def object_content(stored: StoredObject) -> bytes:
    """An object's content: gunzipped when it is gzip (a GZIP stream's objects, real or emulated)."""
    return gzip.decompress(stored.body) if stored.body[:2] == b"\x1f\x8b" else stored.body


def parquet_rows(body: bytes) -> list[str]:
    """The rows of a Parquet object, each as one JSON text (columns in table order): how a converting
    stream's records are compared, expected (converted the same way) and observed."""
    import duckdb  # the [local] extra's query engine: only make run's converting streams need it

    with tempfile.TemporaryDirectory(prefix="firelens-rows-") as tmp:
        path = Path(tmp) / "object.parquet"
        path.write_bytes(body)
        connection = duckdb.connect()
        try:
            cursor = connection.execute(f"SELECT * FROM read_parquet('{path}')")
            names = [d[0] for d in cursor.description]
            rows = cursor.fetchall()
        finally:
            connection.close()
    return [json.dumps(dict(zip(names, row, strict=True)), default=str, separators=(",", ":")) for row in rows]


def converted_records(placed: Iterable[PlacedRecord], bucket: str, columns: Sequence[Column]) -> list[PlacedRecord]:
    """``placed`` with the records bound for ``bucket`` (a converting stream's) as the Parquet rows
    Firehose's conversion makes of them (:func:`~firelens_local.parquet.convert_records`); the rest as they are."""
    kept: list[PlacedRecord] = []
    bodies: list[bytes] = []
    for where, text in placed:
        if where.service == S3 and where.resource == bucket:
            bodies.append(text.encode("utf-8") + b"\n")
        else:
            kept.append((where, text))
    conversion = convert_records(bodies, columns)
    where = Placement(S3, bucket)
    rows = parquet_rows(conversion.parquet) if conversion.parquet is not None else []
    return (
        kept + [(where, row) for row in rows] + [(where, raw.decode("utf-8", "replace")) for raw in conversion.failed]
    )


def observed_records(
    objects: Iterable[StoredObject], events: Iterable[StoredEvent], *, parquet_buckets: Collection[str] = ()
) -> list[PlacedRecord]:
    """The records the destinations hold: one per non-empty line of each object, one per event; in the
    buckets of converting streams, one per row of each Parquet object.

    Lines are split on ``"\\n"``: each record Fluent Bit sends ends with one,
    and an aggregated Firehose record adds an empty line, which is framing,
    not a record. A line that is not UTF-8 is kept with replacement
    characters, so it shows up as extra rather than vanishing.
    """
    records: list[PlacedRecord] = []
    for stored in objects:
        where = Placement(S3, stored.bucket)
        if stored.bucket in parquet_buckets and stored.body[:4] == b"PAR1":
            records.extend((where, row) for row in parquet_rows(stored.body))
            continue
        text = object_content(stored).decode("utf-8", errors="replace")
        records.extend((where, line) for line in text.split("\n") if line)
    records.extend((Placement(CLOUDWATCH_LOGS, e.log_group, e.log_stream), e.message) for e in events)
    return records


def observed_object_bytes(objects: Iterable[StoredObject]) -> dict[str, int]:
    """Bucket -> bytes of the given objects' content (uncompressed)."""
    totals: dict[str, int] = {}
    for stored in objects:
        totals[stored.bucket] = totals.get(stored.bucket, 0) + len(object_content(stored))
    return totals


def misnamed_keys(
    objects: Iterable[StoredObject], patterns: Mapping[str, Sequence[re.Pattern[str]]], days: Collection[date]
) -> tuple[tuple[str, str], ...]:
    r"""``(bucket, key)`` of the objects whose key is not one Firehose gives them.

    Args:
        objects: the new objects.
        patterns: bucket -> the key patterns of the streams writing to it.
        days: the UTC days the delivery ran on; a key's ``year``/``month``/``day``
            fields, where its prefix has them, must name one of them.

    Example:
        >>> pattern = re.compile(r"y=(?P<year>\d{4})/.+")
        >>> misnamed_keys([StoredObject("b", "y=1999/x", b"")], {"b": [pattern]}, [date(2026, 1, 1)])
        (('b', 'y=1999/x'),)
    """
    wrong = []
    for stored in objects:
        matches = [m for p in patterns.get(stored.bucket, ()) if (m := p.fullmatch(stored.key))]
        if not any(_on_days(match, days) for match in matches):
            wrong.append((stored.bucket, stored.key))
    return tuple(sorted(wrong))


def _on_days(match: re.Match[str], days: Collection[date]) -> bool:
    fields = match.groupdict()
    return any(
        all(int(fields[name]) == getattr(day, name) for name in ("year", "month", "day") if fields.get(name))
        for day in days
    )


@dataclass(frozen=True)
class Accounting:
    """The outcome of comparing expected with observed records.

    Attributes:
        expected: number of records expected.
        observed: number of records found.
        missing: expected but not found (with multiplicity), sorted.
        extra: found but not expected (with multiplicity), sorted.
        byte_differences: ``(bucket, expected bytes, observed bytes)`` where they differ.
        per_placement: placement -> number of records found there that were expected.
        misnamed: ``(bucket, key)`` of new objects whose key is not the one Firehose gives.
    """

    expected: int
    observed: int
    missing: tuple[PlacedRecord, ...]
    extra: tuple[PlacedRecord, ...]
    byte_differences: tuple[tuple[str, int, int], ...] = ()
    per_placement: tuple[tuple[Placement, int], ...] = ()
    misnamed: tuple[tuple[str, str], ...] = ()

    @property
    def exact(self) -> bool:
        """Every record accounted for: none missing, none extra, bytes equal, every key as Firehose names it."""
        return not self.missing and not self.extra and not self.byte_differences and not self.misnamed

    def describe(self, limit: int = 5) -> str:
        """A short account; on a mismatch, the differing records (``limit`` of each kind)."""
        lines = [
            f"{self.expected} record(s) expected, {self.observed} found: "
            f"{len(self.missing)} missing, {len(self.extra)} extra"
        ]
        for label, records in (("missing", self.missing), ("extra", self.extra)):
            for where, body in records[:limit]:
                lines.append(f"  {label}: {where}: {_clip(body)}")
            if len(records) > limit:
                lines.append(f"  ... and {len(records) - limit} more {label}")
        for bucket, want, got in self.byte_differences:
            lines.append(f"  bytes: S3 bucket {bucket}: expected {want} bytes of new objects, found {got}")
        for bucket, key in self.misnamed[:limit]:
            lines.append(
                f"  key: s3://{bucket}/{key} is not named as Firehose names objects "
                "(<evaluated prefix><stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid>[.gz], this run's date)"
            )
        return "\n".join(lines)


def _clip(text: str, width: int = 160) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def account(
    expected: Iterable[PlacedRecord],
    observed: Iterable[PlacedRecord],
    *,
    expected_bytes: Mapping[str, int] | None = None,
    observed_bytes: Mapping[str, int] | None = None,
    misnamed: Sequence[tuple[str, str]] = (),
) -> Accounting:
    """Compare expected with observed records as multisets (and bucket byte totals and key names, if given)."""
    want, got = Counter(expected), Counter(observed)
    missing = tuple(sorted((want - got).elements()))
    extra = tuple(sorted((got - want).elements()))
    found = Counter(where for where, _ in (want & got).elements())
    differences = tuple(
        (bucket, (expected_bytes or {}).get(bucket, 0), (observed_bytes or {}).get(bucket, 0))
        for bucket in sorted(set(expected_bytes or {}) | set(observed_bytes or {}))
        if (expected_bytes or {}).get(bucket, 0) != (observed_bytes or {}).get(bucket, 0)
    )
    return Accounting(
        sum(want.values()),
        sum(got.values()),
        missing,
        extra,
        differences,
        tuple(sorted(found.items())),
        tuple(misnamed),
    )


def require_exact(accounting: Accounting) -> Accounting:
    """Return ``accounting`` if it is exact.

    Raises:
        DeliveryMismatch: something is missing or extra.
    """
    if not accounting.exact:
        raise DeliveryMismatch(accounting)
    return accounting

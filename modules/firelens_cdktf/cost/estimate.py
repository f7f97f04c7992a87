"""What a month of logs costs: all of it in CloudWatch Logs, or routed as deployed.

The model scales the *observed mix* of one run (which share of the app's
log bytes each destination received, how big its records are, how well
they compress) to a monthly volume, then prices it with
:mod:`firelens_cdktf.cost.prices`. Everything here is pure arithmetic.

Definitions (``V`` is the monthly volume in GB, AWS's 2**30-byte GB):

- **The app's log volume** is every record once, as the log router would
  deliver it with no routes: ``V`` GB a month.
- **All to CloudWatch Logs** (the baseline, Standard class; Infrequent
  Access shown too): ingestion ``V x price``; storage of one month's data
  for one month: ``ratio x V x (1 + 26 / average event bytes)`` GB, because
  CloudWatch archives 26 bytes of metadata per event, gzip-compressed, and
  bills the compressed size.
- **Routed**: each destination gets ``share x V`` GB, where ``share`` is
  bytes delivered there per byte of app logs in the run (copies make the
  shares add up to more than 1).

  - CloudWatch Logs groups: as the baseline, at their share, each at its
    class's ingestion price (Infrequent Access for a route's
    ``CloudWatchLogs(log_class=INFREQUENT_ACCESS)``, else Standard); storage
    is priced the same in both classes (AWS: the classes "differ in ingestion
    costs only", https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatch_Logs_Log_Classes.html).
  - Firehose: ingestion bills every record rounded up to 5 KB. Without
    aggregation every log line is a record, so the run's lines give the
    ratio billed/actual. With Fluent Bit's ``simple_aggregation`` a record
    holds all lines of one flush (``[SERVICE] Flush`` seconds) of one task,
    up to 1,000 KiB, so the aggregate is ``min(1,000 KiB, stream bytes per
    flush per task)`` and the rounding adds at most 5 KB per aggregate.
  - S3: storage of one month's data for one month, compressed as the stream
    delivers it (GZIP: the run's lines compressed at gzip level 6); PUTs: one
    object per buffer, ``max(bytes / buffer size, hours x 3600 / buffer
    interval)`` a month.
  - Athena: each saved query of the stream's table runs once a day over that
    day's partition, so in a month every query reads the month's partitions
    once. One run scans ``scan ratio x the stream's bytes of a day``, where the
    scan ratio is what DuckDB read per byte of records in the run (the stored,
    GZIP bytes of the partition's objects over their bytes after gunzip: text
    files are read whole, so this is the archive's compression as stored).
    Athena bills each query's bytes rounded up to the MB, at least 10 MB.

Not modelled: the free tier, tiered discounts beyond the first tier, Logs
Insights queries (the all-CloudWatch scenarios have no query line), Glue and
S3 request charges of queries, data transfer, and retention longer than a
month (each month kept adds the storage line again).
"""

from __future__ import annotations

import gzip
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from firelens_cdktf import limits as _limits
from firelens_cdktf.cost.prices import BYTES_PER_GB, BYTES_PER_TB, CHECKED, RegionPrices

#: Environment variable: GB of app logs a month a cost estimate scales to.
VOLUME_ENV = "FIRELENS_LOG_GB_PER_MONTH"
#: Its default: 1 TB.
DEFAULT_VOLUME_GB = 1000.0

#: Hours in a month, as AWS's pricing examples count them.
HOURS_PER_MONTH = 730
#: gzip level CloudWatch Logs archives with (the pricing page's footnote); used
#: for Firehose's GZIP too, as an estimate.
GZIP_LEVEL = 6
_MIB = 1024 * 1024
#: Days in a month, as :data:`HOURS_PER_MONTH` counts them: runs of a once-a-day query.
DAYS_PER_MONTH = HOURS_PER_MONTH / 24
#: Athena bills scanned bytes rounded up to the MB, at least 10 MB per query
#: (https://aws.amazon.com/athena/pricing/).
ATHENA_MINIMUM_BYTES = 10 * _MIB


@dataclass(frozen=True)
class CloudWatchShare:
    """The traffic one log group receives.

    Attributes:
        log_group: its name.
        share: bytes delivered there per byte of app logs.
        avg_event_bytes: average message size.
        compression_ratio: compressed / raw size of its messages.
        infrequent_access: the group is in the Infrequent Access class
            (priced at ``cloudwatch_ia_ingest``). Default: Standard.
    """

    log_group: str
    share: float
    avg_event_bytes: float
    compression_ratio: float
    infrequent_access: bool = False


@dataclass(frozen=True)
class FirehoseShare:
    """The traffic one Firehose stream receives.

    Attributes:
        delivery_stream: its name.
        share: bytes of log lines (JSON plus newline) per byte of app logs.
        unaggregated_billing_ratio: billed / actual bytes if every line were
            its own record (each rounded up to 5 KB).
        compression_ratio: stored / raw size in S3 (1.0 when not compressed).
        simple_aggregation: whether the deployed output aggregates.
        buffer_mib: the stream's S3 buffer size.
        buffer_seconds: the stream's S3 buffer interval.
    """

    delivery_stream: str
    share: float
    unaggregated_billing_ratio: float
    compression_ratio: float
    simple_aggregation: bool
    buffer_mib: int = 5
    buffer_seconds: int = 300


@dataclass(frozen=True)
class AthenaShare:
    """One saved query over one stream's archive.

    Attributes:
        delivery_stream: the stream whose archive the query reads.
        query: the named query.
        scan_ratio: bytes Athena scans per byte of the stream's records (stored
            GZIP bytes over their bytes after gunzip, as DuckDB read them).
        runs_per_month: how often it runs. Default: once a day.
    """

    delivery_stream: str
    query: str
    scan_ratio: float
    runs_per_month: float = DAYS_PER_MONTH


@dataclass(frozen=True)
class TrafficMix:
    """Where the app's log bytes go, per byte, as observed in a run.

    Attributes:
        baseline_avg_event_bytes: average record size with no routing.
        baseline_compression_ratio: how well those records compress.
        cloudwatch: the routed log groups.
        firehose: the routed Firehose streams.
        flush_seconds: the log router's ``[SERVICE] Flush``.
        tasks: tasks running the log router (each aggregates on its own).
        athena: the saved queries over the archives.
    """

    baseline_avg_event_bytes: float
    baseline_compression_ratio: float
    cloudwatch: tuple[CloudWatchShare, ...]
    firehose: tuple[FirehoseShare, ...]
    flush_seconds: float = 1.0
    tasks: int = 1
    athena: tuple[AthenaShare, ...] = ()


@dataclass(frozen=True)
class CostLine:
    """One line of a bill: ``quantity x unit_price = cost``."""

    label: str
    quantity: float
    unit: str
    unit_price: float

    @property
    def cost(self) -> float:
        """``quantity x unit_price`` in USD."""
        return self.quantity * self.unit_price


@dataclass(frozen=True)
class Scenario:
    """A monthly bill: named lines."""

    name: str
    lines: tuple[CostLine, ...]

    @property
    def total(self) -> float:
        """Sum of the lines, USD per month."""
        return sum(line.cost for line in self.lines)


@dataclass(frozen=True)
class CostEstimate:
    """The scenarios compared, for one volume and region.

    Attributes:
        region, volume_gb, prices_checked: what the estimate is for.
        all_standard: every record to CloudWatch Logs Standard.
        all_infrequent_access: every record to CloudWatch Logs Infrequent Access.
        routed: the deployed routing.
        routed_aggregation_flipped: the deployed routing with Firehose
            aggregation switched the other way (shows what it is worth).
    """

    region: str
    volume_gb: float
    prices_checked: str
    all_standard: Scenario
    all_infrequent_access: Scenario
    routed: Scenario
    routed_aggregation_flipped: Scenario

    @property
    def saving(self) -> float:
        """USD a month the routing saves against all-Standard."""
        return self.all_standard.total - self.routed.total

    @property
    def saving_fraction(self) -> float:
        """:attr:`saving` as a fraction of the all-Standard bill."""
        return self.saving / self.all_standard.total if self.all_standard.total else 0.0


def compression_ratio(chunks: Iterable[bytes]) -> float:
    """Compressed / raw size of ``chunks`` concatenated, at gzip level 6 (1.0 for no data)."""
    data = b"".join(chunks)
    return len(gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0)) / len(data) if data else 1.0


def firehose_billed_bytes(record_sizes: Iterable[float]) -> float:
    """Bytes Firehose bills for records of these sizes: each rounded up to 5 KB (5,120 bytes)."""
    step = _limits.FIREHOSE_BILLING_INCREMENT_BYTES
    return float(sum(math.ceil(size / step) * step for size in record_sizes))


def aggregate_bytes(stream_bytes_per_month: float, *, flush_seconds: float, tasks: int) -> float:
    """Size of one aggregated Firehose record: one flush of one task, at most 1,000 KiB."""
    flushes = HOURS_PER_MONTH * 3600 / flush_seconds * max(tasks, 1)
    return min(float(_limits.FIREHOSE_RECORD_MAX_BYTES), stream_bytes_per_month / flushes) if flushes else 0.0


def aggregated_billing_ratio(stream_bytes_per_month: float, *, flush_seconds: float, tasks: int) -> float:
    """Billed / actual bytes when records are aggregated per flush (1.0 for no data)."""
    size = aggregate_bytes(stream_bytes_per_month, flush_seconds=flush_seconds, tasks=tasks)
    return firehose_billed_bytes([size]) / size if size > 0 else 1.0


def s3_objects_per_month(stream_bytes_per_month: float, *, buffer_mib: int, buffer_seconds: int) -> float:
    """Objects Firehose writes a month: one per full buffer, at least one per interval."""
    return max(stream_bytes_per_month / (buffer_mib * _MIB), HOURS_PER_MONTH * 3600 / buffer_seconds)


def athena_billed_bytes(scanned: float) -> float:
    """Bytes Athena bills for one query that scans ``scanned`` bytes: rounded up to the MB, at least 10 MB."""
    return float(max(ATHENA_MINIMUM_BYTES, math.ceil(scanned / _MIB) * _MIB))


def athena_tb_per_month(query: AthenaShare, stream_bytes_per_month: float) -> float:
    """TB a month one saved query is billed for, run :attr:`AthenaShare.runs_per_month` times over a day each."""
    per_run = query.scan_ratio * stream_bytes_per_month / DAYS_PER_MONTH
    return query.runs_per_month * athena_billed_bytes(per_run) / BYTES_PER_TB


def _cloudwatch_lines(
    label: str, gb: float, avg_event_bytes: float, ratio: float, ingest_price: float, prices: RegionPrices
) -> tuple[CostLine, CostLine]:
    archived = ratio * gb * (1 + _limits.CLOUDWATCH_EVENT_OVERHEAD_BYTES / avg_event_bytes) if avg_event_bytes else 0.0
    return (
        CostLine(f"{label}: ingestion", gb, "GB", ingest_price),
        CostLine(f"{label}: storage, one month (compressed)", archived, "GB-month", prices.cloudwatch_storage.usd),
    )


def _routed(name: str, mix: TrafficMix, volume_gb: float, prices: RegionPrices, *, flip: bool) -> Scenario:
    lines: list[CostLine] = []
    for group in mix.cloudwatch:
        lines.extend(
            _cloudwatch_lines(
                f"CloudWatch Logs {group.log_group}" + (" (Infrequent Access)" if group.infrequent_access else ""),
                group.share * volume_gb,
                group.avg_event_bytes,
                group.compression_ratio,
                (prices.cloudwatch_ia_ingest if group.infrequent_access else prices.cloudwatch_standard_ingest).usd,
                prices,
            )
        )
    for stream in mix.firehose:
        gb = stream.share * volume_gb
        aggregated = stream.simple_aggregation != flip
        ratio = (
            aggregated_billing_ratio(gb * BYTES_PER_GB, flush_seconds=mix.flush_seconds, tasks=mix.tasks)
            if aggregated
            else stream.unaggregated_billing_ratio
        )
        how = "aggregated" if aggregated else "one record per line"
        lines.append(
            CostLine(
                f"Firehose {stream.delivery_stream}: ingestion ({how}, 5 KB rounding)",
                gb * ratio,
                "GB billed",
                prices.firehose_ingest.usd,
            )
        )
        lines.append(
            CostLine(
                f"S3 {stream.delivery_stream}: storage, one month",
                gb * stream.compression_ratio,
                "GB-month",
                prices.s3_storage.usd,
            )
        )
        objects = s3_objects_per_month(
            gb * BYTES_PER_GB, buffer_mib=stream.buffer_mib, buffer_seconds=stream.buffer_seconds
        )
        lines.append(
            CostLine(
                f"S3 {stream.delivery_stream}: PUT requests", objects / 1000, "1,000 PUTs", prices.s3_put_per_1000.usd
            )
        )
        for query in (q for q in mix.athena if q.delivery_stream == stream.delivery_stream):
            lines.append(
                CostLine(
                    f"Athena {query.query}: once a day over that day (10 MB minimum)",
                    athena_tb_per_month(query, gb * BYTES_PER_GB),
                    "TB scanned",
                    prices.athena_per_tb.usd,
                )
            )
    return Scenario(name, tuple(lines))


def estimate(mix: TrafficMix, volume_gb: float, prices: RegionPrices) -> CostEstimate:
    """Price ``volume_gb`` of app logs a month, all to CloudWatch Logs vs routed as ``mix`` says.

    Raises:
        ValueError: ``volume_gb`` is negative.
    """
    if volume_gb < 0:
        raise ValueError(f"volume_gb={volume_gb} is negative; give GB of logs a month, e.g. 1000")
    standard = Scenario(
        "all logs to CloudWatch Logs Standard",
        _cloudwatch_lines(
            "CloudWatch Logs (Standard)",
            volume_gb,
            mix.baseline_avg_event_bytes,
            mix.baseline_compression_ratio,
            prices.cloudwatch_standard_ingest.usd,
            prices,
        ),
    )
    infrequent = Scenario(
        "all logs to CloudWatch Logs Infrequent Access",
        _cloudwatch_lines(
            "CloudWatch Logs (Infrequent Access)",
            volume_gb,
            mix.baseline_avg_event_bytes,
            mix.baseline_compression_ratio,
            prices.cloudwatch_ia_ingest.usd,
            prices,
        ),
    )
    flipped_name = (
        "routed as deployed, but Firehose without aggregation"
        if any(s.simple_aggregation for s in mix.firehose)
        else "routed as deployed, but Firehose with aggregation"
    )
    return CostEstimate(
        region=prices.region,
        volume_gb=volume_gb,
        prices_checked=CHECKED,
        all_standard=standard,
        all_infrequent_access=infrequent,
        routed=_routed("routed as deployed", mix, volume_gb, prices, flip=False),
        routed_aggregation_flipped=_routed(flipped_name, mix, volume_gb, prices, flip=True),
    )


@dataclass(frozen=True)
class ObservedStream:
    """One destination's traffic in a run, as input to :func:`observe_mix`.

    Attributes:
        name: log group or delivery stream.
        payloads: what it received: event messages (CloudWatch) or log lines
            with their newline (Firehose), as bytes.
        compressed: whether the destination stores it compressed
            (CloudWatch always does; Firehose when GZIP).
        simple_aggregation, buffer_mib, buffer_seconds: Firehose settings.
    """

    name: str
    payloads: tuple[bytes, ...]
    compressed: bool = True
    simple_aggregation: bool = False
    buffer_mib: int = 5
    buffer_seconds: int = 300


@dataclass(frozen=True)
class AthenaScan:
    """What one saved query read in a run, as input to :func:`observe_mix`.

    Attributes:
        delivery_stream: the stream whose archive it read.
        query: the named query.
        bytes_scanned: stored bytes read (GZIP).
        raw_bytes: the same bytes after gunzip.
    """

    delivery_stream: str
    query: str
    bytes_scanned: int
    raw_bytes: int


def observe_mix(
    baseline: Sequence[bytes],
    cloudwatch: Sequence[ObservedStream],
    firehose: Sequence[ObservedStream],
    *,
    flush_seconds: float = 1.0,
    tasks: int = 1,
    athena: Sequence[AthenaScan] = (),
    infrequent_access: Iterable[str] = (),
) -> TrafficMix:
    """The mix of one run.

    One compression ratio serves every destination: the whole run's records
    compressed together. A destination's own handful of records (one
    labelled record, say) compresses far worse than a month of them would,
    while the records are alike across destinations. Even the whole run is
    a small sample, so the storage lines err on the high side.

    Args:
        baseline: every app record once, as delivered with no routing.
        cloudwatch: per log group, the messages it received.
        firehose: per delivery stream, the lines it received.
        flush_seconds: the log router's Flush.
        tasks: tasks running the log router.
        athena: what each saved query read (queries that read nothing are left out).
        infrequent_access: the log groups in the Infrequent Access class.

    Raises:
        ValueError: the run produced no records to scale from.
    """
    total = sum(len(b) for b in baseline)
    if not total:
        raise ValueError("the run delivered no records: there is no mix to scale")
    ratio = compression_ratio(b + b"\n" for b in baseline)
    ia = frozenset(infrequent_access)

    def size(stream: ObservedStream) -> int:
        return sum(len(p) for p in stream.payloads)

    return TrafficMix(
        baseline_avg_event_bytes=total / len(baseline),
        baseline_compression_ratio=ratio,
        cloudwatch=tuple(
            CloudWatchShare(s.name, size(s) / total, size(s) / max(len(s.payloads), 1), ratio, s.name in ia)
            for s in cloudwatch
        ),
        firehose=tuple(
            FirehoseShare(
                s.name,
                size(s) / total,
                firehose_billed_bytes(len(p) for p in s.payloads) / max(size(s), 1),
                ratio if s.compressed else 1.0,
                s.simple_aggregation,
                s.buffer_mib,
                s.buffer_seconds,
            )
            for s in firehose
        ),
        flush_seconds=flush_seconds,
        tasks=tasks,
        athena=tuple(
            AthenaShare(a.delivery_stream, a.query, a.bytes_scanned / a.raw_bytes) for a in athena if a.raw_bytes > 0
        ),
    )


# --- GZIP JSON or Parquet ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FormatQueryScan:
    """One saved query's bytes over the same day of records in each format (as ``make run`` measured them)."""

    query: str
    json_bytes: int
    parquet_bytes: int


@dataclass(frozen=True)
class FormatCost:
    """A month of one archive stored as GZIP JSON and as Parquet, at the measured sizes and scans.

    Attributes:
        json, parquet: the two monthly bills (storage, the saved queries, and for Parquet the conversion).
    """

    json: Scenario
    parquet: Scenario

    @property
    def cheaper(self) -> str:
        """``"Parquet"`` or ``"GZIP JSON"``: the smaller bill (GZIP JSON when equal: no conversion to run)."""
        return "Parquet" if self.parquet.total < self.json.total else "GZIP JSON"

    @property
    def saving(self) -> float:
        """USD a month the cheaper format saves."""
        return abs(self.json.total - self.parquet.total)

    @property
    def saving_fraction(self) -> float:
        """:attr:`saving` over the dearer bill (0 when both are 0)."""
        dearer = max(self.json.total, self.parquet.total)
        return self.saving / dearer if dearer else 0.0


def format_cost(
    scans: Sequence[FormatQueryScan],
    *,
    raw_bytes: int,
    json_stored: int,
    parquet_stored: int,
    archive_gb_per_month: float,
    prices: RegionPrices,
    conversion_usd_per_gb: float,
) -> FormatCost:
    """Price a month of an archive in both formats from one measured day: stored bytes and each saved query's
    scanned bytes per byte of records, scaled to ``archive_gb_per_month`` (each query once a day over that day).

    Raises:
        ValueError: ``raw_bytes`` is not positive (nothing was measured).
    """
    if raw_bytes <= 0:
        raise ValueError(f"raw_bytes={raw_bytes}: a measured day of records is needed")
    month = archive_gb_per_month * BYTES_PER_GB

    def bill(
        name: str, stored: int, scanned: Callable[[FormatQueryScan], int], extra: tuple[CostLine, ...]
    ) -> Scenario:
        lines = [
            CostLine(
                "S3: storage, one month", archive_gb_per_month * stored / raw_bytes, "GB-month", prices.s3_storage.usd
            )
        ]
        lines += [
            CostLine(
                f"Athena {scan.query}: once a day over that day (10 MB minimum)",
                athena_tb_per_month(AthenaShare("", scan.query, scanned(scan) / raw_bytes), month),
                "TB scanned",
                prices.athena_per_tb.usd,
            )
            for scan in scans
        ]
        return Scenario(name, (*lines, *extra))

    conversion = CostLine(
        "Firehose: record format conversion", archive_gb_per_month, "GB converted", conversion_usd_per_gb
    )
    return FormatCost(
        bill("GZIP JSON", json_stored, lambda scan: scan.json_bytes, ()),
        bill("Parquet", parquet_stored, lambda scan: scan.parquet_bytes, (conversion,)),
    )

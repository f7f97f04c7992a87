"""Benchmark: the archive as GZIP JSON or as Parquet, on the same SQL-log records: bytes stored, bytes each
saved query reads, and which format costs less a month.

Generates ActiveRecord records like the app's (the preview benchmark's generator,
``benchmarks.preview.rails_lines``, with the keys FireLens adds), then stores one
day of them twice, as the pipeline would:

1. **GZIP JSON**: Fluent Bit's aggregates (one record a line, a blank line after
   each ~1 MB aggregate) in GZIP objects of the stream's buffer (5 MiB of records);
2. **Parquet**: the same records converted as Firehose's record format conversion
   does (:mod:`firelens_local.parquet`, the app's ``SQL_LOG_COLUMNS`` as schema),
   one object per 64 MiB buffer, Firehose's minimum for conversion.

Each of the app's saved queries runs over both with DuckDB (:class:`~firelens_local.query.LocalAthena`):
the answers must agree, and the bytes each reads are Athena's (text objects whole;
Parquet footers plus the chunks of the columns the query names). The month is then
priced in both formats (:func:`~firelens_cdktf.cost.estimate.format_cost`): the
archive's share of the cost model's default volume, each query once a day.

Usage::

    python -m benchmarks.archive_formats                     # 200,000 records (about 100 MB), ap-northeast-1
    python -m benchmarks.archive_formats --records 50000 --archive-gb 200 --region us-east-1
"""

from __future__ import annotations

import argparse
import functools
import gzip
import itertools
import json
import random
import time
from collections.abc import Iterator
from datetime import date

from benchmarks.preview import rails_lines
from firelens_app.sql_logs import SQL_LOG_COLUMNS, saved_queries
from firelens_cdktf.archive.schema import QUERY_PARAMETERS
from firelens_cdktf.cost.estimate import FormatQueryScan, format_cost
from firelens_cdktf.cost.prices import FORMAT_CONVERSION, PRICES
from firelens_local.parquet import convert_records
from firelens_local.query import LocalAthena
from firelens_local.readback import DeployedQuery, DeployedTable, PartitionObject

DAY = date(2026, 12, 3)
TABLE = "put_s3_sample_metrics_logs"
#: Fluent Bit's simple_aggregation packs at most this many bytes into one Firehose record.
AGGREGATE_BYTES = 1_024_000
#: The archive's S3 buffer (LogArchive's default) and Firehose's minimum buffer for conversion.
JSON_BUFFER_BYTES = 5 * 1024 * 1024
PARQUET_BUFFER_BYTES = 64 * 1024 * 1024
#: The archive's share of the app's logs in ``make run``'s observed mix (19.9% of the cost model's 1,000 GB).
DEFAULT_ARCHIVE_GB = 200.0


def sql_records(count: int, seed: int = 7) -> Iterator[bytes]:
    """``count`` SQL-log records as the router delivers them: the app's JSON plus FireLens's keys."""
    rng = random.Random(seed)
    tasks = [f"arn:aws:ecs:ap-northeast-1:123456789012:task/sample/{rng.getrandbits(128):032x}" for _ in range(3)]
    made = 0
    for line in rails_lines(seed):
        if made >= count:
            return
        if '"ActiveRecord"' not in line:
            continue
        record = json.loads(line)
        record.update(
            ecs_cluster="sample",
            ecs_task_arn=rng.choice(tasks),
            ecs_task_definition="sample-rails-app:7",
        )
        made += 1
        yield json.dumps(record, separators=(",", ":")).encode()


def aggregates(records: Iterator[bytes]) -> Iterator[bytes]:
    """Fluent Bit's Firehose records: lines joined up to :data:`AGGREGATE_BYTES`, each ending with a blank line."""
    batch: list[bytes] = []
    size = 0
    for record in records:
        if batch and size + len(record) + 1 > AGGREGATE_BYTES - 1:
            yield b"\n".join(batch) + b"\n\n"
            batch, size = [], 0
        batch.append(record)
        size += len(record) + 1
    if batch:
        yield b"\n".join(batch) + b"\n\n"


def buffers(datas: list[bytes], limit: int) -> Iterator[list[bytes]]:
    """Firehose records grouped into deliveries of at most ``limit`` bytes (at least one record each)."""
    group: list[bytes] = []
    size = 0
    for data in datas:
        if group and size + len(data) > limit:
            yield group
            group, size = [], 0
        group.append(data)
        size += len(data)
    if group:
        yield group


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.archive_formats", description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=200_000, help="SQL-log records in the day (default 200,000)")
    parser.add_argument("--region", default="ap-northeast-1", choices=sorted(PRICES), help="prices of this region")
    parser.add_argument(
        "--archive-gb", type=float, default=DEFAULT_ARCHIVE_GB, help="GB of records a month (default 200)"
    )
    args = parser.parse_args(argv)
    started = time.monotonic()
    datas = list(aggregates(sql_records(args.records)))
    raw = sum(len(d) for d in datas)
    json_objects = [
        PartitionObject(f"json-{i}.gz", DAY, 0, gzip.compress(b"".join(group), mtime=0))
        for i, group in enumerate(buffers(datas, JSON_BUFFER_BYTES))
    ]
    parquet_objects = []
    failed = 0
    for i, group in enumerate(buffers(datas, PARQUET_BUFFER_BYTES)):
        conversion = convert_records(group, SQL_LOG_COLUMNS)
        failed += len(conversion.failed)
        if conversion.parquet is not None:
            parquet_objects.append(PartitionObject(f"parquet-{i}.parquet", DAY, 0, conversion.parquet))
    table = DeployedTable(
        "bench", TABLE, SQL_LOG_COLUMNS, "bench", "year=${year}/month=${month}/day=${day}/", {"month": 2, "day": 2}
    )
    as_json, as_parquet = LocalAthena(table), LocalAthena(DeployedTable(**{**table.__dict__, "parquet": True}))
    scans: list[FormatQueryScan] = []
    parameters = [getattr(DAY, name) for name in QUERY_PARAMETERS]
    try:
        json_loaded, parquet_loaded = as_json.load(DAY, json_objects), as_parquet.load(DAY, parquet_objects)
        print(
            f"{args.records:,} SQL-log records, {raw:,} bytes in {len(datas)} Fluent Bit aggregates; "
            f"GZIP JSON {json_loaded.bytes_read:,} bytes in {len(json_objects)} object(s) of 5 MiB buffers; "
            f"Parquet {parquet_loaded.bytes_read:,} bytes in {len(parquet_objects)} object(s) of 64 MiB buffers "
            f"({failed} document(s) not converted)"
        )
        print(f"{'saved query':58s} {'GZIP JSON':>12s} {'Parquet':>12s}  ratio  answers")
        for query in saved_queries(TABLE):
            deployed = DeployedQuery(query.name, query.description, "bench", query.sql)
            json_rows = as_json.run(deployed.sql, parameters)[1]
            parquet_rows = as_parquet.run(deployed.sql, parameters)[1]
            scan = FormatQueryScan(
                query.name,
                json_loaded.scanned_by(query.sql, SQL_LOG_COLUMNS),
                parquet_loaded.scanned_by(query.sql, SQL_LOG_COLUMNS),
            )
            scans.append(scan)
            same = "same" if json_rows == parquet_rows else "DIFFER"
            print(
                f"{query.name:58s} {scan.json_bytes:12,} {scan.parquet_bytes:12,}  "
                f"{scan.parquet_bytes / scan.json_bytes:5.3f}  {same}"
            )
    finally:
        as_json.close()
        as_parquet.close()
    month = functools.partial(
        format_cost,
        raw_bytes=raw,
        json_stored=json_loaded.bytes_read,
        parquet_stored=parquet_loaded.bytes_read,
        archive_gb_per_month=args.archive_gb,
        prices=PRICES[args.region],
        conversion_usd_per_gb=FORMAT_CONVERSION[args.region].usd,
    )
    cost = month(scans)
    print(
        f"a month of {args.archive_gb:,.0f} GB of records in {args.region}, each saved query once a day: "
        f"GZIP JSON ${cost.json.total:,.2f}, Parquet ${cost.parquet.total:,.2f}: {cost.cheaper} is cheaper by "
        f"${cost.saving:,.2f} ({cost.saving_fraction:.0%})"
    )
    width = max(len(line.label) for scenario in (cost.json, cost.parquet) for line in scenario.lines)
    for scenario in (cost.json, cost.parquet):
        for line in scenario.lines:
            amount = f"{line.quantity:10,.3f} {line.unit:18s} ${line.cost:8,.2f}"
            print(f"  {scenario.name:9s}  {line.label:{width}s}  {amount}")
    breakeven = next(
        (
            runs
            for runs in itertools.chain(range(1, 100), range(100, 100_000, 100))
            if month(scans * runs).cheaper == "Parquet"
        ),
        None,
    )
    if breakeven is not None:
        print(f"Parquet becomes cheaper from {breakeven} run(s) a day of each saved query")
    print(f"({time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

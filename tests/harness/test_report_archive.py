"""``make run``'s report section on the archive tables: the schema check and the slowest statements."""

from __future__ import annotations

import re
from datetime import date
from types import SimpleNamespace
from typing import Any

from firelens_app.sql_logs import SQL_LOG_COLUMNS
from firelens_harness.report import render_archive
from firelens_local.archive_records import check_schema
from firelens_local.query import FormatComparison, FormatScan, QueryResult
from firelens_local.readback import DeployedQuery

SLOWEST = QueryResult(
    DeployedQuery("t: slowest statements of a day", "", "db", "SELECT ..."),
    ("logged_at", "duration_ms"),
    (("2026-11-30T14:00:01Z", 3.0),),
    545,
    2011,
)


FORMATS = FormatComparison(
    "db.t",
    date(2026, 11, 30),
    20_000,
    2_011,
    1_400,
    0,
    (FormatScan("t: slowest statements of a day", 2_011, 820, True), FormatScan("t: per minute", 2_011, 96, False)),
)


def _check(records: list[dict[str, Any]], slowest: QueryResult | None) -> SimpleNamespace:
    queries = SimpleNamespace(loaded=SimpleNamespace(day=date(2026, 11, 30), objects=2)) if slowest else None
    return SimpleNamespace(
        table="db.t",
        workgroup="wg",
        bucket="archive",
        drift=check_schema(records, SQL_LOG_COLUMNS),
        slowest=slowest,
        queries=queries,
        formats=FORMATS if slowest else None,
    )


def test_report_shows_the_schema_check_and_the_days_slowest_statements() -> None:
    text = "\n".join(render_archive(SimpleNamespace(archive=(_check([{"name": "ActiveRecord"}], SLOWEST),))))
    assert "  db.t (workgroup wg, s3://archive/)" in text
    assert "schema check: 1 record(s) parse under the table's columns" in text
    assert "day 2026-11-30, all of that day's partition (2 object(s), earlier runs of the day included):" in text
    assert "t: slowest statements of a day (1 row(s); 545 bytes scanned)" in text
    assert "2026-11-30T14:00:01Z  3" in text


def test_report_names_schema_drift_and_says_when_no_query_ran() -> None:
    text = "\n".join(render_archive(SimpleNamespace(archive=(_check([{"name": "x", "db_host": "r1"}], None),))))
    assert "schema check: SCHEMA DRIFT: of 1 record(s)" in text
    assert "key not in the table: db_host in 1 record(s)" in text
    assert "no query ran: this run wrote no object into the table's partitions" in text


def test_report_shows_each_querys_bytes_in_gzip_json_and_parquet_and_whether_the_rows_agree() -> None:
    text = "\n".join(render_archive(SimpleNamespace(archive=(_check([{"name": "ActiveRecord"}], SLOWEST),))))
    assert "as GZIP JSON (2,011 bytes stored) and converted to Parquet as Firehose would (1,400 bytes" in text
    assert re.search(r"t: slowest statements of a day +2,011 +820 +0\.41 +same rows", text)
    assert re.search(r"t: per minute +2,011 +96 +0\.05 +ROWS DIFFER", text)

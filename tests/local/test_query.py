"""``make query``'s engine: the saved Athena SQL, translated for DuckDB, over archived objects (no emulator)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import pytest

from firelens_app.sql_logs import SQL_LOG_COLUMNS, saved_queries
from firelens_cdktf.archive.schema import parse_hive_type
from firelens_local.query import LocalAthena, QueryResult, duckdb_type, render_result, to_duckdb
from firelens_local.readback import DeployedQuery, DeployedTable, PartitionObject

DAY = date(2026, 11, 30)
TABLE = DeployedTable(
    "firelens_sample_logs",
    "sql_logs",
    SQL_LOG_COLUMNS,
    "archive",
    "year=${year}/month=${month}/day=${day}/",
    {"year": 0, "month": 2, "day": 2},
)
QUERIES = {q.key: q for q in saved_queries(TABLE.name)}


def _record(second: int, sql: str, duration_ms: float) -> dict[str, Any]:
    return {
        "timestamp": f"2026-11-30T14:0{second // 60}:{second % 60:02d}.000000Z",
        "level": "debug",
        "name": "ActiveRecord",
        "message": "User Load",
        "duration_ms": duration_ms,
        "payload": {"sql": sql, "binds": {"id": second}, "allocations": 1, "cached": None},
        "ecs_task_arn": "arn:aws:ecs:ap-northeast-1:1:task/c/t",
    }


def _object(key: str, records: list[dict[str, Any]]) -> PartitionObject:
    """One Firehose object: an aggregate (newline per record, one more at the end), gzip-compressed."""
    body = gzip.compress(("".join(json.dumps(r) + "\n" for r in records) + "\n").encode())
    return PartitionObject(key, DAY, len(body), body)


OBJECTS = (
    _object(
        "year=2026/month=11/day=30/a.gz",
        [_record(1, "SELECT * FROM users WHERE id = 1", 0.5), _record(2, "SELECT * FROM users WHERE id = 2", 3.0)],
    ),
    _object(
        "year=2026/month=11/day=30/b.gz",
        [
            _record(61, "SELECT * FROM users WHERE id = 3", 1.0),
            _record(62, "SELECT count(*) FROM posts", 0.25),
            {"name": "ActiveRecord", "message": "no payload"},
        ],
    ),
)


@pytest.fixture(scope="module")
def local() -> Iterator[LocalAthena]:
    engine = LocalAthena(TABLE)
    engine.load(DAY, OBJECTS)
    yield engine
    engine.close()


def _run(local: LocalAthena, key: str, day: date = DAY) -> list[tuple[Any, ...]]:
    return local.run(QUERIES[key].sql, [day.year, day.month, day.day])[1]


def test_athena_functions_become_duckdb_macros_outside_literals_only() -> None:
    sql = "SELECT from_iso8601_timestamp(t), Regexp_Replace(s, 'regexp_replace(', '?') AS \"regexp_replace(\" FROM x"
    assert to_duckdb(sql) == (
        "SELECT athena_from_iso8601_timestamp(t), athena_regexp_replace(s, 'regexp_replace(', "
        "'?') AS \"regexp_replace(\" FROM x"
    )


def test_hive_types_map_to_duckdb_types() -> None:
    assert (
        duckdb_type(parse_hive_type("struct<sql:string,binds:map<string,string>,n:bigint>"))
        == 'STRUCT("sql" VARCHAR, "binds" MAP(VARCHAR, VARCHAR), "n" BIGINT)'
    )


def test_loading_counts_rows_as_athena_would_blank_lines_included() -> None:
    loaded = LocalAthena(TABLE)
    try:
        stats = loaded.load(DAY, OBJECTS)
    finally:
        loaded.close()
    assert (stats.objects, stats.rows, stats.records, stats.blank, stats.malformed) == (2, 7, 5, 2, 0)
    assert stats.bytes_read == sum(len(o.body) for o in OBJECTS) < stats.raw_bytes


def test_slowest_statements_of_the_day_come_slowest_first(local: LocalAthena) -> None:
    rows = _run(local, "slowest")
    assert [(r[1], r[2]) for r in rows] == [
        (3.0, "SELECT * FROM users WHERE id = 2"),
        (1.0, "SELECT * FROM users WHERE id = 3"),
        (0.5, "SELECT * FROM users WHERE id = 1"),
        (0.25, "SELECT count(*) FROM posts"),
    ]


def test_statements_per_minute_count_each_utc_minute(local: LocalAthena) -> None:
    rows = _run(local, "per_minute")
    assert [(r[0].replace(tzinfo=None), r[1], r[2]) for r in rows] == [
        (datetime(2026, 11, 30, 14, 0), 2, 3.5),
        (datetime(2026, 11, 30, 14, 1), 2, 1.25),
    ]


def test_most_frequent_statements_group_by_normalized_sql_replacing_every_literal(local: LocalAthena) -> None:
    rows = _run(local, "frequent")
    assert [(r[0], r[1]) for r in rows] == [("SELECT * FROM users WHERE id = ?", 3), ("SELECT count(*) FROM posts", 1)]


def test_another_day_reads_nothing_because_the_partition_columns_filter(local: LocalAthena) -> None:
    assert _run(local, "slowest", date(2026, 12, 1)) == []


def test_a_result_renders_as_a_table_under_its_name() -> None:
    query = DeployedQuery("t: slowest statements of a day", "", "db", QUERIES["slowest"].sql)
    result = QueryResult(query, ("logged_at", "duration_ms"), (("2026-11-30T14:00:01Z", 3.0), (None, 0.5)), 900, 3000)
    assert render_result(result) == [
        "t: slowest statements of a day (2 row(s); 900 bytes scanned)",
        "  logged_at             duration_ms",
        "  --------------------  -----------",
        "  2026-11-30T14:00:01Z  3",
        "  NULL                  0.5",
    ]

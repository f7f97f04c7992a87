"""The app's SQL-log table: its columns and saved queries, as plain values (no synth)."""

from __future__ import annotations

import re

import pytest

from firelens_app.sql_logs import NORMALIZE_PATTERN, SQL_LOG_COLUMNS, saved_queries
from firelens_cdktf.archive import PARTITION_KEYS, QUERY_PARAMETERS, Column, MapOf, Primitive, Struct, parse_hive_type

TABLE = "put_s3_sample_metrics_logs"


def test_columns_cover_the_sql_log_record_with_payload_as_a_struct() -> None:
    names = {c.name for c in SQL_LOG_COLUMNS}
    assert {
        "timestamp",
        "level",
        "name",
        "message",
        "duration_ms",
        "duration",
        "payload",
        "ecs_cluster",
        "ecs_task_arn",
        "ecs_task_definition",
        "container_name",
    } <= names
    payload = next(c for c in SQL_LOG_COLUMNS if c.name == "payload")
    assert payload.type.hive() == "struct<sql:string,binds:map<string,string>,allocations:bigint,cached:boolean>"
    assert [k.name for k in PARTITION_KEYS] == ["year", "month", "day"]
    assert not names & {"year", "month", "day"}


def test_hive_types_read_back_as_written() -> None:
    for column in SQL_LOG_COLUMNS:
        assert parse_hive_type(column.type.hive()).hive() == column.type.hive()
    assert parse_hive_type(" struct< a : map<string,int> > ") == Struct(
        (Column("a", MapOf(Primitive("string"), Primitive("int"))),)
    )


def test_three_saved_queries_each_read_one_day_by_its_partition_columns() -> None:
    queries = saved_queries(TABLE)
    assert [q.key for q in queries] == ["slowest", "per_minute", "frequent"]
    assert QUERY_PARAMETERS == ("year", "month", "day")
    for query in queries:
        outside_literals = re.sub(r"'(?:[^']|'')*'", "''", query.sql)
        assert outside_literals.count("?") == 3, query.key
        assert 'WHERE "year" = ? AND "month" = ? AND "day" = ?' in query.sql
        assert f'FROM "{TABLE}"' in query.sql
        assert "payload.sql IS NOT NULL" in query.sql  # OpenX makes NULL rows of the blank lines


def test_slowest_orders_by_duration_and_frequent_groups_by_normalized_sql() -> None:
    slowest, per_minute, frequent = saved_queries(TABLE)
    assert "ORDER BY duration_ms DESC" in slowest.sql
    assert "date_trunc('minute', from_iso8601_timestamp(\"timestamp\"))" in per_minute.sql
    assert "GROUP BY 1" in frequent.sql and "regexp_replace(payload.sql," in frequent.sql


@pytest.mark.parametrize(
    "statement, shape",
    [
        ("SELECT * FROM users WHERE id = 42 AND name = 'bob'", "SELECT * FROM users WHERE id = ? AND name = ?"),
        (
            'SELECT "users".* FROM "users" WHERE "users"."id" = $1 LIMIT $2',
            'SELECT "users".* FROM "users" WHERE "users"."id" = ? LIMIT ?',
        ),
        ("SELECT * FROM t2 WHERE price > 1.5", "SELECT * FROM t2 WHERE price > ?"),
    ],
)
def test_normalize_pattern_replaces_literals_but_not_names(statement: str, shape: str) -> None:
    assert re.sub(NORMALIZE_PATTERN, "?", statement) == shape

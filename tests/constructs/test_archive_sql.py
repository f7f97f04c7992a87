"""The archive table and its saved queries as plain values: columns, projection, SQL (no synth)."""

from __future__ import annotations

import re

import pytest

from firelens_cdktf.constructs import archive_sql
from firelens_cdktf.constructs.archive_sql import (
    PARTITION_KEYS,
    QUERY_PARAMETERS,
    SQL_LOG_COLUMNS,
    MapOf,
    Primitive,
    Struct,
    glue_name,
    parse_hive_type,
    partition_template,
    projection_parameters,
    saved_queries,
)
from firelens_cdktf.constructs.log_archive import HIVE_PREFIX

TABLE = "put_s3_sample_metrics_logs"


def test_partition_template_follows_the_firehose_prefix_key_for_key() -> None:
    assert partition_template(HIVE_PREFIX) == "year=${year}/month=${month}/day=${day}/"
    assert partition_template("logs/y=!{timestamp:yyyy}/m=!{timestamp:MM}/d=!{timestamp:dd}/") == \
        "logs/y=${year}/m=${month}/d=${day}/"


@pytest.mark.parametrize("prefix, reason", [
    ("year=!{timestamp:yyyy}/month=!{timestamp:MM}/", "!{timestamp:dd} exactly once"),
    ("day=!{timestamp:dd}/month=!{timestamp:MM}/year=!{timestamp:yyyy}/", "in that order"),
    ("year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/!{firehose:random-string}/", "no other"),
])
def test_fails_when_the_prefix_cannot_become_year_month_day_partitions(prefix: str, reason: str) -> None:
    with pytest.raises(ValueError, match=re.escape(reason)):
        partition_template(prefix)


def test_projection_is_integer_years_from_the_first_and_two_digit_months_and_days() -> None:
    parameters = projection_parameters("s3://b/year=${year}/month=${month}/day=${day}/", 2026, 2125)
    assert parameters == {
        "projection.enabled": "true",
        "projection.year.type": "integer", "projection.year.range": "2026,2125",
        "projection.month.type": "integer", "projection.month.range": "1,12", "projection.month.digits": "2",
        "projection.day.type": "integer", "projection.day.range": "1,31", "projection.day.digits": "2",
        "storage.location.template": "s3://b/year=${year}/month=${month}/day=${day}/",
    }


def test_columns_cover_the_sql_log_record_with_payload_as_a_struct() -> None:
    names = {c.name for c in SQL_LOG_COLUMNS}
    assert {"timestamp", "level", "name", "message", "duration_ms", "duration", "payload",
            "ecs_cluster", "ecs_task_arn", "ecs_task_definition", "container_name"} <= names
    payload = next(c for c in SQL_LOG_COLUMNS if c.name == "payload")
    assert payload.type.hive() == "struct<sql:string,binds:map<string,string>,allocations:bigint,cached:boolean>"
    assert [k.name for k in PARTITION_KEYS] == ["year", "month", "day"]
    assert not names & {"year", "month", "day"}


def test_hive_types_read_back_as_written() -> None:
    for column in SQL_LOG_COLUMNS:
        assert parse_hive_type(column.type.hive()).hive() == column.type.hive()
    assert parse_hive_type(" struct< a : map<string,int> > ") == Struct(
        (archive_sql.Column("a", MapOf(Primitive("string"), Primitive("int"))),))


@pytest.mark.parametrize("text", ["array<string>", "struct<a:string", "string string", "decimal(10,2)"])
def test_fails_on_a_hive_type_the_table_does_not_use(text: str) -> None:
    with pytest.raises(ValueError, match=re.escape(repr(text))):
        parse_hive_type(text)


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


@pytest.mark.parametrize("statement, shape", [
    ("SELECT * FROM users WHERE id = 42 AND name = 'bob'", "SELECT * FROM users WHERE id = ? AND name = ?"),
    ('SELECT "users".* FROM "users" WHERE "users"."id" = $1 LIMIT $2',
     'SELECT "users".* FROM "users" WHERE "users"."id" = ? LIMIT ?'),
    ("SELECT * FROM t2 WHERE price > 1.5", "SELECT * FROM t2 WHERE price > ?"),
])
def test_normalize_pattern_replaces_literals_but_not_names(statement: str, shape: str) -> None:
    assert re.sub(archive_sql.NORMALIZE_PATTERN, "?", statement) == shape


def test_glue_names_are_lower_case_letters_digits_and_underscores() -> None:
    assert glue_name("Put-S3.Sample_Logs") == "put_s3_sample_logs"

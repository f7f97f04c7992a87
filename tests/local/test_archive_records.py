"""Archived objects read as the table's OpenX JSON SerDe reads them, and schema drift named."""

from __future__ import annotations

import gzip
import json

from firelens_app.sql_logs import SQL_LOG_COLUMNS
from firelens_cdktf.archive.schema import BIGINT, BOOLEAN, DOUBLE, INT, STRING, Column, MapOf, Struct
from firelens_local.archive_records import check_schema, object_text, read_lines, to_row

SQL_RECORD = {
    "host": "vm",
    "application": "SampleMetrics",
    "environment": "production",
    "timestamp": "2026-11-30T14:04:07.564189Z",
    "level": "debug",
    "level_index": 1,
    "pid": 7,
    "thread": "t1",
    "duration_ms": 0.126,
    "duration": "0.126ms",
    "named_tags": {"request_id": "r1", "ip": "127.0.0.1"},
    "name": "ActiveRecord",
    "message": "User Load",
    "payload": {
        "sql": 'SELECT "users".* FROM "users" WHERE "users"."id" = ? LIMIT ?',
        "binds": {"id": 1, "limit": 1},
        "allocations": 16,
        "cached": None,
    },
    "ecs_cluster": "c",
    "ecs_task_arn": "arn:aws:ecs:ap-northeast-1:1:task/c/t",
    "ecs_task_definition": "td:1",
}


def test_gzip_objects_are_read_after_gunzip_and_plain_ones_as_they_are() -> None:
    assert object_text(gzip.compress(b'{"a":1}\n')) == object_text(b'{"a":1}\n') == '{"a":1}\n'


def test_the_blank_line_after_each_aggregate_is_a_null_row_not_an_error() -> None:
    aggregate = (json.dumps(SQL_RECORD) + "\n") * 2 + "\n"  # Fluent Bit: a newline per record, one more per aggregate
    lines = read_lines(aggregate + aggregate)
    assert [r is None for r in lines.records] == [False, False, True, False, False, True]
    assert (lines.blank, lines.malformed) == (2, 0)


def test_a_malformed_line_is_a_null_row_because_the_table_ignores_malformed_json() -> None:
    lines = read_lines('{"name": "ActiveRecord"\n[1, 2]\n{"ok": true}\n')
    assert lines.records == (None, None, {"ok": True}) and lines.malformed == 2


def test_a_sql_log_record_parses_under_the_tables_columns_without_loss() -> None:
    drift = check_schema([SQL_RECORD], SQL_LOG_COLUMNS)
    assert drift.clean and drift.describe() == [
        "1 record(s) parse under the table's columns: every key covered, no value lost"
    ]


def test_values_are_read_as_openx_reads_them() -> None:
    columns = (
        Column("n", INT),
        Column("b", BIGINT),
        Column("d", DOUBLE),
        Column("s", STRING),
        Column("t", BOOLEAN),
        Column("m", MapOf(STRING, STRING)),
        Column("p", Struct((Column("x", INT),))),
    )
    row, uncovered, lost = to_row(
        {"N": "12", "b": 3.0, "d": "1.5", "s": {"k": 1}, "t": "TRUE", "m": {"id": 1}, "p": {"X": 4, "y": 5}}, columns
    )
    assert row == {"n": 12, "b": 3, "d": 1.5, "s": '{"k":1}', "t": True, "m": {"id": "1"}, "p": {"x": 4}}
    assert (uncovered, lost) == (["p.y"], [])


def test_schema_drift_names_the_keys_and_values_the_table_does_not_cover() -> None:
    drifted = {
        **SQL_RECORD,
        "db_host": "replica-1",
        "payload": {**SQL_RECORD["payload"], "row_count": 3, "allocations": "many"},
    }
    drift = check_schema([SQL_RECORD, drifted, drifted], SQL_LOG_COLUMNS)
    assert not drift.clean
    assert dict(drift.uncovered) == {"db_host": 2, "payload.row_count": 2}
    assert dict(drift.nulled) == {'payload.allocations: "many" in a bigint column': 2}
    text = "\n".join(drift.describe())
    assert text.startswith("SCHEMA DRIFT: of 3 record(s)")
    assert "key not in the table: db_host in 2 record(s), e.g. {" in text
    assert 'value read as NULL: payload.allocations: "many" in a bigint column in 2 record(s)' in text

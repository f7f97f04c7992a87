"""Parquet in the archive: the emulator converts as Firehose does, and make query reads and prices it.

The pure half checks the conversion and the pricing on values; the emulator half deploys a
Parquet LogArchive with its ArchiveQueries table, puts records as Fluent Bit sends them (one
aggregate of newline-separated documents, and a document that is not JSON), and reads back a
Parquet object under the evaluated day partition, the failed document under the error prefix,
and the saved queries' answers with the bytes each reads.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from cdktf import TerraformStack, Testing

from conftest import synth_json, terraform
from firelens_cdktf import LogArchive, aws_provider
from firelens_cdktf.archive import BIGINT, STRING, Column, SavedQuery, Struct
from firelens_cdktf.constructs import ArchiveQueries
from firelens_local._moto_firehose import converted_objects
from firelens_local.emulator import Emulator, emulator_client
from firelens_local.parquet import column_chunk_bytes, convert_records, documents, named_columns, scanned_bytes
from firelens_local.query import query_archive

REGION = "ap-northeast-1"
COLUMNS = (
    Column("message", STRING),
    Column("level", STRING),
    Column("duration_ms", BIGINT),
    Column("payload", Struct((Column("sql", STRING), Column("allocations", BIGINT)))),
)
WHEN = datetime(2026, 12, 3, 10, 5, 0, tzinfo=UTC)
DESTINATION = {
    "BucketARN": "arn:aws:s3:::my-sql-logs",
    "Prefix": "year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/",
    "ErrorOutputPrefix": "errors/year=!{timestamp:yyyy}/!{firehose:error-output-type}/",
    "CompressionFormat": "UNCOMPRESSED",
    "FileExtension": ".parquet",
}


def _aggregate(count: int, start: int = 0) -> bytes:
    """``count`` SQL-log records as simple_aggregation sends them: a line each, a blank line after."""
    lines = [
        json.dumps(
            {
                "Message": f"User Load {i}",  # another case than the column: OpenX matches case-insensitively
                "level": "debug",
                "duration_ms": i,
                "payload": {"sql": f"SELECT {i}", "allocations": i % 7, "cached": None},
                "host": "ip-10-0-1-23",  # no column: not stored
            }
        )
        for i in range(start, start + count)
    ]
    return ("\n".join(lines) + "\n\n").encode()


def test_a_record_holds_documents_on_lines_or_back_to_back_and_bad_ones_fail_alone() -> None:
    found = [(raw, record is not None) for raw, record in documents(b'{"a":1}\n\n{"a":2}{"a":3}\nnot json\n[1]\n')]
    assert found == [(b'{"a":1}', True), (b'{"a":2}', True), (b'{"a":3}', True), (b"not json", False), (b"[1]", False)]


def test_conversion_keeps_the_columns_and_sends_what_is_not_an_object_to_the_error_prefix(tmp_path: Path) -> None:
    objects = converted_objects(
        DESTINATION, "sql-logs", "1", [{"Data": _aggregate(3)}, {"Data": b"{truncated\n"}], WHEN, COLUMNS, ("db", "t")
    )
    (bucket, key, body), (_, error_key, error_body) = objects
    assert bucket == "my-sql-logs" and key.startswith("year=2026/month=12/day=03/sql-logs-1-2026-12-03-10-05-00-")
    assert key.endswith(".parquet") and body[:4] == body[-4:] == b"PAR1"
    assert error_key.startswith("errors/year=2026/format-conversion-failed/sql-logs-1-")
    failure = json.loads(error_body)
    assert base64.b64decode(failure["rawData"]) == b"{truncated"
    assert failure["dataCatalogTable"] == {"databaseName": "db", "tableName": "t"}
    path = tmp_path / "converted.parquet"
    path.write_bytes(body)
    import duckdb

    rows = duckdb.connect().execute(f"SELECT * FROM read_parquet('{path}') ORDER BY duration_ms").fetchall()
    assert rows[0] == ("User Load 0", "debug", 0, {"sql": "SELECT 0", "allocations": 0})
    assert len(rows) == 3


def test_a_query_reads_the_chunks_of_the_columns_it_names_and_the_footer(tmp_path: Path) -> None:
    conversion = convert_records([_aggregate(500)], COLUMNS)
    assert conversion.parquet is not None and conversion.rows == 500
    path = tmp_path / "day.parquet"
    path.write_bytes(conversion.parquet)
    sizes, other = column_chunk_bytes(path)
    assert set(sizes) == {"message", "level", "duration_ms", "payload"}
    assert sum(sizes.values()) + other == path.stat().st_size
    used = named_columns(
        'SELECT payload.sql FROM "t" WHERE "year" = ? ORDER BY duration_ms DESC', [c.name for c in COLUMNS]
    )
    assert used == ("duration_ms", "payload")
    assert scanned_bytes([(sizes, other)], used) == sizes["duration_ms"] + sizes["payload"] + other
    assert scanned_bytes([(sizes, other)], used) < path.stat().st_size


# --- on the emulator ---------------------------------------------------------------------------------


def _saved(table: str) -> tuple[SavedQuery, ...]:
    day = '"year" = ? AND "month" = ? AND "day" = ?'
    return (
        SavedQuery("count", f"{table}: rows", "Rows of one day.", f'SELECT count(*) AS n FROM "{table}" WHERE {day}'),
        SavedQuery(
            "slowest",
            f"{table}: slowest",
            "The slowest statement of one day.",
            f'SELECT payload.sql, duration_ms FROM "{table}" WHERE {day} ORDER BY duration_ms DESC LIMIT 1',
        ),
    )


class Deployed(NamedTuple):
    objects: dict[str, int]
    run: Any


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory, emulator: Emulator) -> Deployed:
    stack = TerraformStack(Testing.app(), "parquet-archive")
    aws_provider(stack, region=REGION)
    archive = LogArchive(
        stack, "archive", stream_name="sql-logs", bucket_name="my-sql-logs", record_format="PARQUET", force_destroy=True
    )
    ArchiveQueries(
        stack,
        "queries",
        archive=archive,
        workgroup_name="sql-logs",
        database_name="app_logs",
        results_bucket_name="my-sql-logs-results",
        first_year=2026,
        columns=COLUMNS,
        queries=_saved,
    )
    workdir = tmp_path_factory.mktemp("parquet-archive")
    (workdir / "cdk.tf.json").write_text(json.dumps(synth_json(stack)))
    env = emulator.env(REGION)
    terraform(workdir, "init", "-input=false", env=env)
    terraform(workdir, "apply", "-auto-approve", "-input=false", env=env)
    client = lambda service: emulator_client(service, emulator.endpoint, REGION)  # noqa: E731
    firehose = client("firehose")
    firehose.put_record_batch(DeliveryStreamName="sql-logs", Records=[{"Data": _aggregate(300)}])
    firehose.put_record_batch(DeliveryStreamName="sql-logs", Records=[{"Data": _aggregate(200, 300) + b"oops\n"}])
    s3 = client("s3")
    objects = {o["Key"]: o["Size"] for o in s3.list_objects_v2(Bucket="my-sql-logs").get("Contents", [])}
    run = query_archive(
        s3=s3, glue=client("glue"), athena=client("athena"), table="app_logs.sql_logs", workgroup="sql-logs"
    )
    return Deployed(objects, run)


@pytest.mark.emulator
def test_the_emulator_delivers_parquet_under_the_day_and_the_bad_document_under_the_error_prefix(
    deployed: Deployed,
) -> None:
    data = [k for k in deployed.objects if k.startswith("year=")]
    errors = [k for k in deployed.objects if k.startswith("errors/")]
    assert len(data) == 2 and all(k.endswith(".parquet") for k in data)
    assert len(errors) == 1 and "/format-conversion-failed/" in errors[0]


@pytest.mark.emulator
def test_the_saved_queries_answer_from_the_parquet_objects_reading_only_their_columns(deployed: Deployed) -> None:
    run = deployed.run
    stored = sum(size for key, size in deployed.objects.items() if key.startswith("year="))
    assert run.loaded is not None and run.loaded.rows == 500 and run.loaded.bytes_read == stored
    count, slowest = run.result(": rows"), run.result(": slowest")
    assert count is not None and count.rows == ((500,),)
    assert slowest is not None and slowest.rows == (("SELECT 499", 499),)
    assert count.bytes_scanned < slowest.bytes_scanned < stored  # footers only; two columns; not every column

"""The app's archive in Parquet (FIRELENS_ARCHIVE_FORMAT=PARQUET): the pipeline converts with its SQL-log table,
and make run's read-back compares rows of the table's columns, not lines."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from cdktf import Testing

from conftest import only, synth_json
from firelens_app.config import PipelineConfig
from firelens_app.sql_logs import SQL_LOG_COLUMNS
from firelens_app.stacks.pipeline import PipelineStack
from firelens_cdktf.errors import ConfigError
from firelens_local._moto_firehose import converted_objects
from firelens_local.delivery_check import S3, Placement, account, converted_records, observed_records
from firelens_local.readback import StoredObject


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    config = PipelineConfig.from_env({"FIRELENS_ARCHIVE_FORMAT": "PARQUET"})
    return synth_json(PipelineStack(Testing.app(), "pipeline", config=config))


def test_the_archive_stream_converts_with_the_sql_log_table(doc: dict[str, Any]) -> None:
    s3 = only(doc, "aws_kinesis_firehose_delivery_stream")["extended_s3_configuration"]
    table = only(doc, "aws_glue_catalog_table")
    assert s3["data_format_conversion_configuration"]["schema_configuration"]["table_name"] == table["name"]
    assert [c["name"] for c in table["storage_descriptor"]["columns"]] == [c.name for c in SQL_LOG_COLUMNS]
    assert table["parameters"]["classification"] == "parquet"


def test_an_unknown_format_is_refused_with_the_variable_to_set() -> None:
    with pytest.raises(ConfigError, match=r"archive_format='ORC'.*one of JSON, PARQUET.*FIRELENS_ARCHIVE_FORMAT"):
        PipelineConfig(archive_format="ORC")


def test_the_read_back_compares_the_sent_records_as_rows_of_the_tables_columns() -> None:
    bucket = "firelens-sample-put-s3-sample-metrics-logs"
    sent = [
        json.dumps({"name": "ActiveRecord", "message": "User Load", "payload": {"sql": "SELECT 1"}, "extra": i})
        for i in range(3)
    ]
    destination = {
        "BucketARN": f"arn:aws:s3:::{bucket}",
        "Prefix": "year=!{timestamp:yyyy}/",
        "ErrorOutputPrefix": "errors/!{firehose:error-output-type}/",
        "FileExtension": ".parquet",
    }
    stored = [
        StoredObject(bucket, key, body)
        for _, key, body in converted_objects(
            destination,
            "s",
            "1",
            [{"Data": ("\n".join(sent) + "\n\n").encode()}],
            datetime(2026, 12, 3, tzinfo=UTC),
            SQL_LOG_COLUMNS,
            ("db", "t"),
        )
    ]
    expected = converted_records([(Placement(S3, bucket), body) for body in sent], bucket, SQL_LOG_COLUMNS)
    observed = observed_records(stored, [], parquet_buckets={bucket})
    accounting = account(expected, observed)
    assert accounting.exact and len(observed) == 3
    assert all('"extra"' not in row for _, row in observed)  # a key the table has no column for is not stored
    lost = account(expected, observed[:2])
    assert len(lost.missing) == 1

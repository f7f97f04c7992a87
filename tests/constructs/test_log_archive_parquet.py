"""LogArchive(record_format="PARQUET"): Firehose converts records with the query table's columns, under its rules
(64 MiB of buffer, no stream compression, failures to the error prefix with an alarm); options that would lose
records or fail at deploy are refused before."""

from __future__ import annotations

from typing import Any

import pytest
from cdktf import App, TerraformStack, Testing

from conftest import find, only, ref, resources, statements, synth_json
from firelens_cdktf import LogArchive
from firelens_cdktf.archive import STRING, Column, SavedQuery
from firelens_cdktf.constructs import ArchiveQueries
from firelens_cdktf.errors import ConfigError

COLUMNS = (Column("message", STRING), Column("level", STRING))


def _count(table: str) -> tuple[SavedQuery, ...]:
    sql = f'SELECT count(*) FROM "{table}" WHERE "year" = ? AND "month" = ? AND "day" = ?'
    return (SavedQuery("count", f"{table}: rows", "Rows of one day.", sql),)


def _queries(stack: TerraformStack, archive: LogArchive, **options: Any) -> ArchiveQueries:
    return ArchiveQueries(
        stack,
        options.pop("id_", "queries"),
        archive=archive,
        workgroup_name=options.pop("workgroup_name", "sql-logs"),
        database_name=options.pop("database_name", "app_logs"),
        results_bucket_name=options.pop("results_bucket_name", "my-sql-logs-results"),
        first_year=2026,
        columns=COLUMNS,
        queries=_count,
        **options,
    )


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    stack = TerraformStack(Testing.app(), "parquet")
    archive = LogArchive(stack, "archive", stream_name="sql-logs", bucket_name="my-sql-logs", record_format="PARQUET")
    _queries(stack, archive)
    return synth_json(stack)


def _s3(doc: dict[str, Any]) -> dict[str, Any]:
    return only(doc, "aws_kinesis_firehose_delivery_stream")["extended_s3_configuration"]


def test_the_stream_converts_with_the_query_tables_columns_as_schema(doc: dict[str, Any]) -> None:
    conversion = _s3(doc)["data_format_conversion_configuration"]
    table = only(doc, "aws_glue_catalog_table")
    assert conversion["enabled"] is True
    assert conversion["input_format_configuration"] == {"deserializer": {"open_x_json_ser_de": {}}}
    assert conversion["output_format_configuration"] == {"serializer": {"parquet_ser_de": {"compression": "SNAPPY"}}}
    schema = conversion["schema_configuration"]
    assert (schema["table_name"], schema["version_id"]) == (table["name"], "LATEST")
    assert schema["database_name"] == ref(
        doc, "aws_glue_catalog_database", only(doc, "aws_glue_catalog_database"), "name"
    )


def test_the_stream_meets_firehoses_conversion_rules(doc: dict[str, Any]) -> None:
    s3 = _s3(doc)
    assert (s3["compression_format"], s3["buffering_size"], s3["file_extension"]) == ("UNCOMPRESSED", 64, ".parquet")
    assert "!{firehose:error-output-type}" in s3["error_output_prefix"]


def test_the_table_is_parquet(doc: dict[str, Any]) -> None:
    table = only(doc, "aws_glue_catalog_table")
    descriptor = table["storage_descriptor"]
    assert (
        descriptor["ser_de_info"]["serialization_library"]
        == "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
    )
    assert descriptor["input_format"].endswith("MapredParquetInputFormat")
    assert table["parameters"]["classification"] == "parquet"


def test_the_delivery_role_may_read_only_the_schema_table(doc: dict[str, Any]) -> None:
    policy = find(doc, "aws_iam_role_policy", name="read-schema")
    [statement] = statements(policy["policy"])
    table = ref(doc, "aws_glue_catalog_table", only(doc, "aws_glue_catalog_table"), "arn")
    assert statement["Action"] == ["glue:GetTable", "glue:GetTableVersion", "glue:GetTableVersions"]
    assert table in statement["Resource"] and len(statement["Resource"]) == 3


def test_failed_conversions_alarm(doc: dict[str, Any]) -> None:
    alarm = find(doc, "aws_cloudwatch_metric_alarm", alarm_name="sql-logs-failed-conversion")
    assert (alarm["metric_name"], alarm["threshold"]) == ("FailedConversion.Records", 0)


def test_each_service_stream_converts_with_its_teams_table() -> None:
    stack = TerraformStack(Testing.app(), "shared")
    archive = LogArchive(
        stack, "audit", stream_name="audit", bucket_name="my-audit", services=("api", "worker"), record_format="PARQUET"
    )
    for service in ("api", "worker"):
        _queries(
            stack,
            archive,
            id_=f"q-{service}",
            service=service,
            workgroup_name=f"{service}-audit",
            database_name=f"{service}_logs",
            results_bucket_name=f"my-{service}-results",
        )
    doc = synth_json(stack)
    tables = {
        s["name"]: s["extended_s3_configuration"]["data_format_conversion_configuration"]["schema_configuration"][
            "table_name"
        ]
        for s in resources(doc, "aws_kinesis_firehose_delivery_stream")
    }
    assert tables == {"audit-api": "audit_api", "audit-worker": "audit_worker"}


def test_a_parquet_archive_without_a_schema_table_fails_the_synth_and_says_what_to_add() -> None:
    app = App(outdir=str(Testing.app().outdir))
    stack = TerraformStack(app, "no-schema")
    LogArchive(stack, "archive", stream_name="sql-logs", bucket_name="my-sql-logs", record_format="PARQUET")
    with pytest.raises(Exception, match=r"a schema table for every stream \(none for sql-logs\).*add ArchiveQueries"):
        app.synth()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"record_format": "ORC"}, r"record_format='ORC'.*one of JSON, PARQUET"),
        ({"record_format": "PARQUET", "buffering_size_mib": 5}, r"buffering_size_mib=5.*64 MiB of buffer or more"),
    ],
)
def test_settings_that_cannot_work_are_refused(options: dict[str, Any], message: str) -> None:
    stack = TerraformStack(Testing.app(), "bad")
    with pytest.raises(ConfigError, match=message):
        LogArchive(stack, "archive", stream_name="sql-logs", bucket_name="my-sql-logs", **options)


def test_a_json_archive_has_no_schema_to_convert_with() -> None:
    stack = TerraformStack(Testing.app(), "json")
    archive = LogArchive(stack, "archive", stream_name="sql-logs", bucket_name="my-sql-logs")
    queries = _queries(stack, archive)
    assert "data_format_conversion_configuration" not in _s3(synth_json(stack))
    with pytest.raises(ConfigError, match=r"record_format='JSON'.*PARQUET to convert"):
        archive.convert_with_table(
            "sql-logs",
            database_name="app_logs",
            table_name=queries.table_name,
            catalog_arn="arn:aws:glue:ap-northeast-1:123456789012:catalog",
            database_arn="arn:aws:glue:ap-northeast-1:123456789012:database/app_logs",
            table_arn="arn:aws:glue:ap-northeast-1:123456789012:table/app_logs/sql_logs",
        )

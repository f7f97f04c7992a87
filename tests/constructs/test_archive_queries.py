"""ArchiveQueries: a projected Glue table over a LogArchive, an enforced Athena workgroup, saved queries,
and a reader policy that passes the project's wildcard rule."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cdktf import TerraformStack, Testing
from cdktf_cdktf_provider_aws.iam_role import IamRole

from conftest import find, only, ref, resources, synth_json
from firelens_cdktf.archive.schema import BIGINT, DOUBLE, STRING, Column, SavedQuery, Struct
from firelens_cdktf.constructs.archive_queries import ArchiveQueries
from firelens_cdktf.constructs.log_archive import LogArchive
from firelens_cdktf.errors import ConfigError
from firelens_cdktf.iam.policy import grant_violations, parse_statements, wildcard_parts

#: A team's own table: a few keys of its records, one nested.
COLUMNS = (
    Column("message", STRING),
    Column("duration_ms", DOUBLE),
    Column("payload", Struct((Column("sql", STRING), Column("rows", BIGINT)))),
)


def _queries(table: str) -> tuple[SavedQuery, ...]:
    return (
        SavedQuery(
            "count",
            f"{table}: rows of a day",
            "How many rows one day holds.",
            f'SELECT count(*) FROM "{table}" WHERE "year" = ? AND "month" = ? AND "day" = ?',
        ),
        SavedQuery(
            "slow",
            f"{table}: slowest",
            "The slowest statements.",
            f'SELECT payload.sql FROM "{table}" ORDER BY duration_ms DESC LIMIT 5',
        ),
    )


def _stack() -> tuple[TerraformStack, LogArchive]:
    stack = TerraformStack(Testing.app(), "test")
    return stack, LogArchive(stack, "archive", stream_name="sql-logs", bucket_name="my-sql-logs")


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    stack, archive = _stack()
    queries = ArchiveQueries(
        stack,
        "queries",
        archive=archive,
        workgroup_name="sql-logs",
        first_year=2026,
        database_name="app_logs",
        results_bucket_name="my-sql-logs-results",
        bytes_scanned_cutoff_per_query=200_000_000,
        columns=COLUMNS,
        queries=_queries,
    )
    queries.grant_read(IamRole(stack, "analyst", assume_role_policy="{}"))
    return synth_json(stack)


def _reader(doc: dict[str, Any]) -> dict[str, Any]:
    return dict(json.loads(only(doc, "aws_iam_policy")["policy"]))


def test_table_projects_integer_day_partitions_onto_the_firehose_prefix(doc: dict[str, Any]) -> None:
    table = only(doc, "aws_glue_catalog_table")
    bucket = ref(doc, "aws_s3_bucket", find(doc, "aws_s3_bucket", bucket="my-sql-logs"), "bucket")
    parameters = table["parameters"]
    # Terraform's "$${" is a literal "${": Athena gets s3://<bucket>/year=${year}/month=${month}/day=${day}/.
    assert parameters["storage.location.template"] == f"s3://{bucket}/year=$${{year}}/month=$${{month}}/day=$${{day}}/"
    assert (
        parameters["projection.enabled"],
        parameters["projection.year.range"],
        parameters["projection.month.digits"],
        parameters["projection.day.digits"],
    ) == ("true", "2026,2125", "2", "2")
    assert [(k["name"], k["type"]) for k in table["partition_keys"]] == [
        ("year", "int"),
        ("month", "int"),
        ("day", "int"),
    ]
    assert table["table_type"] == "EXTERNAL_TABLE" and table["name"] == "sql_logs"


def test_table_reads_gzip_json_lines_with_the_openx_serde_skipping_malformed_lines(doc: dict[str, Any]) -> None:
    storage = only(doc, "aws_glue_catalog_table")["storage_descriptor"]
    assert storage["ser_de_info"]["serialization_library"] == "org.openx.data.jsonserde.JsonSerDe"
    assert storage["ser_de_info"]["parameters"] == {"ignore.malformed.json": "TRUE"}
    assert storage["input_format"] == "org.apache.hadoop.mapred.TextInputFormat"
    payload = next(c for c in storage["columns"] if c["name"] == "payload")
    assert payload["type"] == "struct<sql:string,rows:bigint>"


def test_workgroup_enforces_encrypted_results_a_scan_cutoff_and_metrics(doc: dict[str, Any]) -> None:
    workgroup = only(doc, "aws_athena_workgroup")
    results = find(doc, "aws_s3_bucket", bucket="my-sql-logs-results")
    configuration = workgroup["configuration"]
    assert configuration["enforce_workgroup_configuration"] is True
    assert configuration["publish_cloudwatch_metrics_enabled"] is True
    assert configuration["bytes_scanned_cutoff_per_query"] == 200_000_000
    assert configuration["result_configuration"] == {
        "output_location": f"s3://{ref(doc, 'aws_s3_bucket', results, 'bucket')}/",
        "encryption_configuration": {"encryption_option": "SSE_S3"},
    }


def test_results_bucket_is_a_secure_bucket_whose_results_expire_after_a_week(doc: dict[str, Any]) -> None:
    results = find(doc, "aws_s3_bucket", bucket="my-sql-logs-results")
    bucket_id = ref(doc, "aws_s3_bucket", results, "id")
    assert find(doc, "aws_s3_bucket_server_side_encryption_configuration", bucket=bucket_id)
    assert find(doc, "aws_s3_bucket_public_access_block", bucket=bucket_id)["restrict_public_buckets"] is True
    lifecycle = find(doc, "aws_s3_bucket_lifecycle_configuration", bucket=bucket_id)["rule"][0]
    assert lifecycle["expiration"] == [{"days": 7}] and lifecycle["status"] == "Enabled"


def test_saved_queries_are_named_queries_of_the_workgroup_on_the_database(doc: dict[str, Any]) -> None:
    workgroup = only(doc, "aws_athena_workgroup")
    database = only(doc, "aws_glue_catalog_database")
    named = resources(doc, "aws_athena_named_query")
    assert sorted(q["query"] for q in named) == sorted(q.sql for q in _queries("sql_logs"))
    assert sorted(q["name"] for q in named) == ["sql_logs: rows of a day", "sql_logs: slowest"]
    assert {(q["workgroup"], q["database"]) for q in named} == {
        (ref(doc, "aws_athena_workgroup", workgroup, "name"), ref(doc, "aws_glue_catalog_database", database, "name"))
    }


def test_default_scan_cutoff_is_one_gib() -> None:
    stack, archive = _stack()
    ArchiveQueries(
        stack,
        "queries",
        archive=archive,
        workgroup_name="wg",
        first_year=2026,
        database_name="db",
        results_bucket_name="my-results",
        columns=COLUMNS,
    )
    configuration = only(synth_json(stack), "aws_athena_workgroup")["configuration"]
    assert configuration["bytes_scanned_cutoff_per_query"] == 1024**3


def test_reader_policy_passes_the_wildcard_rule(doc: dict[str, Any]) -> None:
    policy = _reader(doc)
    assert list(grant_violations(policy)) == []
    grants = [g for s in parse_statements(policy) for g in s.grants()]
    assert [part for grant in grants for part in wildcard_parts(grant)] == []


def test_reader_policy_names_exactly_this_workgroup_table_and_buckets(doc: dict[str, Any]) -> None:
    workgroup = ref(doc, "aws_athena_workgroup", only(doc, "aws_athena_workgroup"), "arn")
    table = ref(doc, "aws_glue_catalog_table", only(doc, "aws_glue_catalog_table"), "arn")
    database = ref(doc, "aws_glue_catalog_database", only(doc, "aws_glue_catalog_database"), "arn")
    archive = ref(doc, "aws_s3_bucket", find(doc, "aws_s3_bucket", bucket="my-sql-logs"), "arn")
    results = ref(doc, "aws_s3_bucket", find(doc, "aws_s3_bucket", bucket="my-sql-logs-results"), "arn")
    by_sid = {s["Sid"]: s for s in _reader(doc)["Statement"]}
    assert by_sid["QueryInWorkgroup"]["Resource"] == [workgroup]
    assert by_sid["ReadTableDefinition"]["Resource"][1:] == [database, table]
    assert by_sid["ReadTableDefinition"]["Resource"][0].endswith(":catalog")
    assert by_sid["ListArchivePartitions"]["Resource"] == [archive]
    assert by_sid["ListArchivePartitions"]["Condition"] == {"StringLike": {"s3:prefix": ["year=*"]}}
    assert by_sid["ReadArchiveObjects"]["Resource"] == [f"{archive}/year=*"]  # not errors/
    assert by_sid["WriteQueryResults"]["Resource"] == [f"{results}/*"]
    assert all(
        a.startswith(("athena:Get", "athena:List", "athena:Batch", "athena:Start", "athena:Stop"))
        for a in by_sid["QueryInWorkgroup"]["Action"]
    )


def test_grant_read_attaches_the_reader_policy_to_the_role(doc: dict[str, Any]) -> None:
    attachment = only(doc, "aws_iam_role_policy_attachment")
    assert attachment["policy_arn"] == ref(doc, "aws_iam_policy", only(doc, "aws_iam_policy"), "arn")
    assert attachment["role"] == ref(doc, "aws_iam_role", find(doc, "aws_iam_role", assume_role_policy="{}"), "name")


_GOOD = {
    "workgroup_name": "wg",
    "first_year": 2026,
    "database_name": "db",
    "results_bucket_name": "my-results",
    "columns": COLUMNS,
}


@pytest.mark.parametrize(
    "changes, field, allowed",
    [
        ({"database_name": "App-Logs"}, "database_name", "lower-case letters, digits or '_'"),
        ({"table_name": "sql logs"}, "table_name", "lower-case letters, digits or '_'"),
        ({"workgroup_name": "sql logs"}, "workgroup_name", "letters, digits, '.', '_' or '-'"),
        ({"results_bucket_name": "My_Results"}, "results_bucket_name", "3-63 lowercase letters"),
        ({"first_year": 1900}, "first_year", "a whole number from 1970"),
        ({"bytes_scanned_cutoff_per_query": 1_000_000}, "bytes_scanned_cutoff_per_query", "from 10000000"),
        ({"results_expiration_days": 0}, "results_expiration_days", "from 1 to 36500"),
        ({"columns": (Column("year", STRING),)}, "columns", "none named year, month or day"),
    ],
)
def test_fails_when_a_setting_cannot_work(changes: dict[str, Any], field: str, allowed: str) -> None:
    stack, archive = _stack()
    with pytest.raises(ConfigError, match=f"ArchiveQueries 'test/queries': {field}=.*allowed: .*{allowed}") as error:
        ArchiveQueries(stack, "queries", archive=archive, **{**_GOOD, **changes})
    assert "Fix: " in str(error.value)


def test_fails_when_both_or_neither_database_is_given() -> None:
    stack, archive = _stack()
    with pytest.raises(ConfigError, match="database_name/database=.*exactly one of them"):
        ArchiveQueries(stack, "queries", archive=archive, **{**_GOOD, "database_name": None})


def test_fails_when_the_archive_prefix_has_no_day_partitions() -> None:
    stack = TerraformStack(Testing.app(), "test")
    archive = LogArchive(
        stack,
        "archive",
        stream_name="sql-logs",
        bucket_name="my-sql-logs",
        prefix="logs/!{timestamp:yyyy/MM/dd}/",
        error_prefix="errors/!{firehose:error-output-type}/",
    )
    with pytest.raises(
        ConfigError,
        match=r"archive prefix='logs/!\{timestamp:yyyy/MM/dd\}/'.*Fix: give the "
        "LogArchive the default prefix",
    ):
        ArchiveQueries(stack, "queries", archive=archive, **_GOOD)


def test_without_queries_no_named_query_is_saved() -> None:
    stack, archive = _stack()
    ArchiveQueries(stack, "queries", archive=archive, **_GOOD)
    assert resources(synth_json(stack), "aws_athena_named_query") == []

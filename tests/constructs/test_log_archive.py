"""LogArchive: Firehose -> S3, gzip, Hive-style partitions, least-privilege delivery."""

from __future__ import annotations

from typing import Any

import pytest
from cdktf import TerraformStack, Testing
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket

from conftest import find, only, ref, resources, statements, synth_json
from firelens_cdktf import LogArchive
from firelens_cdktf.constructs.log_archive import HIVE_ERROR_PREFIX, HIVE_PREFIX
from firelens_cdktf.errors import ConfigError


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    stack = TerraformStack(Testing.app(), "test")
    archive = LogArchive(stack, "archive", stream_name="sql-logs", bucket_name="my-sql-logs", expiration_days=90)
    archive.grant_put_records(IamRole(stack, "task-role", assume_role_policy="{}"))
    return synth_json(stack)


def _s3(doc: dict[str, Any]) -> dict[str, Any]:
    return only(doc, "aws_kinesis_firehose_delivery_stream")["extended_s3_configuration"]


def test_stream_is_direct_put_into_the_archive_bucket(doc: dict[str, Any]) -> None:
    bucket = only(doc, "aws_s3_bucket")
    assert _s3(doc)["bucket_arn"] == ref(doc, "aws_s3_bucket", bucket, "arn")


def test_objects_are_gzip_compressed(doc: dict[str, Any]) -> None:
    assert _s3(doc)["compression_format"] == "GZIP"


def test_objects_are_partitioned_hive_style_by_day(doc: dict[str, Any]) -> None:
    assert _s3(doc)["prefix"] == "year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/"


def test_failed_records_are_split_by_error_type(doc: dict[str, Any]) -> None:
    assert "!{firehose:error-output-type}" in _s3(doc)["error_output_prefix"]


def test_delivery_errors_are_logged_to_a_group_with_retention(doc: dict[str, Any]) -> None:
    group = find(doc, "aws_cloudwatch_log_group", name="/aws/kinesisfirehose/sql-logs")
    options = _s3(doc)["cloudwatch_logging_options"]
    assert (options["enabled"], group["retention_in_days"]) == (True, 30)


def test_stream_is_encrypted_at_rest(doc: dict[str, Any]) -> None:
    assert only(doc, "aws_kinesis_firehose_delivery_stream")["server_side_encryption"]["enabled"] is True


def test_archive_bucket_expires_objects_after_the_configured_days(doc: dict[str, Any]) -> None:
    rule = only(doc, "aws_s3_bucket_lifecycle_configuration")["rule"][0]
    assert rule["expiration"] == [{"days": 90}]


def test_delivery_role_touches_only_the_archive_bucket(doc: dict[str, Any]) -> None:
    bucket_arn = ref(doc, "aws_s3_bucket", only(doc, "aws_s3_bucket"), "arn")
    policy = find(doc, "aws_iam_role_policy", name="deliver-to-s3")
    s3_statement = next(s for s in statements(policy["policy"]) if s["Sid"] == "DeliverToArchiveBucket")
    assert s3_statement["Resource"] == [bucket_arn, f"{bucket_arn}/*"]


def test_grant_put_records_allows_only_put_record_batch_on_this_stream(doc: dict[str, Any]) -> None:
    stream = only(doc, "aws_kinesis_firehose_delivery_stream")
    grant = find(doc, "aws_iam_role_policy", name="put-records-archive")
    [statement] = statements(grant["policy"])
    assert (statement["Action"], statement["Resource"]) == (
        ["firehose:PutRecordBatch"],
        [ref(doc, "aws_kinesis_firehose_delivery_stream", stream, "arn")],
    )


def test_an_existing_bucket_is_used_instead_of_creating_one() -> None:
    stack = TerraformStack(Testing.app(), "test")
    existing = S3Bucket(stack, "existing", bucket="their-bucket")
    LogArchive(stack, "archive", stream_name="s", bucket=existing)
    doc = synth_json(stack)
    assert len(resources(doc, "aws_s3_bucket")) == 1 and _s3(doc)["bucket_arn"] == ref(
        doc, "aws_s3_bucket", only(doc, "aws_s3_bucket"), "arn"
    )


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"buffering_size_mib": 0}, "buffering_size_mib"),
        ({"buffering_size_mib": 129}, "buffering_size_mib"),
        ({"buffering_interval_seconds": 901}, "buffering_interval_seconds"),
        ({"error_prefix": ""}, "error_prefix"),
        ({"error_prefix": "errors/"}, "error_prefix"),
        ({"error_log_retention_days": 31}, "error_log_retention_days"),
        ({"stream_name": "has space"}, "stream_name"),
        ({"bucket_name": None}, "bucket_name/bucket"),
    ],
)
def test_fails_when_an_argument_breaks_firehose_rules(kwargs: dict[str, Any], field: str) -> None:
    stack = TerraformStack(Testing.app(), "test")
    args: dict[str, Any] = {"stream_name": "s", "bucket_name": "b-archive", **kwargs}
    with pytest.raises(ConfigError, match=rf"^LogArchive 'test/archive': {field}="):
        LogArchive(stack, "archive", **args)


def test_default_prefixes_are_the_hive_style_pair() -> None:
    assert HIVE_ERROR_PREFIX.endswith("!{firehose:error-output-type}/") and HIVE_PREFIX.startswith("year=")

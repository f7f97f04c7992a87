"""LogKey: one customer-managed key through the archive, queries, log groups, repositories; a key policy
naming exactly the services that use it, and roles that get exactly the kms: actions their work needs."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cdktf import TerraformStack, Testing

from conftest import find, only, ref, resources, statements, synth_json
from firelens_cdktf import (
    ArchiveQueries,
    CloudWatchLogs,
    ContainerRepository,
    LogArchive,
    LogKey,
    RouteLogGroups,
    aws_provider,
)
from firelens_cdktf.archive import STRING, Column
from firelens_cdktf.errors import ConfigError
from firelens_cdktf.iam import log_key_policy

KEY_ARN = "arn:aws:kms:ap-northeast-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def _stack() -> TerraformStack:
    stack = TerraformStack(Testing.app(), "test")
    aws_provider(stack, region="ap-northeast-1")
    return stack


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    stack = _stack()
    key = LogKey(stack, "key", alias="alias/test-logs")
    archive = LogArchive(stack, "archive", stream_name="sql-logs", bucket_name="my-sql-logs", kms_key=key)
    ArchiveQueries(
        stack,
        "queries",
        archive=archive,
        workgroup_name="sql-logs",
        first_year=2026,
        results_bucket_name="my-sql-logs-results",
        database_name="logs",
        columns=[Column("message", STRING)],
    )
    RouteLogGroups(stack, "groups", groups=[CloudWatchLogs("/app/routed")], kms_key=key)
    ContainerRepository(stack, "repo", name="sample/app", kms_key=key)
    key.allow_alarm_topic()
    return synth_json(stack)


def _key_ref(doc: dict[str, Any], attribute: str = "arn") -> str:
    return ref(doc, "aws_kms_key", only(doc, "aws_kms_key"), attribute)


def _region(doc: dict[str, Any]) -> str:
    """The key's region as the JSON refers to it (the key's own aws_region data source)."""
    (name,) = [n for n in doc["data"]["aws_region"] if n.startswith("key_")]
    return f"${{data.aws_region.{name}.name}}"


def _key_policy(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in statements(only(doc, "aws_kms_key")["policy"])}


def test_the_key_rotates_and_waits_thirty_days_before_deletion(doc: dict[str, Any]) -> None:
    key = only(doc, "aws_kms_key")
    assert (key["enable_key_rotation"], key["deletion_window_in_days"]) == (True, 30)
    assert only(doc, "aws_kms_alias")["name"] == "alias/test-logs"


def test_every_bucket_uses_sse_kms_with_the_key_and_a_bucket_key(doc: dict[str, Any]) -> None:
    rules = [r["rule"][0] for r in resources(doc, "aws_s3_bucket_server_side_encryption_configuration")]
    assert len(rules) == 2
    for rule in rules:
        assert rule["apply_server_side_encryption_by_default"] == {
            "sse_algorithm": "aws:kms",
            "kms_master_key_id": _key_ref(doc),
        }
        assert rule["bucket_key_enabled"] is True


def test_the_stream_and_its_objects_are_encrypted_with_the_key(doc: dict[str, Any]) -> None:
    stream = only(doc, "aws_kinesis_firehose_delivery_stream")
    assert stream["server_side_encryption"] == {
        "enabled": True,
        "key_type": "CUSTOMER_MANAGED_CMK",
        "key_arn": _key_ref(doc),
    }
    assert stream["extended_s3_configuration"]["kms_key_arn"] == _key_ref(doc)


def test_every_log_group_is_encrypted_with_the_key(doc: dict[str, Any]) -> None:
    groups = resources(doc, "aws_cloudwatch_log_group")
    assert {g["name"] for g in groups} == {"/aws/kinesisfirehose/sql-logs", "/app/routed"}
    assert {g["kms_key_id"] for g in groups} == {_key_ref(doc)}


def test_the_repository_is_encrypted_with_the_key(doc: dict[str, Any]) -> None:
    assert only(doc, "aws_ecr_repository")["encryption_configuration"] == [
        {"encryption_type": "KMS", "kms_key": _key_ref(doc)}
    ]


def test_athena_encrypts_query_results_with_the_key(doc: dict[str, Any]) -> None:
    result = only(doc, "aws_athena_workgroup")["configuration"]["result_configuration"]
    assert result["encryption_configuration"] == {"encryption_option": "SSE_KMS", "kms_key_arn": _key_ref(doc)}


def test_cloudwatch_logs_may_use_the_key_for_exactly_the_groups_given_it(doc: dict[str, Any]) -> None:
    logs = _key_policy(doc)["CloudWatchLogsEncryptsTheseGroups"]
    arns = logs["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"]
    assert [arn.rsplit(":log-group:", 1)[1] for arn in arns] == ["/app/routed", "/aws/kinesisfirehose/sql-logs"]
    assert logs["Principal"] == {"Service": [f"logs.{_region(doc)}.amazonaws.com"]}
    assert not any("*" in action for action in logs["Action"])


def test_the_key_policy_names_the_account_and_exactly_the_services_that_use_it(doc: dict[str, Any]) -> None:
    principals = {sid: s["Principal"] for sid, s in _key_policy(doc).items()}
    assert principals["AccountAdministersKeyThroughIam"]["AWS"][0].endswith(":root")
    assert sorted(principals) == [
        "AccountAdministersKeyThroughIam",
        "CloudWatchAlarmsPublishToEncryptedTopic",
        "CloudWatchLogsEncryptsTheseGroups",
    ]


def _role_key_statement(policy_json: str, sid: str) -> dict[str, Any]:
    (found,) = [s for s in statements(policy_json) if s.get("Sid") == sid]
    return found


def test_the_delivery_role_may_use_the_key_only_through_s3_for_its_bucket(doc: dict[str, Any]) -> None:
    policy = find(doc, "aws_iam_role_policy", name="deliver-to-s3")["policy"]
    grant = _role_key_statement(policy, "EncryptArchiveObjects")
    bucket = ref(doc, "aws_s3_bucket", find(doc, "aws_s3_bucket", bucket="my-sql-logs"), "arn")
    assert (grant["Action"], grant["Resource"]) == (["kms:Decrypt", "kms:GenerateDataKey"], [_key_ref(doc)])
    assert grant["Condition"] == {
        "StringEquals": {"kms:ViaService": f"s3.{_region(doc)}.amazonaws.com"},
        "StringLike": {"kms:EncryptionContext:aws:s3:arn": [bucket, f"{bucket}/*"]},
    }


def test_readers_may_decrypt_the_archive_and_write_results_through_s3_only(doc: dict[str, Any]) -> None:
    policy = only(doc, "aws_iam_policy")["policy"]
    archive = _role_key_statement(policy, "DecryptArchiveObjects")
    results = _role_key_statement(policy, "EncryptQueryResults")
    assert archive["Action"] == ["kms:Decrypt"]
    assert results["Action"] == ["kms:Decrypt", "kms:GenerateDataKey"]
    assert {json.dumps(s["Condition"]["StringEquals"]) for s in (archive, results)} == {
        json.dumps({"kms:ViaService": f"s3.{_region(doc)}.amazonaws.com"})
    }


def test_without_a_key_nothing_mentions_kms() -> None:
    stack = _stack()
    LogArchive(stack, "archive", stream_name="sql-logs", bucket_name="my-sql-logs")
    ContainerRepository(stack, "repo", name="sample/app")
    RouteLogGroups(stack, "groups", groups=[CloudWatchLogs("/app/routed")])
    assert "kms" not in json.dumps(synth_json(stack)).lower().replace("kinesisfirehose", "")


# --- a key you manage -----------------------------------------------------------------------------


def test_a_key_you_pass_is_used_and_nothing_is_created() -> None:
    stack = _stack()
    key = LogKey(stack, "key", key_arn=KEY_ARN)
    RouteLogGroups(stack, "groups", groups=[CloudWatchLogs("/app/routed")], kms_key=key)
    doc = synth_json(stack)
    assert resources(doc, "aws_kms_key") == []
    assert only(doc, "aws_cloudwatch_log_group")["kms_key_id"] == KEY_ARN


def test_a_key_you_pass_says_which_key_policy_it_needs() -> None:
    stack = _stack()
    key = LogKey(stack, "key", key_arn=KEY_ARN)
    key.encrypt_log_group("/app/routed")
    key.allow_alarm_topic()
    expected = log_key_policy(
        partition="aws",
        region="ap-northeast-1",
        account="123456789012",
        log_group_names=["/app/routed"],
        alarm_topics=True,
    )
    assert key.required_key_policy() == expected
    logs = expected.to_dict()["Statement"][1]
    assert logs["Principal"] == {"Service": ["logs.ap-northeast-1.amazonaws.com"]}
    assert logs["Condition"]["ArnLike"] == {
        "kms:EncryptionContext:aws:logs:arn": ["arn:aws:logs:ap-northeast-1:123456789012:log-group:/app/routed"]
    }


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"key_arn": "arn:aws:kms:ap-northeast-1:123456789012:alias/logs"}, "key_arn"),
        ({"key_arn": "arn:aws:sns:ap-northeast-1:123456789012:alerts"}, "key_arn"),
        ({"key_arn": KEY_ARN.replace("ap-northeast-1", "us-east-1")}, "key_arn"),
        ({"key_arn": KEY_ARN, "alias": "alias/logs"}, "alias"),
        ({"alias": "alias/aws/logs"}, "alias"),
        ({"alias": "logs"}, "alias"),
        ({"deletion_window_days": 3}, "deletion_window_days"),
    ],
)
def test_fails_when_a_key_setting_cannot_work(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(ConfigError) as error:
        LogKey(_stack(), "key", **kwargs)
    assert (error.value.field, error.value.where) == (field, "LogKey 'test/key'")

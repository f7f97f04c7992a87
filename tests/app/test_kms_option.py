"""The app's customer-managed key option (FIRELENS_KMS_KEY): off by default, and off means the JSON of before.

The proof that the default app is unchanged: the pipeline synthesized with the
option on, with every setting the option makes put back to what the default
has, is the default pipeline byte for byte. So the option touches only those
settings, and without it each keeps the value it always had.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from cdktf import Testing

from conftest import only, resources, synth_json
from firelens_app.config import PipelineConfig
from firelens_app.stacks import PipelineStack
from firelens_cdktf.errors import ConfigError

KEY_ARN = "arn:aws:kms:ap-northeast-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def _pipeline(config: PipelineConfig) -> dict[str, Any]:
    return synth_json(PipelineStack(Testing.app(), "pipeline", config=config))


@pytest.fixture(scope="module")
def default() -> dict[str, Any]:
    return _pipeline(PipelineConfig())


@pytest.fixture(scope="module")
def with_key() -> dict[str, Any]:
    return _pipeline(PipelineConfig(kms_key="stack"))


def _as_without_a_key(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` with every setting the key option makes put back to the default's value."""
    out = copy.deepcopy(doc)
    resource = out["resource"]
    for type_ in ("aws_kms_key", "aws_kms_alias"):
        resource.pop(type_)
    for type_ in ("aws_partition", "aws_region", "aws_caller_identity"):
        out["data"][type_] = {name: body for name, body in out["data"][type_].items() if not name.startswith("key_")}
    for group in resource["aws_cloudwatch_log_group"].values():
        group.pop("kms_key_id")
    for config in resource["aws_s3_bucket_server_side_encryption_configuration"].values():
        config["rule"] = [{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}]
    for stream in resource["aws_kinesis_firehose_delivery_stream"].values():
        stream["server_side_encryption"] = {"enabled": True, "key_type": "AWS_OWNED_CMK"}
        stream["extended_s3_configuration"].pop("kms_key_arn")
    for repository in resource["aws_ecr_repository"].values():
        repository["encryption_configuration"] = [{"encryption_type": "AES256"}]
    for workgroup in resource["aws_athena_workgroup"].values():
        result = workgroup["configuration"]["result_configuration"]
        result["encryption_configuration"] = {"encryption_option": "SSE_S3"}
    resource["aws_sns_topic"]["alarm-topic"].pop("kms_master_key_id")
    for type_ in ("aws_iam_role_policy", "aws_iam_policy"):
        for body in resource[type_].values():
            policy = json.loads(body["policy"])
            policy["Statement"] = [s for s in policy["Statement"] if not s["Action"][0].startswith("kms:")]
            body["policy"] = json.dumps(policy, separators=(",", ":"))
    return out


def test_the_option_is_off_by_default() -> None:
    assert PipelineConfig().kms_key == "" and PipelineConfig.from_env({}).kms_key == ""


def test_the_option_changes_nothing_but_the_encryption_settings_so_the_default_app_is_unchanged(
    default: dict[str, Any], with_key: dict[str, Any]
) -> None:
    assert with_key != default
    assert _as_without_a_key(with_key) == default


def test_the_default_app_has_no_customer_managed_key(default: dict[str, Any]) -> None:
    assert "kms" not in json.dumps(default["resource"]).lower().replace("kinesisfirehose", "")


def test_the_stack_key_encrypts_the_alarm_topic_and_lets_alarms_use_it(with_key: dict[str, Any]) -> None:
    key = only(with_key, "aws_kms_key")
    sids = [s["Sid"] for s in json.loads(key["policy"])["Statement"]]
    assert with_key["resource"]["aws_sns_topic"]["alarm-topic"]["kms_master_key_id"].startswith("${aws_kms_key.")
    assert "CloudWatchAlarmsPublishToEncryptedTopic" in sids
    assert only(with_key, "aws_kms_alias")["name"] == "alias/firelens-sample"


def test_the_stack_key_names_every_log_group_of_the_pipeline(with_key: dict[str, Any]) -> None:
    (logs,) = [
        s
        for s in json.loads(only(with_key, "aws_kms_key")["policy"])["Statement"]
        if s["Principal"].get("Service") and s["Principal"]["Service"][0].startswith("logs.")
    ]
    named = {
        arn.rsplit(":log-group:", 1)[1] for arn in logs["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"]
    }
    assert named == {g["name"] for g in resources(with_key, "aws_cloudwatch_log_group")}


def test_a_key_of_yours_is_used_by_its_arn_and_none_is_created() -> None:
    doc = _pipeline(PipelineConfig(kms_key=KEY_ARN))
    assert resources(doc, "aws_kms_key") == []
    assert {g["kms_key_id"] for g in resources(doc, "aws_cloudwatch_log_group")} == {KEY_ARN}
    assert doc["resource"]["aws_sns_topic"]["alarm-topic"]["kms_master_key_id"] == KEY_ARN


def test_from_env_reads_firelens_kms_key() -> None:
    assert PipelineConfig.from_env({"FIRELENS_KMS_KEY": "stack"}).kms_key == "stack"


@pytest.mark.parametrize(
    "value",
    ["yes", "arn:aws:kms:ap-northeast-1:123456789012:alias/logs", KEY_ARN.replace("ap-northeast-1", "eu-west-1")],
)
def test_fails_when_the_key_option_is_neither_stack_nor_a_key_in_the_region(value: str) -> None:
    with pytest.raises(
        ConfigError, match=rf"PipelineConfig: kms_key='{value}' is not valid; allowed: .*ap-northeast-1"
    ):
        PipelineConfig(kms_key=value)

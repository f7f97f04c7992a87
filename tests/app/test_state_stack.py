"""The state stack's bucket is private, encrypted, versioned and TLS-only, and holds its own state."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cdktf import Testing

from conftest import only, synth_json
from firelens_app.config import PipelineConfig
from firelens_app.stacks.state import StateStack
from firelens_cdktf.constructs.secure_bucket import SecureBucket
from firelens_cdktf.errors import ConfigError


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return synth_json(StateStack(Testing.app(), "state", config=PipelineConfig(stage="dev")))


def test_bucket_name_comes_from_the_config(doc: dict[str, Any]) -> None:
    assert only(doc, "aws_s3_bucket")["bucket"] == "firelens-dev-tfstate"


def test_bucket_blocks_every_kind_of_public_access(doc: dict[str, Any]) -> None:
    block = only(doc, "aws_s3_bucket_public_access_block")
    flags = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
    assert all(block[f] is True for f in flags)


def test_bucket_is_encrypted_at_rest(doc: dict[str, Any]) -> None:
    rule = only(doc, "aws_s3_bucket_server_side_encryption_configuration")["rule"][0]
    assert rule["apply_server_side_encryption_by_default"]["sse_algorithm"] == "AES256"


def test_bucket_keeps_versions_of_the_state(doc: dict[str, Any]) -> None:
    assert only(doc, "aws_s3_bucket_versioning")["versioning_configuration"]["status"] == "Enabled"


def test_bucket_policy_denies_requests_without_tls(doc: dict[str, Any]) -> None:
    statement = json.loads(only(doc, "aws_s3_bucket_policy")["policy"])["Statement"][0]
    assert (statement["Effect"], statement["Condition"]) == ("Deny", {"Bool": {"aws:SecureTransport": "false"}})


def test_state_stack_keeps_its_own_state_in_its_bucket_like_the_other_stacks(doc: dict[str, Any]) -> None:
    assert doc["terraform"]["backend"] == {
        "s3": {
            "bucket": "firelens-dev-tfstate",
            "key": "state/terraform.tfstate",
            "region": "ap-northeast-1",
            "encrypt": True,
            "use_lockfile": True,
        }
    }


def test_provider_constraint_admits_later_5x_releases(doc: dict[str, Any]) -> None:
    assert doc["terraform"]["required_providers"]["aws"]["version"] == "~> 5.99"


def test_credentials_and_endpoints_are_not_in_the_json(doc: dict[str, Any]) -> None:
    assert doc["provider"]["aws"] == [{"region": "ap-northeast-1"}]


def test_fails_when_bucket_name_breaks_s3_naming_rules() -> None:
    stack = StateStack(Testing.app(), "other", config=PipelineConfig())
    with pytest.raises(ConfigError, match=r"SecureBucket 'other/bad': bucket_name='Bad_Name'"):
        SecureBucket(stack, "bad", bucket_name="Bad_Name")

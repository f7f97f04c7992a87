"""The held-out catalogue, for the rules whose resources the app does not have: a small stack of its own.

A KMS key, a bucket encrypted under it, a bucket left loose (versioning
suspended, no public access block, AES256) and a DynamoDB table with deletion
protection, written as plain Terraform JSON, applied once to this module's
emulator; each change is planned against that state (:mod:`plan_variants`).
As on the app: a held-out plan per rule that must block, and the twins (the
same resources tightened or retagged) planned together, which must pass. The
loose bucket gives the app's versioning and public-access-block rules their
twins: on the app those resources are already as tight as they go.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from plan_variants import plan_variants

from conftest import plan_json, terraform
from firelens_cdktf.limits import AWS_PROVIDER_CONSTRAINT
from firelens_cdktf.review.plan_review import review_plans
from firelens_local.emulator import Emulator

pytestmark = pytest.mark.worker_seconds(60)

REGION = "ap-northeast-1"
STACK = "keys"
KEY = "aws_kms_key.archive"
SEALED_ENCRYPTION = "aws_s3_bucket_server_side_encryption_configuration.sealed"
TABLE = "aws_dynamodb_table.locks"


def _bucket(name: str) -> str:
    return f"${{aws_s3_bucket.{name}.id}}"


def _encryption(algorithm: str, key: str | None = None) -> list[dict[str, Any]]:
    default: dict[str, Any] = {"sse_algorithm": algorithm}
    if key:
        default["kms_master_key_id"] = key
    return [{"apply_server_side_encryption_by_default": [default]}]


def stack(state: Path) -> dict[str, Any]:
    """The stack as applied."""
    return {
        "terraform": {
            "required_providers": {"aws": {"source": "aws", "version": AWS_PROVIDER_CONSTRAINT}},
            "backend": {"local": {"path": str(state)}},
        },
        "provider": {"aws": [{"region": REGION}]},
        "resource": {
            "aws_kms_key": {"archive": {"description": "plan review: archive key", "deletion_window_in_days": 7}},
            "aws_s3_bucket": {"sealed": {"bucket": "plan-review-sealed"}, "loose": {"bucket": "plan-review-loose"}},
            "aws_s3_bucket_server_side_encryption_configuration": {
                "sealed": {"bucket": _bucket("sealed"), "rule": _encryption("aws:kms", "${aws_kms_key.archive.arn}")},
                "loose": {"bucket": _bucket("loose"), "rule": _encryption("AES256")},
            },
            "aws_s3_bucket_versioning": {
                "loose": {"bucket": _bucket("loose"), "versioning_configuration": [{"status": "Suspended"}]}
            },
            "aws_s3_bucket_public_access_block": {
                "loose": {
                    "bucket": _bucket("loose"),
                    "block_public_acls": False,
                    "block_public_policy": False,
                    "ignore_public_acls": False,
                    "restrict_public_buckets": False,
                }
            },
            "aws_dynamodb_table": {
                "locks": {
                    "name": "plan-review-locks",
                    "billing_mode": "PAY_PER_REQUEST",
                    "hash_key": "LockID",
                    "attribute": [{"name": "LockID", "type": "S"}],
                    "deletion_protection_enabled": True,
                }
            },
        },
    }


def _resource(doc: dict[str, Any], address: str) -> dict[str, Any]:
    type_, name = address.split(".")
    body: dict[str, Any] = doc["resource"][type_][name]
    return body


@dataclass(frozen=True)
class HeldOut:
    rule: str
    address: str
    change: Callable[[dict[str, Any]], None]
    says: str


HELD_OUT: dict[str, HeldOut] = {
    "key-disabled": HeldOut(
        "kms-key-disabled",
        KEY,
        lambda doc: _resource(doc, KEY).update(is_enabled=False),
        "disables KMS key",
    ),
    "sealed-bucket-to-aes256": HeldOut(
        "encryption-weakened",
        SEALED_ENCRYPTION,
        lambda doc: _resource(doc, SEALED_ENCRYPTION).update(rule=_encryption("AES256")),
        "weakens the default encryption of bucket plan-review-sealed from aws:kms (to AES256)",
    ),
    "table-deletion-protection-off": HeldOut(
        "deletion-protection-off",
        TABLE,
        lambda doc: _resource(doc, TABLE).update(deletion_protection_enabled=False),
        "turns deletion protection of plan-review-locks off (deletion_protection_enabled True -> False)",
    ),
}

#: The twins: rule -> (the address, the harmless change).
TWINS: dict[str, tuple[str, Callable[[dict[str, Any]], None]]] = {
    "kms-key-disabled": (KEY, lambda doc: _resource(doc, KEY).update(enable_key_rotation=True)),
    "encryption-weakened": (
        "aws_s3_bucket_server_side_encryption_configuration.loose",
        lambda doc: _resource(doc, "aws_s3_bucket_server_side_encryption_configuration.loose").update(
            rule=_encryption("aws:kms", "${aws_kms_key.archive.arn}")
        ),
    ),
    "s3-versioning-suspended": (
        "aws_s3_bucket_versioning.loose",
        lambda doc: _resource(doc, "aws_s3_bucket_versioning.loose").update(
            versioning_configuration=[{"status": "Enabled"}]
        ),
    ),
    "public-access-block-loosened": (
        "aws_s3_bucket_public_access_block.loose",
        lambda doc: _resource(doc, "aws_s3_bucket_public_access_block.loose").update(
            block_public_acls=True, block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True
        ),
    ),
    "deletion-protection-off": (TABLE, lambda doc: _resource(doc, TABLE).update(tags={"team": "platform"})),
}


@pytest.fixture(scope="module")
def plans(emulator: Emulator, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("catalogue-stack")
    workdir = root / "stack"
    workdir.mkdir()
    env = emulator.env(REGION)
    (workdir / "cdk.tf.json").write_text(json.dumps(stack(root / "terraform.tfstate")))
    terraform(workdir, "init", "-input=false", env=env)
    first = root / "first-deploy.json"
    first.write_text(json.dumps(plan_json(workdir, env)))
    terraform(workdir, "apply", "-input=false", "plan.tfplan", env=env)

    def harmless(doc: dict[str, Any]) -> None:
        for _, change in TWINS.values():
            change(doc)

    variants = {name: held.change for name, held in HELD_OUT.items()} | {"harmless": harmless}
    return {"first-deploy": first} | plan_variants(workdir, env, variants, root / "variants")


def _review(plans: dict[str, Path], name: str) -> Any:
    return review_plans([(STACK, json.loads(plans[name].read_text()))])


@pytest.mark.parametrize("name", sorted(HELD_OUT))
def test_each_held_out_change_is_blocked_by_its_rule_alone(plans: dict[str, Path], name: str) -> None:
    review = _review(plans, name)
    assert [(f.rule, f.address) for f in review.blocking] == [(HELD_OUT[name].rule, HELD_OUT[name].address)]


@pytest.mark.parametrize("name", sorted(HELD_OUT))
def test_each_finding_says_what_the_change_would_do(plans: dict[str, Path], name: str) -> None:
    [finding] = _review(plans, name).findings
    assert HELD_OUT[name].says in finding.message


def test_the_harmless_changes_pass_together(plans: dict[str, Path]) -> None:
    review = _review(plans, "harmless")
    assert (review.verdict, review.findings) == ("pass", ())


@pytest.mark.parametrize("rule", sorted(TWINS))
def test_each_twin_changes_its_resource_without_a_finding(plans: dict[str, Path], rule: str) -> None:
    address = TWINS[rule][0]
    review = _review(plans, "harmless")
    actions = {c.address: c.action.value for c in review.stacks[0].changes}
    assert (actions.get(address), [f for f in review.findings if f.address == address]) == ("update", [])


def test_a_first_deploy_of_loose_resources_is_not_judged_against_anything(plans: dict[str, Path]) -> None:
    # Versioning suspended and no public access: new design, read in the code, not a change to what exists.
    review = _review(plans, "first-deploy")
    assert (review.verdict, review.stacks[0].counts["create"]) == ("pass", 8)

"""A KMS key policy in the plan review: ``Resource "*"`` is the key itself and ``kms:*`` for the account is AWS's
default statement, so neither is a wildcard; the same in an IAM policy, or ``kms:*`` for another principal, is."""

from __future__ import annotations

import json
from typing import Any

from minimal_plans import rc, with_state

from firelens_cdktf.review.plan_review import review_plans

ACCOUNT = "arn:aws:iam::123456789012:root"


def _key(statements: list[dict[str, Any]], kind: str = "aws_kms_key.key") -> dict[str, Any]:
    policy = json.dumps({"Version": "2012-10-17", "Statement": statements})
    return with_state(rc(kind, ["create"], after={"policy": policy}))


def _rules(plan: dict[str, Any]) -> list[tuple[str, str]]:
    return sorted((f.rule, f.message) for f in review_plans([("pipeline", plan)]).findings)


ROOT = {
    "Sid": "AccountAdministers",
    "Effect": "Allow",
    "Principal": {"AWS": ACCOUNT},
    "Action": "kms:*",
    "Resource": "*",
}
LOGS = {
    "Sid": "CloudWatchLogsUse",
    "Effect": "Allow",
    "Principal": {"Service": "logs.ap-northeast-1.amazonaws.com"},
    "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
    "Resource": "*",
    "Condition": {
        "ArnLike": {"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:ap-northeast-1:123456789012:log-group:/a"}
    },
}


def test_a_key_policys_default_statement_and_this_key_resource_are_not_wildcards() -> None:
    rules = _rules(_key([ROOT, LOGS]))
    assert [rule for rule, _ in rules] == ["iam-grant-added", "iam-grant-added"]
    assert any("kms:* on this key to AWS:arn:aws:iam::123456789012:root" in message for _, message in rules)


def test_kms_star_for_another_principal_is_still_a_wildcard() -> None:
    other = {**ROOT, "Sid": "Everything", "Principal": {"AWS": "arn:aws:iam::123456789012:role/app"}}
    assert [rule for rule, _ in _rules(_key([other]))] == ["iam-wildcard"]


def test_resource_star_in_an_iam_policy_is_still_a_wildcard() -> None:
    statement = {k: v for k, v in LOGS.items() if k not in ("Principal", "Condition")}
    plan = _key([statement], kind="aws_iam_policy.p")
    assert "iam-wildcard" in [rule for rule, _ in _rules(plan)]

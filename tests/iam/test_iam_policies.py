"""Least privilege across every synthesized stack: every policy document, walked.

A policy document is any resource attribute holding JSON with a
``Statement`` (inline role policies, trust policies, bucket policies); the
ECR lifecycle policy has ``rules`` instead and is not IAM. The rules are
about what is *granted* (``firelens_cdktf.iam.policy.grant_violations``, the
project's one wildcard rule, which the plan review uses too): no wildcard
action, no unscoped resource (``Resource: "*"`` only for actions AWS allows on
nothing else), no ``NotAction``/``NotResource``, no ``*`` principal. A ``Deny`` takes
permissions away, so the TLS-only bucket policy's ``s3:*`` for every
principal is fine as long as it is conditional.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from firelens_cdktf.iam import policy as iam
from firelens_cdktf.iam.policy import STAR_RESOURCE_ACTIONS, grant_violations

STACKS = ("state", "pipeline", "images")


pytestmark = pytest.mark.worker_seconds(12)


def _documents(synthesized: Path, stack: str) -> Iterator[tuple[str, dict[str, Any]]]:
    doc = json.loads((synthesized / "stacks" / stack / "cdk.tf.json").read_text())
    for type_, blocks in doc.get("resource", {}).items():
        for name, body in blocks.items():
            for attribute, value in body.items():
                if isinstance(value, str) and value.lstrip().startswith("{"):
                    parsed = json.loads(value)
                    if "Statement" in parsed:
                        yield f"{type_}.{name}.{attribute}", parsed


@pytest.fixture(scope="module")
def documents(synthesized: Path) -> dict[str, dict[str, Any]]:
    return {address: parsed for stack in STACKS for address, parsed in _documents(synthesized, stack)}


def test_walk_finds_every_kind_of_policy_document(documents: dict[str, dict[str, Any]]) -> None:
    kinds = {address.split(".")[0] + "." + address.split(".")[-1] for address in documents}
    assert kinds == {
        "aws_iam_role_policy.policy",
        "aws_iam_role.assume_role_policy",
        "aws_s3_bucket_policy.policy",
        "aws_iam_policy.policy",
    }  # the archive's reader policy (ArchiveQueries)


def test_no_policy_in_any_stack_grants_more_than_least_privilege(documents: dict[str, dict[str, Any]]) -> None:
    violations = {address: list(grant_violations(parsed)) for address, parsed in documents.items()}
    assert {address: found for address, found in violations.items() if found} == {}


def test_star_resource_is_granted_only_for_the_ecr_login(documents: dict[str, dict[str, Any]]) -> None:
    starred = {
        action
        for parsed in documents.values()
        for statement in parsed["Statement"]
        if statement["Effect"] == "Allow" and "*" in statement.get("Resource", [])
        for action in statement["Action"]
    }
    assert starred == {"ecr:GetAuthorizationToken"} == set(STAR_RESOURCE_ACTIONS)


def test_every_star_resource_action_carries_the_reason_aws_requires_it() -> None:
    assert all(len(reason) > 20 for reason in STAR_RESOURCE_ACTIONS.values())


def test_the_only_wildcard_actions_are_in_conditional_denies(documents: dict[str, dict[str, Any]]) -> None:
    wildcards = [
        (statement["Effect"], bool(statement.get("Condition")))
        for parsed in documents.values()
        for statement in parsed["Statement"]
        if any("*" in action for action in statement["Action"])
    ]
    assert set(wildcards) == {("Deny", True)}


@pytest.mark.parametrize(
    ("statement", "problem"),
    [
        ({"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b"}, "wildcard: action *"),
        ({"Effect": "Allow", "Action": ["s3:Get*"], "Resource": ["arn:aws:s3:::b"]}, "wildcard: action s3:Get*"),
        ({"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"}, "wildcard: resource *"),
        (
            {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::logs-*"},
            "wildcard: resource arn:aws:s3:::logs-*",
        ),
        ({"Effect": "Allow", "NotAction": ["iam:*"], "Resource": "arn:aws:s3:::b"}, "wildcard: action NOT(iam:*)"),
        ({"Effect": "Allow", "Action": ["sts:AssumeRole"], "Principal": {"AWS": "*"}}, "wildcard: principal AWS:*"),
        ({"Effect": "Deny", "Action": ["s3:*"], "Resource": "*", "Principal": "*"}, "Deny without a Condition"),
    ],
)
def test_fails_when_a_statement_grants_more_than_least_privilege(statement: dict[str, Any], problem: str) -> None:
    assert any(problem in found for found in grant_violations({"Statement": [statement]}))


def test_a_conditional_deny_with_wildcards_is_not_a_grant() -> None:
    tls_only = {
        "Effect": "Deny",
        "Principal": {"AWS": ["*"]},
        "Action": ["s3:*"],
        "Resource": ["arn:aws:s3:::b"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    assert list(grant_violations({"Statement": [tls_only]})) == []


def test_a_reference_to_one_resource_and_its_children_is_scoped() -> None:
    scoped = {
        "Effect": "Allow",
        "Action": ["logs:PutLogEvents"],
        "Resource": ["${aws_cloudwatch_log_group.app.arn}:*", "${aws_s3_bucket.archive.arn}/*"],
    }
    assert list(grant_violations({"Statement": [scoped]})) == []


def test_the_plan_review_and_the_stack_check_share_one_rule() -> None:
    from firelens_cdktf.review import grants, policies

    assert grants.wildcard_parts is iam.wildcard_parts and policies.parse_statements is iam.parse_statements


def test_fails_when_a_document_is_not_one_iam_accepts() -> None:
    with pytest.raises(iam.PolicyParseError, match="statement 0 is str"):
        list(grant_violations({"Statement": ["s3:*"]}))


@pytest.mark.parametrize(
    ("resource", "wild"),
    [
        ("arn:aws:s3:::logs/year=*", False),
        ("${aws_s3_bucket.a.arn}/year=*", False),
        ("arn:aws:s3:::logs*/x", True),
        ("arn:aws:s3:::*/year=1", True),
        ("${aws_s3_bucket.a.arn}*", True),
    ],
)
def test_keys_below_one_named_bucket_are_scoped_and_a_wildcard_in_the_bucket_is_not(resource: str, wild: bool) -> None:
    assert iam.is_wildcard_resource(resource) is wild

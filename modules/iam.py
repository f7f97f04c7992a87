"""IAM policy documents as plain values (no CDKTF), rendered to JSON.

Constructs build their policies from these so that every document can be
checked in pure-Python tests, and wildcards are visible in one place.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

#: The only actions that may be granted on ``Resource: "*"``, each with the
#: reason AWS requires it. Anything else must name its resources.
STAR_RESOURCE_ACTIONS: dict[str, str] = {
    # https://docs.aws.amazon.com/AmazonECR/latest/userguide/security_iam_id-based-policy-examples.html
    "ecr:GetAuthorizationToken": "the ECR login token is account-wide: AWS accepts no other resource",
}


@dataclass(frozen=True)
class Statement:
    """One IAM policy statement.

    Args:
        actions: Exact action names such as ``firehose:PutRecordBatch``.
        resources: ARNs (may be unresolved tokens).
        effect: ``Allow`` or ``Deny``. Default: ``Allow``.
        principals: For resource policies, e.g. ``{"AWS": ["*"]}``. Default: none.
        conditions: IAM condition block. Default: none.
        sid: Optional statement id.
    """

    actions: tuple[str, ...]
    resources: tuple[str, ...]
    effect: str = "Allow"
    principals: dict[str, tuple[str, ...]] | None = None
    conditions: dict[str, dict[str, Any]] | None = None
    sid: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.sid:
            out["Sid"] = self.sid
        out["Effect"] = self.effect
        if self.principals is not None:
            out["Principal"] = {k: list(v) for k, v in sorted(self.principals.items())}
        out["Action"] = sorted(self.actions)
        if self.resources:  # trust policies have none
            out["Resource"] = list(self.resources)
        if self.conditions:
            out["Condition"] = self.conditions
        return out


@dataclass(frozen=True)
class PolicyDocument:
    """An ordered list of statements, rendered deterministically."""

    statements: tuple[Statement, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {"Version": "2012-10-17", "Statement": [s.to_dict() for s in self.statements]}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=False, separators=(",", ":"))


def deny_insecure_transport(bucket_arn: str) -> Statement:
    """Deny every S3 request to the bucket and its objects that is not over TLS."""
    return Statement(
        sid="DenyInsecureTransport",
        effect="Deny",
        principals={"AWS": ("*",)},  # a resource policy's deny must cover every caller
        actions=("s3:*",),  # deny-all on non-TLS requests: a wildcard is the point here
        resources=(bucket_arn, f"{bucket_arn}/*"),
        conditions={"Bool": {"aws:SecureTransport": "false"}},
    )


def assume_role_policy(service: str) -> PolicyDocument:
    """Trust policy letting an AWS service (``ecs-tasks.amazonaws.com``, ...) assume the role."""
    return PolicyDocument((
        Statement(actions=("sts:AssumeRole",), resources=(), principals={"Service": (service,)}),
    ))


def firehose_put_records(stream_arns: tuple[str, ...]) -> Statement:
    """What Fluent Bit's ``kinesis_firehose`` output calls: ``PutRecordBatch``, on these streams only."""
    return Statement(sid="PutRecordsToRoutedStreams", actions=("firehose:PutRecordBatch",), resources=stream_arns)


def log_stream_writes(log_group_arns: tuple[str, ...]) -> Statement:
    """Create streams in and write events to these log groups only (not create groups).

    ``log_group_arns`` are group ARNs without the ``:*`` suffix; streams are
    addressed as ``<group arn>:log-stream:<name>``, hence the ``:*``.
    """
    return Statement(
        sid="WriteRoutedLogGroups",
        actions=("logs:CreateLogStream", "logs:PutLogEvents"),
        resources=tuple(f"{arn}:*" for arn in log_group_arns),
    )


def ecr_pull(repository_arns: tuple[str, ...]) -> tuple[Statement, ...]:
    """Pull images from these ECR repositories only."""
    return (
        Statement(
            sid="PullTaskImages",
            actions=("ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"),
            resources=repository_arns,
        ),
        # GetAuthorizationToken is account-wide: AWS accepts no other resource (STAR_RESOURCE_ACTIONS).
        # https://docs.aws.amazon.com/AmazonECR/latest/userguide/security_iam_id-based-policy-examples.html
        Statement(sid="EcrLogin", actions=("ecr:GetAuthorizationToken",), resources=("*",)),
    )


def firehose_delivery_to_s3(bucket_arn: str) -> Statement:
    """What Firehose needs to deliver into one bucket (AWS's documented list)."""
    return Statement(
        sid="DeliverToArchiveBucket",
        actions=(
            "s3:AbortMultipartUpload", "s3:GetBucketLocation", "s3:GetObject",
            "s3:ListBucket", "s3:ListBucketMultipartUploads", "s3:PutObject",
        ),
        resources=(bucket_arn, f"{bucket_arn}/*"),
    )


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def grant_violations(document: dict[str, Any]) -> Iterator[str]:
    """What a policy document grants beyond least privilege, one sentence per problem.

    The rules are about what is *granted*, so they apply to ``Allow``
    statements: no wildcard in an action, no ``NotAction``/``NotResource``
    (they grant everything else), ``Resource: "*"`` only for the actions in
    :data:`STAR_RESOURCE_ACTIONS`, and no ``*`` principal. A ``Deny`` only
    takes permissions away, so a wildcard there widens a restriction, such
    as the TLS-only bucket policy's ``s3:*`` for every principal; a Deny is
    only required to carry a ``Condition`` (an unconditional deny-all would
    lock everyone out and is never what this project means).

    Args:
        document: A parsed IAM policy document (identity, trust or resource policy).

    Example:
        >>> list(grant_violations({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
        ["statement 0 allows the wildcard action 's3:*'", "statement 0 allows 's3:*' on Resource '*'"]
    """
    for index, statement in enumerate(_as_list(document.get("Statement"))):
        label = f"statement {statement.get('Sid') or index}"
        effect = statement.get("Effect")
        if effect == "Deny":
            if not statement.get("Condition"):
                yield f"{label} is a Deny without a Condition"
            continue
        if effect != "Allow":
            yield f"{label} has Effect {effect!r}, not Allow or Deny"
            continue
        for key in ("NotAction", "NotResource", "NotPrincipal"):
            if key in statement:
                yield f"{label} uses {key}, which grants everything it does not list"
        actions = [str(a) for a in _as_list(statement.get("Action"))]
        for action in actions:
            if "*" in action or "?" in action:
                yield f"{label} allows the wildcard action {action!r}"
        if "*" in _as_list(statement.get("Resource")):
            for action in actions:
                if action not in STAR_RESOURCE_ACTIONS:
                    yield f"{label} allows {action!r} on Resource '*'"
        principal = statement.get("Principal")
        principals = [principal] if isinstance(principal, str) else [
            p for values in (principal or {}).values() for p in _as_list(values)]
        if "*" in principals:
            yield f"{label} allows the principal '*' (anyone)"

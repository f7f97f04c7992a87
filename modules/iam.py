"""IAM policy documents as plain values (no CDKTF), rendered to JSON.

Constructs build their policies from these so that every document can be
checked in pure-Python tests, and wildcards are visible in one place.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


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

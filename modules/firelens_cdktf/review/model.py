"""The values a plan review is made of: changes, policy diffs, findings, verdicts.

Pure data (no Terraform, no files). :mod:`.plan_review` builds them from
``terraform show -json`` plans; :mod:`.render` turns them into text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from firelens_cdktf.iam.policy import PolicyStatement

#: Resource types whose deletion or replacement loses data or breaks what
#: depends on them; deleting or replacing one blocks the plan. The value
#: says why, and is shown next to the finding.
STATEFUL_RESOURCE_TYPES: Mapping[str, str] = MappingProxyType(
    {
        "aws_s3_bucket": "holds the log archive or the Terraform state: a new bucket starts empty, "
        "and deleting one deletes (force_destroy) or strands every object",
        "aws_cloudwatch_log_group": "deleting a log group deletes every event in it; a new one starts empty",
        "aws_cloudwatch_log_stream": "deleting a log stream deletes its events (Firehose's delivery errors)",
        "aws_kinesis_firehose_delivery_stream": "records buffered in the stream are lost, and Fluent Bit's "
        "PutRecordBatch fails while it is recreated",
        "aws_ecr_repository": "deleting a repository deletes every image in it; running tasks can no longer pull",
        "aws_dynamodb_table": "a table holds data (e.g. Terraform locks or app state); a new one starts empty",
        "aws_kms_key": "deleting a key schedules its deletion: whatever it encrypted becomes unreadable",
    }
)

#: Attribute names that hold a policy document; used to notice documents that
#: are known only after apply (known documents are recognised by content).
POLICY_ATTRIBUTES: frozenset[str] = frozenset({"policy", "assume_role_policy", "policy_document"})

STACK_NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")


class Action(StrEnum):
    """What a plan does to one resource instance (``no-op`` and data reads are not reviewed)."""

    CREATE = "create"
    UPDATE = "update"
    REPLACE = "replace"
    DELETE = "delete"
    FORGET = "forget"  # removed from state, the real object is kept (`removed { destroy = false }`)


#: The order changes are listed in: what loses data first.
ACTION_ORDER: tuple[Action, ...] = (Action.DELETE, Action.REPLACE, Action.UPDATE, Action.CREATE, Action.FORGET)
#: The counts every stack reports.
COUNTED: tuple[Action, ...] = (Action.CREATE, Action.UPDATE, Action.REPLACE, Action.DELETE)


class FindingKind(StrEnum):
    """Why a finding blocks."""

    DESTROY = "destroy"
    WILDCARD = "wildcard"
    PLAN_ERROR = "plan-error"


class DocumentState(StrEnum):
    """Whether a planned policy document could be read."""

    KNOWN = "known"
    UNKNOWN = "known after apply"
    SENSITIVE = "sensitive"


@dataclass(frozen=True)
class ResourceChange:
    """One resource instance the plan changes.

    Attributes:
        stack: Stack (plan) it belongs to.
        address: Terraform address, e.g. ``aws_s3_bucket.archive_bucket_F1E5D96D``.
        type: Resource type.
        action: What happens to it.
        reason: Terraform's ``action_reason`` (``replace_because_cannot_update``...), if any.
        forced_by: For replacements, the attributes that force them (``replace_paths``).
        changed: Top-level attributes whose planned value differs (names only: values may be secret).
        deposed: Key of a deposed object (left over by a failed create-before-destroy), if it is one.
    """

    stack: str
    address: str
    type: str
    action: Action
    reason: str | None = None
    forced_by: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    deposed: str | None = None

    @property
    def stateful(self) -> bool:
        """Whether the type is in :data:`STATEFUL_RESOURCE_TYPES`."""
        return self.type in STATEFUL_RESOURCE_TYPES

    @property
    def loses_object(self) -> bool:
        """Whether the real object is deleted (delete, or replace)."""
        return self.action in (Action.DELETE, Action.REPLACE)


@dataclass(frozen=True)
class WildcardFinding:
    """An ``Allow`` statement of the planned document that gains wildcard grants.

    Attributes:
        statement: The planned statement.
        wildcards: What is wild, e.g. ``("action s3:*", "resource *")``.
    """

    statement: PolicyStatement
    wildcards: tuple[str, ...]


@dataclass(frozen=True)
class PolicyChange:
    """A policy document that the plan changes, as a statement diff.

    Attributes:
        stack, address: Where the document lives.
        attribute: Path of the attribute holding it, e.g. ``policy`` or ``inline_policy[0].policy``.
        action: What happens to the resource holding it.
        state: Whether the planned document could be read.
        removed: Statements only in the current document.
        added: Statements only in the planned document.
        unchanged: How many statements stay as they are.
        gained: Allow statements that gain wildcard grants (blocking unless allowed).
        current: When the planned document is unknown or sensitive: the current
            statements (empty when there is no current document or it is sensitive).
    """

    stack: str
    address: str
    attribute: str
    action: Action
    state: DocumentState = DocumentState.KNOWN
    removed: tuple[PolicyStatement, ...] = ()
    added: tuple[PolicyStatement, ...] = ()
    unchanged: int = 0
    gained: tuple[WildcardFinding, ...] = ()
    current: tuple[PolicyStatement, ...] = ()


@dataclass(frozen=True)
class Finding:
    """Something that blocks the plan unless allowed.

    Attributes:
        kind: Destroy, wildcard or plan error.
        stack, address: Where (address is empty for a plan error).
        message: What and why, one sentence.
        allowed: Whether an allowance given to the review covers it.
    """

    kind: FindingKind
    stack: str
    address: str
    message: str
    allowed: bool = False

    @property
    def allow_flag(self) -> str:
        """The CLI option that would allow it (empty when nothing can)."""
        if self.kind is FindingKind.DESTROY:
            return f"--allow-destroy {self.stack}:{self.address}"
        if self.kind is FindingKind.WILDCARD:
            return f"--allow-wildcard {self.stack}:{self.address}"
        return ""


@dataclass(frozen=True)
class StackReview:
    """The review of one stack's plan.

    Attributes:
        name: Stack name.
        changes: Resource instances that change, in :data:`ACTION_ORDER` then address order.
        policies: Policy documents that change.
        drift: Resources Terraform found changed outside Terraform (``resource_drift``).
        errored: Whether Terraform marked the plan as errored.
        complete: Whether applying it reaches the configuration (``False`` with deferred changes).
        fingerprint: SHA-256 of what the plan would do (actions and planned values per
            address, not the current state): equal fingerprints mean equal changes.
    """

    name: str
    changes: tuple[ResourceChange, ...] = ()
    policies: tuple[PolicyChange, ...] = ()
    drift: int = 0
    errored: bool = False
    complete: bool = True
    fingerprint: str = ""

    def count(self, action: Action) -> int:
        """How many resource instances the plan changes with ``action``."""
        return sum(1 for c in self.changes if c.action is action)

    @property
    def counts(self) -> dict[str, int]:
        """``{"create": n, "update": n, "replace": n, "delete": n}``."""
        return {action.value: self.count(action) for action in COUNTED}


@dataclass(frozen=True)
class PlanReview:
    """The review of one or more stacks' plans, and its verdict.

    Attributes:
        stacks: One review per plan, in the order given.
        findings: Every blocking-kind finding, allowed or not.
        unused_allowances: Allowances that matched nothing (typos, or already applied).
        allow_destroy, allow_wildcard: The allowances given.
    """

    stacks: tuple[StackReview, ...]
    findings: tuple[Finding, ...] = ()
    unused_allowances: tuple[str, ...] = ()
    allow_destroy: tuple[str, ...] = ()
    allow_wildcard: tuple[str, ...] = ()

    @property
    def blocking(self) -> tuple[Finding, ...]:
        """Findings no allowance covers."""
        return tuple(f for f in self.findings if not f.allowed)

    @property
    def blocked(self) -> bool:
        """Whether the plans must not be applied as they are."""
        return bool(self.blocking)

    @property
    def verdict(self) -> str:
        """``blocked``, ``pass`` or ``pass with allowances``."""
        if self.blocked:
            return "blocked"
        return "pass with allowances" if self.findings else "pass"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary: verdict, allowances, per-stack counts and fingerprints, findings."""
        return {
            "verdict": self.verdict,
            "blocked": self.blocked,
            "allowances": {"destroy": list(self.allow_destroy), "wildcard": list(self.allow_wildcard)},
            "unused_allowances": list(self.unused_allowances),
            "stacks": [
                {
                    "name": s.name,
                    "counts": s.counts,
                    "fingerprint": s.fingerprint,
                    "errored": s.errored,
                    "changes": [
                        {
                            "address": c.address,
                            "type": c.type,
                            "action": c.action.value,
                            "forced_by": list(c.forced_by),
                            "stateful": c.stateful,
                        }
                        for c in s.changes
                    ],
                }
                for s in self.stacks
            ],
            "findings": [
                {
                    "kind": f.kind.value,
                    "stack": f.stack,
                    "address": f.address,
                    "message": f.message,
                    "allowed": f.allowed,
                }
                for f in self.findings
            ],
        }

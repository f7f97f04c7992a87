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
    """The family of a finding: what the plan would do. Each family but plan errors has one allowance flag."""

    DESTROY = "destroy"
    WILDCARD = "wildcard"
    DATA_LOSS = "data-loss"
    EXPOSURE = "exposure"
    UNPROTECT = "unprotect"
    PLAN_ERROR = "plan-error"

    @property
    def label(self) -> str:
        """The family in plain words, as the summary and the PR comment say it."""
        return _KIND_LABELS[self]


_KIND_LABELS: Mapping[FindingKind, str] = MappingProxyType(
    {
        FindingKind.DESTROY: "destroy",
        FindingKind.WILDCARD: "wildcard",
        FindingKind.DATA_LOSS: "data loss",
        FindingKind.EXPOSURE: "access opened",
        FindingKind.UNPROTECT: "protection removed",
        FindingKind.PLAN_ERROR: "plan error",
    }
)

#: The option that accepts a finding of each family (``--allow-data-loss STACK:ADDRESS``); plan errors have none.
#: In a pull request, the same words start a line of its description (``/allow-data-loss STACK:ADDRESS``).
ALLOW_FLAGS: Mapping[FindingKind, str] = MappingProxyType(
    {
        FindingKind.DESTROY: "--allow-destroy",
        FindingKind.WILDCARD: "--allow-wildcard",
        FindingKind.DATA_LOSS: "--allow-data-loss",
        FindingKind.EXPOSURE: "--allow-exposure",
        FindingKind.UNPROTECT: "--allow-unprotect",
    }
)


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
class GrantGain:
    """What one ``Allow`` statement of the planned document grants that the current document does not cover.

    Wildcard grants are not here (they are :class:`WildcardFinding`), except
    public ones: a grant to every principal without a limiting condition is
    reported as public whatever else is wild in it.

    Attributes:
        statement: The planned statement.
        actions, resources, principals: What the uncovered grants name (sorted, each once).
        public: Whether they are granted to everyone without a condition that limits the caller.
    """

    statement: PolicyStatement
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    principals: tuple[str, ...] = ()
    public: bool = False


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
        granted: Allow statements that grant what the current document does not cover,
            wildcards aside (public grants included).
        lifted: Deny statements of the current document that no planned Deny covers
            (the TLS-only Deny aside: its removal is a rule of its own).
        tls_removed: Whether the document loses its TLS-only Deny (``aws:SecureTransport`` false).
        judged: Whether the grants were judged: ``False`` for a new document that
            joins nothing that exists (see :mod:`.context`); wildcards are judged always.
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
    granted: tuple[GrantGain, ...] = ()
    lifted: tuple[PolicyStatement, ...] = ()
    tls_removed: bool = False
    judged: bool = True
    current: tuple[PolicyStatement, ...] = ()


@dataclass(frozen=True)
class Effect:
    """What one change would do that a rule of :data:`~firelens_cdktf.review.rules.RULES` guards against.

    Attributes:
        rule: The rule's id (``log-retention-lowered``).
        address: The resource instance whose change does it.
        message: The effect in plain words, e.g. ``deletes events older than 1 day in
            /sample-metrics-fluentbit (retention_in_days 30 -> 1)``.
    """

    rule: str
    address: str
    message: str


@dataclass(frozen=True)
class Finding:
    """Something that blocks the plan unless allowed.

    Attributes:
        kind: Its family (destroy, wildcard, data loss, exposure, protection removed, plan error).
        stack, address: Where (address is empty for a plan error).
        message: What the plan would do, in plain words, one sentence.
        allowed: Whether an allowance given to the review covers it.
        rule: The id of the rule in :data:`~firelens_cdktf.review.rules.RULES` (empty for a plan error).
    """

    kind: FindingKind
    stack: str
    address: str
    message: str
    allowed: bool = False
    rule: str = ""

    @property
    def allow_flag(self) -> str:
        """The CLI option that would allow it (empty when nothing can)."""
        flag = ALLOW_FLAGS.get(self.kind)
        return f"{flag} {self.stack}:{self.address}" if flag else ""


@dataclass(frozen=True)
class StackReview:
    """The review of one stack's plan.

    Attributes:
        name: Stack name.
        changes: Resource instances that change, in :data:`ACTION_ORDER` then address order.
        policies: Policy documents that change.
        effects: What the changes would do that a rule guards against, in change order
            (each becomes a finding of :class:`PlanReview`).
        drift: Resources Terraform found changed outside Terraform (``resource_drift``).
        errored: Whether Terraform marked the plan as errored.
        complete: Whether applying it reaches the configuration (``False`` with deferred changes).
        fingerprint: SHA-256 of what the plan would do (actions and planned values per
            address, not the current state): equal fingerprints mean equal changes.
    """

    name: str
    changes: tuple[ResourceChange, ...] = ()
    policies: tuple[PolicyChange, ...] = ()
    effects: tuple[Effect, ...] = ()
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
        allow_destroy, allow_wildcard, allow_data_loss, allow_exposure, allow_unprotect:
            The allowances given, per family.
    """

    stacks: tuple[StackReview, ...]
    findings: tuple[Finding, ...] = ()
    unused_allowances: tuple[str, ...] = ()
    allow_destroy: tuple[str, ...] = ()
    allow_wildcard: tuple[str, ...] = ()
    allow_data_loss: tuple[str, ...] = ()
    allow_exposure: tuple[str, ...] = ()
    allow_unprotect: tuple[str, ...] = ()

    def allowances(self) -> dict[FindingKind, tuple[str, ...]]:
        """The allowances given, by the family they accept."""
        return {
            FindingKind.DESTROY: self.allow_destroy,
            FindingKind.WILDCARD: self.allow_wildcard,
            FindingKind.DATA_LOSS: self.allow_data_loss,
            FindingKind.EXPOSURE: self.allow_exposure,
            FindingKind.UNPROTECT: self.allow_unprotect,
        }

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
        """A JSON-ready summary: verdict, allowances, per-stack counts and fingerprints, findings.

        ``allowances`` maps each family (``destroy``, ``wildcard``, ``data-loss``,
        ``exposure``, ``unprotect``) to its addresses; ``allowance_flags`` holds the
        same as command-line options (``--allow-data-loss=pipeline:ADDRESS``), ready
        to pass to a second review of the same changes.
        """
        given = self.allowances()
        return {
            "verdict": self.verdict,
            "blocked": self.blocked,
            "allowances": {kind.value: list(addresses) for kind, addresses in given.items()},
            "allowance_flags": [f"{ALLOW_FLAGS[kind]}={a}" for kind, addresses in given.items() for a in addresses],
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
                    "rule": f.rule,
                    "stack": f.stack,
                    "address": f.address,
                    "message": f.message,
                    "allowed": f.allowed,
                }
                for f in self.findings
            ],
        }

"""Review Terraform plans before they are applied: what changes, what is lost, what IAM gains.

Pure Python over parsed ``terraform show -json`` documents (no files, no
Terraform, no CDKTF): :func:`review_plans` returns a :class:`PlanReview`
value; :func:`render_review_text` and :func:`render_review_markdown` turn it
into the terminal report and the pull-request comment. ``python -m modules
review`` and ``make plan`` are the command-line faces of it.

What blocks (``PlanReview.blocked``; the CLI then exits 1):

- **destroy**: a resource whose type is in :data:`STATEFUL_RESOURCE_TYPES`
  would be deleted or replaced (either order of a replacement; deposed
  objects too). Allowed per address with ``allow_destroy``.
- **wildcard**: an IAM policy document (any attribute holding a JSON policy:
  ``aws_iam_role_policy.policy``, ``aws_iam_policy.policy``,
  ``aws_s3_bucket_policy.policy``, ``aws_iam_role.assume_role_policy``,
  ``inline_policy[*].policy``...) would *gain* an ``Allow`` grant with a
  wildcard. Allowed per address with ``allow_wildcard``.
- **plan error**: the plan is marked ``errored``. Never allowed.

The wildcard rule, exactly. Each ``Allow`` statement is expanded into grants
(principal x action x resource x condition); a grant is a wildcard grant when

- its action contains ``*`` or ``?`` (``*``, ``s3:*``, ``s3:Get*``), or the
  statement uses ``NotAction`` (every action but the listed ones);
- its resource is unscoped: ``*``; an ARN with a wildcard in its partition,
  service, region or account; or an ARN whose resource part still holds a
  wildcard, or names only a resource type, once one trailing ``/*`` or
  ``:*`` is removed (``arn:aws:s3:::*``, ``arn:aws:s3:::logs-*``,
  ``arn:aws:iam::1:role/*``, ``...:log-group:*``); or the statement uses
  ``NotResource``. A wildcard *below one named resource* is scoped and does
  not count: ``arn:aws:s3:::my-bucket/*`` (objects of one bucket),
  ``...:log-group:/app:*`` (streams of one group). S3, SNS and SQS ARNs have
  no resource type, so their first segment is the name. Resource ``*`` does
  not count for actions AWS accepts only on ``*``
  (:data:`RESOURCE_STAR_ONLY_ACTIONS`);
- its principal is ``*`` (``"Principal": "*"`` or ``{"AWS": "*"}``), or the
  statement uses ``NotPrincipal``.

A document *gains* a wildcard grant when the grant is in the planned document
and not in the current one (so a new document with a wildcard gains it, and
widening a wildcard statement's resources or dropping its condition gains
the new grants). ``Deny`` statements never block: a TLS-only ``Deny s3:*``
for ``Principal *`` is deliberate and narrows access.

Limits: a document computed from values known only after apply (a policy
naming the ARN of a resource created in the same plan) cannot be checked;
it is reported as such, not blocked. Sensitive values are never printed.

Example::

    review = review_plans([("pipeline", json.load(open("pipeline.json")))],
                          allow_destroy=["aws_cloudwatch_log_group.audit"])
    print(render_review_text(review))
    raise SystemExit(1 if review.blocked else 0)
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import PurePath
from types import MappingProxyType
from typing import Any

from .errors import PlanReviewError
from .iam import STAR_RESOURCE_ACTIONS

#: Resource types whose deletion or replacement loses data or breaks what
#: depends on them; deleting or replacing one blocks the plan. The value
#: says why, and is shown next to the finding.
STATEFUL_RESOURCE_TYPES: Mapping[str, str] = MappingProxyType({
    "aws_s3_bucket": "holds the log archive or the Terraform state: a new bucket starts empty, "
                     "and deleting one deletes (force_destroy) or strands every object",
    "aws_cloudwatch_log_group": "deleting a log group deletes every event in it; a new one starts empty",
    "aws_cloudwatch_log_stream": "deleting a log stream deletes its events (Firehose's delivery errors)",
    "aws_kinesis_firehose_delivery_stream": "records buffered in the stream are lost, and Fluent Bit's "
                                            "PutRecordBatch fails while it is recreated",
    "aws_ecr_repository": "deleting a repository deletes every image in it; running tasks can no longer pull",
    "aws_dynamodb_table": "a table holds data (e.g. Terraform locks or app state); a new one starts empty",
    "aws_kms_key": "deleting a key schedules its deletion: whatever it encrypted becomes unreadable",
})

#: Actions AWS authorizes only on resource ``*``: a ``*`` resource for these
#: alone is required, not a widening. One table with the reasons: modules/iam.py.
RESOURCE_STAR_ONLY_ACTIONS: frozenset[str] = frozenset(STAR_RESOURCE_ACTIONS)

#: Attribute names that hold a policy document; used to notice documents that
#: are known only after apply (known documents are recognised by content).
POLICY_ATTRIBUTES: frozenset[str] = frozenset({"policy", "assume_role_policy", "policy_document"})

#: ARN services whose resource part has no resource type (``arn:aws:s3:::bucket/key``).
_UNTYPED_ARN_SERVICES = frozenset({"s3", "sns", "sqs"})
_STACK_NAME = re.compile(r"^[A-Za-z0-9_-]+$")


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
class PolicyStatement:
    """One IAM statement, normalised (single values become tuples, lists are sorted).

    Principals read ``TYPE:VALUE`` (``AWS:*``, ``Service:ecs-tasks.amazonaws.com``);
    a bare ``"Principal": "*"`` reads ``*``. ``condition`` is canonical JSON, or ``""``.
    """

    effect: str
    actions: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    principals: tuple[str, ...] = ()
    not_actions: tuple[str, ...] = ()
    not_resources: tuple[str, ...] = ()
    not_principals: tuple[str, ...] = ()
    condition: str = ""
    sid: str = ""

    @property
    def allows(self) -> bool:
        """Whether this is an ``Allow`` statement."""
        return self.effect.lower() == "allow"

    def wildcard_actions(self) -> tuple[str, ...]:
        """Action entries that match more than one action (``*``, ``s3:*``, ``s3:Get*``)."""
        return tuple(a for a in self.actions if _is_wildcard_action(a))

    def wildcard_resources(self) -> tuple[str, ...]:
        """Resource entries that are unscoped for at least one of the statement's actions."""
        return tuple(r for r in self.resources if any(_is_wildcard_grant_resource(a, r) for a in self.actions or ("",)))

    def wildcard_principals(self) -> tuple[str, ...]:
        """Principal entries that are everyone."""
        return tuple(p for p in self.principals if _is_wildcard_principal(p))

    def grants(self) -> frozenset[tuple[str, str, str, str]]:
        """(principal, action, resource, condition) for each combination the statement names.

        ``NotAction``/``NotResource``/``NotPrincipal`` lists become one ``NOT(...)`` entry.
        """
        principals = self.principals or ((_not(self.not_principals),) if self.not_principals else ("",))
        actions = self.actions or ((_not(self.not_actions),) if self.not_actions else ("",))
        resources = self.resources or ((_not(self.not_resources),) if self.not_resources else ("",))
        return frozenset((p, a, r, self.condition) for p in principals for a in actions for r in resources)


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
                {"name": s.name, "counts": s.counts, "fingerprint": s.fingerprint, "errored": s.errored,
                 "changes": [{"address": c.address, "type": c.type, "action": c.action.value,
                              "forced_by": list(c.forced_by), "stateful": c.stateful} for c in s.changes]}
                for s in self.stacks
            ],
            "findings": [{"kind": f.kind.value, "stack": f.stack, "address": f.address, "message": f.message,
                          "allowed": f.allowed} for f in self.findings],
        }


# --- reading plans --------------------------------------------------------------------------------


def stack_argument(argument: str) -> tuple[str, str]:
    """Split a command-line plan argument into (stack name, path).

    ``STACK=PATH`` names the stack; a bare ``PATH`` is named after its file
    name up to the first dot (``plans/pipeline.json`` and
    ``pipeline.plan.json`` are ``pipeline``).

    Raises:
        PlanReviewError: the name is empty or has characters other than letters, digits, ``_`` and ``-``.
    """
    name, sep, path = argument.partition("=")
    if not sep or not _STACK_NAME.match(name):
        path = argument
        name = PurePath(argument).name.split(".", 1)[0]
    if not _STACK_NAME.match(name):
        raise PlanReviewError(argument, f"cannot tell the stack name from {name!r}",
                              "name the file after the stack (pipeline.json) or pass STACK=PATH")
    return name, path


def _check_plan(stack: str, plan: object) -> Mapping[str, Any]:
    if not isinstance(plan, Mapping) or "format_version" not in plan:
        raise PlanReviewError(f"stack {stack!r}", "the document is not `terraform show -json` output",
                              "pass the JSON of `terraform show -json PLANFILE`")
    if "resource_changes" not in plan and "planned_values" not in plan:
        raise PlanReviewError(f"stack {stack!r}", "the document is a state, not a plan (no planned changes)",
                              "run `terraform show -json` on a plan file written by `terraform plan -out`")
    return plan


_ACTIONS: Mapping[tuple[str, ...], Action | None] = MappingProxyType({
    ("no-op",): None, ("read",): None,
    ("create",): Action.CREATE, ("update",): Action.UPDATE, ("delete",): Action.DELETE,
    ("delete", "create"): Action.REPLACE, ("create", "delete"): Action.REPLACE,
    ("forget",): Action.FORGET,
})


def _action(stack: str, address: str, actions: object) -> Action | None:
    key = tuple(actions) if isinstance(actions, list) else ()
    if key in _ACTIONS:
        return _ACTIONS[key]
    raise PlanReviewError(f"stack {stack!r}, {address}", f"unknown change actions {actions!r}",
                          "review this plan by hand; the review knows Terraform 1.x's actions only")


def _path_text(path: Sequence[object]) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out


def _marked(marks: object, path: Sequence[object]) -> bool:
    """Whether ``path`` (or a parent of it) is ``true`` in an after_unknown/..._sensitive tree."""
    node = marks
    for step in path:
        if node is True:
            return True
        if isinstance(node, dict) and isinstance(step, str):
            node = node.get(step)
        elif isinstance(node, list) and isinstance(step, int) and step < len(node):
            node = node[step]
        else:
            return False
    return node is True


def _walk_strings(value: object, path: tuple[object, ...] = ()) -> Iterator[tuple[tuple[object, ...], str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk_strings(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk_strings(item, (*path, index))


def _walk_true(marks: object, path: tuple[object, ...] = ()) -> Iterator[tuple[object, ...]]:
    if marks is True:
        yield path
    elif isinstance(marks, dict):
        for key, item in marks.items():
            yield from _walk_true(item, (*path, key))
    elif isinstance(marks, list):
        for index, item in enumerate(marks):
            yield from _walk_true(item, (*path, index))


def _as_policy(text: str) -> dict[str, Any] | None:
    if not text.lstrip().startswith("{"):
        return None
    try:
        doc = json.loads(text)
    except ValueError:
        return None
    return doc if isinstance(doc, dict) and "Statement" in doc else None


def _policy_paths(value: object) -> dict[tuple[object, ...], dict[str, Any]]:
    return {path: doc for path, text in _walk_strings(value) if (doc := _as_policy(text)) is not None}


def _strings(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    return tuple(sorted(str(v) for v in items))


def _principals(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, dict):
        return tuple(sorted(f"{kind}:{v}" for kind, values in value.items() for v in _strings(values)))
    return _strings(value)


def _statements(doc: Mapping[str, Any]) -> tuple[PolicyStatement, ...]:
    raw = doc.get("Statement", [])
    items = raw if isinstance(raw, list) else [raw]
    out = []
    for item in items:
        if not isinstance(item, dict):
            continue
        condition = item.get("Condition")
        out.append(PolicyStatement(
            effect=str(item.get("Effect", "")),
            actions=_strings(item.get("Action")), resources=_strings(item.get("Resource")),
            principals=_principals(item.get("Principal")),
            not_actions=_strings(item.get("NotAction")), not_resources=_strings(item.get("NotResource")),
            not_principals=_principals(item.get("NotPrincipal")),
            condition=json.dumps(condition, sort_keys=True, separators=(",", ":")) if condition else "",
            sid=str(item.get("Sid", "")),
        ))
    return tuple(out)


# --- the wildcard rule (see the module docstring) ------------------------------------------------


def _has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


def _not(values: tuple[str, ...]) -> str:
    return f"NOT({', '.join(values)})"


def _is_wildcard_action(action: str) -> bool:
    return action.startswith("NOT(") or _has_wildcard(action)


def _is_wildcard_principal(principal: str) -> bool:
    return principal.startswith("NOT(") or principal == "*" or principal.endswith(":*")


def _is_wildcard_resource(resource: str) -> bool:
    """Whether ``resource`` covers more than one named resource and its children."""
    if resource.startswith("NOT("):
        return True
    if not _has_wildcard(resource):
        return False
    parts = resource.split(":", 5)
    if parts[0] != "arn" or len(parts) < 6:
        return True
    if any(_has_wildcard(p) for p in parts[1:5]):
        return True
    rest = parts[5]
    for suffix in ("/*", ":*"):
        if rest.endswith(suffix):
            rest = rest[: -len(suffix)]
            break
    if _has_wildcard(rest):
        return True
    typed = parts[2] not in _UNTYPED_ARN_SERVICES
    return typed and "/" not in rest and ":" not in rest  # only a type is left: every resource of it


def _is_wildcard_grant_resource(action: str, resource: str) -> bool:
    if resource == "*" and action in RESOURCE_STAR_ONLY_ACTIONS:
        return False
    return _is_wildcard_resource(resource)


def _wild_parts(grant: tuple[str, str, str, str]) -> tuple[str, ...]:
    principal, action, resource, _ = grant
    parts = []
    if principal and _is_wildcard_principal(principal):
        parts.append(f"principal {principal}")
    if action and _is_wildcard_action(action):
        parts.append(f"action {action}")
    if resource and _is_wildcard_grant_resource(action, resource):
        parts.append(f"resource {resource}")
    return tuple(parts)


def _allow_grants(statements: Iterable[PolicyStatement]) -> frozenset[tuple[str, str, str, str]]:
    return frozenset(g for s in statements if s.allows for g in s.grants())


def _gained(before: tuple[PolicyStatement, ...], after: tuple[PolicyStatement, ...]) -> tuple[WildcardFinding, ...]:
    had = _allow_grants(before)
    found = []
    for statement in after:
        if not statement.allows:
            continue
        wild: list[str] = []
        for grant in sorted(statement.grants() - had):
            for part in _wild_parts(grant):
                if part not in wild:
                    wild.append(part)
        if wild:
            found.append(WildcardFinding(statement, tuple(wild)))
    return tuple(found)


# --- reviewing ------------------------------------------------------------------------------------


def _changed_attributes(change: Mapping[str, Any]) -> tuple[str, ...]:
    before, after = change.get("before"), change.get("after")
    unknown = change.get("after_unknown")
    if not isinstance(before, dict) or not isinstance(after, dict):
        return ()
    names = {k for k in after if before.get(k) != after[k]}
    if isinstance(unknown, dict):
        names |= {k for k, v in unknown.items() if next(_walk_true(v), None) is not None}
    return tuple(sorted(names))


_ConfigKey = tuple[str, str, str]


def _configured(plan: Mapping[str, Any]) -> dict[_ConfigKey, frozenset[str]] | None:
    """(module path, type, name) -> attributes the configuration sets; ``None`` without a configuration."""
    root = (plan.get("configuration") or {}).get("root_module")
    if not isinstance(root, dict):
        return None
    out: dict[_ConfigKey, frozenset[str]] = {}

    def visit(module: Mapping[str, Any], prefix: str) -> None:
        for resource in module.get("resources") or []:
            if isinstance(resource, dict):
                key = (prefix, str(resource.get("type")), str(resource.get("name")))
                out[key] = frozenset(resource.get("expressions") or {})
        for name, call in (module.get("module_calls") or {}).items():
            if isinstance(call, dict) and isinstance(call.get("module"), dict):
                visit(call["module"], f"{prefix}.module.{name}" if prefix else f"module.{name}")

    visit(root, "")
    return out


def _config_key(rc: Mapping[str, Any]) -> _ConfigKey:
    module = re.sub(r"\[[^\]]*\]", "", str(rc.get("module_address") or ""))
    return module, str(rc.get("type")), str(rc.get("name"))


def _policy_changes(stack: str, address: str, action: Action, change: Mapping[str, Any],
                    configured: frozenset[str] | None) -> tuple[PolicyChange, ...]:
    before_docs = _policy_paths(change.get("before"))
    after_docs = _policy_paths(change.get("after"))
    # A policy attribute the configuration does not set is computed
    # (aws_s3_bucket.policy mirrors the bucket policy resource): the resource
    # that sets it shows the change. ``configured`` is None for a resource no
    # longer in the configuration (a delete): every document is shown.
    if configured is not None:
        before_docs = {p: d for p, d in before_docs.items() if p[0] in configured}
        after_docs = {p: d for p, d in after_docs.items() if p[0] in configured}
    unknown_paths = {p for p in _walk_true(change.get("after_unknown"))
                     if p and p[-1] in POLICY_ATTRIBUTES and (configured is None or p[0] in configured)}
    out = []
    for path in sorted(set(before_docs) | set(after_docs) | unknown_paths, key=_path_text):
        sensitive = (_marked(change.get("before_sensitive"), path) or _marked(change.get("after_sensitive"), path))
        unknown = path in unknown_paths or _marked(change.get("after_unknown"), path)
        before = _statements(before_docs[path]) if path in before_docs else ()
        after = _statements(after_docs[path]) if path in after_docs else ()
        if sensitive:
            out.append(PolicyChange(stack, address, _path_text(path), action, DocumentState.SENSITIVE))
            continue
        if unknown:
            out.append(PolicyChange(stack, address, _path_text(path), action, DocumentState.UNKNOWN,
                                    current=before))
            continue
        if action is Action.DELETE:
            after = ()
        if set(before) == set(after):
            continue
        before_by_sid = {s.sid: s for s in before if s.sid}
        removed = tuple(s for s in before if s not in after)
        added = tuple(s for s in after if s not in before)
        # A changed statement with a Sid is listed as removed then added, next to each other.
        removed = tuple(sorted(removed, key=lambda s: (s.sid not in {a.sid for a in added}, s.sid)))
        added = tuple(sorted(added, key=lambda s: (s.sid not in before_by_sid, s.sid)))
        out.append(PolicyChange(stack, address, _path_text(path), action, DocumentState.KNOWN,
                                removed=removed, added=added, unchanged=sum(1 for s in after if s in before),
                                gained=_gained(before, after)))
    return tuple(out)


def _fingerprint(changes: Sequence[Mapping[str, Any]]) -> str:
    """What the changes do, hashed: address, actions, planned values; not the current state."""
    essence = sorted(
        json.dumps([rc.get("address"), rc.get("deposed"), rc["change"].get("actions"), rc["change"].get("after"),
                    rc["change"].get("after_unknown"), rc["change"].get("replace_paths")],
                   sort_keys=True, separators=(",", ":"))
        for rc in changes
    )
    return hashlib.sha256("\n".join(essence).encode()).hexdigest()


def _value_at(value: object, path: Sequence[object]) -> object:
    for step in path:
        if isinstance(value, dict) and isinstance(step, str):
            value = value.get(step)
        elif isinstance(value, list) and isinstance(step, int) and step < len(value):
            value = value[step]
        else:
            return None
    return value


def _relevant_drift(plan: Mapping[str, Any]) -> int:
    """Resources changed outside Terraform in a way that matters to this plan.

    Like Terraform's own "Objects have changed outside of Terraform": a
    deleted object always counts, a modified one only when an attribute the
    plan relies on (``relevant_attributes``) changed; provider normalisation
    (``tags = null`` read back as ``{}``) does not.
    """
    relevant: dict[str, list[Sequence[object]]] = {}
    for item in plan.get("relevant_attributes") or []:
        if isinstance(item, dict) and isinstance(item.get("attribute"), list):
            relevant.setdefault(str(item.get("resource")), []).append(item["attribute"])
    count = 0
    for drift in plan.get("resource_drift") or []:
        if not isinstance(drift, dict) or not isinstance(drift.get("change"), dict):
            continue
        change = drift["change"]
        if "delete" in (change.get("actions") or []):
            count += 1
        elif any(_value_at(change.get("before"), path) != _value_at(change.get("after"), path)
                 for path in relevant.get(str(drift.get("address")), [])):
            count += 1
    return count


def review_stack(name: str, plan: Mapping[str, Any]) -> StackReview:
    """Review one stack's parsed ``terraform show -json`` plan.

    Raises:
        PlanReviewError: ``plan`` is not a plan, or holds actions this review does not know.
    """
    plan = _check_plan(name, plan)
    changes: list[ResourceChange] = []
    policies: list[PolicyChange] = []
    reviewed: list[Mapping[str, Any]] = []
    configured = _configured(plan)
    for rc in plan.get("resource_changes") or []:
        if not isinstance(rc, dict) or rc.get("mode", "managed") != "managed" or not isinstance(rc.get("change"), dict):
            continue
        change = rc["change"]
        address = str(rc.get("address", "?"))
        action = _action(name, address, change.get("actions"))
        if action is None:
            continue
        reviewed.append(rc)
        forced = tuple(_path_text(p) for p in change.get("replace_paths") or [] if isinstance(p, list))
        changes.append(ResourceChange(
            stack=name, address=address, type=str(rc.get("type", "")), action=action,
            reason=rc.get("action_reason"), forced_by=forced,
            changed=_changed_attributes(change) if action in (Action.UPDATE, Action.REPLACE) else (),
            deposed=rc.get("deposed"),
        ))
        attributes = None if configured is None else configured.get(_config_key(rc))
        policies.extend(_policy_changes(name, address, action, change, attributes))
    changes.sort(key=lambda c: (ACTION_ORDER.index(c.action), c.address, c.deposed or ""))
    return StackReview(
        name=name, changes=tuple(changes), policies=tuple(policies),
        drift=_relevant_drift(plan),
        errored=bool(plan.get("errored", False)), complete=bool(plan.get("complete", True)),
        fingerprint=_fingerprint(reviewed),
    )


def _matches(allowance: str, stack: str, address: str, stacks: set[str]) -> bool:
    prefix, sep, rest = allowance.partition(":")
    if sep and prefix in stacks:
        return prefix == stack and rest == address
    return allowance == address


def review_plans(plans: Sequence[tuple[str, Mapping[str, Any]]], *, allow_destroy: Iterable[str] = (),
                 allow_wildcard: Iterable[str] = ()) -> PlanReview:
    """Review several stacks' plans together and give the verdict.

    Args:
        plans: (stack name, parsed ``terraform show -json``) pairs, e.g. in dependency order.
        allow_destroy: Addresses whose deletion or replacement is intended:
            ``ADDRESS`` (in any stack) or ``STACK:ADDRESS``. Default: none.
        allow_wildcard: Addresses whose policy documents may gain wildcard
            grants, same forms. Default: none.

    Raises:
        PlanReviewError: a document is not a plan, or two plans have the same stack name.
    """
    names = [name for name, _ in plans]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise PlanReviewError(f"stack {duplicates[0]!r}", "two plans have the same stack name",
                              "name each plan after its stack, or pass STACK=PATH")
    stacks = tuple(review_stack(name, plan) for name, plan in plans)
    destroy, wildcard = tuple(allow_destroy), tuple(allow_wildcard)
    known = set(names)
    used: set[tuple[FindingKind, str]] = set()

    def allowed(kind: FindingKind, allowances: tuple[str, ...], stack: str, address: str) -> bool:
        hits = [a for a in allowances if _matches(a, stack, address, known)]
        used.update((kind, a) for a in hits)
        return bool(hits)

    findings: list[Finding] = []
    for stack in stacks:
        if stack.errored:
            findings.append(Finding(FindingKind.PLAN_ERROR, stack.name, "",
                                    "Terraform marked the plan as errored: it is incomplete"))
        for change in stack.changes:
            if change.stateful and change.loses_object:
                what = "replaced" if change.action is Action.REPLACE else "deleted"
                forced = f" (forced by {', '.join(change.forced_by)})" if change.forced_by else ""
                deposed = f" (deposed object {change.deposed})" if change.deposed else ""
                findings.append(Finding(
                    FindingKind.DESTROY, stack.name, change.address,
                    f"{change.type}{deposed} would be {what}{forced}: {STATEFUL_RESOURCE_TYPES[change.type]}",
                    allowed(FindingKind.DESTROY, destroy, stack.name, change.address)))
        for policy in stack.policies:
            for gain in policy.gained:
                sid = f" [{gain.statement.sid}]" if gain.statement.sid else ""
                findings.append(Finding(
                    FindingKind.WILDCARD, stack.name, policy.address,
                    f"{policy.attribute}: Allow statement{sid} gains {', '.join(gain.wildcards)}",
                    allowed(FindingKind.WILDCARD, wildcard, stack.name, policy.address)))
    unused = tuple([f"--allow-destroy {a}" for a in destroy if (FindingKind.DESTROY, a) not in used]
                   + [f"--allow-wildcard {a}" for a in wildcard if (FindingKind.WILDCARD, a) not in used])
    return PlanReview(stacks=stacks, findings=tuple(findings), unused_allowances=unused,
                      allow_destroy=destroy, allow_wildcard=wildcard)


# --- rendering ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Style:
    """How the two renderers mark things."""

    code: str = ""
    wild: str = " (!)"

    def c(self, text: str) -> str:
        return f"{self.code}{text.replace('`', chr(39))}{self.code}" if self.code else text


def _describe(statement: PolicyStatement, style: _Style) -> str:
    """One line for a statement, wildcards marked: ``[Sid] Allow a, b on r | principal p | if {...}``."""
    allows = statement.allows
    wild_actions = set(statement.wildcard_actions()) if allows else set()
    wild_resources = set(statement.wildcard_resources()) if allows else set()
    wild_principals = set(statement.wildcard_principals()) if allows else set()

    def items(values: tuple[str, ...], wild: set[str], negated: bool) -> str:
        if negated:
            return f"NOT({', '.join(values)})" + (style.wild if allows else "")
        return ", ".join(v + (style.wild if v in wild else "") for v in values)

    actions = items(statement.not_actions, set(), True) if statement.not_actions else items(
        statement.actions, wild_actions, False)
    parts = [f"[{statement.sid}] " if statement.sid else "", f"{statement.effect} {actions}"]
    if statement.resources or statement.not_resources:
        resources = items(statement.not_resources, set(), True) if statement.not_resources else items(
            statement.resources, wild_resources, False)
        parts.append(f" on {resources}")
    if statement.principals or statement.not_principals:
        principals = items(statement.not_principals, set(), True) if statement.not_principals else items(
            statement.principals, wild_principals, False)
        parts.append(f" | principal {principals}")
    if statement.condition:
        parts.append(f" | if {statement.condition}")
    return "".join(parts)


def _counts_line(stack: StackReview) -> str:
    return ", ".join(f"{stack.count(a)} to {a.value}" for a in COUNTED)


#: Terraform's action_reason values, as the table says them.
_REASONS: Mapping[str, str] = MappingProxyType({
    "replace_because_tainted": "tainted (a failed or interrupted create)",
    "replace_by_request": "replacement requested (-replace)",
    "replace_by_triggers": "replace_triggered_by",
    "delete_because_no_resource_config": "removed from the configuration",
    "delete_because_no_module": "its module was removed",
    "delete_because_count_index": "count index out of range",
    "delete_because_each_key": "for_each key removed",
    "delete_because_wrong_repetition": "count/for_each changed",
    "delete_because_no_move_target": "moved to an address that does not exist",
})


def _detail(change: ResourceChange) -> str:
    bits = []
    if change.stateful and change.loses_object:
        bits.append("STATEFUL")
    if change.forced_by:
        bits.append(f"forced by: {', '.join(change.forced_by)}")
    elif change.reason and change.reason != "replace_because_cannot_update":
        bits.append(_REASONS.get(change.reason, change.reason.replace("_", " ")))
    elif change.changed and change.action is Action.UPDATE:
        bits.append(f"changes: {', '.join(change.changed)}")
    if change.deposed:
        bits.append(f"deposed object {change.deposed}")
    return "; ".join(bits)


def _policy_heading(policy: PolicyChange) -> str:
    return f"{policy.address} {policy.attribute} ({policy.action.value})"


def _policy_lines(policy: PolicyChange) -> list[str]:
    """The diff lines (``- ...``/``+ ...``) and notes of one policy change, unstyled."""
    style = _Style()
    if policy.state is DocumentState.SENSITIVE:
        return ["  (the document is sensitive: not shown, not checked)"]
    if policy.state is DocumentState.UNKNOWN:
        lines = ["  (the planned document is known only after apply: not checked; review the source)"]
        if policy.current:
            lines.append("  current document:")
        return lines + [f"    {_describe(s, style)}" for s in policy.current]
    lines = [f"- {_describe(s, style)}" for s in policy.removed]
    lines += [f"+ {_describe(s, style)}" for s in policy.added]
    if policy.unchanged:
        lines.append(f"  ({policy.unchanged} statement(s) unchanged)")
    return lines


def _notes(stack: StackReview) -> list[str]:
    notes = []
    if stack.drift:
        notes.append(f"{stack.drift} resource(s) changed outside Terraform since the last apply (drift)")
    if not stack.complete:
        notes.append("the plan is incomplete (deferred changes): another plan and apply will follow")
    if stack.errored:
        notes.append("Terraform marked the plan as errored")
    return notes


def render_review_text(review: PlanReview) -> str:
    """The review as plain text for a terminal (``python -m modules review``, ``make plan``)."""
    out = [f"Plan review of {len(review.stacks)} stack(s)"]
    for stack in review.stacks:
        out.append("")
        summary = _counts_line(stack) if stack.changes else "no changes"
        out.append(f"== {stack.name}: {summary} ==")
        out += [f"  note: {n}" for n in _notes(stack)]
        for action in ACTION_ORDER:
            group = [c for c in stack.changes if c.action is action]
            if not group:
                continue
            out.append(f"  {action.value} ({len(group)})")
            for change in group:
                detail = _detail(change)
                out.append(f"    {change.address}" + (f"  [{detail}]" if detail else ""))
        if stack.policies:
            out.append("  IAM policy documents")
            for policy in stack.policies:
                out.append(f"    {_policy_heading(policy)}")
                out += [f"      {line}" for line in _policy_lines(policy)]
                out += [f"      GAINS WILDCARD: {', '.join(g.wildcards)}" for g in policy.gained]
    out.append("")
    if review.findings:
        out.append("Findings")
        for finding in review.findings:
            status = "allowed " if finding.allowed else "BLOCKING"
            where = f"{finding.stack} {finding.address}".strip()
            hint = "" if finding.allowed or not finding.allow_flag else f"\n      to accept: {finding.allow_flag}"
            out.append(f"  {status} {finding.kind.value}: {where}: {finding.message}{hint}")
    out += [f"warning: {u} matched nothing" for u in review.unused_allowances]
    out.append(f"Verdict: {_verdict_text(review)}")
    return "\n".join(out) + "\n"


def _verdict_text(review: PlanReview) -> str:
    if review.blocked:
        return f"BLOCKED ({len(review.blocking)} blocking finding(s))"
    allowed = len(review.findings)
    return f"PASS ({allowed} finding(s) allowed)" if allowed else "PASS"


#: Longer change tables are folded in the Markdown (GitHub's <details>).
_OPEN_TABLE_ROWS = 25


def render_review_markdown(review: PlanReview) -> str:
    """The review as GitHub-flavoured Markdown (the pull-request comment)."""
    style = _Style(code="`", wild=" ⚠️")
    icon = "❌" if review.blocked else "✅"
    out = ["## Terraform plan review", "", f"**Verdict: {icon} {_verdict_text(review)}**", "",
           "| stack | create | update | replace | delete |", "| --- | ---: | ---: | ---: | ---: |"]
    for stack in review.stacks:
        counts = " | ".join(str(stack.count(a)) for a in COUNTED)
        out.append(f"| {style.c(stack.name)} | {counts} |")
    if review.findings:
        out += ["", "### Findings", ""]
        for finding in review.findings:
            mark = "✅ allowed" if finding.allowed else "❌ **blocking**"
            where = style.c(f"{finding.stack}:{finding.address}" if finding.address else finding.stack)
            hint = "" if finding.allowed or not finding.allow_flag else f" To accept: {style.c(finding.allow_flag)}"
            out.append(f"- {mark} {finding.kind.value} {where}: {finding.message.replace('`', chr(39))}.{hint}")
    for unused in review.unused_allowances:
        out.append(f"- ⚠️ {style.c(unused)} matched nothing")
    for stack in review.stacks:
        out += ["", f"### {style.c(stack.name)}: {_counts_line(stack) if stack.changes else 'no changes'}"]
        out += [f"> {n}" for n in _notes(stack)]
        if stack.changes:
            if len(stack.changes) > _OPEN_TABLE_ROWS:  # findings above already name what is dangerous
                out += ["", f"<details><summary>{len(stack.changes)} changed resources</summary>"]
            out += ["", "| action | address | type | detail |", "| --- | --- | --- | --- |"]
            for change in stack.changes:
                detail = _detail(change)
                if detail.startswith("STATEFUL"):
                    detail = "**" + detail.replace("STATEFUL", "stateful", 1) + "**"
                out.append(f"| {change.action.value} | {style.c(change.address)} | {style.c(change.type)} | "
                           f"{detail.replace('|', '/')} |")
            if len(stack.changes) > _OPEN_TABLE_ROWS:
                out += ["", "</details>"]
        if stack.policies:
            out += ["", "#### IAM policy documents"]
            for policy in stack.policies:
                out += ["", f"{style.c(policy.address)} {style.c(policy.attribute)} ({policy.action.value})", "",
                        "```diff", *_policy_lines(policy), "```"]
                out += [f"- ⚠️ **gains wildcard**: {', '.join(style.c(w) for w in g.wildcards)}" for g in policy.gained]
    out.append("")
    return "\n".join(out)

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

The wildcard rule is the project's one rule, in :mod:`firelens_cdktf.iam.policy`
(the same one the synthesized stacks are checked against).

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
from pathlib import PurePath
from types import MappingProxyType
from typing import Any

from firelens_cdktf.errors import PlanReviewError
from firelens_cdktf.iam.policy import (
    PolicyParseError,
    PolicyStatement,
    allow_grants,
    parse_policy,
    parse_statements,
    wildcard_parts,
)
from firelens_cdktf.review.model import (
    ACTION_ORDER,
    POLICY_ATTRIBUTES,
    STACK_NAME_PATTERN,
    STATEFUL_RESOURCE_TYPES,
    Action,
    DocumentState,
    Finding,
    FindingKind,
    PlanReview,
    PolicyChange,
    ResourceChange,
    StackReview,
    WildcardFinding,
)

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
    if not sep or not STACK_NAME_PATTERN.match(name):
        path = argument
        name = PurePath(argument).name.split(".", 1)[0]
    if not STACK_NAME_PATTERN.match(name):
        raise PlanReviewError(
            argument,
            f"cannot tell the stack name from {name!r}",
            "name the file after the stack (pipeline.json) or pass STACK=PATH",
        )
    return name, path


def _check_plan(stack: str, plan: object) -> Mapping[str, Any]:
    if not isinstance(plan, Mapping) or "format_version" not in plan:
        raise PlanReviewError(
            f"stack {stack!r}",
            "the document is not `terraform show -json` output",
            "pass the JSON of `terraform show -json PLANFILE`",
        )
    if "resource_changes" not in plan and "planned_values" not in plan:
        raise PlanReviewError(
            f"stack {stack!r}",
            "the document is a state, not a plan (no planned changes)",
            "run `terraform show -json` on a plan file written by `terraform plan -out`",
        )
    return plan


_ACTIONS: Mapping[tuple[str, ...], Action | None] = MappingProxyType(
    {
        ("no-op",): None,
        ("read",): None,
        ("create",): Action.CREATE,
        ("update",): Action.UPDATE,
        ("delete",): Action.DELETE,
        ("delete", "create"): Action.REPLACE,
        ("create", "delete"): Action.REPLACE,
        ("forget",): Action.FORGET,
    }
)


def _action(stack: str, address: str, actions: object) -> Action | None:
    key = tuple(actions) if isinstance(actions, list) else ()
    if key in _ACTIONS:
        return _ACTIONS[key]
    raise PlanReviewError(
        f"stack {stack!r}, {address}",
        f"unknown change actions {actions!r}",
        "review this plan by hand; the review knows Terraform 1.x's actions only",
    )


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


def _policy_paths(value: object) -> dict[tuple[object, ...], dict[str, Any]]:
    return {path: doc for path, text in _walk_strings(value) if (doc := parse_policy(text)) is not None}


def _gained(before: tuple[PolicyStatement, ...], after: tuple[PolicyStatement, ...]) -> tuple[WildcardFinding, ...]:
    had = allow_grants(before)
    found = []
    for statement in after:
        if not statement.allows:
            continue
        wild: list[str] = []
        for grant in sorted(statement.grants() - had):
            for part in wildcard_parts(grant):
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


def _resource_changes(stack: str, plan: Mapping[str, Any]) -> list[dict[str, Any]]:
    """``resource_changes``, each entry checked to be what Terraform writes: a gate must not pass what it
    cannot read."""
    raw = plan.get("resource_changes") or []
    fix = "pass the unmodified output of `terraform show -json PLANFILE`"
    if not isinstance(raw, list):
        raise PlanReviewError(f"stack {stack!r}", f"resource_changes is {type(raw).__name__}, not a list", fix)
    for index, rc in enumerate(raw):
        if (
            not isinstance(rc, dict)
            or not isinstance(rc.get("address"), str)
            or not isinstance(rc.get("change"), dict)
            or not isinstance(rc["change"].get("actions"), list)
        ):
            shown = json.dumps(rc)[:80] if isinstance(rc, dict | list | str | int | float | bool) else repr(rc)
            raise PlanReviewError(
                f"stack {stack!r}, resource_changes[{index}]", f"{shown} lacks an address or change.actions", fix
            )
    return raw


def _unreadable_policies(stack: str, address: str, value: object) -> None:
    """A known policy attribute that is not JSON at all blocks the review: it cannot be checked.

    (JSON without ``Statement``, such as an ECR lifecycle policy, is not IAM and is left alone.)
    """
    if not isinstance(value, dict):
        return
    for key in sorted(POLICY_ATTRIBUTES & set(value)):
        text = value[key]
        if not isinstance(text, str) or not text.strip():
            continue
        try:
            json.loads(text)
        except ValueError as error:
            raise PlanReviewError(
                f"stack {stack!r}, {address}",
                f"{key} is not valid JSON ({error}): {text[:60]!r}",
                "fix the policy in the code, then plan again",
            ) from None


def _policy_changes(
    stack: str, address: str, action: Action, change: Mapping[str, Any], configured: frozenset[str] | None
) -> tuple[PolicyChange, ...]:
    _unreadable_policies(stack, address, change.get("after"))
    before_docs = _policy_paths(change.get("before"))
    after_docs = _policy_paths(change.get("after"))
    # A policy attribute the configuration does not set is computed
    # (aws_s3_bucket.policy mirrors the bucket policy resource): the resource
    # that sets it shows the change. ``configured`` is None for a resource no
    # longer in the configuration (a delete): every document is shown.
    if configured is not None:
        before_docs = {p: d for p, d in before_docs.items() if p[0] in configured}
        after_docs = {p: d for p, d in after_docs.items() if p[0] in configured}
    unknown_paths = {
        p
        for p in _walk_true(change.get("after_unknown"))
        if p and p[-1] in POLICY_ATTRIBUTES and (configured is None or p[0] in configured)
    }
    out = []
    for path in sorted(set(before_docs) | set(after_docs) | unknown_paths, key=_path_text):
        sensitive = _marked(change.get("before_sensitive"), path) or _marked(change.get("after_sensitive"), path)
        unknown = path in unknown_paths or _marked(change.get("after_unknown"), path)
        try:
            before = parse_statements(before_docs[path]) if path in before_docs else ()
            after = parse_statements(after_docs[path]) if path in after_docs else ()
        except PolicyParseError as error:
            raise PlanReviewError(
                f"stack {stack!r}, {address}",
                f"{_path_text(path)}: {error}",
                "fix the policy in the code, then plan again",
            ) from None
        if sensitive:
            out.append(PolicyChange(stack, address, _path_text(path), action, DocumentState.SENSITIVE))
            continue
        if unknown:
            out.append(PolicyChange(stack, address, _path_text(path), action, DocumentState.UNKNOWN, current=before))
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
        out.append(
            PolicyChange(
                stack,
                address,
                _path_text(path),
                action,
                DocumentState.KNOWN,
                removed=removed,
                added=added,
                unchanged=sum(1 for s in after if s in before),
                gained=_gained(before, after),
            )
        )
    return tuple(out)


def _fingerprint(changes: Sequence[Mapping[str, Any]]) -> str:
    """What the changes do, hashed: address, actions, planned values; not the current state."""
    essence = sorted(
        json.dumps(
            [
                rc.get("address"),
                rc.get("deposed"),
                rc["change"].get("actions"),
                rc["change"].get("after"),
                rc["change"].get("after_unknown"),
                rc["change"].get("replace_paths"),
            ],
            sort_keys=True,
            separators=(",", ":"),
        )
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
        elif any(
            _value_at(change.get("before"), path) != _value_at(change.get("after"), path)
            for path in relevant.get(str(drift.get("address")), [])
        ):
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
    for rc in _resource_changes(name, plan):
        if rc.get("mode", "managed") != "managed":
            continue
        change = rc["change"]
        address = rc["address"]
        action = _action(name, address, change.get("actions"))
        if action is None:
            continue
        reviewed.append(rc)
        forced = tuple(_path_text(p) for p in change.get("replace_paths") or [] if isinstance(p, list))
        changes.append(
            ResourceChange(
                stack=name,
                address=address,
                type=str(rc.get("type", "")),
                action=action,
                reason=rc.get("action_reason"),
                forced_by=forced,
                changed=_changed_attributes(change) if action in (Action.UPDATE, Action.REPLACE) else (),
                deposed=rc.get("deposed"),
            )
        )
        attributes = None if configured is None else configured.get(_config_key(rc))
        policies.extend(_policy_changes(name, address, action, change, attributes))
    changes.sort(key=lambda c: (ACTION_ORDER.index(c.action), c.address, c.deposed or ""))
    return StackReview(
        name=name,
        changes=tuple(changes),
        policies=tuple(policies),
        drift=_relevant_drift(plan),
        errored=bool(plan.get("errored", False)),
        complete=bool(plan.get("complete", True)),
        fingerprint=_fingerprint(reviewed),
    )


def _matches(allowance: str, stack: str, address: str, stacks: set[str]) -> bool:
    prefix, sep, rest = allowance.partition(":")
    if sep and prefix in stacks:
        return prefix == stack and rest == address
    return allowance == address


def review_plans(
    plans: Sequence[tuple[str, Mapping[str, Any]]],
    *,
    allow_destroy: Iterable[str] = (),
    allow_wildcard: Iterable[str] = (),
) -> PlanReview:
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
        raise PlanReviewError(
            f"stack {duplicates[0]!r}",
            "two plans have the same stack name",
            "name each plan after its stack, or pass STACK=PATH",
        )
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
            findings.append(
                Finding(
                    FindingKind.PLAN_ERROR, stack.name, "", "Terraform marked the plan as errored: it is incomplete"
                )
            )
        for change in stack.changes:
            if change.stateful and change.loses_object:
                what = "replaced" if change.action is Action.REPLACE else "deleted"
                forced = f" (forced by {', '.join(change.forced_by)})" if change.forced_by else ""
                deposed = f" (deposed object {change.deposed})" if change.deposed else ""
                findings.append(
                    Finding(
                        FindingKind.DESTROY,
                        stack.name,
                        change.address,
                        f"{change.type}{deposed} would be {what}{forced}: {STATEFUL_RESOURCE_TYPES[change.type]}",
                        allowed(FindingKind.DESTROY, destroy, stack.name, change.address),
                    )
                )
        for policy in stack.policies:
            for gain in policy.gained:
                sid = f" [{gain.statement.sid}]" if gain.statement.sid else ""
                findings.append(
                    Finding(
                        FindingKind.WILDCARD,
                        stack.name,
                        policy.address,
                        f"{policy.attribute}: Allow statement{sid} gains {', '.join(gain.wildcards)}",
                        allowed(FindingKind.WILDCARD, wildcard, stack.name, policy.address),
                    )
                )
    unused = tuple(
        [f"--allow-destroy {a}" for a in destroy if (FindingKind.DESTROY, a) not in used]
        + [f"--allow-wildcard {a}" for a in wildcard if (FindingKind.WILDCARD, a) not in used]
    )
    return PlanReview(
        stacks=stacks,
        findings=tuple(findings),
        unused_allowances=unused,
        allow_destroy=destroy,
        allow_wildcard=wildcard,
    )

"""Review Terraform plans before they are applied: what changes, and what each change would do.

Pure Python over parsed ``terraform show -json`` documents (no files, no
Terraform, no CDKTF): :func:`review_plans` returns a :class:`PlanReview`
value; :func:`render_review_text` and :func:`render_review_markdown` turn it
into the terminal report and the pull-request comment. ``firelens-cdktf
review`` and ``make plan`` are the command-line faces of it.

What blocks (``PlanReview.blocked``; the CLI then exits 1): a finding of a
rule in :data:`~firelens_cdktf.review.rules.RULES` that no allowance covers,
or an errored plan. The rules judge what a change *does*, not only which
action Terraform prints, in five families, each with one allowance flag
(``ADDRESS`` in any stack, or ``STACK:ADDRESS``):

- **destroy** (``--allow-destroy``): a resource whose type is in
  :data:`STATEFUL_RESOURCE_TYPES` would be deleted or replaced (deposed
  objects too);
- **wildcard** (``--allow-wildcard``): a policy document would *gain* an
  ``Allow`` grant with a wildcard (the rule of :mod:`firelens_cdktf.iam.policy`);
- **data loss** (``--allow-data-loss``): data deleted or stranded in place
  (retention or expiration shortened, versioning suspended, a Firehose
  layout or Glue schema changed, a KMS key disabled: :mod:`.data_rules`);
- **access opened** (``--allow-exposure``): the internet admitted on a new
  port, a public access block loosened, a public policy, a policy granting
  more (:mod:`.access_rules`, :mod:`.policies`);
- **protection removed** (``--allow-unprotect``): encryption weakened, the
  TLS-only Deny removed, deletion protection off.

Each change is judged against the plan's own before: keeping or narrowing
(a longer retention, a narrower CIDR, fewer actions, tags) is never a
finding. A resource the plan creates is judged only when it joins something
that exists (:mod:`.context` says exactly when), so a stack's first deploy is
not blocked by its own design. ``Deny`` statements never block.

Limits: a value known only after apply (a policy naming the ARN of a
resource created in the same plan) cannot be judged; it is reported as such,
not blocked. Sensitive values are never printed.

Example::

    review = review_plans([("pipeline", json.load(open("pipeline.json")))],
                          allow_data_loss=["aws_cloudwatch_log_group.audit"])
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
from firelens_cdktf.review.access_rules import ACCESS_CHECKS, ANY_TYPE_CHECKS
from firelens_cdktf.review.context import PlanIndex, Planned, value_at
from firelens_cdktf.review.data_rules import DATA_CHECKS
from firelens_cdktf.review.model import (
    ACTION_ORDER,
    ALLOW_FLAGS,
    STACK_NAME_PATTERN,
    STATEFUL_RESOURCE_TYPES,
    Action,
    Effect,
    Finding,
    FindingKind,
    PlanReview,
    PolicyChange,
    ResourceChange,
    StackReview,
)
from firelens_cdktf.review.policies import path_text, policy_changes, policy_effects, walk_true
from firelens_cdktf.review.rules import RULES

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


# --- reviewing ------------------------------------------------------------------------------------


def _changed_attributes(change: Mapping[str, Any]) -> tuple[str, ...]:
    before, after = change.get("before"), change.get("after")
    unknown = change.get("after_unknown")
    if not isinstance(before, dict) or not isinstance(after, dict):
        return ()
    names = {k for k in after if before.get(k) != after[k]}
    if isinstance(unknown, dict):
        names |= {k for k, v in unknown.items() if next(walk_true(v), None) is not None}
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
            value_at(change.get("before"), path) != value_at(change.get("after"), path)
            for path in relevant.get(str(drift.get("address")), [])
        ):
            count += 1
    return count


def _destroy_effect(change: ResourceChange, before: Mapping[str, Any]) -> Effect:
    what = "replaced" if change.action is Action.REPLACE else "deleted"
    forced = f" (forced by {', '.join(change.forced_by)})" if change.forced_by else ""
    deposed = f" (deposed object {change.deposed})" if change.deposed else ""
    reason = STATEFUL_RESOURCE_TYPES[change.type]
    window = before.get("deletion_window_in_days") if change.type == "aws_kms_key" else None
    if isinstance(window, int):
        reason += f", {window} days after the plan is applied (deletion_window_in_days)"
    return Effect("stateful-destroy", change.address, f"{change.type}{deposed} would be {what}{forced}: {reason}")


def _planned(rc: Mapping[str, Any], action: Action, index: PlanIndex) -> Planned:
    change = rc["change"]
    before, after = change.get("before"), change.get("after")
    address = rc["address"]
    return Planned(
        address=address,
        type=str(rc.get("type", "")),
        action=action,
        before=before if isinstance(before, dict) and action is not Action.CREATE else {},
        after=after if isinstance(after, dict) and action is not Action.DELETE else {},
        unknown=change.get("after_unknown"),
        before_sensitive=change.get("before_sensitive"),
        after_sensitive=change.get("after_sensitive"),
        judged=action is not Action.CREATE or index.joins_existing(address),
    )


def _holder_stays(planned: Planned, index: PlanIndex) -> bool:
    """Whether what a policy protects outlives this change (for the TLS-only and lifted-Deny rules)."""
    if planned.type == "aws_s3_bucket_policy":
        return not index.bucket_goes(planned.was("bucket"))
    return planned.action is not Action.DELETE


def _effects(planned: Planned, change: ResourceChange, index: PlanIndex) -> Iterator[Effect]:
    if change.stateful and change.loses_object:
        yield _destroy_effect(change, planned.before)
    if change.deposed or change.action is Action.FORGET:
        return  # a deposed object is only deleted; a forgotten one is left as it is
    for check in (*DATA_CHECKS.get(planned.type, ()), *ACCESS_CHECKS.get(planned.type, ()), *ANY_TYPE_CHECKS):
        yield from check(planned, index)


def review_stack(name: str, plan: Mapping[str, Any]) -> StackReview:
    """Review one stack's parsed ``terraform show -json`` plan.

    Raises:
        PlanReviewError: ``plan`` is not a plan, or holds actions or policies this review cannot read.
    """
    plan = _check_plan(name, plan)
    reviewed: list[tuple[dict[str, Any], Action]] = []
    for rc in _resource_changes(name, plan):
        if rc.get("mode", "managed") != "managed":
            continue
        action = _action(name, rc["address"], rc["change"].get("actions"))
        if action is not None:
            reviewed.append((rc, action))
    index = PlanIndex(plan, {rc["address"]: action for rc, action in reviewed if not rc.get("deposed")})
    configured = _configured(plan)
    changes: list[ResourceChange] = []
    policies: list[PolicyChange] = []
    effects: list[tuple[ResourceChange, Effect]] = []
    for rc, action in reviewed:
        change = rc["change"]
        forced = tuple(path_text(p) for p in change.get("replace_paths") or [] if isinstance(p, list))
        resource = ResourceChange(
            stack=name,
            address=rc["address"],
            type=str(rc.get("type", "")),
            action=action,
            reason=rc.get("action_reason"),
            forced_by=forced,
            changed=_changed_attributes(change) if action in (Action.UPDATE, Action.REPLACE) else (),
            deposed=rc.get("deposed"),
        )
        changes.append(resource)
        planned = _planned(rc, action, index)
        attributes = None if configured is None else configured.get(_config_key(rc))
        documents = policy_changes(name, rc["address"], action, change, attributes, judged=planned.judged)
        policies.extend(documents)
        effects += [(resource, e) for e in _effects(planned, resource, index)]
        if action is not Action.FORGET and not resource.deposed:  # the real document stays as it is
            holder_stays = _holder_stays(planned, index)
            effects += [(resource, e) for doc in documents for e in policy_effects(doc, holder_stays=holder_stays)]
    order = {id(c): (ACTION_ORDER.index(c.action), c.address, c.deposed or "") for c in changes}
    changes.sort(key=lambda c: order[id(c)])
    effects.sort(key=lambda pair: order[id(pair[0])])
    return StackReview(
        name=name,
        changes=tuple(changes),
        policies=tuple(policies),
        effects=tuple(e for _, e in effects),
        drift=_relevant_drift(plan),
        errored=bool(plan.get("errored", False)),
        complete=bool(plan.get("complete", True)),
        fingerprint=_fingerprint([rc for rc, _ in reviewed]),
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
    allow_data_loss: Iterable[str] = (),
    allow_exposure: Iterable[str] = (),
    allow_unprotect: Iterable[str] = (),
) -> PlanReview:
    """Review several stacks' plans together and give the verdict.

    Each allowance names an address whose findings of that family are
    intended: ``ADDRESS`` (in any stack) or ``STACK:ADDRESS``. Default: none.

    Args:
        plans: (stack name, parsed ``terraform show -json``) pairs, e.g. in dependency order.
        allow_destroy: Stateful resources whose deletion or replacement is intended.
        allow_wildcard: Resources whose policy documents may gain wildcard grants.
        allow_data_loss: Resources whose change may delete or strand data in place.
        allow_exposure: Resources whose change may open access (ports, public access, grants).
        allow_unprotect: Resources whose change may remove a protection (encryption, TLS-only, deletion).

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
    review = PlanReview(
        stacks=stacks,
        allow_destroy=tuple(allow_destroy),
        allow_wildcard=tuple(allow_wildcard),
        allow_data_loss=tuple(allow_data_loss),
        allow_exposure=tuple(allow_exposure),
        allow_unprotect=tuple(allow_unprotect),
    )
    given = review.allowances()
    known = set(names)
    used: set[tuple[FindingKind, str]] = set()
    findings: list[Finding] = []
    for stack in stacks:
        if stack.errored:
            findings.append(
                Finding(
                    FindingKind.PLAN_ERROR, stack.name, "", "Terraform marked the plan as errored: it is incomplete"
                )
            )
        for effect in stack.effects:
            kind = RULES[effect.rule].kind
            hits = [a for a in given[kind] if _matches(a, stack.name, effect.address, known)]
            used.update((kind, a) for a in hits)
            findings.append(Finding(kind, stack.name, effect.address, effect.message, bool(hits), effect.rule))
    unused = tuple(f"{flag} {a}" for kind, flag in _FLAGS for a in given[kind] if (kind, a) not in used)
    return PlanReview(
        stacks=stacks,
        findings=tuple(findings),
        unused_allowances=unused,
        allow_destroy=review.allow_destroy,
        allow_wildcard=review.allow_wildcard,
        allow_data_loss=review.allow_data_loss,
        allow_exposure=review.allow_exposure,
        allow_unprotect=review.allow_unprotect,
    )


_FLAGS: tuple[tuple[FindingKind, str], ...] = tuple(ALLOW_FLAGS.items())

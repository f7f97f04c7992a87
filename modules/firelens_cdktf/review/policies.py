"""Policy documents in a planned change: found by content, diffed statement by statement, judged.

Any attribute holding a JSON policy document is a policy:
``aws_iam_role_policy.policy``, ``aws_iam_policy.policy``,
``aws_s3_bucket_policy.policy``, ``aws_kms_key.policy``,
``aws_iam_role.assume_role_policy``, ``inline_policy[*].policy``... Each
one that changes becomes a :class:`~firelens_cdktf.review.model.PolicyChange`
(the statement diff, what it gains, which Denies it lifts), and its effects
(:func:`policy_effects`) feed the rules ``iam-wildcard``, ``public-policy``,
``iam-grant-added`` and ``tls-only-removed``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from firelens_cdktf.errors import PlanReviewError
from firelens_cdktf.iam.policy import PolicyParseError, PolicyStatement, parse_policy, parse_statements
from firelens_cdktf.review.grants import gains, is_tls_only, lifted
from firelens_cdktf.review.model import (
    POLICY_ATTRIBUTES,
    Action,
    DocumentState,
    Effect,
    GrantGain,
    PolicyChange,
)


def path_text(path: Sequence[object]) -> str:
    """An attribute path as Terraform prints it: ``inline_policy[0].policy``."""
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out


def marked(marks: object, path: Sequence[object]) -> bool:
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


def walk_true(marks: object, path: tuple[object, ...] = ()) -> Iterator[tuple[object, ...]]:
    """Every path that is ``true`` in an after_unknown/..._sensitive tree."""
    if marks is True:
        yield path
    elif isinstance(marks, dict):
        for key, item in marks.items():
            yield from walk_true(item, (*path, key))
    elif isinstance(marks, list):
        for index, item in enumerate(marks):
            yield from walk_true(item, (*path, index))


def _policy_paths(value: object) -> dict[tuple[object, ...], dict[str, Any]]:
    return {path: doc for path, text in _walk_strings(value) if (doc := parse_policy(text)) is not None}


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


def policy_changes(
    stack: str,
    address: str,
    action: Action,
    change: Mapping[str, Any],
    configured: frozenset[str] | None,
    *,
    judged: bool = True,
) -> tuple[PolicyChange, ...]:
    """The policy documents of one resource change that differ, as statement diffs.

    Args:
        stack, address, action: Where, and what happens to the resource.
        change: Its ``change`` object from ``resource_changes``.
        configured: Top-level attributes its configuration sets (``None`` for a
            resource no longer configured): a policy attribute the configuration
            does not set is computed (``aws_s3_bucket.policy`` mirrors the bucket
            policy resource), and the resource that sets it shows the change.
        judged: Whether gained grants are judged (``False`` for a new document
            that joins nothing that exists); wildcards are judged always.

    Raises:
        PlanReviewError: a policy is not JSON, or not a document IAM accepts.
    """
    _unreadable_policies(stack, address, change.get("after"))
    before_docs = _policy_paths(change.get("before"))
    after_docs = _policy_paths(change.get("after"))
    if configured is not None:
        before_docs = {p: d for p, d in before_docs.items() if p[0] in configured}
        after_docs = {p: d for p, d in after_docs.items() if p[0] in configured}
    unknown_paths = {
        p
        for p in walk_true(change.get("after_unknown"))
        if p and p[-1] in POLICY_ATTRIBUTES and (configured is None or p[0] in configured)
    }
    out = []
    for path in sorted(set(before_docs) | set(after_docs) | unknown_paths, key=path_text):
        sensitive = marked(change.get("before_sensitive"), path) or marked(change.get("after_sensitive"), path)
        unknown = path in unknown_paths or marked(change.get("after_unknown"), path)
        try:
            before = parse_statements(before_docs[path]) if path in before_docs else ()
            after = parse_statements(after_docs[path]) if path in after_docs else ()
        except PolicyParseError as error:
            raise PlanReviewError(
                f"stack {stack!r}, {address}",
                f"{path_text(path)}: {error}",
                "fix the policy in the code, then plan again",
            ) from None
        if sensitive:
            out.append(PolicyChange(stack, address, path_text(path), action, DocumentState.SENSITIVE))
            continue
        if unknown:
            out.append(PolicyChange(stack, address, path_text(path), action, DocumentState.UNKNOWN, current=before))
            continue
        if action is Action.DELETE:
            after = ()
        if set(before) == set(after):
            continue
        out.append(_diff(stack, address, path_text(path), action, before, after, judged=judged))
    return tuple(out)


def _diff(
    stack: str,
    address: str,
    attribute: str,
    action: Action,
    before: tuple[PolicyStatement, ...],
    after: tuple[PolicyStatement, ...],
    *,
    judged: bool,
) -> PolicyChange:
    before_by_sid = {s.sid: s for s in before if s.sid}
    removed = tuple(s for s in before if s not in after)
    added = tuple(s for s in after if s not in before)
    # A changed statement with a Sid is listed as removed then added, next to each other.
    removed = tuple(sorted(removed, key=lambda s: (s.sid not in {a.sid for a in added}, s.sid)))
    added = tuple(sorted(added, key=lambda s: (s.sid not in before_by_sid, s.sid)))
    wild, granted = gains(before, after)
    return PolicyChange(
        stack,
        address,
        attribute,
        action,
        DocumentState.KNOWN,
        removed=removed,
        added=added,
        unchanged=sum(1 for s in after if s in before),
        gained=wild,
        granted=granted if judged else tuple(g for g in granted if g.public),
        lifted=lifted(before, after) if judged else (),
        tls_removed=any(is_tls_only(s) for s in before) and not any(is_tls_only(s) for s in after),
        judged=judged,
    )


def describe_gain(gain: GrantGain) -> str:
    """``[Sid] s3:GetObject, s3:PutObject on arn:aws:s3:::b/*`` (principals when the statement names some)."""
    sid = f"[{gain.statement.sid}] " if gain.statement.sid else ""
    text = f"{sid}{', '.join(gain.actions)}"
    if gain.resources:
        text += f" on {', '.join(gain.resources)}"
    if gain.principals and not gain.public:
        text += f" to {', '.join(gain.principals)}"
    return text


def _describe_deny(statement: PolicyStatement) -> str:
    sid = f"[{statement.sid}] " if statement.sid else ""
    what = ", ".join(statement.actions) or f"NOT({', '.join(statement.not_actions)})"
    on = f" on {', '.join(statement.resources)}" if statement.resources else ""
    return f"{sid}Deny {what}{on}"


#: The account itself as a principal (``arn:<partition>:iam::<account>:root``), as a plan shows it.
_ACCOUNT_ROOT = re.compile(r"^AWS:arn:aws[a-z-]*:iam::\d{12}:root$")


def key_policy_wildcards(statement: PolicyStatement, wildcards: tuple[str, ...]) -> tuple[str, ...]:
    """The wildcards of a KMS key policy's statement that widen access, of those ``gains`` found.

    In a key policy, ``Resource "*"`` is the key the policy is attached to, never another
    (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html), and
    ``kms:*`` for the account itself is AWS's default statement, which hands the decision to the
    account's IAM policies (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html):
    neither grants anything beyond the key or outside the account.
    """
    kept = tuple(w for w in wildcards if w != "resource *")
    account_only = bool(statement.principals) and all(_ACCOUNT_ROOT.match(p) for p in statement.principals)
    if account_only and not statement.condition:
        kept = tuple(w for w in kept if w not in ("action kms:*", "action *"))
    return kept


def policy_effects(policy: PolicyChange, *, holder_stays: bool) -> Iterator[Effect]:
    """The rules' effects of one policy change.

    Args:
        policy: The change.
        holder_stays: Whether what the policy protects stays (a bucket policy
            deleted with its bucket lifts no Deny from data that remains).
    """
    where = f"{policy.attribute}: "
    key_policy = policy.address.split(".", 1)[0] == "aws_kms_key" and policy.attribute == "policy"
    for wild in policy.gained:
        sid = f" [{wild.statement.sid}]" if wild.statement.sid else ""
        wildcards = key_policy_wildcards(wild.statement, wild.wildcards) if key_policy else wild.wildcards
        if wildcards:
            yield Effect("iam-wildcard", policy.address, f"{where}Allow statement{sid} gains {', '.join(wildcards)}")
        else:  # only what a key policy means by design: a grant on this key, reported as one
            who = ", ".join(wild.statement.principals)
            yield Effect(
                "iam-grant-added",
                policy.address,
                f"{where}grants [{wild.statement.sid}] {', '.join(wild.statement.actions)} on this key to {who}"
                if wild.statement.sid
                else f"{where}grants {', '.join(wild.statement.actions)} on this key to {who}",
            )
    for gain in policy.granted:
        if gain.public:
            yield Effect(
                "public-policy",
                policy.address,
                f"{where}makes it public: anyone, in any AWS account or none, may {describe_gain(gain)} "
                "(principal *, no condition limits the caller)",
            )
    plain = [describe_gain(g) for g in policy.granted if not g.public]
    if plain:
        yield Effect("iam-grant-added", policy.address, f"{where}grants {'; '.join(plain)}")
    if policy.lifted and holder_stays:
        lifted_text = "; ".join(_describe_deny(s) for s in policy.lifted)
        yield Effect("iam-grant-added", policy.address, f"{where}lifts {lifted_text}")
    if policy.tls_removed and holder_stays:
        yield Effect(
            "tls-only-removed",
            policy.address,
            f"{where}removes the TLS-only Deny (aws:SecureTransport false): requests over plain HTTP "
            "are accepted again",
        )

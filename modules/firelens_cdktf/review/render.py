"""Render a :class:`~firelens_cdktf.review.plan_review.PlanReview` for a terminal or a pull-request comment.

Pure: the same review value in, text out. ``firelens-cdktf review`` and
``make plan`` print :func:`render_review_text`; CI posts
:func:`render_review_markdown` as the one comment it keeps on a pull request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from firelens_cdktf.iam.policy import PolicyStatement
from firelens_cdktf.review.model import (
    ACTION_ORDER,
    COUNTED,
    Action,
    DocumentState,
    Finding,
    PlanReview,
    PolicyChange,
    ResourceChange,
    StackReview,
)
from firelens_cdktf.review.policies import describe_gain
from firelens_cdktf.review.rules import RULES


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

    actions = (
        items(statement.not_actions, set(), True)
        if statement.not_actions
        else items(statement.actions, wild_actions, False)
    )
    parts = [f"[{statement.sid}] " if statement.sid else "", f"{statement.effect} {actions}"]
    if statement.resources or statement.not_resources:
        resources = (
            items(statement.not_resources, set(), True)
            if statement.not_resources
            else items(statement.resources, wild_resources, False)
        )
        parts.append(f" on {resources}")
    if statement.principals or statement.not_principals:
        principals = (
            items(statement.not_principals, set(), True)
            if statement.not_principals
            else items(statement.principals, wild_principals, False)
        )
        parts.append(f" | principal {principals}")
    if statement.condition:
        parts.append(f" | if {statement.condition}")
    return "".join(parts)


def _counts_line(stack: StackReview) -> str:
    return ", ".join(f"{stack.count(a)} to {a.value}" for a in COUNTED)


#: Terraform's action_reason values, as the table says them.
_REASONS: Mapping[str, str] = MappingProxyType(
    {
        "replace_because_tainted": "tainted (a failed or interrupted create)",
        "replace_by_request": "replacement requested (-replace)",
        "replace_by_triggers": "replace_triggered_by",
        "delete_because_no_resource_config": "removed from the configuration",
        "delete_because_no_module": "its module was removed",
        "delete_because_count_index": "count index out of range",
        "delete_because_each_key": "for_each key removed",
        "delete_because_wrong_repetition": "count/for_each changed",
        "delete_because_no_move_target": "moved to an address that does not exist",
    }
)


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


def _policy_gains(policy: PolicyChange) -> list[tuple[str, str]]:
    """(label, what) for each thing a policy change opens: wildcards, public grants, other grants, lifted Denies."""
    out = [("gains wildcard", ", ".join(g.wildcards)) for g in policy.gained]
    out += [("public", describe_gain(g)) for g in policy.granted if g.public]
    out += [("grants", describe_gain(g)) for g in policy.granted if not g.public]
    out += [("lifts", _describe(s, _Style())) for s in policy.lifted]
    if policy.tls_removed:
        out.append(("removes", "the TLS-only Deny (aws:SecureTransport false)"))
    return out


def _why(findings: tuple[Finding, ...]) -> list[tuple[str, str, str, str]]:
    """(rule id, family, AWS behaviour, source) of each rule the findings name, in the order they first appear."""
    seen: list[str] = []
    for finding in findings:
        if finding.rule in RULES and finding.rule not in seen:
            seen.append(finding.rule)
    return [(r, RULES[r].kind.label, RULES[r].guards, RULES[r].source) for r in seen]


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
    """The review as plain text for a terminal (``firelens-cdktf review``, ``make plan``)."""
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
                out += [f"      {label.upper()}: {what}" for label, what in _policy_gains(policy)]
    out.append("")
    if review.findings:
        out.append("Findings")
        for finding in review.findings:
            status = "allowed " if finding.allowed else "BLOCKING"
            where = f"{finding.stack} {finding.address}".strip()
            rule = f" [{finding.rule}]" if finding.rule else ""
            hint = "" if finding.allowed or not finding.allow_flag else f"\n      to accept: {finding.allow_flag}"
            out.append(f"  {status} {finding.kind.label}{rule}: {where}: {finding.message}{hint}")
        why = _why(review.findings)
        if why:
            out.append("What the rules guard against")
            out += [f"  {rule} ({kind}): {guards}; source: {source}" for rule, kind, guards, source in why]
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
    out = [
        "## Terraform plan review",
        "",
        f"**Verdict: {icon} {_verdict_text(review)}**",
        "",
        "| stack | create | update | replace | delete |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for stack in review.stacks:
        counts = " | ".join(str(stack.count(a)) for a in COUNTED)
        out.append(f"| {style.c(stack.name)} | {counts} |")
    if review.findings:
        out += ["", "### Findings", ""]
        for finding in review.findings:
            mark = "✅ allowed" if finding.allowed else "❌ **blocking**"
            where = style.c(f"{finding.stack}:{finding.address}" if finding.address else finding.stack)
            hint = "" if finding.allowed or not finding.allow_flag else f" To accept: {style.c(finding.allow_flag)}"
            out.append(f"- {mark} {finding.kind.label} {where}: {finding.message.replace('`', chr(39))}.{hint}")
    for unused in review.unused_allowances:
        out.append(f"- ⚠️ {style.c(unused)} matched nothing")
    why = _why(review.findings)
    if why:
        out += ["", "#### What the rules guard against", ""]
        out += [f"- {style.c(rule)} ({kind}): {guards}. [Source]({source})" for rule, kind, guards, source in why]
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
                out.append(
                    f"| {change.action.value} | {style.c(change.address)} | {style.c(change.type)} | "
                    f"{detail.replace('|', '/')} |"
                )
            if len(stack.changes) > _OPEN_TABLE_ROWS:
                out += ["", "</details>"]
        if stack.policies:
            out += ["", "#### IAM policy documents"]
            for policy in stack.policies:
                out += [
                    "",
                    f"{style.c(policy.address)} {style.c(policy.attribute)} ({policy.action.value})",
                    "",
                    "```diff",
                    *_policy_lines(policy),
                    "```",
                ]
                out += [f"- ⚠️ **{label}**: {style.c(what)}" for label, what in _policy_gains(policy)]
    out.append("")
    return "\n".join(out)

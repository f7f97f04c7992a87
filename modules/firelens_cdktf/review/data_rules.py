"""Rules for data deleted in place: the changes that delete or strand data without deleting a resource.

Each check reads one :class:`~firelens_cdktf.review.context.Planned` change
(and the :class:`~firelens_cdktf.review.context.PlanIndex` around it) and
yields an :class:`~firelens_cdktf.review.model.Effect` per rule it breaks,
worded as what would happen. The rules, their AWS behaviour and sources are in
:data:`~firelens_cdktf.review.rules.RULES`. A value known only after apply
is not judged (it cannot be).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from firelens_cdktf.review.context import PlanIndex, Planned
from firelens_cdktf.review.model import Action, Effect

Check = Callable[[Planned, PlanIndex], Iterator[Effect]]


def days(value: object) -> float:
    """A retention or expiration in days; ``0``/absent (never expire) is infinite."""
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) and value > 0 else math.inf


def days_text(value: float) -> str:
    """``1 day``, ``30 days`` or ``never``."""
    if value == math.inf:
        return "never"
    return "1 day" if value == 1 else f"{value:g} days"


# --- CloudWatch Logs ------------------------------------------------------------------------------


def log_retention(p: Planned, index: PlanIndex) -> Iterator[Effect]:
    """``log-retention-lowered``: a log group that exists keeps its events for less time."""
    if p.action is not Action.UPDATE or not p.can_judge("retention_in_days"):
        return
    before, after = days(p.was("retention_in_days")), days(p.will("retention_in_days"))
    if after < before:
        yield Effect(
            "log-retention-lowered",
            p.address,
            f"deletes events older than {days_text(after)} in {p.label} "
            f"(retention_in_days {_retention_text(before)} -> {after:g})",
        )


def log_class_change(p: Planned, index: PlanIndex) -> Iterator[Effect]:
    """``log-group-class-changed``: a log group is replaced to change its class, which is fixed at creation.

    The provider marks ``log_group_class`` ForceNew (terraform-provider-aws,
    internal/service/logs/group.go), so the plan is a replacement; this says
    why, and what to do instead.
    """
    if p.action is not Action.REPLACE or not p.can_judge("log_group_class"):
        return
    before, after = p.was("log_group_class"), p.will("log_group_class")
    if not isinstance(before, str) or not isinstance(after, str) or not before or not after or before == after:
        return
    yield Effect(
        "log-group-class-changed",
        p.address,
        f"deletes {p.label} and every event in it to recreate it empty as {after} (log_group_class {before} -> "
        f"{after}; a class is fixed when the group is created). Instead, keep this group's class and send the "
        f"route to a new group under a new name, e.g. CloudWatchLogs('{p.label}-ia', log_class='{after}'); "
        "delete the old group once its retention has passed",
    )


def _retention_text(value: float) -> str:
    return "0 (never expire)" if value == math.inf else f"{value:g}"


# --- S3 lifecycle and versioning ------------------------------------------------------------------


def bucket_holds_data(p: Planned, index: PlanIndex) -> str | None:
    """The bucket an S3 sub-resource configures, when it exists and stays (so it may hold data), else ``None``.

    A bucket created by this plan holds nothing yet; one this plan deletes or
    replaces is the destroy rule's. A known name that this plan does not
    create is a bucket that exists (in this stack or elsewhere).
    """
    name = p.will("bucket") if p.action is not Action.DELETE else p.was("bucket")
    if not isinstance(name, str) or index.bucket_goes(name) or name in index.created_buckets:
        return None
    return name


def _canonical(value: object) -> object:
    """``value`` without the empty parts a provider fills in (``null``, ``""``, ``[]``, ``{}``)."""
    if isinstance(value, Mapping):
        kept = {k: _canonical(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        items = [_canonical(v) for v in value]
        return [v for v in items if v not in (None, "", [], {})]
    return value


def _scope(rule: Mapping[str, Any]) -> str:
    """Which objects a lifecycle rule applies to, as text (``""``: every object of the bucket)."""
    scope = _canonical({"filter": rule.get("filter"), "prefix": rule.get("prefix")})
    return json.dumps(scope, sort_keys=True, separators=(",", ":")) if scope else ""


def _first(value: object) -> Mapping[str, Any]:
    if isinstance(value, list) and value and isinstance(value[0], Mapping):
        return value[0]
    return value if isinstance(value, Mapping) else {}


def _limits(rules: object) -> dict[str, dict[str, float | str]]:
    """Per scope, the shortest limits of its enabled rules: expiration days/date, noncurrent days/versions."""
    out: dict[str, dict[str, float | str]] = {}
    for rule in rules if isinstance(rules, list) else []:
        if not isinstance(rule, Mapping) or str(rule.get("status", "Enabled")) != "Enabled":
            continue
        limits = out.setdefault(_scope(rule), {})
        expiration, noncurrent = _first(rule.get("expiration")), _first(rule.get("noncurrent_version_expiration"))
        for name, value in (
            ("days", days(expiration.get("days"))),
            ("noncurrent_days", days(noncurrent.get("noncurrent_days"))),
            ("newer_noncurrent_versions", days(noncurrent.get("newer_noncurrent_versions"))),
        ):
            current = limits.get(name, math.inf)
            limits[name] = min(value, current if isinstance(current, float) else math.inf)
        date = expiration.get("date")
        if isinstance(date, str) and date and (not limits.get("date") or date < str(limits["date"])):
            limits["date"] = date
    return out


def _tightest(*limits: Mapping[str, float | str]) -> dict[str, float | str]:
    out: dict[str, float | str] = {}
    for one in limits:
        for name, value in one.items():
            current = out.get(name)
            if current is None:
                out[name] = value
            elif isinstance(value, float) and isinstance(current, float):
                out[name] = min(value, current)
            elif isinstance(value, str) and isinstance(current, str):
                out[name] = min(value, current)  # ISO dates: the earlier one
    return out


def s3_expiration(p: Planned, index: PlanIndex) -> Iterator[Effect]:
    """``s3-expiration-shortened``: a bucket that may hold data gets a shorter or a new expiration."""
    if p.action is Action.DELETE or not p.can_judge("rule"):
        return
    bucket = bucket_holds_data(p, index)
    if bucket is None:
        return
    before = _limits(p.was("rule") if p.action is not Action.CREATE else [])
    for scope, after in _limits(p.will("rule")).items():
        had = _tightest(before.get(scope, {}), before.get("", {}))  # a rule on every object covers every scope
        where = f"{bucket}" + (f" (objects matching {scope})" if scope else "")
        changes = []
        for name, what in (
            ("days", "objects older than {n}"),
            ("noncurrent_days", "noncurrent versions {n} after they were replaced"),
            ("newer_noncurrent_versions", "noncurrent versions beyond the newest {n:g}"),
        ):
            new, old = after.get(name, math.inf), had.get(name, math.inf)
            if isinstance(new, float) and isinstance(old, float) and new < old:
                n: Any = new if name == "newer_noncurrent_versions" else days_text(new)
                change = f"{name} {'none' if old == math.inf else f'{old:g}'} -> {new:g}"
                changes.append((what.format(n=n), change))
        date, old_date = after.get("date"), had.get("date")
        if isinstance(date, str) and (not isinstance(old_date, str) or date < old_date):
            changes.append((f"every object on {date}", f"date {old_date or 'none'} -> {date}"))
        for deleted, change in changes:
            yield Effect("s3-expiration-shortened", p.address, f"deletes {deleted} from bucket {where} ({change})")


def s3_versioning(p: Planned, index: PlanIndex) -> Iterator[Effect]:
    """``s3-versioning-suspended``: versioning of a bucket that may hold data goes from Enabled to Suspended."""
    bucket = bucket_holds_data(p, index)
    if bucket is None:
        return
    if p.action is Action.CREATE:
        # Judged against the bucket as last read (aws_s3_bucket's computed versioning).
        was = any(
            values.get("bucket") == bucket and _first(values.get("versioning")).get("enabled") is True
            for _, values in _prior_buckets(index)
        )
    else:
        was = _first(p.was("versioning_configuration")).get("status") == "Enabled"
    now = "Suspended" if p.action is Action.DELETE else _first(p.will("versioning_configuration")).get("status")
    if was and now in ("Suspended", "Disabled"):
        how = "removing aws_s3_bucket_versioning suspends it" if p.action is Action.DELETE else "Enabled -> Suspended"
        yield Effect(
            "s3-versioning-suspended",
            p.address,
            f"suspends versioning of bucket {bucket} ({how}): from now on an overwrite or delete loses the "
            "object's previous content",
        )


def _prior_buckets(index: PlanIndex) -> Iterator[tuple[str, Mapping[str, Any]]]:
    return ((a, index.prior[a]) for a, _ in index.buckets())


# --- Firehose and Glue ----------------------------------------------------------------------------

_FIREHOSE_LAYOUT = ("bucket_arn", "prefix", "error_output_prefix")


def firehose_layout(p: Planned, index: PlanIndex) -> Iterator[Effect]:
    """``firehose-layout-changed``: a stream writes new objects under other keys (or to another bucket)."""
    if p.action is not Action.UPDATE:
        return
    moved = []
    for name in _FIREHOSE_LAYOUT:
        path = ("extended_s3_configuration", 0, name)
        before, after = p.was(*path), p.will(*path)
        if p.can_judge(*path) and before is not None and (before or "") != (after or ""):
            moved.append(f"{name} {before!r} -> {after!r}")
    dynamic = ("extended_s3_configuration", 0, "dynamic_partitioning_configuration", 0, "enabled")
    if p.can_judge(*dynamic) and bool(p.was(*dynamic)) != bool(p.will(*dynamic)):
        moved.append(f"dynamic partitioning {'on' if p.will(*dynamic) else 'off'}")
    if moved:
        yield Effect(
            "firehose-layout-changed",
            p.address,
            f"moves where stream {p.label} writes new objects ({'; '.join(moved)}): a Glue table whose "
            "partition projection expects the old keys stops seeing new records",
        )


def _columns(value: object) -> dict[str, str]:
    items = value if isinstance(value, list) else []
    return {str(c.get("name", "")).lower(): str(c.get("type", "")).lower() for c in items if isinstance(c, Mapping)}


def glue_schema(p: Planned, index: PlanIndex) -> Iterator[Effect]:
    """``glue-schema-changed``: a table drops or retypes columns, or moves its projection template."""
    if p.action is not Action.UPDATE:
        return
    table = p.label
    for path, what in ((("storage_descriptor", 0, "columns"), "column"), (("partition_keys",), "partition key")):
        if not p.can_judge(*path):
            continue
        before, after = _columns(p.was(*path)), _columns(p.will(*path))
        for name in sorted(set(before) - set(after)):
            yield Effect(
                "glue-schema-changed",
                p.address,
                f"drops {what} {name} from table {table}: the data already written in it is no longer queryable",
            )
        for name in sorted(n for n in set(before) & set(after) if before[n] != after[n]):
            yield Effect(
                "glue-schema-changed",
                p.address,
                f"changes {what} {name} of table {table} from {before[name]} to {after[name]}: Athena reads "
                "the objects already written with the new type",
            )
    template = ("parameters", "storage.location.template")
    before_t, after_t = p.was(*template), p.will(*template)
    if p.can_judge(*template) and before_t and before_t != after_t:
        yield Effect(
            "glue-schema-changed",
            p.address,
            f"moves the partition projection of table {table} ({before_t!r} -> {after_t!r}): queries stop "
            "finding the objects under the old keys",
        )


# --- KMS ------------------------------------------------------------------------------------------


def kms_disabled(p: Planned, index: PlanIndex) -> Iterator[Effect]:
    """``kms-key-disabled``: a key goes from enabled to disabled."""
    if p.action is Action.UPDATE and p.was("is_enabled") is True and p.will("is_enabled") is False:
        yield Effect(
            "kms-key-disabled",
            p.address,
            f"disables KMS key {p.label}: nothing encrypted under it can be decrypted until it is enabled again",
        )


#: The data-loss checks by resource type.
DATA_CHECKS: Mapping[str, tuple[Check, ...]] = {
    "aws_cloudwatch_log_group": (log_retention, log_class_change),
    "aws_s3_bucket_lifecycle_configuration": (s3_expiration,),
    "aws_s3_bucket_versioning": (s3_versioning,),
    "aws_kinesis_firehose_delivery_stream": (firehose_layout,),
    "aws_glue_catalog_table": (glue_schema,),
    "aws_kms_key": (kms_disabled,),
}

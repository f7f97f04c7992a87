"""Log groups in the Infrequent Access class that something needs a Standard feature of.

An Infrequent Access group has no metric filters, no subscription filters,
no embedded metric format and no Live Tail (:data:`~firelens_cdktf.limits.INFREQUENT_ACCESS_LACKS`,
from AWS's page on log classes). AWS refuses a metric or subscription filter
on such a group only when Terraform applies it, after the group was created
in a class that cannot be changed; these checks refuse it before anything
is deployed.

The check works on plain values, so every layer that sees a use can ask it:

- :func:`check_log_classes` takes what uses a group (:class:`LogGroupUse`):
  the constructs pass the log router's log-loss metric filters and every
  metric or subscription filter of the stack, at synth;
- :func:`config_log_group_uses` reads what a Fluent Bit config itself needs:
  a ``cloudwatch_logs`` output that writes embedded metric format
  (``log_format json/emf``); ``lint_config(..., log_classes=...)`` and
  ``firelens-cdktf lint --routing`` check it.

Example:
    >>> from firelens_cdktf.limits import LogClass
    >>> uses = [LogGroupUse("/ecs/api/log_router", "metric filter", "the log-loss alarm's metric filter")]
    >>> [f.code for f in check_log_classes({"/ecs/api/log_router": LogClass.INFREQUENT_ACCESS}, uses)]
    ['log-class-lacks-feature']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from firelens_cdktf.fluentbit.config import FluentBitConfig
from firelens_cdktf.limits import INFREQUENT_ACCESS_LACKS, LOG_CLASSES_PAGE, LogClass
from firelens_cdktf.lint.findings import Finding, Severity

#: The finding's code.
CODE = "log-class-lacks-feature"

#: ``log_format`` values of Fluent Bit's ``cloudwatch_logs`` output that send
#: embedded metric format (plugins/out_cloudwatch_logs/cloudwatch_logs.c, ``log_format``).
EMF_LOG_FORMATS = frozenset({"json/emf"})


@dataclass(frozen=True)
class LogGroupUse:
    """Something that needs a feature of a log group.

    Attributes:
        group: the log group's name.
        feature: a key of :data:`~firelens_cdktf.limits.INFREQUENT_ACCESS_LACKS`
            (``"metric filter"``, ``"subscription filter"``...).
        by: who needs it, as a message names it: ``metric filter 'api-retries-exhausted'``.
    """

    group: str
    feature: str
    by: str


def check_log_classes(classes: Mapping[str, LogClass | str], uses: Iterable[LogGroupUse]) -> tuple[Finding, ...]:
    """An error for every use of a feature its group's class lacks.

    Args:
        classes: log group name -> its class; a group not named is Standard.
        uses: what needs which feature of which group.
    """
    out: list[Finding] = []
    for use in uses:
        if classes.get(use.group) != LogClass.INFREQUENT_ACCESS or use.feature not in INFREQUENT_ACCESS_LACKS:
            continue
        out.append(
            Finding(
                Severity.ERROR,
                CODE,
                f"log group {use.group}",
                f"{use.by} needs {INFREQUENT_ACCESS_LACKS[use.feature]}, which the Infrequent Access class does "
                f"not have ({LOG_CLASSES_PAGE})",
                f"keep {use.group} in the Standard class (drop log_class=INFREQUENT_ACCESS), or send the "
                f"Infrequent Access logs to a group of their own that nothing needs a {use.feature} on",
            )
        )
    return tuple(out)


def config_log_group_uses(config: FluentBitConfig) -> tuple[LogGroupUse, ...]:
    """What the config's own outputs need of their log groups: embedded metric format."""
    uses: list[LogGroupUse] = []
    for section in config.outputs:
        if section.plugin not in ("cloudwatch_logs", "cloudwatch"):
            continue
        group = section.get("log_group_name")
        log_format = (section.get("log_format") or "").lower()
        if group and log_format in EMF_LOG_FORMATS:
            uses.append(
                LogGroupUse(
                    group,
                    "embedded metric format",
                    f"{section.describe()} {config.output_name(section)!r} (log_format {log_format})",
                )
            )
    return tuple(uses)

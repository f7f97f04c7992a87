"""Checks the constructs run on their arguments before any Terraform runs."""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection

from constructs import Construct
from firelens_cdktf import limits as _limits
from firelens_cdktf.errors import ConfigError


def where_of(construct: Construct) -> str:
    """How error messages name a construct: its class and its path, ``LogArchive 'pipeline/archive'``.

    Path parts named ``Default`` are left out, as CDKTF leaves them out of
    addresses: a one-call construct's pieces (``FirelensService``'s task
    definition and service) are named by where the caller put them.
    """
    path = "/".join(part for part in construct.node.path.split("/") if part != "Default")
    return f"{type(construct).__name__} '{path}'"


def is_token(value: object) -> bool:
    """Whether ``value`` is (or embeds) a CDKTF token, known only at deploy time."""
    return isinstance(value, str) and "${TfToken[" in value


def check_exactly_one(where: str, given: dict[str, object], fix: str) -> None:
    """Raise :class:`ConfigError` unless exactly one of two alternative arguments (name -> value) is given."""
    (first, a), (second, b) = given.items()
    if (a is None) == (b is None):
        raise ConfigError(where, f"{first}/{second}", (a, b), "exactly one of them", fix)


def check_pattern(where: str, field: str, value: str, pattern: re.Pattern[str], allowed: str, fix: str) -> None:
    """Raise :class:`ConfigError` unless ``value`` matches ``pattern`` (tokens pass)."""
    if not is_token(value) and not pattern.match(value):
        raise ConfigError(where, field, value, allowed, fix)


def check_range(where: str, field: str, value: int, bounds: tuple[int, int], fix: str) -> None:
    """Raise :class:`ConfigError` unless ``bounds[0] <= value <= bounds[1]``."""
    low, high = bounds
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(where, field, value, f"a whole number from {low} to {high}", fix)


#: An IPv4 CIDR block such as ``203.0.113.0/24``.
_CIDR = re.compile(r"^\d{1,3}(\.\d{1,3}){3}/\d{1,2}$")


def check_cidr(where: str, field: str, value: str) -> None:
    """Raise :class:`ConfigError` unless ``value`` is an IPv4 CIDR block (tokens pass)."""
    if not is_token(value) and not (isinstance(value, str) and _CIDR.match(value)):
        raise ConfigError(
            where, field, value, "an IPv4 CIDR block such as 203.0.113.0/24", "write the range in CIDR notation"
        )


def close_match(name: str, known: Collection[str]) -> str:
    """``", did you mean 'x'?"`` when ``name`` is close to one of ``known`` (difflib), else ``""``."""
    found = difflib.get_close_matches(name, sorted(known), n=1)
    return f", did you mean {found[0]!r}?" if found else ""


def check_choice(where: str, field: str, value: object, choices: Collection[object], fix: str) -> None:
    """Raise :class:`ConfigError` unless ``value`` is one of ``choices``."""
    if value not in choices:
        allowed = ", ".join(str(c) for c in choices)
        raise ConfigError(where, field, value, f"one of {allowed}", fix)


#: Tags that move to new releases: a task pulling one may run different code
#: after any redeploy or scale-out. aws-for-fluent-bit publishes ``latest``
#: and ``stable`` (and ``init-latest``), https://github.com/aws/aws-for-fluent-bit#using-the-stable-tag
MOVING_TAGS = ("latest", "stable")


def check_pinned_image(where: str, field: str, uri: str) -> None:
    """Raise :class:`ConfigError` unless ``uri`` names a fixed version: a digest or a non-moving tag.

    The repository part may be a deploy-time token (an ECR repository URL); the tag never is.
    """
    if "@sha256:" in uri:
        return
    name, _, tag = uri.rpartition(":")
    if not name or "/" in tag:  # no tag at all: Docker pulls `latest`
        raise ConfigError(
            where,
            field,
            uri,
            "an image with a version tag or a digest",
            "add a version tag, e.g. public.ecr.aws/aws-observability/aws-for-fluent-bit:init-3.2.1",
        )
    if tag.lower() in MOVING_TAGS or tag.lower().endswith(tuple(f"-{t}" for t in MOVING_TAGS)):
        raise ConfigError(
            where,
            field,
            uri,
            f"a pinned version, not a moving tag ({', '.join(MOVING_TAGS)})",
            "pin a release, e.g. init-3.2.1, or the content-hash tag ContainerRepository.image() gives",
        )


def check_topic_arn(where: str, topic_arn: str | None, field: str = "alarm_topic_arn") -> None:
    """Raise :class:`~firelens_cdktf.errors.ConfigError` unless ``topic_arn`` is a standard SNS topic ARN or None."""
    if topic_arn is not None:
        check_pattern(
            where,
            field,
            topic_arn,
            _limits.SNS_TOPIC_ARN,
            "the ARN of a standard (not FIFO) SNS topic, or None",
            "pass topic.arn of an aws_sns_topic, e.g. arn:aws:sns:ap-northeast-1:123456789012:alerts",
        )

"""Checks the constructs run on their arguments before any Terraform runs."""

from __future__ import annotations

import re
from collections.abc import Collection

from .errors import ConfigError


def is_token(value: object) -> bool:
    """Whether ``value`` is (or embeds) a CDKTF token, known only at deploy time."""
    return isinstance(value, str) and "${TfToken[" in value


def check_pattern(where: str, field: str, value: str, pattern: re.Pattern[str], allowed: str, fix: str) -> None:
    """Raise :class:`ConfigError` unless ``value`` matches ``pattern`` (tokens pass)."""
    if not is_token(value) and not pattern.match(value):
        raise ConfigError(where, field, value, allowed, fix)


def check_range(where: str, field: str, value: int, bounds: tuple[int, int], fix: str) -> None:
    """Raise :class:`ConfigError` unless ``bounds[0] <= value <= bounds[1]``."""
    low, high = bounds
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(where, field, value, f"a whole number from {low} to {high}", fix)


def check_choice(where: str, field: str, value: object, choices: Collection[object], fix: str) -> None:
    """Raise :class:`ConfigError` unless ``value`` is one of ``choices``."""
    if value not in choices:
        allowed = ", ".join(str(c) for c in choices)
        raise ConfigError(where, field, value, f"one of {allowed}", fix)

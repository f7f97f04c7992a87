"""Every exception the project raises on bad input.

Messages name where (construct path or file), what (field), the bad value,
what is allowed and how to fix it.
"""

from __future__ import annotations


class FirelensError(Exception):
    """Base class for the project's errors."""


class ConfigError(FirelensError, ValueError):
    """A setting has a value that cannot work; raised before any Terraform runs."""

    def __init__(self, where: str, field: str, value: object, allowed: str, fix: str) -> None:
        self.where, self.field, self.value, self.allowed, self.fix = where, field, value, allowed, fix
        super().__init__(f"{where}: {field}={value!r} is not valid; allowed: {allowed}. Fix: {fix}")

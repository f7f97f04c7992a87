"""Every exception the project raises on bad input.

Messages name where (construct path or file), what (field), the bad value,
what is allowed and how to fix it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class FirelensError(Exception):
    """Base class for the project's errors."""


class _Problem(FirelensError, ValueError):
    """An error that names where, the problem and the fix."""

    def __init__(self, where: str, problem: str, fix: str) -> None:
        self.where, self.problem, self.fix = where, problem, fix
        super().__init__(f"{where}: {problem}. Fix: {fix}")


class ConfigError(FirelensError, ValueError):
    """A setting has a value that cannot work; raised before any Terraform runs."""

    def __init__(self, where: str, field: str, value: object, allowed: str, fix: str) -> None:
        self.where, self.field, self.value, self.allowed, self.fix = where, field, value, allowed, fix
        super().__init__(f"{where}: {field}={value!r} is not valid; allowed: {allowed}. Fix: {fix}")


class RouteError(ConfigError):
    """A route, destination or routing option cannot work; raised when it is declared."""


class RoutingSpecError(ConfigError):
    """A command-line ``--routing MODULE:ATTRIBUTE`` that does not lead to a routing."""

    def __init__(self, option: str, value: str, allowed: str, fix: str) -> None:
        super().__init__("firelens-cdktf", option, value, allowed, fix)


class OptionError(ConfigError):
    """A command-line option whose value cannot work: an unknown ``--container``, options that do not go together.

    ``where`` is the command, or the config the value is checked against.
    """


class PricesFileError(ConfigError):
    """A prices file (``load_prices``, ``preview --prices``) that does not hold one region's prices; names the field."""


class FluentBitSyntaxError(_Problem):
    """A Fluent Bit classic-format file cannot be read the way Fluent Bit reads it."""


class LintError(FirelensError, ValueError):
    """A Fluent Bit config has problems that lose or loop records; lists every one.

    ``findings`` holds the error findings (objects with ``where``, ``problem``
    and ``fix``); warnings are not raised, the linter returns them.
    """

    def __init__(self, source: str, findings: Sequence[object]) -> None:
        self.source, self.findings = source, list(findings)
        lines = "\n".join(f"- {finding}" for finding in findings)
        super().__init__(f"{source}: {len(findings)} routing error(s):\n{lines}")


class PreviewInputError(_Problem):
    """A line given to the preview is neither a FireLens record nor a usable app line."""


class StandInError(_Problem):
    """The local stand-in for the log router cannot do what the router would:
    an output it does not reproduce, or an AWS call that failed."""


class PlanReviewError(_Problem):
    """A document given to the review is not a usable ``terraform show -json`` plan."""


class _Described(Protocol):
    def describe(self) -> str: ...


class DeliveryMismatch(FirelensError, AssertionError):
    """What the destinations hold differs from what the preview predicted; the message shows the difference."""

    def __init__(self, accounting: _Described) -> None:
        self.accounting = accounting
        super().__init__(
            "read-back check failed: the destinations do not hold exactly the predicted records\n"
            + accounting.describe()
        )


class ScanError(FirelensError, RuntimeError):
    """checkov, Terraform or the synth did not run as expected (not a finding)."""


class SynthError(FirelensError, RuntimeError):
    """A CDKTF app (``main.py``) did not synthesize; the message carries the end of its output."""


class TerraformError(FirelensError, RuntimeError):
    """A ``terraform`` command exited with an unexpected code; the message carries the end of its output.

    ``returncode``, ``stdout`` and ``stderr`` hold the details.
    """

    def __init__(self, message: str, *, returncode: int, stdout: str, stderr: str) -> None:
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr
        super().__init__(message)


class EmulatorError(FirelensError, RuntimeError):
    """The local emulator cannot start or be reached: a busy port, a server that exited or never answered."""


class StateError(FirelensError, RuntimeError):
    """Terraform state cannot be used as it is: a lock held by another run, or state that cannot be moved."""

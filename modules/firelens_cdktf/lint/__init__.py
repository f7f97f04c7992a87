"""The linter: findings for a Fluent Bit config that loses, loops or drops records.

Built on :mod:`firelens_cdktf.fluentbit`: it reads a config as Fluent Bit
4.2.2 does and reasons over every path a record can take.

Example::

    from firelens_cdktf.lint import Severity, lint_config

    errors = [f for f in lint_config(config, containers=["web"]) if f.severity is Severity.ERROR]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from firelens_cdktf._lazy import lazy_exports

if TYPE_CHECKING:
    from firelens_cdktf.lint.checks import check_config as check_config
    from firelens_cdktf.lint.checks import lint_config as lint_config
    from firelens_cdktf.lint.findings import Finding as Finding
    from firelens_cdktf.lint.findings import Severity as Severity

_EXPORTS = {
    "lint_config": "firelens_cdktf.lint.checks",
    "check_config": "firelens_cdktf.lint.checks",
    "Finding": "firelens_cdktf.lint.findings",
    "Severity": "firelens_cdktf.lint.findings",
}
__all__ = sorted([*_EXPORTS])
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())

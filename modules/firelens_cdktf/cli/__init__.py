"""Command line: ``firelens-cdktf <command> ...`` (also ``python -m firelens_cdktf``).

Commands:

- ``preview``: read log records on stdin and tell where a config sends each one
  (streaming; ``--summary`` prints per-output totals and the monthly cost).
- ``graph``: print a routing as a Mermaid flowchart.
- ``compile``: print or write the log router files of a routing.
- ``lint``: check a config for lost, unreachable or looping records.
- ``review``: summarize ``terraform show -json`` plans; exit 1 when they
  destroy stateful resources or widen IAM.

``--routing package.module:attribute`` names a team's own
:class:`~firelens_cdktf.routing.LogRouting` (or a function returning one).
"""

from __future__ import annotations

from firelens_cdktf.cli.main import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, build_parser, main

__all__ = ["EXIT_FINDINGS", "EXIT_OK", "EXIT_USAGE", "build_parser", "main"]

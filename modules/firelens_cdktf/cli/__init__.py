"""Command line: ``firelens-cdktf <command> ...`` (also ``python -m firelens_cdktf``).

Commands:

- ``preview``: read log records on stdin and tell where a config sends each one
  (streaming; ``--summary`` prints per-output totals and the monthly cost,
  with ``--prices FILE`` for a region's prices of your own).
- ``graph``: print a routing as a Mermaid flowchart.
- ``compile``: print or write the log router files of a routing.
- ``lint``: check a config for lost, unreachable or looping records.
- ``review``: summarize ``terraform show -json`` plans; exit 1 when they
  destroy stateful resources or widen IAM.

``--routing package.module:attribute`` (or ``path/to/file.py:attribute``)
names a team's own :class:`~firelens_cdktf.routing.LogRouting` (or a
function returning one): ``graph`` and ``compile`` take it, and ``preview``
and ``lint`` take it instead of ``--config``, compiling it in memory.
"""

from __future__ import annotations

from firelens_cdktf.cli.main import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, build_parser, main

__all__ = ["EXIT_FINDINGS", "EXIT_OK", "EXIT_USAGE", "build_parser", "main"]

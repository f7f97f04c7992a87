"""``firelens-cdktf build-context``: write the log router image's build context for a team's routing, print its tag.

The context is :func:`~firelens_cdktf.constructs.log_router_context` of the
compiled routing (Dockerfile, ``extra.conf``, the parsers file and the
``drain-then-stop.sh`` wrapper); the tag printed on stdout is its
:func:`~firelens_cdktf.constructs.content_tag`, the one a task definition
built from the same routing references
(``LogRouter(image=repository.image(content_tag(log_router_context(compiled))))``),
so a CI job can ``docker build -t <repository>:$(firelens-cdktf build-context ...)``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from firelens_cdktf.cli.main import EXIT_OK
from firelens_cdktf.cli.routing import load_routing
from firelens_cdktf.constructs.build_context import (
    GENERATED_HEADER,
    content_tag,
    log_router_context,
    read_context,
    write_context,
)
from firelens_cdktf.errors import OptionError
from firelens_cdktf.routing.compiler import compile_routing


def run_build_context(args: argparse.Namespace, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    """Write the context into ``--out`` (only what changed); the tag goes to stdout, the rest to stderr."""
    out = Path(args.out)
    _check_out(out)
    compiled = compile_routing(load_routing(args.routing))
    for finding in compiled.warnings:
        stderr.write(f"warning: {finding}\n")
    files = log_router_context(compiled)
    changed = write_context(out, files)
    stderr.write(f"{'wrote' if changed else 'unchanged:'} {out}: {', '.join(sorted(files))}\n")
    stdout.write(f"{content_tag(files)}\n")
    return EXIT_OK


def _check_out(out: Path) -> None:
    """``--out`` is made to hold exactly the context, so it must be new, empty, or a context written before."""
    if not out.is_dir():
        return  # a new folder, or a file: write_context then fails with the path, which the CLI reports
    existing = read_context(out)
    if existing and GENERATED_HEADER.encode() not in existing.get("Dockerfile", b""):
        raise OptionError(
            "firelens-cdktf build-context",
            "--out",
            str(out),
            "a new or empty folder, or one a previous build-context wrote (its other files are removed)",
            "give a folder of its own, e.g. --out docker/log-router",
        )

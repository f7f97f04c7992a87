"""``firelens-cdktf lint``: findings for a Fluent Bit config, errors first in the exit code."""

from __future__ import annotations

import argparse
from typing import TextIO

from firelens_cdktf.cli.main import EXIT_FINDINGS, EXIT_OK
from firelens_cdktf.fluentbit.preview_io import load_for_preview
from firelens_cdktf.lint import Severity, lint_config


def run_lint(args: argparse.Namespace, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    config, parsers = load_for_preview(args.config, args.parsers)
    findings = lint_config(config, containers=args.container, parsers=parsers)
    for finding in findings:
        stdout.write(f"{finding.severity.value}: [{finding.code}] {finding}\n")
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    stdout.write(f"{errors} error(s), {len(findings) - errors} warning(s)\n")
    return EXIT_FINDINGS if errors else EXIT_OK

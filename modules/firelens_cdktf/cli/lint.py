"""``firelens-cdktf lint``: findings for a Fluent Bit config or a team's routing, errors first in the exit code."""

from __future__ import annotations

import argparse
from typing import TextIO

from firelens_cdktf.cli.inputs import check_containers, load_config_input
from firelens_cdktf.cli.main import EXIT_FINDINGS, EXIT_OK
from firelens_cdktf.fluentbit.simulator import FirelensContext
from firelens_cdktf.lint import Severity, lint_config


def run_lint(args: argparse.Namespace, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    source = load_config_input(args)
    containers = args.container
    if containers:
        check_containers(source, containers, FirelensContext())
    elif source.containers is not None:
        containers = list(source.containers)  # a routing names the containers that feed its config
    findings = lint_config(source.config, containers=containers, parsers=source.parsers, log_classes=source.log_classes)
    for finding in findings:
        stdout.write(f"{finding.severity.value}: [{finding.code}] {finding}\n")
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    notes = sum(1 for f in findings if f.severity is Severity.NOTE)
    counts = f"{errors} error(s), {len(findings) - errors - notes} warning(s)" + (f", {notes} note(s)" if notes else "")
    stdout.write(f"{counts}\n")
    return EXIT_FINDINGS if errors else EXIT_OK

"""``firelens-cdktf preview``: where each record on stdin goes, streamed as a table, JSON lines or a summary."""

from __future__ import annotations

import argparse
import time
from typing import TextIO

from firelens_cdktf.cli.cost_report import CostReport
from firelens_cdktf.cli.inputs import ConfigInput, check_containers, load_config_input
from firelens_cdktf.cli.main import EXIT_OK
from firelens_cdktf.cost.prices import load_prices
from firelens_cdktf.errors import OptionError, PreviewInputError
from firelens_cdktf.fluentbit.preview_input import InputCounts, PreviewSink, input_lines, preview_lines
from firelens_cdktf.fluentbit.preview_io import JsonWriter, TableWriter, json_escape_unicode, routed_containers
from firelens_cdktf.fluentbit.simulator import FirelensContext, Simulator

#: Seconds a preview runs before it reports progress on stderr, then how often it updates the line.
PROGRESS_AFTER_SECONDS = 3.0
PROGRESS_EVERY_SECONDS = 1.0


class _Progress:
    """A progress line on stderr for inputs that take more than a few seconds."""

    def __init__(self, stderr: TextIO) -> None:
        self._stderr = stderr
        self._start = self._last = time.monotonic()
        self._shown = False

    def tick(self, lines: int) -> None:
        now = time.monotonic()
        if now - self._start < PROGRESS_AFTER_SECONDS or now - self._last < PROGRESS_EVERY_SECONDS:
            return
        self._last = now
        self._shown = True
        self._stderr.write(f"\rpreview: {lines:,} lines read, {lines / (now - self._start):,.0f} lines/s")
        self._stderr.flush()

    def done(self, lines: int) -> None:
        if self._shown:
            elapsed = time.monotonic() - self._start
            self._stderr.write(f"\rpreview: {lines:,} lines read in {elapsed:,.1f} s\n")


def run_preview(args: argparse.Namespace, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    _check_summary_options(args)
    source = load_config_input(args)
    config = source.config
    firelens = FirelensContext()
    simulator = Simulator(config, source.parsers, firelens=firelens)
    if args.container is not None:
        check_containers(source, [args.container], firelens)
    counts = InputCounts()
    sink: PreviewSink
    if args.summary:
        prices = load_prices(args.prices) if args.prices else None
        report = CostReport(
            config,
            volume_gb=args.gb_per_month,
            region=args.region,
            prices=prices,
            prices_file=args.prices,
            counts=counts,
            log_classes=source.log_classes,
        )
        sink = report.summary
    elif args.json:
        sink = JsonWriter(stdout, escape_unicode=json_escape_unicode(config))
    else:
        sink = table = TableWriter(stdout, simulator.output_names, counts, escape_unicode=json_escape_unicode(config))
    progress = _Progress(stderr)
    with input_lines(stdin) as lines:
        try:
            preview_lines(
                lines,
                simulator,
                sink,
                container=args.container,
                firelens=firelens,
                counts=counts,
                progress=progress.tick,
            )
        except PreviewInputError as exc:
            raise _with_containers(exc, source) if args.container is None else exc from None
    progress.done(counts.lines)
    if args.summary:
        stdout.write(report.render())
    elif not args.json:
        table.close()
    for name in config.unresolved_variables:
        stderr.write(f"warning: ${{{name}}} is not set by @SET in {source.name}; the preview kept it as written\n")
    return EXIT_OK


def _check_summary_options(args: argparse.Namespace) -> None:
    """``--gb-per-month``, ``--region`` and ``--prices`` only price a ``--summary``.

    Raises:
        OptionError: one is given without it.
    """
    if args.summary:
        return
    for option, value in (("--prices", args.prices), ("--region", args.region), ("--gb-per-month", args.gb_per_month)):
        if value is not None:
            raise OptionError(
                "firelens-cdktf preview",
                option,
                value,
                "only with --summary, which prices the routes",
                f"add --summary, or leave {option} out",
            )


def _with_containers(error: PreviewInputError, source: ConfigInput) -> PreviewInputError:
    """A line that is not a FireLens record, with the containers whose raw lines the config routes."""
    names = list(source.containers) if source.containers is not None else routed_containers(source.config)
    if not names:
        return error
    choice = " or ".join(f"--container {name}" for name in names[:3])
    return PreviewInputError(error.where, error.problem, f"to read raw app output lines, pass {choice}")

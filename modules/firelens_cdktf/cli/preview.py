"""``firelens-cdktf preview``: where each record on stdin goes, streamed as a table, JSON lines or a summary."""

from __future__ import annotations

import argparse
import time
from typing import TextIO

from firelens_cdktf.cli.cost_report import CostReport
from firelens_cdktf.cli.main import EXIT_OK
from firelens_cdktf.fluentbit.outcome import Outcome
from firelens_cdktf.fluentbit.preview_io import TableWriter, line_reader, load_for_preview, split_note
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
    config, parsers = load_for_preview(args.config, args.parsers)
    firelens = FirelensContext()
    simulator = Simulator(config, parsers, firelens=firelens)
    if args.summary:
        report = CostReport(config, volume_gb=args.gb_per_month, region=args.region)
        sink = report.summary.add
    elif args.json:
        write = stdout.write

        def sink(outcome: Outcome) -> None:
            write(outcome.to_json_line() + "\n")
    else:
        table = TableWriter(stdout, simulator.output_names)
        sink = table.write
    progress = _Progress(stderr)
    read = line_reader(container=args.container, firelens=firelens)
    run = simulator.run
    number = 0
    for number, line in enumerate(stdin, start=1):
        items = read(line, number)
        if len(items) == 1:
            sink(run(*items[0]))
        else:  # blank, or a long line Docker splits: say so on each piece
            for tag, record in items:
                outcome = run(tag, record)
                note = split_note(record, config)
                if note is not None:
                    outcome.notes = (*outcome.notes, note)
                sink(outcome)
        if not number & 0x1FFF:  # a clock read every 8,192 lines, not every line
            progress.tick(number)
    end = simulator.finish()
    if end is not None:
        sink(end)
    progress.done(number)
    if args.summary:
        stdout.write(report.render())
    elif not args.json:
        table.close()
    for name in config.unresolved_variables:
        stderr.write(f"warning: ${{{name}}} is not set by @SET in {args.config}; the preview kept it as written\n")
    return EXIT_OK

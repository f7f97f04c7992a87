"""Command line: ``firelens-cdktf <command> ...`` (also ``python -m firelens_cdktf``).

Commands:

- ``preview``: read log records on stdin and tell where a config sends each one
  (streaming; ``--summary`` prints per-output totals and the monthly cost).
- ``graph``: print the default routing as a Mermaid flowchart.
- ``compile``: print or write the log router files of the default routing.
- ``lint``: check a config for lost, unreachable or looping records.
- ``review``: summarize ``terraform show -json`` plans; exit 1 when they
  destroy stateful resources or widen IAM (:mod:`firelens_cdktf.review.plan_review`).

Each command is a pair of functions registered in :data:`COMMANDS`
(``add_arguments(parser)`` and ``run(args, stdin, stdout, stderr) -> exit
code``), so new ones (``review``...) are one entry more. Importing this
module never imports CDKTF.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, NoReturn, TextIO

from .errors import FirelensError

if TYPE_CHECKING:
    from .routing.config import FluentBitConfig
    from .routing.outcome import Outcome

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2

Runner = Callable[[argparse.Namespace, TextIO, TextIO, TextIO], int]


def _add_preview(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", required=True, metavar="PATH", help="Fluent Bit classic config, e.g. extra.conf")
    parser.add_argument(
        "--parsers",
        action="append",
        default=[],
        metavar="PATH",
        help="parsers file; each Parsers_File of the config resolves to the --parsers file with the same "
        "name, else to that name next to the config (repeatable)",
    )
    parser.add_argument(
        "--json", action="store_true", help='one line per input line: {"deliveries": [{"output", "tag", "record"}]}'
    )
    parser.add_argument(
        "--container",
        metavar="NAME",
        help="read lines that are not FireLens records as raw stdout of this container "
        "(tag <NAME>-firelens-<fixed task id>)",
    )
    parser.add_argument(
        "--summary",
        action="store_true",
        help="print only the records and bytes each output receives, and the monthly cost of the routes as "
        "configured against all-CloudWatch, scaled from these lines to --gb-per-month",
    )
    parser.add_argument(
        "--gb-per-month",
        type=float,
        metavar="N",
        help="with --summary: GB of app logs a month the cost scales to (default: $FIRELENS_LOG_GB_PER_MONTH or 1000)",
    )
    parser.add_argument(
        "--region",
        metavar="REGION",
        help="with --summary: region of the prices (default: the outputs' region, else ap-northeast-1)",
    )


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


def _run_preview(args: argparse.Namespace, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    from .routing.preview import FirelensContext, Simulator
    from .routing.preview_io import TableWriter, line_reader, load_for_preview, split_note

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


class CostReport:
    """``preview --summary``: per-output totals, then the cost model of ``make run``'s report on them.

    The mix is built with the arithmetic of ``observe_mix`` (local/cost.py)
    from streamed totals instead of every payload, so memory stays flat; the
    prices, the scenarios and their lines are ``estimate``'s. What each output
    keeps of a record is what its plugin sends (routing/output_limits.py, each
    copy's fate): CloudWatch drops ``{}`` and records too large for its buffer
    and cuts messages at 1,000,000 escaped bytes; Firehose drops ``{}`` and
    records that reach 1,000 KiB, and stores each line with its newline.
    """

    def __init__(self, config: FluentBitConfig, *, volume_gb: float | None, region: str | None) -> None:
        from . import _limits
        from .errors import PreviewInputError
        from .local.report import VOLUME_ENV
        from .routing.preview_summary import PreviewSummary

        self._config = config
        self._kinds: dict[str, tuple[str, str]] = {}
        for section in config.outputs:
            name = config.output_name(section)
            if section.plugin in ("cloudwatch_logs", "cloudwatch") and section.get("log_group_name"):
                self._kinds[name] = ("cloudwatch", section.get("log_group_name") or "")
            elif section.plugin in ("kinesis_firehose", "firehose") and section.get("delivery_stream"):
                self._kinds[name] = ("firehose", section.get("delivery_stream") or "")
        self._aggregated = {config.output_name(s) for s in config.outputs
                            if (s.get("simple_aggregation") or "").lower() in ("true", "on", "yes")}
        self._region = region or next((s.get("region") for s in config.outputs if s.get("region")), None) \
            or "ap-northeast-1"
        text = str(volume_gb) if volume_gb is not None else os.environ.get(VOLUME_ENV, "1000")
        try:
            self._volume = float(text)
        except ValueError:
            self._volume = -1.0
        if not (0 < self._volume < float("inf")):
            raise PreviewInputError("--gb-per-month", f"{text!r} is not a positive, finite number of GB of app logs "
                                    "a month", "give e.g. --gb-per-month 500")
        self.summary = PreviewSummary([config.output_name(s) for s in config.outputs], payload=self._payload,
                                      billing_increment=_limits.FIREHOSE_BILLING_INCREMENT_BYTES)

    def _payload(self, output: str, body: str, size: int) -> int | None:
        """Bytes the destination keeps of a copy the plugin sends whole (fates are counted by the summary)."""
        kind = self._kinds.get(output, ("other", ""))[0]
        return size + 1 if kind == "firehose" else size

    def render(self) -> str:
        """The totals, then the estimate (or why there is none)."""
        summary = self.summary
        width = max([len("output"), *(len(n) for n in summary.outputs)])
        lines = [f"{summary.lines:,} line(s) read; {summary.baseline_bytes:,} bytes of app records (each once, "
                 "as delivered with no routing)",
                 f"{'output'.ljust(width)}  {'records':>12}  {'bytes':>16}"]
        for name, traffic in summary.outputs.items():
            lines.append(f"{name.ljust(width)}  {traffic.records:>12,}  {traffic.bytes:>16,}")
        held = f", {summary.held:,} held in multiline buffers" if summary.held else ""
        limits = (f", {summary.discarded:,} copies discarded and {summary.truncated:,} truncated by their output's "
                  "size limits" if summary.discarded or summary.truncated else "")
        lines.append(f"{summary.nowhere:,} delivered nowhere{held}, {summary.dropped:,} record(s) or copies dropped "
                     f"(no output matches), {summary.unknown:,} not fully predicted{limits}")
        lines.append("")
        lines.extend(self._cost())
        return "\n".join(lines) + "\n"

    def _cost(self) -> list[str]:
        from .local.cost import CloudWatchShare, FirehoseShare, TrafficMix, estimate
        from .local.prices import prices_for

        summary = self.summary
        total = summary.baseline_bytes
        if not total:
            return ["Cost estimate: no record was delivered, so there is no mix to scale."]
        try:
            prices = prices_for(self._region)
        except KeyError as missing:
            return [f"Cost estimate: {missing.args[0]}"]
        ratio = summary.compression_ratio()
        groups: dict[tuple[str, str], list[int]] = {}
        aggregated: dict[str, bool] = {}
        unpriced = []
        for name, traffic in summary.outputs.items():
            kind, target = self._kinds.get(name, ("other", name))
            if kind == "other":
                if traffic.records:
                    unpriced.append(name)
                continue
            counts = groups.setdefault((kind, target), [0, 0, 0])
            counts[0] += traffic.payloads
            counts[1] += traffic.payload_bytes
            counts[2] += traffic.billed_bytes
            aggregated[target] = aggregated.get(target, False) or name in self._aggregated
        mix = TrafficMix(
            baseline_avg_event_bytes=total / summary.baseline_records,
            baseline_compression_ratio=ratio,
            cloudwatch=tuple(CloudWatchShare(target, size / total, size / max(count, 1), ratio)
                             for (kind, target), (count, size, _) in groups.items() if kind == "cloudwatch"),
            firehose=tuple(FirehoseShare(target, size / total, billed / max(size, 1), ratio, aggregated[target])
                           for (kind, target), (_, size, billed) in groups.items() if kind == "firehose"),
            flush_seconds=float(next((s.get("Flush") for s in self._config.service if s.get("Flush")), "1")),
        )
        result = estimate(mix, self._volume, prices)
        shares = [f"{s.share:.1%} to Firehose {s.delivery_stream}" for s in mix.firehose]
        shares += [f"{s.share:.1%} to CloudWatch Logs {s.log_group}" for s in mix.cloudwatch]
        lines = [f"Cost estimate: {self._volume:,.0f} GB of app logs a month in {prices.region}, scaled from these "
                 f"lines (model: modules/firelens_cdktf/local/cost.py; prices: modules/firelens_cdktf/local/prices.py, "
                 f"checked {result.prices_checked})",
                 f"  mix, by bytes of app logs: {'; '.join(shares) or 'nothing priced'}",
                 f"  compression (gzip level 6) of the records: {ratio:.3f}"]
        if mix.firehose:
            lines.append("  assumed: Firehose streams store GZIP objects with 5 MiB / 300 s buffers, as this project "
                         "deploys them")
        if unpriced:
            lines.append(f"  not priced (neither cloudwatch_logs nor kinesis_firehose): {', '.join(unpriced)}")
        base = result.all_standard.total
        for scenario, baseline in ((result.all_standard, None), (result.all_infrequent_access, base),
                                   (result.routed, base), (result.routed_aggregation_flipped, base)):
            head = f"  {scenario.name}: ${scenario.total:,.2f} a month"
            if baseline:
                saved = baseline - scenario.total
                head += f"  ({'saves' if saved >= 0 else 'costs'} ${abs(saved):,.2f}, {abs(saved) / baseline:.0%})"
            lines.append(head)
            lines.extend(f"    {line.label}: {line.quantity:,.2f} {line.unit} x ${line.unit_price:g} = "
                         f"${line.cost:,.2f}" for line in scenario.lines)
        return lines


def _add_graph(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("mermaid",), default="mermaid", help="diagram language (default: mermaid)")


def _run_graph(args: argparse.Namespace, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    from .routing.diagram import render_mermaid
    from .routing.routes import DEFAULT_ROUTING

    stdout.write(render_mermaid(DEFAULT_ROUTING))
    return EXIT_OK


def _add_compile(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out", metavar="DIR", help="write extra.conf and the parsers file into DIR (default: print them)"
    )


def _run_compile(args: argparse.Namespace, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    from .routing.compiler import compile_routing
    from .routing.routes import DEFAULT_ROUTING

    compiled = compile_routing(DEFAULT_ROUTING)
    for finding in compiled.warnings:
        stderr.write(f"warning: {finding}\n")
    if args.out is None:
        for path, text in compiled.files.items():
            stdout.write(f"==> {path} <==\n{text}\n")
        return EXIT_OK
    os.makedirs(args.out, exist_ok=True)
    for path, text in compiled.files.items():
        target = os.path.join(args.out, os.path.basename(path))
        with open(target, "w", encoding="utf-8") as handle:
            handle.write(text)
        stdout.write(f"wrote {target}\n")
    return EXIT_OK


def _add_lint(parser: argparse.ArgumentParser) -> None:
    _add_preview_like_inputs(parser)
    parser.add_argument(
        "--container",
        action="append",
        metavar="NAME",
        help="app container feeding the config (repeatable; default: any container)",
    )


def _add_preview_like_inputs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", required=True, metavar="PATH", help="Fluent Bit classic config")
    parser.add_argument("--parsers", action="append", default=[], metavar="PATH", help="parsers file (repeatable)")


def _run_lint(args: argparse.Namespace, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    from .routing.lint import Severity, lint_config
    from .routing.preview_io import load_for_preview

    config, parsers = load_for_preview(args.config, args.parsers)
    findings = lint_config(config, containers=args.container, parsers=parsers)
    for finding in findings:
        stdout.write(f"{finding.severity.value}: [{finding.code}] {finding}\n")
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    stdout.write(f"{errors} error(s), {len(findings) - errors} warning(s)\n")
    return EXIT_FINDINGS if errors else EXIT_OK


def _add_review(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "plans", nargs="+", metavar="PLAN_JSON",
        help="`terraform show -json` of a plan file; the stack is named after the file name up to its first "
             "dot (plans/pipeline.json is `pipeline`), or give STACK=PATH",
    )
    parser.add_argument("--markdown", action="store_true", help="print GitHub Markdown (the PR comment), not text")
    parser.add_argument(
        "--allow-destroy", action="append", default=[], metavar="ADDRESS",
        help="accept deleting or replacing this stateful resource: ADDRESS in any stack, or STACK:ADDRESS "
             "(repeatable)",
    )
    parser.add_argument(
        "--allow-wildcard", action="append", default=[], metavar="ADDRESS",
        help="accept that the policy documents of this resource gain wildcard grants: ADDRESS or "
             "STACK:ADDRESS (repeatable)",
    )
    parser.add_argument("--json", metavar="FILE", dest="json_out",
                        help="also write the verdict, counts, fingerprints and findings as JSON to FILE")


def _run_review(args: argparse.Namespace, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    import json

    from .errors import PlanReviewError
    from .review.plan_review import review_plans, stack_argument
    from .review.render import render_review_markdown, render_review_text

    plans = []
    for argument in args.plans:
        stack, path = stack_argument(argument)
        with open(path, encoding="utf-8") as handle:
            try:
                plans.append((stack, json.load(handle)))
            except ValueError as exc:
                raise PlanReviewError(path, f"not JSON ({exc})",
                                      "pass the output of `terraform show -json PLANFILE`") from None
    review = review_plans(plans, allow_destroy=args.allow_destroy, allow_wildcard=args.allow_wildcard)
    stdout.write(render_review_markdown(review) if args.markdown else render_review_text(review))
    if args.json_out:
        with open(args.json_out, "w", encoding="utf-8") as handle:
            json.dump(review.to_dict(), handle, indent=2)
            handle.write("\n")
    return EXIT_FINDINGS if review.blocked else EXIT_OK


#: name -> (help, add_arguments, run)
COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Runner]] = {
    "preview": ("predict where each record on stdin goes", _add_preview, _run_preview),
    "graph": ("print the default routing as a Mermaid flowchart", _add_graph, _run_graph),
    "compile": ("print or write the compiled log router files", _add_compile, _run_compile),
    "lint": ("check a Fluent Bit config for lost or looping records", _add_lint, _run_lint),
    "review": ("summarize Terraform plans; exit 1 when they destroy state or widen IAM", _add_review, _run_review),
}


class _OneLineParser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line (argparse prints the usage block first)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one subcommand per :data:`COMMANDS` entry."""
    parser = _OneLineParser(prog="firelens-cdktf", description="FireLens log routing tools.")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (help_text, add_arguments, _) in COMMANDS.items():
        add_arguments(subparsers.add_parser(name, help=help_text, description=help_text))
    return parser


def main(
    argv: list[str] | None = None,
    *,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run a command; return its exit code (errors in user input print one line and return 2)."""
    stdin, stdout, stderr = stdin or sys.stdin, stdout or sys.stdout, stderr or sys.stderr
    args = build_parser().parse_args(argv)
    runner = COMMANDS[args.command][2]
    try:
        return runner(args, stdin, stdout, stderr)
    except (FirelensError, OSError) as exc:
        stderr.write(f"error: {exc}\n")
        return EXIT_USAGE
    except RecursionError:
        stderr.write(f"error: a record is nested deeper than the {args.command} can follow ({sys.getrecursionlimit()} "
                     "levels, Python's recursion limit). Fix: flatten the record, or leave that line out\n")
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())

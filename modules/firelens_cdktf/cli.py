"""Command line: ``firelens-cdktf <command> ...`` (also ``python -m firelens_cdktf``).

Commands:

- ``preview``: read log records on stdin and tell where a config sends each one.
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
from collections.abc import Callable
from typing import TextIO

from .errors import FirelensError

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


def _run_preview(args: argparse.Namespace, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    from .routing.preview import FirelensContext, Simulator
    from .routing.preview_io import load_for_preview, output_names, read_input_line, render_table

    config, parsers = load_for_preview(args.config, args.parsers)
    firelens = FirelensContext()
    simulator = Simulator(config, parsers, firelens=firelens)
    outcomes = []
    for number, line in enumerate(stdin, start=1):
        item = read_input_line(line, number, container=args.container, firelens=firelens)
        if item is None:
            continue
        outcome = simulator.run(*item)
        if args.json:
            stdout.write(outcome.to_json_line() + "\n")
        else:
            outcomes.append(outcome)
    if not args.json:
        stdout.write(render_table(outcomes, output_names(config)))
    for name in config.unresolved_variables:
        stderr.write(f"warning: ${{{name}}} is not set by @SET in {args.config}; the preview kept it as written\n")
    return EXIT_OK


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


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one subcommand per :data:`COMMANDS` entry."""
    parser = argparse.ArgumentParser(prog="firelens-cdktf", description="FireLens log routing tools.")
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


if __name__ == "__main__":
    sys.exit(main())

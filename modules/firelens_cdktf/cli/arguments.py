"""Every command's arguments, and the table of commands.

Argument definitions only: this module imports nothing but argparse, so
``firelens-cdktf --help`` and a usage error answer at once. What a command
does lives in its own module of this package, named in :data:`COMMANDS`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass


def add_config_inputs(parser: argparse.ArgumentParser) -> None:
    """``--config`` and ``--parsers``: a Fluent Bit classic config and its parsers files."""
    parser.add_argument("--config", required=True, metavar="PATH", help="Fluent Bit classic config, e.g. extra.conf")
    parser.add_argument(
        "--parsers",
        action="append",
        default=[],
        metavar="PATH",
        help="parsers file; each Parsers_File of the config resolves to the --parsers file with the same "
        "name, else to that name next to the config (repeatable)",
    )


def add_routing(parser: argparse.ArgumentParser) -> None:
    """``--routing module:attribute``: a team's own routing."""
    parser.add_argument(
        "--routing",
        required=True,
        metavar="MODULE:ATTRIBUTE",
        help="your routing: a LogRouting, or a function that returns one, importable as MODULE:ATTRIBUTE "
        "(e.g. payments.routing:ROUTING; the current directory is searched first)",
    )


def add_preview(parser: argparse.ArgumentParser) -> None:
    add_config_inputs(parser)
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


def add_graph(parser: argparse.ArgumentParser) -> None:
    add_routing(parser)
    parser.add_argument("--format", choices=("mermaid",), default="mermaid", help="diagram language (default: mermaid)")


def add_compile(parser: argparse.ArgumentParser) -> None:
    add_routing(parser)
    parser.add_argument(
        "--out", metavar="DIR", help="write extra.conf and the parsers file into DIR (default: print them)"
    )


def add_lint(parser: argparse.ArgumentParser) -> None:
    add_config_inputs(parser)
    parser.add_argument(
        "--container",
        action="append",
        metavar="NAME",
        help="app container feeding the config (repeatable; default: any container)",
    )


def add_review(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "plans",
        nargs="+",
        metavar="PLAN_JSON",
        help="`terraform show -json` of a plan file; the stack is named after the file name up to its first "
        "dot (plans/pipeline.json is `pipeline`), or give STACK=PATH",
    )
    parser.add_argument("--markdown", action="store_true", help="print GitHub Markdown (the PR comment), not text")
    parser.add_argument(
        "--allow-destroy",
        action="append",
        default=[],
        metavar="ADDRESS",
        help="accept deleting or replacing this stateful resource: ADDRESS in any stack, or STACK:ADDRESS (repeatable)",
    )
    parser.add_argument(
        "--allow-wildcard",
        action="append",
        default=[],
        metavar="ADDRESS",
        help="accept that the policy documents of this resource gain wildcard grants: ADDRESS or "
        "STACK:ADDRESS (repeatable)",
    )
    parser.add_argument(
        "--json",
        metavar="FILE",
        dest="json_out",
        help="also write the verdict, counts, fingerprints and findings as JSON to FILE",
    )


@dataclass(frozen=True)
class Command:
    """One subcommand: its help line, its arguments, and the module whose ``run`` does it."""

    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    module: str


COMMANDS: dict[str, Command] = {
    "preview": Command("predict where each record on stdin goes", add_preview, "firelens_cdktf.cli.preview"),
    "graph": Command("print a routing as a Mermaid flowchart", add_graph, "firelens_cdktf.cli.routing"),
    "compile": Command("print or write the compiled log router files", add_compile, "firelens_cdktf.cli.routing"),
    "lint": Command("check a Fluent Bit config for lost or looping records", add_lint, "firelens_cdktf.cli.lint"),
    "review": Command(
        "summarize Terraform plans; exit 1 when they destroy state or widen IAM",
        add_review,
        "firelens_cdktf.cli.review",
    ),
}

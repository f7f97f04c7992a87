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
    """``--config`` (with ``--parsers``) or ``--routing``: a Fluent Bit classic config, or a team's routing."""
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--config",
        action="append",
        metavar="PATH",
        help="Fluent Bit classic config, e.g. extra.conf; repeat it for several files, combined as the init image "
        "combines them (a file holding [PARSER] is a parsers file, the others are included in order)",
    )
    source.add_argument(
        "--routing",
        metavar="MODULE:ATTRIBUTE",
        help="instead of --config: your routing, compiled in memory (its config and parsers file), a LogRouting "
        "or a function that returns one, importable as MODULE:ATTRIBUTE or FILE.py:ATTRIBUTE",
    )
    parser.add_argument(
        "--parsers",
        action="append",
        default=[],
        metavar="PATH",
        help="with --config: a parsers file; each Parsers_File of the config resolves to the --parsers file with "
        "the same name, else to that name next to the config (repeatable)",
    )
    parser.add_argument(
        "--image-root",
        metavar="DIR",
        help="the pinned router image's files, extracted (DIR/fluent-bit/...): the image's stock parsers and "
        "configs (/fluent-bit/parsers/, /fluent-bit/configs/) are read from there. Default: FIRELENS_IMAGE_ROOT; "
        "without it their parser names are known, their definitions are not",
    )


def add_routing(parser: argparse.ArgumentParser) -> None:
    """``--routing module:attribute``: a team's own routing."""
    parser.add_argument(
        "--routing",
        required=True,
        metavar="MODULE:ATTRIBUTE",
        help="your routing: a LogRouting, or a function that returns one, importable as MODULE:ATTRIBUTE "
        "(e.g. payments.routing:ROUTING; the current directory is searched first) or FILE.py:ATTRIBUTE",
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
        "(tag <NAME>-firelens-<fixed task id>); it must be one the config routes",
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
    parser.add_argument(
        "--prices",
        metavar="FILE",
        help="with --summary: one region's list prices in USD, a JSON file (TOML when named *.toml) holding region "
        "and every field of firelens_cdktf.cost.prices.RegionPrices (default: the built-in prices of the region)",
    )


def add_graph(parser: argparse.ArgumentParser) -> None:
    add_routing(parser)
    parser.add_argument("--format", choices=("mermaid",), default="mermaid", help="diagram language (default: mermaid)")


def add_compile(parser: argparse.ArgumentParser) -> None:
    add_routing(parser)
    parser.add_argument(
        "--out", metavar="DIR", help="write extra.conf and the parsers file into DIR (default: print them)"
    )


def add_build_context(parser: argparse.ArgumentParser) -> None:
    add_routing(parser)
    parser.add_argument(
        "--out",
        required=True,
        metavar="DIR",
        help="the folder to write the build context into (Dockerfile, extra.conf, the parsers file, "
        "drain-then-stop.sh); it then holds only these files",
    )


def add_lint(parser: argparse.ArgumentParser) -> None:
    add_config_inputs(parser)
    parser.add_argument(
        "--container",
        action="append",
        metavar="NAME",
        help="app container feeding the config (repeatable; default: the routing's containers with --routing, "
        "else any container)",
    )


#: The plan review's allowance options: (option, what it accepts). The families are those of
#: firelens_cdktf.review (its ALLOW_FLAGS); repeated here so that --help imports nothing.
REVIEW_ALLOWANCES: tuple[tuple[str, str], ...] = (
    ("--allow-destroy", "deleting or replacing this stateful resource"),
    ("--allow-wildcard", "wildcard grants gained by this resource's policy documents"),
    (
        "--allow-data-loss",
        "data this resource's change deletes or strands in place (retention, expiration, "
        "versioning, Firehose layout, Glue schema, a disabled KMS key)",
    ),
    (
        "--allow-exposure",
        "access this resource's change opens (an internet port, public access, public "
        "policies, grants its policies gain)",
    ),
    (
        "--allow-unprotect",
        "protection this resource's change removes (encryption, the TLS-only Deny, deletion protection)",
    ),
)


def add_review_allowances(parser: argparse.ArgumentParser) -> None:
    """``--allow-destroy``, ``--allow-wildcard``, ``--allow-data-loss``, ``--allow-exposure``, ``--allow-unprotect``."""
    for option, accepts in REVIEW_ALLOWANCES:
        parser.add_argument(
            option,
            action="append",
            default=[],
            metavar="ADDRESS",
            help=f"accept {accepts}: ADDRESS in any stack, or STACK:ADDRESS (repeatable)",
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
    add_review_allowances(parser)
    parser.add_argument(
        "--json",
        metavar="FILE",
        dest="json_out",
        help="also write the verdict, counts, fingerprints, allowances and findings as JSON to FILE",
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
    "build-context": Command(
        "write the log router image's build context for a routing; print the tag its task definition references",
        add_build_context,
        "firelens_cdktf.cli.build_context",
    ),
    "lint": Command(
        "check a Fluent Bit config for lost or looping records, for the pinned image: aws-for-fluent-bit 3.2.1 "
        "(Fluent Bit 4.2.2 with AWS's Go outputs cloudwatch, firehose, kinesis)",
        add_lint,
        "firelens_cdktf.cli.lint",
    ),
    "review": Command(
        "summarize Terraform plans; exit 1 when they lose data, open access or remove protection",
        add_review,
        "firelens_cdktf.cli.review",
    ),
}

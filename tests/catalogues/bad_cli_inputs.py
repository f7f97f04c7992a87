"""The command-line half of the bad-input catalogue: every subcommand of ``firelens-cdktf`` given input
it cannot use must answer with one line on stderr and a non-zero exit, never a traceback.

Each :class:`BadCommand` runs :func:`firelens_cdktf.cli.main` in-process on
files it writes into a scratch folder, and says what the line must contain.
``tests/catalogues/test_bad_cli_inputs.py`` runs the table, in the suite and in ``make scan``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import tempfile
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from firelens_cdktf.cli import main

#: A config whose one output takes everything: a valid base for the cases.
_VALID = (
    "[OUTPUT]\n    Name cloudwatch_logs\n    Match *\n    region ap-northeast-1\n    log_group_name /a\n"
    "    log_stream_prefix a-\n"
)


#: A config that routes only the container ``web``.
_WEB_ONLY = (
    "[OUTPUT]\n    Name cloudwatch_logs\n    Match web-firelens-*\n    region ap-northeast-1\n    log_group_name /a\n"
    "    log_stream_prefix a-\n"
)
#: One region's prices, as ``preview --prices`` reads them.
_PRICES = {
    "region": "eu-west-1",
    "cloudwatch_standard_ingest": 0.57,
    "cloudwatch_ia_ingest": 0.285,
    "cloudwatch_storage": 0.03,
    "firehose_ingest": 0.031,
    "s3_storage": 0.023,
    "s3_put_per_1000": 0.005,
    "athena_per_tb": 5,
}


def _prices(**change: object) -> dict[str, bytes]:
    return {"extra.conf": _VALID.encode(), "prices.json": json.dumps({**_PRICES, **change}).encode()}


def _deep_json(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth + "\n"


@dataclass(frozen=True)
class BadCommand:
    """One command line and what its one error line must say.

    Args:
        name: Short id (the test id).
        argv: Arguments after ``firelens-cdktf``; ``{dir}`` is the scratch folder.
        files: Files to write first: name -> bytes.
        stdin: What the command reads on stdin.
        says: Text the error line must contain; ``{dir}`` is the scratch folder.
        exit_code: The exit status expected. Default: 2 (bad input).
    """

    name: str
    argv: tuple[str, ...]
    files: dict[str, bytes]
    stdin: str
    says: str
    exit_code: int = 2  # bad input; lint's findings (exit 1) are tested with the linter


@dataclass(frozen=True)
class CommandOutcome:
    """What running one :class:`BadCommand` printed and returned."""

    case: BadCommand
    code: int
    stderr: str

    @property
    def problem(self) -> str:
        """Why this is not a one-line, clear rejection ('' when it is)."""
        lines = self.stderr.splitlines()
        if "Traceback" in self.stderr:
            return f"printed a traceback: {self.stderr[-300:]}"
        if self.code != self.case.exit_code:
            return f"exit {self.code}, expected {self.case.exit_code}; stderr: {self.stderr[-300:]}"
        if len(lines) != 1:
            return f"{len(lines)} lines on stderr, expected one: {self.stderr[-300:]}"
        if self.case.says not in lines[0]:
            return f"the line lacks {self.case.says!r}: {lines[0]}"
        return ""


def run_case(case: BadCommand) -> CommandOutcome:
    """Run ``case`` in a scratch folder; a SystemExit (argparse) counts as its exit code."""
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in case.files.items():
            (Path(tmp) / name).write_bytes(data)
        argv = [arg.replace("{dir}", tmp) for arg in case.argv]
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stderr(err):
            try:
                code = main(argv, stdin=io.StringIO(case.stdin), stdout=out, stderr=err)
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 2
            except Exception as error:  # noqa: BLE001 - the outcome reports it as a traceback
                err.write("Traceback (in-process)\n" + "".join(traceback.format_exception(error)))
                code = 99
        return CommandOutcome(dataclasses.replace(case, says=case.says.replace("{dir}", tmp)), code, err.getvalue())


def try_all(cases: tuple[BadCommand, ...] | None = None) -> list[CommandOutcome]:
    """Run every case (default: :data:`CATALOGUE`)."""
    return [run_case(case) for case in (CATALOGUE if cases is None else cases)]


def _case(
    name: str,
    argv: tuple[str, ...],
    says: str,
    *,
    files: dict[str, bytes] | None = None,
    stdin: str = "",
    exit_code: int = 2,
) -> BadCommand:
    return BadCommand(name, argv, files or {}, stdin, says, exit_code)


_PLAN_HEAD = {"format_version": "1.2", "terraform_version": "1.11.4"}
#: A team's routing module, for the commands that take --routing.
_ROUTING_FILE = {
    "team_routing.py": b"""from firelens_cdktf import AppLogRouting, CloudWatchLogs, LogRouting
REGION = "eu-west-1"
ROUTING = LogRouting(region=REGION, apps=(AppLogRouting("web", default=CloudWatchLogs("/team/web")),))


def needs_a_region(region):
    return LogRouting(region=region, apps=ROUTING.apps)


def broken():
    return {}["missing"]
"""
}


def _routing(attribute: str) -> tuple[str, ...]:
    return ("--routing", f"{{dir}}/team_routing.py:{attribute}")


_cfg: Callable[[str], tuple[str, ...]] = lambda *more: ("--config", "{dir}/extra.conf", *more)  # noqa: E731

#: One or more cases for every subcommand, and for the command line itself.
CATALOGUE: tuple[BadCommand, ...] = (
    _case("unknown-subcommand", ("frobnicate",), "invalid choice: 'frobnicate'"),
    _case("no-subcommand", (), "the following arguments are required: COMMAND"),
    # preview
    _case("preview-config-missing", ("preview", *_cfg()), "--config {dir}/extra.conf: No such file or directory"),
    _case(
        "preview-config-not-utf8",
        ("preview", *_cfg()),
        "is not UTF-8",
        files={"extra.conf": b"[OUTPUT]\n    Name cloudwatch_logs\n    Match \xff*\n"},
    ),
    _case(
        "preview-parsers-file-missing",
        ("preview", *_cfg("--parsers", "{dir}/none.conf")),
        "does not exist",
        files={"extra.conf": _VALID.encode()},
    ),
    _case(
        "preview-json-nested-2000-deep",
        ("preview", *_cfg("--container", "app")),
        "nested deeper",
        files={"extra.conf": _VALID.encode()},
        stdin=_deep_json(2000),
    ),
    _case(
        "preview-regex-repeat-too-large",
        ("preview", *_cfg("--container", "app")),
        "too big number for repeat range",
        files={
            "extra.conf": b"[FILTER]\n    Name rewrite_tag\n    Match *\n    Rule $log x{99999999999} t false\n"
            + _VALID.encode()
        },
        stdin='{"log": "x"}\n',
    ),
    _case("preview-bad-option", ("preview", *_cfg("--jsonn")), "unrecognized arguments: --jsonn"),
    _case("preview-option-close-to-one", ("preview", *_cfg("--contianer", "web")), "did you mean '--container'?"),
    _case("preview-neither-config-nor-routing", ("preview",), "one of the arguments --config --routing is required"),
    _case(
        "preview-config-and-routing",
        ("preview", *_cfg(), *_routing("ROUTING")),
        "argument --routing: not allowed with argument --config",
    ),
    _case(
        "preview-container-not-routed",
        ("preview", *_cfg("--container", "webb")),
        "allowed: a container it routes: web. Fix: did you mean --container web?",
        files={"extra.conf": _WEB_ONLY.encode()},
        stdin="hello\n",
    ),
    _case(
        "preview-container-not-in-the-routing",
        ("preview", *_routing("ROUTING"), "--container", "api"),
        "add AppLogRouting('api', ...) to the routing",
        files=_ROUTING_FILE,
    ),
    _case(
        "preview-raw-line-without-container",
        ("preview", *_routing("ROUTING")),
        "pass --container web",
        files=_ROUTING_FILE,
        stdin="=> Booting Puma\n",
    ),
    _case(
        "preview-region-without-summary",
        ("preview", *_cfg("--region", "eu-west-1")),
        "only with --summary",
        files={"extra.conf": _VALID.encode()},
    ),
    _case(
        "preview-prices-file-missing",
        ("preview", *_cfg("--summary", "--prices", "{dir}/none.json")),
        "--prices {dir}/none.json: No such file or directory",
        files={"extra.conf": _VALID.encode()},
    ),
    _case(
        "preview-prices-not-json",
        ("preview", *_cfg("--summary", "--prices", "{dir}/prices.json")),
        "(file)='not JSON",
        files={"extra.conf": _VALID.encode(), "prices.json": b"region = 'eu-west-1'"},
    ),
    _case(
        "preview-prices-field-not-a-number",
        ("preview", *_cfg("--summary", "--prices", "{dir}/prices.json")),
        "s3_storage='0.023' is not valid; allowed: a number of USD per GB-month",
        files=_prices(s3_storage="0.023"),
    ),
    _case(
        "preview-prices-field-misspelled",
        ("preview", *_cfg("--summary", "--prices", "{dir}/prices.json")),
        "did you mean firehose_ingest?",
        files=_prices(firehose_ingst=0.031),
    ),
    _case(
        "preview-prices-field-missing",
        ("preview", *_cfg("--summary", "--prices", "{dir}/prices.json")),
        "add athena_per_tb (USD per TB scanned",
        files={
            "extra.conf": _VALID.encode(),
            "prices.json": json.dumps({k: v for k, v in _PRICES.items() if k != "athena_per_tb"}).encode(),
        },
    ),
    _case(
        "preview-region-contradicts-prices",
        ("preview", *_cfg("--summary", "--region", "us-east-1", "--prices", "{dir}/prices.json")),
        "the region of the prices file",
        files=_prices(),
    ),
    # lint
    _case("lint-config-missing", ("lint", *_cfg()), "No such file or directory"),
    _case(
        "lint-config-not-utf8", ("lint", *_cfg()), "is not UTF-8", files={"extra.conf": b"# \xfe\n" + _VALID.encode()}
    ),
    _case(
        "lint-parsers-with-routing",
        ("lint", *_routing("ROUTING"), "--parsers", "{dir}/parsers.conf"),
        "--routing compiles its own parsers file",
        files=_ROUTING_FILE,
    ),
    _case(
        "lint-container-not-routed",
        ("lint", *_routing("ROUTING"), "--container", "wbe"),
        "did you mean --container web?",
        files=_ROUTING_FILE,
    ),
    _case("lint-routing-not-a-routing", ("lint", *_routing("REGION")), "got str", files=_ROUTING_FILE),
    _case(
        "lint-parsers-file-missing",
        ("lint", *_cfg("--parsers", "{dir}/none.conf")),
        "does not exist",
        files={"extra.conf": _VALID.encode()},
    ),
    # build-context
    _case(
        "build-context-no-out",
        ("build-context", *_routing("ROUTING")),
        "the following arguments are required: --out",
        files=_ROUTING_FILE,
    ),
    _case(
        "build-context-out-holds-other-files",
        ("build-context", *_routing("ROUTING"), "--out", "{dir}"),
        "a folder of its own",
        files=_ROUTING_FILE,
    ),
    _case(
        "build-context-out-is-a-file",
        ("build-context", *_routing("ROUTING"), "--out", "{dir}/taken"),
        "taken",
        files={"taken": b"a file, not a folder", **_ROUTING_FILE},
    ),
    # compile
    _case(
        "compile-out-is-a-file",
        ("compile", *_routing("ROUTING"), "--out", "{dir}/taken"),
        "taken",
        files={"taken": b"a file, not a folder", **_ROUTING_FILE},
    ),
    _case("compile-no-routing", ("compile",), "the following arguments are required: --routing"),
    _case("compile-routing-without-attribute", ("compile", "--routing", "payments.routing"), "MODULE:ATTRIBUTE"),
    _case(
        "compile-routing-module-missing",
        ("compile", "--routing", "nosuch_team.routing:ROUTING"),
        "no module 'nosuch_team'",
    ),
    _case("compile-routing-file-missing", ("compile", "--routing", "{dir}/none.py:ROUTING"), "does not exist"),
    _case(
        "compile-routing-attribute-misspelled", ("compile", *_routing("ROUTNG")), "did you mean", files=_ROUTING_FILE
    ),
    _case("compile-routing-not-a-routing", ("compile", *_routing("REGION")), "got str", files=_ROUTING_FILE),
    _case(
        "compile-routing-function-needs-arguments",
        ("compile", *_routing("needs_a_region")),
        "a function that needs no arguments",
        files=_ROUTING_FILE,
    ),
    _case(
        "compile-routing-function-raises",
        ("compile", *_routing("broken")),
        "it raised KeyError: 'missing'",
        files=_ROUTING_FILE,
    ),
    _case(
        "compile-routing-file-syntax-error",
        ("compile", "--routing", "{dir}/team_routing.py:ROUTING"),
        "fix the syntax at {dir}/team_routing.py line 1",
        files={"team_routing.py": b"ROUTING = (\n"},
    ),
    _case(
        "compile-routing-imports-a-missing-package",
        ("compile", "--routing", "{dir}/team_routing.py:ROUTING"),
        "imports 'payments_sdk_nowhere', which is not installed",
        files={"team_routing.py": b"import payments_sdk_nowhere\n"},
    ),
    # graph
    _case(
        "graph-unknown-format",
        ("graph", *_routing("ROUTING"), "--format", "dot"),
        "invalid choice: 'dot'",
        files=_ROUTING_FILE,
    ),
    # review
    _case("review-plan-missing", ("review", "{dir}/pipeline.json"), "No such file or directory"),
    _case("review-plan-not-json", ("review", "{dir}/pipeline.json"), "not JSON", files={"pipeline.json": b"{nope"}),
    _case(
        "review-resource-changes-not-a-list",
        ("review", "{dir}/pipeline.json"),
        "resource_changes is str",
        files={"pipeline.json": json.dumps({**_PLAN_HEAD, "resource_changes": "nope"}).encode()},
    ),
    _case(
        "review-empty-resource-change",
        ("review", "{dir}/pipeline.json"),
        "lacks an address or change",
        files={"pipeline.json": json.dumps({**_PLAN_HEAD, "resource_changes": [{}]}).encode()},
    ),
    _case(
        "review-policy-not-json",
        ("review", "{dir}/pipeline.json"),
        "policy is not valid JSON",
        files={
            "pipeline.json": json.dumps(
                {
                    **_PLAN_HEAD,
                    "resource_changes": [
                        {
                            "address": "aws_iam_role_policy.p",
                            "type": "aws_iam_role_policy",
                            "mode": "managed",
                            "change": {"actions": ["create"], "before": None, "after": {"policy": "{not json"}},
                        }
                    ],
                }
            ).encode()
        },
    ),
)

"""The entry point: parse, run the chosen command, turn user errors into one line."""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import NoReturn, Protocol, TextIO

from firelens_cdktf.cli.arguments import COMMANDS
from firelens_cdktf.errors import FirelensError

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2


class _Runner(Protocol):
    def __call__(self, args: argparse.Namespace, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int: ...


class _OneLineParser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line (argparse prints the usage block first)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one subcommand per :data:`~firelens_cdktf.cli.arguments.COMMANDS` entry."""
    parser = _OneLineParser(prog="firelens-cdktf", description="FireLens log routing tools.")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, command in COMMANDS.items():
        command.add_arguments(subparsers.add_parser(name, help=command.help, description=command.help))
    return parser


def _runner(command: str) -> _Runner:
    # Late import, for start-up time only: each command loads just what it uses
    # (the simulator, the plan review...), so --help and usage errors answer at once.
    module = importlib.import_module(COMMANDS[command].module)
    runner: _Runner = getattr(module, f"run_{command}")
    return runner


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
    try:
        return _runner(args.command)(args, stdin, stdout, stderr)
    except (FirelensError, OSError) as exc:
        stderr.write(f"error: {exc}\n")
        return EXIT_USAGE
    except RecursionError:
        stderr.write(
            f"error: a record is nested deeper than the {args.command} can follow ({sys.getrecursionlimit()} "
            "levels, Python's recursion limit). Fix: flatten the record, or leave that line out\n"
        )
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())

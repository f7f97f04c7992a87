"""The entry point: parse, run the chosen command, turn user errors into one line."""

from __future__ import annotations

import argparse
import difflib
import errno
import importlib
import os
import re
import sys
from typing import NoReturn, Protocol, TextIO

from firelens_cdktf.cli.arguments import COMMANDS
from firelens_cdktf.errors import FirelensError

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2

_INVALID_CHOICE = re.compile(r"invalid choice: '(?P<value>[^']*)' \(choose from (?P<choices>.*)\)$")


class _Runner(Protocol):
    def __call__(self, args: argparse.Namespace, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int: ...


class _OneLineParser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line (argparse prints the usage block first).

    A value close to one of the choices gets "did you mean".
    """

    #: the subcommands' parsers, by name (set by :func:`build_parser`)
    commands: dict[str, argparse.ArgumentParser]

    def error(self, message: str) -> NoReturn:
        choice = _INVALID_CHOICE.search(message)
        if choice is not None:
            known = re.findall(r"'([^']*)'", choice.group("choices"))
            message += _did_you_mean(choice.group("value"), known)
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _did_you_mean(value: str, known: list[str]) -> str:
    close = difflib.get_close_matches(value, known, n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def build_parser() -> _OneLineParser:
    """The argument parser with one subcommand per :data:`~firelens_cdktf.cli.arguments.COMMANDS` entry."""
    parser = _OneLineParser(prog="firelens-cdktf", description="FireLens log routing tools.")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, command in COMMANDS.items():
        command.add_arguments(subparsers.add_parser(name, help=command.help, description=command.help))
    parser.commands = dict(subparsers.choices)
    return parser


def _parse(parser: _OneLineParser, argv: list[str] | None) -> argparse.Namespace:
    """Parse ``argv``; an unknown option is reported by its command, with the option it is close to."""
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        command = parser.commands[args.command]
        options = re.findall(r"--[a-z][a-z0-9-]*", command.format_usage())
        hints = [_did_you_mean(arg.split("=", 1)[0], options) for arg in unknown if arg.startswith("-")]
        command.error(f"unrecognized arguments: {' '.join(unknown)}{next((h for h in hints if h), '')}")
    return args


def _runner(command: str) -> _Runner:
    # Late import, for start-up time only: each command loads just what it uses
    # (the simulator, the plan review...), so --help and usage errors answer at once.
    module = importlib.import_module(COMMANDS[command].module)
    runner: _Runner = getattr(module, f"run_{command.replace('-', '_')}")
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
    args = _parse(build_parser(), argv)
    try:
        return _runner(args.command)(args, stdin, stdout, stderr)
    except FirelensError as exc:
        stderr.write(f"error: {exc}\n")
        return EXIT_USAGE
    except OSError as exc:
        stderr.write(f"error: {describe_os_error(exc, args)}\n")
        return EXIT_USAGE
    except RecursionError:
        stderr.write(
            f"error: a record is nested deeper than the {args.command} can follow ({sys.getrecursionlimit()} "
            "levels, Python's recursion limit). Fix: flatten the record, or leave that line out\n"
        )
        return EXIT_USAGE


def describe_os_error(exc: OSError, args: argparse.Namespace) -> str:
    """A file the command could not use, named by the option that gave it, with a fix for the cause."""
    path = exc.filename
    reason = exc.strerror or str(exc)
    if path is None:
        return f"{reason}. Fix: check the paths given"
    path = os.fsdecode(path)
    option = next(
        (
            f"--{dest.replace('_', '-')} " if dest not in ("plans",) else ""
            for dest, value in vars(args).items()
            if value == path or (isinstance(value, list) and any(path in str(v) for v in value))
        ),
        "",
    )
    if exc.errno == errno.ENOENT:
        where = "" if os.path.isabs(path) else f" (a relative path starts at {os.getcwd()})"
        fix = f"check the path{where}"
    elif exc.errno == errno.EISDIR:
        fix = "give a file, not a folder"
    elif exc.errno in (errno.EEXIST, errno.ENOTDIR) and option.startswith("--out"):
        fix = f"--out names a folder to write into, and {path} is a file: give another folder"
    elif exc.errno == errno.ENOTDIR:
        fix = "a part of the path is a file, not a folder: check the path"
    elif exc.errno in (errno.EACCES, errno.EPERM):
        fix = "check the permissions of the file and its folders"
    else:
        fix = "check the path"
    return f"{option}{path}: {reason}. Fix: {fix}"


if __name__ == "__main__":
    sys.exit(main())

"""The yardstick: every Fluent Bit config of AWS's FireLens examples, linted and previewed as a user would.

aws-samples/amazon-ecs-firelens-examples is what AWS points FireLens users
to. Each of its Fluent Bit configs is given to ``firelens-cdktf lint`` and
``preview`` the way its example uses it:

- the files an example delivers together through the init image
  (``aws_fluent_bit_init_s3_N``, ``multi-config-support``) as several
  ``--config``;
- a ``Parsers_File`` the example's image copies from a file of the example
  (``COPY parsers/envoy_parser.conf /fluent-bit/parsers/``) as ``--parsers``;
- the image's stock files (``/fluent-bit/parsers/parsers.conf``) from
  ``--image-root`` when given, else left to the linter's note;
- a parsers-only file (its sections all ``[PARSER]``/``[MULTILINE_PARSER]``)
  is not a config: listed, not linted.

The preview reads two app lines (a JSON one, a plain one) as container
``app``'s; a config whose records come from its own inputs gets them as
records of its inputs' first tag. What remains is listed per config: real
problems of the examples (a variable the task definition sets, say), which
the README's table explains.

Run as ``python -m firelens_harness.yardstick PATH_TO_CHECKOUT [--image-root DIR]`` (``make yardstick
EXAMPLES=...``).
"""

from __future__ import annotations

import argparse
import io
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from firelens_cdktf.cli import main as cli

__all__ = ["ConfigRun", "configs_of", "main", "run_config"]

#: Folders whose files the example's task definition delivers together (init image, several S3 objects).
COMBINED_FOLDERS = ("examples/fluent-bit/multi-config-support/config-files",)
#: Sample app lines the preview reads.
SAMPLE_LINES = ('{"level":"info","message":"hello","status":200}', "plain text line")
_PARSERS_FILE = re.compile(r"^\s*parsers_file\s+(\S+)", re.IGNORECASE | re.MULTILINE)
_SECTION = re.compile(r"^\s*\[([A-Za-z_]+)\]", re.MULTILINE)
_TAG = re.compile(r"^\s*tag\s+(\S+)", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class ConfigRun:
    """One config (or one set of combined files) of the examples, and what the tools said."""

    name: str
    files: tuple[str, ...]
    lint_code: int
    findings: tuple[str, ...]
    preview_code: int
    preview_note: str = ""
    args: tuple[str, ...] = field(default_factory=tuple)

    @property
    def errors(self) -> list[str]:
        return [f for f in self.findings if f.startswith("error:")]


def _is_parsers_only(text: str) -> bool:
    """A parsers file (``Parsers_File``, ``-R``) or a stream processor's (``Streams_File``): not a config."""
    sections = {name.upper() for name in _SECTION.findall(text)}
    return bool(sections) and (sections <= {"PARSER", "MULTILINE_PARSER"} or sections == {"STREAM_TASK"})


def configs_of(checkout: Path) -> list[tuple[str, list[Path]]]:
    """The examples' Fluent Bit configs: ``(name, files)``, combined folders as one, parsers-only files left out."""
    found: list[tuple[str, list[Path]]] = []
    combined = {checkout / folder for folder in COMBINED_FOLDERS}
    for folder in sorted(combined):
        if folder.is_dir():
            files = sorted(folder.glob("*.conf"))
            found.append((str(folder.relative_to(checkout)) + "/*.conf", files))
    for path in sorted(checkout.rglob("*.conf")):
        if "fluentd" in path.relative_to(checkout).parts or path.parent in combined:
            continue
        if _is_parsers_only(path.read_text(encoding="utf-8", errors="replace")):
            continue
        found.append((str(path.relative_to(checkout)), [path]))
    return found


def _example_folder(path: Path, checkout: Path) -> Path:
    """The example a file belongs to: its folder right under ``examples/<kind>/``."""
    parts = path.relative_to(checkout).parts
    return checkout.joinpath(*parts[: min(3, len(parts) - 1)])


def _parsers_args(files: Sequence[Path], checkout: Path) -> list[str]:
    """``--parsers`` for each ``Parsers_File`` found in the example's own files (not next to the config)."""
    args: list[str] = []
    for path in files:
        for entry in _PARSERS_FILE.findall(path.read_text(encoding="utf-8", errors="replace")):
            base = Path(entry).name
            if (path.parent / base).exists() or entry.startswith("/fluent-bit/parsers/parsers"):
                continue
            found = sorted(_example_folder(path, checkout).rglob(base))
            if found:
                args += ["--parsers", str(found[0])]
    return args


def _run(argv: list[str], stdin: str = "") -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli(argv, stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return code, out.getvalue() + err.getvalue()


def run_config(name: str, files: Sequence[Path], checkout: Path, image_root: str | None = None) -> ConfigRun:
    """Lint and preview one config (or combined files) as its example uses it."""
    args = [arg for path in files for arg in ("--config", str(path))]
    args += _parsers_args(files, checkout)
    if image_root:
        args += ["--image-root", image_root]
    lint_code, lint_out = _run(["lint", *args])
    findings = tuple(line for line in lint_out.splitlines() if line.split(":", 1)[0] in ("error", "warning", "note"))
    text = "\n".join(path.read_text(encoding="utf-8", errors="replace") for path in files)
    tags = [tag for tag in _TAG.findall(text) if "*" not in tag]
    if tags:  # records of the config's own inputs
        lines = "".join(json.dumps({"tag": tags[0], "record": {"log": line}}) + "\n" for line in SAMPLE_LINES)
        preview_code, preview_out = _run(["preview", *args], stdin=lines)
    else:
        preview_code, preview_out = _run(["preview", *args, "--container", "app"], stdin="\n".join(SAMPLE_LINES) + "\n")
        if preview_code == 2 and "none matches app's" in preview_out:  # no section takes the app: records as is
            tag = "app-firelens-0123456789abcdef0123456789abcdef"
            lines = "".join(json.dumps({"tag": tag, "record": {"log": line}}) + "\n" for line in SAMPLE_LINES)
            preview_code, preview_out = _run(["preview", *args], stdin=lines)
    note = next((line for line in preview_out.splitlines() if line.startswith("error")), "")
    unknown = sum(1 for line in preview_out.splitlines() if "!! unknown" in line)
    if not note and unknown:
        note = f"{unknown} record(s) unknown after a stock parser (no --image-root)"
    return ConfigRun(name, tuple(map(str, files)), lint_code, findings, preview_code, note, tuple(args))


def table(runs: Sequence[ConfigRun]) -> str:
    """A Markdown table: config, errors, warnings, notes, preview."""
    rows = ["| config | errors | warnings | notes | preview |", "|---|---:|---:|---:|---|"]
    for run in runs:
        warnings = sum(1 for f in run.findings if f.startswith("warning:"))
        notes = sum(1 for f in run.findings if f.startswith("note:"))
        preview = "ok" if run.preview_code == 0 else f"exit {run.preview_code}"
        if run.preview_note:
            preview += f" ({run.preview_note})"
        rows.append(f"| `{run.name}` | {len(run.errors)} | {warnings} | {notes} | {preview} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m firelens_harness.yardstick", description=__doc__.split("\n\n")[0])
    parser.add_argument("checkout", type=Path, help="a checkout of aws-samples/amazon-ecs-firelens-examples")
    parser.add_argument("--image-root", help="the pinned image's files, extracted (see firelens-cdktf lint --help)")
    args = parser.parse_args(argv)
    if not (args.checkout / "examples").is_dir():
        print(
            f"yardstick: {args.checkout} holds no examples/ folder; give a checkout of "
            "aws-samples/amazon-ecs-firelens-examples",
            file=sys.stderr,
        )
        return 2
    runs = [run_config(name, files, args.checkout, args.image_root) for name, files in configs_of(args.checkout)]
    print(table(runs))
    print()
    for run in runs:
        for finding in run.findings:
            if not finding.startswith("note:"):
                print(f"{run.name}: {finding.replace(str(args.checkout.resolve()) + '/', '')}")
    crashed = [run for run in runs if run.preview_code not in (0, 1) or run.lint_code not in (0, 1)]
    return 1 if crashed or any(run.errors for run in runs) else 0


if __name__ == "__main__":
    raise SystemExit(main())

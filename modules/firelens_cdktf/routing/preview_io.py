"""The preview's edges: reading input lines and parser files, and printing outcomes as a table.

:class:`~firelens_cdktf.routing.preview.Simulator` runs the config; this module
turns what a user gives (a config path, parsers files, stdin lines) into its
inputs, and its :class:`~firelens_cdktf.routing.preview.Outcome` values into the
report ``firelens-cdktf preview`` prints.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence

from ..errors import PreviewInputError
from .config import FluentBitConfig, ParserDefinition, load_config, parse_parsers
from .preview import FirelensContext, Outcome
from .record_accessor import MISSING, Missing, Pairs, Value, decode_json, encode_json


def read_input_line(
    line: str, number: int, *, container: str | None, firelens: FirelensContext
) -> tuple[str, Pairs] | None:
    """Turn one stdin line into ``(tag, record)``; ``None`` for a blank line.

    A line is a FireLens record ``{"tag": "...", "record": {...}}``; with
    ``container`` set, any other line is that container's raw stdout line.

    Raises:
        PreviewInputError: the line is neither.
    """
    text = line.rstrip("\n").rstrip("\r")
    if not text.strip():
        return None
    value: Value | Missing
    try:
        value = decode_json(text)
    except ValueError:
        value = MISSING
    if isinstance(value, Pairs) and sorted(value.keys()) == ["record", "tag"]:
        tag, record = value.last("tag"), value.last("record")
        if isinstance(tag, str) and tag and isinstance(record, Pairs):
            return tag, record
    if container is not None:
        return firelens.tag(container), firelens.wrap(container, text)
    raise PreviewInputError(
        f"stdin line {number}",
        'is not a FireLens record {"tag": "...", "record": {...}}',
        "pass --container NAME to read raw app output lines as that container's",
    )


def resolve_parsers(
    config: FluentBitConfig, parser_paths: Sequence[str], config_dir: str
) -> dict[str, ParserDefinition]:
    """Load the parsers the config's ``Parsers_File`` entries name.

    Each entry resolves to the ``--parsers`` file with the same file name,
    else to that file name next to the config.

    Raises:
        PreviewInputError: a ``Parsers_File`` cannot be found.
        FluentBitSyntaxError: a parsers file is not valid classic format.
    """
    by_name = {os.path.basename(p): p for p in parser_paths}
    parsers: dict[str, ParserDefinition] = {}
    for entry in config.parsers_files:
        base = os.path.basename(entry)
        path = by_name.get(base) or os.path.join(config_dir, base)
        if not os.path.exists(path):
            raise PreviewInputError(
                f"{config.source}: Parsers_File {entry}",
                "cannot be found",
                f"pass --parsers PATH/{base}, or put {base} next to the config",
            )
        with open(path, encoding="utf-8") as handle:
            parsers.update(parse_parsers(handle.read(), source=path))
    return parsers


def load_for_preview(
    config_path: str, parser_paths: Sequence[str] = ()
) -> tuple[FluentBitConfig, dict[str, ParserDefinition]]:
    """Read a config and its parsers the way the preview CLI does."""
    config_dir = os.path.dirname(os.path.abspath(config_path))

    def resolve(target: str, base: str) -> str | None:
        local = os.path.join(config_dir, os.path.basename(target))
        return local if os.path.exists(local) else None

    config = load_config(config_path, resolve=resolve)
    return config, resolve_parsers(config, parser_paths, config_dir)


def summarize_record(record: Pairs, width: int = 70) -> str:
    """A short one-line description of a record for the table.

    A FireLens record whose ``log`` holds a JSON object is described by
    that object's fields.
    """
    log = record.last("log")
    if isinstance(log, str):
        inner: Value | Missing
        try:
            inner = decode_json(log)
        except ValueError:
            inner = MISSING
        if isinstance(inner, Pairs):
            record = inner
    parts = []
    for key in ("name", "level", "message", "log"):
        value = record.last(key)
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            parts.append(f"{key}={json.dumps(value, ensure_ascii=False)}")
    payload = record.last("payload")
    if isinstance(payload, Pairs) and isinstance(label := payload.last("label"), str):
        parts.insert(1, f"payload.label={json.dumps(label, ensure_ascii=False)}")
    text = " ".join(parts) or encode_json(record)
    return text if len(text) <= width else text[: width - 1] + "…"


def render_table(outcomes: Iterable[Outcome], output_names: Sequence[str]) -> str:
    """A readable report: each record and where it went, then totals per output."""
    lines: list[str] = []
    totals = {name: [0, 0] for name in output_names}
    outcomes = list(outcomes)
    for number, outcome in enumerate(outcomes, start=1):
        lines.append(f"#{number} {_shown(outcome.tag)}  {summarize_record(outcome.record)}")
        if not outcome.deliveries and not outcome.dropped:
            lines.append("    -> (nothing delivered)")
        for delivery in outcome.deliveries:
            lines.append(f"    -> {delivery.output}  [{_shown(delivery.tag)}]  {delivery.size} B")
            total = totals.setdefault(delivery.output, [0, 0])
            total[0] += 1
            total[1] += delivery.size
        for copy in outcome.dropped:
            lines.append(f"    -> DROPPED: no output matches [{_shown(copy.tag)}]")
        for note in outcome.notes:
            lines.append(f"    !! {note.kind}: {note.message}")
    width = max([len("output"), *(len(n) for n in totals)])
    lines.append("")
    lines.append(f"{'output'.ljust(width)}  {'records':>7}  {'bytes':>9}")
    for name, (count, size) in totals.items():
        lines.append(f"{name.ljust(width)}  {count:>7}  {size:>9}")
    nowhere = sum(1 for o in outcomes if not o.deliveries)
    dropped = sum(len(o.dropped) for o in outcomes)
    unknown = sum(1 for o in outcomes if not o.complete)
    lines.append(
        f"{len(outcomes)} record(s) read: {nowhere} delivered nowhere, {dropped} record(s) or copies dropped"
        f" (no output matches), {unknown} not fully predicted"
    )
    return "\n".join(lines) + "\n"


def _shown(tag: str) -> str:
    """A tag as printed in the table: quoted when it holds spaces or control characters."""
    return tag if tag.isprintable() and " " not in tag else json.dumps(tag, ensure_ascii=False)


def output_names(config: FluentBitConfig) -> list[str]:
    """Every output's name, in config order."""
    return [config.output_name(s) for s in config.outputs]

"""The preview's edges: reading input lines and parser files, and printing outcomes as they come.

:class:`~firelens_cdktf.fluentbit.simulator.Simulator` runs the config; this module
turns what a user gives (a config path, parsers files, stdin lines) into its
inputs, and its :class:`~firelens_cdktf.fluentbit.outcome.Outcome` values into the
report ``firelens-cdktf preview`` prints. Everything streams: the table is
written record by record and only per-output totals are kept.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable, Iterable, Sequence
from typing import TextIO

from firelens_cdktf.errors import PreviewInputError
from firelens_cdktf.fluentbit.config import FluentBitConfig, ParserSet, load_config, parse_parsers, parsers_of
from firelens_cdktf.fluentbit.filters import EXCLUDED, HELD, WARNING, Note
from firelens_cdktf.fluentbit.limits import DOCKER_LOG_LINE_BUFFER_BYTES
from firelens_cdktf.fluentbit.outcome import Outcome
from firelens_cdktf.fluentbit.record_accessor import (
    MISSING,
    Missing,
    Pairs,
    Value,
    decode_json,
    encode_json,
    json_string,
)
from firelens_cdktf.fluentbit.simulator import FirelensContext


def read_input_records(
    line: str, number: int, *, container: str | None, firelens: FirelensContext
) -> tuple[tuple[str, Pairs], ...]:
    """Turn one stdin line into the ``(tag, record)`` pairs Fluent Bit receives; none for a blank line.

    A line is a FireLens record ``{"tag": "...", "record": {...}}``; with
    ``container`` set, any other line is that container's raw stdout line,
    which Docker's log driver sends as one record, or as several
    ``partial_message`` pieces when it is 16 KiB or longer
    (:meth:`FirelensContext.wrap_line`).

    Raises:
        PreviewInputError: the line is neither.
    """
    text = line[:-1] if line.endswith("\n") else line
    if text.endswith("\r"):
        text = text[:-1]
    if not text or text.isspace():
        return ()
    # a FireLens record names both keys; anything else is raw output, read without parsing it twice
    if container is None or ('"tag"' in text and '"record"' in text):
        value: Value | Missing
        try:
            value = decode_json(text)
        except ValueError:
            value = MISSING
        if isinstance(value, Pairs) and sorted(value.keys()) == ["record", "tag"]:
            tag, record = value.last("tag"), value.last("record")
            if isinstance(tag, str) and tag and isinstance(record, Pairs):
                return ((tag, record),)
    if container is not None:
        tag = firelens.tag(container)
        return tuple((tag, record) for record in firelens.wrap_line(container, text, number))
    raise PreviewInputError(
        f"stdin line {number}",
        'is not a FireLens record {"tag": "...", "record": {...}}',
        "pass --container NAME to read raw app output lines as that container's",
    )


def read_input_line(
    line: str, number: int, *, container: str | None, firelens: FirelensContext
) -> tuple[str, Pairs] | None:
    """Turn one stdin line into its one ``(tag, record)``; ``None`` for a blank line.

    As :func:`read_input_records`, for input known to hold no raw line of
    16 KiB or more.

    Raises:
        PreviewInputError: the line is neither a FireLens record nor (with
            ``container``) a raw line, or it is a raw line Docker would split
            (use :func:`read_input_records`).
    """
    records = read_input_records(line, number, container=container, firelens=firelens)
    if len(records) > 1:
        raise PreviewInputError(
            f"stdin line {number}",
            f"Docker's log driver sends it as {len(records)} records (16 KiB or longer)",
            "read it with read_input_records()",
        )
    return records[0] if records else None


def line_reader(
    *, container: str | None, firelens: FirelensContext
) -> Callable[[str, int], tuple[tuple[str, Pairs], ...]]:
    """:func:`read_input_records` for one input, with what does not change from line to line worked out once.

    Example:
        >>> read = line_reader(container="web", firelens=FirelensContext())
        >>> read("hello\\n", 1)[0][1].last("log")
        'hello'
    """
    if container is None:
        return lambda line, number: read_input_records(line, number, container=None, firelens=firelens)
    tag = firelens.tag(container)
    head = firelens.wrap(container, "")[:-1]

    def read(line: str, number: int) -> tuple[tuple[str, Pairs], ...]:
        if '"tag"' in line and '"record"' in line:
            return read_input_records(line, number, container=container, firelens=firelens)
        text = line[:-1] if line.endswith("\n") else line
        if text.endswith("\r"):
            text = text[:-1]
        if not text or text.isspace():
            return ()
        if len(text) * 4 >= DOCKER_LOG_LINE_BUFFER_BYTES:
            return tuple((tag, record) for record in firelens.wrap_line(container, text, number))
        return ((tag, Pairs((*head, ("log", text)))),)

    return read


def split_note(record: Pairs, config: FluentBitConfig) -> Note | None:
    """A warning for a record that is one piece of a stdout line Docker's log driver cut; ``None`` otherwise."""
    if record.last("partial_message") != "true":
        return None
    ordinal, last = record.last("partial_ordinal"), record.last("partial_last")
    joined = [
        config.filter_name(s)
        for s in config.filters
        if s.plugin == "multiline" and (s.get("Mode") or "").lower() == "partial_message"
    ]
    then = (
        f"the multiline filter {joined[0]} joins the pieces (Mode partial_message)"
        if joined
        else "no multiline filter with Mode partial_message joins them, so each piece is parsed and routed on its own"
    )
    return Note(
        WARNING,
        f"piece {ordinal}{' (the last)' if last == 'true' else ''} of a stdout line of 16 KiB or "
        f"more, which Docker's log driver sends in {DOCKER_LOG_LINE_BUFFER_BYTES:,}-byte pieces "
        f"(moby daemon/logger/copier.go): {then}",
    )


def resolve_parsers(config: FluentBitConfig, parser_paths: Sequence[str], config_dir: str) -> ParserSet:
    """Load the parsers the config's ``Parsers_File`` entries name, then those in the config itself.

    Each entry resolves to the ``--parsers`` file with the same file name,
    else to that file name next to the config.

    Raises:
        PreviewInputError: a ``Parsers_File`` cannot be found.
        FluentBitSyntaxError: a parsers file is not valid classic format, or a
            parser name is defined twice.
    """
    by_name = {os.path.basename(p): p for p in parser_paths}
    parsers = ParserSet()
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
            parsers.merge(parse_parsers(handle.read(), source=path), source=path)
    parsers.merge(parsers_of(config), source=config.source)
    return parsers


def load_for_preview(config_path: str, parser_paths: Sequence[str] = ()) -> tuple[FluentBitConfig, ParserSet]:
    """Read a config and its parsers the way the preview CLI does."""
    for path in parser_paths:
        if not os.path.isfile(path):
            raise PreviewInputError(
                f"--parsers {path}",
                "the file does not exist",
                "pass the path of a parsers file (Fluent Bit aborts on a missing one)",
            )
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
    fields = dict(iter(record))  # the last entry of a key wins, as record accessors read it
    log = fields.get("log")
    if isinstance(log, str) and log.lstrip().startswith("{"):
        inner: Value | Missing
        try:
            inner = decode_json(log)
        except ValueError:
            inner = MISSING
        if isinstance(inner, Pairs):
            record = inner
            fields = dict(iter(inner))
    parts = []
    for key in ("name", "level", "message", "log"):
        value = fields.get(key)
        if isinstance(value, str):
            parts.append(f"{key}={json_string(value)}")
        elif isinstance(value, int | float) and not isinstance(value, bool):
            parts.append(f"{key}={json.dumps(value)}")
    payload = fields.get("payload")
    if isinstance(payload, Pairs) and isinstance(label := payload.last("label"), str):
        parts.insert(1, f"payload.label={json_string(label)}")
    text = " ".join(parts) or encode_json(record)
    return text if len(text) <= width else text[: width - 1] + "…"


class TableWriter:
    """Writes the readable report record by record; keeps only per-output totals.

    Example:
        >>> out = io.StringIO()
        >>> table = TableWriter(out, ["cloudwatch_logs.0"])
        >>> table.close()
        >>> for part in out.getvalue().splitlines()[-1].split(", "):
        ...     print(part)
        0 record(s) read: 0 delivered nowhere
        0 record(s) or copies dropped (no output matches)
        0 not fully predicted
    """

    def __init__(self, out: TextIO, output_names: Sequence[str]) -> None:
        self._out = out
        self.totals: dict[str, list[int]] = {name: [0, 0] for name in output_names}
        self.read = self.nowhere = self.dropped = self.unknown = self.held = 0
        self.discarded = self.truncated = 0

    def write(self, outcome: Outcome) -> None:
        """Print one outcome and count it."""
        lines: list[str] = []
        if outcome.end_of_input:
            lines.append("#end of input: what the filters still held, flushed as their timers would")
        else:
            self.read += 1
            lines.append(f"#{self.read} {_shown(outcome.tag)}  {summarize_record(outcome.record)}")
            held = any(stop.kind == HELD for stop in outcome.stops)
            if not outcome.deliveries and not held:
                self.nowhere += 1
            self.held += held
            if not outcome.complete:
                self.unknown += 1
        if not outcome.deliveries and not outcome.dropped and not outcome.stops:
            lines.append("    -> (nothing delivered)")
        for delivery in outcome.deliveries:
            size = delivery.size
            lines.append(f"    -> {delivery.output}  [{_shown(delivery.tag)}]  {size} B")
            total = self.totals.setdefault(delivery.output, [0, 0])
            total[0] += 1
            total[1] += size
            if delivery.fate is not None:
                fate = delivery.fate
                lines.append(f"       !! {fate.describe()}")
                self.discarded += fate.kind == "discarded"
                self.truncated += fate.kind == "truncated"
        for copy in outcome.dropped:
            lines.append(f"    -> DROPPED: no output matches [{_shown(copy.tag)}]")
        for stop in outcome.stops:
            if stop.kind == EXCLUDED:
                lines.append(f"    -> EXCLUDED by {stop.filter} [{_shown(stop.tag)}]")
            else:
                lines.append(f"    -> HELD by {stop.filter} [{_shown(stop.tag)}] until its multiline group ends")
        self.dropped += len(outcome.dropped)
        for note in outcome.notes:
            lines.append(f"    !! {note.kind}: {note.message}")
        self._out.write("\n".join(lines) + "\n")

    def close(self) -> None:
        """Print the totals per output and the counts."""
        width = max([len("output"), *(len(n) for n in self.totals)])
        lines = ["", f"{'output'.ljust(width)}  {'records':>7}  {'bytes':>9}"]
        for name, (count, size) in self.totals.items():
            lines.append(f"{name.ljust(width)}  {count:>7}  {size:>9}")
        held = f", {self.held} held in multiline buffers" if self.held else ""
        limits = (
            f", {self.discarded} copies discarded and {self.truncated} truncated by their output's size limits"
            if self.discarded or self.truncated
            else ""
        )
        lines.append(
            f"{self.read} record(s) read: {self.nowhere} delivered nowhere{held}, {self.dropped} record(s) or copies "
            f"dropped (no output matches), {self.unknown} not fully predicted{limits}"
        )
        self._out.write("\n".join(lines) + "\n")


def render_table(outcomes: Iterable[Outcome], output_names: Sequence[str]) -> str:
    """The whole readable report for ``outcomes`` as one string (see :class:`TableWriter`)."""
    out = io.StringIO()
    table = TableWriter(out, output_names)
    for outcome in outcomes:
        table.write(outcome)
    table.close()
    return out.getvalue()


def _shown(tag: str) -> str:
    """A tag as printed in the table: quoted when it holds spaces or control characters."""
    return tag if tag.isprintable() and " " not in tag else json.dumps(tag, ensure_ascii=False)


def output_names(config: FluentBitConfig) -> list[str]:
    """Every output's name, in config order."""
    return [config.output_name(s) for s in config.outputs]

"""The preview's input: stdin lines as Docker's log driver and FireLens hand them to Fluent Bit, and the run.

What the input is made of is counted in lines, as given: a stdout line of
16 KiB or more reaches Fluent Bit as several records (Docker's pieces), and
a blank line is still a record of an app's stdout (each gets a note). A
line holding bytes that are not UTF-8 is read as it is, each such byte held
as a lone surrogate (``surrogateescape``); printing it is
:mod:`~firelens_cdktf.fluentbit.preview_io`'s job.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol, TextIO

from firelens_cdktf.errors import PreviewInputError
from firelens_cdktf.fluentbit.config import FluentBitConfig
from firelens_cdktf.fluentbit.filters import WARNING, Note
from firelens_cdktf.fluentbit.limits import DOCKER_LOG_LINE_BUFFER_BYTES
from firelens_cdktf.fluentbit.outcome import Outcome
from firelens_cdktf.fluentbit.record_accessor import MISSING, Missing, Pairs, Value, decode_json
from firelens_cdktf.fluentbit.simulator import FirelensContext, Simulator

__all__ = [
    "InputCounts",
    "PreviewSink",
    "blank_line_note",
    "input_lines",
    "line_reader",
    "preview_lines",
    "read_input_line",
    "read_input_records",
    "split_note",
]

# --- reading stdin ------------------------------------------------------------------------------------------


@contextlib.contextmanager
def input_lines(stream: TextIO) -> Iterator[TextIO]:
    """``stream``'s lines as the preview reads them: its bytes as UTF-8, a line ending at each ``\\n``.

    A byte that is not UTF-8 is kept as a lone surrogate (``surrogateescape``)
    rather than failing: Docker's log driver passes an app's bytes on as they
    are. A stream without a byte buffer (``io.StringIO``) is read as it is.
    """
    buffer = getattr(stream, "buffer", None)
    if buffer is None:
        yield stream
        return
    text = io.TextIOWrapper(buffer, encoding="utf-8", errors="surrogateescape", newline="\n")
    try:
        yield text
    finally:
        text.detach()  # the caller's stream keeps its buffer open


def read_input_records(
    line: str, number: int, *, container: str | None, firelens: FirelensContext
) -> tuple[tuple[str, Pairs], ...]:
    """Turn one stdin line into the ``(tag, record)`` pairs Fluent Bit receives.

    A line is a FireLens record ``{"tag": "...", "record": {...}}``; a blank
    line then holds no record. With ``container`` set, any other line is that
    container's raw stdout line, which Docker's log driver sends as one
    record, blank or not (:func:`blank_line_note`), or as several
    ``partial_message`` pieces when it is 16 KiB or longer
    (:meth:`FirelensContext.wrap_line`).

    Raises:
        PreviewInputError: the line is neither.
    """
    text = line[:-1] if line.endswith("\n") else line
    if text.endswith("\r"):
        text = text[:-1]
    if container is None and (not text or text.isspace()):
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
    """Turn one stdin line into its one ``(tag, record)``; ``None`` for a blank line of FireLens records.

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
        if len(text) * 4 >= DOCKER_LOG_LINE_BUFFER_BYTES:
            return tuple((tag, record) for record in firelens.wrap_line(container, text, number))
        return ((tag, Pairs((*head, ("log", text)))),)

    return read


def blank_line_note(container: str | None) -> Note:
    """What the preview says about a blank line: a record of an app's stdout, or no FireLens record at all."""
    if container is None:
        return Note(
            WARNING,
            'a blank line holds no FireLens record {"tag": ..., "record": ...}, so nothing is routed from it '
            "(with --container NAME, lines are an app's stdout, where Docker sends blank lines too)",
        )
    return Note(
        WARNING,
        "a blank stdout line: Docker's fluentd log driver, which FireLens uses, still sends it as a record whose "
        "log is the line as it is (moby daemon/logger/copier.go passes every line on; "
        "daemon/logger/fluentd/fluentd.go skips none, unlike the gelf and syslog drivers)",
    )


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


# --- the run: lines in, outcomes out -------------------------------------------------------------------------


@dataclass
class InputCounts:
    """What the input was made of: lines as given, and the records Fluent Bit receives from them.

    Attributes:
        lines: input lines read.
        records: records they made: one per line, none for a blank line of
            FireLens records, one per piece for a line Docker splits.
        blank: blank lines.
        split: lines of 16 KiB or more, which Docker's log driver sends in pieces.
        pieces: the pieces of those lines.
    """

    lines: int = 0
    records: int = 0
    blank: int = 0
    split: int = 0
    pieces: int = 0

    def describe(self) -> str:
        """``20 line(s) read`` and, when they differ, the records: ``, 55 record(s) (2 of 16 KiB or more...)``.

        Example:
            >>> InputCounts(lines=20, records=55, split=2, pieces=37).describe()
            '20 line(s) read, 55 record(s) (2 line(s) of 16 KiB or more, which Docker sends in 37 pieces)'
        """
        text = f"{self.lines:,} line(s) read"
        details = []
        if self.blank:
            details.append(f"{self.blank:,} blank")
        if self.split:
            details.append(f"{self.split:,} line(s) of 16 KiB or more, which Docker sends in {self.pieces:,} pieces")
        if self.records != self.lines or details:
            text += f", {self.records:,} record(s)"
        if details:
            text += f" ({'; '.join(details)})"
        return text


class PreviewSink(Protocol):
    """Where a preview's outcomes go: a table, JSON lines, a summary."""

    def write(self, outcome: Outcome, line: int | None = None) -> None:
        """One outcome of input line ``line`` (``None``: the end of the input, or a caller that does not count)."""

    def skip(self, line: int, note: Note) -> None:
        """Input line ``line`` holds no record; ``note`` says why."""


def preview_lines(
    lines: Iterable[str],
    simulator: Simulator,
    sink: PreviewSink,
    *,
    container: str | None,
    firelens: FirelensContext,
    counts: InputCounts | None = None,
    progress: Callable[[int], None] | None = None,
) -> InputCounts:
    """Run every input line through ``simulator`` and hand each outcome to ``sink``, then what the input left held.

    A line becomes its records as :func:`read_input_records` says; a blank
    line and each piece of a split line get a note saying so
    (:func:`blank_line_note`, :func:`split_note`).

    Args:
        lines: the input, e.g. from :func:`input_lines`.
        simulator: the config to run; ``firelens`` must be the one it was built with.
        sink: receives the outcomes, in input order.
        container: read lines that are not FireLens records as this container's stdout.
        counts: what to count into (it is returned). Default: a new one.
        progress: called with the number of lines read, every 8,192 lines.

    Raises:
        PreviewInputError: a line is neither a FireLens record nor (with ``container``) an app line.
    """
    counts = counts if counts is not None else InputCounts()
    read = line_reader(container=container, firelens=firelens)
    run = simulator.run
    write = sink.write
    config = simulator.config
    number = extra = 0
    for number, line in enumerate(lines, start=1):
        items = read(line, number)
        if len(items) == 1 and not line.isspace():
            write(run(*items[0]), number)
        elif not items:  # a blank line of FireLens records
            counts.blank += 1
            extra -= 1
            sink.skip(number, blank_line_note(None))
        else:  # a blank stdout line, or a long one Docker splits: say so on each record
            blank = line.isspace()
            counts.blank += blank
            if len(items) > 1:
                counts.split += 1
                counts.pieces += len(items)
                extra += len(items) - 1
            for tag, record in items:
                outcome = run(tag, record)
                piece = split_note(record, config)
                notes = ((blank_line_note(container),) if blank else ()) + ((piece,) if piece is not None else ())
                if notes:
                    outcome.notes = (*outcome.notes, *notes)
                write(outcome, number)
        if progress is not None and not number & 0x1FFF:  # every 8,192 lines
            progress(number)
    counts.lines += number
    counts.records += number + extra
    end = simulator.finish()
    if end is not None:
        write(end, None)
    return counts

"""The preview's edges: the config and parser files it reads, and the outcomes it prints as they come.

:class:`~firelens_cdktf.fluentbit.simulator.Simulator` runs the config; this module
turns what a user gives (a config path, parsers files) into its inputs, and its
:class:`~firelens_cdktf.fluentbit.outcome.Outcome` values into the report
``firelens-cdktf preview`` prints. Everything streams: the table is written
record by record and only per-output totals are kept. What is printed is
always valid UTF-8: a record holding bytes that are not UTF-8 is shown with a
note, in ``--json`` as Fluent Bit's outputs write it.

Reading stdin lines into records, and the run itself, are
:mod:`~firelens_cdktf.fluentbit.preview_input`'s (its names are exported here too).
"""

from __future__ import annotations

import io
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TextIO

from firelens_cdktf.errors import PreviewInputError
from firelens_cdktf.fluentbit.config import (
    SKIP_INCLUDE,
    FluentBitConfig,
    ParserSet,
    load_config,
    parse_config,
    parse_parsers,
    parsers_of,
)
from firelens_cdktf.fluentbit.filters import EXCLUDED, HELD, WARNING, Note, is_active
from firelens_cdktf.fluentbit.image_model import STOCK_PARSER_FILES, STOCK_ROOT_HINT, stock_file
from firelens_cdktf.fluentbit.limits import CONTAINER_NAME_PATTERN, FIRELENS_TAG_INFIX
from firelens_cdktf.fluentbit.outcome import Delivery, Dropped, Outcome
from firelens_cdktf.fluentbit.output_limits import (
    _LITERAL,
    _SURROGATE,
    fluent_bit_string,
    has_undecodable,
    string_bytes,
)
from firelens_cdktf.fluentbit.plugins import MatchSpec, RuleError
from firelens_cdktf.fluentbit.preview_input import (
    InputCounts,
    PreviewSink,
    blank_line_note,
    input_lines,
    line_reader,
    preview_lines,
    read_input_line,
    read_input_records,
    split_note,
)
from firelens_cdktf.fluentbit.record_accessor import (
    MISSING,
    Missing,
    Pairs,
    Value,
    decode_json,
    encode_json,
    json_string,
)
from firelens_cdktf.fluentbit.records import _SOURCE, LAST_VALUES_ATTRIBUTE, last_values

__all__ = [
    "InputCounts",
    "JsonWriter",
    "PreviewSink",
    "TableWriter",
    "blank_line_note",
    "input_lines",
    "json_escape_unicode",
    "line_reader",
    "load_for_preview",
    "output_names",
    "parsers_from_files",
    "preview_lines",
    "printable_json",
    "read_input_line",
    "read_input_records",
    "render_table",
    "resolve_parsers",
    "routed_containers",
    "routes_tag",
    "split_note",
    "summarize_record",
    "undecodable_note",
]


def undecodable_note(*, escape_unicode: bool = True, table: bool = False) -> Note:
    """What the preview says about a record holding bytes that are not UTF-8.

    Args:
        escape_unicode: the config's ``[SERVICE] json.escape_unicode`` (:func:`json_escape_unicode`).
        table: the note is for the table, which shows the input's bytes as
            ``\\xNN``; otherwise for ``--json``, which shows what the outputs
            send (:func:`printable_json`).
    """
    if escape_unicode:
        how = (
            "flb_utils_write_str_escaped in src/flb_utils.c, with json.escape_unicode on, the default: each invalid "
            "byte XX becomes the private-use character U+E0XX, and a sequence cut short at the end of a string is "
            "dropped"
        )
        shown = "\\ue0XX"
    else:
        how = (
            "flb_utils_write_str_raw in src/flb_utils.c, with json.escape_unicode off: each invalid byte becomes U+FFFD"
        )
        shown = "U+FFFD"
    if table:
        return Note(
            WARNING,
            "the record holds bytes that are not UTF-8 (a binary line, or a character Docker's 16 KiB cut split), "
            f"shown here as \\xNN; Fluent Bit's outputs write them in JSON as {how} (--json shows it)",
        )
    return Note(
        WARNING,
        "the record holds bytes that are not UTF-8 (a binary line, or a character Docker's 16 KiB cut split): "
        f"its strings are shown as Fluent Bit's outputs write them in JSON ({how}; shown here as {shown})",
    )


# --- config and parsers --------------------------------------------------------------------------------------


#: Where the image's extracted files are, when the user gives no ``--image-root``.
IMAGE_ROOT_ENV = "FIRELENS_IMAGE_ROOT"


def image_root_from(given: str | None) -> str | None:
    """The extracted image folder: ``given`` (``--image-root``), else ``FIRELENS_IMAGE_ROOT``, else none.

    Raises:
        PreviewInputError: the folder does not hold the image's ``fluent-bit/`` folder.
    """
    root = given if given is not None else os.environ.get(IMAGE_ROOT_ENV) or None
    if root is not None and not os.path.isdir(os.path.join(root, "fluent-bit")):
        where = "--image-root" if given is not None else IMAGE_ROOT_ENV
        raise PreviewInputError(
            f"{where} {root}",
            "holds no fluent-bit/ folder (the image's /fluent-bit)",
            STOCK_ROOT_HINT,
        )
    return root


def _stock_path(entry: str, image_root: str | None) -> str | None:
    """Where stock file ``entry`` is in the extracted image, if it is one and the folder holds it."""
    if image_root is None or not stock_file(entry):
        return None
    path = os.path.join(image_root, entry.strip().lstrip("/"))
    return path if os.path.exists(path) else None


def resolve_parsers(
    config: FluentBitConfig, parser_paths: Sequence[str], config_dir: str, image_root: str | None = None
) -> ParserSet:
    """Load the parsers the config's ``Parsers_File`` entries name, then those in the config itself.

    Each entry resolves to the ``--parsers`` file with the same file name,
    else to that file name next to the config, else (a stock file of the
    image) to the extracted image folder. A stock parsers file with no folder
    is not an error: its parser names are known (:mod:`~firelens_cdktf.fluentbit.image_model`),
    their definitions are not (``ParserSet.unresolved_stock``).

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
            stock = _stock_path(entry, image_root)
            if stock is None and stock_file(entry):
                normalized = "/" + entry.strip().lstrip("/")
                for name in STOCK_PARSER_FILES.get(normalized, ()):
                    parsers.unresolved_stock.setdefault(name, normalized)
                continue
            if stock is None:
                raise PreviewInputError(
                    f"{config.source}: Parsers_File {entry}",
                    "cannot be found",
                    f"pass --parsers PATH/{base}, or put {base} next to the config",
                )
            path = stock
        with open(path, encoding="utf-8") as handle:
            parsers.merge(parse_parsers(handle.read(), source=path), source=path)
    parsers.merge(parsers_of(config), source=config.source)
    return parsers


def unread_stock_files(config: FluentBitConfig, parsers: ParserSet) -> tuple[str, ...]:
    """The image's stock files the config names that were not read (no extracted image folder)."""
    files = {*parsers.unresolved_stock.values(), *config.skipped_includes}
    return tuple(sorted(files))


def _is_parsers_file(text: str) -> bool:
    """The init image's test: a file holding ``[PARSER]`` or ``[MULTILINE_PARSER]`` is passed with ``-R``
    (aws/aws-for-fluent-bit ``init/fluent_bit_init_process.go``), every other file is ``@INCLUDE``d."""
    return "[PARSER]" in text or "[MULTILINE_PARSER]" in text


def load_for_preview(
    config_path: str | Sequence[str], parser_paths: Sequence[str] = (), image_root: str | None = None
) -> tuple[FluentBitConfig, ParserSet]:
    """Read a config (or several, combined as the init image combines them) and its parsers, as the CLI does.

    Several files: each one holding ``[PARSER]`` or ``[MULTILINE_PARSER]`` is a
    parsers file (the init process passes it with ``-R``); the others are
    included in the order given, after FireLens's own config, so a parser or
    ``@SET`` of one serves the next.

    Raises:
        PreviewInputError: a file or a ``Parsers_File`` cannot be found, or every file is a parsers file.
        FluentBitSyntaxError: a file is not valid classic format.
    """
    paths = [config_path] if isinstance(config_path, str) else list(config_path)
    for path in parser_paths:
        if not os.path.isfile(path):
            raise PreviewInputError(
                f"--parsers {path}",
                "the file does not exist",
                "pass the path of a parsers file (Fluent Bit aborts on a missing one)",
            )
    config_dir = os.path.dirname(os.path.abspath(paths[0]))

    def resolve(target: str, base: str) -> str | None:
        local = os.path.join(config_dir, os.path.basename(target))
        if os.path.exists(local):
            return local
        stock = _stock_path(target, image_root)
        if stock is not None:
            return stock
        return SKIP_INCLUDE if stock_file(target) else None

    if len(paths) == 1:
        config = load_config(paths[0], resolve=resolve)
        return config, resolve_parsers(config, parser_paths, config_dir, image_root)
    texts = {path: _read_text(path) for path in paths}
    parser_files = [path for path in paths if _is_parsers_file(texts[path])]
    included = [path for path in paths if path not in parser_files]
    if not included:
        raise PreviewInputError(
            f"--config {' --config '.join(paths)}",
            "every file is a parsers file",
            "give the configs too; parsers files may also come with --parsers",
        )
    main = "".join(f"@INCLUDE {os.path.abspath(path)}\n" for path in included)
    config = parse_config(main, source=" + ".join(included), resolve=resolve)
    parsers = resolve_parsers(config, [*parser_paths, *parser_files], config_dir, image_root)
    for path in parser_files:
        if os.path.basename(path) not in {os.path.basename(entry) for entry in config.parsers_files}:
            parsers.merge(parse_parsers(texts[path], source=path), source=path)
    return config, parsers


def _read_text(path: str) -> str:
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def parsers_from_files(config: FluentBitConfig, files: Mapping[str, str]) -> ParserSet:
    """The parsers of a config whose files are held in memory (a compiled routing's ``files``).

    Each ``Parsers_File`` entry resolves to the file of the same path, else
    of the same file name; then come the parsers in the config itself.

    Raises:
        PreviewInputError: a ``Parsers_File`` is not among ``files``.
        FluentBitSyntaxError: a parsers file is not valid classic format.
    """
    by_name = {os.path.basename(path): path for path in files}
    parsers = ParserSet()
    for entry in config.parsers_files:
        path = entry if entry in files else by_name.get(os.path.basename(entry))
        if path is None:
            raise PreviewInputError(
                f"{config.source}: Parsers_File {entry}",
                f"is not among the files compiled with it ({', '.join(files)})",
                "compile the routing again: its config and parsers file come together",
            )
        parsers.merge(parse_parsers(files[path], source=path), source=path)
    parsers.merge(parsers_of(config), source=config.source)
    return parsers


def json_escape_unicode(config: FluentBitConfig) -> bool:
    """``[SERVICE] json.escape_unicode``: on unless set to anything but true, on or yes (flb_utils_bool)."""
    value = config.service_setting("json.escape_unicode")
    return value is None or value.strip().lower() in ("true", "on", "yes")


def routes_tag(config: FluentBitConfig, tag: str) -> bool | None:
    """Whether a record arriving with ``tag`` meets any active filter's or any output's Match.

    ``None`` when a ``Match_Regex`` the preview does not model decides. A
    record no Match takes goes nowhere: FireLens's own metadata filter
    (``Match *``) is not counted.
    """
    unknown = False
    for section in (*(s for s in config.filters if is_active(s)), *config.outputs):
        try:
            matched = MatchSpec.of(section).matches(tag)
        except RuleError:
            unknown = True  # the simulator reports a Match_Regex that does not compile
            continue
        if matched:
            return True
        unknown = unknown or matched is None
    return None if unknown else False


def routed_containers(config: FluentBitConfig) -> list[str]:
    """The containers a config's Matches name: ``rails-app`` for ``Match *rails-app-firelens-*``.

    Read from each ``Match`` (and ``Match_Regex``) that holds ``-firelens-``,
    the FireLens tag's infix: the name before it, when it is a plain name.

    Example:
        >>> from firelens_cdktf.fluentbit.config import parse_config
        >>> routed_containers(parse_config("[OUTPUT]\\n    Name null\\n    Match *web-firelens-*\\n"))
        ['web']
    """
    names: list[str] = []
    for section in (*config.filters, *config.outputs):
        for key in ("Match", "Match_Regex"):
            pattern = section.get(key)
            if pattern is None or FIRELENS_TAG_INFIX not in pattern:
                continue
            name = pattern.split(FIRELENS_TAG_INFIX)[0].lstrip("*^").removeprefix(".*")
            if CONTAINER_NAME_PATTERN.match(name) and name not in names:
                names.append(name)
    return names


# --- the table and JSON lines ---------------------------------------------------------------------------------


#: The longest description of a record in the table.
_SUMMARY_WIDTH = 70


def summarize_record(record: Pairs, width: int = _SUMMARY_WIDTH, *, inner: Pairs | None = None) -> str:
    """A short one-line description of a record for the table.

    A FireLens record whose ``log`` holds a JSON object is described by
    that object's fields.

    Args:
        record: the record.
        width: the longest description; a longer one is cut with ``…``.
        inner: the map ``log`` holds when a json parser of the run read it
            whole (:func:`_parsed_log`), so that it need not be decoded again.
    """
    if inner is not None:
        described = _describe(_fields(inner), numbers=False)
        if described is not None:
            text = described or encode_json(inner)
            return text if len(text) <= width else text[: width - 1] + "…"
        # a number: the preview's parsers read some as Fluent Bit does (1e5 may be 1), the description as JSON
    fields = _fields(record)
    shown = record
    log = fields.get("log")
    if type(log) is str and log.lstrip().startswith("{"):
        decoded: Value | Missing
        try:
            decoded = decode_json(log)
        except ValueError:
            decoded = MISSING
        if isinstance(decoded, Pairs):
            shown = decoded
            fields = _fields(decoded)
    text = _describe(fields, numbers=True) or encode_json(shown)
    return text if len(text) <= width else text[: width - 1] + "…"


#: The fields a record's description shows, in order (``payload.label`` comes second when present).
_SUMMARY_KEYS = (("name", "name="), ("level", "level="), ("message", "message="), ("log", "log="))
#: JSON strings of short values the descriptions repeat (logger names, levels, messages).
_QUOTED: dict[str, str] = {}


def _fields(record: Pairs) -> dict[str, Value]:
    """The values of the record's keys (a description reads a few); the last entry of a key wins, as record
    accessors read it. The record's own :func:`~firelens_cdktf.fluentbit.records.last_values`: read only."""
    return last_values(record)


def _describe(fields: dict[str, Value], *, numbers: bool) -> str | None:
    """``name="..." payload.label="..." level=...`` of a record's fields; ``None`` at a number unless ``numbers``."""
    quoted = _QUOTED
    get = fields.get
    name, level, message, log = get("name"), get("level"), get("message"), get("log")
    label = None
    payload = get("payload")
    if type(payload) is Pairs:
        label = last_values(payload).get("label")
    if type(name) is str and type(level) is str and type(message) is str and log is None:
        # the shape of nearly every app line, in one format instead of the general loop
        if type(label) is str:
            return (
                f"name={quoted.get(name) or _quote(name)} payload.label={json_string(label)} "
                f"level={quoted.get(level) or _quote(level)} message={quoted.get(message) or _quote(message)}"
            )
        return (
            f"name={quoted.get(name) or _quote(name)} level={quoted.get(level) or _quote(level)} "
            f"message={quoted.get(message) or _quote(message)}"
        )
    parts = []
    for prefix, value in (("name=", name), ("level=", level), ("message=", message), ("log=", log)):
        if value is None:
            continue
        kind = type(value)
        if kind is str:
            parts.append(prefix + (quoted.get(value) or _quote(value)))  # type: ignore[arg-type]
        elif kind is int or kind is float or (isinstance(value, int | float) and not isinstance(value, bool)):
            if not numbers:
                return None
            parts.append(prefix + json.dumps(value))
    if type(label) is str:
        parts.insert(1, "payload.label=" + json_string(label))
    return " ".join(parts)


def _quote(value: str) -> str:
    """``json_string(value)``, kept for the next description when it is short."""
    text: str = json_string(value)
    if len(text) <= 40 and len(_QUOTED) < 4_096:
        _QUOTED[value] = text
    return text


def _parsed_log(outcome: Outcome) -> Pairs | None:
    """The map the input record's ``log`` holds, when a json parser of the run read it whole; ``None`` otherwise.

    A json parser remembers the text it read a map from
    (:func:`~firelens_cdktf.fluentbit.records.remember_source`), and a copy
    an output receives is that map or extends it: following the first
    copy back finds it without decoding ``log`` again.
    """
    copies: tuple[Delivery, ...] | tuple[Dropped, ...] = outcome.deliveries or outcome.dropped
    if not copies:
        return None
    value: Pairs = copies[0].record
    source = getattr(value, _SOURCE, None)
    while type(source) is tuple:  # an extension (base, tail): record_modifier's
        value = source[0]
        source = getattr(value, _SOURCE, None)
    return value if type(source) is str and source == _log_of(outcome.record) else None


#: Descriptions of the common shape (:func:`_summary`), cut to the table's width, by ``(name, level, message,
#: label)``: an app repeats a few of them from line to line. Only those of short messages are kept, at most this many.
_DESCRIBED: dict[tuple[str, str, str, str | None], str] = {}
_DESCRIBED_LIMIT = 4_096
#: The longest message whose description :data:`_DESCRIBED` keeps (longer ones rarely repeat).
_DESCRIBED_MESSAGE = 40


def _summary(outcome: Outcome) -> str:
    """``summarize_record(outcome.record, inner=_parsed_log(outcome))``, the table's description of a record.

    Nearly every line of an app's JSON is described by its parsed map's
    ``name``, ``level``, ``message`` (strings) and ``payload.label``: that
    case is :func:`_parsed_log` and :func:`_describe` inline, its text kept
    for the next line with the same four values.
    """
    copies: tuple[Delivery, ...] | tuple[Dropped, ...] = outcome.deliveries or outcome.dropped
    if copies:
        # _parsed_log, inline
        inner: Pairs = copies[0].record
        source = getattr(inner, _SOURCE, None)
        while type(source) is tuple:  # an extension (base, tail): record_modifier's
            inner = source[0]
            source = getattr(inner, _SOURCE, None)
        if type(source) is str:
            record = outcome.record
            log = record[-1][1] if record and record[-1][0] == "log" else record.last("log")  # _log_of
            if source == log:  # a str equals only a str: log is _log_of(record)
                fields = getattr(inner, LAST_VALUES_ATTRIBUTE, None) or last_values(inner)  # kept, read inline
                get = fields.get
                name, level, message = get("name"), get("level"), get("message")
                if type(name) is str and type(level) is str and type(message) is str and get("log") is None:
                    # _describe's common shape: the text depends on these four values only
                    payload = get("payload")
                    label = last_values(payload).get("label") if type(payload) is Pairs else None
                    key = (name, level, message, label if type(label) is str else None)
                    text = _DESCRIBED.get(key)
                    if text is None:
                        text = _describe(fields, numbers=False) or ""
                        if len(text) > _SUMMARY_WIDTH:
                            text = text[: _SUMMARY_WIDTH - 1] + "…"
                        if len(message) <= _DESCRIBED_MESSAGE:
                            if len(_DESCRIBED) >= _DESCRIBED_LIMIT:
                                _DESCRIBED.clear()
                            _DESCRIBED[key] = text
                    return text
                return summarize_record(record, inner=inner)
    return summarize_record(outcome.record, inner=_parsed_log(outcome))


#: Texts the table keeps for tags it meets again, at most (tags made from record values may be many).
_TEXT_CACHE_LIMIT = 4_096


def _log_of(record: Pairs) -> str | None:
    """The record's ``log`` when it is a string (the last entry named so, as :meth:`Pairs.last` reads it)."""
    if record:
        key, value = record[-1]  # where Docker's log driver puts it: no need to look further
        if key == "log":
            return value if type(value) is str else None
    log = record.last("log")
    return log if type(log) is str else None


class TableWriter:
    """Writes the readable report record by record; keeps only per-output totals.

    Args:
        out: where the report goes.
        output_names: the config's outputs, in order.
        counts: what the input was made of, filled in as it is read
            (:func:`preview_lines`): the last line then counts lines, not records.
        escape_unicode: the config's ``[SERVICE] json.escape_unicode``, for
            the note on a record holding bytes that are not UTF-8.

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

    def __init__(
        self,
        out: TextIO,
        output_names: Sequence[str],
        counts: InputCounts | None = None,
        *,
        escape_unicode: bool = True,
    ) -> None:
        self._out = out
        self._escape_unicode = escape_unicode
        self._write = out.write
        self._counts = counts
        self.totals: dict[str, list[int]] = {name: [0, 0] for name in output_names}
        self.read = self.nowhere = self.dropped = self.unknown = self.held = 0
        self.discarded = self.truncated = 0
        # texts around a record, by tag, and by (copy's tag, output): records repeat a few of them
        self._heads: dict[str, str] = {}
        self._arrows: dict[tuple[str, str], str] = {}

    def write(self, outcome: Outcome, line: int | None = None) -> None:
        """Print one outcome and count it; ``line`` is its input line (default: the count of records so far)."""
        deliveries = outcome.deliveries
        if not deliveries or outcome.notes or outcome.dropped or outcome.stops or outcome.end_of_input:
            self._write_any(outcome, line)
            return
        if len(deliveries) == 1 and deliveries[0].fate is None:
            # the commonest row: one copy, sent whole; the loop below for one delivery, in one text
            delivery = deliveries[0]
            self.read = read = self.read + 1
            tag, output, size = outcome.tag, delivery.output, delivery.size
            text = (
                f"#{read if line is None else line}{self._heads.get(tag) or self._head(tag)}{_summary(outcome)}\n"
                f"{self._arrows.get((delivery.tag, output)) or self._arrow(delivery.tag, output)}{size} B\n"
            )
            total = self.totals.get(output) or self.totals.setdefault(output, [0, 0])
            total[0] += 1
            total[1] += size
            self._write(text if text.isascii() or not has_undecodable(text) else self._printable(text))
            return
        for delivery in deliveries:
            if delivery.fate is not None:
                self._write_any(outcome, line)
                return
        # the common case: copies sent whole, nothing to note; one text built as it goes
        self.read = read = self.read + 1
        tag = outcome.tag
        text = f"#{read if line is None else line}{self._heads.get(tag) or self._head(tag)}{_summary(outcome)}\n"
        arrows, totals = self._arrows, self.totals
        for delivery in deliveries:
            size = delivery.size
            output = delivery.output
            text += f"{arrows.get((delivery.tag, output)) or self._arrow(delivery.tag, output)}{size} B\n"
            total = totals.get(output) or totals.setdefault(output, [0, 0])
            total[0] += 1
            total[1] += size
        self._write(text if text.isascii() or not has_undecodable(text) else self._printable(text))

    def _head(self, tag: str) -> str:
        head = self._heads[tag] = f" {_shown(tag)}  "
        if len(self._heads) > _TEXT_CACHE_LIMIT:
            self._heads.clear()
        return head

    def _arrow(self, tag: str, output: str) -> str:
        arrow = self._arrows[(tag, output)] = f"    -> {output}  [{_shown(tag)}]  "
        if len(self._arrows) > _TEXT_CACHE_LIMIT:
            self._arrows.clear()
        return arrow

    def _printable(self, text: str) -> str:
        """``text`` with each byte that is not UTF-8 written ``\\xNN``, and a note saying so."""
        note = undecodable_note(escape_unicode=self._escape_unicode, table=True)
        return _SURROGATE.sub(_byte_escape, text) + f"    !! {note.kind}: {note.message}\n"

    def _write_any(self, outcome: Outcome, line: int | None) -> None:
        lines: list[str] = []
        if outcome.end_of_input:
            lines.append("#end of input: what the filters still held, flushed as their timers would")
        else:
            self.read += 1
            summary = summarize_record(outcome.record, inner=_parsed_log(outcome))
            lines.append(f"#{self.read if line is None else line} {_shown(outcome.tag)}  {summary}")
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
        text = "\n".join(lines) + "\n"
        self._write(text if text.isascii() or not has_undecodable(text) else self._printable(text))

    def skip(self, line: int, note: Note) -> None:
        """Print an input line that holds no record, with why."""
        self._write(f"#{line} (no record)\n    !! {note.kind}: {note.message}\n")

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
        counts = self._counts
        read = (
            f"{self.read} record(s) read"
            if counts is None or (counts.lines == self.read and not counts.blank)
            else counts.describe()
        )
        lines.append(
            f"{read}: {self.nowhere} delivered nowhere{held}, {self.dropped} record(s) or copies "
            f"dropped (no output matches), {self.unknown} not fully predicted{limits}"
        )
        self._out.write("\n".join(lines) + "\n")


class JsonWriter:
    """Writes one JSON line per outcome (:meth:`Outcome.to_json_line`), always valid UTF-8.

    A record holding bytes that are not UTF-8 is shown as Fluent Bit's
    outputs write it (:func:`printable_json`) and gets a note saying so.

    Args:
        out: where the lines go.
        escape_unicode: the config's ``[SERVICE] json.escape_unicode`` (:func:`json_escape_unicode`).
    """

    def __init__(self, out: TextIO, *, escape_unicode: bool = True) -> None:
        self._write = out.write
        self._escape_unicode = escape_unicode

    def write(self, outcome: Outcome, line: int | None = None) -> None:
        """Print one outcome."""
        text = outcome.to_json_line()
        # a string holding such bytes is never written as plain ASCII, whichever way the copies are rendered
        if not text.isascii() and (has_undecodable(text) or has_undecodable(_log_of(outcome.record) or "")):
            outcome.notes = (*outcome.notes, undecodable_note(escape_unicode=self._escape_unicode))
            text = printable_json(outcome.to_json_line(), escape_unicode=self._escape_unicode)
        self._write(text + "\n")

    def skip(self, line: int, note: Note) -> None:
        """Print a line for an input line that holds no record: no deliveries, and the note."""
        self._write(Outcome("", Pairs(), notes=(note,)).to_json_line() + "\n")


def printable_json(text: str, *, escape_unicode: bool = True) -> str:
    """``text``, compact JSON, with every string that holds bytes that are not UTF-8 as Fluent Bit writes it.

    Each such string becomes what ``flb_utils_write_str`` writes for its
    bytes (:func:`~firelens_cdktf.fluentbit.output_limits.fluent_bit_string`),
    its private-use characters for invalid bytes written as ``\\ue0XX``
    escapes, so that they show: the same JSON value the outputs send, as
    valid UTF-8. Other strings are left as they are.

    Example:
        >>> printable_json('{"log":"a\\udc80b!"}')
        '{"log":"a\\\\ue080b!"}'
    """
    return _LITERAL.sub(lambda match: _printable_literal(match.group(), escape_unicode), text)


def _printable_literal(literal: str, escape_unicode: bool) -> str:
    if not has_undecodable(literal):
        return literal
    written = fluent_bit_string(string_bytes(json.loads(literal)), escape_unicode=escape_unicode)
    if escape_unicode:
        written = _FRAGMENT.sub(lambda match: f"\\u{ord(match.group()):04x}", written)
    return '"' + written + '"'


def _byte_escape(match: re.Match[str]) -> str:
    return string_bytes(match.group()).decode("ascii", "backslashreplace")


#: A private-use character ``flb_utils_write_str_escaped`` writes for an invalid byte.
_FRAGMENT = re.compile("[\ue000-\ue0ff]")


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

"""Fluent Bit ``[PARSER]`` definitions, compiled and run as Fluent Bit 4.2.2 runs them.

:func:`compile_parser` reads a definition the way src/flb_parser.c
``flb_parser_load_parser_definitions`` and ``flb_parser_create`` do (failing
where Fluent Bit refuses to start); :meth:`Parser.parse` is ``flb_parser_do``:
the format's reader, then ``Decode_Field*`` (src/flb_parser_decoder.c), with
``Types`` and the time settings applied where each format applies them:

=========  ==========================================================  ======
format     reader                                                      Types
=========  ==========================================================  ======
json       src/flb_parser_json.c (yyjson, one map; decoders, then time)  no
regex      src/flb_parser_regex.c (Onigmo named groups)                 yes
logfmt     src/flb_parser_logfmt.c                                      yes
ltsv       src/flb_parser_ltsv.c                                        yes
=========  ==========================================================  ======

Settings a ``[PARSER]`` may carry that Fluent Bit does not read are ignored,
as Fluent Bit ignores them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from firelens_cdktf.errors import FluentBitSyntaxError
from firelens_cdktf.fluentbit.config import ParserDefinition
from firelens_cdktf.fluentbit.onigmo import InvalidRegex, OnigmoRegex, UnsupportedRegex, compile_onigmo
from firelens_cdktf.fluentbit.parsers._decoders import KeyDecoders, apply_decoders, read_decoders
from firelens_cdktf.fluentbit.parsers._json import (
    MapReader,
    decode_json_field,
    decode_map_without_arrays,
    parse_json_object,
)
from firelens_cdktf.fluentbit.parsers._text import parse_logfmt, parse_ltsv, parse_regex
from firelens_cdktf.fluentbit.parsers._time import ParserTime, tzone_offset_valid
from firelens_cdktf.fluentbit.parsers._types import NOT_STRING, parse_types
from firelens_cdktf.fluentbit.record_accessor import Pairs
from firelens_cdktf.fluentbit.split import flb_utils_bool
from firelens_cdktf.fluentbit.unknown import NotSimulated

__all__ = [
    "NOT_STRING",
    "MapReader",
    "Parser",
    "compile_parser",
    "compile_parsers",
    "decode_json_field",
    "decode_map_without_arrays",
    "parse_json_object",
    "parse_types",
]

FORMATS = ("json", "regex", "logfmt", "ltsv")


def _setting(definition: ParserDefinition, key: str) -> str | None:
    """``get_parser_key``: the value, ``None`` when unset or empty."""
    value = definition.get(key)
    return value if value else None


def _flag(definition: ParserDefinition, key: str, default: int) -> int:
    value = _setting(definition, key)
    return default if value is None else flb_utils_bool(value)


@dataclass(frozen=True)
class Parser:
    """A compiled ``[PARSER]``.

    Attributes:
        name, format: as defined.
        regex: the compiled ``Regex`` (regex format), ``None`` when its syntax
            is not modelled (``regex_note`` says why).
        skip_empty: ``Skip_Empty_Values`` (regex format), 1, 0 or -1.
        time: the time settings, ``None`` without ``Time_Format``.
        types: ``Types`` by key; ``typed`` whether ``Types`` is set at all.
        no_bare_keys: ``Logfmt_No_Bare_Keys``.
        decoders: ``Decode_Field*`` by key; ``decoder_note`` why they were dropped.
    """

    name: str
    format: str
    regex: OnigmoRegex | None = None
    regex_note: str | None = None
    skip_empty: int = 1
    time: ParserTime | None = None
    types: Mapping[str, str] = field(default_factory=dict)
    typed: bool = False
    no_bare_keys: int = 0
    decoders: tuple[KeyDecoders, ...] = ()
    decoder_note: str | None = None

    @property
    def plain_json(self) -> bool:
        """A ``json`` parser without decoders or time settings: just the JSON map, nothing else to apply."""
        return self.format == "json" and not self.decoders and self.time is None

    def parse(self, text: str, where: str) -> Pairs | None:
        """``flb_parser_do``: the record the parser makes of ``text``, or ``None`` when it fails.

        Raises:
            NotSimulated: the parser uses regex syntax that is not modelled,
                or the text hits a reading the preview does not model.
        """
        if self.format == "json":
            return self._json(text, where)
        if self.format == "regex":
            if self.regex is None:
                raise NotSimulated(f"{where}: {self.regex_note}: results after it are unknown")
            record = parse_regex(self.regex, text, skip_empty=self.skip_empty, time=self.time, types=self.types)
        elif self.format == "logfmt":
            record = parse_logfmt(
                text, no_bare_keys=self.no_bare_keys, time=self.time, types=self.types, typed=self.typed, where=where
            )
        else:
            record = parse_ltsv(text, time=self.time, types=self.types, where=where)
        if record is not None and self.decoders:
            record = apply_decoders(self.decoders, record, where)
        return record

    def _json(self, text: str, where: str) -> Pairs | None:
        record = parse_json_object(text, where)
        if record is None:
            return None
        if self.decoders:
            record = apply_decoders(self.decoders, record, where)
        time = self.time
        if time is None:
            return record
        for index, (key, value) in enumerate(record):
            if key != time.key:
                continue
            # the first key of that name decides; Time_Keep 0 drops it when its value reads
            if time.keep == 0 and isinstance(value, str) and time.reads(value):
                return Pairs.trusted(record[:index] + record[index + 1 :])
            return record
        return record


def compile_parser(definition: ParserDefinition) -> Parser:
    """Read a ``[PARSER]`` as Fluent Bit does at start-up.

    Raises:
        FluentBitSyntaxError: Fluent Bit refuses the definition (unknown
            format, missing or invalid ``Regex``, invalid ``Time_Offset``).
    """
    where = f"{definition.section.describe()} {definition.name!r}"
    fmt = definition.format.lower()
    if fmt not in FORMATS:
        raise FluentBitSyntaxError(
            where,
            f"Format {definition.format!r} is not a parser format; Fluent Bit refuses to start",
            "use json, regex, logfmt or ltsv",
        )
    regex: OnigmoRegex | None = None
    note: str | None = None
    if fmt == "regex":
        pattern = _setting(definition, "Regex")
        if pattern is None:
            raise FluentBitSyntaxError(
                where,
                "a regex parser has no Regex; Fluent Bit refuses to start",
                "add 'Regex ^(?<key>...)$' with named groups",
            )
        try:
            regex = compile_onigmo(pattern)
        except InvalidRegex as exc:
            raise FluentBitSyntaxError(
                where,
                f"Regex {pattern!r} does not compile ({exc}); Fluent Bit refuses to start",
                "fix the regular expression",
            ) from None
        except UnsupportedRegex as exc:
            note = f"Regex {pattern!r} uses {exc}, which the preview does not model"
    time: ParserTime | None = None
    time_format = _setting(definition, "Time_Format")
    if time_format is not None:
        offset = _setting(definition, "Time_Offset")
        system_zone = _flag(definition, "Time_System_Timezone", 0)
        if offset is not None and not system_zone and not tzone_offset_valid(offset):
            raise FluentBitSyntaxError(
                where,
                f"Time_Offset {offset!r} is not an offset; Fluent Bit refuses to start",
                "write it as +0900 or -07:00",
            )
        time = ParserTime.create(
            time_format,
            _setting(definition, "Time_Key"),
            _flag(definition, "Time_Keep", 0),
            _flag(definition, "Time_Strict", 1),
        )
    types_text = _setting(definition, "Types")
    decoders, decoder_note = read_decoders(definition.section)
    return Parser(
        name=definition.name,
        format=fmt,
        regex=regex,
        regex_note=note,
        skip_empty=_flag(definition, "Skip_Empty_Values", 1),
        time=time,
        types=parse_types(types_text) if types_text else {},
        typed=types_text is not None,
        no_bare_keys=_flag(definition, "Logfmt_No_Bare_Keys", 0),
        decoders=decoders,
        decoder_note=decoder_note,
    )


class CompiledParsers(dict[str, Parser]):
    """Compiled parsers by name, and the parsers of the image's stock files known only by name.

    Attributes:
        stock: Parser name -> the stock parsers file of the image that defines it, for the files that were not
            read (``ParserSet.unresolved_stock``): a filter using one cannot be predicted.
    """

    def __init__(self, parsers: Mapping[str, Parser], stock: Mapping[str, str] | None = None) -> None:
        super().__init__(parsers)
        self.stock: dict[str, str] = dict(stock or {})


def compile_parsers(definitions: Mapping[str, ParserDefinition]) -> CompiledParsers:
    """Every definition compiled, by name (with the stock parsers known only by name, if any).

    Raises:
        FluentBitSyntaxError: one of them is refused (see :func:`compile_parser`).
    """
    stock: Mapping[str, str] | None = getattr(definitions, "unresolved_stock", None)
    return CompiledParsers({name: compile_parser(definition) for name, definition in definitions.items()}, stock)

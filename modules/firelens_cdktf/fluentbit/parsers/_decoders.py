"""``Decode_Field`` and ``Decode_Field_As``: src/flb_parser_decoder.c, v4.2.2.

``Decode_Field[_As] DECODER KEY [ACTION]`` decodes KEY of what a parser
produced. ``_As`` replaces the value; plain ``Decode_Field`` keeps it and
appends the decoded map's keys at the end of the record (a string result is
an error there and adds nothing). Rules of one key run in order: a failure
stops unless the action is ``try_next`` or ``do_next``; a success stops
unless it is ``do_next``. Decoders: ``json`` (a map), ``escaped``,
``escaped_utf8``, ``mysql_quoted``. Quirks kept: decoding starts at the
first key any decoder names (earlier keys are copied as they are), only
the last ``Decode_Field`` key's map is appended, and one bad
``Decode_Field*`` line drops all of the parser's decoders.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from firelens_cdktf.fluentbit.config import Section
from firelens_cdktf.fluentbit.parsers._json import decode_json_field
from firelens_cdktf.fluentbit.parsers._unescape import mysql_unquote, unescape_simple, unescape_utf8
from firelens_cdktf.fluentbit.record_accessor import Pairs, Value
from firelens_cdktf.fluentbit.split import utils_split
from firelens_cdktf.fluentbit.unknown import NotSimulated

FIELD, FIELD_AS = "decode_field", "decode_field_as"
NONE, TRY_NEXT, DO_NEXT = "none", "try_next", "do_next"
_STRING, _OBJECT = "string", "object"


@dataclass(frozen=True)
class DecoderRule:
    """One ``Decode_Field[_As]`` line."""

    kind: str
    backend: str
    action: str


@dataclass(frozen=True)
class KeyDecoders:
    """The rules for one key, in the order their lines appear."""

    key: str
    rules: tuple[DecoderRule, ...]

    @property
    def adds_keys(self) -> bool:
        """Whether any rule is a plain ``Decode_Field`` (``add_extra_keys``)."""
        return any(rule.kind == FIELD for rule in self.rules)


def read_decoders(section: Section) -> tuple[tuple[KeyDecoders, ...], str | None]:
    """The decoders of a ``[PARSER]`` (``flb_parser_decoder_list_create``) and why they were dropped, if so."""
    by_key: dict[str, list[DecoderRule]] = {}
    for entry in section.entries:
        kind = entry.key.lower()
        if kind not in (FIELD, FIELD_AS):
            continue
        parts = utils_split(entry.value, " ", 3) or []
        if len(parts) < 2:
            return (), f"{entry.key} {entry.value!r} needs a decoder and a key, so Fluent Bit drops every decoder"
        backend = parts[0].lower()
        if backend not in _BACKENDS:
            return (), f"decoder {parts[0]!r} is unknown, so Fluent Bit drops every decoder of this parser"
        action = parts[2].lower() if len(parts) >= 3 and parts[2].lower() in (TRY_NEXT, DO_NEXT) else NONE
        by_key.setdefault(parts[1], []).append(DecoderRule(kind, backend, action))
    return tuple(KeyDecoders(key, tuple(rules)) for key, rules in by_key.items()), None


def _text(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise NotSimulated(f"{where}: a decoder produced bytes that are not UTF-8, which is not simulated") from None


def _json(value: str, where: str) -> tuple[Value, str] | None:
    decoded = decode_json_field(value, where)
    return None if decoded is None else (decoded, _OBJECT)


def _escaped(value: str, where: str) -> tuple[Value, str] | None:
    return _text(unescape_simple(value.encode("utf-8")), where), _STRING


def _escaped_utf8(value: str, where: str) -> tuple[Value, str] | None:
    return _text(unescape_utf8(value.encode("utf-8")), where), _STRING


def _mysql_quoted(value: str, where: str) -> tuple[Value, str] | None:
    data = value.encode("utf-8")
    if len(data) >= 2 and data[0] == data[-1] and data[0] in b"'\"":
        return _text(mysql_unquote(data[1:-1]), where), _STRING
    return value, _STRING


_BACKENDS: dict[str, Callable[[str, str], tuple[Value, str] | None]] = {
    "json": _json,
    "escaped": _escaped,
    "escaped_utf8": _escaped_utf8,
    "mysql_quoted": _mysql_quoted,
}


def apply_decoders(decoders: Sequence[KeyDecoders], record: Pairs, where: str) -> Pairs:
    """``flb_parser_decoder_do`` on a parsed record; the record itself when no key has a decoder."""
    by_key: dict[str, KeyDecoders] = {}
    for item in decoders:
        by_key.setdefault(item.key, item)
    matched = next((i for i, (key, _) in enumerate(record) if key in by_key), None)
    if matched is None:
        return record
    out: list[tuple[str, Value]] = list(record[:matched])
    extra: Pairs | None = None
    in_type = _STRING
    for key, value in record[matched:]:
        decoder = by_key.get(key)
        if decoder is None or not isinstance(value, str):
            out.append((key, value))
            continue
        data: Value = value
        replaced: Value = value
        appended: Value | None = None
        decoded_as = decoded = False
        if decoder.adds_keys:
            extra = None  # each Decode_Field key starts a new extra buffer
        for rule in decoder.rules:
            if rule.kind == FIELD and rule.action == DO_NEXT and decoded:
                continue
            if decoded_as and in_type != _STRING:
                continue
            result = _BACKENDS[rule.backend](data if isinstance(data, str) else "", where)
            if result is None:
                if rule.action in (TRY_NEXT, DO_NEXT):
                    continue
                break
            if rule.kind == FIELD_AS:
                replaced, in_type = result
                data = replaced
                decoded_as = True
            else:
                appended = result[0] if result[1] == _OBJECT else None
                decoded = True
            if rule.action != DO_NEXT:
                break
        out.append((key, replaced if decoded_as else value))
        if decoded and isinstance(appended, Pairs):
            extra = appended
    if extra is not None:
        out.extend(extra)
    return Pairs.trusted(tuple(out))

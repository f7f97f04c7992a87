"""The ``regex``, ``logfmt`` and ``ltsv`` parser formats, as Fluent Bit 4.2.2 runs them.

Sources: src/flb_parser_regex.c (``flb_parser_regex_do``, ``cb_results``),
src/flb_regex.c (``flb_regex_do``, ``flb_regex_parse``), src/flb_parser_logfmt.c
(``logfmt_parser``), src/flb_parser_ltsv.c (``ltsv_parser``).

- regex: the pattern is searched anywhere in the value; every named group
  becomes a key, in the order the groups are written; the match fails
  unless the pattern has capture groups and at least one named group took
  part (``last_pos`` stays -1 otherwise). Empty values are skipped unless
  ``Skip_Empty_Values`` is off. The time key is dropped when it reads and
  ``Time_Keep`` is off, and also when it does *not* read.
- logfmt: ``key=value`` pairs over bytes (a key byte is anything above a
  space but ``=`` and ``"``); ``key`` alone and ``key=`` are ``true``,
  ``key=""`` is ``""``; quoted values are unescaped (not with ``Types``);
  parsing stops at the first line break after a pair. A time that does not
  read, or a bare key with ``Logfmt_No_Bare_Keys``, fails the whole parse.
- ltsv: ``label:value`` fields split by TAB, labels ``[0-9A-Za-z_.-]``;
  stops at a line break or at a label without ``:``. A time that does not
  read fails the parse.
"""

from __future__ import annotations

from collections.abc import Mapping

from firelens_cdktf.fluentbit.onigmo import OnigmoRegex
from firelens_cdktf.fluentbit.parsers._time import ParserTime
from firelens_cdktf.fluentbit.parsers._types import typecast
from firelens_cdktf.fluentbit.parsers._unescape import unescape_utf8
from firelens_cdktf.fluentbit.record_accessor import Pairs, Value
from firelens_cdktf.fluentbit.unknown import NotSimulated

_LOGFMT_KEY = bytes(1 if 0x20 < b and b not in (0x22, 0x3D) else 0 for b in range(256))
_LTSV_LABEL = bytes(
    1 if (0x30 <= b <= 0x39 or 0x41 <= b <= 0x5A or 0x61 <= b <= 0x7A or b in b"_.-") else 0 for b in range(256)
)
_LTSV_FIELD = bytes(0 if b in (0x00, 0x09, 0x0A, 0x0D) else 1 for b in range(256))


def _text(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise NotSimulated(f"{where}: a value that is not UTF-8 after unescaping is not simulated") from None


def _value(types: Mapping[str, str], key: str, value: str) -> Value:
    return typecast(types, key, value) if types else value


def parse_regex(
    regex: OnigmoRegex, text: str, *, skip_empty: int, time: ParserTime | None, types: Mapping[str, str]
) -> Pairs | None:
    """``flb_parser_regex_do`` before decoders: the record, or ``None`` when it fails."""
    found = regex.search(text)
    if found is None or not regex.groups:
        return None
    out: list[tuple[str, Value]] = []
    participated = False
    for name, index in regex.compiled.groupindex.items():
        if found.start(index) >= 0:
            participated = True
        value = found.group(index) or ""
        if not value and skip_empty:
            continue
        if time is not None and name == time.key:
            if not time.reads(value) or time.keep == 0:
                continue
        out.append((name, _value(types, name, value)))
    if not participated:
        return None
    return Pairs.trusted(tuple(out))


def parse_logfmt(
    text: str, *, no_bare_keys: int, time: ParserTime | None, types: Mapping[str, str], typed: bool, where: str
) -> Pairs | None:
    """``flb_parser_logfmt_do`` before decoders: the record, or ``None`` when it fails.

    ``typed``: the parser has a ``Types`` setting at all (``types_len != 0``),
    which switches logfmt to the cast path even for keys it does not name.
    """
    data = text.encode("utf-8", "surrogatepass")
    end = len(data)
    c = 0
    out: list[tuple[str, Value]] = []
    key_table = _LOGFMT_KEY
    while c < end:
        while c < end and not key_table[data[c]]:
            c += 1
        if c == end:
            break
        key_start = c
        while c < end and key_table[data[c]]:
            c += 1
        key = data[key_start:c]
        value = b""
        value_set = value_quoted = escaped = False
        if c < end and data[c] == 0x3D:
            value_set = True
            c += 1
            if c < end:
                if data[c] == 0x22:
                    c += 1
                    value_start = c
                    value_quoted = True
                    while c < end:
                        if data[c] not in (0x5C, 0x22):
                            c += 1
                        elif data[c] == 0x5C:
                            escaped = True
                            c += 1
                            if c == end:
                                break
                            c += 1
                        else:
                            break
                    value = data[value_start:c]
                    if c < end and data[c] == 0x22:
                        c += 1
                else:
                    value_start = c
                    while c < end and key_table[data[c]]:
                        c += 1
                    value = data[value_start:c]
        if key:
            if no_bare_keys and not value and not value_set:
                return None
            name = _text(key, where)
            is_time = time is not None and bool(value) and name == time.key
            if is_time and not time.reads(_text(value, where)):  # type: ignore[union-attr]
                return None
            if not is_time or time.keep == 1:  # type: ignore[union-attr]
                out.append((name, _logfmt_value(types if typed else None, name, value, value_quoted, escaped, where)))
        if c == end:
            break
        if data[c] == 0x0D:
            break
        if data[c] == 0x0A:
            break
    if not out:
        return None
    return Pairs.trusted(tuple(out))


def _logfmt_value(
    types: Mapping[str, str] | None, name: str, value: bytes, quoted: bool, escaped: bool, where: str
) -> Value:
    if types is not None:
        return typecast(types, name, _text(value, where))
    if not value:
        return "" if quoted else True
    if escaped:
        # the unescaped text is measured with strlen(): it ends at a NUL
        return _text(unescape_utf8(value).split(b"\x00", 1)[0], where)
    return _text(value, where)


def parse_ltsv(text: str, *, time: ParserTime | None, types: Mapping[str, str], where: str) -> Pairs | None:
    """``flb_parser_ltsv_do`` before decoders: the record, or ``None`` when it fails."""
    data = text.encode("utf-8", "surrogatepass")
    end = len(data)
    c = 0
    out: list[tuple[str, Value]] = []
    while c < end:
        label_start = c
        while c < end and _LTSV_LABEL[data[c]]:
            c += 1
        label = data[label_start:c]
        if c == end or data[c] != 0x3A:
            break
        c += 1
        field_start = c
        while c < end and _LTSV_FIELD[data[c]]:
            c += 1
        field = data[field_start:c]
        if label:
            name = label.decode("ascii")
            is_time = time is not None and bool(field) and name == time.key
            if is_time and not time.reads(_text(field, where)):  # type: ignore[union-attr]
                return None
            if not is_time or time.keep == 1:  # type: ignore[union-attr]
                out.append((name, _value(types, name, _text(field, where))))
        if c == end:
            break
        if data[c] == 0x09:
            c += 1
        if c == end:
            break
        if data[c] in (0x0D, 0x0A):
            break
    if not out:
        return None
    return Pairs.trusted(tuple(out))

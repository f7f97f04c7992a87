"""JSON as Fluent Bit 4.2.2 reads it, into the record model (:class:`Pairs`, tuples).

Two readers, because Fluent Bit has two:

- The ``json`` parser format uses yyjson (src/flb_pack.c
  ``pack_json_to_msgpack_yyjson``): values are read one after another,
  white space (space, tab, CR, LF) between them skipped; the first value
  that does not parse ends the input without error once one value was read
  (so ``{"a":1} trailing`` is one record); integers beyond 64 bits become
  doubles; a number that overflows a double is an error (yyjson without
  ``ALLOW_INF_AND_NAN``). src/flb_parser_json.c then wants exactly one value,
  a map.
- The ``json`` *decoder* (``Decode_Field json``) uses jsmn (src/flb_pack.c
  ``pack_json_to_msgpack``, ``pack_numeric_token``): a number without ``.``
  and without an exponent sign is read by ``strtoll``/``strtoull``, so
  ``1e5`` is 1; out-of-range integers become doubles.

Python's C decoder does the scanning; the hooks below apply Fluent Bit's
number rules and build immutable values directly, so nothing walks the
result a second time.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable

from firelens_cdktf.fluentbit.records import Pairs, fluent_bit_float, pairs_hook, remember_source
from firelens_cdktf.fluentbit.unknown import NotSimulated

_WHITE = " \t\r\n"
_NUMBER_TAIL = re.compile(r"[0-9.eE+-]")
_INT64_MIN = -(2**63)
_UINT64_LIMIT = 2**64


class _Overflow(ValueError):
    """A number yyjson refuses: it overflows a double."""


def _yyjson_int(text: str) -> int | float:
    value = int(text)
    if _INT64_MIN <= value < _UINT64_LIMIT:
        return value
    return float(text)


def _yyjson_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise _Overflow(text)
    return value


def _refuse_constant(name: str) -> object:
    raise ValueError(name)


_YYJSON = json.JSONDecoder(
    object_pairs_hook=pairs_hook, parse_int=_yyjson_int, parse_float=_yyjson_float, parse_constant=_refuse_constant
)
# Without "[" the text holds no array, so maps can be built by Pairs itself, in C.
_YYJSON_NO_ARRAYS = json.JSONDecoder(
    object_pairs_hook=Pairs, parse_int=_yyjson_int, parse_float=_yyjson_float, parse_constant=_refuse_constant
)
#: ``raw_decode`` for a text with no ``[`` that starts with ``{``: what :func:`parse_json_object` does when the
#: whole text is that one map (callers fall back to it otherwise).
decode_map_without_arrays = _YYJSON_NO_ARRAYS.raw_decode


#: Number texts a :class:`MapReader` keeps, per kind, with their values: enough for the numbers an app repeats
#: (status codes, counts, short durations), and memory stays flat whatever the input holds.
_NUMBER_CACHE_LIMIT = 8_192


class _KnownNumbers(dict[str, "int | float"]):
    """Number texts read before, with their values: the scanner's number hook as one lookup in C.

    The JSON scanner calls its hook with each number's text; a bound
    ``__getitem__`` of this dict is a hook that runs no Python for a text it
    holds. A text it does not hold goes to ``read``, which decides whether
    it may be kept.
    """

    __slots__ = ("_read",)

    def __init__(self, read: Callable[[str], int | float]) -> None:
        super().__init__()
        self._read = read

    def __missing__(self, text: str) -> int | float:
        return self._read(text)


class MapReader:
    """:data:`decode_map_without_arrays` that also tells whether each number is written back as it was read.

    Its number hooks are the only code that sees a number's text, so they
    compare it with what the encoder writes for the value they return
    (``int.__repr__``, :func:`~firelens_cdktf.fluentbit.records.fluent_bit_float`);
    :attr:`numbers_as_written` is false after :meth:`raw_decode` when one
    differs (``-0``, ``1.50``, ``0.087``, an integer beyond 64 bits). With
    :func:`~firelens_cdktf.fluentbit.records.written_as_is` this proves a
    text is its own encoding (:func:`~firelens_cdktf.fluentbit.records.remember_written`).
    One reader per user, not shared between threads: the flag is its state.

    Numbers repeat from line to line, so the hooks keep each text written
    back as read with its value (:class:`_KnownNumbers`, at most
    :data:`_NUMBER_CACHE_LIMIT` per kind) and the scanner finds it again
    without a Python call: the same value, and nothing for the flag to learn.
    A text written otherwise is never kept, so it always reaches the hook
    that clears the flag.

    Example:
        >>> reader = MapReader()
        >>> reader.raw_decode('{"a":0.5,"b":-0}')[0], reader.numbers_as_written
        ((('a', 0.5), ('b', 0)), False)
    """

    __slots__ = ("numbers_as_written", "_scan", "_ints", "_floats")

    def __init__(self) -> None:
        self.numbers_as_written = True
        self._ints = _KnownNumbers(self._int)
        self._floats = _KnownNumbers(self._float)
        decoder = json.JSONDecoder(
            object_pairs_hook=Pairs,
            parse_int=self._ints.__getitem__,
            parse_float=self._floats.__getitem__,
            parse_constant=_refuse_constant,
        )
        # the (C) scanner JSONDecoder.raw_decode calls, called directly: one Python frame less per line
        # (JSONDecoder.__init__ sets scan_once; typeshed does not declare it)
        self._scan: Callable[[str, int], tuple[object, int]] = decoder.scan_once  # type: ignore[attr-defined]

    def raw_decode(self, text: str) -> tuple[object, int]:
        """As :data:`decode_map_without_arrays` (for a text with no ``[``); sets :attr:`numbers_as_written`."""
        self.numbers_as_written = True
        try:
            return self._scan(text, 0)
        except StopIteration as stop:  # what JSONDecoder.raw_decode turns into its error
            raise json.JSONDecodeError("Expecting value", text, stop.value) from None

    def _int(self, text: str) -> int | float:
        value = int(text)
        if _INT64_MIN <= value < _UINT64_LIMIT:
            if text == "-0":  # JSON has no other spelling of an integer that repr writes otherwise
                self.numbers_as_written = False
            elif len(self._ints) < _NUMBER_CACHE_LIMIT:
                self._ints[text] = value
            return value
        self.numbers_as_written = False  # beyond 64 bits: a double, written in another form
        return float(text)

    def _float(self, text: str) -> float:
        value = _yyjson_float(text)
        if fluent_bit_float(value) != text:
            self.numbers_as_written = False
        elif len(self._floats) < _NUMBER_CACHE_LIMIT:
            self._floats[text] = value
        return value


def parse_json_object(text: str, where: str = "json parser") -> Pairs | None:
    """What the ``json`` parser format makes of ``text``: a map, or ``None`` when it refuses.

    Raises:
        NotSimulated: a number right after the first value where yyjson's and
            Python's number grammars differ (``1.`` or ``01``).
    """
    length = len(text)
    start = 0
    if length and text[0] in _WHITE:
        while start < length and text[start] in _WHITE:
            start += 1
    decode = _YYJSON.raw_decode if "[" in text else _YYJSON_NO_ARRAYS.raw_decode
    try:
        value, end = decode(text, start)
    except (ValueError, RecursionError):
        return None
    if type(value) is not Pairs:
        return None
    remember_source(value, text if start == 0 and end == length else text[start:end])
    if end == length:
        return value
    while end < length and text[end] in _WHITE:
        end += 1
    if end >= length:
        return value
    try:
        second, second_end = decode(text, end)
    except (ValueError, RecursionError):
        return value  # trailing text that is not JSON ends the input
    if isinstance(second, int | float) and not isinstance(second, bool):
        if second_end < length and _NUMBER_TAIL.match(text, second_end):
            raise NotSimulated(
                f"{where}: whether yyjson reads {text[end : second_end + 1]!r} after the JSON value as a number is "
                "not simulated: results after it are unknown"
            )
    return None  # two values: records != 1


def _jsmn_float(text: str) -> int | float:
    if "." in text or "e+" in text or "e-" in text or "E+" in text or "E-" in text:
        return float(text)
    digits = re.match(r"-?[0-9]*", text).group(0)  # type: ignore[union-attr]
    return _jsmn_int(digits or "0")


def _jsmn_int(text: str) -> int | float:
    value = int(text)
    if _INT64_MIN <= value < _UINT64_LIMIT:
        return value
    return float(text)


_JSMN = json.JSONDecoder(
    object_pairs_hook=pairs_hook, parse_int=_jsmn_int, parse_float=_jsmn_float, parse_constant=_refuse_constant
)


def decode_json_field(text: str, where: str) -> Pairs | None:
    """The ``json`` decoder (src/flb_parser_decoder.c ``decode_json``): a map, or ``None`` when it fails.

    Leading spaces are skipped; the text must start with ``{`` or ``[``,
    hold exactly one JSON value, and that value must be a map.

    Raises:
        NotSimulated: text jsmn might read differently from strict JSON.
    """
    body = text.lstrip(" ")
    if not body or body[0] not in "{[":
        return None
    try:
        value, end = _JSMN.raw_decode(body)
    except ValueError as exc:
        position = getattr(exc, "pos", -1)
        if position >= len(body.rstrip(_WHITE)):
            return None  # incomplete JSON: jsmn reports a partial message
        raise NotSimulated(
            f"{where}: how jsmn reads the invalid JSON {body[:40]!r} is not simulated: results after it are unknown"
        ) from None
    if body[end:].strip(_WHITE):
        raise NotSimulated(
            f"{where}: how jsmn reads text after the JSON value in {body[:40]!r} is not simulated: "
            "results after it are unknown"
        )
    return value if type(value) is Pairs else None

"""Records as Fluent Bit holds them, and their JSON, for the preview's hot path.

Fluent Bit holds a record as a msgpack map: keys keep their order and the
same key may appear twice (``record_modifier`` appends without checking, see
plugins/filter_record_modifier/filter_modifier.c). :class:`Pairs` keeps both
properties so the preview prints what an output really receives; arrays are
tuples, so a record is immutable all the way down.

:func:`decode_json` and :func:`encode_json` convert records from and to
compact JSON, keeping duplicate keys and non-ASCII text; every preview line
goes through them, so both are written for speed (the C decoder builds
:class:`Pairs` directly; the encoder caches key texts).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from json.encoder import encode_basestring as json_string
from typing import Final, TypeAlias, Union

__all__ = [
    "MISSING",
    "Missing",
    "Pairs",
    "Value",
    "decode_json",
    "encode_json",
    "encode_map",
    "fluent_bit_float",
    "encode_output_json",
    "has_repeated_keys",
    "last_keys_only",
    "last_values",
    "freeze",
    "from_python",
    "is_array",
    "json_string",
    "pairs_hook",
    "remember_extension",
    "remember_source",
    "remember_written",
    "to_python",
    "written_as_is",
]


class Missing:
    """Marker for a key or path that is not in the record."""

    _instance: Missing | None = None

    def __new__(cls) -> Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Final = Missing()

Value: TypeAlias = Union[str, int, float, bool, "Pairs", tuple["Value", ...], None]


class Pairs(tuple):  # type: ignore[type-arg]
    """An ordered map that, like a msgpack map, may hold the same key twice.

    Immutable: every change returns a new :class:`Pairs`.

    Example:
        >>> Pairs((("a", 1), ("b", 2))).last("b")
        2
    """

    # No __new__ of its own: ``Pairs(items)`` is tuple's C constructor, so the
    # JSON decoder builds maps at C speed (``object_pairs_hook=Pairs``).

    @classmethod
    def trusted(cls, items: Sequence[tuple[str, Value]]) -> Pairs:
        """A :class:`Pairs` of ``items`` (``(str, value)`` pairs), as ``Pairs(items)``."""
        return tuple.__new__(cls, items)

    def last(self, key: str) -> Value | Missing:
        """The value of the last entry named ``key`` (how record accessors look up)."""
        for k, v in reversed(self):
            if k == key:
                value: Value = v
                return value
        return MISSING

    def keys(self) -> tuple[str, ...]:
        """Entry names in order, duplicates included."""
        return tuple(k for k, _ in self)

    def appended(self, key: str, value: Value) -> Pairs:
        """A copy with ``key: value`` added at the end, even if ``key`` exists."""
        return Pairs((*self, (key, value)))

    def to_python(self) -> dict[str, object]:
        """A plain dict (last duplicate wins), for tests and callers that need one."""
        return {k: to_python(v) for k, v in self}


def to_python(value: Value | Missing) -> object:
    """Convert :class:`Pairs` and tuples inside ``value`` to dicts and lists."""
    if isinstance(value, Pairs):
        return value.to_python()
    if isinstance(value, tuple):
        return [to_python(v) for v in value]
    return value


def from_python(value: object) -> Value:
    """Convert dicts and lists (e.g. from ``json.loads``) to the record model."""
    if isinstance(value, dict):
        return Pairs(tuple((str(k), from_python(v)) for k, v in value.items()))
    if isinstance(value, Pairs):
        return value
    if isinstance(value, list | tuple):
        return tuple(from_python(v) for v in value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"cannot hold {type(value).__name__} in a record")


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def pairs_hook(items: list[tuple[str, object]]) -> Pairs:
    """``object_pairs_hook`` that builds the record model directly: maps as :class:`Pairs`, arrays as tuples.

    Objects inside arrays were already hooked, so only arrays need converting.
    """
    for item in items:
        if type(item[1]) is list:
            return Pairs((k, _frozen_list(v)) for k, v in items)
    return Pairs(items)


def _frozen_list(value: object) -> Value:
    if type(value) is list:
        return tuple(_frozen_list(v) for v in value)
    return value  # type: ignore[return-value]


_DECODER = json.JSONDecoder(object_pairs_hook=pairs_hook, parse_constant=_reject_constant)
_DECODER_NO_ARRAYS = json.JSONDecoder(object_pairs_hook=Pairs, parse_constant=_reject_constant)


def decode_json(text: str) -> Value:
    """Parse JSON text keeping key order and duplicate keys.

    Raises:
        ValueError: the text is not one JSON value (NaN and Infinity included).
    """
    if "[" not in text:
        return _DECODER_NO_ARRAYS.decode(text)  # type: ignore[no-any-return]
    return _frozen_list(_DECODER.decode(text))


def freeze(value: object) -> Value:
    """Make JSON-decoded data immutable: lists become tuples, inside maps too."""
    if isinstance(value, Pairs):
        return Pairs(tuple((k, freeze(v)) for k, v in value))
    if isinstance(value, list | tuple):
        return tuple(freeze(v) for v in value)
    return value  # type: ignore[return-value]


def is_array(value: object) -> bool:
    """Whether ``value`` is a JSON array in the record model (a tuple, not a map)."""
    return isinstance(value, tuple) and not isinstance(value, Pairs)


def encode_json(value: Value | Missing) -> str:
    """Compact JSON for ``value``, keeping duplicate keys and non-ASCII text.

    Non-finite floats and missing values are written as ``null``.
    """
    return _encode(value)


#: Encoded ``{"key":`` (first entry) and ``,"key":`` (later entries): records repeat their key names.
_FIRST_KEY: dict[str, str] = {}
_NEXT_KEY: dict[str, str] = {}
_KEY_TEXT_LIMIT = 65_536


#: ``(double)(long long)v == v`` in msgpack2json holds only within long long's range.
_LONG_LONG = 2.0**63


def fluent_bit_float(value: float) -> str:
    """A float as Fluent Bit's outputs write it in JSON (``msgpack2json``, src/flb_pack.c, v4.2.2).

    A whole number is written ``%.1f`` (``2.0``); any other value ``%.16g``,
    which shows a decimal's binary error where Python's shortest form hides
    it (``0.087`` is written ``0.08699999999999999``). NaN and the infinities
    come out as C prints them (``nan``, ``inf``): ``json.convert_nan_to_null``
    is off by default.

    Example:
        >>> [fluent_bit_float(v) for v in (2.0, 0.5, 0.087)]
        ['2.0', '0.5', '0.08699999999999999']
    """
    if -_LONG_LONG <= value < _LONG_LONG and value == int(value):
        return f"{value:.1f}"
    return f"{value:.16g}"


def _encode(value: Value | Missing) -> str:
    kind = type(value)
    if kind is Pairs:
        return encode_map(value) if value else "{}"  # type: ignore[arg-type]
    if kind is str:
        return json_string(value)  # type: ignore[arg-type]
    if kind is int:
        return int.__repr__(value)
    if kind is bool:
        return "true" if value else "false"
    if value is None or value is MISSING:
        return "null"
    if kind is float:
        return fluent_bit_float(value)  # type: ignore[arg-type]
    if isinstance(value, tuple):
        return "[" + ",".join([_encode(v) for v in value]) + "]"
    return json.dumps(value, ensure_ascii=False)


def _encode_map(
    value: Pairs,
    js: Callable[[str], str] = json_string,
    first: dict[str, str] = _FIRST_KEY,
    following: dict[str, str] = _NEXT_KEY,
    irepr: Callable[[int], str] = int.__repr__,
    frepr: Callable[[float], str] = fluent_bit_float,
) -> str:
    """A non-empty map: the hot path of every preview, hence bound locals, cached key texts, no concatenation."""
    parts: list[str] = []
    append = parts.append
    keys = first
    for key, item in value:
        prefix = keys.get(key)
        if prefix is None:
            prefix = ("{" if keys is first else ",") + js(key) + ":"
            if len(keys) < _KEY_TEXT_LIMIT:
                keys[key] = prefix
        keys = following
        append(prefix)
        kind = type(item)
        if kind is str:
            append(js(item))
        elif kind is int:
            append(irepr(item))
        elif kind is Pairs:
            append(_encode_map(item) if item else "{}")
        elif kind is float:
            append(frepr(item))
        elif item is None:
            append("null")
        elif kind is bool:
            append("true" if item else "false")
        else:
            append(_encode(item))
    append("}")
    return "".join(parts)


# --- where a map came from ------------------------------------------------------------------------------
#
# A json parser notes the text it read a map from, and record_modifier notes that its result is a map it
# extended with a fixed tail (FireLens's ecs_* keys): the table finds the map an app's line held without
# decoding it again, and a copy with FireLens's tail reuses the tail's encoding. When the parser can also
# prove cheaply that the text is already in the form encode_json writes (written_as_is, with the number
# check its reader made while decoding), the text is the map's encoding and nothing is encoded at all.

#: Attribute of a map holding where its JSON can come from: the text it was read from, or
#: ``(map it extends, encoded tail)``.
_SOURCE = "_source_json"
#: Attribute of a map holding its encoding, when that is the text it was read from (remember_written).
_WRITTEN = "_written_json"

#: A space next to ``{}[]:,``: in a JSON text, where white space outside strings always is.
_SPACE_BY_STRUCTURE = re.compile(r" (?:(?=[{}\[\]:,])|(?<=[{}\[\]:,] ))")
#: An escape json_string never writes (``\/``, ``\uXXXX``), or ``\\`` before a ``/`` or ``u``.
_ESCAPE_NOT_WRITTEN = re.compile(r"\\[/u]")


def written_as_is(text: str) -> bool:
    """Whether ``text`` is written as encode_json writes the map read from it, numbers aside.

    ``text`` must be one JSON map, from its ``{`` to its ``}``, that a
    strict reader (:mod:`json`'s) accepted.

    Exact, and cheap (no pass over the tokens): a strict reader refuses
    control characters inside strings, so a string's characters are written
    as they are, and its escapes are those :func:`json_string` writes unless
    one is ``\\/`` or ``\\u`` (looked for as text, so ``\\\\u`` also
    counts: a false no only costs an encoding). White space outside strings
    lies between two tokens, one of them ``{}[]:,``: a tab, CR or LF
    anywhere means it may be there; a space next to one of those is looked
    at again, in what stands outside the strings.
    Numbers are for the reader to check (:class:`~firelens_cdktf.fluentbit.parsers.MapReader`).
    """
    if "\t" in text or "\n" in text or "\r" in text:
        return False
    if "\\" in text and _ESCAPE_NOT_WRITTEN.search(text) is not None:
        return False
    found = _SPACE_BY_STRUCTURE.search(text)
    if found is None:
        return True
    if "\\\\" not in text:
        # No escaped backslash: each backslash opens an escape, so each quote not after one opens or closes a
        # string, and a space stands outside strings when an even number of those come before it.
        count = text.count
        while found is not None:
            at = found.start()
            if not (count('"', 0, at) - count('\\"', 0, at)) & 1:
                return False
            found = _SPACE_BY_STRUCTURE.search(text, at + 1)
        return True
    # A space by {}[]:, that may stand inside a string ("a, b"): look at what stands outside strings. Once
    # each escaped backslash and then each escaped quote is taken out (escapes pair up from the left, as
    # str.replace does), every '"' left opens or closes a string, so split('"')'s even pieces are the outside.
    bare = text.replace("\\\\", "").replace('\\"', "") if "\\" in text else text
    return " " not in "".join(bare.split('"')[::2])


def remember_source(value: Pairs, text: str) -> None:
    """Note that ``value`` is exactly what a JSON reader made of ``text`` (see :func:`encode_map`)."""
    setattr(value, _SOURCE, text)


def remember_written(value: Pairs, text: str) -> None:
    """Note that ``text``, which ``value`` was read from, is also its encoding (see :func:`written_as_is`)."""
    setattr(value, _SOURCE, text)
    setattr(value, _WRITTEN, text)


def remember_extension(value: Pairs, base: Pairs, tail_json: str) -> None:
    """Note that ``value`` is ``base`` followed by entries whose encoding (without braces) is ``tail_json``."""
    if getattr(base, _SOURCE, None) is not None:
        setattr(value, _SOURCE, (base, tail_json))


# --- what an output writes -------------------------------------------------------------------------------
#
# Fluent Bit's outputs that write JSON (cloudwatch_logs, kinesis_firehose, file...) turn the msgpack record into
# text with msgpack2json (src/flb_pack.c, v4.2.2): a map key that appears again later in the same map is skipped
# (``key_exists_in_map`` looks from the next entry on), so each key is written once, the *last* one, at its own
# position; nested maps alike. A record passing FireLens's filter twice (a route's copy with Reserve_Data, a
# joined multiline record) holds ``ecs_*`` twice, yet CloudWatch Logs and Firehose receive them once.


#: Attribute of a map holding :func:`last_values` of it (public: the hot paths in filters/ read it inline).
LAST_VALUES_ATTRIBUTE = "_last_values"


def last_values(value: Pairs) -> dict[str, Value]:
    """Each top-level key of ``value`` with its last entry's value, as record accessors read a key.

    Built once per map, in C, and kept on it (maps are immutable): the
    filters, the output's repeated-key check and the table's description all
    look keys up in the same record.

    Example:
        >>> last_values(Pairs((("a", 1), ("b", 2), ("a", 3))))
        {'a': 3, 'b': 2}
    """
    found: dict[str, Value] | None = getattr(value, LAST_VALUES_ATTRIBUTE, None)
    if found is None:
        found = dict(iter(value))  # iter: with Pairs.keys(), dict() would read it as a mapping
        setattr(value, LAST_VALUES_ATTRIBUTE, found)
    return found


def has_repeated_keys(value: Pairs) -> bool:
    """Whether a key appears twice at the top level of ``value``.

    Only the top level is looked at: that is where FireLens's filter, a
    parser's ``Reserve_Data`` and ``record_modifier`` repeat keys. A key
    repeated only inside a nested map (an app's JSON object naming a key
    twice) is not looked for: checking every level of every record would
    cost the preview about a tenth of its speed for a case that rare.
    """
    return len(dict(iter(value))) != len(value)  # iter: with Pairs.keys(), dict() would read it as a mapping


def last_keys_only(value: Value) -> Value:
    """``value`` with every map keeping only the last entry of each key, where it stands (msgpack2json's rule)."""
    if type(value) is Pairs:
        entries = value
        keep = {key: index for index, (key, _) in enumerate(entries)}  # the last index of each key wins
        return Pairs.trusted(
            [(key, last_keys_only(item)) for index, (key, item) in enumerate(entries) if keep[key] == index]
        )
    if type(value) is tuple:
        return tuple(last_keys_only(item) for item in value)
    return value


def encode_output_json(value: Pairs) -> str:
    """The JSON an output writes for the record ``value``: :func:`encode_json` with each key once, the last.

    Example:
        >>> encode_output_json(Pairs((("a", 1), ("b", 2), ("a", 3))))
        '{"b":2,"a":3}'
    """
    if not value:
        return "{}"
    if len(getattr(value, LAST_VALUES_ATTRIBUTE, None) or last_values(value)) != len(value):  # has_repeated_keys
        return _encode_map(last_keys_only(value))  # type: ignore[arg-type]
    return encode_map(value)


def encode_map(value: Pairs) -> str:
    """:func:`encode_json` of a non-empty :class:`Pairs`, reusing a text known to be its encoding, or its tail's."""
    written = getattr(value, _WRITTEN, None)
    if written is not None:
        return written  # type: ignore[no-any-return]
    source = getattr(value, _SOURCE, None)
    if type(source) is tuple:  # base + a tail whose encoding is known (remember_extension)
        base: Pairs
        tail: str
        base, tail = source
        if not base:
            return "{" + tail + "}"
        return encode_map(base)[:-1] + "," + tail + "}"
    return _encode_map(value)

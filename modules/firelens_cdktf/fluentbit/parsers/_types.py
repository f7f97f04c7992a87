"""A parser's ``Types``: src/flb_parser.c ``proc_types_str`` and ``flb_parser_typecast``, v4.2.2.

``Types status:integer size:float`` casts the named keys of what the
``regex``, ``logfmt`` and ``ltsv`` formats produce (``json`` ignores it).
The casts are C's: ``atoll`` for ``integer`` (saturating at the 64-bit
limits), ``strtoull(.., 16)`` for ``hex``, ``atof`` for ``float``; ``bool``
is true for a value starting with ``true`` and false for one starting with
``false`` (any case), and anything else stays a string with a warning. An
entry without ``:`` is ignored; an unknown type name means string.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from firelens_cdktf.fluentbit.record_accessor import Value
from firelens_cdktf.fluentbit.split import utils_split
from firelens_cdktf.fluentbit.unknown import NotSimulated

INTEGER, HEX, FLOAT, BOOL, STRING = "integer", "hex", "float", "bool", "string"
#: Types whose values a regex never matches (record accessors test strings only).
NOT_STRING = frozenset({INTEGER, HEX, FLOAT, BOOL})

_C_SPACE = " \t\n\v\f\r"
_INT = re.compile(r"[+-]?[0-9]*")
_HEX_DIGITS = re.compile(r"[0-9a-fA-F]*")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_HEX_FLOAT = re.compile(r"[+-]?0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?[0-9]+)?")
_SPECIAL = re.compile(r"([+-]?)(infinity|inf|nan(?:\([0-9A-Za-z_]*\))?)", re.IGNORECASE)
_INT64 = (-(2**63), 2**63 - 1)


def parse_types(text: str) -> dict[str, str]:
    """``Types`` as ``proc_types_str`` reads it: key -> type name; the first entry for a key wins."""
    types: dict[str, str] = {}
    for entry in utils_split(text, " ", 256) or []:
        key, colon, name = entry.partition(":")
        if not colon:
            continue
        lowered = name.lower()
        types.setdefault(key, lowered if lowered in (INTEGER, HEX, FLOAT, BOOL) else STRING)
    return types


def typecast(types: Mapping[str, str], key: str, value: str) -> Value:
    """The value ``flb_parser_typecast`` packs for ``key``."""
    kind = types.get(key)
    if kind is None or kind == STRING:
        return value
    if kind == INTEGER:
        return _atoll(value)
    if kind == HEX:
        return _strtoull16(value)
    if kind == FLOAT:
        number = _atof(value)
        if not math.isfinite(number):
            raise NotSimulated(
                f"Types casts {key}={value!r} to {number}, and how outputs write a non-finite number is not simulated"
            )
        return number
    lowered = value[:5].lower()
    if lowered.startswith("true"):
        return True
    if lowered == "false":
        return False
    return value  # "cast error. save as string."


def _atoll(text: str) -> int:
    found = _INT.match(text.lstrip(_C_SPACE))
    digits = found.group(0) if found else ""
    if digits in ("", "+", "-"):
        return 0
    return max(_INT64[0], min(_INT64[1], int(digits)))


def _strtoull16(text: str) -> int:
    rest = text.lstrip(_C_SPACE)
    negative = rest.startswith("-")
    if rest[:1] in "+-" and rest:
        rest = rest[1:]
    if rest[:2] in ("0x", "0X") and _HEX_DIGITS.match(rest, 2).group(0):  # type: ignore[union-attr]
        rest = rest[2:]
    digits = _HEX_DIGITS.match(rest).group(0)  # type: ignore[union-attr]
    if not digits:
        return 0
    value = int(digits, 16)
    if value > 2**64 - 1:
        return 2**64 - 1
    return (-value) % 2**64 if negative else value


def _atof(text: str) -> float:
    rest = text.lstrip(_C_SPACE)
    hexed = _HEX_FLOAT.match(rest)
    if hexed:
        body = hexed.group(0)
        return float.fromhex(body if "p" in body.lower() else body + "p0")
    special = _SPECIAL.match(rest)
    if special:
        sign = -1.0 if special.group(1) == "-" else 1.0
        return sign * (math.nan if special.group(2).lower().startswith("nan") else math.inf)
    found = _DECIMAL.match(rest)
    if not found:
        return 0.0
    return float(found.group(0))

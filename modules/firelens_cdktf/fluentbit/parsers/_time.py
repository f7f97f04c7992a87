"""A parser's ``Time_Format``, ``Time_Key``, ``Time_Keep``, ``Time_Strict``: src/flb_parser.c, v4.2.2.

``flb_parser_create`` prepares the format (a format without a year gets
``%Y `` in front and the string the current year; ``%L`` splits it in two);
``flb_parser_time_lookup`` then reads a value. Only whether that succeeds
reaches the record, so :meth:`ParserTime.reads` answers exactly that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from firelens_cdktf.fluentbit.parsers._strptime import strptime_end

#: A year for formats without one; the year never decides success.
_FILLER_YEAR = b"2024 "
#: ``char tmp[64]`` in ``flb_parser_time_lookup``.
_TIME_BUFFER = 64
_SUBSECONDS = re.compile(rb"0\.[0-9]*(?:[eE][+-]?[0-9]+)?")


@dataclass(frozen=True)
class ParserTime:
    """How one parser reads its time key.

    Attributes:
        key: ``Time_Key`` (default ``time``).
        keep: ``Time_Keep`` as ``flb_utils_bool`` gave it (1, 0 or -1): each
            format compares it differently, so the raw value is kept.
        strict: ``Time_Strict`` likewise (default 1).
        fmt: the format up to ``%L`` (with ``%Y `` in front when it has no year).
        after_fraction: the format after ``%L``, or ``None`` without ``%L``.
        with_year: whether the format names the year (``%Y``, ``%y`` or ``%s``).
    """

    key: str
    keep: int
    strict: int
    fmt: bytes
    after_fraction: bytes | None
    with_year: bool

    @classmethod
    def create(cls, fmt: str, key: str | None, keep: int, strict: int) -> ParserTime:
        """The time settings as ``flb_parser_create`` prepares them."""
        raw = fmt.encode("utf-8")
        with_year = b"%Y" in raw or b"%y" in raw or b"%s" in raw
        full = raw if with_year else b"%Y " + raw
        before, marker, after = full.partition(b"%L")
        return cls(key or "time", keep, strict, before, after if marker else None, with_year)

    def reads(self, value: str) -> bool:
        """Whether ``flb_parser_time_lookup`` returns success for ``value``."""
        data = value.encode("utf-8", "surrogatepass")
        if len(data) > _TIME_BUFFER - 1:
            return False
        if not self.with_year:
            if len(data) + 6 >= _TIME_BUFFER:
                return False
            data = _FILLER_YEAR + data
        data = data.split(b"\x00", 1)[0]  # the C string ends at a NUL
        hour = [0]
        end = strptime_end(data, self.fmt, hour)
        if end is None:
            return not self.strict
        if self.after_fraction is None:
            return True
        rest = data[end:]
        fraction = _SUBSECONDS.match(b"0." + rest[:9])
        consumed = fraction.end() - 2 if fraction else 0
        if consumed <= 0:
            return not self.strict
        if strptime_end(rest[consumed:], self.after_fraction, hour) is None:
            return not self.strict
        return True


def tzone_offset_valid(text: str) -> bool:
    """``flb_parser_tzone_offset``: whether ``Time_Offset`` reads (``Z``, ``+hhmm``, ``-hh:mm``)."""
    if text.startswith("Z"):
        return True
    if not text or text[0] not in "+-" or len(text) < 4:
        return False
    digits = text[1:]
    try:
        hour = int(digits[0:2]) if digits[0:2].isdigit() else -1
        if len(digits) == 5 and digits[2] == ":":
            minute = int(digits[3:5]) if digits[3:5].isdigit() else -1
        else:
            minute = int(digits[2:4]) if digits[2:4].isdigit() else -1
    except ValueError:
        return False
    return 0 <= hour <= 59 and 0 <= minute <= 59

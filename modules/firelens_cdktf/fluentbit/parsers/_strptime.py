"""Whether Fluent Bit reads a time string with a ``Time_Format``: src/flb_strptime.c, v4.2.2.

A parser's time handling changes the *record* only through success or
failure (the time key is removed, kept, or the whole parse fails), so this
port answers "where does the match end", not "which instant is it". It
follows ``_flb_strptime`` (OpenBSD's strptime as Fluent Bit patched it) in
the C locale, which is what the aws-for-fluent-bit image runs:

- white space in the format eats any white space in the input; every other
  format character needs input left (``if (*bp == '\\0') return NULL``);
- numbers are read by ``_conv_num``: at most as many digits as the upper
  bound has, then range-checked;
- names (``%a %b %p``) compare case-insensitively, full name first;
- ``%Z`` knows the abbreviations in ``flb_known_timezones`` (not followed
  by a letter or digit), then ``GMT``/``UTC`` as written, then the system
  ``tzname`` (``UTC`` in the image); ``%z`` reads ``Z``, ``UT``/``UTC``,
  ``GMT``, the RFC 822 zones and ``+hh[:][mm]``;
- an unknown conversion fails; text after the format's end is ignored.
"""

from __future__ import annotations

_SPACE = b" \t\n\v\f\r"
_DAYS = (b"Sunday", b"Monday", b"Tuesday", b"Wednesday", b"Thursday", b"Friday", b"Saturday")
_ABDAYS = (b"Sun", b"Mon", b"Tue", b"Wed", b"Thu", b"Fri", b"Sat")
_MONTHS = (
    b"January",
    b"February",
    b"March",
    b"April",
    b"May",
    b"June",
    b"July",
    b"August",
    b"September",
    b"October",
    b"November",
    b"December",
)
_ABMONTHS = (b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec")
#: ``flb_known_timezones``, in its order (the first match wins).
_KNOWN_ZONES = (
    b"GMT",
    b"UTC",
    b"Z",
    b"UT",
    b"EST",
    b"EDT",
    b"CST",
    b"CDT",
    b"MST",
    b"MDT",
    b"PST",
    b"PDT",
    b"AKST",
    b"AKDT",
    b"HST",
    b"HADT",
    b"AST",
    b"ADT",
    b"NST",
    b"NDT",
    b"WET",
    b"WEST",
    b"CET",
    b"CEST",
    b"EET",
    b"EEST",
    b"MSK",
    b"ART",
    b"BRT",
    b"BRST",
    b"CLT",
    b"CLST",
    b"AEST",
    b"AEDT",
    b"ACST",
    b"ACDT",
    b"AWST",
    b"NZST",
    b"NZDT",
    b"JST",
    b"KST",
    b"SGT",
    b"IST",
    b"GST",
    b"ICT",
    b"WIB",
    b"WITA",
    b"WIT",
    b"MYT",
    b"BDT",
    b"NPT",
    b"WAT",
    b"CAT",
    b"EAT",
    b"SAST",
    b"A",
    b"B",
    b"C",
    b"D",
    b"E",
    b"F",
    b"G",
    b"H",
    b"I",
    b"K",
    b"L",
    b"M",
    b"N",
    b"O",
    b"P",
    b"Q",
    b"R",
    b"S",
    b"T",
    b"U",
    b"V",
    b"W",
    b"X",
    b"Y",
)
#: ``tzname`` in the image: no TZ is set, so both names are UTC.
_TZNAME = (b"UTC", b"UTC")
_RFC822_STANDARD = (b"EST", b"CST", b"MST", b"PST")
_RFC822_DAYLIGHT = (b"EDT", b"CDT", b"MDT", b"PDT")
_ALT_E, _ALT_O = 1, 2
#: Conversions whose C case does not call ``_LEGAL_ALT``.
_UNCHECKED_ALT = frozenset({"g", "G", "V", "s", "Z", "z", "%"})
_INT64_MAX = 2**63 - 1
#: ``gmtime_r`` fails once the year no longer fits an int.
_GMTIME_MAX_SECONDS = 67_768_036_191_676_799


def _ci_prefix(data: bytes, at: int, name: bytes) -> bool:
    return data[at : at + len(name)].lower() == name.lower()


def _conv_num(data: bytes, at: int, low: int, high: int) -> tuple[int, int] | None:
    """``_conv_num``: (value, end) or ``None``."""
    if at >= len(data) or not 0x30 <= data[at] <= 0x39:
        return None
    result = 0
    rulim = high
    while True:
        result = result * 10 + data[at] - 0x30
        at += 1
        rulim //= 10
        if not (result * 10 <= high and rulim and at < len(data) and 0x30 <= data[at] <= 0x39):
            break
    if result < low or result > high:
        return None
    return result, at


def _conv_num64(data: bytes, at: int) -> tuple[int, int] | None:
    if at >= len(data) or not 0x30 <= data[at] <= 0x39:
        return None
    result = 0
    rulim = _INT64_MAX
    while True:
        if result > 922337203685477580:
            return None
        result *= 10
        if result > 9223372036854775760:
            return None
        result += data[at] - 0x30
        at += 1
        rulim //= 10
        if result >= 922337203685477580:
            return None
        if not (result * 10 <= _INT64_MAX and rulim and at < len(data) and 0x30 <= data[at] <= 0x39):
            break
    return result, at


def strptime_end(data: bytes, fmt: bytes, hour: list[int] | None = None) -> int | None:
    """Where ``_flb_strptime(data, fmt)`` stops reading, or ``None`` when it fails.

    ``hour`` carries ``tm_hour`` across calls (``%p`` rejects hours past 12).
    """
    state = hour if hour is not None else [0]
    return _strptime(data, 0, fmt, state)


def _strptime(data: bytes, bp: int, fmt: bytes, hour: list[int]) -> int | None:
    f = 0
    size = len(data)
    while f < len(fmt):
        c = fmt[f]
        alt = 0
        if c in _SPACE:
            while bp < size and data[bp] in _SPACE:
                bp += 1
            f += 1
            continue
        if bp >= size:
            return None
        f += 1
        if c != 0x25:  # literal
            if data[bp] != c:
                return None
            bp += 1
            continue
        while True:
            c = fmt[f] if f < len(fmt) else 0
            f += 1
            if c in (ord("E"), ord("O")):
                if alt:
                    return None
                alt |= _ALT_E if c == ord("E") else _ALT_O
                continue
            break
        conversion = chr(c) if c else ""
        allowed = {
            "c": _ALT_E,
            "C": _ALT_E,
            "X": _ALT_E,
            "x": _ALT_E,
            "Y": _ALT_E,
            "y": _ALT_E | _ALT_O,
            "d": _ALT_O,
            "e": _ALT_O,
            "H": _ALT_O,
            "I": _ALT_O,
            "M": _ALT_O,
            "m": _ALT_O,
            "S": _ALT_O,
            "U": _ALT_O,
            "W": _ALT_O,
            "w": _ALT_O,
            "u": _ALT_O,
        }.get(conversion, 0)
        if conversion not in _UNCHECKED_ALT and alt & ~allowed:
            return None
        step = _conversion(conversion, data, bp, hour)
        if step is None:
            return None
        bp = step
    return bp


def _conversion(conversion: str, data: bytes, bp: int, hour: list[int]) -> int | None:
    size = len(data)
    composite = {
        "D": b"%m/%d/%y",
        "F": b"%Y-%m-%d",
        "R": b"%H:%M",
        "r": b"%I:%M:%S %p",
        "T": b"%H:%M:%S",
        "c": b"%a %b %e %H:%M:%S %Y",
        "x": b"%m/%d/%y",
        "X": b"%H:%M:%S",
    }
    ranges = {
        "C": (0, 99),
        "d": (1, 31),
        "H": (0, 23),
        "k": (0, 23),
        "I": (1, 12),
        "l": (1, 12),
        "j": (1, 366),
        "M": (0, 59),
        "m": (1, 12),
        "S": (0, 60),
        "U": (0, 53),
        "W": (0, 53),
        "w": (0, 6),
        "u": (1, 7),
        "g": (0, 99),
        "V": (0, 53),
        "Y": (0, 9999),
        "y": (0, 99),
    }
    if conversion == "%":
        return bp + 1 if data[bp] == 0x25 else None
    if not conversion:
        return None
    if conversion in composite:
        return _strptime(data, bp, composite[conversion], hour)
    if conversion in "aA":
        return _name(data, bp, _DAYS, _ABDAYS)
    if conversion in "bBh":
        return _name(data, bp, _MONTHS, _ABMONTHS)
    if conversion == "e" and data[bp] in _SPACE:
        bp += 1
        conversion = "d"
    if conversion in ranges:
        low, high = ranges["d" if conversion == "e" else conversion]
        read = _conv_num(data, bp, low, high)
        if read is None:
            return None
        if conversion in "HkIl":
            hour[0] = read[0]
        return read[1]
    if conversion == "p":
        for name, pm in ((b"AM", False), (b"PM", True)):
            if _ci_prefix(data, bp, name):
                if hour[0] > 12:
                    return None
                if pm and hour[0] < 12:
                    hour[0] += 12
                elif not pm and hour[0] == 12:
                    hour[0] = 0
                return bp + 2
        return None
    if conversion == "s":
        read64 = _conv_num64(data, bp)
        if read64 is None or read64[0] > _GMTIME_MAX_SECONDS:
            return None
        return read64[1]
    if conversion == "G":
        bp += 1
        while bp < size and 0x30 <= data[bp] <= 0x39:
            bp += 1
        return bp
    if conversion in "nt":
        while bp < size and data[bp] in _SPACE:
            bp += 1
        return bp
    if conversion == "Z":
        return _zone_name(data, bp)
    if conversion == "z":
        return _zone_offset(data, bp)
    return None


def _name(data: bytes, bp: int, full: tuple[bytes, ...], short: tuple[bytes, ...]) -> int | None:
    for long_name, short_name in zip(full, short, strict=True):
        if _ci_prefix(data, bp, long_name):
            return bp + len(long_name)
        if _ci_prefix(data, bp, short_name):
            return bp + len(short_name)
    return None


def _zone_name(data: bytes, bp: int) -> int | None:
    for abbr in _KNOWN_ZONES:
        if _ci_prefix(data, bp, abbr):
            after = data[bp + len(abbr) : bp + len(abbr) + 1]
            if not (after and after.isalnum()):
                return bp + len(abbr)
    if data[bp : bp + 3] in (b"GMT", b"UTC"):
        return bp + 3
    for name in _TZNAME:
        if _ci_prefix(data, bp, name):
            return bp + len(name)
    return None


def _zone_offset(data: bytes, bp: int) -> int | None:
    size = len(data)
    while bp < size and data[bp] in _SPACE:
        bp += 1
    if bp >= size:
        return None
    first = data[bp]
    bp += 1
    if first == ord("G"):
        if data[bp : bp + 2] != b"MT":
            return None
        return bp + 2
    if first == ord("U"):
        if data[bp : bp + 1] != b"T":
            return None
        bp += 1
        return bp + 1 if data[bp : bp + 1] == b"C" else bp
    if first == ord("Z"):
        return bp
    if first not in (ord("+"), ord("-")):
        bp -= 1
        for names in (_RFC822_STANDARD, _RFC822_DAYLIGHT):
            for name in names:
                if _ci_prefix(data, bp, name):
                    return bp + len(name)
        return None
    if not (data[bp : bp + 1].isdigit() and data[bp + 1 : bp + 2].isdigit()):
        return None
    bp += 2
    if data[bp : bp + 1] == b":":
        bp += 1
    if data[bp : bp + 1].isdigit():
        bp += 1
        if not data[bp : bp + 1].isdigit():
            return None
        bp += 1
    return bp

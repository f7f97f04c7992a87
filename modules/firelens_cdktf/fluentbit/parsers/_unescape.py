"""Fluent Bit's three unescapers, byte for byte (src/flb_unescape.c, v4.2.2).

- :func:`unescape_utf8` is ``flb_unescape_string_utf8``: logfmt's quoted
  values and the ``escaped_utf8`` decoder.
- :func:`unescape_simple` is ``flb_unescape_string``: the ``escaped`` decoder.
- :func:`mysql_unquote` is ``flb_mysql_unquote_string``: the
  ``mysql_quoted`` decoder.

They work on UTF-8 bytes because that is what Fluent Bit holds; the callers
decode the result and report text that is not valid UTF-8 as not simulated.
"""

from __future__ import annotations

_SIMPLE = {
    ord("n"): 0x0A,
    ord("a"): 0x07,
    ord("b"): 0x08,
    ord("t"): 0x09,
    ord("v"): 0x0B,
    ord("f"): 0x0C,
    ord("r"): 0x0D,
    ord("\\"): 0x5C,
}
_UTF8_DIRECT = {
    ord('"'): 0x22,
    ord("'"): 0x27,
    ord("\\"): 0x5C,
    ord("/"): 0x2F,
    ord("n"): 0x0A,
    ord("b"): 0x08,
    ord("t"): 0x09,
    ord("f"): 0x0C,
    ord("r"): 0x0D,
}
_ESCAPE_LETTERS = {
    ord("n"): 0x0A,
    ord("t"): 0x09,
    ord("r"): 0x0D,
    ord("b"): 0x08,
    ord("f"): 0x0C,
    ord("v"): 0x0B,
    ord("a"): 0x07,
}
_HEX = b"0123456789abcdefABCDEF"
_OCTAL = b"01234567"
REPLACEMENT = 0xFFFD


def _utf8(code: int) -> bytes:
    """``u8_wc_toutf8``: UTF-8 for ``code``; code points past U+10FFFF become their low byte."""
    if code < 0x80:
        return bytes((code,))
    if code < 0x800:
        return bytes(((code >> 6) | 0xC0, (code & 0x3F) | 0x80))
    if code < 0x10000:
        return bytes(((code >> 12) | 0xE0, ((code >> 6) & 0x3F) | 0x80, (code & 0x3F) | 0x80))
    if code < 0x110000:
        return bytes(
            ((code >> 18) | 0xF0, ((code >> 12) & 0x3F) | 0x80, ((code >> 6) & 0x3F) | 0x80, (code & 0x3F) | 0x80)
        )
    return bytes((code & 0xFF,))


def _read_digits(data: bytes, i: int, allowed: bytes, most: int) -> tuple[str, int]:
    digits = ""
    while i < len(data) and data[i] in allowed and len(digits) < most:
        digits += chr(data[i])
        i += 1
    return digits, i


def _escape_sequence(data: bytes, start: int) -> tuple[int, int]:
    """``u8_read_escape_sequence``: (code point, bytes read) for the escape after a backslash."""
    first = data[start]
    if first in _ESCAPE_LETTERS:
        return _ESCAPE_LETTERS[first], 1
    if first in _OCTAL:
        digits, end = _read_digits(data, start, _OCTAL, 3)
        return int(digits, 8), end - start
    if first == ord("x"):
        digits, end = _read_digits(data, start + 1, _HEX, 2)
        return (int(digits, 16) if digits else first), end - start
    if first == ord("u"):
        digits, end = _read_digits(data, start + 1, _HEX, 4)
        if len(digits) != 4 and digits:
            return REPLACEMENT, end - start
        code = int(digits, 16) if digits else 0
        if 0xDC00 <= code <= 0xDFFF:
            return REPLACEMENT, end - start
        if 0xD800 <= code <= 0xDBFF:
            if end + 2 < len(data) and data[end] == ord("\\") and data[end + 1] == ord("u"):
                low_digits, low_end = _read_digits(data, end + 2, _HEX, 4)
                if len(low_digits) != 4 and low_digits:
                    return REPLACEMENT, low_end - start
                low = int(low_digits, 16) if low_digits else 0
                if 0xDC00 <= low <= 0xDFFF:
                    return 0x10000 + (((code - 0xD800) << 10) | (low - 0xDC00)), low_end - start
                return REPLACEMENT, low_end - start
            return REPLACEMENT, end - start
        return code, end - start
    if first == ord("U"):
        digits, end = _read_digits(data, start + 1, _HEX, 8)
        return (int(digits, 16) if digits else first), end - start
    # the literal character, read through a signed char: bytes past 0x7F stay raw bytes
    return (first | 0xFFFFFF00 if first >= 0x80 else first), 1


def unescape_utf8(data: bytes) -> bytes:
    """``flb_unescape_string_utf8`` on ``data`` (it stops at a NUL byte, as the C loop does)."""
    out = bytearray()
    i = 0
    size = len(data)
    while i < size and data[i]:
        if data[i] == 0x5C and i + 1 < size:
            following = data[i + 1]
            if following in _UTF8_DIRECT:
                code, used = _UTF8_DIRECT[following], 2
            else:
                code, read = _escape_sequence(data, i + 1)
                used = read + 1
            encoded = _utf8(code)
        else:
            encoded, used = bytes((data[i],)), 1
        i += used
        # "Crossing over string boundary": the output may never outgrow the input
        if len(encoded) > size - len(out):
            break
        out += encoded
    return bytes(out)


def unescape_simple(data: bytes) -> bytes:
    """``flb_unescape_string``: ``\\n \\a \\b \\t \\v \\f \\r \\\\`` decoded, other backslashes dropped.

    A backslash at the very end reads the terminating NUL, which is copied.
    """
    out = bytearray()
    i = 0
    size = len(data)
    while i < size:
        if data[i] == 0x5C:
            if i + 1 < size:
                following = data[i + 1]
                if following in _SIMPLE:
                    out.append(_SIMPLE[following])
                    i += 2
                    continue
                i += 1
                continue
            i += 1
            out.append(0)
            continue
        out.append(data[i])
        i += 1
    return bytes(out)


def mysql_unquote(data: bytes) -> bytes:
    """``flb_mysql_unquote_string``: MySQL's backslash escapes; unknown ones keep their backslash."""
    table = {
        ord("n"): b"\n",
        ord("r"): b"\r",
        ord("t"): b"\t",
        ord("\\"): b"\\",
        ord("'"): b"'",
        ord('"'): b'"',
        ord("0"): b"\x00",
        ord("Z"): b"\x1a",
    }
    out = bytearray()
    i = 0
    while i < len(data):
        c = data[i]
        i += 1
        if c != 0x5C:
            out.append(c)
        elif i >= len(data):
            out.append(c)
        else:
            n = data[i]
            i += 1
            out += table.get(n, bytes((0x5C, n)))
    return bytes(out)

"""What happens to a record too large for its path: Docker's 16 KiB split, and the AWS outputs' size limits.

The preview says which outputs receive a record; this module says what the
two AWS output plugins then *send* of it, and what Docker's log driver did to
an app's line before Fluent Bit saw it. Each rule follows its source
(fluent/fluent-bit at tag v4.2.2; moby/moby for Docker):

- **Docker splits long lines.** The log copier reads stdout into a 16 KiB
  buffer (``defaultBufSize`` in daemon/logger/copier.go); a line that fills
  it is sent in 16,384-byte pieces, the rest up to the newline last, each
  marked ``partial_message``/``partial_id``/``partial_ordinal``/
  ``partial_last`` by the fluentd driver FireLens uses
  (daemon/logger/fluentd/fluentd.go). Fluent Bit joins them only with a
  ``multiline`` filter in ``Mode partial_message``; otherwise each piece is a
  record of its own.
- **Fluent Bit renders records with \\u escapes.** Both plugins turn a
  record into JSON with ``flb_msgpack_to_json(..., json.escape_unicode)``,
  on by default (src/flb_config.c): every character outside ASCII, and DEL,
  becomes ``\\uXXXX`` (two of them past U+FFFF), so the bytes counted against
  the limits are those of :func:`fluent_bit_json`, not of the UTF-8 text.
  Bytes of a record string that are not UTF-8 (a binary line, a character
  Docker's cut split) are written as ``flb_utils_write_str`` writes them:
  :func:`fluent_bit_string`.
- **cloudwatch_logs** (plugins/out_cloudwatch_logs/cloudwatch_api.c
  ``process_event`` and ``add_event``): an empty record (``{}``) is
  discarded; the JSON is escaped again as the event's message, and a message
  whose escaped form exceeds the plugin's 1,048,576-byte buffer
  (``PUT_LOG_EVENTS_PAYLOAD_SIZE``) is discarded ("Discarding massive log
  record"); one over ``MAX_EVENT_LEN`` (1,000,000 bytes, cloudwatch_api.h)
  is truncated there (``truncate_log``, which also drops an unpaired
  trailing backslash).
- **kinesis_firehose** (plugins/out_kinesis_firehose/firehose_api.c
  ``process_event``, and src/aws/flb_aws_aggregation.c with
  ``simple_aggregation``): an empty record is discarded, and so is a record
  whose JSON plus its newline reaches ``MAX_EVENT_SIZE`` (1,024,000 bytes,
  firehose_api.h). Nothing is split or truncated.

Outputs that set ``log_key`` or (Firehose) ``time_key`` send something else
than the record's JSON; for them a record large enough for a limit to matter
gets an ``unknown`` fate instead of a guess.

Pure functions: no AWS, no I/O.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from firelens_cdktf.fluentbit.limits import (
    CLOUDWATCH_PLUGIN_BUFFER_BYTES,
    DOCKER_LOG_LINE_BUFFER_BYTES,
    FLUENT_BIT_CLOUDWATCH_MAX_EVENT_BYTES,
    FLUENT_BIT_FIREHOSE_MAX_EVENT_BYTES,
)

__all__ = [
    "CLOUDWATCH",
    "DISCARDED",
    "FIREHOSE",
    "SAFE_CHARACTERS",
    "TRUNCATED",
    "UNKNOWN_FATE",
    "Fate",
    "cloudwatch_message",
    "docker_pieces",
    "fate",
    "fluent_bit_json",
    "fluent_bit_json_size",
    "fluent_bit_string",
    "has_undecodable",
    "string_bytes",
]

#: The output plugins whose limits are modelled.
CLOUDWATCH, FIREHOSE = "cloudwatch_logs", "kinesis_firehose"
#: What a plugin does with a record it cannot send whole.
DISCARDED, TRUNCATED, UNKNOWN_FATE = "discarded", "truncated", "unknown"

#: No character renders to more than 12 bytes (a \\u surrogate pair) nor escapes
#: again to more than 14: a record this short in characters meets no limit.
_SAFE_CHARACTERS = (FLUENT_BIT_CLOUDWATCH_MAX_EVENT_BYTES - 1) // 14
_EMPTY = "{}"
#: :func:`fate` is ``None`` for a record other than ``{}`` of at most this many characters, whatever the plugin.
SAFE_CHARACTERS = _SAFE_CHARACTERS
_CW_SOURCE = "plugins/out_cloudwatch_logs/cloudwatch_api.c"
_FH_SOURCE = "plugins/out_kinesis_firehose/firehose_api.c"


@dataclass(frozen=True)
class Fate:
    """What an output plugin sends of one record, when it is not the whole record.

    Attributes:
        kind: ``discarded``, ``truncated`` or ``unknown``.
        plugin: ``cloudwatch_logs`` or ``kinesis_firehose``.
        size: bytes of the record as the plugin renders it (:func:`fluent_bit_json_size`).
        kept: bytes it sends (0 when discarded).
        reason: one sentence, with the plugin's source.
    """

    kind: str
    plugin: str
    size: int
    kept: int
    reason: str

    def describe(self) -> str:
        """``discarded by kinesis_firehose: ...`` for the table and notes."""
        verb = {DISCARDED: "discarded by", TRUNCATED: "truncated by", UNKNOWN_FATE: "not predicted for"}[self.kind]
        return f"{verb} {self.plugin}: {self.reason}"


def fluent_bit_json(text: str) -> str:
    """Compact JSON as Fluent Bit renders it with ``json.escape_unicode`` on (its default).

    Every non-ASCII character, and DEL, becomes ``\\uXXXX`` (a surrogate pair
    past U+FFFF), lower-case hex, as ``flb_utils_write_str`` writes them
    (src/flb_utils.c). ``text`` is the preview's compact JSON, which keeps
    those characters as they are; everything else is already written alike.
    A string holding bytes that are not UTF-8 (lone surrogates, see
    :func:`string_bytes`) is written byte by byte as :func:`fluent_bit_string` says.

    Example:
        >>> fluent_bit_json('{"msg":"café 🙂"}')
        '{"msg":"caf\\\\u00e9 \\\\ud83d\\\\ude42"}'
    """
    if text.isascii() and "\x7f" not in text:
        return text
    if _SURROGATE.search(text) is not None:
        return _LITERAL.sub(_fluent_bit_literal, text)
    return _escape_characters(text)


def _escape_characters(text: str) -> str:
    out: list[str] = []
    for ch in text:
        code = ord(ch)
        if code < 0x7F:
            out.append(ch)
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            code -= 0x10000
            out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
    return "".join(out)


def _fluent_bit_literal(match: re.Match[str]) -> str:
    literal = match.group()
    if _SURROGATE.search(literal) is None:
        return _escape_characters(literal)
    value: str = json.loads(literal)
    return '"' + fluent_bit_string(string_bytes(value)) + '"'


def fluent_bit_json_size(text: str) -> int:
    """Bytes of :func:`fluent_bit_json` of ``text``, without building it when it is ASCII."""
    if text.isascii():
        return len(text) + 5 * text.count("\x7f")
    rendered = fluent_bit_json(text)
    return len(rendered) if rendered.isascii() else len(rendered.encode("utf-8"))


# --- bytes that are not UTF-8 ------------------------------------------------------------
#
# Docker's log driver sends a container's stdout bytes as they are (a msgpack string may hold any bytes), and
# so do Fluent Bit's filters; only writing JSON looks at them. The preview holds such a byte as a lone
# surrogate, U+DC80..U+DCFF (Python's ``surrogateescape``), as stdin is read.

#: A lone surrogate: a byte that is not UTF-8, as the preview holds it.
_SURROGATE = re.compile("[\ud800-\udfff]")
#: A JSON string literal as the preview's compact JSON writes it.
_LITERAL = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
#: flb_utf8_len (src/flb_utf8.c): the length its lead byte announces, 1 to 6 (1 for a continuation byte).
_SEQUENCE_LENGTH = bytes(
    1 if byte < 0xC0 else 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4 if byte < 0xF8 else 5 if byte < 0xFC else 6
    for byte in range(256)
)
#: json_escape_table (src/flb_utils.c): the ASCII characters written as an escape.
_ESCAPES = {
    **{code: f"\\u{code:04x}" for code in range(0x20)},
    0x08: "\\b",
    0x09: "\\t",
    0x0A: "\\n",
    0x0C: "\\f",
    0x0D: "\\r",
    0x22: '\\"',
    0x5C: "\\\\",
    0x7F: "\\u007f",
}
#: FLB_UTILS_FRAGMENT_PRIVATE_BLOCK_DESCRIPTOR (src/flb_utils.c): an invalid byte XX is written as U+E0XX.
_FRAGMENT_BLOCK = 0xE000


def has_undecodable(text: str) -> bool:
    """Whether ``text`` holds a byte that is not UTF-8 (a lone surrogate, see :func:`string_bytes`)."""
    if text.isascii():
        return False
    try:
        text.encode("utf-8")  # three times faster than searching for one: only a lone surrogate fails
    except UnicodeEncodeError:
        return True
    return False


def string_bytes(value: str) -> bytes:
    """The bytes a record string holds in Fluent Bit, for a preview string that may hold undecodable bytes.

    A byte that is not UTF-8 is held as U+DC80..U+DCFF (``surrogateescape``);
    any other lone surrogate (a ``\\ud800`` escape in a FireLens record line)
    as its three bytes (``surrogatepass``), which are not UTF-8 either.

    Example:
        >>> string_bytes("a\\udcffé")
        b'a\\xff\\xc3\\xa9'
    """
    try:
        return value.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return b"".join(
            ch.encode(
                "utf-8",
                "surrogatepass" if "\ud800" <= ch <= "\udfff" and not "\udc80" <= ch <= "\udcff" else "surrogateescape",
            )
            for ch in value
        )


def fluent_bit_string(data: bytes, *, escape_unicode: bool = True) -> str:
    """What Fluent Bit 4.2.2 writes between the quotes of a JSON string holding ``data``.

    ``flb_utils_write_str`` (src/flb_utils.c), which ``msgpack2json``
    (src/flb_pack.c) calls for every key and string value when an output
    writes JSON, as built for Linux (``char`` signed: x86-64, and arm64 with
    ``-fsigned-char``):

    - ``json.escape_unicode`` on, the default: ``flb_utils_write_str_escaped``.
      ASCII as :data:`_ESCAPES` says; a byte from 0x80 announces a sequence of
      ``flb_utf8_len`` bytes. When fewer bytes are left in the string, the
      byte is skipped: nothing is written. Otherwise ``flb_utf8_decode``
      reads the sequence (overlong forms included, so ``C0 80`` is
      ``\\u0000``): a character becomes ``\\uXXXX`` (a surrogate pair past
      U+FFFF); bytes it rejects, up to the one it stopped at (or that one
      byte, when it was the first), become one private-use character each,
      U+E0XX for byte XX, written as UTF-8, unescaped; decoding goes on at
      the byte that stopped it.
    - ``json.escape_unicode`` off: ``flb_utils_write_str_raw``. Valid UTF-8
      (``flb_utf8_validate_char``) is copied; every byte that does not start
      a valid character becomes U+FFFD.

    Example:
        >>> fluent_bit_string(b"ok \\x80!")
        'ok \\ue080!'
        >>> fluent_bit_string(b"ok \\x80!", escape_unicode=False)
        'ok \\ufffd!'
        >>> fluent_bit_string(b"ok \\xff!")  # 0xFF announces 6 bytes and 1 is left: skipped
        'ok !'
    """
    if escape_unicode:
        return _write_str_escaped(data)
    return _write_str_raw(data)


def _write_str_escaped(data: bytes) -> str:
    out: list[str] = []
    i, size = 0, len(data)
    while i < size:
        byte = data[i]
        if byte < 0x80:
            out.append(_ESCAPES.get(byte) or chr(byte))
            i += 1
            continue
        length = _SEQUENCE_LENGTH[byte]
        if i + length > size:  # "skip truncated UTF-8": the byte is dropped
            i += 1
            continue
        code, taken = _utf8_decode(data, i, length)
        if taken == length:
            if code > 0xFFFF:
                code -= 0x10000
                out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
            else:
                out.append(f"\\u{code:04x}")
            i += length
        else:
            taken = max(taken, 1)  # a rejected lead byte is consumed alone
            out.extend(chr(_FRAGMENT_BLOCK | b) for b in data[i : i + taken])
            i += taken
    return "".join(out)


def _utf8_decode(data: bytes, start: int, length: int) -> tuple[int, int]:
    """flb_utf8_decode over ``length`` bytes: (code point, bytes accepted); fewer than ``length`` when rejected."""
    code = 0
    expected = 0
    for offset in range(length):
        byte = data[start + offset]
        if offset == 0:
            if byte & 0xE0 == 0xC0:
                code, expected = byte & 0x1F, 1
            elif byte & 0xF0 == 0xE0:
                code, expected = byte & 0x0F, 2
            elif byte & 0xF8 == 0xF0:
                code, expected = byte & 0x07, 3
            else:
                return 0, 0
        elif byte & 0xC0 == 0x80:
            code = (code << 6) | (byte & 0x3F)
            expected -= 1
        else:
            return 0, offset
        if expected == 0 and (0xD800 <= code <= 0xDFFF or code > 0x10FFFF):
            return 0, offset
    return code, length


def _write_str_raw(data: bytes) -> str:
    out: list[str] = []
    i, size = 0, len(data)
    while i < size:
        byte = data[i]
        if byte < 0x80:
            out.append(_ESCAPES.get(byte) or chr(byte))
            i += 1
            continue
        length = _valid_length(data, i)
        if length:
            out.append(data[i : i + length].decode("utf-8"))
            i += length
        else:
            out.append("\ufffd")
            i += 1
    return "".join(out)


def _valid_length(data: bytes, i: int) -> int:
    """flb_utf8_validate_char: the length of the valid UTF-8 character at ``i``, or 0."""
    lead = data[i]
    left = len(data) - i
    second = data[i + 1] if left > 1 else None
    if lead & 0xE0 == 0xC0:
        if lead < 0xC2:
            return 0  # overlong
        length = 2
    elif lead & 0xF0 == 0xE0:
        if second is not None and ((lead == 0xE0 and second < 0xA0) or (lead == 0xED and second >= 0xA0)):
            return 0  # overlong, or a surrogate
        length = 3
    elif lead & 0xF8 == 0xF0:
        if lead > 0xF4 or (
            second is not None and ((lead == 0xF0 and second < 0x90) or (lead == 0xF4 and second > 0x8F))
        ):
            return 0  # overlong, or past U+10FFFF
        length = 4
    else:
        return 0
    if left < length or any(b & 0xC0 != 0x80 for b in data[i + 1 : i + length]):
        return 0
    return length


def fate(plugin: str, text: str, *, log_key: bool = False, time_key: bool = False) -> Fate | None:
    """What ``plugin`` does with a record whose compact JSON is ``text``; ``None`` if it sends it whole.

    Args:
        plugin: the output's plugin name; other plugins return ``None``.
        text: the record as compact JSON (the preview's rendering).
        log_key: the output sets ``log_key`` (it sends one key's value).
        time_key: the output sets ``time_key`` (Firehose adds a time field).

    Example:
        >>> fate("kinesis_firehose", '{"a":"' + "x" * 1_100_000 + '"}').kind
        'discarded'
        >>> fate("cloudwatch_logs", '{"a":1}') is None
        True
    """
    if plugin not in (CLOUDWATCH, FIREHOSE):
        return None
    if len(text) <= _SAFE_CHARACTERS and text != _EMPTY:
        return None
    if log_key or (time_key and plugin == FIREHOSE):
        if text == _EMPTY:
            return None  # with log_key the plugin sends a key's value; an empty record has none to size
        option = "log_key" if log_key else "time_key"
        size = fluent_bit_json_size(text)
        return Fate(
            UNKNOWN_FATE,
            plugin,
            size,
            size,
            f"the output sets {option}, so what it sends of this {size:,}-byte record is not modelled",
        )
    if plugin == CLOUDWATCH:
        return _cloudwatch_fate(text)
    return _firehose_fate(text)


def _cloudwatch_fate(text: str) -> Fate | None:
    if text == _EMPTY:
        return Fate(DISCARDED, CLOUDWATCH, 2, 0, f"an empty record becomes no event (process_event, {_CW_SOURCE})")
    rendered = fluent_bit_json(text)
    size = len(rendered)
    escaped = size + rendered.count('"') + rendered.count("\\")
    if escaped > CLOUDWATCH_PLUGIN_BUFFER_BYTES:
        return Fate(
            DISCARDED,
            CLOUDWATCH,
            size,
            0,
            f"as an event message the {size:,}-byte record takes {escaped:,} bytes, more than the plugin's "
            f'{CLOUDWATCH_PLUGIN_BUFFER_BYTES:,}-byte buffer: "Discarding massive log record" '
            f"(add_event, {_CW_SOURCE})",
        )
    if escaped > FLUENT_BIT_CLOUDWATCH_MAX_EVENT_BYTES:
        kept = len(_cloudwatch_prefix(rendered))
        return Fate(
            TRUNCATED,
            CLOUDWATCH,
            size,
            kept,
            f"the event message is cut to its first {kept:,} of {size:,} bytes, at "
            f"MAX_EVENT_LEN {FLUENT_BIT_CLOUDWATCH_MAX_EVENT_BYTES:,} escaped bytes "
            f"(truncate_log, {_CW_SOURCE}); the stored message is no longer valid JSON",
        )
    return None


def _firehose_fate(text: str) -> Fate | None:
    if text == _EMPTY:
        return Fate(DISCARDED, FIREHOSE, 2, 0, f"an empty record is not sent (process_event, {_FH_SOURCE})")
    size = fluent_bit_json_size(text)
    if size + 1 >= FLUENT_BIT_FIREHOSE_MAX_EVENT_BYTES:
        return Fate(
            DISCARDED,
            FIREHOSE,
            size,
            0,
            f"the {size:,}-byte record with its newline reaches MAX_EVENT_SIZE "
            f'{FLUENT_BIT_FIREHOSE_MAX_EVENT_BYTES:,}: "Discarding record which is larger than max size '
            f'allowed by Firehose" (process_event, {_FH_SOURCE})',
        )
    return None


def _cloudwatch_prefix(rendered: str) -> str:
    """The longest start of ``rendered`` whose escaped form fits MAX_EVENT_LEN.

    ``truncate_log`` cuts the escaped message at MAX_EVENT_LEN and drops an
    unpaired trailing backslash; the escapes it can split are ``\\\\`` and
    ``\\"`` (the rendering is ASCII with no control characters), so the kept
    message is the longest prefix whose escaped form fits.
    """
    budget = FLUENT_BIT_CLOUDWATCH_MAX_EVENT_BYTES
    # a lower bound where the prefix surely fits (each character escapes to at most 2 bytes), then walk on
    cut = budget // 2
    used = cut + rendered.count('"', 0, cut) + rendered.count("\\", 0, cut)
    while cut < len(rendered):
        step = 2 if rendered[cut] in '"\\' else 1
        if used + step > budget:
            break
        used += step
        cut += 1
    return rendered[:cut]


def cloudwatch_message(text: str) -> str | None:
    """The message ``cloudwatch_logs`` stores for a record whose compact JSON is ``text``; ``None`` if discarded.

    The message is Fluent Bit's rendering (:func:`fluent_bit_json`), cut as
    :func:`fate` describes.

    Example:
        >>> cloudwatch_message('{"msg":"é"}')
        '{"msg":"\\\\u00e9"}'
    """
    outcome = fate(CLOUDWATCH, text)
    if outcome is None:
        return fluent_bit_json(text)
    if outcome.kind == DISCARDED:
        return None
    return _cloudwatch_prefix(fluent_bit_json(text))


def docker_pieces(line: str) -> tuple[str, ...]:
    """The ``log`` values Docker's log driver sends for one stdout line (without its newline).

    A line shorter than 16,384 UTF-8 bytes is one record. A line that fills
    the copier's 16,384-byte buffer (``defaultBufSize``, moby
    daemon/logger/copier.go) before its newline arrives is cut every 16,384
    bytes, the last piece holding the rest, which is empty when the line is
    an exact multiple. A cut inside a multi-byte character leaves its bytes split
    between two pieces; they are kept as lone surrogates (``surrogateescape``).

    Example:
        >>> [len(p) for p in docker_pieces("x" * 40_000)]
        [16384, 16384, 7232]
    """
    if len(line) * 4 < DOCKER_LOG_LINE_BUFFER_BYTES:
        return (line,)
    data = line.encode("utf-8", "surrogateescape")
    size = DOCKER_LOG_LINE_BUFFER_BYTES
    if len(data) < size:
        return (line,)
    return tuple(
        data[start : start + size].decode("utf-8", "surrogateescape")
        for start in range(0, len(data) + 1, size)
        if start < len(data) or len(data) % size == 0
    )

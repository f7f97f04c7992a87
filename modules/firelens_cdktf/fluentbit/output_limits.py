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
    "TRUNCATED",
    "UNKNOWN_FATE",
    "Fate",
    "cloudwatch_message",
    "docker_pieces",
    "fate",
    "fluent_bit_json",
    "fluent_bit_json_size",
]

#: The output plugins whose limits are modelled.
CLOUDWATCH, FIREHOSE = "cloudwatch_logs", "kinesis_firehose"
#: What a plugin does with a record it cannot send whole.
DISCARDED, TRUNCATED, UNKNOWN_FATE = "discarded", "truncated", "unknown"

#: No character renders to more than 12 bytes (a \\u surrogate pair) nor escapes
#: again to more than 14: a record this short in characters meets no limit.
_SAFE_CHARACTERS = (FLUENT_BIT_CLOUDWATCH_MAX_EVENT_BYTES - 1) // 14
_EMPTY = "{}"
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

    Example:
        >>> fluent_bit_json('{"msg":"café 🙂"}')
        '{"msg":"caf\\\\u00e9 \\\\ud83d\\\\ude42"}'
    """
    if text.isascii() and "\x7f" not in text:
        return text
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


def fluent_bit_json_size(text: str) -> int:
    """Bytes of :func:`fluent_bit_json` of ``text``, without building it."""
    if text.isascii():
        return len(text) + 5 * text.count("\x7f")
    return len(fluent_bit_json(text))


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

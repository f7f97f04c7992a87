"""What AWS's Go output plugins in the router image send of a record: their JSON, and what they cut or drop.

The image's ``cloudwatch``, ``firehose`` and ``kinesis`` outputs
(:data:`~firelens_cdktf.fluentbit.image_model.GO_OUTPUTS`) are not Fluent
Bit's C plugins: they render a record with another JSON encoder and have
their own size limits. Read from their sources at the versions the image
ships (cloudwatch v1.9.4, firehose v1.7.2, kinesis v1.10.2; the image's
v1.10.3 only bumps the version, PR #338):

- **JSON** (every plugin's ``processRecord``):
  ``jsoniter.ConfigCompatibleWithStandardLibrary``: compact; map keys sorted
  bytewise at every level (a key the record holds twice is one Go map entry,
  the last); ``<``, ``>``, ``&`` as ``\\u003c``, ``\\u003e``, ``\\u0026``;
  other control characters but ``\\n``, ``\\r``, ``\\t`` as ``\\u00XX``;
  U+2028/U+2029 escaped; each byte that is not UTF-8 as ``\\ufffd``; floats
  in ``'f'`` form, ``'e'`` below 1e-6 and from 1e21 without Go's exponent
  tidying (``1e-07``); NaN or infinity is an error and the record is dropped.
- **Sizes** (cloudwatch ``processRecord``/``AddEvent``, firehose and kinesis
  ``processRecord``): each adds ``\\n`` (kinesis only with
  ``append_newline true``) and then cuts a record that is too large to the
  limit and ends it with ``[Truncated...]``: cloudwatch at 262,144 bytes
  counting its 26-byte event overhead (256 KiB; not at a UTF-8 continuation
  byte), firehose at 1,024,000 bytes, kinesis at 1,048,576 bytes less the
  partition key.

Where an option changes what is sent (``log_key``, ``data_keys``,
``time_key``, ``replace_dots``, kinesis ``aggregation`` or ``compression``),
the size is not modelled and the preview says so.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal

from firelens_cdktf.fluentbit.output_limits import DISCARDED, TRUNCATED, UNKNOWN_FATE, Fate
from firelens_cdktf.fluentbit.records import Pairs

__all__ = ["go_fate", "go_json"]

#: Options that change what the plugin sends: the size is then not modelled.
_RESHAPING = ("log_key", "data_keys", "time_key", "replace_dots", "aggregation", "compression")
_TRUNCATED_MARK = b"[Truncated...]"
_CLOUDWATCH_MAX, _CLOUDWATCH_OVERHEAD = 262_144, 26
_FIREHOSE_MAX = 1_024_000
_KINESIS_MAX = 1_048_576
_SOURCES = {
    "cloudwatch": "amazon-cloudwatch-logs-for-fluent-bit v1.9.4 cloudwatch/cloudwatch.go processRecord",
    "firehose": "amazon-kinesis-firehose-for-fluent-bit v1.7.2 firehose/firehose.go processRecord",
    "kinesis": "amazon-kinesis-streams-for-fluent-bit v1.10.2 kinesis/kinesis.go processRecord",
}
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "<": "\\u003c", ">": "\\u003e"}
_ESCAPES |= {"&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


class UnencodableRecord(ValueError):
    """jsoniter refuses the record (NaN or infinity): the plugin drops it with an error."""


def _string(value: str | bytes) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="surrogateescape")  # each byte that is not UTF-8: written \ufffd, below
    out = []
    for char in value:
        escaped = _ESCAPES.get(char)
        if escaped is not None:
            out.append(escaped)
        elif char < " ":
            out.append(f"\\u{ord(char):04x}")
        elif "\ud800" <= char <= "\udfff":  # a lone surrogate (an undecodable byte kept by Python): not UTF-8
            out.append("\\ufffd")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _float(value: float) -> str:
    if math.isnan(value) or math.isinf(value):
        raise UnencodableRecord(f"json: unsupported value: {value}")
    if value == 0:
        return "-0" if math.copysign(1, value) < 0 else "0"
    magnitude = abs(value)
    shortest = Decimal(repr(value))
    if 1e-6 <= magnitude < 1e21:
        text = format(shortest, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    sign, digits, exponent = shortest.as_tuple()
    assert isinstance(exponent, int)
    written = "".join(map(str, digits)).rstrip("0") or "0"
    power = exponent + len(digits) - 1
    mantissa = written[0] + ("." + written[1:] if len(written) > 1 else "")
    return f"{'-' if sign else ''}{mantissa}e{'-' if power < 0 else '+'}{abs(power):02d}"


def go_json(value: object) -> str:
    """``value`` (a record, or part of one) as the Go plugins' jsoniter writes it.

    Raises:
        UnencodableRecord: NaN or infinity.

    Example:
        >>> go_json({"b": 1e-7, "a": "<x>", "Z": [True, None, 1.5]})
        '{"Z":[true,null,1.5],"a":"\\\\u003cx\\\\u003e","b":1e-07}'
    """
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, str | bytes):
        return _string(value)
    if isinstance(value, Pairs | Mapping):
        items = dict(value.items() if isinstance(value, Mapping) else iter(value))  # a key held twice: the last
        keys = sorted(items, key=lambda k: str(k).encode("utf-8", "surrogatepass"))
        return "{" + ",".join(f"{_string(str(k))}:{go_json(items[k])}" for k in keys) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(go_json(item) for item in value) + "]"
    return _string(str(value))


def _partition_key_bytes(record: object, path: str | None) -> int:
    """The length kinesis counts for the record's partition key (``getPartitionKey``): the value at ``path``
    (``a->b``) cut to 256 bytes, or 8 for the random key it uses when there is none."""
    value: object = record
    for step in (path or "").split("->") if path else ():
        items = dict(iter(value)) if isinstance(value, Pairs) else value if isinstance(value, Mapping) else None
        value = items.get(step) if items is not None else None
    if isinstance(value, str | bytes) and value and path:
        return min(256, len(value.encode("utf-8", "surrogatepass") if isinstance(value, str) else value))
    return 8


def go_fate(plugin: str, record: object, settings: Mapping[str, str]) -> Fate | None:
    """What Go output ``plugin`` does with ``record`` when it does not send it whole; ``None`` if it does.

    Args:
        plugin: ``cloudwatch``, ``firehose`` or ``kinesis``.
        record: The record (:class:`~firelens_cdktf.fluentbit.records.Pairs`).
        settings: The output's options, lower-case names.
    """
    source = _SOURCES[plugin]
    reshaping = [option for option in _RESHAPING if settings.get(option)]
    if reshaping:
        return Fate(
            UNKNOWN_FATE,
            plugin,
            0,
            0,
            f"the output sets {', '.join(reshaping)}, so what it sends of the record is not modelled ({source})",
        )
    try:
        body = go_json(record).encode("utf-8", "surrogatepass")
    except UnencodableRecord as error:
        return Fate(DISCARDED, plugin, 0, 0, f"{error}: the plugin drops the record with an error ({source})")
    if plugin == "cloudwatch":
        data = body + b"\n"
        if len(data) + _CLOUDWATCH_OVERHEAD <= _CLOUDWATCH_MAX:
            return None
        cut = _CLOUDWATCH_MAX - len(_TRUNCATED_MARK) - _CLOUDWATCH_OVERHEAD
        while cut > 0 and data[cut] & 0xC0 == 0x80:
            cut -= 1
        limit = "262,144 bytes with the 26-byte event overhead"
    elif plugin == "firehose":
        data = body + b"\n"
        if len(data) <= _FIREHOSE_MAX:
            return None
        cut = _FIREHOSE_MAX - len(_TRUNCATED_MARK)
        limit = "1,024,000 bytes"
    else:
        newline = (settings.get("append_newline") or "").lower() == "true"
        data = body + (b"\n" if newline else b"")
        key = _partition_key_bytes(record, settings.get("partition_key"))
        if len(data) + key <= _KINESIS_MAX:
            return None
        cut = _KINESIS_MAX - key - len(_TRUNCATED_MARK)
        limit = "1,048,576 bytes less the partition key"
    kept = cut + len(_TRUNCATED_MARK)
    return Fate(
        TRUNCATED,
        plugin,
        len(data),
        kept,
        f"its {len(data):,} bytes are more than {limit}: cut to {kept:,} ending '[Truncated...]' ({source})",
    )

"""The S3 keys real Firehose gives the objects it delivers: evaluated prefix plus object name.

Pure functions, used twice: the emulator's Firehose correction
(:mod:`firelens_local._moto_firehose`) names objects with them, and the
round trip's read-back checks every new key against :func:`key_pattern`.

What Firehose does (Amazon Data Firehose developer guide):

- the key is ``<evaluated prefix><stream>-<stream version>-<yyyy-MM-dd-HH-mm-ss>-<uuid><file extension>``
  (https://docs.aws.amazon.com/firehose/latest/dev/s3-object-name.html);
  the version starts at 1 and grows with every configuration change; GZIP
  objects end in ``.gz`` unless the stream sets its own ``FileExtension``;
- ``!{timestamp:<Java DateTimeFormatter pattern>}`` evaluates to the
  approximate arrival time of the oldest record in the object, in UTC unless
  the stream sets ``CustomTimeZone``; every use in one prefix is the same
  instant; ``!{firehose:error-output-type}`` is the failure kind in error
  prefixes, ``!{firehose:random-string}`` 11 random characters
  (https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html);
- a prefix with no ``!{timestamp:...}`` expression gets the default time
  prefix ``yyyy/MM/dd/HH/`` after it (the guide's examples: prefix
  ``myPrefix/`` gives ``myPrefix/2018/08/27/10/``).

The time zone, the version and the uuid are arguments, so every function
here is deterministic.
"""

from __future__ import annotations

import re
import secrets
import string
from datetime import datetime

#: File extension Firehose gives each compression format when the stream sets none (only what the
#: project uses is modelled).
EXTENSIONS: dict[str, str] = {"UNCOMPRESSED": "", "GZIP": ".gz"}
#: ``!{firehose:error-output-type}`` values (the s3-prefixes page's table).
ERROR_OUTPUT_TYPES = (
    "processing-failed",
    "AmazonOpenSearchService-failed",
    "splunk-failed",
    "format-conversion-failed",
    "http-endpoint-failed",
)
#: Characters of ``!{firehose:random-string}``.
_RANDOM_ALPHABET = string.ascii_letters + string.digits
_RANDOM_LENGTH = 11

_EXPRESSION = re.compile(r"!\{(?P<namespace>[A-Za-z]+):(?P<value>[^}]*)\}")
#: Java DateTimeFormatter letters the evaluator knows: letter run -> (strftime, regex, group).
_DATE_FIELDS: dict[str, tuple[str, str, str]] = {
    "yyyy": ("%Y", r"\d{4}", "year"),
    "uuuu": ("%Y", r"\d{4}", "year"),
    "yy": ("%y", r"\d{2}", "year2"),
    "MM": ("%m", r"\d{2}", "month"),
    "dd": ("%d", r"\d{2}", "day"),
    "HH": ("%H", r"\d{2}", "hour"),
    "mm": ("%M", r"\d{2}", "minute"),
    "ss": ("%S", r"\d{2}", "second"),
}
_PATTERN_TOKEN = re.compile(r"'(?P<quoted>[^']*)'|(?P<letters>([A-Za-z])\3*)|(?P<other>[^A-Za-z']+)")


def _date_tokens(pattern: str) -> list[tuple[str, str]]:
    """``(kind, text)`` tokens of a DateTimeFormatter pattern: ``field`` letter runs and ``literal`` text."""
    tokens: list[tuple[str, str]] = []
    position = 0
    for match in _PATTERN_TOKEN.finditer(pattern):
        if match.start() != position:
            break
        position = match.end()
        if match.group("letters") is not None:
            letters = match.group("letters")
            if letters not in _DATE_FIELDS:
                raise ValueError(
                    f"timestamp pattern {pattern!r}: {letters!r} is not modelled (known: {', '.join(_DATE_FIELDS)})"
                )
            tokens.append(("field", letters))
        else:
            literal = match.group("quoted") if match.group("quoted") is not None else match.group("other")
            tokens.append(("literal", literal if literal != "" else "'"))
    if position != len(pattern):
        raise ValueError(f"timestamp pattern {pattern!r}: unbalanced quote at {position}")
    return tokens


def format_timestamp(pattern: str, when: datetime) -> str:
    """``when`` formatted by a Java DateTimeFormatter ``pattern`` (the letters :data:`_DATE_FIELDS` lists).

    Raises:
        ValueError: a letter the evaluator does not model.

    Example:
        >>> format_timestamp("yyyy-MM-dd'T'HH", datetime(2026, 11, 3, 9))
        '2026-11-03T09'
    """
    return "".join(
        when.strftime(_DATE_FIELDS[text][0]) if kind == "field" else text for kind, text in _date_tokens(pattern)
    )


def random_string() -> str:
    """What ``!{firehose:random-string}`` evaluates to: 11 letters and digits."""
    return "".join(secrets.choice(_RANDOM_ALPHABET) for _ in range(_RANDOM_LENGTH))


def has_timestamp(prefix: str) -> bool:
    """Whether ``prefix`` holds a ``!{timestamp:...}`` expression."""
    return any(m.group("namespace") == "timestamp" for m in _EXPRESSION.finditer(prefix))


def evaluate_prefix(prefix: str, when: datetime, *, error_output_type: str | None = None) -> str:
    """The prefix Firehose writes an object under, for records that arrived at ``when``.

    Args:
        prefix: the stream's ``Prefix`` (or ``ErrorOutputPrefix``).
        when: arrival time of the oldest record, in the stream's time zone.
        error_output_type: the failure kind, for error prefixes.

    Raises:
        ValueError: an expression this module does not evaluate (dynamic
            partitioning keys, unknown namespaces) or an error prefix without its type.

    Example:
        >>> evaluate_prefix("year=!{timestamp:yyyy}/month=!{timestamp:MM}/", datetime(2026, 1, 2))
        'year=2026/month=01/'
    """

    def value(match: re.Match[str]) -> str:
        namespace, text = match.group("namespace"), match.group("value")
        if namespace == "timestamp":
            return format_timestamp(text, when)
        if namespace == "firehose" and text == "error-output-type":
            if error_output_type is None:
                raise ValueError(f"prefix {prefix!r} uses !{{firehose:error-output-type}}: only error prefixes may")
            return error_output_type
        if namespace == "firehose" and text == "random-string":
            return random_string()
        raise ValueError(
            f"prefix {prefix!r}: !{{{namespace}:{text}}} is not evaluated here "
            "(timestamp, firehose:error-output-type and firehose:random-string are)"
        )

    evaluated = _EXPRESSION.sub(value, prefix)
    return evaluated if has_timestamp(prefix) else evaluated + when.strftime("%Y/%m/%d/%H/")


def extension(compression: str, file_extension: str | None = None) -> str:
    """The object name's ending: the stream's ``FileExtension``, else the compression's default.

    Raises:
        ValueError: a compression format this module does not model.
    """
    if file_extension:
        return file_extension
    if compression not in EXTENSIONS:
        raise ValueError(f"compression {compression!r} is not modelled (known: {', '.join(EXTENSIONS)})")
    return EXTENSIONS[compression]


def object_name(
    stream: str,
    version: str,
    when: datetime,
    uuid: str,
    *,
    compression: str = "UNCOMPRESSED",
    file_extension: str | None = None,
) -> str:
    """``<stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid><extension>``, as Firehose names an object.

    Example:
        >>> object_name("logs", "1", datetime(2026, 11, 30, 14, 4, 7), "0a1b", compression="GZIP")
        'logs-1-2026-11-30-14-04-07-0a1b.gz'
    """
    return f"{stream}-{version}-{when.strftime('%Y-%m-%d-%H-%M-%S')}-{uuid}{extension(compression, file_extension)}"


def _prefix_regex(prefix: str) -> str:
    parts: list[str] = []
    position = 0
    seen: set[str] = set()
    for match in _EXPRESSION.finditer(prefix):
        parts.append(re.escape(prefix[position : match.start()]))
        position = match.end()
        namespace, text = match.group("namespace"), match.group("value")
        if namespace == "timestamp":
            for kind, token in _date_tokens(text):
                if kind == "literal":
                    parts.append(re.escape(token))
                    continue
                regex, group = _DATE_FIELDS[token][1], _DATE_FIELDS[token][2]
                # Every use of one field is the same instant: later uses must repeat the first.
                parts.append(f"(?P={group})" if group in seen else f"(?P<{group}>{regex})")
                seen.add(group)
        elif namespace == "firehose" and text == "error-output-type":
            parts.append("(?P<error_output_type>" + "|".join(map(re.escape, ERROR_OUTPUT_TYPES)) + ")")
        elif namespace == "firehose" and text == "random-string":
            parts.append(f"[A-Za-z0-9]{{{_RANDOM_LENGTH}}}")
        else:
            raise ValueError(f"prefix {prefix!r}: !{{{namespace}:{text}}} is not modelled")
    parts.append(re.escape(prefix[position:]))
    if not has_timestamp(prefix):
        parts.append(r"(?P<year>\d{4})/(?P<month>\d{2})/(?P<day>\d{2})/(?P<hour>\d{2})/")
    return "".join(parts)


def key_pattern(
    prefix: str, stream: str, *, compression: str = "UNCOMPRESSED", file_extension: str | None = None
) -> re.Pattern[str]:
    """A regex every key Firehose writes for this stream matches, with the prefix's fields as named groups.

    Raises:
        ValueError: the prefix or compression is not modelled.

    Example:
        >>> key_pattern("year=!{timestamp:yyyy}/", "logs", compression="GZIP").fullmatch(
        ...     "year=2026/logs-1-2026-11-30-14-04-07-6f1c2a9e-0b7d-4c1e-9d2a-3b4c5d6e7f80.gz").group("year")
        '2026'
    """
    name = (
        re.escape(stream) + r"-\d+-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-"
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
        + re.escape(extension(compression, file_extension))
    )
    return re.compile(_prefix_regex(prefix) + name)

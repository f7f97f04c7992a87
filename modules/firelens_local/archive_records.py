"""How the archive table reads an archived object: lines into rows, values into columns, and schema drift.

Pure functions, the local stand-in for Athena's OpenX JSON SerDe (the table's
SerDe; :mod:`firelens_cdktf.archive.schema` says why), following Trino's
implementation, which Athena engine 3 runs (trinodb/trino
``lib/trino-hive-formats/src/main/java/io/trino/hive/formats/line/openxjson/``,
``OpenXJsonDeserializer.java`` and its ``README.md``):

- **lines** (:func:`read_lines`): a line whose first non-blank character is
  not ``{`` or ``[`` (a blank line) is a row of NULLs; a line that does not
  parse is a row of NULLs too, because the table sets ``ignore.malformed.json``;
- **values** (:func:`to_row`): keys match columns case-insensitively, keys
  with no column are ignored; a string column takes any JSON value (objects
  and arrays as JSON text); numbers parse from numbers or numeric strings,
  else NULL; a boolean is true only for ``true`` (any case); a struct or map
  needs a JSON object.

:func:`check_schema` reports what this reading loses: keys no column covers
and values that become NULL. That is schema drift: the records changed and
the table did not.
"""

from __future__ import annotations

import gzip
import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from firelens_cdktf.archive.schema import Column, HiveType, MapOf, Primitive

#: gzip's magic number: real Firehose (and the corrected emulator) store GZIP objects.
GZIP_MAGIC = b"\x1f\x8b"


def object_text(body: bytes) -> str:
    """An archived object's text: gunzipped when it is gzip; bytes that are not UTF-8 become U+FFFD."""
    data = gzip.decompress(body) if body[:2] == GZIP_MAGIC else body
    return data.decode("utf-8", errors="replace")


@dataclass(frozen=True)
class Lines:
    """The rows one object gives.

    Attributes:
        records: each line's JSON object, or ``None`` for a row of NULLs.
        blank: lines that are not JSON objects or arrays (the blank line after every aggregate).
        malformed: lines that start like JSON and do not parse.
    """

    records: tuple[dict[str, Any] | None, ...]
    blank: int
    malformed: int


def read_lines(text: str) -> Lines:
    """The rows of an object's text, line by line, as the OpenX SerDe makes them (module docstring).

    A JSON array line is a row of its first element's keys in OpenX; the
    archive holds objects only, so arrays count as malformed here.

    Example:
        >>> read_lines('{"a":1}\\n\\n{bad\\n').records
        ({'a': 1}, None, None)
    """
    records: list[dict[str, Any] | None] = []
    blank = malformed = 0
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the text ends with a newline: no row after it
    for line in lines:
        stripped = line.strip()
        if not stripped.startswith(("{", "[")):
            blank += 1
            records.append(None)
            continue
        try:
            value = json.loads(stripped)
        except ValueError:
            value = None
        if not isinstance(value, dict):
            malformed += 1
            records.append(None)
            continue
        records.append(value)
    return Lines(tuple(records), blank, malformed)


# --- values into columns ------------------------------------------------------------------------


@dataclass
class Drift:
    """What reading records under a table's columns lost.

    Attributes:
        records: records checked.
        uncovered: ``path`` of a key no column covers -> how many records have it.
        nulled: ``path: reason`` of a value that became NULL -> how many records.
        samples: the first record showing each problem, by problem.
    """

    records: int = 0
    uncovered: Counter[str] = field(default_factory=Counter)
    nulled: Counter[str] = field(default_factory=Counter)
    samples: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def clean(self) -> bool:
        """Every record fits the columns: nothing uncovered, nothing nulled."""
        return not self.uncovered and not self.nulled

    def describe(self, limit: int = 5) -> list[str]:
        """One line for the verdict, then a line per problem (``limit`` of each kind)."""
        if self.clean:
            return [f"{self.records} record(s) parse under the table's columns: every key covered, no value lost"]
        lines = [
            f"SCHEMA DRIFT: of {self.records} record(s), {len(self.samples)} kind(s) of key or value "
            "the table does not cover (queries see NULL or nothing for them)"
        ]
        for label, counter in (("key not in the table", self.uncovered), ("value read as NULL", self.nulled)):
            for path, count in counter.most_common(limit):
                sample = json.dumps(self.samples[path], separators=(",", ":"))
                lines.append(f"  {label}: {path} in {count} record(s), e.g. {sample[:160]}")
        return lines


def _fold(mapping: Mapping[str, Any]) -> dict[str, Any]:
    """Keys in lower case (OpenX's ``case.insensitive``, on by default); the last duplicate wins."""
    return {str(k).lower(): v for k, v in mapping.items()}


def _json_text(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def _value(value: Any, type_: HiveType, path: str, lost: list[str], uncovered: list[str]) -> Any:
    """``value`` read as ``type_``; appends ``path: reason`` to ``lost`` when the value becomes NULL,
    and the paths of struct keys no field covers to ``uncovered``."""
    if value is None:
        return None
    if isinstance(type_, Primitive):
        if type_.name == "string":
            return value if isinstance(value, str) else _json_text(value)
        if type_.name == "boolean":
            if isinstance(value, dict | list):
                lost.append(f"{path}: {type(value).__name__} in a boolean column")
                return None
            return str(value).lower() == "true"
        number = _number(value)
        if number is None or math.isinf(number) or math.isnan(number):
            lost.append(f"{path}: {_json_text(value)[:40]} in a {type_.name} column")
            return None
        if type_.name == "double":
            return number
        if not number.is_integer():
            lost.append(f"{path}: {_json_text(value)[:40]} in a {type_.name} column")
            return None
        return int(number)
    if not isinstance(value, dict):
        lost.append(f"{path}: {type(value).__name__} where a JSON object belongs")
        return None
    if isinstance(type_, MapOf):
        return {str(k): _value(v, type_.value, f"{path}[{k}]", lost, uncovered) for k, v in value.items()}
    return _struct(value, type_.fields, path + ".", lost, uncovered)


def _struct(
    value: Mapping[str, Any], fields: Sequence[Column], prefix: str, lost: list[str], uncovered: list[str]
) -> dict[str, Any]:
    folded = _fold(value)
    names = {c.name for c in fields}
    uncovered.extend(f"{prefix}{key}" for key in folded if key not in names)
    return {c.name: _value(folded.get(c.name), c.type, f"{prefix}{c.name}", lost, uncovered) for c in fields}


def to_row(record: Mapping[str, Any], columns: Sequence[Column]) -> tuple[dict[str, Any], list[str], list[str]]:
    """A record as the table's row: ``(row, uncovered key paths, lost value reasons)``.

    Keys inside a map are never uncovered (a map takes any key); struct keys
    are checked at every depth.

    Example:
        >>> from firelens_cdktf.archive.schema import Column, INT, STRING
        >>> to_row({"n": "7", "s": 1, "x": 0}, (Column("n", INT), Column("s", STRING)))
        ({'n': 7, 's': '1'}, ['x'], [])
    """
    lost: list[str] = []
    uncovered: list[str] = []
    row = _struct(record, columns, "", lost, uncovered)
    return row, uncovered, lost


def check_schema(records: Iterable[Mapping[str, Any]], columns: Sequence[Column]) -> Drift:
    """Read every record under ``columns`` and collect what the reading loses (:class:`Drift`)."""
    drift = Drift()
    for record in records:
        drift.records += 1
        _, uncovered, lost = to_row(record, columns)
        for path in uncovered:
            drift.uncovered[path] += 1
            drift.samples.setdefault(path, dict(record))
        for reason in lost:
            drift.nulled[reason] += 1
            drift.samples.setdefault(reason, dict(record))
    return drift

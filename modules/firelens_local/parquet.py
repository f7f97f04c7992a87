"""Parquet as Firehose's record format conversion writes it, and the bytes a query of it reads.

Used twice: the emulator's Firehose correction (:mod:`firelens_local._moto_firehose`)
converts a Parquet stream's records with :func:`convert_records`, and ``make query``
(:mod:`firelens_local.query`) loads Parquet objects and prices each query by
:func:`scanned_bytes`, as Athena bills a columnar format.

**The conversion** (https://docs.aws.amazon.com/firehose/latest/dev/record-format-conversion.html):
one Firehose record may hold several JSON documents ("``{"a":1}{"b":1}``" is
valid input, an array is not), which is how Fluent Bit's ``simple_aggregation``
sends them, one per line with a blank line after each aggregate; white space
between documents is skipped. Each document is read by the OpenX JSON
deserializer under the Glue table's columns
(:func:`~firelens_local.archive_records.to_row`: keys match case-insensitively,
keys without a column are dropped, values coerced or NULL). A document that is
not a JSON object cannot be converted: Firehose writes it, as JSON with its
``rawData`` in base64, under the error prefix with ``!{firehose:error-output-type}``
= ``format-conversion-failed`` (https://docs.aws.amazon.com/firehose/latest/dev/record-format-conversion-error-handling.html).
Whether one bad document fails only itself or its whole aggregate, AWS does
not say; this model fails only the document.

The Parquet itself is written by DuckDB (already the ``[local]`` extra's query
engine), one row group, Snappy-compressed, with the columns' Hive types as
Parquet types (structs and maps nested).

**Bytes scanned**: Athena reads a Parquet file's footer and, per row group, the
column chunks of the columns a query names; :func:`scanned_bytes` sums those
(a struct column counts whole even when one field is named: an upper bound
where Athena prunes nested fields).
"""

from __future__ import annotations

import base64
import json
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from firelens_cdktf.archive.schema import Column, HiveType, MapOf, Primitive
from firelens_local.archive_records import to_row

#: The error output type Firehose names conversion failures with.
CONVERSION_FAILED = "format-conversion-failed"
#: Parquet files end with their footer's length (4 bytes) and the magic ``PAR1``.
_FOOTER_TAIL = 8
_PRIMITIVE_TYPES = {"string": "VARCHAR", "int": "INTEGER", "bigint": "BIGINT", "double": "DOUBLE", "boolean": "BOOLEAN"}
_WHITE = b" \t\r\n"


def duckdb_type(type_: HiveType) -> str:
    """The DuckDB type of a Hive type: ``struct<a:int>`` is ``STRUCT("a" INTEGER)``."""
    if isinstance(type_, Primitive):
        return _PRIMITIVE_TYPES[type_.name]
    if isinstance(type_, MapOf):
        return f"MAP({duckdb_type(type_.key)}, {duckdb_type(type_.value)})"
    return "STRUCT(" + ", ".join(f"{ident(f.name)} {duckdb_type(f.type)}" for f in type_.fields) + ")"


def ident(name: str) -> str:
    """``name`` as a double-quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def sql_string(text: str) -> str:
    """``text`` as a single-quoted SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def columns_spec(columns: Sequence[Column]) -> str:
    """DuckDB ``read_json``'s ``columns`` argument for the table's columns."""
    return "{" + ", ".join(f"{sql_string(c.name)}: {sql_string(duckdb_type(c.type))}" for c in columns) + "}"


def documents(data: bytes) -> Iterator[tuple[bytes, dict[str, Any] | None]]:
    """Each JSON document of one Firehose record with its object, or ``None`` when it is not a JSON object.

    After a document that does not parse, reading goes on at the next line.

    Example:
        >>> [obj for _, obj in documents(b'{"a":1}\\n{"b":2}{"c":3}\\n\\n[1]\\n{bad\\n')]
        [{'a': 1}, {'b': 2}, {'c': 3}, None, None]
    """
    decoder = json.JSONDecoder()
    text = data.decode("utf-8", errors="replace")
    position, length = 0, len(text)
    while True:
        while position < length and text[position] in " \t\r\n":
            position += 1
        if position >= length:
            return
        try:
            value, end = decoder.raw_decode(text, position)
        except ValueError:
            newline = text.find("\n", position)
            end = length if newline < 0 else newline
            yield text[position:end].encode("utf-8"), None
            position = end
            continue
        yield text[position:end].encode("utf-8"), value if isinstance(value, dict) else None
        position = end


@dataclass(frozen=True)
class Conversion:
    """What Firehose's conversion makes of one delivery's records.

    Attributes:
        parquet: the Parquet object's bytes (``None`` when no document converted).
        rows: documents converted.
        failed: the documents that could not be converted, as they arrived.
    """

    parquet: bytes | None
    rows: int
    failed: tuple[bytes, ...]


def write_parquet(rows: Iterable[Mapping[str, Any]], columns: Sequence[Column], path: Path) -> int:
    """Write ``rows`` (already under ``columns``) to ``path`` as Snappy Parquet; the number of rows."""
    import duckdb  # the [local] extra's query engine: only the emulator and make query need it

    count = 0
    with tempfile.TemporaryDirectory(prefix="firelens-parquet-") as tmp:
        source = Path(tmp) / "rows.ndjson"
        with open(source, "w", encoding="utf-8") as out:
            for row in rows:
                count += 1
                out.write(json.dumps(row, separators=(",", ":"), ensure_ascii=False) + "\n")
        connection = duckdb.connect()
        try:
            connection.execute(
                f"COPY (SELECT * FROM read_json({sql_string(str(source))}, format = 'newline_delimited', "
                f"columns = {columns_spec(columns)})) TO {sql_string(str(path))} "
                "(FORMAT PARQUET, COMPRESSION SNAPPY)"
            )
        finally:
            connection.close()
    return count


def convert_records(datas: Sequence[bytes], columns: Sequence[Column]) -> Conversion:
    """Firehose's conversion of one delivery's records (``Data`` of each) under ``columns`` (module docstring)."""
    rows: list[dict[str, Any]] = []
    failed: list[bytes] = []
    for data in datas:
        for raw, record in documents(data):
            if record is None:
                failed.append(raw)
            else:
                rows.append(to_row(record, columns)[0])
    if not rows:
        return Conversion(None, 0, tuple(failed))
    with tempfile.TemporaryDirectory(prefix="firelens-parquet-") as tmp:
        path = Path(tmp) / "converted.parquet"
        write_parquet(rows, columns, path)
        return Conversion(path.read_bytes(), len(rows), tuple(failed))


def failure_document(raw: bytes, arrived: datetime, table: tuple[str, str]) -> bytes:
    """The JSON line Firehose writes under the error prefix for a document it could not convert."""
    millis = int(arrived.timestamp() * 1000)
    return (
        json.dumps(
            {
                "attemptsMade": 1,
                "arrivalTimestamp": millis,
                "lastErrorCode": "DataFormatConversion.MalformedData",
                "lastErrorMessage": "The record is not a JSON object the deserializer reads.",
                "attemptEndingTimestamp": millis,
                "rawData": base64.b64encode(raw).decode("ascii"),
                "dataCatalogTable": {"databaseName": table[0], "tableName": table[1]},
            },
            separators=(",", ":"),
        ).encode("utf-8")
        + b"\n"
    )


# --- what a query reads ----------------------------------------------------------------------------


def column_chunk_bytes(path: Path) -> tuple[dict[str, int], int]:
    """Compressed bytes of each top-level column's chunks in a Parquet file, and the file's other bytes
    (footer, magic): what a reader of every column fetches beyond the chunks."""
    import duckdb  # the [local] extra's query engine: only the emulator and make query need it

    connection = duckdb.connect()
    try:
        chunks = connection.execute(
            f"SELECT path_in_schema, total_compressed_size FROM parquet_metadata({sql_string(str(path))})"
        ).fetchall()
    finally:
        connection.close()
    sizes: dict[str, int] = {}
    for schema_path, size in chunks:
        top = str(schema_path).split(",", 1)[0].strip().lower()
        sizes[top] = sizes.get(top, 0) + int(size)
    return sizes, max(path.stat().st_size - sum(sizes.values()), _FOOTER_TAIL)


_IDENTIFIER = re.compile(r'"((?:[^"]|"")+)"|\b([A-Za-z_][A-Za-z0-9_]*)\b')
_STRING_LITERAL = re.compile(r"'(?:[^']|'')*'")


def named_columns(sql: str, columns: Sequence[str]) -> tuple[str, ...]:
    """The table's columns ``sql`` names (quoted or not; ``payload.sql`` names ``payload``), in table order.

    Example:
        >>> named_columns('SELECT payload.sql, "level" FROM t WHERE message = \\'level\\'', ["level", "payload", "x"])
        ('level', 'payload')
    """
    text = _STRING_LITERAL.sub("''", sql)
    seen = {(m.group(1) or m.group(2)).replace('""', '"').lower() for m in _IDENTIFIER.finditer(text)}
    return tuple(c for c in columns if c.lower() in seen)


def scanned_bytes(files: Sequence[tuple[dict[str, int], int]], used: Sequence[str]) -> int:
    """Bytes a query naming ``used`` columns reads from Parquet files (each :func:`column_chunk_bytes`)."""
    wanted = {c.lower() for c in used}
    return sum(other + sum(size for name, size in sizes.items() if name in wanted) for sizes, other in files)

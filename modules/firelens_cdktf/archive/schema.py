"""The archive's table and its saved queries, as plain values (no CDKTF): column types, partitions, SerDe.

:class:`~firelens_cdktf.constructs.archive_queries.ArchiveQueries` turns
these values, with a team's own columns and :class:`SavedQuery` values, into
a Glue table and Athena named queries; :mod:`firelens_local.query` runs the
very same SQL with DuckDB over an emulator's archive, after the small
translation that module documents. Nothing here knows about either engine's API.

**The table.** One row per archived record (this project's app archives
rails_semantic_logger's SQL logs, ``firelens_app.sql_logs``), partitioned by the ``year``,
``month`` and ``day`` in the object keys. Partition projection computes the
partitions from the key template instead of a crawler or ``MSCK REPAIR``
(https://docs.aws.amazon.com/athena/latest/ug/partition-projection.html).

**The SerDe: OpenX JSON** (``org.openx.data.jsonserde.JsonSerDe``), with
``ignore.malformed.json`` on. Fluent Bit's ``kinesis_firehose`` output with
``simple_aggregation`` ends every record it writes with ``"\\n"`` and every
aggregate with one more (fluent/fluent-bit v4.2.2 ``src/aws/flb_aws_aggregation.c``,
``flb_aws_aggregation_finalize(..., add_final_newline, ...)``, called with 1
by ``plugins/out_kinesis_firehose/firehose_api.c``), so the archive holds a
blank line after every aggregate. How the two JSON SerDes read such lines,
in Athena engine 3's Trino readers (trinodb/trino
``lib/trino-hive-formats/src/main/java/io/trino/hive/formats/line/``):

- OpenX (``openxjson/OpenXJsonDeserializer.java``, ``openxjson/README.md``):
  a line whose first non-blank character is not ``{`` or ``[`` (a blank
  line) becomes a row of NULLs; a malformed JSON line fails the query
  unless ``ignore.malformed.json`` is true, and then it is a row of NULLs too.
- Hive (``org.apache.hive.hcatalog.data.JsonSerDe``, ``json/JsonDeserializer.java``):
  every line must start a JSON object ("Invalid JSON: start of object
  expected"), so the blank line after each aggregate fails every query; it
  has no setting to skip bad lines.

So the Hive SerDe cannot read what Firehose writes here, and OpenX reads it
with NULL rows for the blank lines, which every saved query filters out
(``payload.sql IS NOT NULL``). AWS warns that OpenX results "can be
non-deterministic" (https://docs.aws.amazon.com/athena/latest/ug/openx-json-serde.html);
converting records to Parquet in Firehose would avoid both SerDes, at the
price of a schema in the stream.

**The queries** take the day as three ``?`` parameters (year, month, day,
in that order), so each scans one day's partition; Athena parameterized
queries and DuckDB's prepared statements both use ``?``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# --- types and columns ------------------------------------------------------------------------

#: Hive primitive types the table uses (Athena DDL names).
PRIMITIVES = frozenset({"string", "int", "bigint", "double", "boolean"})


@dataclass(frozen=True)
class Primitive:
    """A Hive primitive type: ``string``, ``int``, ``bigint``, ``double`` or ``boolean``."""

    name: str

    def hive(self) -> str:
        """The type as Glue and Athena DDL write it."""
        return self.name


@dataclass(frozen=True)
class MapOf:
    """A Hive ``map<key,value>``: a JSON object with any keys."""

    key: HiveType
    value: HiveType

    def hive(self) -> str:
        """The type as Glue and Athena DDL write it."""
        return f"map<{self.key.hive()},{self.value.hive()}>"


@dataclass(frozen=True)
class Struct:
    """A Hive ``struct<name:type,...>``: a JSON object with known keys."""

    fields: tuple[Column, ...]

    def hive(self) -> str:
        """The type as Glue and Athena DDL write it."""
        return "struct<" + ",".join(f"{f.name}:{f.type.hive()}" for f in self.fields) + ">"


HiveType = Primitive | MapOf | Struct

STRING, INT, BIGINT, DOUBLE, BOOLEAN = (Primitive(n) for n in ("string", "int", "bigint", "double", "boolean"))


@dataclass(frozen=True)
class Column:
    """A table column (or a struct field).

    Attributes:
        name: lower case, as Athena folds names.
        type: its Hive type.
        comment: what it holds.
    """

    name: str
    type: HiveType
    comment: str = ""


#: The partition columns, in key order; their values come from the object keys.
PARTITION_KEYS: tuple[Column, ...] = (
    Column("year", INT, "UTC year the record reached Firehose"),
    Column("month", INT, "UTC month (1-12)"),
    Column("day", INT, "UTC day of the month (1-31)"),
)

_HIVE_TOKEN = re.compile(r"\s*([a-z_][a-z0-9_]*|[<>,:])", re.IGNORECASE)


def parse_hive_type(text: str) -> HiveType:
    """Read a Hive type string back (what Glue's ``GetTable`` returns).

    Raises:
        ValueError: the text is not a type this module models (the message quotes it).

    Example:
        >>> parse_hive_type("struct<sql:string,binds:map<string,string>>").fields[1].type
        MapOf(key=Primitive(name='string'), value=Primitive(name='string'))
    """
    tokens = [m.group(1) for m in _HIVE_TOKEN.finditer(text)]
    if "".join(tokens) != re.sub(r"\s+", "", text):
        raise ValueError(f"not a Hive type: {text!r}")
    position = 0

    def take(expected: str | None = None) -> str:
        nonlocal position
        if position >= len(tokens) or (expected is not None and tokens[position] != expected):
            raise ValueError(
                f"not a Hive type this table uses: {text!r} (expected {expected or 'more'} at token {position})"
            )
        position += 1
        return tokens[position - 1]

    def parse() -> HiveType:
        word = take().lower()
        if word in PRIMITIVES:
            return Primitive(word)
        if word == "map":
            take("<")
            key = parse()
            take(",")
            value = parse()
            take(">")
            return MapOf(key, value)
        if word == "struct":
            take("<")
            fields = []
            while True:
                name = take().lower()
                take(":")
                fields.append(Column(name, parse()))
                if take() == ">":
                    return Struct(tuple(fields))
        raise ValueError(f"not a Hive type this table uses: {text!r} ({word!r})")

    result = parse()
    if position != len(tokens):
        raise ValueError(f"not a Hive type: {text!r} (text after the type)")
    return result


# --- storage and projection -------------------------------------------------------------------

#: OpenX JSON SerDe (see the module docstring for why).
JSON_SERDE = "org.openx.data.jsonserde.JsonSerDe"
#: A malformed line becomes a NULL row instead of failing the whole query.
SERDE_PARAMETERS: Mapping[str, str] = {"ignore.malformed.json": "TRUE"}
#: Text files (gzip is recognised by the ``.gz`` extension).
INPUT_FORMAT = "org.apache.hadoop.mapred.TextInputFormat"
OUTPUT_FORMAT = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
#: The archive's record formats: GZIP-compressed JSON lines as Fluent Bit sends them, or Parquet that
#: Firehose converts them to, with the table's columns as its schema.
JSON_FORMAT = "JSON"
PARQUET_FORMAT = "PARQUET"
RECORD_FORMATS = (JSON_FORMAT, PARQUET_FORMAT)
#: Parquet's SerDe and formats (Athena reads Firehose's Parquet with them).
PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
PARQUET_INPUT_FORMAT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
PARQUET_OUTPUT_FORMAT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
#: Firehose refuses format conversion with less buffer ("BufferingHints.SizeInMBs must be at least 64 when
#: data format conversion is enabled").
PARQUET_MIN_BUFFER_MIB = 64
#: How many years the year projection covers (37,200 day partitions in all,
#: under Athena's 1,000,000 per query; every saved query names one day).
PROJECTED_YEARS = 100

#: Firehose timestamp expressions a partition key may come from, by key.
_PARTITION_EXPRESSIONS = {"year": "!{timestamp:yyyy}", "month": "!{timestamp:MM}", "day": "!{timestamp:dd}"}
_EXPRESSION = re.compile(r"!\{[^}]*\}")


def partition_template(prefix: str) -> str:
    """The projection's key template for a Firehose prefix: each timestamp expression becomes its key.

    ``year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/`` gives
    ``year=${year}/month=${month}/day=${day}/``.

    Raises:
        ValueError: the prefix does not hold exactly the year, month and day
            expressions (in that order) and nothing else Firehose evaluates.
    """
    template = prefix
    positions = []
    for key, expression in _PARTITION_EXPRESSIONS.items():
        if template.count(expression) != 1:
            raise ValueError(f"prefix {prefix!r} must contain {expression} exactly once (for the {key} partition)")
        positions.append(template.index(expression))
        template = template.replace(expression, "${" + key + "}")
    leftover = _EXPRESSION.findall(template)
    if leftover or positions != sorted(positions):
        raise ValueError(
            f"prefix {prefix!r} must hold the year, month and day expressions in that order and no "
            f"other expression (found {leftover or 'them out of order'})"
        )
    return template


def projection_parameters(location_template: str, first_year: int, last_year: int) -> dict[str, str]:
    """Glue table parameters for partition projection on integer year, month and day.

    ``digits`` pads month and day to two digits as Firehose's ``MM`` and ``dd`` do.
    https://docs.aws.amazon.com/athena/latest/ug/partition-projection-supported-types.html
    """
    return {
        "projection.enabled": "true",
        "projection.year.type": "integer",
        "projection.year.range": f"{first_year},{last_year}",
        "projection.month.type": "integer",
        "projection.month.range": "1,12",
        "projection.month.digits": "2",
        "projection.day.type": "integer",
        "projection.day.range": "1,31",
        "projection.day.digits": "2",
        "storage.location.template": location_template,
    }


# --- per-service partitions ----------------------------------------------------------------------

#: The partition key of a shared archive's service: objects land under ``service=<name>/``.
SERVICE_KEY = Column("service", STRING, "the service that wrote the record (one Firehose stream per service)")
#: Service names a shared archive partitions by: ECS service names' characters (letters, digits, ``-``, ``_``).
SERVICE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")


def service_prefix(service: str) -> str:
    """The key prefix of one service's partition in a shared archive: ``service=<name>/``."""
    return f"{SERVICE_KEY.name}={service}/"


def service_stream_name(stream_name: str, service: str) -> str:
    """The delivery stream a shared archive gives ``service``: ``<stream_name>-<service>``.

    Routing is a plain value, compiled before any construct exists: a
    service's route names this stream in its ``FirehoseStream``.

    Example:
        >>> service_stream_name("payments-audit", "payments-api")
        'payments-audit-payments-api'
    """
    return f"{stream_name}-{service}"


def service_error_prefix(error_prefix: str, service: str) -> str:
    """A service's error prefix: ``errors/service=<name>/...`` when the prefix starts with ``errors/``,
    else ``service=<name>/`` before it (failed records stay apart from the data the tables read).

    Example:
        >>> service_error_prefix("errors/year=!{timestamp:yyyy}/!{firehose:error-output-type}/", "api")
        'errors/service=api/year=!{timestamp:yyyy}/!{firehose:error-output-type}/'
    """
    head, slash, rest = error_prefix.partition("/")
    if head == "errors" and slash:
        return f"{head}/{service_prefix(service)}{rest}"
    return service_prefix(service) + error_prefix


def injected_service_parameters() -> dict[str, str]:
    """Glue parameters that project ``service`` as an ``injected`` key: every query names its service.

    Athena reads the value from the query's ``WHERE service = '...'`` and refuses
    a query without one, so no query can scan every team's objects by mistake
    (https://docs.aws.amazon.com/athena/latest/ug/partition-projection-dynamic-id-partitioning.html).
    """
    return {f"projection.{SERVICE_KEY.name}.type": "injected"}


# --- the saved queries ------------------------------------------------------------------------

#: The queries' ``?`` parameters, in order: the day to read.
QUERY_PARAMETERS: tuple[str, ...] = ("year", "month", "day")


@dataclass(frozen=True)
class SavedQuery:
    """One Athena named query.

    Attributes:
        key: short id (construct id and ``make query`` heading).
        name: the named query's name in Athena.
        description: what it answers.
        sql: Athena SQL with :data:`QUERY_PARAMETERS` as ``?``.
    """

    key: str
    name: str
    description: str
    sql: str


def quote_identifier(identifier: str) -> str:
    """``identifier`` as a double-quoted SQL identifier (Athena and DuckDB alike)."""
    return '"' + identifier.replace('"', '""') + '"'


def sql_string(text: str) -> str:
    """``text`` as a single-quoted SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def glue_name(text: str) -> str:
    """``text`` as a Glue database or table name: lower case, every other character ``_``.

    Athena reads only lower-case letters, digits and ``_`` in these names
    (https://docs.aws.amazon.com/athena/latest/ug/tables-databases-columns-names.html).

    Example:
        >>> glue_name("put-s3-sample-metrics-logs")
        'put_s3_sample_metrics_logs'
    """
    return re.sub(r"[^a-z0-9_]", "_", text.lower())


def column_names(columns: Sequence[Column]) -> tuple[str, ...]:
    """The names of ``columns``, in order."""
    return tuple(c.name for c in columns)

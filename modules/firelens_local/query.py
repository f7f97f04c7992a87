"""``make query``: the archive's saved Athena queries, run locally with DuckDB over the emulator's archive.

How it reads the archive, as Athena would:

1. the table comes from Glue (``GetTable``): its columns, and the
   ``storage.location.template`` that partition projection fills in;
2. the day partitions are found from the object keys alone (``ListObjectsV2``
   under ``year=``), and only the objects of the day asked for are fetched,
   through the emulator's S3 API with boto3. DuckDB's own S3 reader
   (``httpfs``) is not used: it downloads an extension at run time;
3. each object is gunzipped and read line by line as the OpenX JSON SerDe
   reads it (:mod:`firelens_local.archive_records`), and the rows go to
   DuckDB (one NDJSON file per partition, typed by the table's columns),
   with ``year``, ``month`` and ``day`` taken from the keys;
4. the workgroup's named queries (``ListNamedQueries``/``GetNamedQuery``) run
   with the day as their ``?`` parameters, after :func:`to_duckdb`.

**The dialect translation** (Athena engine 3 is Trino): the saved SQL keeps to
what both engines read alike (``?`` parameters, ``"quoted"`` identifiers,
``struct.field``, ``date_trunc``, ``count``/``sum``/``round``, ``NULLS
LAST``) except two functions, which :func:`to_duckdb` renames to DuckDB
macros that behave like Athena's:

=========================== ============================================================
Athena                      DuckDB macro
=========================== ============================================================
``from_iso8601_timestamp(s)``  ``CAST(s AS TIMESTAMPTZ)``, session time zone UTC (Athena's default)
``regexp_replace(s, p, r)``    ``regexp_replace(s, p, r, 'g')``: Athena replaces every match, DuckDB only
                               the first without ``'g'``
=========================== ============================================================

The regular expressions themselves are written in the subset Java regex
(Athena) and RE2 (DuckDB) read the same way.

Command line (``make query``)::

    python -m firelens_local.query [--day YYYY-MM-DD]

The day defaults to the newest partition in the archive.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from firelens_cdktf.archive.schema import QUERY_PARAMETERS, Column
from firelens_local.archive_records import Lines, object_text, read_lines, to_row
from firelens_local.parquet import column_chunk_bytes, columns_spec, convert_records, named_columns, scanned_bytes
from firelens_local.parquet import duckdb_type as duckdb_type  # where make query's tests and users look for it
from firelens_local.parquet import ident as _ident
from firelens_local.parquet import sql_string as _sql_string
from firelens_local.readback import (
    DeployedQuery,
    DeployedTable,
    PartitionObject,
    fetch_partition,
    list_partitions,
    read_deployed_table,
    read_named_queries,
)

#: Athena function -> (DuckDB macro name, its definition over the arguments).
TRANSLATIONS: dict[str, tuple[str, str]] = {
    "from_iso8601_timestamp": ("athena_from_iso8601_timestamp", "(s) AS CAST(s AS TIMESTAMPTZ)"),
    "regexp_replace": ("athena_regexp_replace", "(s, p, r) AS regexp_replace(s, p, r, 'g')"),
}
#: SQL text outside string literals and quoted identifiers, or one of those.
_SQL_PARTS = re.compile(r"('(?:[^']|'')*'|\"(?:[^\"]|\"\")*\")")
_CALL = re.compile(r"\b(" + "|".join(TRANSLATIONS) + r")\s*\(", re.IGNORECASE)


def to_duckdb(sql: str) -> str:
    """Athena SQL as DuckDB runs it: the functions of :data:`TRANSLATIONS` renamed, nothing else touched.

    Calls inside string literals and quoted identifiers are left alone.

    Example:
        >>> to_duckdb("SELECT regexp_replace(s, '[0-9]', '?') FROM t WHERE x = 'regexp_replace('")
        "SELECT athena_regexp_replace(s, '[0-9]', '?') FROM t WHERE x = 'regexp_replace('"
    """
    parts = _SQL_PARTS.split(sql)
    return "".join(
        part if index % 2 else _CALL.sub(lambda m: TRANSLATIONS[m.group(1).lower()][0] + "(", part)
        for index, part in enumerate(parts)
    )


@dataclass(frozen=True)
class Loaded:
    """What was loaded into DuckDB for one day.

    Attributes:
        day: the partition.
        objects: objects read.
        bytes_read: their stored (compressed) bytes: what Athena bills as scanned.
        raw_bytes: their bytes after gunzip.
        rows: rows in the table (NULL rows included, as in Athena).
        records: rows that were JSON objects.
        blank: blank lines (NULL rows).
        malformed: malformed lines (NULL rows).
        parquet_files: for a Parquet table, each object's column chunk sizes and other bytes
            (:func:`~firelens_local.parquet.column_chunk_bytes`): a query reads only its columns' chunks.
    """

    day: date
    objects: int
    bytes_read: int
    raw_bytes: int
    rows: int
    records: int
    blank: int
    malformed: int
    parquet_files: tuple[tuple[dict[str, int], int], ...] = ()

    def scanned_by(self, sql: str, columns: Sequence[Column]) -> int:
        """Bytes a query reads: a text table's objects whole (Athena bills them whole), a Parquet table's
        footers and the chunks of the columns the query names."""
        if not self.parquet_files:
            return self.bytes_read
        return scanned_bytes(self.parquet_files, named_columns(sql, [c.name for c in columns]))


class LocalAthena:
    """An in-memory DuckDB database holding one archive table, read as Athena reads it.

    Args:
        table: the deployed table (columns, template).
        workdir: where the NDJSON files go. Default: a temporary folder, removed on :meth:`close`.
    """

    def __init__(self, table: DeployedTable, workdir: Path | None = None) -> None:
        import duckdb  # dev dependency: only make run / make query need it

        self.table = table
        self._tmp = None if workdir else tempfile.TemporaryDirectory(prefix="firelens-query-")
        self.workdir = workdir or Path(self._tmp.name)  # type: ignore[union-attr]
        self.connection = duckdb.connect()
        self.connection.execute("SET TimeZone = 'UTC'")
        for name, definition in TRANSLATIONS.values():
            self.connection.execute(f"CREATE MACRO {name}{definition}")

    def load(self, day: date, objects: Sequence[PartitionObject]) -> Loaded:
        """Make ``objects`` (one day's partition, fetched) the table's rows, replacing what it held."""
        if self.table.parquet:
            return self._load_parquet(day, objects)
        columns: tuple[Column, ...] = self.table.columns
        path = self.workdir / f"{day.isoformat()}.ndjson"
        records = blank = malformed = rows = raw = 0
        with open(path, "w", encoding="utf-8") as out:
            for stored in objects:
                text = object_text(stored.body)
                raw += len(text.encode("utf-8"))
                lines: Lines = read_lines(text)
                blank, malformed = blank + lines.blank, malformed + lines.malformed
                for record in lines.records:
                    rows += 1
                    row = to_row(record, columns)[0] if record is not None else {}
                    records += record is not None
                    out.write(json.dumps(row, separators=(",", ":"), ensure_ascii=False) + "\n")
        spec = columns_spec(columns)
        self.connection.execute(
            f"CREATE OR REPLACE TABLE {_ident(self.table.name)} AS "
            f'SELECT *, {day.year} AS "year", {day.month} AS "month", {day.day} AS "day" '
            f"FROM read_json({_sql_string(str(path))}, format = 'newline_delimited', columns = {spec})"
        )
        return Loaded(day, len(objects), sum(len(o.body) for o in objects), raw, rows, records, blank, malformed)

    def _load_parquet(self, day: date, objects: Sequence[PartitionObject]) -> Loaded:
        paths = []
        for index, stored in enumerate(objects):
            path = self.workdir / f"{day.isoformat()}-{index}.parquet"
            path.write_bytes(stored.body)
            paths.append(path)
        names = ", ".join(_ident(c.name) for c in self.table.columns)
        if paths:
            files = "[" + ", ".join(_sql_string(str(p)) for p in paths) + "]"
            source = f"read_parquet({files}, union_by_name = true)"
        else:
            source = f"(SELECT * FROM (VALUES (NULL)) AS t({names}) WHERE false)"
        self.connection.execute(
            f"CREATE OR REPLACE TABLE {_ident(self.table.name)} AS "
            f'SELECT {names}, {day.year} AS "year", {day.month} AS "month", {day.day} AS "day" FROM {source}'
        )
        rows = self.connection.execute(f"SELECT count(*) FROM {_ident(self.table.name)}").fetchone()
        count = int(rows[0]) if rows else 0
        stored_bytes = sum(len(o.body) for o in objects)
        return Loaded(
            day,
            len(objects),
            stored_bytes,
            stored_bytes,
            count,
            count,
            0,
            0,
            tuple(column_chunk_bytes(p) for p in paths),
        )

    def run(self, sql: str, parameters: Sequence[Any]) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
        """Run Athena ``sql`` (translated) with ``parameters``; the column names and rows."""
        cursor = self.connection.execute(to_duckdb(sql), list(parameters))
        return tuple(d[0] for d in cursor.description), cursor.fetchall()

    def close(self) -> None:
        """Close the database and remove its files."""
        self.connection.close()
        if self._tmp is not None:
            self._tmp.cleanup()


@dataclass(frozen=True)
class QueryResult:
    """One saved query's result.

    Attributes:
        query: the named query as deployed.
        columns: result column names.
        rows: result rows.
        bytes_scanned: stored bytes the query read: the whole pruned partition of a text table (text files
            are read whole; Athena bills the same), or a Parquet table's footers and the chunks of the columns
            the query names.
        raw_bytes: those bytes after gunzip.
    """

    query: DeployedQuery
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    bytes_scanned: int
    raw_bytes: int


@dataclass(frozen=True)
class ArchiveQueryRun:
    """The saved queries of one table, run over one day.

    Attributes:
        table: the table read.
        workgroup: the workgroup whose named queries ran.
        loaded: the day's partition as loaded (``None``: the archive has no partition yet).
        results: each query's result, by name.
        days: every day partition the archive holds.
    """

    table: DeployedTable
    workgroup: str
    loaded: Loaded | None
    results: tuple[QueryResult, ...]
    days: tuple[date, ...]

    def result(self, name_suffix: str) -> QueryResult | None:
        """The result of the query whose name ends with ``name_suffix``."""
        return next((r for r in self.results if r.query.name.endswith(name_suffix)), None)


def query_archive(
    *, s3: Any, glue: Any, athena: Any, table: str, workgroup: str, day: date | None = None
) -> ArchiveQueryRun:
    """Run ``workgroup``'s named queries over one day of ``table`` (``database.table``) with DuckDB.

    Args:
        s3, glue, athena: boto3 clients for the emulator.
        table: ``database.table``.
        workgroup: the Athena workgroup.
        day: the UTC day to read. Default: the newest partition.

    Raises:
        LookupError: the table or the workgroup's queries are missing (redeploy), or the day has no partition.
    """
    deployed = read_deployed_table(glue, table)
    partitions = list_partitions(s3, deployed)
    if not partitions and day is None:
        return ArchiveQueryRun(deployed, workgroup, None, (), ())
    day = day or max(partitions)
    if day not in partitions:
        raise LookupError(
            f"no partition for {day.isoformat()} in s3://{deployed.bucket}/{deployed.listing_prefix}... "
            f"(days: {', '.join(d.isoformat() for d in partitions) or 'none'})"
        )
    queries = read_named_queries(athena, workgroup)
    if not queries:
        raise LookupError(f"Athena workgroup {workgroup} has no named queries: redeploy the pipeline stack")
    local = LocalAthena(deployed)
    try:
        loaded = local.load(day, fetch_partition(s3, deployed, partitions[day]))
        parameters = [getattr(day, name) for name in QUERY_PARAMETERS]
        results = []
        for query in queries:
            columns, rows = local.run(query.sql, parameters)
            scanned = loaded.scanned_by(query.sql, deployed.columns)
            results.append(QueryResult(query, columns, tuple(rows), scanned, loaded.raw_bytes))
    finally:
        local.close()
    return ArchiveQueryRun(deployed, workgroup, loaded, tuple(results), tuple(partitions))


@dataclass(frozen=True)
class FormatScan:
    """One saved query over the same records, as the archive stores them and as Parquet would.

    Attributes:
        query: the named query's name.
        json_bytes: bytes it reads from the GZIP JSON objects (all of them).
        parquet_bytes: bytes it reads from the same records as Parquet (footers and its columns' chunks).
        same_answer: both gave the same rows.
    """

    query: str
    json_bytes: int
    parquet_bytes: int
    same_answer: bool


@dataclass(frozen=True)
class FormatComparison:
    """A day of a GZIP JSON table, converted to Parquet as Firehose would, and queried both ways.

    Attributes:
        table: ``database.table``. ``day``: the partition read.
        raw_bytes: the records' bytes before compression.
        json_stored: stored GZIP bytes, as delivered. ``parquet_stored``: the same records' Parquet bytes, in
            one object (Firehose buffers 64 MiB or more before it converts: a day this small is one object).
        failed: documents the conversion could not convert (they would go to the error prefix).
        scans: each saved query's bytes in both formats.
    """

    table: str
    day: date
    raw_bytes: int
    json_stored: int
    parquet_stored: int
    failed: int
    scans: tuple[FormatScan, ...]


def compare_formats(*, s3: Any, glue: Any, athena: Any, table: str, workgroup: str, day: date) -> FormatComparison:
    """Run ``workgroup``'s saved queries over one day of a GZIP JSON ``table`` and over the same records
    converted to Parquet (:func:`~firelens_local.parquet.convert_records`, the table's columns as schema).

    Raises:
        LookupError: the table is not a JSON table, or has no partition for ``day``.
    """
    deployed = read_deployed_table(glue, table)
    if deployed.parquet:
        raise LookupError(f"{table} is already Parquet: compare a GZIP JSON table")
    partitions = list_partitions(s3, deployed)
    if day not in partitions:
        raise LookupError(f"no partition for {day.isoformat()} in s3://{deployed.bucket}/{deployed.listing_prefix}")
    objects = fetch_partition(s3, deployed, partitions[day])
    # Firehose converts after buffering at least 64 MiB: a day this small is one Parquet object
    conversion = convert_records([object_text(o.body).encode("utf-8") for o in objects], deployed.columns)
    failed = len(conversion.failed)
    converted = (
        [PartitionObject(f"{day.isoformat()}.parquet", day, len(conversion.parquet), conversion.parquet)]
        if conversion.parquet is not None
        else []
    )
    queries = read_named_queries(athena, workgroup)
    parameters = [getattr(day, name) for name in QUERY_PARAMETERS]
    as_json, as_parquet = LocalAthena(deployed), LocalAthena(replace(deployed, parquet=True))
    try:
        json_loaded, parquet_loaded = as_json.load(day, objects), as_parquet.load(day, converted)
        scans = []
        for query in queries:
            json_rows = as_json.run(query.sql, parameters)[1]
            parquet_rows = as_parquet.run(query.sql, parameters)[1]
            scans.append(
                FormatScan(
                    query.name,
                    json_loaded.scanned_by(query.sql, deployed.columns),
                    parquet_loaded.scanned_by(query.sql, deployed.columns),
                    json_rows == parquet_rows,
                )
            )
    finally:
        as_json.close()
        as_parquet.close()
    return FormatComparison(
        table, day, json_loaded.raw_bytes, json_loaded.bytes_read, parquet_loaded.bytes_read, failed, tuple(scans)
    )


# --- output ---------------------------------------------------------------------------------------


def _cell(value: Any, width: int) -> str:
    if value is None:
        text = "NULL"
    elif isinstance(value, datetime):
        text = value.strftime("%Y-%m-%d %H:%M:%S %Z").strip()
    elif isinstance(value, float):
        text = f"{value:g}"
    else:
        text = " ".join(str(value).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def render_result(result: QueryResult, *, width: int = 90, limit: int = 20) -> list[str]:
    """A query result as a text table under its name (at most ``limit`` rows)."""
    head = [f"{result.query.name} ({len(result.rows)} row(s); {result.bytes_scanned:,} bytes scanned)"]
    if not result.rows:
        return [*head, "  (no rows)"]
    cells = [list(result.columns)] + [[_cell(v, width) for v in row] for row in result.rows[:limit]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    lines = ["  " + "  ".join(c.ljust(widths[i]) for i, c in enumerate(row)).rstrip() for row in cells]
    lines.insert(1, "  " + "  ".join("-" * w for w in widths))
    if len(result.rows) > limit:
        lines.append(f"  ... {len(result.rows) - limit} more row(s)")
    return [*head, *lines]


def render(run: ArchiveQueryRun) -> list[str]:
    """Every query's result, under a line that says what was read."""
    table = f"{run.table.database}.{run.table.name}"
    if run.loaded is None:
        return [f"{table}: the archive s3://{run.table.bucket}/ holds no partition yet; run 'make run' first"]
    loaded = run.loaded
    lines = [
        f"{table}, day {loaded.day.isoformat()} (partition s3://{run.table.bucket}/"
        f"{run.table.partition_prefix(loaded.day)}): {loaded.objects} object(s), {loaded.bytes_read:,} bytes "
        + (
            f"stored, Parquet; {loaded.rows} row(s)"
            if run.table.parquet
            else f"stored, {loaded.raw_bytes:,} after gunzip; {loaded.rows} row(s): {loaded.records} record(s), "
            f"{loaded.blank} blank line(s), {loaded.malformed} malformed (NULL rows in Athena too)"
        ),
        f"workgroup {run.workgroup}; days in the archive: {', '.join(d.isoformat() for d in run.days)}",
    ]
    for result in run.results:
        lines += ["", *render_result(result)]
    return lines

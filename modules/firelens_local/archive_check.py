"""``make run``'s look at the archive after delivery: does the table read what arrived, and what do the queries say?

For each archive table the pipeline deployed (``archive_tables`` output, with
its workgroup in ``athena_workgroups``):

- the **schema check**: every SQL-log record this run delivered into the
  table's bucket (for a Parquet table: sent to its stream, as the conversion
  reads them) is read under the table's columns (as Athena's OpenX SerDe
  would, :mod:`firelens_local.archive_records`); keys no column covers
  and values that would read as NULL are reported as schema drift. Drift is
  reported, not fatal: delivery worked, the table needs a new column;
- the **saved queries**: the workgroup's named queries run with DuckDB over
  the day partition this run wrote into (:mod:`firelens_local.query`);
  that partition also holds what earlier runs of the same day delivered, as
  Athena would read it;
- the **format comparison**: the same day's records converted to Parquet as
  Firehose would convert them (:func:`~firelens_local.query.compare_formats`),
  and each saved query's bytes read in both formats, for the cost report.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from firelens_local.archive_records import Drift, check_schema, object_text, read_lines
from firelens_local.query import ArchiveQueryRun, FormatComparison, QueryResult, compare_formats, query_archive
from firelens_local.readback import StoredObject, read_deployed_table

#: The query the report shows: the name suffix of :func:`~firelens_cdktf.archive.schema.saved_queries`'s first.
SLOWEST_SUFFIX = ": slowest statements of a day"


@dataclass(frozen=True)
class ArchiveCheck:
    """One table's schema check and query results.

    Attributes:
        table: ``database.table``.
        workgroup: its Athena workgroup.
        bucket: the archive bucket the table reads.
        drift: this run's records read under the table's columns.
        queries: the saved queries over this run's day (``None`` when this run wrote nothing there).
        formats: that day's records, as delivered (GZIP JSON) and converted to Parquet, queried both ways
            (``None`` when no query ran).
    """

    table: str
    workgroup: str
    bucket: str
    drift: Drift
    queries: ArchiveQueryRun | None
    formats: FormatComparison | None = None

    @property
    def slowest(self) -> QueryResult | None:
        """The slowest-statements query's result."""
        return self.queries.result(SLOWEST_SUFFIX) if self.queries else None


def check_archive(
    *,
    tables: Sequence[str],
    workgroups: Sequence[str],
    s3: Any,
    glue: Any,
    athena: Any,
    objects: Sequence[StoredObject],
    sent: Mapping[str, Sequence[str]] | None = None,
) -> tuple[ArchiveCheck, ...]:
    """The schema check and the saved queries of each table, for the objects this run delivered.

    Args:
        tables: ``database.table`` of each archive table.
        workgroups: the workgroup of each, in the same order.
        s3, glue, athena: boto3 clients for the emulator.
        objects: the objects this run wrote (any bucket).
        sent: bucket -> the JSON records this run sent to it. A Parquet table's schema check reads these,
            as the conversion reads them (its objects hold only what the columns kept).

    Raises:
        LookupError: a table or its queries are missing (redeploy).
        ValueError: ``tables`` and ``workgroups`` differ in length.
    """
    if len(tables) != len(workgroups):
        raise ValueError(f"{len(tables)} archive table(s) but {len(workgroups)} workgroup(s): redeploy the pipeline")
    checks = []
    for table, workgroup in zip(tables, workgroups, strict=True):
        deployed = read_deployed_table(glue, table)
        mine = [o for o in objects if o.bucket == deployed.bucket]
        if deployed.parquet:
            records = [r for r in read_lines("\n".join((sent or {}).get(deployed.bucket, ()))).records if r]
        else:
            records = [r for o in mine for r in read_lines(object_text(o.body)).records if r is not None]
        days = sorted(day for o in mine if (day := deployed.day_of(o.key)) is not None)
        queries = (
            query_archive(s3=s3, glue=glue, athena=athena, table=table, workgroup=workgroup, day=days[-1])
            if days
            else None
        )
        formats = (
            compare_formats(s3=s3, glue=glue, athena=athena, table=table, workgroup=workgroup, day=days[-1])
            if days and not deployed.parquet
            else None
        )
        checks.append(
            ArchiveCheck(table, workgroup, deployed.bucket, check_schema(records, deployed.columns), queries, formats)
        )
    return tuple(checks)

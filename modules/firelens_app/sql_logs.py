"""The archive's schema and saved queries for this app's SQL logs (rails_semantic_logger's ActiveRecord records).

The library's :class:`~firelens_cdktf.constructs.ArchiveQueries` takes any
columns and queries; these are the ones the article's ``sql`` route archives.
"""

from __future__ import annotations

from firelens_cdktf.archive import (
    BIGINT,
    BOOLEAN,
    DOUBLE,
    INT,
    STRING,
    Column,
    MapOf,
    SavedQuery,
    Struct,
    quote_identifier,
    sql_string,
)

#: Columns for the SQL log records the ``sql`` route archives: rails_semantic_logger's
#: keys (docker/app/rails_log.py documents the shape) and the keys FireLens adds.
#: ``container_*`` and ``source`` come from the awsfirelens log driver; the
#: ``parser`` filter drops them from parsed records (Reserve_Data off), so they are
#: NULL with the compiled config and kept for configs that reserve them.
SQL_LOG_COLUMNS: tuple[Column, ...] = (
    Column("timestamp", STRING, "ISO 8601 UTC time the app logged, e.g. 2026-11-30T14:04:07.564189Z"),
    Column("level", STRING, "trace, debug, info, warn, error or fatal"),
    Column("level_index", INT, "the level as 0-5"),
    Column("name", STRING, "the logger: ActiveRecord for SQL logs"),
    Column("message", STRING, "e.g. User Load; CACHE User Load for a cached query"),
    Column("duration_ms", DOUBLE, "milliseconds the statement took"),
    Column("duration", STRING, "the same, for humans: 0.126ms"),
    Column(
        "payload",
        Struct(
            (
                Column("sql", STRING, "the statement with its placeholders"),
                Column("binds", MapOf(STRING, STRING), "placeholder values by name"),
                Column("allocations", BIGINT, "Ruby objects allocated"),
                Column("cached", BOOLEAN, "served from the query cache"),
            )
        ),
        "ActiveRecord's payload",
    ),
    Column("named_tags", Struct((Column("request_id", STRING), Column("ip", STRING))), "the request's tags"),
    Column("host", STRING),
    Column("application", STRING),
    Column("environment", STRING),
    Column("pid", BIGINT),
    Column("thread", STRING),
    Column("ecs_cluster", STRING, "added by FireLens"),
    Column("ecs_task_arn", STRING, "added by FireLens"),
    Column("ecs_task_definition", STRING, "added by FireLens"),
    Column("container_id", STRING, "added by the awsfirelens log driver"),
    Column("container_name", STRING, "added by the awsfirelens log driver"),
    Column("source", STRING, "stdout or stderr, added by the awsfirelens log driver"),
)


#: Literals in a statement, replaced by ``?`` to group statements by shape: quoted
#: strings, ``$n`` placeholders and numbers (a pattern both Java regex and RE2 read).
NORMALIZE_PATTERN = r"'[^']*'|\$[0-9]+|\b[0-9]+(\.[0-9]+)?\b"

#: How many rows the ranking queries return.
TOP = 20


def saved_queries(table: str) -> tuple[SavedQuery, ...]:
    """The three saved queries over ``table`` (unqualified: the named query names the database).

    Each filters on the partition columns with ``?`` parameters, so it reads one
    day, and on ``payload.sql IS NOT NULL``, which drops the NULL rows OpenX makes
    of blank and malformed lines.
    """
    source = (
        f'FROM {quote_identifier(table)}\nWHERE "year" = ? AND "month" = ? AND "day" = ? AND payload.sql IS NOT NULL'
    )
    return (
        SavedQuery(
            "slowest",
            f"{table}: slowest statements of a day",
            f"The {TOP} slowest SQL statements of one UTC day (parameters: year, month, day).",
            'SELECT "timestamp" AS logged_at, duration_ms, payload.sql AS statement, ecs_task_arn\n'
            f"{source}\nORDER BY duration_ms DESC NULLS LAST, logged_at\nLIMIT {TOP}",
        ),
        SavedQuery(
            "per_minute",
            f"{table}: statements per minute",
            "SQL statements per minute of one UTC day, with their total and longest duration "
            "(parameters: year, month, day).",
            "SELECT date_trunc('minute', from_iso8601_timestamp(\"timestamp\")) AS minute, count(*) AS statements,\n"
            "       round(sum(duration_ms), 3) AS total_ms, round(max(duration_ms), 3) AS max_ms\n"
            f"{source}\nGROUP BY 1\nORDER BY 1",
        ),
        SavedQuery(
            "frequent",
            f"{table}: most frequent statements",
            f"The {TOP} most frequent SQL statements of one UTC day, literals replaced by ? "
            "(parameters: year, month, day).",
            f"SELECT regexp_replace(payload.sql, {sql_string(NORMALIZE_PATTERN)}, '?') AS normalized_sql,\n"
            "       count(*) AS executions, round(avg(duration_ms), 3) AS avg_ms, "
            "round(sum(duration_ms), 3) AS total_ms\n"
            f"{source}\nGROUP BY 1\nORDER BY executions DESC, total_ms DESC, normalized_sql\nLIMIT {TOP}",
        ),
    )

"""The ``users`` table, in postgres or in an embedded sqlite3 database.

Two cases, chosen by ``DATABASE_URL``:

* set (the container case): postgres through psycopg 3, e.g. the article's
  ``db`` sidecar at ``postgresql://postgres:secret@127.0.0.1:5432/postgres``
  (the containers of a Fargate task share localhost). psycopg is imported
  only here, so the local case needs nothing outside the standard library.
* unset (the local case, tests and ``make run``): sqlite3 in memory, created
  and seeded at start; nothing to install, no server, no file left behind.

Either way the table is created if missing and the same users are seeded
(idempotently, so several app starts against one postgres are fine). The
queries are the ones ActiveRecord sends for ``User.all`` and
``User.find_by(id:)``; each call returns, with its rows, the :class:`Query`
that the caller logs as an ``ActiveRecord`` line.
"""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Mapping

#: Users every database starts with: (id, name, email, created_at in UTC).
SEED_USERS: tuple[tuple[int, str, str, str], ...] = (
    (1, "Alice", "alice@example.com", "2024-01-15 09:00:00"),
    (2, "Bob", "bob@example.com", "2024-01-16 10:30:00"),
    (3, "Carol", "carol@example.com", "2024-02-01 08:15:00"),
)
#: How long to keep trying to reach postgres at start. ECS starts the app
#: only once the db container is HEALTHY, so this covers restarts and slow
#: first connections, not a missing database.
CONNECT_DEADLINE_S = 30.0
_CONNECT_RETRY_S = 1.0
#: Rails' bigint primary key: a larger id cannot exist, and ActiveRecord
#: answers "not found" without querying.
_MAX_ID = 2**63 - 1

_SQLITE_SCHEMA = (
    'CREATE TABLE IF NOT EXISTS "users" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, '
    '"name" varchar, "email" varchar, "created_at" datetime(6) NOT NULL, "updated_at" datetime(6) NOT NULL)'
)
_POSTGRES_SCHEMA = (
    'CREATE TABLE IF NOT EXISTS "users" ("id" bigserial primary key, '
    '"name" character varying, "email" character varying, '
    '"created_at" timestamp(6) NOT NULL, "updated_at" timestamp(6) NOT NULL)'
)
_SEED = (
    'INSERT INTO "users" ("id", "name", "email", "created_at", "updated_at") '
    'VALUES ({p}, {p}, {p}, {p}, {p}) ON CONFLICT ("id") DO NOTHING'
)
_SELECT_ALL = 'SELECT "users".* FROM "users"'
_SELECT_ONE = 'SELECT "users".* FROM "users" WHERE "users"."id" = {p} LIMIT {p}'


@dataclass(frozen=True)
class Query:
    """One SQL statement as it ran: what an ``ActiveRecord`` log line reports.

    Attributes:
        name: ActiveRecord's name for it, e.g. ``"User Load"``.
        sql: The statement handed to the driver.
        binds: Placeholder values by column (lower case, as Rails logs them).
        duration_ms: Time to execute and fetch.
        allocations: Net memory blocks allocated meanwhile (0 at least).
    """

    name: str
    sql: str
    binds: Mapping[str, Any]
    duration_ms: float
    allocations: int


class UserStore:
    """The users of one database connection, safe to use from many threads.

    Use :meth:`open` rather than the constructor.

    Args:
        connection: A DB-API connection (sqlite3 or psycopg), autocommitting.
        placeholder: The driver's placeholder: ``"?"`` or ``"%s"``.
        description: What the boot banner says about the database.

    Example::

        store = UserStore.open(os.environ.get("DATABASE_URL"))
        user, query = store.find(1)
    """

    def __init__(self, connection: Any, *, placeholder: str, description: str) -> None:
        self._connection = connection
        self._placeholder = placeholder
        self.description = description
        # One connection serves every request thread, one statement at a time.
        self._lock = threading.Lock()

    @classmethod
    def open(cls, database_url: str | None, *, on_retry: Callable[[str], None] | None = None) -> UserStore:
        """Connect, create the table if missing and seed it.

        Args:
            database_url: A postgres URL, or ``None`` (or empty) for the
                embedded sqlite3 database.
            on_retry: Told why each failed postgres connection attempt failed.
                Default: not told.

        Raises:
            SystemExit: ``database_url`` is set but psycopg is not installed
                (it is in the image: see requirements.txt).
            psycopg.OperationalError: postgres is still unreachable after
                :data:`CONNECT_DEADLINE_S` seconds.
        """
        if not database_url:
            import sqlite3

            connection = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
            store = cls(connection, placeholder="?",
                        description=f"sqlite3 {sqlite3.sqlite_version} in memory (DATABASE_URL is not set)")
            store._prepare(_SQLITE_SCHEMA)
            return store
        connection = _connect_postgres(database_url, on_retry)
        version = connection.info.server_version
        store = cls(connection, placeholder="%s",
                    description=f"postgres {version // 10000}.{version % 10000} at {connection.info.host}:{connection.info.port}")
        store._prepare(_POSTGRES_SCHEMA)
        return store

    def all(self) -> tuple[list[dict[str, Any]], Query]:
        """Every user, as ``User.all`` loads them."""
        return self._select(_SELECT_ALL, {})

    def find(self, user_id: int) -> tuple[dict[str, Any] | None, Query | None]:
        """The user with ``user_id``, as ``User.find_by(id: user_id)`` loads it.

        Returns ``(None, None)`` without querying for an id out of bigint's
        range, as ActiveRecord does.
        """
        if not -_MAX_ID - 1 <= user_id <= _MAX_ID:
            return None, None
        sql = _SELECT_ONE.format(p=self._placeholder)
        rows, query = self._select(sql, {"id": user_id, "limit": 1})
        return (rows[0] if rows else None), query

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._connection.close()

    def _prepare(self, schema: str) -> None:
        seed = _SEED.format(p=self._placeholder)
        with self._lock:
            cursor = self._connection.cursor()
            cursor.execute(schema)
            for user_id, name, email, created_at in SEED_USERS:
                cursor.execute(seed, (user_id, name, email, created_at, created_at))
            cursor.close()

    def _select(self, sql: str, binds: Mapping[str, Any]) -> tuple[list[dict[str, Any]], Query]:
        with self._lock:
            blocks = sys.getallocatedblocks()
            started = time.perf_counter()
            cursor = self._connection.cursor()
            cursor.execute(sql, tuple(binds.values()))
            columns = [column[0] for column in cursor.description]
            rows = cursor.fetchall()
            cursor.close()
            duration_ms = (time.perf_counter() - started) * 1000
            allocations = max(0, sys.getallocatedblocks() - blocks)
        users = [_as_json(dict(zip(columns, row))) for row in rows]
        return users, Query("User Load", sql, binds, duration_ms, allocations)


def _connect_postgres(database_url: str, on_retry: Callable[[str], None] | None) -> Any:
    try:
        import psycopg
    except ModuleNotFoundError:
        raise SystemExit("DATABASE_URL is set but psycopg is not installed: run "
                         "`pip install -r docker/app/requirements.txt`, or unset DATABASE_URL "
                         "to use the embedded sqlite3 database") from None

    deadline = time.monotonic() + CONNECT_DEADLINE_S
    while True:
        try:
            return psycopg.connect(database_url, autocommit=True, connect_timeout=5)
        except psycopg.OperationalError as error:
            if time.monotonic() >= deadline:
                raise
            if on_retry is not None:
                on_retry(str(error).strip().splitlines()[0])
            time.sleep(_CONNECT_RETRY_S)


def _as_json(row: dict[str, Any]) -> dict[str, Any]:
    """A row as Rails' ``render json:`` writes a record: times as ``2024-01-15T09:00:00.000Z``."""
    return {key: _rails_time(value) if key.endswith("_at") else value for key, value in row.items()}


def _rails_time(value: datetime | str) -> str:
    # sqlite3 returns the stored text, psycopg a naive datetime; both are UTC.
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    moment = moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


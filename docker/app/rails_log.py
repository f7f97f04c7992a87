"""Log lines in rails_semantic_logger's JSON shape, written to stdout.

The log router (Fluent Bit behind FireLens) is configured for the article's
Rails app, which logs with rails_semantic_logger's JSON formatter. This
module writes the same shape, so the article's routes apply unchanged:
``$name == "ActiveRecord"`` finds the SQL logs and ``$payload['label']`` the
analysis records.

Schema: one JSON object per line, UTF-8, compact, keys in this order (the
order of semantic_logger's ``Formatters::Raw``)::

    key          type     present  value
    host         string   always   the machine's host name (socket.gethostname())
    application  string   always   "SampleMetrics"
    environment  string   always   RAILS_ENV: "development" by default, "production" in the image
    timestamp    string   always   UTC, ISO 8601, 6 fractional digits, "Z": "2024-05-01T12:34:56.123456Z"
    level        string   always   "trace" | "debug" | "info" | "warn" | "error" | "fatal"
    level_index  integer  always   0 .. 5, in the order above
    pid          integer  always   the process id
    thread       string   always   name of the Python thread that logged
    duration_ms  number   timed    milliseconds the event took (SQL and "Completed" lines)
    duration     string   timed    the same, for humans: "0.523ms", "12.3ms", "1.234s", "2m 3s"
    named_tags   object   always   {"request_id": string, "ip": string}
    name         string   always   the logger: "Rack", "ActiveRecord", "UsersController", ...
    message      string   always   see the table below
    payload      object   some     see the table below; left out when there is none

Every JSON line belongs to a request, so ``named_tags`` is always there. The
records of one request, in the order they are written::

    name             level  message               payload
    Rack             debug  Started               {method, path, ip}  (path with the query string)
    UsersController  debug  Processing #<action>  -
    ActiveRecord     debug  User Load             {sql, binds, allocations, cached}  ("binds" only when
                                                  the SQL has placeholders: {"id": 1, "limit": 1})
    UsersController  info   user_show             {label: "user_show", user_id, data: {query}}
                                                  (successful show only; query is null when absent)
    UsersController  info   Completed #<action>   {controller, action, params, format, method, path,
                                                  status, view_runtime, db_runtime, allocations,
                                                  status_message}  ("params" only when not empty)

A path that matches no route gives ``Rack``'s "Started" line and one
``ActionDispatch::DebugExceptions`` fatal line, ``ActionController::RoutingError
(No route matches [GET] "/path")``, and no controller lines.

Where this differs from Ruby, on purpose or by necessity:

* ``allocations`` counts CPython's net new memory blocks during the event
  (``sys.getallocatedblocks()``, never below 0); Ruby counts objects. Compare
  magnitudes, not values.
* ``cached`` is ``null`` as Rails logs it for a query that missed the query
  cache; this app has no query cache.
* ``sql`` is the statement handed to the driver: ``?`` placeholders on sqlite,
  ``%s`` on postgres (psycopg), where Rails shows ``$1``.

Lines that are not JSON (the boot banner, the shutdown lines) are written
with :meth:`SemanticLog.plain`, as Puma prints its own, so that the log
router meets them as it would with the real app.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import threading
from datetime import datetime, timezone
from typing import Any, BinaryIO, Callable, Literal, Mapping

Level = Literal["trace", "debug", "info", "warn", "error", "fatal"]

#: semantic_logger's levels; a level's position is its ``level_index``.
LEVELS: tuple[Level, ...] = ("trace", "debug", "info", "warn", "error", "fatal")
#: Keys every JSON line has, in the order they are written.
ALWAYS_KEYS: tuple[str, ...] = (
    "host", "application", "environment", "timestamp", "level", "level_index",
    "pid", "thread", "named_tags", "name", "message",
)
#: Keys some JSON lines have: timed events and events with a payload.
OPTIONAL_KEYS: tuple[str, ...] = ("duration_ms", "duration", "payload")
#: The Rails application's name (``Rails.application.class.module_parent_name``).
APPLICATION = "SampleMetrics"


def utc_now() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(timezone.utc)


def iso8601_micro(moment: datetime) -> str:
    """``moment`` as Ruby's ``time.utc.iso8601(6)`` writes it.

    >>> iso8601_micro(datetime(2024, 5, 1, 12, 34, 56, 123456, tzinfo=timezone.utc))
    '2024-05-01T12:34:56.123456Z'
    """
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def duration_human(duration_ms: float) -> str:
    """A duration as semantic_logger's ``Log#duration_human`` writes it.

    >>> duration_human(0.5234), duration_human(12.34), duration_human(1234.5), duration_human(123000)
    ('0.523ms', '12.3ms', '1.234s', '2m 3s')
    """
    seconds = duration_ms / 1000
    whole = int(seconds)
    hours, minutes, secs = whole // 3600 % 24, whole // 60 % 60, whole % 60
    if seconds >= 86_400:
        return f"{whole // 86_400}d {hours}h {minutes}m"
    if seconds >= 3600:
        return f"{hours}h {minutes}m"
    if seconds >= 60:
        return f"{minutes}m {secs}s"
    if seconds >= 1:
        return f"{seconds:.3f}s"
    return f"{duration_ms:.3f}ms" if duration_ms < 10 else f"{duration_ms:.1f}ms"


class SemanticLog:
    """Writes log lines to one binary stream, a whole line at a time.

    Lines from concurrent requests never interleave, and each line is flushed
    as soon as it is written, so that a reader of the stream (the awsfirelens
    log driver, or a test) sees it at once and nothing is lost on shutdown.

    Args:
        environment: The ``environment`` of every line (Rails' ``RAILS_ENV``).
        stream: Where lines go. Default: the process's standard output.
        host: The ``host`` of every line. Default: this machine's host name.
        clock: Gives the ``timestamp`` of a line. Default: :func:`utc_now`.

    Example::

        log = SemanticLog(environment="production")
        log.plain("* Listening on http://0.0.0.0:3000")
        log.write("Rack", "debug", "Started", named_tags={"request_id": "r1", "ip": "127.0.0.1"},
                  payload={"method": "GET", "path": "/users", "ip": "127.0.0.1"})
    """

    def __init__(
        self,
        *,
        environment: str,
        stream: BinaryIO | None = None,
        host: str | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.environment = environment
        self.host = host if host is not None else socket.gethostname()
        self._stream = stream if stream is not None else sys.stdout.buffer
        self._clock = clock
        self._lock = threading.Lock()

    def plain(self, text: str) -> None:
        """Write ``text`` as it is: a line that is not JSON, like Puma's banner."""
        self._emit(text)

    def write(
        self,
        name: str,
        level: Level,
        message: str,
        *,
        named_tags: Mapping[str, str],
        payload: Mapping[str, Any] | None = None,
        duration_ms: float | None = None,
    ) -> None:
        """Write one JSON line in the schema of this module's docstring.

        Args:
            name: The logger's name, e.g. ``"ActiveRecord"``.
            level: One of :data:`LEVELS`.
            message: The message.
            named_tags: The request's ``{"request_id", "ip"}``.
            payload: Structured data. Default: none, and the key is left out.
            duration_ms: How long the event took. Default: untimed, and
                ``duration_ms``/``duration`` are left out.
        """
        record: dict[str, Any] = {
            "host": self.host,
            "application": APPLICATION,
            "environment": self.environment,
            "timestamp": iso8601_micro(self._clock()),
            "level": level,
            "level_index": LEVELS.index(level),
            "pid": os.getpid(),
            "thread": threading.current_thread().name,
        }
        if duration_ms is not None:
            record["duration_ms"] = round(duration_ms, 3)
            record["duration"] = duration_human(duration_ms)
        record["named_tags"] = dict(named_tags)
        record["name"] = name
        record["message"] = message
        if payload:
            record["payload"] = dict(payload)
        self._emit(json.dumps(record, ensure_ascii=False, separators=(",", ":")))

    def _emit(self, line: str) -> None:
        data = line.encode("utf-8") + b"\n"
        with self._lock:
            self._stream.write(data)
            self._stream.flush()

"""A small web app standing in for the article's Rails app, logging as Rails does.

It serves users as JSON and writes to stdout the log lines that the Rails app
with rails_semantic_logger writes for the same requests, one JSON object per
line (the schema is in :mod:`rails_log`'s docstring), after a few plain boot
lines like Puma's. The log router's routes written for the Rails app apply
to it unchanged.

Run (Python 3.11, nothing to install)::

    python docker/app/app.py
    curl 'http://127.0.0.1:3000/users/1?query=hello'

Routes::

    GET /users                 every user, as a JSON array
    GET /users/<id>?query=...  one user as a JSON object; 404 and a JSON error if there is none.
                               Logs the analysis record (label "user_show") with the query.
    anything else              404 {"status": 404, "error": "Not Found"}

Environment::

    PORT          port to listen on. Default: 3000. 0 picks a free port; the
                  "* Listening on http://HOST:PORT" boot line tells which.
    BIND_HOST     address to listen on. Default: 127.0.0.1 (the image sets 0.0.0.0).
    DATABASE_URL  postgres URL (the container case; needs psycopg). Default:
                  unset, an embedded sqlite3 database seeded at start (see users_db).
    RAILS_ENV     the "environment" of every log line. Default: development
                  (the image sets production).

A request's id is its ``X-Request-Id`` header when it has one, as in Rails;
otherwise a new UUID. SIGTERM or SIGINT stops the app: requests in flight
finish, stdout is flushed, exit status 0.
"""

from __future__ import annotations

import json
import os
import platform
import re
import signal
import socketserver
import sys
import threading
import time
import traceback
import uuid
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Mapping, cast
from urllib.parse import parse_qsl, unquote, urlsplit

from rails_log import SemanticLog
from users_db import SEED_USERS, Query, UserStore

DEFAULT_PORT = 3000
DEFAULT_BIND_HOST = "127.0.0.1"
DEFAULT_ENVIRONMENT = "development"
CONTROLLER = "UsersController"
#: The label of the analysis record that the log router re-tags ``logdata.user_show``.
USER_SHOW_LABEL = "user_show"
#: A connection that sends nothing for this long is dropped, so shutdown,
#: which waits for requests in flight, cannot hang on an idle client.
REQUEST_TIMEOUT_S = 30
#: How often the server loop checks for shutdown: the longest a stop waits
#: on an idle server.
SHUTDOWN_POLL_S = 0.1

_ROUTES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"/users/?"), "index"),
    (re.compile(r"/users/(?P<id>[^/.]+)/?"), "show"),
)
# Rails' ActionDispatch::RequestId keeps these characters of X-Request-Id, at most 255.
_REQUEST_ID_DROP = re.compile(r"[^\w\-@]")
_FORMATS = {"application/json": "JSON", "text/html": "HTML", "*/*": "*/*"}
_JSON_TYPE = "application/json; charset=utf-8"


@dataclass(frozen=True)
class Config:
    """How the app runs, from the environment (see the module docstring).

    Raises:
        SystemExit: ``PORT`` is not a port number, with how to fix it.
    """

    port: int = DEFAULT_PORT
    host: str = DEFAULT_BIND_HOST
    database_url: str | None = None
    environment: str = DEFAULT_ENVIRONMENT

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Config:
        """Read ``PORT``, ``BIND_HOST``, ``DATABASE_URL`` and ``RAILS_ENV`` from ``env``."""
        raw_port = env.get("PORT", str(DEFAULT_PORT))
        if not raw_port.isdecimal() or not 0 <= int(raw_port) <= 65535:
            raise SystemExit(f"PORT={raw_port!r} is not a TCP port; use 1 to 65535, or 0 for any free port")
        return cls(
            port=int(raw_port),
            host=env.get("BIND_HOST") or DEFAULT_BIND_HOST,
            database_url=env.get("DATABASE_URL") or None,
            environment=env.get("RAILS_ENV") or DEFAULT_ENVIRONMENT,
        )


@dataclass(frozen=True)
class Request:
    """The parts of an HTTP request that the app and its logs use.

    Attributes:
        method: ``"GET"``.
        full_path: Path with the query string, as requested.
        path: Path without the query string.
        query: Query parameters; the last value wins, as in Rack.
        ip: The client's address.
        request_id: From ``X-Request-Id``, or a new UUID.
        accept: The ``Accept`` header, if any.
    """

    method: str
    full_path: str
    path: str
    query: Mapping[str, str]
    ip: str
    request_id: str
    accept: str | None = None

    @property
    def named_tags(self) -> dict[str, str]:
        """The ``named_tags`` of the request's log lines (Rails ``config.log_tags``)."""
        return {"request_id": self.request_id, "ip": self.ip}


@dataclass(frozen=True)
class Reply:
    """An HTTP response: status and JSON body."""

    status: int
    body: bytes


@dataclass
class _Runtime:
    """Milliseconds a request spent in the database so far (Rails' db_runtime)."""

    db_ms: float = 0.0


class UsersController:
    """The Rails ``UsersController``: the actions and the log lines Rails writes for them.

    Args:
        store: Where users are read from.
        log: Where log lines go.
    """

    def __init__(self, store: UserStore, log: SemanticLog) -> None:
        self._store = store
        self._log = log

    def process(self, action: str, request: Request, path_params: Mapping[str, str]) -> Reply:
        """Run ``action`` ("index" or "show"), logging "Processing" and "Completed" around it.

        An unexpected error becomes a 500 reply, its traceback goes to stderr.
        """
        tags = request.named_tags
        params = {**request.query, **path_params}
        self._log.write(CONTROLLER, "debug", f"Processing #{action}", named_tags=tags)
        started, blocks = time.perf_counter(), sys.getallocatedblocks()
        runtime = _Runtime()
        view_ms = 0.0
        try:
            if action == "index":
                status, body = self._index(tags, runtime)
            else:
                status, body = self._show(params, tags, runtime)
            rendering = time.perf_counter()
            encoded = _to_json(body)
            view_ms = (time.perf_counter() - rendering) * 1000
        except Exception:
            traceback.print_exc()
            status, encoded = 500, _to_json({"status": 500, "error": "Internal Server Error"})
        payload: dict[str, Any] = {"controller": CONTROLLER, "action": action}
        if params:
            payload["params"] = params
        payload.update(
            format=_request_format(request.accept),
            method=request.method,
            path=request.path,
            status=status,
            view_runtime=round(view_ms, 2),
            db_runtime=round(runtime.db_ms, 2),
            allocations=max(0, sys.getallocatedblocks() - blocks),
            status_message=HTTPStatus(status).phrase,
        )
        self._log.write(CONTROLLER, "info", f"Completed #{action}", named_tags=tags, payload=payload,
                        duration_ms=(time.perf_counter() - started) * 1000)
        return Reply(status, encoded)

    def _index(self, tags: Mapping[str, str], runtime: _Runtime) -> tuple[int, Any]:
        users, query = self._store.all()
        self._log_sql(query, tags, runtime)
        return 200, users

    def _show(self, params: Mapping[str, str], tags: Mapping[str, str], runtime: _Runtime) -> tuple[int, Any]:
        raw_id = params["id"]
        user, query = self._store.find(int(raw_id)) if raw_id.isdecimal() and raw_id.isascii() else (None, None)
        if query is not None:
            self._log_sql(query, tags, runtime)
        if user is None:
            return 404, {"error": f"Couldn't find User with 'id'={raw_id}"}
        self._log.write(CONTROLLER, "info", USER_SHOW_LABEL, named_tags=tags, payload={
            "label": USER_SHOW_LABEL,
            "user_id": user["id"],
            "data": {"query": params.get("query")},
        })
        return 200, user

    def _log_sql(self, query: Query, tags: Mapping[str, str], runtime: _Runtime) -> None:
        runtime.db_ms += query.duration_ms
        payload: dict[str, Any] = {"sql": query.sql}
        if query.binds:
            payload["binds"] = dict(query.binds)
        payload["allocations"] = query.allocations
        payload["cached"] = None
        self._log.write("ActiveRecord", "debug", query.name, named_tags=tags, payload=payload,
                        duration_ms=query.duration_ms)


class SampleApp:
    """Routes requests to the controller and logs Rack's "Started" line for each.

    Args:
        store: Where users are read from.
        log: Where log lines go.
    """

    def __init__(self, store: UserStore, log: SemanticLog) -> None:
        self._log = log
        self._controller = UsersController(store, log)

    def handle(self, request: Request) -> Reply:
        """Answer ``request``, writing its log lines."""
        tags = request.named_tags
        self._log.write("Rack", "debug", "Started", named_tags=tags,
                        payload={"method": request.method, "path": request.full_path, "ip": request.ip})
        for pattern, action in _ROUTES:
            match = pattern.fullmatch(request.path)
            if match:
                path_params = {key: unquote(value) for key, value in match.groupdict().items()}
                return self._controller.process(action, request, path_params)
        self._log.write("ActionDispatch::DebugExceptions", "fatal",
                        f'ActionController::RoutingError (No route matches [{request.method}] "{request.path}")',
                        named_tags=tags)
        return Reply(404, _to_json({"status": 404, "error": "Not Found"}))


class _Server(ThreadingHTTPServer):
    # Non-daemon request threads: server_close() waits for requests in flight.
    daemon_threads = False

    def __init__(self, address: tuple[str, int], app: SampleApp) -> None:
        self.app = app
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind also resolves the host's FQDN, which can stall
        # boot on a container without DNS; the app never uses the name.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)


class _Handler(BaseHTTPRequestHandler):
    server_version = "SampleApp"
    timeout = REQUEST_TIMEOUT_S

    def do_GET(self) -> None:  # noqa: N802 (the name http.server dispatches to)
        url = urlsplit(self.path)
        raw_id = _REQUEST_ID_DROP.sub("", self.headers.get("X-Request-Id", ""))[:255]
        request = Request(
            method="GET",
            full_path=self.path,
            path=url.path,
            query=dict(parse_qsl(url.query, keep_blank_values=True)),
            ip=str(self.client_address[0]),
            request_id=raw_id or str(uuid.uuid4()),
            accept=self.headers.get("Accept"),
        )
        reply = cast(_Server, self.server).app.handle(request)
        self.send_response(reply.status)
        self.send_header("Content-Type", _JSON_TYPE)
        self.send_header("Content-Length", str(len(reply.body)))
        self.send_header("X-Request-Id", request.request_id)
        self.end_headers()
        self.wfile.write(reply.body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
        # No access log: FireLens collects stderr too, and Rails writes none;
        # the JSON lines on stdout are the app's log.
        pass


def _to_json(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _request_format(accept: str | None) -> str:
    """Rails' request format as the Completed line shows it: no Accept header means HTML."""
    if not accept:
        return "HTML"
    first = accept.split(",")[0].split(";")[0].strip().lower()
    return _FORMATS.get(first, "HTML")


def main(env: Mapping[str, str] | None = None) -> int:
    """Boot, serve until SIGTERM or SIGINT, shut down cleanly; the exit status.

    Args:
        env: The environment to read settings from. Default: ``os.environ``.
    """
    config = Config.from_env(os.environ if env is None else env)
    log = SemanticLog(environment=config.environment)
    log.plain("=> Booting SampleApp (a stand-in for the article's Rails app)")
    log.plain(f"=> Python {platform.python_version()} application starting in {config.environment}")
    store = UserStore.open(config.database_url, on_retry=lambda why: log.plain(f"=> Waiting for the database: {why}"))
    log.plain(f"=> Database: {store.description}, {len(SEED_USERS)} seeded users")
    try:
        server = _Server((config.host, config.port), SampleApp(store, log))
    except OSError as error:
        store.close()
        raise SystemExit(f"cannot listen on {config.host}:{config.port}: {error.strerror}; "
                         "set PORT to a free port (PORT=0 picks one)") from None
    # Block the stop signals before any thread starts, so every thread
    # inherits the mask and the main thread alone receives them in sigwait().
    stop_signals = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)
    serving = threading.Thread(target=server.serve_forever, args=(SHUTDOWN_POLL_S,), name="http-server")
    serving.start()
    log.plain("Server starting in single mode...")
    log.plain(f"*  Environment: {config.environment}")
    log.plain(f"*          PID: {os.getpid()}")
    log.plain(f"* Listening on http://{server.server_name}:{server.server_port}")
    log.plain("Use Ctrl-C to stop")
    received = signal.sigwait(stop_signals)
    log.plain(f"- Gracefully stopping, waiting for requests to finish ({signal.Signals(received).name})")
    server.shutdown()
    serving.join()
    server.server_close()
    store.close()
    log.plain("- Goodbye!")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The sample app in docker/app/: its HTTP answers and the log lines the log router will route.

The real app runs once for the whole module, as a subprocess on 127.0.0.1 on
a free port, with the embedded sqlite3 database and Python's ``-S`` (no
site-packages: a third-party import would fail the run). It gets the
article's workload plus a path that matches no route, is stopped with
SIGTERM, and every test reads what it answered and printed.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from types import ModuleType
from typing import Any

import pytest

from conftest import ROOT

APP_DIR = ROOT / "docker" / "app"

#: The schema documented in docker/app/rails_log.py, in its key order.
KEY_ORDER = (
    "host",
    "application",
    "environment",
    "timestamp",
    "level",
    "level_index",
    "pid",
    "thread",
    "duration_ms",
    "duration",
    "named_tags",
    "name",
    "message",
    "payload",
)
ALWAYS = frozenset(KEY_ORDER) - {"duration_ms", "duration", "payload"}
COMPLETED_PAYLOAD = {
    "controller",
    "action",
    "format",
    "method",
    "path",
    "status",
    "view_runtime",
    "db_runtime",
    "allocations",
    "status_message",
}
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")

LIST, SHOW, UNKNOWN_USER, UNKNOWN_ROUTE = "list-users", "show-user", "unknown-user", "unknown-route"


def _load(name: str) -> ModuleType:
    # By path: docker/ is not a package (it would shadow the Docker SDK).
    spec = importlib.util.spec_from_file_location(f"sample_app_{name}", APP_DIR / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


workload = _load("workload")
rails_log = _load("rails_log")

STEPS = (
    workload.Step("/users", LIST, 200),
    workload.Step("/users/1?query=hello", SHOW, 200),
    workload.Step("/users/999", UNKNOWN_USER, 404),
    workload.Step("/nope", UNKNOWN_ROUTE, 404),
)


@pytest.fixture(scope="module")
def run() -> Any:
    """The app's answers and output for STEPS (a workload.WorkloadRun)."""
    return workload.run_workload(STEPS, python=(sys.executable, "-S"))


@pytest.fixture(scope="module")
def records(run: Any) -> list[dict[str, Any]]:
    """Every JSON line the app printed, parsed."""
    return [json.loads(line) for line in run.lines if _is_json(line)]


def _response(run: Any, request_id: str) -> Any:
    return next(r for r in run.responses if r.step.request_id == request_id)


def _of(records: list[dict[str, Any]], request_id: str) -> list[dict[str, Any]]:
    return [r for r in records if r["named_tags"]["request_id"] == request_id]


def _is_json(line: str) -> bool:
    try:
        json.loads(line)
    except ValueError:
        return False
    return True


def test_lists_the_seeded_users(run: Any) -> None:
    response = _response(run, LIST)
    assert (response.status, [user["id"] for user in response.body]) == (200, [1, 2, 3])


def test_shows_a_user_as_json(run: Any) -> None:
    response = _response(run, SHOW)
    assert (response.status, response.body["id"], response.body["name"]) == (200, 1, "Alice")


def test_unknown_user_gets_404_with_a_json_error(run: Any) -> None:
    response = _response(run, UNKNOWN_USER)
    assert response.status == 404
    assert "999" in response.body["error"]


def test_unknown_path_gets_404_and_a_routing_error_line(run: Any, records: list[dict[str, Any]]) -> None:
    assert _response(run, UNKNOWN_ROUTE).status == 404
    assert [(r["name"], r["level"]) for r in _of(records, UNKNOWN_ROUTE)] == [
        ("Rack", "debug"),
        ("ActionDispatch::DebugExceptions", "fatal"),
    ]


def test_serves_with_the_standard_library_alone(run: Any) -> None:
    # The fixture ran the app with `python -S`: no site-packages at all.
    assert (run.unexpected(), run.stderr) == ([], "")


def test_stops_cleanly_on_sigterm_after_flushing_its_log(run: Any) -> None:
    assert (run.returncode, run.lines[-1]) == (0, "- Goodbye!")


def test_boot_lines_are_plain_text_not_json(run: Any) -> None:
    # Requests are sent only once the app says it listens: what comes before is boot output.
    listening = next(i for i, line in enumerate(run.lines) if line.startswith("* Listening on http://127.0.0.1:"))
    boot = run.lines[: listening + 1]
    assert len(boot) >= 3
    assert not any(_is_json(line) for line in boot)


def test_every_json_line_has_the_documented_keys_in_order(records: list[dict[str, Any]]) -> None:
    for record in records:
        assert ALWAYS <= set(record), record
        assert list(record) == [key for key in KEY_ORDER if key in record], record


def test_timestamps_are_utc_iso8601_with_microseconds(records: list[dict[str, Any]]) -> None:
    assert all(TIMESTAMP.fullmatch(r["timestamp"]) for r in records)


def test_level_index_follows_semantic_logger_levels(records: list[dict[str, Any]]) -> None:
    levels = ["trace", "debug", "info", "warn", "error", "fatal"]
    assert all(levels.index(r["level"]) == r["level_index"] for r in records)


def test_sql_logs_are_named_active_record_and_carry_the_sql(records: list[dict[str, Any]]) -> None:
    with_sql = [r for r in records if "sql" in r.get("payload", {})]
    named = [r for r in records if r["name"] == "ActiveRecord"]
    assert with_sql == named
    assert {r["named_tags"]["request_id"] for r in named} == {LIST, SHOW, UNKNOWN_USER}


def test_user_lookup_logs_the_executed_sql_with_its_binds(records: list[dict[str, Any]]) -> None:
    (sql,) = [r for r in _of(records, SHOW) if r["name"] == "ActiveRecord"]
    assert sql["message"] == "User Load"
    assert sql["payload"]["sql"] == 'SELECT "users".* FROM "users" WHERE "users"."id" = ? LIMIT ?'
    assert sql["payload"]["binds"] == {"id": 1, "limit": 1}
    assert {"allocations", "cached"} <= set(sql["payload"])


def test_successful_show_logs_exactly_one_user_show_record(records: list[dict[str, Any]]) -> None:
    (labelled,) = [r for r in records if "label" in r.get("payload", {})]
    assert (labelled["name"], labelled["message"], labelled["named_tags"]["request_id"]) == (
        "UsersController",
        "user_show",
        SHOW,
    )
    assert labelled["payload"] == {"label": "user_show", "user_id": 1, "data": {"query": "hello"}}


def test_unknown_user_logs_no_labelled_record(records: list[dict[str, Any]]) -> None:
    unknown = _of(records, UNKNOWN_USER)
    assert unknown, "the unknown user's request logged nothing"
    assert not any("label" in r.get("payload", {}) for r in unknown)


def test_show_logs_its_lines_in_rails_order(records: list[dict[str, Any]]) -> None:
    assert [(r["name"], r["message"]) for r in _of(records, SHOW)] == [
        ("Rack", "Started"),
        ("UsersController", "Processing #show"),
        ("ActiveRecord", "User Load"),
        ("UsersController", "user_show"),
        ("UsersController", "Completed #show"),
    ]


def test_completed_line_reports_status_and_runtimes(records: list[dict[str, Any]]) -> None:
    completed = {r["named_tags"]["request_id"]: r for r in records if r["message"].startswith("Completed #")}
    show, unknown = completed[SHOW], completed[UNKNOWN_USER]
    assert COMPLETED_PAYLOAD <= set(show["payload"])
    assert (show["payload"]["path"], show["payload"]["status"], show["payload"]["status_message"]) == (
        "/users/1",
        200,
        "OK",
    )
    assert (unknown["payload"]["status"], unknown["payload"]["status_message"]) == (404, "Not Found")
    assert "duration_ms" in show and show["duration"].endswith(("ms", "s"))


def test_started_line_has_the_path_with_its_query(records: list[dict[str, Any]]) -> None:
    started = _of(records, SHOW)[0]
    assert (started["name"], started["payload"]) == (
        "Rack",
        {"method": "GET", "path": "/users/1?query=hello", "ip": "127.0.0.1"},
    )


def test_request_lines_carry_the_request_id_and_ip(records: list[dict[str, Any]]) -> None:
    assert {r["named_tags"]["request_id"] for r in records} == {LIST, SHOW, UNKNOWN_USER, UNKNOWN_ROUTE}
    assert {r["named_tags"]["ip"] for r in records} == {"127.0.0.1"}


@pytest.mark.parametrize(
    ("duration_ms", "expected"),
    [
        (0.5234, "0.523ms"),
        (12.34, "12.3ms"),
        (1234.5, "1.234s"),
        (123_000, "2m 3s"),
        (3_720_000, "1h 2m"),
    ],
)
def test_duration_reads_like_semantic_logger(duration_ms: float, expected: str) -> None:
    assert rails_log.duration_human(duration_ms) == expected

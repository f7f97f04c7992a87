"""Read-back compares only what arrived during the run, so earlier runs never count as extra."""

from __future__ import annotations

from datetime import date

from firelens_app.sql_logs import SQL_LOG_COLUMNS
from firelens_local.readback import DeployedTable, Snapshot, StoredEvent, arrivals_since

SHARED = StoredEvent("/analysis", "fluentbit-routed.app.labelled.user_show", '{"run":1}')


def test_events_already_in_a_shared_stream_are_not_arrivals() -> None:
    new = StoredEvent("/analysis", SHARED.log_stream, '{"run":2}')
    arrived = arrivals_since(Snapshot(frozenset(), (SHARED,)), Snapshot(frozenset(), (SHARED, new)))
    assert arrived.events == (new,)


def test_an_identical_event_sent_again_is_an_arrival() -> None:
    arrived = arrivals_since(Snapshot(frozenset(), (SHARED,)), Snapshot(frozenset(), (SHARED, SHARED)))
    assert arrived.events == (SHARED,)


def test_only_new_object_keys_are_arrivals() -> None:
    before = Snapshot(frozenset({("b", "old")}), ())
    after = Snapshot(frozenset({("b", "old"), ("b", "new-2"), ("b", "new-1")}), ())
    assert arrivals_since(before, after).object_keys == (("b", "new-1"), ("b", "new-2"))


TABLE = DeployedTable(
    "db",
    "sql_logs",
    SQL_LOG_COLUMNS,
    "archive",
    "year=${year}/month=${month}/day=${day}/",
    {"year": 0, "month": 2, "day": 2},
)


def test_a_days_partition_prefix_pads_month_and_day_as_the_projection_digits_say() -> None:
    assert TABLE.partition_prefix(date(2026, 1, 2)) == "year=2026/month=01/day=02/"
    assert TABLE.listing_prefix == "year="


def test_the_partition_of_a_key_comes_from_the_key_alone() -> None:
    assert TABLE.day_of("year=2026/month=11/day=30/logs-1-2026-11-30-14-04-07-x.gz") == date(2026, 11, 30)
    assert TABLE.day_of("errors/year=2026/month=11/day=30/processing-failed/x") is None
    assert TABLE.day_of("year=2026/month=02/day=31/x.gz") is None  # no such day

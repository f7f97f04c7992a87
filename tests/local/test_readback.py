"""Read-back compares only what arrived during the run, so earlier runs never count as extra."""

from __future__ import annotations

from firelens_cdktf.local.readback import Snapshot, StoredEvent, arrivals_since

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

"""The record_modifier filter, from plugins/filter_record_modifier/filter_modifier.c (v4.2.2)."""

from __future__ import annotations

import re

import pytest
from simulation import ALL, pairs, run, section, simulator, through

from firelens_cdktf.errors import FluentBitSyntaxError


def modifier(*lines: str) -> str:
    return section("record_modifier", *lines)


def test_records_are_appended_even_when_the_key_exists() -> None:
    assert through(modifier("Record a 2"), '{"a":1}') == pairs('{"a":1,"a":"2"}')


def test_a_quoted_record_value_may_hold_spaces() -> None:
    # config map SLIST_2: flb_slist_split_tokens
    assert through(modifier('Record msg "hello world"'), "{}") == pairs('{"msg":"hello world"}')


def test_an_unquoted_record_with_three_parts_is_skipped_with_a_warning() -> None:
    # configure: "invalid record parameters, expects 'KEY VALUE'" and continue
    outcome = run(modifier("Record msg hello world", "Record ok 1") + ALL, "{}")
    assert (outcome.deliveries[0].record, outcome.notes[0].kind) == (pairs('{"ok":"1"}'), "warning")


def test_fails_when_a_record_has_no_value() -> None:
    with pytest.raises(FluentBitSyntaxError, match="has no value"):
        run(modifier("Record lonely"), "{}")


def test_remove_key_compares_names_without_regard_to_ascii_case() -> None:
    # make_bool_map: strncasecmp
    assert through(modifier("Remove_key LEVEL"), '{"level":1,"x":2}') == pairs('{"x":2}')


def test_remove_key_with_star_removes_by_prefix() -> None:
    assert through(modifier("Remove_key tmp_*"), '{"tmp_a":1,"TMP_b":2,"keep":3}') == pairs('{"keep":3}')


def test_allowlist_key_keeps_only_the_listed_keys() -> None:
    assert through(modifier("Allowlist_key a", "Whitelist_key b*"), '{"a":1,"bc":2,"c":3}') == pairs('{"a":1,"bc":2}')


def test_fails_when_remove_key_and_allowlist_key_are_both_set() -> None:
    with pytest.raises(FluentBitSyntaxError, match="both set"):
        run(modifier("Remove_key a", "Allowlist_key b"), "{}")


def test_a_record_whose_every_key_is_removed_is_dropped() -> None:
    # cb_modifier_filter: removed_map_num <= 0 skips the record
    outcome = run(modifier("Remove_key *") + ALL, '{"a":1}')
    assert (outcome.deliveries, [s.kind for s in outcome.stops]) == ((), ["excluded"])


def test_uuid_key_appends_a_uuid_v4_after_the_records() -> None:
    record = through(modifier("Record a 1", "Uuid_key id"), "{}")
    assert record is not None and list(record.keys()) == ["a", "id"]
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", str(record.last("id")))


def test_uuids_repeat_from_run_to_run_of_the_preview() -> None:
    first = simulator(modifier("Uuid_key id") + ALL).run("t", pairs("{}"))
    second = simulator(modifier("Uuid_key id") + ALL).run("t", pairs("{}"))
    assert first.deliveries[0].record == second.deliveries[0].record

"""The modify filter, from plugins/filter_modify/modify.c (v4.2.2); each test names the function it follows."""

from __future__ import annotations

import pytest
from simulation import ALL, pairs, run, section, through

from firelens_cdktf.errors import FluentBitSyntaxError


def modify(*lines: str) -> str:
    return section("modify", *lines)


def keys(*lines: str, record: str) -> list[str] | None:
    result = through(modify(*lines), record)
    return None if result is None else list(result.keys())


# rules (apply_rule_*) -------------------------------------------------------------------------------


def test_rename_renames_every_key_of_that_name() -> None:
    assert through(modify("Rename a b"), '{"a":1,"x":2,"a":3}') == pairs('{"b":1,"x":2,"b":3}')


def test_rename_does_nothing_when_the_new_name_exists() -> None:
    assert through(modify("Rename a b"), '{"a":1,"b":2}') == pairs('{"a":1,"b":2}')


def test_hard_rename_drops_the_existing_key_of_the_new_name() -> None:
    assert through(modify("Hard_rename a b"), '{"b":2,"a":1}') == pairs('{"b":1}')


def test_hard_rename_of_a_key_to_itself_removes_it() -> None:
    # apply_rule_HARD_RENAME skips every key matching the new name first
    assert through(modify("Hard_rename a a"), '{"a":1,"x":2}') == pairs('{"x":2}')


def test_add_appends_when_the_key_is_absent() -> None:
    assert keys("Add b 2", record='{"a":1}') == ["a", "b"]


def test_add_does_nothing_when_the_key_exists() -> None:
    assert through(modify("Add a 2"), '{"a":1}') == pairs('{"a":1}')


def test_set_removes_every_key_of_that_name_and_appends_it_last() -> None:
    assert through(modify("Set a new"), '{"a":1,"x":2,"a":3}') == pairs('{"x":2,"a":"new"}')


def test_copy_puts_the_copy_right_after_its_source() -> None:
    assert keys("Copy a b", record='{"a":1,"x":2}') == ["a", "b", "x"]


def test_copy_does_nothing_with_two_sources_or_an_existing_target() -> None:
    assert (keys("Copy a b", record='{"a":1,"a":2}'), keys("Copy a b", record='{"a":1,"b":2}')) == (
        ["a", "a"],
        ["a", "b"],
    )


def test_hard_copy_replaces_one_existing_target() -> None:
    assert through(modify("Hard_copy a b"), '{"b":0,"a":1}') == pairs('{"a":1,"b":1}')


def test_hard_copy_does_nothing_with_two_targets() -> None:
    assert through(modify("Hard_copy a b"), '{"b":0,"b":9,"a":1}') == pairs('{"b":0,"b":9,"a":1}')


def test_remove_removes_every_key_of_that_name() -> None:
    assert keys("Remove a", record='{"a":1,"x":2,"a":3}') == ["x"]


def test_remove_wildcard_removes_keys_starting_with_the_text() -> None:
    assert keys("Remove_wildcard Mem", record='{"Mem.total":1,"Mem":2,"Swap":3,"mem":4}') == ["Swap", "mem"]


def test_remove_regex_removes_keys_the_regex_finds() -> None:
    assert keys("Remove_regex ^tmp_", record='{"tmp_a":1,"keep_tmp_":2}') == ["keep_tmp_"]


def test_move_to_start_and_end_keep_the_order_of_the_moved_keys() -> None:
    assert (
        keys("Move_to_start b", record='{"a":1,"b1":2,"c":3,"b2":4}'),
        keys("Move_to_end a", record='{"a1":1,"b":2,"a2":3}'),
    ) == (["b1", "b2", "a", "c"], ["b", "a1", "a2"])


def test_rules_run_in_order_each_on_the_result_of_the_last() -> None:
    assert through(modify("Rename a b", "Copy b c", "Remove b"), '{"a":1}') == pairs('{"c":1}')


def test_a_quoted_value_may_hold_spaces() -> None:
    # setup: flb_utils_split_quoted
    assert through(modify('Set message "hello world"'), "{}") == pairs('{"message":"hello world"}')


def test_three_parts_make_fluent_bit_run_a_rename_and_the_preview_says_so() -> None:
    # setup: list_size 3 leaves rule->ruletype at its calloc'd zero, RENAME (first part to last part)
    outcome = run(modify("Add msg hello world") + ALL, '{"msg":"x"}')
    assert (outcome.deliveries[0].record, "runs it as Rename msg world" in outcome.notes[0].message) == (
        pairs('{"world":"x"}'),
        True,
    )


def test_fails_when_a_rule_name_has_the_wrong_number_of_parts() -> None:
    with pytest.raises(FluentBitSyntaxError, match="is not a modify operation"):
        run(modify("Rename a"), "{}")


def test_fails_when_a_value_does_not_compile_as_a_regex() -> None:
    # setup compiles every rule's key and value with flb_regex_create
    with pytest.raises(FluentBitSyntaxError, match="does not compile as a regex"):
        run(modify("Set sign *"), "{}")


# conditions (evaluate_condition_*) ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "record", "holds"),
    [
        ("Key_exists level", '{"level":"x"}', True),
        ("Key_exists $payload['status']", '{"payload":{"status":1}}', True),
        ("Key_exists $payload['status']", '{"payload":"text"}', True),  # a path through a string: the string
        ("Key_does_not_exist level", '{"other":1}', True),
        ("A_key_matches ^lev", '{"level":"x"}', True),
        ("No_key_matches ^lev", '{"level":"x"}', False),
        ("Key_value_equals level error", '{"level":"error"}', True),
        ("Key_value_equals level 1", '{"level":1}', False),  # strings only
        ("Key_value_does_not_equal level error", '{"other":1}', False),  # needs the key
        ("Key_value_matches flag ^true$", '{"flag":true}', True),  # booleans read as true/false
        ("Key_value_does_not_match level ^err", '{"level":"info"}', True),
        ("Matching_keys_have_matching_values ^x_ ^[0-9]+$", '{"x_a":"1","x_b":"22","y":"z"}', True),
        ("Matching_keys_have_matching_values ^x_ ^[0-9]+$", '{"x_a":"1","x_b":"z"}', False),
        ("Matching_keys_do_not_have_matching_values ^x_ ^[0-9]+$", '{"x_a":"z"}', True),
    ],
)
def test_a_condition_decides_whether_the_rules_run(condition: str, record: str, holds: bool) -> None:
    result = through(modify(f"Condition {condition}", "Add seen yes"), record)
    assert (result is not None and result.last("seen") == "yes") == holds


def test_every_condition_must_hold() -> None:
    filters = modify("Condition Key_exists a", "Condition Key_exists b", "Add seen yes")
    assert through(filters, '{"a":1}') == pairs('{"a":1}')


def test_conditions_are_tested_on_the_record_as_it_arrived() -> None:
    filters = modify("Condition Key_does_not_exist b", "Add b 1", "Add c 2")
    assert list(through(filters, '{"a":1}').keys()) == ["a", "b", "c"]  # type: ignore[union-attr]

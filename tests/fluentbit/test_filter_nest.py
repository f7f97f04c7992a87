"""The nest filter, from plugins/filter_nest/nest.c (v4.2.2)."""

from __future__ import annotations

import pytest
from simulation import pairs, run, section, through

from firelens_cdktf.errors import FluentBitSyntaxError


def nest(*lines: str) -> str:
    return section("nest", *lines)


def test_nest_moves_the_matching_keys_under_the_new_key_after_the_others() -> None:
    # apply_nesting_rules: non-matching keys first, then Nest_under with the matching ones
    filters = nest("Operation nest", "Wildcard Mem.*", "Nest_under Memstats")
    assert through(filters, '{"Mem.total":1,"cpu":2,"Mem.used":3}') == pairs(
        '{"cpu":2,"Memstats":{"Mem.total":1,"Mem.used":3}}'
    )


def test_a_wildcard_without_star_must_be_equal() -> None:
    assert through(nest("Operation nest", "Wildcard a", "Nest_under n"), '{"ab":1,"a":2}') == pairs(
        '{"ab":1,"n":{"a":2}}'
    )


def test_nest_without_a_matching_key_changes_nothing() -> None:
    assert through(nest("Operation nest", "Wildcard x*", "Nest_under n"), '{"a":1}') == pairs('{"a":1}')


def test_add_prefix_renames_the_nested_keys() -> None:
    filters = nest("Operation nest", "Wildcard a*", "Nest_under n", "Add_prefix p_")
    assert through(filters, '{"a1":1}') == pairs('{"n":{"p_a1":1}}')


def test_lift_puts_the_inner_keys_at_the_end() -> None:
    # apply_lifting_rules: other keys first, then the lifted map's entries
    assert through(nest("Operation lift", "Nested_under payload"), '{"payload":{"a":1,"b":2},"c":3}') == pairs(
        '{"c":3,"a":1,"b":2}'
    )


def test_lift_with_remove_prefix_strips_it_where_present() -> None:
    filters = nest("Operation lift", "Nested_under p", "Remove_prefix x_")
    assert through(filters, '{"p":{"x_a":1,"b":2}}') == pairs('{"a":1,"b":2}')


def test_lift_leaves_a_key_of_that_name_that_is_not_a_map() -> None:
    assert through(nest("Operation lift", "Nested_under p"), '{"p":"text","q":1}') == pairs('{"p":"text","q":1}')


def test_lift_keeps_duplicate_keys_it_creates() -> None:
    assert through(nest("Operation lift", "Nested_under p"), '{"a":0,"p":{"a":1}}') == pairs('{"a":0,"a":1}')


def test_nested_under_and_nest_under_set_the_same_key() -> None:
    assert through(nest("Operation lift", "Nest_under p"), '{"p":{"a":1}}') == pairs('{"a":1}')


@pytest.mark.parametrize(
    ("lines", "problem"),
    [
        (("Operation flatten",), "neither nest nor lift"),
        (("Wildcard a",), "has no Operation"),
        (("Operation nest", "Add_prefix a", "Remove_prefix b"), "both set"),
        (("Operation Nest",), "neither nest nor lift"),  # strncmp: case matters
    ],
)
def test_fails_on_settings_fluent_bit_refuses(lines: tuple[str, ...], problem: str) -> None:
    with pytest.raises(FluentBitSyntaxError, match=problem):
        run(nest(*lines), "{}")

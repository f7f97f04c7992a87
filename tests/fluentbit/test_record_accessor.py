"""Record accessors and tag templates behave as Fluent Bit's (flb_ra_key.c, flb_record_accessor.c)."""

from __future__ import annotations

import pytest

from firelens_cdktf.fluentbit.record_accessor import (
    MISSING,
    Capture,
    KeyPath,
    KeyRef,
    Literal,
    Pairs,
    Template,
    WholeTag,
    decode_json,
    encode_json,
    parse_accessor,
    rule_key,
    tag_text,
)


def record(text: str) -> Pairs:
    value = decode_json(text)
    assert isinstance(value, Pairs)
    return value


LABEL = parse_accessor("$payload['label']")


def test_decoding_keeps_duplicate_keys_in_order() -> None:
    assert record('{"a":1,"b":2,"a":3}').keys() == ("a", "b", "a")


def test_encoding_writes_duplicate_keys_back() -> None:
    assert encode_json(record('{"a":1,"a":"x"}')) == '{"a":1,"a":"x"}'


def test_lookup_takes_the_last_of_duplicate_keys() -> None:
    assert KeyPath("name").resolve(record('{"name":"Rack","name":"ActiveRecord"}')) == "ActiveRecord"


def test_subkeys_follow_nested_maps() -> None:
    assert LABEL.resolve(record('{"payload":{"label":"user_show"}}')) == "user_show"


def test_subkeys_are_ignored_when_the_top_value_is_a_string() -> None:
    assert LABEL.resolve(record('{"payload":"user_show"}')) == "user_show"


def test_path_through_a_missing_subkey_is_missing() -> None:
    assert LABEL.resolve(record('{"payload":{"other":"x"}}')) is MISSING


def test_path_through_an_array_needs_an_index() -> None:
    assert LABEL.resolve(record('{"payload":["user_show"]}')) is MISSING


def test_array_index_selects_an_item() -> None:
    assert parse_accessor("$tags[1]").resolve(record('{"tags":["a","b"]}')) == "b"


def test_array_index_beyond_the_end_is_missing() -> None:
    assert parse_accessor("$tags[2]").resolve(record('{"tags":["a","b"]}')) is MISSING


def test_array_index_on_a_map_is_missing() -> None:
    assert parse_accessor("$tags[0]").resolve(record('{"tags":{"0":"a"}}')) is MISSING


@pytest.mark.parametrize("value", ["7", "1.5", "true", "null", '{"k":"v"}', '["user_show"]'])
def test_regex_never_sees_a_value_that_is_not_a_string(value: str) -> None:
    assert LABEL.regex_subject(record(f'{{"payload":{{"label":{value}}}}}')) is None


def test_regex_never_sees_a_missing_key() -> None:
    assert LABEL.regex_subject(record('{"name":"x"}')) is None


@pytest.mark.parametrize(
    ("value", "text"),
    [("7", "7"), ("-3", "-3"), ("1.5", "1.500000"), ("true", "true"), ("false", "false"), ("null", "null"),
     ('{"k":"v"}', '{"k":"v"}'), ('["a"]', "")],
)  # fmt: skip
def test_values_are_written_into_tags_as_fluent_bit_does(value: str, text: str) -> None:
    assert tag_text(KeyPath("v").resolve(record(f'{{"v":{value}}}'))) == text


def test_template_splits_text_and_accessors() -> None:
    assert Template.parse("logdata.$payload['label']").parts == (Literal("logdata."), KeyRef(LABEL))


def test_template_writes_nothing_for_a_missing_key() -> None:
    assert Template.parse("logdata.$payload['label']").render("t", record("{}"), None) == "logdata."


def test_tag_part_selects_a_dot_separated_part() -> None:
    assert Template.parse("x.$TAG[1]").render("aa.bb.cc", Pairs(), None) == "x.bb"


def test_tag_part_beyond_the_last_part_is_empty() -> None:
    assert Template.parse("x.$TAG[5]").render("aa.bb", Pairs(), None) == "x."


def test_tag_part_zero_of_a_tag_without_dots_is_the_whole_tag() -> None:
    assert Template.parse("$TAG[0]").render("rails-app-firelens-1", Pairs(), None) == "rails-app-firelens-1"


def test_whole_tag_is_inserted() -> None:
    assert Template.parse("from.$TAG").render("aa.bb", Pairs(), None) == "from.aa.bb"


def test_captures_fill_dollar_numbers() -> None:
    assert Template.parse("$1.$2.$0").render("t", Pairs(), ["abc-123", "abc", "123"]) == "abc.123.abc-123"


def test_captures_are_empty_when_the_regex_has_no_group() -> None:
    assert Template.parse("x$0").render("t", Pairs(), None) == "x"


def test_a_capture_beyond_the_groups_is_empty() -> None:
    assert Template.parse("x$3").render("t", Pairs(), ["a", "a"]) == "x"


def test_dollar_right_after_tag_is_taken_as_text() -> None:
    assert Template.parse("$TAG$TAG").parts == (WholeTag(), Literal("$TAG"))


def test_one_separator_left_after_a_final_key_is_dropped() -> None:
    assert Template.parse("$k.").render("t", record('{"k":"v"}'), None) == "v"


def test_capture_number_reads_all_digits_but_consumes_one() -> None:
    assert Template.parse("$10").parts == (Capture(10), Literal("0"))


def test_template_refuses_an_accessor_with_bad_syntax() -> None:
    with pytest.raises(ValueError, match="not \\$name"):
        Template.parse("x.$['label']")


def test_rule_key_without_dollar_names_a_top_level_key() -> None:
    assert rule_key("name") == KeyPath("name")


def test_rule_key_of_tag_never_matches() -> None:
    assert rule_key("$TAG") is None


def test_quoted_subkey_may_hold_a_doubled_quote() -> None:
    assert parse_accessor("$a['it''s']") == KeyPath("a", ("it's",))


def test_dotted_route_field_becomes_subkeys() -> None:
    assert KeyPath.from_dotted("payload.label") == KeyPath("payload", ("label",))

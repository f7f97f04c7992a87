"""The parser filter, from plugins/filter_parser/filter_parser.c (v4.2.2, ``cb_parser_filter``)."""

from __future__ import annotations

import pytest
from simulation import pairs, run, section, through

from firelens_cdktf.fluentbit.config import parse_parsers

PARSERS = parse_parsers(
    "[PARSER]\n    Name json\n    Format json\n\n"
    "[PARSER]\n    Name kv\n    Format logfmt\n\n"
    "[PARSER]\n    Name words\n    Format regex\n    Regex ^(?<first>\\w+) (?<rest>.*)$\n"
)
RECORD = '{"source":"stdout","log":"{\\"a\\":1}","tail":2}'


def parser(*lines: str, parsers: str = "json") -> str:
    return section("parser", "Key_Name log", *(f"Parser {p}" for p in parsers.split()), *lines)


@pytest.mark.parametrize(
    ("reserve", "preserve", "expected"),
    [
        ("Off", "Off", '{"a":1}'),
        ("Off", "On", '{"a":1,"log":"{\\"a\\":1}"}'),  # "Store only the key being preserved"
        ("On", "Off", '{"a":1,"source":"stdout","tail":2}'),
        ("On", "On", '{"a":1,"source":"stdout","log":"{\\"a\\":1}","tail":2}'),
    ],
)
def test_reserve_data_and_preserve_key_decide_what_follows_the_parsed_keys(
    reserve: str, preserve: str, expected: str
) -> None:
    result = through(parser(f"Reserve_Data {reserve}", f"Preserve_Key {preserve}"), RECORD, parsers=PARSERS)
    assert result == pairs(expected)


def test_parsers_are_tried_in_order_and_the_first_that_accepts_wins() -> None:
    result = through(parser(parsers="json words"), '{"log":"hello big world"}', parsers=PARSERS)
    assert result == pairs('{"first":"hello","rest":"big world"}')


def test_a_value_no_parser_accepts_leaves_the_record_unchanged() -> None:
    assert through(parser(), '{"log":"plain text"}', parsers=PARSERS) == pairs('{"log":"plain text"}')


def test_the_last_key_of_that_name_decides() -> None:
    # every matching key is parsed in turn; a failing last parse leaves the record as it was
    record = '{"log":"{\\"a\\":1}","log":"not json"}'
    assert through(parser(), record, parsers=PARSERS) == pairs(record)


def test_a_key_name_with_dollar_reads_a_record_accessor_and_keeps_the_key() -> None:
    filters = section("parser", "Key_Name $inner['text']", "Parser json", "Reserve_Data On")
    result = through(filters, '{"inner":{"text":"{\\"a\\":1}"}}', parsers=PARSERS)
    assert result == pairs('{"a":1,"inner":{"text":"{\\"a\\":1}"}}')


def test_undefined_parsers_are_skipped_when_one_is_defined() -> None:
    assert through(parser(parsers="nope json"), RECORD, parsers=PARSERS) == pairs('{"a":1}')


def test_unescape_key_is_accepted_and_does_nothing() -> None:
    assert through(parser("Unescape_Key On"), RECORD, parsers=PARSERS) == pairs('{"a":1}')


def test_fails_when_reserve_data_is_not_a_boolean() -> None:
    from firelens_cdktf.errors import FluentBitSyntaxError

    with pytest.raises(FluentBitSyntaxError, match="is not a boolean"):
        run(parser("Reserve_Data maybe"), RECORD, parsers=PARSERS)

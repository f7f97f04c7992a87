"""Parser formats as Fluent Bit 4.2.2 runs them: src/flb_parser_{json,regex,logfmt,ltsv}.c, flb_parser.c (Types),
src/flb_parser_decoder.c (Decode_Field*). Each test names the function it follows."""

from __future__ import annotations

import pytest
from simulation import pairs

from firelens_cdktf.errors import FluentBitSyntaxError
from firelens_cdktf.fluentbit.config import parse_parsers
from firelens_cdktf.fluentbit.parsers import compile_parser, parse_json_object
from firelens_cdktf.fluentbit.records import Pairs
from firelens_cdktf.fluentbit.unknown import NotSimulated


def parse(definition: str, text: str) -> Pairs | None:
    parsers = parse_parsers("[PARSER]\n    Name p\n" + "".join(f"    {line}\n" for line in definition.split("|")))
    return compile_parser(parsers["p"]).parse(text, "test")


# json (flb_parser_json_do, pack_json_to_msgpack_yyjson) -------------------------------------------------


@pytest.mark.parametrize("text", ["[1,2]", '"text"', "42", '{"a":1} {"b":2}', "", "   "])
def test_json_wants_exactly_one_value_and_a_map(text: str) -> None:
    assert parse_json_object(text) is None


def test_json_reads_one_map_and_stops_at_trailing_text_that_is_not_json() -> None:
    assert parse_json_object(' {"a":1}x') == pairs('{"a":1}')


def test_json_integers_beyond_64_bits_become_doubles() -> None:
    assert parse_json_object('{"a":18446744073709551616,"b":-1}') == Pairs((("a", 1.8446744073709552e19), ("b", -1)))


def test_json_refuses_a_number_that_overflows_a_double() -> None:
    assert parse_json_object('{"a":1e400}') is None


def test_json_ignores_types() -> None:
    assert parse("Format json|Types a:integer", '{"a":"7"}') == pairs('{"a":"7"}')


def test_json_time_key_is_removed_when_it_reads_and_time_keep_is_off() -> None:
    definition = "Format json|Time_Key ts|Time_Format %Y-%m-%dT%H:%M:%S"
    assert (
        parse(definition, '{"ts":"2024-05-12T03:04:05Z","a":1}'),
        parse(definition, '{"ts":"yesterday","a":1}'),
        parse(definition + "|Time_Keep On", '{"ts":"2024-05-12T03:04:05","a":1}'),
    ) == (pairs('{"a":1}'), pairs('{"ts":"yesterday","a":1}'), pairs('{"ts":"2024-05-12T03:04:05","a":1}'))


def test_json_time_key_that_is_not_a_string_stays() -> None:
    assert parse("Format json|Time_Format %s", '{"time":1715483045}') == pairs('{"time":1715483045}')


# regex (flb_parser_regex_do, cb_results, flb_regex_parse) --------------------------------------------------

NGINX = (
    r"^(?<remote>[^ ]*) (?<host>[^ ]*) (?<user>[^ ]*) \[(?<time>[^\]]*)\] \"(?<method>\S+)(?: +(?<path>[^\"]*?)"
    r"(?: +\S*)?)?\" (?<code>[^ ]*) (?<size>[^ ]*)(?: \"(?<referer>[^\"]*)\" \"(?<agent>[^\"]*)\")?$"
)
NGINX_LINE = '203.0.113.7 - - [12/May/2024:03:04:05 +0000] "GET /users/1 HTTP/1.1" 200 612 "-" "curl/8.5.0"'


def test_regex_named_groups_become_keys_in_pattern_order_with_types() -> None:
    record = parse(f"Format regex|Regex {NGINX}|Types code:integer size:integer", NGINX_LINE)
    assert record is not None and list(record.keys()) == [
        "remote",
        "host",
        "user",
        "time",
        "method",
        "path",
        "code",
        "size",
        "referer",
        "agent",
    ]
    assert (record.last("code"), record.last("size"), record.last("path")) == (200, 612, "/users/1")


def test_regex_time_key_is_dropped_when_it_reads_and_when_it_does_not() -> None:
    # cb_results: a time that fails to read is skipped too (num_skipped++)
    base = "Format regex|Regex ^(?<time>\\S+) (?<msg>.*)$|Time_Format %Y-%m-%d"
    assert (parse(base, "2024-05-12 hi"), parse(base, "never hi")) == (pairs('{"msg":"hi"}'), pairs('{"msg":"hi"}'))


def test_regex_skips_empty_values_unless_skip_empty_values_is_off() -> None:
    base = "Format regex|Regex ^(?<a>x*)(?<b>y)$"
    assert (parse(base, "y"), parse(base + "|Skip_Empty_Values Off", "y")) == (
        pairs('{"b":"y"}'),
        pairs('{"a":"","b":"y"}'),
    )


def test_regex_without_named_groups_fails() -> None:
    # flb_regex_parse returns last_pos -1 when no named group took part
    assert parse("Format regex|Regex ^(x)$", "x") is None


def test_regex_is_searched_anywhere_in_the_value() -> None:
    assert parse("Format regex|Regex (?<n>[0-9]+)", "abc 42 def") == pairs('{"n":"42"}')


def test_fails_when_a_regex_parser_has_no_regex() -> None:
    with pytest.raises(FluentBitSyntaxError, match="has no Regex"):
        parse("Format regex", "x")


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        ("42abc", "integer", 42),
        ("  -7", "integer", -7),
        ("x", "integer", 0),
        ("99999999999999999999", "integer", 2**63 - 1),
        ("0x1F", "hex", 31),
        ("ff", "hex", 255),
        ("1.5e3", "float", 1500.0),
        ("abc", "float", 0.0),
        ("TRUEish", "bool", True),
        ("false", "bool", False),
        ("yes", "bool", "yes"),
        ("7", "string", "7"),
    ],
)
def test_types_cast_like_c_atoll_strtoull_atof(value: str, kind: str, expected: object) -> None:
    # flb_parser_typecast
    assert parse(f"Format regex|Regex ^(?<v>.*)$|Types v:{kind}", value) == Pairs((("v", expected),))


# logfmt (logfmt_parser) -----------------------------------------------------------------------------------


def test_logfmt_reads_pairs_bare_keys_quotes_and_escapes() -> None:
    assert parse("Format logfmt", 'level=info msg="a \\"b\\"" debug empty= q=""') == Pairs(
        (("level", "info"), ("msg", 'a "b"'), ("debug", True), ("empty", True), ("q", ""))
    )


def test_logfmt_accepts_a_json_line() -> None:
    # every run of key bytes (above a space, not '=' or '"') is a bare key
    assert parse("Format logfmt", '{"a":1}') == Pairs((("{", True), ("a", True), (":1}", True)))


def test_logfmt_stops_at_a_line_break_after_a_pair() -> None:
    assert parse("Format logfmt", "a=1\nb=2") == pairs('{"a":"1"}')


def test_logfmt_no_bare_keys_fails_a_line_with_one() -> None:
    assert parse("Format logfmt|Logfmt_No_Bare_Keys On", "a=1 b") is None


def test_logfmt_with_types_does_not_unescape_and_bare_keys_are_empty() -> None:
    assert parse("Format logfmt|Types n:integer", 'n=5 m="x\\"y" b') == Pairs((("n", 5), ("m", 'x\\"y'), ("b", "")))


def test_logfmt_time_that_does_not_read_fails_the_line() -> None:
    assert parse("Format logfmt|Time_Format %Y", "time=never a=1") is None


# ltsv (ltsv_parser) --------------------------------------------------------------------------------------


def test_ltsv_reads_tab_separated_label_value_fields() -> None:
    assert parse("Format ltsv|Types status:integer", "host:127.0.0.1\tstatus:200\treq:GET / HTTP/1.1") == Pairs(
        (("host", "127.0.0.1"), ("status", 200), ("req", "GET / HTTP/1.1"))
    )


def test_ltsv_stops_at_a_label_without_colon() -> None:
    assert parse("Format ltsv", "a:1\tb c:2") == pairs('{"a":"1"}')


# decoders (flb_parser_decoder_do) ---------------------------------------------------------------------------


def test_decode_field_as_json_replaces_the_value_with_the_map() -> None:
    assert parse("Format json|Decode_Field_As json log", '{"log":"{\\"a\\":1}"}') == pairs('{"log":{"a":1}}')


def test_decode_field_json_keeps_the_value_and_appends_the_keys() -> None:
    assert parse("Format json|Decode_Field json log", '{"log":"{\\"a\\":1}","x":2}') == pairs(
        '{"log":"{\\"a\\":1}","x":2,"a":1}'
    )


def test_decode_field_as_escaped_then_json_with_do_next() -> None:
    text = '{"log":"{\\\\\\"a\\\\\\":1}"}'  # log holds {\"a\":1}
    assert parse("Format json|Decode_Field_As escaped log do_next|Decode_Field_As json log", text) == pairs(
        '{"log":{"a":1}}'
    )


def test_decode_field_as_json_fails_quietly_on_text_that_is_not_a_map() -> None:
    assert parse("Format json|Decode_Field_As json log", '{"log":"[1,2]"}') == pairs('{"log":"[1,2]"}')


def test_decode_field_as_escaped_utf8_reads_unicode_escapes() -> None:
    assert parse("Format json|Decode_Field_As escaped_utf8 m", '{"m":"caf\\\\u00e9"}') == pairs('{"m":"café"}')


def test_decode_field_as_mysql_quoted_strips_quotes() -> None:
    assert parse("Format json|Decode_Field_As mysql_quoted q", '{"q":"\'it\\\\\'s\'"}') == pairs('{"q":"it\'s"}')


def test_an_unknown_decoder_drops_every_decoder_of_the_parser() -> None:
    definition = "Format json|Decode_Field_As json log|Decode_Field_As nosuch x"
    assert parse(definition, '{"log":"{\\"a\\":1}"}') == pairs('{"log":"{\\"a\\":1}"}')


def test_invalid_json_jsmn_might_read_is_reported() -> None:
    with pytest.raises(NotSimulated, match="jsmn"):
        parse("Format json|Decode_Field_As json log", '{"log":"{a:1}"}')

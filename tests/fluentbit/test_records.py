"""Records and their JSON: encode_json must give the same bytes whether or not a map remembers the text it
was read from or the map it extends (fluentbit/records.py ``encode_map``)."""

from __future__ import annotations

import json
import random

import pytest

from firelens_cdktf.fluentbit.parsers import MapReader, parse_json_object
from firelens_cdktf.fluentbit.records import (
    Pairs,
    decode_json,
    encode_json,
    fluent_bit_float,
    remember_extension,
    written_as_is,
)

TEXTS = [
    '{"a":"plain","b":1,"c":-2,"d":0.42,"e":12.3,"f":true,"g":null,"h":{"i":[1,"x",{"j":false}]},"k":[]}',
    '{"esc":"q\\"b\\\\n\\n\\t\\r\\b\\f","raw":"ユーザー表示 \\u2028"}',
    '{"u":"caf\\u00e9"}',
    '{"s":"a\\/b"}',
    '{"c":"\\u001f"}',
    '{"c":"\\u001F"}',  # not canonical: rewritten
    '{"f":1.50}',
    '{"f":1e5}',
    '{"f":0.00001}',
    '{"f":123456789.5}',
    '{"f":-0.0}',
    '{"f":1.0}',
    '{"i":-0}',
    '{"i":123456789012345678}',
    '{"i":18446744073709551615}',
    '{"i":18446744073709551616}',
    '{"a": 1}',
    '{"a":1 }',
    '{"dup":1,"dup":2}',
    "{}",
    '{"e":{}}',
]


@pytest.mark.parametrize("text", TEXTS)
def test_reusing_the_source_text_gives_the_bytes_encoding_gives(text: str) -> None:
    parsed = parse_json_object(text)
    assert parsed is not None
    assert encode_json(parsed) == encode_json(Pairs(parsed))  # Pairs(...) is a copy without the source


def test_a_text_already_in_canonical_form_encodes_as_itself() -> None:
    text = '{"a":"x","b":[1,2.5]}'
    assert encode_json(parse_json_object(text)) == text  # type: ignore[arg-type]


def test_a_map_extended_with_a_tail_encodes_as_the_whole() -> None:
    base = parse_json_object('{"a":1}')
    assert base is not None
    extended = Pairs((*base, ("b", "x")))
    remember_extension(extended, base, '"b":"x"')
    assert encode_json(extended) == '{"a":1,"b":"x"}' == encode_json(Pairs(extended))


def _value(rng: random.Random, depth: int) -> object:
    kind = rng.randrange(8 if depth < 3 else 5)
    if kind == 0:
        return "".join(rng.choice('ab "\\\n\t\x01é𝄞/') for _ in range(rng.randrange(6)))
    if kind == 1:
        return rng.choice([0, -1, 7, 2**62, -(2**63), 2**64 + 1])
    if kind == 2:
        return rng.choice([0.1, 1.0, -0.0, 12.34, 1e-5, 1e17, 3.141592653589793, 100.5])
    if kind == 3:
        return rng.choice([True, False, None])
    if kind == 4:
        return round(rng.uniform(-1000, 1000), rng.randrange(5))
    if kind == 5:
        return [_value(rng, depth + 1) for _ in range(rng.randrange(3))]
    return {f"k{i}": _value(rng, depth + 1) for i in range(rng.randrange(4))}


def test_reuse_never_changes_bytes_on_random_records() -> None:
    rng = random.Random(11)
    for _ in range(2000):
        value = {f"k{i}": _value(rng, 0) for i in range(1 + rng.randrange(6))}
        for text in (json.dumps(value, separators=(",", ":"), ensure_ascii=False), json.dumps(value)):
            parsed = parse_json_object(text)
            if parsed is not None:
                assert encode_json(parsed) == encode_json(Pairs(parsed)), text


@pytest.mark.parametrize(
    "value, written",
    [
        (2.0, "2.0"),  # a whole number: %.1f
        (0.5, "0.5"),
        (0.087, "0.08699999999999999"),  # %.16g shows the binary error Python's repr hides
        (1e300, "1e+300"),
        (float("inf"), "inf"),
    ],
)
def test_floats_are_written_as_fluent_bits_outputs_write_them(value: float, written: str) -> None:
    assert fluent_bit_float(value) == written


def test_a_parsed_line_is_not_handed_back_as_written_when_fluent_bit_would_write_a_float_otherwise() -> None:
    # Recorded with Fluent Bit 4.2.2 (ROUTER=fluent-bit make run): the app wrote 0.087, Firehose received this.
    assert encode_json(decode_json('{"duration_ms":0.087,"t":"09:44:50.150298Z"}')) == (
        '{"duration_ms":0.08699999999999999,"t":"09:44:50.150298Z"}'
    )
    assert encode_json(decode_json('{"duration_ms":0.5,"t":"x"}')) == '{"duration_ms":0.5,"t":"x"}'


def _as_written(text: str) -> bool:
    reader = MapReader()
    reader.raw_decode(text)
    return reader.numbers_as_written and written_as_is(text)


@pytest.mark.parametrize("text", [t for t in TEXTS if "[" not in t])
def test_a_text_proved_written_as_is_is_its_own_encoding(text: str) -> None:
    parsed, _ = MapReader().raw_decode(text)
    if _as_written(text):
        assert encode_json(Pairs(parsed)) == text  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text, as_written",
    [
        ('{"a":"x y,z","b":0.5,"c":-1,"d":{"e":null,"f":true},"g":"q\\"\\\\\\n"}', True),
        ('{"a": 1}', False),
        ('{"a":1 }', False),
        ('{"a":"x",\n"b":1}', False),
        ('{"a":"x: y, {z}"}', True),  # spaces by ':', ',' and '{' inside a string
        ('{"a":"q\\" , \\\\","b" :1}', False),  # escapes taken out, the space before ':' stands outside
        ('{"a":"q\\" , \\\\","b":1}', True),
        ('{"f":0.087}', False),  # written 0.08699999999999999
        ('{"f":1.50}', False),
        ('{"f":1e+16}', False),  # a whole number: written 10000000000000000.0
        ('{"f":1e-05}', True),
        ('{"i":-0}', False),
        ('{"i":18446744073709551616}', False),
        ('{"s":"a\\/b"}', False),
        ('{"u":"\\u00e9"}', False),
    ],
)
def test_written_as_is_accepts_compact_lines_and_refuses_what_encoding_changes(text: str, as_written: bool) -> None:
    assert _as_written(text) is as_written
    if as_written:
        assert encode_json(Pairs(MapReader().raw_decode(text)[0])) == text  # type: ignore[arg-type]


def test_written_as_is_never_lies_on_random_records() -> None:
    rng = random.Random(12)
    proved = 0
    for _ in range(3000):
        value = {f"k{i}": _value(rng, 0) for i in range(1 + rng.randrange(6))}
        for text in (json.dumps(value, separators=(",", ":"), ensure_ascii=False), json.dumps(value)):
            if "[" in text:
                continue
            parsed, _ = MapReader().raw_decode(text)
            if _as_written(text):
                proved += 1
                assert encode_json(Pairs(parsed)) == text, text  # type: ignore[arg-type]
    assert proved > 100


def test_written_as_is_never_lies_on_strings_full_of_spaces_quotes_and_backslashes() -> None:
    rng = random.Random(13)
    proved = 0
    for _ in range(3000):
        value = {
            "".join(rng.choice(' ,:{}"\\a') for _ in range(rng.randrange(4))): "".join(
                rng.choice(' ,:{}]"\\ab') for _ in range(rng.randrange(8))
            )
            for _ in range(1 + rng.randrange(4))
        }
        for text in (json.dumps(value, separators=(",", ":"), ensure_ascii=False), json.dumps(value)):
            if "[" in text:
                continue
            parsed, _ = MapReader().raw_decode(text)
            if _as_written(text):
                proved += 1
                assert encode_json(Pairs(parsed)) == text, text  # type: ignore[arg-type]
            elif ": " not in text and ", " not in text:
                # compact texts are all proved but for an escape json_string never writes
                assert "\\/" in text or "\\u" in text, text
    assert proved > 1000

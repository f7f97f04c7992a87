"""The forward client's msgpack encoder writes what the msgpack specification says, in its smallest forms.

Expected bytes are written out by hand from https://github.com/msgpack/msgpack/blob/master/spec.md,
at each form's limits: the encoder is checked against the specification, not against itself.
"""

from __future__ import annotations

import pytest

from firelens_cdktf.fluentbit.records import Pairs
from firelens_local.msgpack_encoder import EventTime, encode


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "c0"),
        (False, "c2"),
        (True, "c3"),
        (0, "00"),
        (127, "7f"),
        (128, "cc80"),
        (255, "ccff"),
        (256, "cd0100"),
        (65_535, "cdffff"),
        (65_536, "ce00010000"),
        (2**32, "cf0000000100000000"),
        (2**64 - 1, "cfffffffffffffffff"),
        (-1, "ff"),
        (-32, "e0"),
        (-33, "d0df"),
        (-128, "d080"),
        (-129, "d1ff7f"),
        (-32_769, "d2ffff7fff"),
        (-(2**31) - 1, "d3ffffffff7fffffff"),
        (1.5, "cb3ff8000000000000"),
        ("", "a0"),
        ("é", "a2c3a9"),
        (b"", "c400"),
        (b"\x00\xff", "c40200ff"),
        ([], "90"),
        ((1, "a"), "9201a161"),
        ({}, "80"),
        ({"a": None}, "81a161c0"),
        (EventTime(1, 2), "d7000000000100000002"),
    ],
)
def test_encodes_each_type_in_its_smallest_form(value: object, expected: str) -> None:
    assert encode(value).hex() == expected


@pytest.mark.parametrize(
    ("length", "header"),
    [(31, "bf"), (32, "d920"), (255, "d9ff"), (256, "da0100"), (65_536, "db00010000")],
)
def test_string_headers_change_form_at_the_specified_lengths(length: int, header: str) -> None:
    assert encode("a" * length) == bytes.fromhex(header) + b"a" * length


@pytest.mark.parametrize(("length", "header"), [(255, "c4ff"), (256, "c50100"), (65_536, "c600010000")])
def test_bin_headers_change_form_at_the_specified_lengths(length: int, header: str) -> None:
    assert encode(b"\x01" * length) == bytes.fromhex(header) + b"\x01" * length


def test_arrays_and_maps_of_sixteen_use_the_16_bit_form() -> None:
    assert encode([0] * 15)[:1].hex() == "9f"
    assert encode([0] * 16)[:3].hex() == "dc0010"
    assert encode({str(i): 0 for i in range(15)})[:1].hex() == "8f"
    assert encode({str(i): 0 for i in range(16)})[:3].hex() == "de0010"


def test_a_pairs_record_is_a_map_in_its_own_order_with_repeated_keys_kept() -> None:
    record = Pairs((("k", 1), ("a", 2), ("k", 3)))
    assert encode(record).hex() == "83" + "a16b01" + "a16102" + "a16b03"


def test_a_string_holding_a_cut_multibyte_character_goes_out_as_its_raw_bytes() -> None:
    # docker_pieces keeps a character split between two 16 KiB pieces as lone surrogates (surrogateescape)
    piece = b"ab\xe3\x81".decode("utf-8", "surrogateescape")
    assert encode(piece) == b"\xa4ab\xe3\x81"


def test_event_time_from_seconds_keeps_nanoseconds() -> None:
    assert EventTime.from_seconds(1_700_000_000.25) == EventTime(1_700_000_000, 250_000_000)


def test_fails_when_a_value_has_no_msgpack_form() -> None:
    with pytest.raises(TypeError, match="cannot encode set"):
        encode({1, 2})


def test_fails_when_an_integer_does_not_fit_64_bits() -> None:
    with pytest.raises(ValueError, match="does not fit 64 bits"):
        encode(2**64)


def test_fails_when_an_event_time_is_out_of_range() -> None:
    with pytest.raises(ValueError, match="nanoseconds be under 10\\*\\*9"):
        EventTime(1, 10**9)

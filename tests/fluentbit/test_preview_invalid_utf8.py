"""Bytes that are not UTF-8: what Fluent Bit 4.2.2 writes for them in JSON, and how the preview prints them.

The expected strings below are the output of ``flb_utils_write_str`` itself
(src/flb_utils.c at v4.2.2, with src/flb_utf8.c), compiled for x86-64 and run
on each input: the model is checked against the C function, quirks included.
"""

from __future__ import annotations

import json

import pytest

from firelens_cdktf.fluentbit.output_limits import (
    fluent_bit_json,
    fluent_bit_json_size,
    fluent_bit_string,
    string_bytes,
)
from firelens_cdktf.fluentbit.preview_io import printable_json

#: input bytes -> (json.escape_unicode on: flb_utils_write_str_escaped, off: flb_utils_write_str_raw)
WRITTEN = {
    b"a\xffb": ("ab", "a\ufffdb"),  # 0xFF announces 6 bytes, only 2 are left: skipped
    b"\xffabcdef": ("\ue0ffabcdef", "\ufffdabcdef"),  # 6 bytes are left: decoded, rejected, U+E0FF
    b"\xe3\x81": ("\ue081", "\ufffd\ufffd"),
    b"\xe3\x81a": ("\ue0e3\ue081a", "\ufffd\ufffda"),  # rejected at 'a': the two bytes before it, then 'a'
    b"\xc0\x80": ("\\u0000", "\ufffd\ufffd"),  # an overlong NUL: flb_utf8_decode does not check for those
    b"\xed\xa0\x80": ("\ue0ed\ue0a0\ue080", "\ufffd\ufffd\ufffd"),  # an encoded surrogate
    b"\xf4\x90\x80\x80": ("\ue0f4\ue090\ue080\ue080", "\ufffd\ufffd\ufffd\ufffd"),  # past U+10FFFF
    b"\x80": ("\ue080", "\ufffd"),
    b"\xf8\x88\x80\x80\x80\x80a": ("\ue0f8\ue088\ue080\ue080\ue080\ue080a", "\ufffd" * 6 + "a"),
    b"a\xf0\x9f": ("a\ue09f", "a\ufffd\ufffd"),
    b"\xf0\x9f\x99\x82": ("\\ud83d\\ude42", "🙂"),
    b"\xc3\xa9": ("\\u00e9", "é"),
    b'\x7f"\n': ('\\u007f\\"\\n', '\\u007f\\"\\n'),
}


@pytest.mark.parametrize("data", list(WRITTEN), ids=[d.hex() for d in WRITTEN])
def test_a_string_is_written_as_fluent_bits_json_writer_writes_it(data: bytes) -> None:
    escaped, raw = WRITTEN[data]
    assert (fluent_bit_string(data), fluent_bit_string(data, escape_unicode=False)) == (escaped, raw)


def test_the_preview_holds_an_invalid_byte_as_a_lone_surrogate_and_gives_it_back() -> None:
    assert string_bytes(b"caf\xc3\xa9 \xff".decode("utf-8", "surrogateescape")) == b"caf\xc3\xa9 \xff"


def test_a_lone_surrogate_from_an_escape_is_held_as_its_three_bytes() -> None:
    assert string_bytes("\ud800") == b"\xed\xa0\x80"


def test_fluent_bits_rendering_of_a_record_writes_each_string_from_its_bytes() -> None:
    text = '{"log":"a\udcff' + "x" * 5 + '","é":"é"}'
    assert fluent_bit_json(text) == '{"log":"a\ue0ffxxxxx","\\u00e9":"\\u00e9"}'


def test_the_rendered_size_counts_a_private_use_character_as_its_three_utf8_bytes() -> None:
    text = '{"log":"\udcff' + "x" * 5 + '"}'
    assert fluent_bit_json_size(text) == len('{"log":"' + "x" * 5 + '"}') + 3


def test_printable_json_is_the_value_fluent_bit_sends_as_valid_utf8_with_the_bytes_shown() -> None:
    line = '{"deliveries":[{"record":{"log":"ok \udcff\udcfe done","msg":"é"}}]}'
    printed = printable_json(line)
    printed.encode("utf-8")  # valid UTF-8: no lone surrogate left
    assert '"ok \\ue0ff\\ue0fe done"' in printed and '"msg":"é"' in printed
    assert json.loads(printed)["deliveries"][0]["record"]["log"] == fluent_bit_string(b"ok \xff\xfe done")

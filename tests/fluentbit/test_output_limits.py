"""Docker's 16 KiB split and the AWS outputs' size limits, at their exact boundaries.

Each boundary is the one the source sets (fluentbit/output_limits.py names them):
moby daemon/logger/copier.go for the split; fluent/fluent-bit v4.2.2
plugins/out_cloudwatch_logs/cloudwatch_api.c and
plugins/out_kinesis_firehose/firehose_api.c for the outputs.
"""

from __future__ import annotations

import pytest

from firelens_cdktf.fluentbit.output_limits import (
    CLOUDWATCH,
    DISCARDED,
    FIREHOSE,
    TRUNCATED,
    UNKNOWN_FATE,
    cloudwatch_message,
    docker_pieces,
    fate,
    fluent_bit_json,
    fluent_bit_json_size,
)


def _string_of(size: int, fill: str = "x") -> str:
    """A JSON string literal of exactly ``size`` bytes (ASCII)."""
    return '"' + fill * (size - 2) + '"'


# --- Docker's split ---------------------------------------------------------------------


def test_a_line_shorter_than_the_copier_buffer_is_one_record() -> None:
    assert docker_pieces("x" * 16_383) == ("x" * 16_383,)


def test_a_line_that_fills_the_buffer_is_sent_as_a_partial_then_an_empty_last_piece() -> None:
    # the newline is not in the 16,384-byte buffer when it fills, so the line goes out as a partial
    assert docker_pieces("x" * 16_384) == ("x" * 16_384, "")


def test_a_long_line_is_cut_every_16384_bytes() -> None:
    assert [len(p) for p in docker_pieces("x" * 5_000_000)] == [16_384] * 305 + [2_880]


def test_the_cut_counts_utf8_bytes_and_keeps_a_split_character_as_its_bytes() -> None:
    line = "x" * 16_383 + "é" + "y" * 10  # é's two bytes straddle the cut
    pieces = docker_pieces(line)
    assert len(pieces) == 2
    assert "".join(pieces).encode("utf-8", "surrogateescape") == line.encode("utf-8")


# --- Fluent Bit's rendering ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rendered"),
    [
        ('{"a":"b"}', '{"a":"b"}'),
        ('{"a":"é"}', '{"a":"\\u00e9"}'),
        ('{"a":"🙂"}', '{"a":"\\ud83d\\ude42"}'),
        ('{"a":"\x7f"}', '{"a":"\\u007f"}'),
    ],
)
def test_non_ascii_and_del_become_unicode_escapes(text: str, rendered: str) -> None:
    assert fluent_bit_json(text) == rendered
    assert fluent_bit_json_size(text) == len(rendered)


# --- cloudwatch_logs ----------------------------------------------------------------------


def test_cloudwatch_discards_an_empty_record() -> None:
    result = fate(CLOUDWATCH, "{}")
    assert result is not None and result.kind == DISCARDED and result.kept == 0


def test_cloudwatch_sends_a_message_of_exactly_1000000_escaped_bytes_whole() -> None:
    assert fate(CLOUDWATCH, _string_of(999_998)) is None  # two quotes escape to 4: 1,000,000


def test_cloudwatch_truncates_one_escaped_byte_over() -> None:
    result = fate(CLOUDWATCH, _string_of(999_999))
    assert result is not None and result.kind == TRUNCATED
    assert result.kept == 999_998  # the opening quote (2 escaped bytes) and 999,997 x's
    assert cloudwatch_message(_string_of(999_999)) == '"' + "x" * 999_997


def test_cloudwatch_truncates_up_to_the_plugins_buffer_then_discards() -> None:
    at_buffer = _string_of(1_048_574)  # escaped: 1,048,576, the buffer exactly
    assert fate(CLOUDWATCH, at_buffer).kind == TRUNCATED  # type: ignore[union-attr]
    over = fate(CLOUDWATCH, _string_of(1_048_575))
    assert over is not None and over.kind == DISCARDED and "Discarding massive log record" in over.reason
    assert cloudwatch_message(_string_of(1_048_575)) is None


def test_cloudwatch_counts_quotes_and_backslashes_twice() -> None:
    quoted = '"' + '\\"' * 300_000 + '"'  # 600,002 bytes of JSON, 1,200,004 escaped
    assert fate(CLOUDWATCH, quoted).kind == DISCARDED  # type: ignore[union-attr]


def test_cloudwatch_cuts_between_request_escapes_so_a_message_may_end_in_half_a_json_escape() -> None:
    # escaped: 2 + 999,995 + 2 = 999,999 after the first backslash; the second would need 2 more
    text = '"' + "x" * 999_995 + "\\\\" + "y" * 10 + '"'
    assert cloudwatch_message(text) == '"' + "x" * 999_995 + "\\"


# --- kinesis_firehose ---------------------------------------------------------------------


def test_firehose_sends_a_record_one_byte_under_the_limit_with_its_newline() -> None:
    assert fate(FIREHOSE, _string_of(1_023_998)) is None  # + newline: 1,023,999


def test_firehose_discards_a_record_that_reaches_the_limit_with_its_newline() -> None:
    result = fate(FIREHOSE, _string_of(1_023_999))
    assert result is not None and result.kind == DISCARDED and "MAX_EVENT_SIZE 1,024,000" in result.reason


def test_firehose_discards_an_empty_record() -> None:
    assert fate(FIREHOSE, "{}").kind == DISCARDED  # type: ignore[union-attr]


def test_firehose_limit_counts_unicode_escapes() -> None:
    assert fate(FIREHOSE, '"' + "é" * 171_000 + '"').kind == DISCARDED  # type: ignore[union-attr]
    assert fate(FIREHOSE, '"' + "é" * 170_000 + '"') is None


# --- what is not modelled ---------------------------------------------------------------------


def test_other_plugins_have_no_fate() -> None:
    assert fate("s3", _string_of(5_000_000)) is None


@pytest.mark.parametrize(("plugin", "option"), [(CLOUDWATCH, "log_key"), (FIREHOSE, "log_key"), (FIREHOSE, "time_key")])
def test_outputs_that_send_something_else_get_an_unknown_fate_only_when_a_limit_could_apply(
    plugin: str, option: str
) -> None:
    assert fate(plugin, '{"a":1}', **{option: True}) is None
    result = fate(plugin, _string_of(2_000_000), **{option: True})
    assert result is not None and result.kind == UNKNOWN_FATE and option in result.reason

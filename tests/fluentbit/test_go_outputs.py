"""AWS's Go outputs in the image (fluentbit/go_outputs.py): their JSON and their size limits, from their
sources (cloudwatch v1.9.4, firehose v1.7.2, kinesis v1.10.2), and the preview that marks what they cut."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from firelens_cdktf.cli import main
from firelens_cdktf.fluentbit.go_outputs import go_fate, go_json
from firelens_cdktf.fluentbit.records import Pairs


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (Pairs((("b", 1), ("a", 2), ("B", 3))), '{"B":3,"a":2,"b":1}'),  # keys sorted bytewise
        (Pairs((("k", 1), ("k", 2))), '{"k":2}'),  # a key held twice: the last, as one Go map entry
        (Pairs(()), "{}"),
        ("<a & b>", '"\\u003ca \\u0026 b\\u003e"'),  # HTML characters escaped
        ("\b\f\x01\n\t\u2028", '"\\u0008\\u000c\\u0001\\n\\t\\u2028"'),
        ("é/", '"é/"'),  # non-ASCII and '/' as they are
        (b"a\xffb", '"a\\ufffdb"'),  # a byte that is not UTF-8
        (1.0, "1"),
        (0.087, "0.087"),
        (1e-7, "1e-07"),  # no exponent tidying, unlike Go's encoding/json
        (1.5e21, "1.5e+21"),
        (123456789, "123456789"),
        ([True, False, None], "[true,false,null]"),
    ],
)
def test_go_json_writes_as_jsoniter_compatible_with_the_standard_library(value: object, written: str) -> None:
    assert go_json(value) == written


def _line(size: int, char: str = "x") -> Pairs:
    """A record whose Go JSON, {"log":"..."}, is ``size`` bytes."""
    overhead = len('{"log":""}')
    return Pairs((("log", char * ((size - overhead) // len(char.encode()))),))


def test_firehose_sends_a_record_of_1024000_bytes_with_its_newline_whole_and_cuts_one_more() -> None:
    assert go_fate("firehose", _line(1_023_999), {}) is None  # + "\n" = 1,024,000
    fate = go_fate("firehose", _line(1_024_000), {})
    assert fate is not None and (fate.kind, fate.size, fate.kept) == ("truncated", 1_024_001, 1_024_000)
    assert "[Truncated...]" in fate.reason and "firehose.go processRecord" in fate.reason


def test_cloudwatch_counts_its_26_byte_event_overhead_and_never_cuts_inside_a_character() -> None:
    assert go_fate("cloudwatch", _line(262_144 - 26 - 1), {}) is None
    fate = go_fate("cloudwatch", _line(262_144 - 26), {})
    assert fate is not None and (fate.kind, fate.kept) == ("truncated", 262_104 + 14)
    two_byte = go_fate("cloudwatch", Pairs((("lg", "é" * 140_000),)), {})  # '{"lg":"': 7 bytes, then 2 a char
    assert two_byte is not None and two_byte.kept == 262_103 + 14  # byte 262,104 starts no character


def test_kinesis_counts_the_partition_key_it_sends_or_the_random_one() -> None:
    record = Pairs((("log", "x" * 1_048_510), ("user", "u" * 30)))  # 1,048,560 bytes of JSON
    assert go_fate("kinesis", record, {}) is None  # its JSON + an 8-character random key fit
    fate = go_fate("kinesis", record, {"partition_key": "user"})  # + 30 bytes: over
    assert fate is not None and fate.kept == 1_048_576 - 30
    assert go_fate("kinesis", record, {"partition_key": "user", "append_newline": "true"}) is not None


@pytest.mark.parametrize("option", ["log_key", "data_keys", "time_key", "replace_dots", "compression"])
def test_an_option_that_reshapes_the_record_makes_its_size_unknown_and_says_which(option: str) -> None:
    fate = go_fate("firehose" if option != "compression" else "kinesis", _line(10), {option: "x"})
    assert fate is not None and fate.kind == "unknown" and f"sets {option}" in fate.reason


def test_nan_is_a_record_the_plugin_drops() -> None:
    fate = go_fate("cloudwatch", Pairs((("v", float("nan")),)), {})
    assert fate is not None and fate.kind == "discarded" and "drops the record" in fate.reason


def test_the_preview_marks_what_a_go_output_cuts(tmp_path: Path) -> None:
    config = tmp_path / "extra.conf"
    config.write_text("[OUTPUT]\n    Name firehose\n    Match *\n    region eu-west-1\n    delivery_stream s\n")
    line = json.dumps({"tag": "app-firelens-1", "record": {"log": "x" * 1_100_000}})
    out = io.StringIO()
    code = main(["preview", "--config", str(config)], stdin=io.StringIO(line + "\n"), stdout=out, stderr=io.StringIO())
    assert code == 0
    assert re.search(r"!! truncated by firehose: its [\d,]+ bytes are more than 1,024,000 bytes", out.getvalue())

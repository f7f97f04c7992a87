"""The keys real Firehose gives objects: evaluated prefixes, object names, and the pattern the read-back checks."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import pytest

from firelens_cdktf.constructs.log_archive import HIVE_ERROR_PREFIX, HIVE_PREFIX
from firelens_local._moto_firehose import stored_object
from firelens_local.firehose_keys import evaluate_prefix, format_timestamp, key_pattern, object_name

WHEN = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
UUID = "6f1c2a9e-0b7d-4c1e-9d2a-3b4c5d6e7f80"


def test_hive_prefix_evaluates_to_the_utc_day_of_arrival() -> None:
    assert evaluate_prefix(HIVE_PREFIX, WHEN) == "year=2026/month=01/day=02/"


def test_error_prefix_evaluates_the_error_output_type() -> None:
    assert (
        evaluate_prefix(HIVE_ERROR_PREFIX, WHEN, error_output_type="processing-failed")
        == "errors/year=2026/month=01/day=02/processing-failed/"
    )


def test_a_prefix_without_timestamp_gets_the_default_hour_prefix_after_it() -> None:
    assert evaluate_prefix("myPrefix/", WHEN) == "myPrefix/2026/01/02/03/"
    assert evaluate_prefix("", WHEN) == "2026/01/02/03/"


def test_java_patterns_with_quoted_literals() -> None:
    assert format_timestamp("yyyy-MM-dd'T'HH'h'", WHEN) == "2026-01-02T03h"
    assert format_timestamp("yy/MM", WHEN) == "26/01"


@pytest.mark.parametrize(
    "prefix, message",
    [
        ("x=!{timestamp:EEE}/", "'EEE' is not modelled"),
        ("x=!{partitionKeyFromQuery:customer}/", "is not evaluated here"),
        ("!{timestamp:yyyy}/!{firehose:error-output-type}/", "only error prefixes may"),
    ],
)
def test_fails_on_an_expression_it_cannot_evaluate(prefix: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        evaluate_prefix(prefix, WHEN)


def test_object_names_follow_stream_version_time_uuid_and_gz_for_gzip() -> None:
    assert object_name("logs", "1", WHEN, UUID, compression="GZIP") == f"logs-1-2026-01-02-03-04-05-{UUID}.gz"
    assert object_name("logs", "3", WHEN, UUID) == f"logs-3-2026-01-02-03-04-05-{UUID}"
    assert object_name("logs", "1", WHEN, UUID, compression="GZIP", file_extension=".json.gz").endswith(".json.gz")


def test_key_pattern_matches_firehose_keys_and_captures_the_partition() -> None:
    pattern = key_pattern(HIVE_PREFIX, "logs", compression="GZIP")
    match = pattern.fullmatch(f"year=2026/month=01/day=02/logs-1-2026-01-02-03-04-05-{UUID}.gz")
    assert match and (match["year"], match["month"], match["day"]) == ("2026", "01", "02")


@pytest.mark.parametrize(
    "key",
    [
        "year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/2026/01/02/03/logs-1-2026-01-02-03-04-05-"
        + UUID,
        f"year=2026/month=01/day=02/logs-1-2026-01-02-03-04-05-{UUID}",  # GZIP but no .gz
        f"year=2026/month=1/day=02/logs-1-2026-01-02-03-04-05-{UUID}.gz",
        f"year=2026/month=01/day=02/other-1-2026-01-02-03-04-05-{UUID}.gz",
    ],
)
def test_key_pattern_rejects_what_moto_wrote_and_near_misses(key: str) -> None:
    assert key_pattern(HIVE_PREFIX, "logs", compression="GZIP").fullmatch(key) is None


def test_emulated_firehose_stores_a_gzip_object_under_the_evaluated_prefix() -> None:
    destination = {"BucketARN": "arn:aws:s3:::archive", "Prefix": HIVE_PREFIX, "CompressionFormat": "GZIP"}
    bucket, key, body = stored_object(destination, "logs", "1", [{"Data": b'{"a":1}\n'}, {"Data": b"\n"}], WHEN, UUID)
    assert (bucket, key) == ("archive", f"year=2026/month=01/day=02/logs-1-2026-01-02-03-04-05-{UUID}.gz")
    assert gzip.decompress(body) == b'{"a":1}\n\n'


def test_emulated_firehose_uses_the_streams_time_zone_and_stores_uncompressed_as_is() -> None:
    destination = {"BucketARN": "arn:aws:s3:::archive", "Prefix": HIVE_PREFIX, "CustomTimeZone": "Asia/Tokyo"}
    late = datetime(2026, 1, 2, 20, 0, tzinfo=UTC)  # already Jan 3 in Tokyo
    _, key, body = stored_object(destination, "logs", "1", [{"Data": b"x\n"}], late, UUID)
    assert key == f"year=2026/month=01/day=03/logs-1-2026-01-03-05-00-00-{UUID}" and body == b"x\n"

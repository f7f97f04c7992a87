"""The read-back check accounts for every record: none missing, none extra, or it fails showing the difference."""

from __future__ import annotations

import gzip
from datetime import date

import pytest

from firelens_cdktf.constructs.log_archive import HIVE_PREFIX
from firelens_local.delivery import AwsOutput, CloudWatchOutput, FirehoseOutput, RoutedCopy, plan_delivery
from firelens_local.delivery_check import (
    CLOUDWATCH_LOGS,
    S3,
    DeliveryMismatch,
    Placement,
    account,
    expected_object_bytes,
    expected_records,
    misnamed_keys,
    observed_object_bytes,
    observed_records,
    require_exact,
)
from firelens_local.firehose_keys import key_pattern
from firelens_local.readback import StoredEvent, StoredObject

BUCKET = "archive-bucket"
DEFAULT = Placement(CLOUDWATCH_LOGS, "/app", "fluentbit-app-firelens-1")
ARCHIVE = Placement(S3, BUCKET)
OUTPUTS: dict[str, AwsOutput] = {
    "app.sql": FirehoseOutput("app.sql", "sql-stream", "ap-northeast-1", simple_aggregation=True),
    "app.default": CloudWatchOutput("app.default", "/app", "ap-northeast-1", stream_prefix="fluentbit-"),
}
PLAN = plan_delivery(
    [
        RoutedCopy("app.sql", "routed.app.sql", '{"sql":1}', 1),
        RoutedCopy("app.sql", "routed.app.sql", '{"sql":2}', 1),
        RoutedCopy("app.default", "app-firelens-1", '{"msg":"hi"}', 1),
    ],
    OUTPUTS,
)


def test_expected_records_place_firehose_records_in_the_stream_bucket_and_events_in_their_stream() -> None:
    assert sorted(expected_records(PLAN, {"sql-stream": BUCKET})) == [
        (DEFAULT, '{"msg":"hi"}'),
        (ARCHIVE, '{"sql":1}'),
        (ARCHIVE, '{"sql":2}'),
    ]


def test_aggregation_framing_newlines_are_not_records() -> None:
    stored = StoredObject(BUCKET, "k", b'{"sql":1}\n{"sql":2}\n\n')
    assert observed_records([stored], []) == [(ARCHIVE, '{"sql":1}'), (ARCHIVE, '{"sql":2}')]


def test_check_is_exact_when_the_destinations_hold_what_was_sent() -> None:
    objects = [StoredObject(BUCKET, "k", PLAN.firehose[0].records[0])]
    events = [StoredEvent("/app", "fluentbit-app-firelens-1", '{"msg":"hi"}')]
    accounting = account(
        expected_records(PLAN, {"sql-stream": BUCKET}),
        observed_records(objects, events),
        expected_bytes=expected_object_bytes(PLAN, {"sql-stream": BUCKET}),
        observed_bytes=observed_object_bytes(objects),
    )
    assert require_exact(accounting).exact
    assert (accounting.expected, accounting.observed) == (3, 3)
    assert dict(accounting.per_placement) == {ARCHIVE: 2, DEFAULT: 1}


def test_fails_showing_the_missing_and_the_extra_record() -> None:
    accounting = account(
        [(DEFAULT, '{"msg":"hi"}'), (DEFAULT, '{"msg":"bye"}')],
        [(DEFAULT, '{"msg":"hi"}'), (DEFAULT, '{"msg":"surprise"}')],
    )
    with pytest.raises(DeliveryMismatch) as failure:
        require_exact(accounting)
    message = str(failure.value)
    assert "1 missing, 1 extra" in message
    assert 'missing: CloudWatch Logs /app stream fluentbit-app-firelens-1: {"msg":"bye"}' in message
    assert 'extra: CloudWatch Logs /app stream fluentbit-app-firelens-1: {"msg":"surprise"}' in message


def test_a_record_delivered_twice_is_extra() -> None:
    accounting = account([(ARCHIVE, "r")], [(ARCHIVE, "r"), (ARCHIVE, "r")])
    assert (accounting.missing, accounting.extra) == ((), ((ARCHIVE, "r"),))


def test_a_record_in_the_wrong_stream_is_missing_where_expected_and_extra_where_found() -> None:
    elsewhere = Placement(CLOUDWATCH_LOGS, "/app", "fluentbit-other")
    accounting = account([(DEFAULT, "r")], [(elsewhere, "r")])
    assert (accounting.missing, accounting.extra) == (((DEFAULT, "r"),), ((elsewhere, "r"),))


def test_fails_when_the_new_objects_hold_other_bytes_than_the_records_sent() -> None:
    # Same lines, but the aggregation's closing newline is lost: records match, bytes do not.
    objects = [StoredObject(BUCKET, "k", b'{"sql":1}\n{"sql":2}\n')]
    accounting = account(
        expected_records(PLAN, {"sql-stream": BUCKET})[:2],
        observed_records(objects, []),
        expected_bytes=expected_object_bytes(PLAN, {"sql-stream": BUCKET}),
        observed_bytes=observed_object_bytes(objects),
    )
    assert accounting.byte_differences == ((BUCKET, 21, 20),)
    with pytest.raises(DeliveryMismatch, match="expected 21 bytes of new objects, found 20"):
        require_exact(accounting)


def test_gzip_objects_are_read_as_their_content() -> None:
    stored = StoredObject(BUCKET, "k.gz", gzip.compress(b'{"sql":1}\n\n'))
    assert (observed_records([stored], []), observed_object_bytes([stored])) == ([(ARCHIVE, '{"sql":1}')], {BUCKET: 11})


def test_fails_naming_an_object_whose_key_is_not_the_one_firehose_gives() -> None:
    uuid = "6f1c2a9e-0b7d-4c1e-9d2a-3b4c5d6e7f80"
    good = f"year=2026/month=11/day=30/sql-stream-1-2026-11-30-14-04-07-{uuid}.gz"
    moto_style = f"{HIVE_PREFIX}2026/11/30/14/sql-stream-1-2026-11-30-14-04-07-{uuid}"  # moto's own key
    yesterday = f"year=2026/month=11/day=29/sql-stream-1-2026-11-29-23-59-59-{uuid}.gz"
    objects = [StoredObject(BUCKET, key, b"") for key in (good, moto_style, yesterday)]
    patterns = {BUCKET: [key_pattern(HIVE_PREFIX, "sql-stream", compression="GZIP")]}
    misnamed = misnamed_keys(objects, patterns, [date(2026, 11, 30)])
    assert misnamed == tuple(sorted([(BUCKET, moto_style), (BUCKET, yesterday)]))
    accounting = account([], [], misnamed=misnamed)
    assert not accounting.exact
    with pytest.raises(
        DeliveryMismatch,
        match=f"key: s3://{BUCKET}/year=2026/month=11/day=29/.* is not named as Firehose names objects",
    ):
        require_exact(accounting)

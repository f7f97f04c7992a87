"""The local stand-in for the log router sends what Fluent Bit's AWS outputs would, within the API limits."""

from __future__ import annotations

from typing import Any

import pytest

from firelens_app.routing import article_routing
from firelens_cdktf import limits as _limits
from firelens_cdktf.fluentbit.config import parse_config
from firelens_cdktf.routing.compiler import compile_routing
from firelens_local.delivery import (
    CloudWatchOutput,
    FirehoseOutput,
    LogEvent,
    RoutedCopy,
    StandInError,
    aws_outputs,
    batch_firehose_records,
    batch_log_events,
    firehose_records,
    plan_delivery,
    send,
    truncate_message,
)

FIREHOSE = FirehoseOutput("app.sql", "sql-stream", "ap-northeast-1", simple_aggregation=True)
CLOUDWATCH = CloudWatchOutput("app.default", "/app", "ap-northeast-1", stream_prefix="fluentbit-")


def _copy(output: str, body: str, tag: str = "app-firelens-1", timestamp_ms: int = 1_000) -> RoutedCopy:
    return RoutedCopy(output, tag, body, timestamp_ms)


# --- reading the outputs from the compiled config ---------------------------------------


def test_outputs_come_from_the_compiled_config_by_alias() -> None:
    outputs = aws_outputs(compile_routing(article_routing()).config)
    assert outputs == {
        "rails-app.sql": FirehoseOutput("rails-app.sql", "put-s3-sample-metrics-logs", "ap-northeast-1", True),
        "rails-app.labelled": CloudWatchOutput(
            "rails-app.labelled", "/sample-metrics-fluentbit/analysis", "ap-northeast-1", stream_prefix="fluentbit-"
        ),
        "rails-app.default": CloudWatchOutput(
            "rails-app.default", "/sample-metrics-fluentbit", "ap-northeast-1", stream_prefix="fluentbit-"
        ),
    }


def test_fails_when_an_output_sets_an_option_that_changes_what_is_sent() -> None:
    config = parse_config(
        "[OUTPUT]\n    Name cloudwatch_logs\n    Match *\n    region us-east-1\n"
        "    log_group_name /g\n    log_stream_prefix p-\n    log_key log\n"
    )
    with pytest.raises(StandInError, match=r"\['log_key'\]"):
        aws_outputs(config)


def test_fails_when_an_output_is_not_an_aws_destination_the_stand_in_knows() -> None:
    with pytest.raises(StandInError, match="'stdout' is not reproduced"):
        aws_outputs(parse_config("[OUTPUT]\n    Name stdout\n    Match *\n"))


def test_cloudwatch_stream_is_the_prefix_followed_by_the_tag() -> None:
    assert CLOUDWATCH.log_stream("rails-app-firelens-abc") == "fluentbit-rails-app-firelens-abc"


# --- Firehose records and batches ------------------------------------------------------------


def test_unaggregated_firehose_records_are_one_json_line_each() -> None:
    assert firehose_records(['{"a":1}', '{"b":2}'], simple_aggregation=False) == (b'{"a":1}\n', b'{"b":2}\n')


def test_aggregated_firehose_record_concatenates_lines_and_ends_with_one_more_newline() -> None:
    assert firehose_records(['{"a":1}', '{"b":2}'], simple_aggregation=True) == (b'{"a":1}\n{"b":2}\n\n',)


def test_aggregation_starts_a_new_record_rather_than_pass_1000_kib() -> None:
    body = "x" * 399_999  # 400,000 bytes with its newline: two fit in 1,024,000, three do not
    records = firehose_records([body] * 3, simple_aggregation=True)
    assert [len(r) for r in records] == [800_001, 400_001]


def test_firehose_batches_hold_at_most_500_records() -> None:
    batches = batch_firehose_records([b"{}\n"] * 1_001)
    assert [len(b) for b in batches] == [500, 500, 1]


def test_firehose_batches_hold_at_most_4_mib_of_data() -> None:
    record = b"x" * 1_000_000
    batches = batch_firehose_records([record] * 9)  # 4 fit in 4,194,304 bytes, a fifth does not
    assert [len(b) for b in batches] == [4, 4, 1]
    assert all(sum(map(len, b)) <= _limits.FIREHOSE_BATCH_MAX_BYTES for b in batches)


def test_fails_when_a_firehose_record_is_larger_than_1000_kib() -> None:
    with pytest.raises(StandInError, match="1024001 bytes"):
        batch_firehose_records([b"x" * 1_024_001])


def test_firehose_discards_empty_records_and_records_reaching_1000_kib() -> None:
    too_big = '"' + "x" * (_limits.FIREHOSE_RECORD_MAX_BYTES - 3) + '"'  # plus newline: exactly the limit
    plan = plan_delivery(
        [_copy("app.sql", "{}"), _copy("app.sql", too_big), _copy("app.sql", '{"a":1}')], {"app.sql": FIREHOSE}
    )
    assert plan.firehose[0].bodies == ('{"a":1}',)
    reasons = [reason for _, reason in plan.discarded]
    assert reasons[0].startswith("discarded by kinesis_firehose: an empty record")
    assert reasons[1].startswith(
        "discarded by kinesis_firehose: the 1,023,999-byte record with its newline reaches MAX_EVENT_SIZE 1,024,000"
    )


def test_firehose_counts_the_limit_on_fluent_bits_unicode_escapes_not_utf8() -> None:
    # 171,000 "é" are 342,000 bytes of UTF-8 but 1,026,000 as \\u00e9: past the limit
    body = '"' + "é" * 171_000 + '"'
    plan = plan_delivery([_copy("app.sql", body), _copy("app.sql", '{"msg":"café"}')], {"app.sql": FIREHOSE})
    assert plan.firehose[0].bodies == ('{"msg":"caf\\u00e9"}',)
    assert "1,026,002-byte record" in plan.discarded[0][1]


# --- CloudWatch events and batches --------------------------------------------------------------


def test_cloudwatch_batches_hold_at_most_10000_events() -> None:
    batches = batch_log_events([LogEvent(1, "m")] * 20_001)
    assert [len(b) for b in batches] == [10_000, 10_000, 1]


def test_cloudwatch_batches_count_26_bytes_per_event_against_1_mib() -> None:
    # 1,048,576 / (998 + 26) = 1,024 events exactly fill a call; the 1,025th starts the next.
    batches = batch_log_events([LogEvent(1, "x" * 998)] * 1_025)
    assert [len(b) for b in batches] == [1_024, 1]
    assert sum(e.size for e in batches[0]) == _limits.CLOUDWATCH_BATCH_MAX_BYTES


def test_cloudwatch_events_are_sent_in_time_order() -> None:
    [batch] = batch_log_events([LogEvent(3, "c"), LogEvent(1, "a"), LogEvent(2, "b")])
    assert [e.message for e in batch] == ["a", "b", "c"]


def test_cloudwatch_batch_never_spans_24_hours() -> None:
    day = _limits.CLOUDWATCH_BATCH_MAX_SPAN_MS
    batches = batch_log_events([LogEvent(0, "a"), LogEvent(day - 1, "b"), LogEvent(day, "c")])
    assert [[e.message for e in b] for b in batches] == [["a", "b"], ["c"]]


def test_cloudwatch_message_is_cut_at_1000000_escaped_bytes_without_an_unpaired_backslash() -> None:
    # Fluent Bit 4.2.2 cuts the message as escaped in the request (MAX_EVENT_LEN); a quote costs 2 bytes there
    message = '"' + "x" * 999_997 + "\\\\" + "y" * 5_000 + '"'
    sent = truncate_message(message)
    assert sent == '"' + "x" * 999_997  # '"' escapes to 2 bytes, the x's to 999,997: the backslash pair does not fit
    assert truncate_message('{"a":"é"}') == '{"a":"\\u00e9"}'


def test_cloudwatch_discards_a_record_too_large_for_the_plugins_buffer() -> None:
    huge = '{"log":"' + "x" * 5_000_000 + '"}'
    plan = plan_delivery([_copy("app.default", huge), _copy("app.default", '{"a":1}')], {"app.default": CLOUDWATCH})
    assert [e.message for d in plan.cloudwatch for e in d.events] == ['{"a":1}']
    assert "Discarding massive log record" in plan.discarded[0][1]
    with pytest.raises(StandInError, match="massive"):
        truncate_message(huge)


def test_planned_cloudwatch_events_go_to_one_stream_per_tag() -> None:
    plan = plan_delivery(
        [
            _copy("app.default", '{"a":1}', "t1"),
            _copy("app.default", '{"b":2}', "t2"),
            _copy("app.default", '{"c":3}', "t1"),
        ],
        {"app.default": CLOUDWATCH},
    )
    assert {(d.log_stream, tuple(e.message for e in d.events)) for d in plan.cloudwatch} == {
        ("fluentbit-t1", ('{"a":1}', '{"c":3}')),
        ("fluentbit-t2", ('{"b":2}',)),
    }


def test_fails_when_a_copy_names_an_output_the_config_does_not_have() -> None:
    with pytest.raises(StandInError, match="'app.nowhere'"):
        plan_delivery([_copy("app.nowhere", "{}")], {"app.sql": FIREHOSE})


# --- sending --------------------------------------------------------------------------------------


class _AlreadyExists(Exception):
    pass


class _FakeAws:
    """Records the calls, answers like the real APIs."""

    class exceptions:
        ResourceAlreadyExistsException = _AlreadyExists

    def __init__(self, failed: int = 0) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.failed = failed

    def put_record_batch(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("PutRecordBatch", kwargs))
        return {
            "FailedPutCount": self.failed,
            "RequestResponses": [{"ErrorCode": "ServiceUnavailableException"}] * self.failed,
        }

    def create_log_stream(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("CreateLogStream", kwargs))
        raise _AlreadyExists()

    def put_log_events(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("PutLogEvents", kwargs))
        return {}


def test_send_creates_each_stream_before_putting_its_events_and_tolerates_an_existing_one() -> None:
    aws = _FakeAws()
    plan = plan_delivery([_copy("app.default", '{"a":1}')], {"app.default": CLOUDWATCH})
    assert send(plan, firehose=aws, logs=aws) == 1
    assert [(name, args["logStreamName"]) for name, args in aws.calls] == [
        ("CreateLogStream", "fluentbit-app-firelens-1"),
        ("PutLogEvents", "fluentbit-app-firelens-1"),
    ]


def test_send_puts_firehose_records_as_planned() -> None:
    aws = _FakeAws()
    plan = plan_delivery([_copy("app.sql", '{"a":1}'), _copy("app.sql", '{"b":2}')], {"app.sql": FIREHOSE})
    send(plan, firehose=aws, logs=aws)
    assert aws.calls == [
        ("PutRecordBatch", {"DeliveryStreamName": "sql-stream", "Records": [{"Data": b'{"a":1}\n{"b":2}\n\n'}]})
    ]


def test_fails_when_firehose_reports_failed_records() -> None:
    plan = plan_delivery([_copy("app.sql", '{"a":1}')], {"app.sql": FIREHOSE})
    with pytest.raises(StandInError, match="1 of 1 records failed .ServiceUnavailableException"):
        send(plan, firehose=_FakeAws(failed=1), logs=_FakeAws())

"""Throttling on the emulator: the fault plan says which PutRecordBatch calls fail, and how; the server does it.

The plan's rules are pure; the last tests start an emulator with a plan and call it as Fluent Bit does
(``PutRecordBatch``), checking the answers and what was stored.
"""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError

from firelens_local.emulator import FAKE_CREDENTIALS, Emulator
from firelens_local.faults import (
    Decision,
    FaultPlan,
    PutRecordBatchFaults,
    journal_path,
    read_journal,
    write_plan,
)

REGION = "ap-northeast-1"


def test_every_mth_call_fails_whole_and_every_nth_other_call_partly() -> None:
    faults = PutRecordBatchFaults(partial_every=2, unavailable_every=3)
    decisions = [faults.decide(call=n, records=10).fault for n in range(1, 7)]
    assert decisions == ["none", "partial", "unavailable", "partial", "none", "unavailable"]


def test_a_partial_failure_fails_the_last_share_of_the_records_and_at_least_one() -> None:
    faults = PutRecordBatchFaults(partial_every=1, failed_share=0.3)
    assert faults.decide(call=1, records=10) == Decision("partial", 3)
    # simple_aggregation sends one record per call: that one fails
    assert faults.decide(call=1, records=1) == Decision("partial", 1)


def test_the_empty_plan_injects_nothing() -> None:
    plan = FaultPlan.from_json("")
    assert plan == FaultPlan()
    assert plan.put_record_batch.decide(call=6, records=5) == Decision("none")


def test_a_plan_reads_back_what_it_wrote(tmp_path: Path) -> None:
    plan = FaultPlan(PutRecordBatchFaults(partial_every=4, unavailable_status=503))
    write_plan(tmp_path / "plan.json", plan)
    assert FaultPlan.from_json((tmp_path / "plan.json").read_text()) == plan
    assert [p.name for p in tmp_path.iterdir()] == ["plan.json"]  # written whole, nothing left beside it


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"put_record_batch": {"partial_every": -1}}', "partial_every=-1; use 0 .off. or a positive integer"),
        ('{"put_record_batch": {"failed_share": 0}}', r"failed_share=0; use a number in \(0, 1\]"),
        ('{"put_record_batch": {"unavailable_status": 200}}', "unavailable_status=200; use an HTTP error"),
        ('{"put_record_batch": {"every": 2}}', r"unknown put_record_batch key\(s\) \['every'\]"),
        ('{"put_log_events": {}}', r"unknown key\(s\) \['put_log_events'\]"),
        ("[1]", "expected a JSON object"),
    ],
)
def test_fails_when_a_plan_is_not_usable(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        FaultPlan.from_json(text)


def _clients(emu: Emulator) -> tuple[object, object]:
    kwargs = {
        "endpoint_url": emu.endpoint,
        "region_name": REGION,
        "aws_access_key_id": FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    }
    s3, firehose = boto3.client("s3", **kwargs), boto3.client("firehose", **kwargs)
    s3.create_bucket(Bucket="fault-plan-archive", CreateBucketConfiguration={"LocationConstraint": REGION})
    firehose.create_delivery_stream(
        DeliveryStreamName="fault-plan-stream",
        ExtendedS3DestinationConfiguration={
            "RoleARN": "arn:aws:iam::123456789012:role/firehose",
            "BucketARN": "arn:aws:s3:::fault-plan-archive",
        },
    )
    return s3, firehose


def _stored(s3: object) -> list[bytes]:
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="fault-plan-archive").get("Contents", [])]  # type: ignore[attr-defined]
    bodies = [s3.get_object(Bucket="fault-plan-archive", Key=k)["Body"].read() for k in keys]  # type: ignore[attr-defined]
    return sorted(line for body in bodies for line in body.splitlines())


@pytest.mark.emulator
def test_the_emulator_throttles_put_record_batch_as_the_plan_says(tmp_path: Path) -> None:
    plan_path = tmp_path / "faults.json"
    write_plan(plan_path, FaultPlan(PutRecordBatchFaults(partial_every=2, unavailable_every=3)))
    records = [{"Data": f"r{i}\n".encode()} for i in range(4)]
    with Emulator(faults_file=plan_path) as emu:
        s3, firehose = _clients(emu)
        put = firehose.put_record_batch  # type: ignore[attr-defined]
        first = put(DeliveryStreamName="fault-plan-stream", Records=records)
        second = put(DeliveryStreamName="fault-plan-stream", Records=records)
        with pytest.raises(ClientError) as third:
            put(DeliveryStreamName="fault-plan-stream", Records=records)
        stored = _stored(s3)

    assert first["FailedPutCount"] == 0
    assert second["FailedPutCount"] == 2
    assert [r.get("ErrorCode") for r in second["RequestResponses"]] == [
        None,
        None,
        "ServiceUnavailableException",
        "ServiceUnavailableException",
    ]
    assert third.value.response["Error"]["Code"] == "ServiceUnavailableException"
    assert third.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    # call 1 stored all four, call 2 the first two, call 3 nothing
    assert stored == sorted([b"r0", b"r1", b"r2", b"r3", b"r0", b"r1"])
    assert [(c["call"], c["fault"], c["failed"]) for c in read_journal(plan_path)] == [
        (1, "none", 0),
        (2, "partial", 2),
        (3, "unavailable", 4),
    ]


@pytest.mark.emulator
def test_a_changed_plan_takes_effect_at_the_next_call_counting_from_one(tmp_path: Path) -> None:
    plan_path = tmp_path / "faults.json"
    with Emulator(faults_file=plan_path) as emu:
        _, firehose = _clients(emu)
        put = firehose.put_record_batch  # type: ignore[attr-defined]
        records = [{"Data": b"x\n"}]
        put(DeliveryStreamName="fault-plan-stream", Records=records)  # no plan file yet: no faults
        write_plan(plan_path, FaultPlan(PutRecordBatchFaults(unavailable_every=1)))
        with pytest.raises(ClientError):
            put(DeliveryStreamName="fault-plan-stream", Records=records)
        plan_path.unlink()
        assert put(DeliveryStreamName="fault-plan-stream", Records=records)["FailedPutCount"] == 0
    calls = [json.loads(line) for line in journal_path(plan_path).read_text().splitlines()]
    assert [(c["call"], c["fault"]) for c in calls] == [(1, "none"), (1, "unavailable"), (1, "none")]


@pytest.mark.emulator
def test_without_a_plan_the_emulator_ignores_the_variable_in_its_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan_path = tmp_path / "faults.json"
    write_plan(plan_path, FaultPlan(PutRecordBatchFaults(unavailable_every=1)))
    monkeypatch.setenv("FIRELENS_EMULATOR_FAULTS", str(plan_path))
    with Emulator() as emu:
        _, firehose = _clients(emu)
        answer = firehose.put_record_batch(DeliveryStreamName="fault-plan-stream", Records=[{"Data": b"x"}])  # type: ignore[attr-defined]
    assert answer["FailedPutCount"] == 0
    assert read_journal(plan_path) == []

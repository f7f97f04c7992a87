"""The real Fluent Bit in the loop: a router run (firelens_local.fluent_bit) fed as Docker feeds FireLens
(firelens_local.forward) delivers to the emulator what the preview predicts, through the run's own TLS proxy.

The router config is the test's own (written below), small enough to read, with the parts the
shipped one relies on: a ``partial_message`` join, a JSON parser, a rewrite_tag copy, filesystem
buffering, the HTTP server, and the two AWS outputs. Each test starts the binary; the ``fluentbit``
tier runs only where one is given (``fluent_bit_binary`` in conftest.py says why not otherwise).
"""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT
from firelens_cdktf.fluentbit.output_limits import fluent_bit_json
from firelens_cdktf.fluentbit.preview_io import load_for_preview
from firelens_cdktf.fluentbit.simulator import FirelensContext, Simulator
from firelens_local.emulator import Emulator
from firelens_local.fault_proxy import ProxyMode
from firelens_local.faults import FaultPlan, PutRecordBatchFaults, read_journal, write_plan
from firelens_local.fluent_bit import FluentBitRun
from firelens_local.forward import ForwardClient

pytestmark = [pytest.mark.fluentbit, pytest.mark.emulator, pytest.mark.worker_seconds(30)]

REGION = "ap-northeast-1"
STREAM = "real-router-archive"
BUCKET = "real-router-archive"
LOG_GROUP = "/real-router/app"
CONTAINER = "app"

#: The test's router config: as the shipped one, it is included by FireLens's generated config from
#: /fluent-bit/etc and names its parsers file there. Retries are quick so outages end fast.
EXTRA_CONF = f"""\
[SERVICE]
    Flush           1
    Grace           10
    Parsers_File    /fluent-bit/etc/parsers_test.conf
    scheduler.base  1
    scheduler.cap   2
    storage.path    /var/log/flb-storage/
    storage.type    filesystem
    storage.inherit On
    HTTP_Server     On
    HTTP_Listen     127.0.0.1
    HTTP_Port       2020

[FILTER]
    Name                  multiline
    Match                 {CONTAINER}-firelens-*
    Mode                  partial_message
    multiline.key_content log

[FILTER]
    Name         parser
    Match        {CONTAINER}-firelens-*
    Key_Name     log
    Parser       json
    Reserve_Data On

[FILTER]
    Name                 rewrite_tag
    Alias                audit
    Match                {CONTAINER}-firelens-*
    Rule                 $kind ^(audit)$ audit.{CONTAINER} true
    Emitter_Name         audit_emitter
    Emitter_Storage.type filesystem

[OUTPUT]
    Name            kinesis_firehose
    Alias           archive
    Match           audit.*
    region          {REGION}
    delivery_stream {STREAM}
    Retry_Limit     no_limits

[OUTPUT]
    Name              cloudwatch_logs
    Alias             default
    Match             {CONTAINER}-firelens-*
    region            {REGION}
    log_group_name    {LOG_GROUP}
    log_stream_prefix fluentbit-
    auto_create_group false
    Retry_Limit       no_limits
"""
PARSERS_CONF = "[PARSER]\n    Name   json\n    Format json\n"


def _lines(count: int, start: int = 0) -> list[str]:
    """App stdout: JSON lines, every third an audit line (copied to Firehose), one plain line, one of 40 KB."""
    lines = [json.dumps({"kind": "audit" if n % 3 == 0 else "web", "n": n}) for n in range(start, start + count)]
    return [*lines, "plain text, not JSON", json.dumps({"kind": "audit", "pad": "x" * 40_000})]


@pytest.fixture(scope="module")
def router_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("router")
    (folder / "extra.conf").write_text(EXTRA_CONF)
    (folder / "parsers_test.conf").write_text(PARSERS_CONF)
    return folder


def _deploy(emu: Emulator) -> None:
    """The destinations the config names: a Firehose stream into a bucket, and a log group."""
    emu.client("s3", REGION).create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    emu.client("firehose", REGION).create_delivery_stream(
        DeliveryStreamName=STREAM,
        ExtendedS3DestinationConfiguration={
            "RoleARN": "arn:aws:iam::123456789012:role/firehose",
            "BucketARN": f"arn:aws:s3:::{BUCKET}",
        },
    )
    emu.client("logs", REGION).create_log_group(logGroupName=LOG_GROUP)


@pytest.fixture(scope="module")
def deployed(emulator: Emulator) -> Emulator:
    _deploy(emulator)
    return emulator


def _task() -> FirelensContext:
    """A fresh task: its own tag, so its own default log stream."""
    return FirelensContext(task_id=uuid.uuid4().hex, cluster="real-router", task_definition="app:1", region=REGION)


def predicted(router_dir: Path, firelens: FirelensContext, lines: list[str]) -> Counter[tuple[str, str]]:
    """What the preview says each output receives, as ``(output, the JSON it writes)``."""
    config, parsers = load_for_preview(str(router_dir / "extra.conf"), [str(router_dir / "parsers_test.conf")])
    simulator = Simulator(config, parsers, firelens=firelens)
    outcomes = [
        simulator.run(firelens.tag(CONTAINER), record)
        for number, line in enumerate(lines, start=1)
        for record in firelens.wrap_line(CONTAINER, line, number)
    ]
    last = simulator.finish()
    deliveries = [d for outcome in [*outcomes, *([last] if last else [])] for d in outcome.deliveries]
    return Counter((d.output, fluent_bit_json(d.json)) for d in deliveries)


def observed(emu: Emulator, firelens: FirelensContext) -> Counter[tuple[str, str]]:
    """What arrived: Firehose records of this task (by its tag in the records) and its default stream's events."""
    s3, logs = emu.client("s3", REGION), emu.client("logs", REGION)
    found: Counter[tuple[str, str]] = Counter()
    for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        body = s3.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read().decode()
        found.update(("archive", line) for line in body.splitlines() if firelens.task_id in line)
    stream = f"fluentbit-{firelens.tag(CONTAINER)}"
    if stream in [s["logStreamName"] for s in logs.describe_log_streams(logGroupName=LOG_GROUP)["logStreams"]]:
        events = logs.get_log_events(logGroupName=LOG_GROUP, logStreamName=stream, startFromHead=True)["events"]
        found.update(("default", event["message"]) for event in events)
    return found


def wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return condition()


@pytest.fixture
def run_factory(fluent_bit_binary: Path, router_dir: Path) -> Iterator[Callable[..., FluentBitRun]]:
    runs: list[FluentBitRun] = []

    def start(emu: Emulator, firelens: FirelensContext, **options: Any) -> FluentBitRun:
        run = FluentBitRun(
            binary=fluent_bit_binary, router_dir=router_dir, firelens=firelens, region=REGION, emulator=emu, **options
        )
        runs.append(run)
        return run.start()

    yield start
    for run in runs:
        run.close()


def test_the_real_router_delivers_what_the_preview_predicts(
    deployed: Emulator, router_dir: Path, run_factory: Callable[..., FluentBitRun]
) -> None:
    firelens = _task()
    lines = _lines(30)
    expected = predicted(router_dir, firelens, lines)
    run = run_factory(deployed, firelens)
    with ForwardClient(run.socket_path) as client:
        sent = client.send_lines(firelens, CONTAINER, lines)
    assert sent.records == len(lines) + 2  # the 40 KB line went as three partial_message pieces

    assert wait_for(lambda: observed(deployed, firelens) == expected, 30), run.log_text()[-3000:]
    run.stop()
    assert run.wait(timeout=30) == 0
    assert observed(deployed, firelens) == expected  # nothing more arrived at the stop
    assert sum(n for (output, _), n in expected.items() if output == "archive") == 11  # 10 audit lines and the big one
    assert run.cpu_seconds is not None and run.cpu_seconds > 0
    assert run.peak_rss_bytes is not None and run.peak_rss_bytes > 1_000_000


def test_two_runs_at_once_each_have_their_own_ports_and_deliver(
    deployed: Emulator, router_dir: Path, run_factory: Callable[..., FluentBitRun]
) -> None:
    tasks = [_task(), _task()]
    runs = [run_factory(deployed, firelens) for firelens in tasks]
    for run in runs:  # both listen on 127.0.0.1:2020, and their proxies on 127.0.0.5:443, each in its namespace
        assert run.http_get("/api/v1/uptime")[0] == 200
    for run, firelens in zip(runs, tasks, strict=True):
        with ForwardClient(run.socket_path) as client:
            client.send_lines(firelens, CONTAINER, ['{"kind":"web","n":1}'])
    for firelens in tasks:
        assert wait_for(lambda f=firelens: len(observed(deployed, f)) == 1, 30)  # type: ignore[misc]


def test_the_image_stop_wrapper_lets_a_burst_in_before_sigterm_reaches_fluent_bit(
    deployed: Emulator, router_dir: Path, run_factory: Callable[..., FluentBitRun]
) -> None:
    firelens = _task()
    lines = _lines(600)
    expected = predicted(router_dir, firelens, lines)
    run = run_factory(deployed, firelens, wrapper=ROOT / "docker" / "firelens" / "drain-then-stop.sh")
    with ForwardClient(run.socket_path) as client:
        client.send_lines(firelens, CONTAINER, lines)
    run.stop()  # at once, as ECS stops the router right after the app exits
    assert run.wait(timeout=60) == 0, run.log_text()[-3000:]
    assert observed(deployed, firelens) == expected


def test_an_outage_and_throttling_end_with_every_record_delivered_and_duplicates_explained(
    router_dir: Path, tmp_path: Path, run_factory: Callable[..., FluentBitRun]
) -> None:
    plan = tmp_path / "faults.json"
    with Emulator(faults_file=plan) as emu:
        _deploy(emu)
        firelens = _task()
        lines = _lines(60)
        expected = predicted(router_dir, firelens, lines)
        run = run_factory(emu, firelens)
        run.proxy.set_mode(ProxyMode.REFUSE)  # the endpoint is down when the first flush comes
        with ForwardClient(run.socket_path) as client:
            client.send_lines(firelens, CONTAINER, lines)
        time.sleep(3)
        # back, but throttling: a whole call refused, then a call half stored, then all well
        write_plan(plan, FaultPlan(PutRecordBatchFaults(unavailable_every=1)))
        run.proxy.set_mode(ProxyMode.PASS)
        steps = (("unavailable", PutRecordBatchFaults(partial_every=1)), ("partial", PutRecordBatchFaults()))
        for fault, then in steps:
            assert wait_for(lambda f=fault: any(c["fault"] == f for c in read_journal(plan)), 30)  # type: ignore[misc]
            write_plan(plan, FaultPlan(then))
        assert wait_for(lambda: not expected - observed(emu, firelens), 60), run.log_text()[-3000:]
        run.stop()
        assert run.wait(timeout=30) == 0
        arrived = observed(emu, firelens)
        calls = read_journal(plan)

    assert not expected - arrived  # none lost
    duplicates = arrived - expected
    assert set(duplicates) <= {key for key in expected if key[0] == "archive"}  # only Firehose records repeat
    assert [c["fault"] for c in calls][:2] == ["unavailable", "partial"]
    # Fluent Bit retries a partly failed call's whole chunk (firehose_api.c), so each record a partial call
    # stored arrives once more: exactly the duplicates
    stored_by_partial_calls = sum(c["records"] - c["failed"] for c in calls if c["fault"] == "partial")
    assert sum(duplicates.values()) == stored_by_partial_calls

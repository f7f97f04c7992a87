"""``make run``'s flow on the emulator: real app logs, routed, delivered, read back exactly.

`state` and `pipeline` are the session's shared deployment (conftest); the
round trip runs the real sample app, routes its lines with docker/firelens/
(the image's files), delivers them with the local stand-in for the log
router and reads them back. It runs twice, as two `make run`s would.
tests/app/test_terraform.py destroys the deployment, delivered logs
included, after every test that reads it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import SharedDeployment, terraform
from firelens_app.config import PipelineConfig
from firelens_cdktf.cost.estimate import estimate
from firelens_cdktf.cost.prices import prices_for
from firelens_harness.report import render_report
from firelens_harness.round_trip import AwsClients, DeployedPipeline, RoundTrip, run_round_trip
from firelens_local.delivery_check import CLOUDWATCH_LOGS, S3, object_content
from firelens_local.emulator import Emulator

CONFIG = PipelineConfig()
ANALYSIS_STREAM = "fluentbit-routed.rails-app.labelled.user_show"


@pytest.fixture(scope="module")
def deployed(shared_deployment: SharedDeployment) -> dict[str, Path]:
    return shared_deployment.workdirs


@pytest.fixture(scope="module")
def emulator(shared_deployment: SharedDeployment) -> Emulator:
    return shared_deployment.emulator


@pytest.fixture(scope="module")
def pipeline(deployed: dict[str, Path], emulator: Emulator) -> DeployedPipeline:
    outputs = json.loads(terraform(deployed["pipeline"], "output", "-json", env=emulator.env(CONFIG.region)).stdout)
    return DeployedPipeline.from_outputs(outputs)


@pytest.fixture(scope="module")
def clients(emulator: Emulator) -> AwsClients:
    return AwsClients.for_endpoint(emulator.endpoint, CONFIG.region)


@pytest.fixture(scope="module")
def first(pipeline: DeployedPipeline, clients: AwsClients) -> RoundTrip:
    return run_round_trip(pipeline=pipeline, config=CONFIG, clients=clients)


@pytest.fixture(scope="module")
def second(first: RoundTrip, pipeline: DeployedPipeline, clients: AwsClients) -> RoundTrip:
    return run_round_trip(pipeline=pipeline, config=CONFIG, clients=clients)


def _stored(result: RoundTrip, service: str) -> list[dict[str, object]]:
    """The JSON records this run stored in S3 or in CloudWatch Logs."""
    if service == S3:
        return [json.loads(line) for o in result.objects for line in object_content(o).decode().split("\n") if line]
    return [json.loads(e.message) for e in result.events]


def test_real_app_logs_arrive_exactly_as_the_preview_predicted(first: RoundTrip) -> None:
    accounting = first.accounting
    assert (accounting.missing, accounting.extra, accounting.byte_differences) == ((), (), ())
    assert accounting.expected == accounting.observed == len(first.copies) > len(first.statuses)


def test_sql_logs_are_archived_in_s3_and_kept_out_of_cloudwatch(first: RoundTrip) -> None:
    archived = _stored(first, S3)
    assert archived and {r["name"] for r in archived} == {"ActiveRecord"}
    assert "ActiveRecord" not in {r.get("name") for r in _stored(first, CLOUDWATCH_LOGS)}


def test_labelled_record_is_copied_to_the_analysis_group_and_also_kept_in_the_default_group(first: RoundTrip) -> None:
    labelled = [(e.log_group, e.log_stream) for e in first.events if '"label":"user_show"' in e.message]
    assert sorted(labelled) == [
        ("/sample-metrics-fluentbit", f"fluentbit-rails-app-firelens-{first.run_id}"),
        ("/sample-metrics-fluentbit/analysis", ANALYSIS_STREAM),
    ]


def test_each_run_is_a_new_task_with_its_own_default_stream(first: RoundTrip, second: RoundTrip) -> None:
    default_streams = [
        {e.log_stream for e in r.events if e.log_group == "/sample-metrics-fluentbit"} for r in (first, second)
    ]
    assert default_streams == [
        {f"fluentbit-rails-app-firelens-{first.run_id}"},
        {f"fluentbit-rails-app-firelens-{second.run_id}"},
    ]


def test_second_run_checks_only_its_own_records_in_streams_shared_with_the_first(
    first: RoundTrip, second: RoundTrip, clients: AwsClients
) -> None:
    assert second.accounting.exact and second.accounting.expected == first.accounting.expected
    shared = clients.logs.get_log_events(
        logGroupName="/sample-metrics-fluentbit/analysis", logStreamName=ANALYSIS_STREAM, startFromHead=True
    )["events"]
    # One labelled record per run, both in the one stream (other tests of the shared deployment
    # may deliver there too: count this module's two tasks only).
    runs = [json.loads(e["message"])["ecs_task_arn"].rsplit("/", 1)[-1] for e in shared]
    assert (runs.count(first.run_id), runs.count(second.run_id)) == (1, 1)
    assert not {o.key for o in first.objects} & {o.key for o in second.objects}


def test_report_shows_resources_routing_keys_check_and_cost(first: RoundTrip, pipeline: DeployedPipeline) -> None:
    prices = prices_for(CONFIG.region)
    report = render_report(
        first,
        pipeline,
        region=CONFIG.region,
        endpoint="http://127.0.0.1:1",
        estimate=estimate(first.traffic_mix(), 1000, prices),
        prices=prices,
    )
    expected_parts = [
        "ECS cluster sample-rails-app",
        "Routing table",
        "rails-app.sql",
        "Firehose put-s3-sample-metrics-logs",
        *(f"s3://{o.bucket}/{o.key}" for o in first.objects),
        "0 missing, 0 extra",
        "What still differs is buffering",
        "schema check: ",
        ": slowest statements of a day (",
        "all logs to CloudWatch Logs Standard",
        "routed as deployed",
        "TB scanned",
        "converted to Parquet as Firehose would",
        "same rows",
        "Archive format for firelens_sample_logs.put_s3_sample_metrics_logs",
        "Firehose: record format conversion",
    ]
    assert [part for part in expected_parts if part not in report] == []
    assert "ROWS DIFFER" not in report  # every saved query answers the same from the Parquet of the same records

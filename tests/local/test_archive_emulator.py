"""The archive on the emulator: objects as real Firehose stores them, the deployed table and workgroup,
``make run``'s schema check and query, and ``make query``.

Uses the session's shared deployment (conftest), so it also proves the new
resources apply on moto with the corrections of ``firelens_local._moto_server``;
tests/app/test_terraform.py destroys them (named queries included) afterwards.
"""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from conftest import SharedDeployment, terraform
from firelens_app.config import PipelineConfig
from firelens_app.sql_logs import SQL_LOG_COLUMNS, TOP, saved_queries
from firelens_cdktf.archive.schema import partition_template
from firelens_cdktf.constructs.log_archive import HIVE_PREFIX
from firelens_harness import query_cli
from firelens_harness.round_trip import AwsClients, DeployedPipeline, RoundTrip, run_round_trip
from firelens_local.firehose_keys import key_pattern
from firelens_local.readback import read_deployed_table, read_named_queries

CONFIG = PipelineConfig()
STREAM = "put-s3-sample-metrics-logs"


@pytest.fixture(scope="module")
def pipeline(shared_deployment: SharedDeployment) -> DeployedPipeline:
    outputs = json.loads(
        terraform(shared_deployment.workdirs["pipeline"], "output", "-json", env=shared_deployment.env).stdout
    )
    return DeployedPipeline.from_outputs(outputs)


@pytest.fixture(scope="module")
def clients(shared_deployment: SharedDeployment) -> AwsClients:
    return AwsClients.for_endpoint(shared_deployment.emulator.endpoint, CONFIG.region)


@pytest.fixture(scope="module")
def delivered(pipeline: DeployedPipeline, clients: AwsClients) -> RoundTrip:
    return run_round_trip(pipeline=pipeline, config=CONFIG, clients=clients)


def test_firehose_stores_gzip_objects_under_the_days_partition_with_firehose_names(
    pipeline: DeployedPipeline, clients: AwsClients
) -> None:
    bucket = pipeline.archive_buckets[0]
    before = {o["Key"] for o in clients.s3.list_objects_v2(Bucket=bucket).get("Contents", [])}
    clients.firehose.put_record_batch(DeliveryStreamName=STREAM, Records=[{"Data": b'{"name":"ActiveRecord"}\n\n'}])
    today = datetime.now(UTC)
    (key,) = {o["Key"] for o in clients.s3.list_objects_v2(Bucket=bucket)["Contents"]} - before
    match = key_pattern(HIVE_PREFIX, STREAM, compression="GZIP").fullmatch(key)
    assert match and key.startswith(today.strftime("year=%Y/month=%m/day=%d/")), key
    body = clients.s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    assert gzip.decompress(body) == b'{"name":"ActiveRecord"}\n\n'


def test_deployed_table_projects_the_streams_prefix_with_the_sql_log_columns(
    pipeline: DeployedPipeline, clients: AwsClients
) -> None:
    table = read_deployed_table(clients.glue, pipeline.archive_tables[0])
    assert (table.bucket, table.template) == (pipeline.archive_buckets[0], partition_template(HIVE_PREFIX))
    assert [c.type.hive() for c in table.columns] == [c.type.hive() for c in SQL_LOG_COLUMNS]


def test_deployed_workgroup_holds_the_saved_queries_and_lists_no_tags(
    pipeline: DeployedPipeline, clients: AwsClients
) -> None:
    (workgroup,) = pipeline.athena_workgroups
    deployed = read_named_queries(clients.athena, workgroup)
    table = pipeline.archive_tables[0].split(".")[1]
    assert sorted(q.sql for q in deployed) == sorted(q.sql for q in saved_queries(table))
    arn = f"arn:aws:athena:{CONFIG.region}:123456789012:workgroup/{workgroup}"
    assert clients.athena.list_tags_for_resource(ResourceARN=arn)["Tags"] == []
    configuration = clients.athena.get_work_group(WorkGroup=workgroup)["WorkGroup"]["Configuration"]
    assert configuration["EnforceWorkGroupConfiguration"] is True


def test_make_run_reads_back_exactly_and_every_sql_record_fits_the_table(delivered: RoundTrip) -> None:
    assert delivered.accounting.exact and delivered.accounting.misnamed == ()
    (check,) = delivered.archive
    assert check.drift.clean and check.drift.records == len(delivered.plan.firehose[0].bodies)


def test_make_run_runs_the_slowest_statements_query_over_the_runs_day(delivered: RoundTrip) -> None:
    (check,) = delivered.archive
    slowest = check.slowest
    assert slowest is not None and check.queries is not None and check.queries.loaded is not None
    durations = [row[1] for row in slowest.rows]
    assert durations == sorted(durations, reverse=True) and len(durations) >= check.drift.records
    this_run = [json.loads(body) for body in delivered.plan.firehose[0].bodies]
    assert durations[0] >= max(r["duration_ms"] for r in this_run)  # the day's slowest is at least this run's
    assert {r["ecs_task_arn"] for r in this_run} <= {row[3] for row in slowest.rows} or len(slowest.rows) == TOP
    assert slowest.bytes_scanned == check.queries.loaded.bytes_read > 0


def test_the_cost_mix_gets_an_athena_share_per_saved_query(delivered: RoundTrip) -> None:
    shares = delivered.traffic_mix().athena
    assert len(shares) == 3 and {s.delivery_stream for s in shares} == {STREAM}
    assert all(0 < s.scan_ratio < 1 for s in shares)  # GZIP: fewer bytes scanned than the records hold


def test_make_query_prints_every_saved_querys_result(
    delivered: RoundTrip,
    shared_deployment: SharedDeployment,
    pipeline: DeployedPipeline,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps({"pipeline": _plain_outputs(shared_deployment)}))  # as make run writes it
    monkeypatch.setenv("EMULATOR_PORT", str(shared_deployment.emulator.port))
    assert query_cli.main(["--outputs", str(outputs)]) == 0
    printed = capsys.readouterr().out
    table = pipeline.archive_tables[0].split(".")[1]
    assert [q.name for q in saved_queries(table) if q.name not in printed] == []
    assert "bytes scanned" in printed and "SELECT" in printed


def _plain_outputs(shared_deployment: SharedDeployment) -> dict[str, object]:
    outputs = json.loads(
        terraform(shared_deployment.workdirs["pipeline"], "output", "-json", env=shared_deployment.env).stdout
    )
    return {name: value["value"] for name, value in outputs.items()}


def test_make_query_fails_clearly_for_a_day_without_a_partition(
    shared_deployment: SharedDeployment, pipeline: DeployedPipeline, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps({"pipeline": _plain_outputs(shared_deployment)}))
    monkeypatch.setenv("EMULATOR_PORT", str(shared_deployment.emulator.port))
    with pytest.raises(SystemExit, match=r"make query: no partition for 1999-01-01 .*days: "):
        query_cli.main(["--outputs", str(outputs), "--day", "1999-01-01"])

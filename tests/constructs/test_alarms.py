"""Alarms: Firehose delivery and the log router's lost logs, declared and applied to the emulator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from cdktf import TerraformStack, Testing
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.sns_topic import SnsTopic

from conftest import find, only, ref, resources, synth_json, terraform
from firelens_app.config import PipelineConfig
from firelens_app.stacks.pipeline import PipelineStack
from firelens_cdktf import LogArchive, RouterLogLossAlarm, aws_provider
from firelens_cdktf.constructs.alarms import ROUTER_LOG_LOSS_PATTERNS, firehose_alarm_specs, router_alarm_spec
from firelens_local.emulator import Emulator

REGION = "ap-northeast-1"


pytestmark = pytest.mark.worker_seconds(35)


@pytest.fixture(scope="module")
def pipeline() -> dict[str, Any]:
    return synth_json(PipelineStack(Testing.app(), "pipeline", config=PipelineConfig()))


def _alarm(doc: dict[str, Any], name: str) -> dict[str, Any]:
    return find(doc, "aws_cloudwatch_metric_alarm", alarm_name=name)


def test_delivery_success_alarms_below_one(pipeline: dict[str, Any]) -> None:
    alarm = _alarm(pipeline, "put-s3-sample-metrics-logs-delivery-success")
    assert (alarm["metric_name"], alarm["statistic"], alarm["comparison_operator"], alarm["threshold"]) == (
        "DeliveryToS3.Success",
        "Minimum",
        "LessThanThreshold",
        1,
    )


def test_data_freshness_alarms_after_the_buffering_interval_plus_fifteen_minutes(pipeline: dict[str, Any]) -> None:
    alarm = _alarm(pipeline, "put-s3-sample-metrics-logs-data-freshness")
    assert (alarm["metric_name"], alarm["comparison_operator"], alarm["threshold"]) == (
        "DeliveryToS3.DataFreshness",
        "GreaterThanThreshold",
        300 + 900,
    )


def test_throttled_records_alarm_on_any(pipeline: dict[str, Any]) -> None:
    alarm = _alarm(pipeline, "put-s3-sample-metrics-logs-throttled-records")
    assert (alarm["metric_name"], alarm["dimensions"], alarm["threshold"]) == (
        "ThrottledRecords",
        {"DeliveryStreamName": "put-s3-sample-metrics-logs"},
        0,
    )


def test_router_log_loss_is_counted_from_the_routers_own_log_group(pipeline: dict[str, Any]) -> None:
    group = find(pipeline, "aws_cloudwatch_log_group", name="/ecs/sample-rails-app/log_router")
    filters = resources(pipeline, "aws_cloudwatch_log_metric_filter")
    assert {(f["log_group_name"], f["pattern"], f["metric_transformation"]["name"]) for f in filters} == {
        (ref(pipeline, "aws_cloudwatch_log_group", group, "name"), pattern, "RouterLogsLost")
        for pattern in ROUTER_LOG_LOSS_PATTERNS.values()
    }


def test_retries_exhausted_pattern_matches_both_log_levels_fluent_bit_uses() -> None:
    lines = (
        "[2022/02/16 20:11:36] [ warn] [engine] chunk '1-1.flb' cannot be retried: task_id=0, input=a > output=b",
        "[2024/12/16 15:33:02] [error] [engine] chunk '1-2.flb' cannot be retried: task_id=0, input=a > output=b",
    )
    phrase = ROUTER_LOG_LOSS_PATTERNS["retries-exhausted"].strip('"')
    assert all(phrase in line for line in lines)


def test_router_alarm_fires_on_the_first_lost_log(pipeline: dict[str, Any]) -> None:
    alarm = _alarm(pipeline, "sample-rails-app-router-log-loss")
    assert (alarm["namespace"], alarm["statistic"], alarm["comparison_operator"], alarm["threshold"]) == (
        "FireLens/sample-rails-app",
        "Sum",
        "GreaterThanThreshold",
        0,
    )


def test_every_alarm_notifies_the_pipelines_topic_on_alarm_and_recovery(pipeline: dict[str, Any]) -> None:
    topic = ref(pipeline, "aws_sns_topic", only(pipeline, "aws_sns_topic"), "arn")
    alarms = resources(pipeline, "aws_cloudwatch_metric_alarm")
    assert len(alarms) == 4 and all(a["alarm_actions"] == a["ok_actions"] == [topic] for a in alarms)


def test_idle_metrics_do_not_alarm(pipeline: dict[str, Any]) -> None:
    assert {a["treat_missing_data"] for a in resources(pipeline, "aws_cloudwatch_metric_alarm")} == {"notBreaching"}


def test_alarms_can_be_turned_off_per_construct() -> None:
    stack = TerraformStack(Testing.app(), "quiet")
    LogArchive(stack, "archive", stream_name="s", bucket_name="quiet-archive", alarms=False)
    assert resources(synth_json(stack), "aws_cloudwatch_metric_alarm") == []


def test_without_a_topic_alarms_notify_no_one() -> None:
    stack = TerraformStack(Testing.app(), "silent")
    LogArchive(stack, "archive", stream_name="s", bucket_name="silent-archive")
    assert {str(a.get("alarm_actions")) for a in resources(synth_json(stack), "aws_cloudwatch_metric_alarm")} == {
        "None"
    }


def test_alarm_specs_name_the_stream_and_the_service() -> None:
    names = [s.name for s in firehose_alarm_specs("orders", freshness_threshold_seconds=600)]
    assert names + [router_alarm_spec("orders-api", "/ecs/orders-api/log_router").name] == [
        "orders-delivery-success",
        "orders-data-freshness",
        "orders-throttled-records",
        "orders-api-router-log-loss",
    ]


# --- applied to the emulator ---------------------------------------------------------------------------------


class Applied(NamedTuple):
    emulator: Emulator
    workdir: Path


@pytest.fixture(scope="module")
def applied(tmp_path_factory: pytest.TempPathFactory, emulator: Emulator) -> Applied:
    """A topic, a LogArchive (no lifecycle rule: it takes a minute on the emulator) and a router alarm."""
    stack = TerraformStack(Testing.app(), "alarms")
    aws_provider(stack, region=REGION)
    topic = SnsTopic(stack, "topic", name="team-alerts")
    LogArchive(
        stack,
        "archive",
        stream_name="team-sql",
        bucket_name="team-sql-archive",
        expiration_days=None,
        force_destroy=True,
        alarm_topic_arn=topic.arn,
    )
    group = CloudwatchLogGroup(stack, "router-logs", name="/ecs/team/log_router", retention_in_days=30)
    RouterLogLossAlarm(stack, "router-alarm", service_name="team", log_group_name=group.name, topic_arn=topic.arn)
    workdir = tmp_path_factory.mktemp("alarms")
    (workdir / "cdk.tf.json").write_text(json.dumps(synth_json(stack)))
    env = emulator.env(REGION)
    terraform(workdir, "init", "-input=false", env=env)
    terraform(workdir, "apply", "-auto-approve", "-input=false", env=env)
    return Applied(emulator, workdir)


def _client(service: str, emulator: Emulator) -> Any:
    return emulator.client(service, REGION)


def test_alarms_exist_on_the_emulator_and_notify_the_topic(applied: Applied) -> None:
    topics = [t["TopicArn"] for t in _client("sns", applied.emulator).list_topics()["Topics"]]
    alarms = _client("cloudwatch", applied.emulator).describe_alarms()["MetricAlarms"]
    assert {a["AlarmName"]: a["AlarmActions"] for a in alarms} == {
        name: topics
        for name in (
            "team-sql-delivery-success",
            "team-sql-data-freshness",
            "team-sql-throttled-records",
            "team-router-log-loss",
        )
    }


def test_metric_filters_exist_on_the_routers_log_group(applied: Applied) -> None:
    logs = _client("logs", applied.emulator)
    filters = logs.describe_metric_filters(logGroupName="/ecs/team/log_router")["metricFilters"]
    assert {(f["filterName"], f["filterPattern"]) for f in filters} == {
        ("team-retries-exhausted", '"cannot be retried"'),
        ("team-input-paused", '"paused (mem buf overlimit)"'),
    }


def test_second_plan_after_apply_shows_no_changes(applied: Applied) -> None:
    result = terraform(
        applied.workdir, "plan", "-detailed-exitcode", "-input=false", env=applied.emulator.env(REGION), ok_codes=(0, 2)
    )
    assert result.returncode == 0, result.stdout

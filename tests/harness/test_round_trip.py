"""The round trip's own checks: the image's files are the compiled routes, the outputs are deployed,
every app line is predicted, as a task of the deployed cluster."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES
from firelens_app.config import PipelineConfig
from firelens_cdktf.fluentbit.config import parse_config
from firelens_harness.round_trip import (
    ROUTER_DIR,
    DeployedPipeline,
    RouterFiles,
    check_outputs_deployed,
    firelens_context,
    load_router_files,
    route_lines,
)
from firelens_local.delivery import AwsOutput, CloudWatchOutput, FirehoseOutput, StandInError

RECORDS = FIXTURES / "records"
OUTPUTS = {
    "archive_buckets": ["firelens-sample-put-s3-sample-metrics-logs"],
    "cluster_name": "sample-rails-app",
    "delivery_streams": ["put-s3-sample-metrics-logs"],
    "repository_urls": {"app": "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/sample/app"},
    "route_log_groups": ["/sample-metrics-fluentbit/analysis", "/sample-metrics-fluentbit"],
    "router_log_group": "/ecs/sample-rails-app/log_router",
    "service_name": "sample-rails-app",
    "task_definition_arn": "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/sample-rails-app:3",
}
PIPELINE = DeployedPipeline.from_outputs(OUTPUTS)
RUN_ID = "0f" * 16


@pytest.fixture(scope="module")
def router() -> RouterFiles:
    return load_router_files(PipelineConfig())


def test_router_files_are_read_from_the_image_build_context(router: RouterFiles) -> None:
    assert (router.config_path, router.container, router.flush_seconds) == (ROUTER_DIR / "extra.conf", "rails-app", 1.0)


def test_fails_when_the_image_files_differ_from_the_compiled_routes(tmp_path: Path) -> None:
    shutil.copytree(ROUTER_DIR, tmp_path, dirs_exist_ok=True)
    edited = tmp_path / "extra.conf"
    edited.write_text(edited.read_text() + "# edited by hand\n")
    with pytest.raises(
        StandInError,
        match="extra.conf: is not the routes compiled for region ap-northeast-1 "
        r"\(differs\).*make synth",
    ):
        load_router_files(PipelineConfig(), tmp_path)


def test_fails_when_the_image_files_were_compiled_for_another_region() -> None:
    with pytest.raises(StandInError, match="compiled for region us-east-1"):
        load_router_files(PipelineConfig(region="us-east-1"))


def test_terraform_outputs_read_like_cdktf_outputs() -> None:
    wrapped = {name: {"sensitive": False, "type": "string", "value": value} for name, value in OUTPUTS.items()}
    assert DeployedPipeline.from_outputs(wrapped) == PIPELINE
    assert (PIPELINE.task_definition, PIPELINE.account) == ("sample-rails-app:3", "123456789012")


def test_fails_when_a_pipeline_output_is_missing() -> None:
    with pytest.raises(KeyError, match="pipeline output 'cluster_name' is missing"):
        DeployedPipeline.from_outputs({k: v for k, v in OUTPUTS.items() if k != "cluster_name"})


def test_app_lines_are_routed_as_a_task_of_the_deployed_cluster(router: RouterFiles) -> None:
    lines = (RECORDS / "rails_app_stdout.log").read_text().splitlines()
    outcomes = route_lines(lines, router, firelens_context(PIPELINE, "ap-northeast-1", RUN_ID))
    sql = [d.record for o in outcomes for d in o.deliveries if d.output == "rails-app.sql"]
    assert sql and {(r.last("ecs_cluster"), r.last("ecs_task_definition")) for r in sql} == {
        ("sample-rails-app", "sample-rails-app:3")
    }
    assert {r.last("ecs_task_arn") for r in sql} == {
        f"arn:aws:ecs:ap-northeast-1:123456789012:task/sample-rails-app/{RUN_ID}"
    }


def test_fails_when_the_preview_cannot_predict_a_line(router: RouterFiles) -> None:
    unmodelled = RouterFiles(
        router.compiled,
        parse_config("[FILTER]\n    Name lua\n    Match *\n[OUTPUT]\n    Name null\n    Match *\n"),
        router.parsers,
        router.config_path,
    )
    with pytest.raises(StandInError, match="app stdout line 1: the preview cannot predict where it goes"):
        route_lines(["hello"], unmodelled, firelens_context(PIPELINE, "ap-northeast-1", RUN_ID))


def test_fails_when_the_config_names_a_resource_that_is_not_deployed() -> None:
    outputs: dict[str, AwsOutput] = {
        "a.sql": FirehoseOutput("a.sql", "other-stream", "ap-northeast-1", True),
        "a.default": CloudWatchOutput("a.default", "/sample-metrics-fluentbit", "ap-northeast-1", "p-"),
    }
    with pytest.raises(StandInError, match="delivery stream 'other-stream' is not deployed"):
        check_outputs_deployed(outputs, PIPELINE, "ap-northeast-1")


def test_fails_when_the_config_targets_another_region_than_the_deployed_one() -> None:
    outputs = {"a.default": CloudWatchOutput("a.default", "/sample-metrics-fluentbit", "us-east-1", "p-")}
    with pytest.raises(StandInError, match="region us-east-1 is not the deployed region ap-northeast-1"):
        check_outputs_deployed(outputs, PIPELINE, "ap-northeast-1")
